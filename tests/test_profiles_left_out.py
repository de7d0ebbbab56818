"""``profiles_left_out``: a variant says which of its parent's profiles its own ``profiles``
list leaves out on purpose, and the dropped-profiles warning is about the others only."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hiresim.assumption_warnings import file_warnings
from hiresim.scenario_files import load_scenario
from hiresim.scenario_problems import ScenarioError
from small_scenario import REPO, cli

SHIPPED = sorted((REPO / "scenarios").glob("*.yaml"))
TEAM = {"structure": "combined", "recruiters": {"count": 2, "annual_salary": 100000}}
THREE = {"name": "base", "team": TEAM,
         "profiles": [{"name": "backend", "openings": {"count": 4}},
                      {"name": "frontend", "openings": {"count": 2}},
                      {"name": "data", "openings": {"count": 1}}]}


def _write(folder: Path, data: dict, name: str) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _variant(folder: Path, **extra: object) -> Path:
    _write(folder, THREE, "base.yaml")
    return _write(folder, {"extends": "base.yaml", "name": "variant", **extra,
                           "profiles": [{"name": "backend", "openings": {"count": 8}}]},
                  "variant.yaml")


def test_the_warning_fires_without_the_key(tmp_path: Path) -> None:
    lines = file_warnings(_variant(tmp_path))
    assert len(lines) == 1 and "leaving out frontend, data" in lines[0]
    assert "profiles_left_out" in lines[0]  # the warning says how to silence it
    done = cli("validate", tmp_path / "variant.yaml")
    assert done.exit_code == 0 and "leaving out frontend, data" in done.stderr


def test_no_warning_for_profiles_left_out_on_purpose(tmp_path: Path) -> None:
    variant = _variant(tmp_path, profiles_left_out=["frontend", "data"])
    assert file_warnings(variant) == []
    assert load_scenario(variant).profiles_left_out == ["frontend", "data"]
    for command in (("validate", variant), ("run", variant, "-n", 1, "--workers", 1, "-q")):
        done = cli(*command)
        assert done.exit_code == 0, done.stderr
        assert "warning" not in done.stderr, done.stderr


def test_only_the_profiles_named_are_silenced(tmp_path: Path) -> None:
    lines = file_warnings(_variant(tmp_path, profiles_left_out=["frontend"]))
    assert len(lines) == 1 and "leaving out data;" in lines[0]


def test_a_variant_of_a_variant_inherits_the_key(tmp_path: Path) -> None:
    _variant(tmp_path, profiles_left_out=["frontend", "data"])
    child = _write(tmp_path, {"extends": "variant.yaml", "name": "child",
                              "profiles": [{"name": "backend", "openings": {"count": 9}}]},
                   "child.yaml")
    assert file_warnings(child) == []


def test_naming_a_profile_of_the_plan_is_an_error(tmp_path: Path) -> None:
    variant = _variant(tmp_path, profiles_left_out=["data", "backend"])
    with pytest.raises(ScenarioError, match="profile 'backend' is in the plan"):
        load_scenario(variant)
    done = cli("validate", variant)
    assert done.exit_code == 2
    assert done.stderr.startswith(f"{variant}:5:")  # the line of the list item backend
    assert "profiles_left_out[1]" in done.stderr


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenarios_warn_about_nothing_and_name_real_drops_only(path: Path) -> None:
    assert file_warnings(path) == []
    data = yaml.safe_load(path.read_text())
    if "profiles_left_out" in data:
        parent = load_scenario(path.parent / data["extends"])
        plan = {p.name for p in load_scenario(path).profiles}
        assert set(data["profiles_left_out"]) == {p.name for p in parent.profiles} - plan
