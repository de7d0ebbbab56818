"""hiresim explain and the assumption warnings (salaries 0, openings after the horizon,
dropped profiles, a team that is not the constraint)."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from hiresim.assumption_warnings import (
    dropped_profiles,
    openings_after_horizon,
    team_not_the_constraint,
    zero_salaries,
)
from hiresim.defaults_sources import DEFAULT_SOURCES, default_source
from hiresim.explain import explain
from hiresim.scenario import Scenario
from hiresim.scenario_files import load_scenario
from small_scenario import REPO, cli

SHIPPED = sorted((REPO / "scenarios").glob("*.yaml"))
MINIMAL = {"name": "minimal", "team": {"structure": "combined", "recruiters": {"count": 2}},
           "profiles": [{"name": "backend", "openings": {"count": 4}}]}


def _write(tmp_path: Path, data: dict, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data))
    return path


def _defaulted_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every field of the schema that has a default, as a generic dotted path."""
    out = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        sections = []
        ann = info.annotation
        for arg in [ann] if typing.get_origin(ann) is list else [ann, *typing.get_args(ann)]:
            inner = typing.get_args(arg)[0] if typing.get_origin(arg) is list else arg
            star = "[*]" if typing.get_origin(arg) is list else ""
            if isinstance(inner, type) and issubclass(inner, BaseModel) \
                    and inner.__module__ == "hiresim.scenario":  # a section, not a dist
                sections.append((inner, f"{path}{star}."))
        has_default = info.default is not PydanticUndefined or info.default_factory is not None
        if has_default and (not sections or info.default is None):
            out.append(path)
        for inner, sub in sections:
            out += _defaulted_fields(inner, sub)
    return out


def test_every_defaulted_field_has_a_source():
    missing = [p for p in _defaulted_fields(Scenario) if default_source(p) is None]
    assert not missing
    assert all(DEFAULT_SOURCES.values())


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_explain_marks_every_default_of_shipped_scenarios(path):
    rows = explain(path)
    data = yaml.safe_load(path.read_text())
    assert {r.origin for r in rows} <= {"file", "inherited", "default"}
    defaults = [r for r in rows if r.origin == "default"]
    assert all(r.source and r.source != "unlisted" for r in defaults)
    # a value the file itself writes is never called a default
    assert not any(r.path == "name" and r.origin != "file" for r in rows)
    if "extends" not in data:
        assert not any(r.origin == "inherited" for r in rows)


def test_explain_minimal_file_and_command_line(tmp_path):
    path = _write(tmp_path, MINIMAL)
    rows = {r.path: r for r in explain(path, ["profiles[backend].sourced.reply_rate=0.2"])}
    pace = rows["outreach.prospects_per_req_per_week"]
    assert pace.origin == "default" and pace.value == 20 and "assumption" in pace.source
    assert rows["team.recruiters.annual_salary"].origin == "default"
    assert rows["team.recruiters.count"].origin == "file"
    assert rows["profiles[backend].sourced.reply_rate"].origin == "command line"
    assert rows["profiles[backend].sourced.interest_rate"].origin == "default"
    assert rows["profiles[backend].interview_rounds[onsite].panel_size"].origin == "default"
    defaults = [r for r in rows.values() if r.origin == "default"]
    assert len(defaults) > 50 and all(r.source != "unlisted" for r in defaults)
    child = _write(tmp_path, {"extends": "s.yaml", "name": "child"}, "child.yaml")
    inherited = {r.path: r for r in explain(child)}
    assert inherited["team.recruiters.count"].origin == "inherited"
    assert inherited["team.recruiters.count"].source.endswith("s.yaml")
    result = cli("explain", path)
    assert result.exit_code == 0 and "outreach.prospects_per_req_per_week" in result.stdout
    assert "team.recruiters.annual_salary is 0" in result.stderr


def test_zero_salaries_warns_only_when_true(tmp_path):
    assert zero_salaries(load_scenario(_write(tmp_path, MINIMAL)))
    paid = dict(MINIMAL, team={"structure": "combined",
                               "recruiters": {"count": 2, "annual_salary": 100000}})
    assert zero_salaries(load_scenario(_write(tmp_path, paid))) == []


def test_openings_after_horizon(tmp_path):
    late = dict(MINIMAL, simulation={"horizon_days": 100},
                profiles=[{"name": "backend",
                           "openings": {"count": 5, "first_day": 0, "last_day": 200}}])
    lines = openings_after_horizon(load_scenario(_write(tmp_path, late)))
    assert len(lines) == 1 and "3 of 5 reqs open on or after" in lines[0]  # days 100-200
    assert openings_after_horizon(load_scenario(_write(tmp_path, MINIMAL))) == []


def test_dropped_profiles(tmp_path):
    two = dict(MINIMAL, profiles=[{"name": "backend", "openings": {"count": 4}},
                                  {"name": "frontend", "openings": {"count": 2}}])
    _write(tmp_path, two, "base.yaml")
    variant = _write(tmp_path, {"extends": "base.yaml", "profiles": [
        {"name": "backend", "openings": {"count": 8}}]}, "variant.yaml")
    lines = dropped_profiles(variant)
    assert len(lines) == 1 and "leaving out frontend" in lines[0]
    same = _write(tmp_path, {"extends": "base.yaml", "team": {
        "structure": "combined", "recruiters": {"count": 3}}}, "same.yaml")
    assert dropped_profiles(same) == []
    result = cli("validate", variant)
    assert result.exit_code == 0 and "leaving out frontend" in result.stderr


def test_team_not_the_constraint():
    idle = {"scenario": "x", "metrics": {"utilization_recruiter": {"mean": 0.3},
                                         "utilization_sourcer": {"mean": 0.2}}}
    busy = {"scenario": "x", "metrics": {"utilization_recruiter": {"mean": 0.3},
                                         "utilization_sourcer": {"mean": 0.5}}}
    assert "not the constraint" in team_not_the_constraint(idle)[0]
    assert team_not_the_constraint(busy) == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenarios_warn_only_about_true_replacements(path):
    scenario = load_scenario(path)
    assert zero_salaries(scenario) == [] and openings_after_horizon(scenario) == []
    data = yaml.safe_load(path.read_text())
    dropped = False
    if "extends" in data and "profiles" in data:
        parent = load_scenario(path.parent / data["extends"])
        dropped = bool({p.name for p in parent.profiles} - {p.name for p in scenario.profiles})
    assert bool(dropped_profiles(path)) == dropped


def test_report_assumptions_mark_defaults(tmp_path):
    out = tmp_path / "run"
    result = cli("run", _write(tmp_path, dict(MINIMAL, simulation={"horizon_days": 30})),
                 "-n", 1, "--workers", 1, "-q", "--out", out, "--report", tmp_path / "r.html")
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "r.html").read_text()
    assert 'prospects_per_req_per_week</td><td class="txt">20 <span class="small" ' \
           'title="the model default">(default)' in text
    assert "(default)" not in text.split("recruiters.count</td>")[1].split("</tr>")[0]
