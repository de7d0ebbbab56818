"""``hiresim init``: a first scenario file from the few things a TA leader knows.

The answers (:class:`Answers`: the roles to hire and how many, when their reqs open, the
team today and its salaries) fill a scenario; every other setting takes the model's
default and is written out in the file too, each marked ``# default`` with the source of
its value (from the shipped JSON Schema, ``hiresim.schema``, which carries the sources of
the documentation's parameter tables). The file validates as written, so a newcomer can
run it at once and then edit what they know better.

Dates: the plan is given in days from its start (day 0 is the first day of the simulated
year, ``openings.first_day``/``last_day``), not in calendar dates or months; a month is
about 30 days.

A file that exists is never overwritten, unless ``force`` is given *and* the file was
written by ``hiresim init`` (its first line is :data:`MARKER`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from hiresim.scenario import Scenario, scenario_from_dict, scenario_to_dict
from hiresim.scenario_messages import annotation_members, is_model
from hiresim.scenario_problems import ScenarioError
from hiresim.schema import SCHEMA_FILE, shipped_schema

MARKER = "# Scenario written by 'hiresim init'; edit freely (see docs/model.md for each value)."


class InitError(ValueError):
    """The answers cannot make a scenario, or the target file must not be written."""


@dataclass
class Answers:
    """What ``hiresim init`` asks. Counts are people or reqs; days are from the plan's
    start (day 0); salaries are base salaries per year in the scenario's currency."""

    name: str = "my-team"
    roles: dict[str, int] = field(default_factory=lambda: {"backend": 10})
    first_day: float = 0.0
    last_day: float = 180.0
    structure: str = "split"
    recruiters: int = 2
    sourcers: int = 1
    recruiter_salary: float = 120_000.0
    sourcer_salary: float = 95_000.0


# The keys each answer fills (paths in the scenario data); anything else is a default.
ASKED = (
    ("name",), ("team", "structure"), ("team", "recruiters", "count"),
    ("team", "recruiters", "annual_salary"), ("team", "sourcers", "count"),
    ("team", "sourcers", "annual_salary"), ("profiles", "*", "name"),
    ("profiles", "*", "openings", "count"), ("profiles", "*", "openings", "first_day"),
    ("profiles", "*", "openings", "last_day"),
)


def parse_roles(text: str) -> dict[str, int]:
    """``backend=10, frontend=5`` -> {"backend": 10, "frontend": 5} (InitError if not)."""
    roles: dict[str, int] = {}
    for part in re.split(r"[,\s]+", text.strip()):
        if not part:
            continue
        name, sep, count = part.partition("=")
        if not sep or not name or not count.strip().isdigit() or int(count) < 1:
            raise InitError(f"roles: write NAME=COUNT with a count of at least 1, e.g. "
                            f"backend=10 (got {part!r})")
        if name in roles:
            raise InitError(f"roles: {name!r} is given twice")
        roles[name] = int(count)
    if not roles:
        raise InitError("roles: give at least one, e.g. backend=10")
    return roles


def scenario_data(answers: Answers) -> dict:
    """The scenario the answers describe, every default filled in (validated)."""
    team: dict[str, Any] = {
        "structure": answers.structure,
        "recruiters": {"count": answers.recruiters, "annual_salary": answers.recruiter_salary},
    }
    if answers.structure == "split":
        team["sourcers"] = {"count": answers.sourcers, "annual_salary": answers.sourcer_salary}
    data = {
        "name": answers.name,
        "team": team,
        "profiles": [{"name": role, "openings": {"count": count,
                                                 "first_day": answers.first_day,
                                                 "last_day": answers.last_day}}
                     for role, count in answers.roles.items()],
    }
    try:
        return scenario_to_dict(scenario_from_dict(data, "hiresim init"))
    except ScenarioError as err:
        raise InitError(" ".join(str(err).split(": error: ", 1)[-1].split())) from None


def _sources() -> dict[tuple[str, str], str]:
    """(model class name, field) -> where the default comes from, from the shipped schema."""
    out = {}
    for cls, definition in shipped_schema()["$defs"].items():
        for name, prop in definition.get("properties", {}).items():
            if "x-source" in prop:
                out[(cls, name)] = prop["x-source"]
    return out


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip()
    return text.removesuffix("...").strip()


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _is_asked(path: tuple) -> bool:
    plain = tuple("*" if isinstance(p, int) else p for p in path)
    return plain in ASKED


def _nested(model: Any, key: str) -> Any:
    if model is None or key not in model.model_fields:
        return None
    for member in annotation_members(model.model_fields[key].annotation):
        if is_model(member):
            return member
        args = getattr(member, "__args__", ())
        if args and is_model(args[0]):  # list[Model]
            return args[0]
    return None


def _default_note(model: Any, key: str, path: tuple,
                  sources: dict[tuple[str, str], str]) -> str:
    if _is_asked(path):
        return ""
    source = sources.get((getattr(model, "__name__", ""), key))
    return f"  # default; source: {source}" if source else "  # default (docs/model.md, 6)"


def _lines(data: dict, model: Any, path: tuple, indent: str,
           sources: dict[tuple[str, str], str]) -> list[str]:
    out = []
    for key, value in data.items():
        here = (*path, key)
        sub = _nested(model, key)
        if isinstance(value, dict) and sub is not None and "dist" not in value:
            out.append(f"{indent}{key}:")
            out += _lines(value, sub, here, indent + "  ", sources)
        elif (isinstance(value, list) and value and isinstance(value[0], dict)
              and key == "profiles"):
            out.append(f"{indent}{key}:")
            for i, item in enumerate(value):
                body = _lines(item, sub, (*here, i), indent + "    ", sources)
                out += [f"{indent}  - " + body[0].lstrip(), *body[1:]]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            out.append(f"{indent}{key}:{_default_note(model, key, here, sources)}")
            out += [f"{indent}  - {_flow(item)}" for item in value]
        else:
            out.append(f"{indent}{key}: {_flow(value)}{_default_note(model, key, here, sources)}")
    return out


def scenario_text(answers: Answers) -> str:
    """The commented YAML of the answers' scenario (see the module docstring)."""
    data = scenario_data(answers)
    schema = resources.files("hiresim").joinpath(SCHEMA_FILE)
    head = [
        MARKER,
        f"# yaml-language-server: $schema={schema}",
        "# Values you gave have no comment; '# default' marks a value you were not asked",
        "# about, with its source (docs/model.md, section 6). Days count from day 0, the",
        "# start of the simulated year (calendar dates are not supported yet).",
        "# Run it: hiresim run THIS_FILE    Check it: hiresim validate THIS_FILE",
    ]
    body = _lines(data, Scenario, (), "", _sources())
    return "\n".join(head + body) + "\n"


def write_scenario(path: str | Path, answers: Answers, force: bool = False) -> Path:
    """Write the answers' scenario to ``path`` (InitError if it exists and may not be
    replaced: see the module docstring)."""
    target = Path(path)
    if target.exists():
        if not force:
            raise InitError(f"{target}: exists; choose another file name (or --force to "
                            "replace a file that hiresim init wrote)")
        try:
            first = target.read_text(encoding="utf-8").split("\n", 1)[0]
        except (OSError, UnicodeDecodeError):
            first = ""
        if not target.is_file() or first != MARKER:
            raise InitError(f"{target}: exists and was not written by hiresim init; "
                            "--force only replaces files hiresim init wrote")
    text = scenario_text(answers)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as err:
        raise InitError(f"{target}: cannot write: {err.strerror}") from None
    return target
