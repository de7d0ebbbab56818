"""The JSON Schema of scenario files, for editors (completion, hover docs, checks as you type).

The schema is generated from the pydantic models of ``hiresim.scenario`` and the parameter
tables of the documentation (section 6 of ``docs/model.md``: meaning, unit, default and the
source of each value become each field's ``description``; the source also goes in
``x-source``), then shipped inside the package as ``scenario.schema.json``. ``hiresim
schema`` prints the shipped file; a test checks it equals a fresh generation.

On top of the pydantic model it describes what ``hiresim.scenario_files`` handles before
validation: ``extends`` (a parent file; a file that extends another may leave out any
key, required or not), ``sweep`` (a mapping of setting paths to lists of values) and
``uncertain`` (setting paths to ranges).

Regenerate after a change to the scenario models or to the documentation's tables::

    python -m hiresim.schema docs/model.md > src/hiresim/scenario.schema.json

An editor with the YAML language server (VS Code's YAML extension, for example) uses it
through a first-line comment in the scenario file::

    # yaml-language-server: $schema=../src/hiresim/scenario.schema.json
"""

from __future__ import annotations

import json
import re
import sys
from importlib import resources

from pydantic import BaseModel

from hiresim.scenario import (
    CandidateBehaviour,
    Costs,
    Effort,
    Outreach,
    RoleProfile,
    Scenario,
    Simulation,
    StaffRole,
    Team,
)
from hiresim.scenario_messages import annotation_members, is_model

SCHEMA_FILE = "scenario.schema.json"
SCHEMA_ID = "https://github.com/hiresim/hiresim/scenario.schema.json"

# docs/model.md section 6 headings (their first backticked or plain word) -> the model
_SECTIONS: dict[str, type[BaseModel]] = {
    "simulation": Simulation, "team": Team, "Staff role": StaffRole, "effort": Effort,
    "outreach": Outreach, "candidates": CandidateBehaviour, "costs": Costs,
    "profiles": RoleProfile,
    # 6.10 names settings by their full path from the scenario (profiles[].dropout...)
    "Settings added for binding roles": Scenario,
    "Composing scenarios": Scenario,  # 6.9: profiles_left_out
}
_HEADING = re.compile(r"^### 6\.\d+ (`[^`]+`|[^(:]+)")


def shipped_schema() -> dict:
    """The schema shipped with the package (what ``hiresim schema`` prints)."""
    text = resources.files("hiresim").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return dict(json.loads(text))


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def field_docs(model_md: str) -> dict[tuple[str, str], dict[str, str]]:
    """(model class name, field name) -> the row of its parameter table (header -> cell)."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    model: type[BaseModel] | None = None
    header: list[str] = []
    for line in model_md.splitlines():
        heading = _HEADING.match(line)
        if heading or line.startswith("## "):
            model = _SECTIONS.get(heading.group(1).strip(" `")) if heading else None
            header = []
            continue
        if model is None or not line.startswith("|"):
            continue
        cells = _cells(line)
        if not header:
            header = cells
            continue
        if not cells[0].startswith("`"):
            continue  # the |---| line or a row that is not about a field
        row = dict(zip(header, cells, strict=False))
        for name in re.findall(r"`([^`]+)`", cells[0]):
            target = _resolve(model, name.split("."))
            if target is not None:
                out[target] = row
    return out


def _resolve(model: type[BaseModel], parts: list[str]) -> tuple[str, str] | None:
    """The (class name, field) that a dotted name inside ``model`` ends at."""
    for i, part in enumerate(parts):
        part = part.removesuffix("[]")  # profiles[].x: a field of every list item
        if part not in model.model_fields:
            return None
        if i == len(parts) - 1:
            return model.__name__, part
        members = annotation_members(model.model_fields[part].annotation)
        nested = [m for m in members if is_model(m)] or [  # list[Model]: its items
            a for m in members for a in getattr(m, "__args__", ())[:1] if is_model(a)]
        if not nested:
            return None
        model = nested[0]
    return None


def _plain(cell: str) -> str:
    return cell.replace("`", "").replace("**", "").replace("*", "").strip()


def _describe(row: dict[str, str]) -> tuple[str, str]:
    """A field's description and its source, from its row of the parameter table."""
    meaning = _plain(row.get("meaning", ""))
    if not meaning and row.get("per"):  # the effort table: hours per activity
        meaning = f"hours of a person's time per {_plain(row['per'])}"
    parts = [meaning[:1].upper() + meaning[1:] if meaning else ""]
    for key, label in (("unit", "Unit"), ("default", "Default")):
        if row.get(key):
            parts.append(f"{label}: {_plain(row[key])}.")
    source = _plain(row.get("source", ""))
    if source and source != "-":
        parts.append(f"Source: {source}.")
    text = " ".join(p.rstrip(".") + "." if i == 0 and p else p for i, p in enumerate(parts))
    return text.strip(), source if source != "-" else ""


def _partial(defs: dict) -> dict:
    """Copies of the definitions without required keys, for files that extend another."""
    text = json.dumps(defs)
    for name in defs:
        text = text.replace(f'"#/$defs/{name}"', f'"#/$defs/Partial{name}"')
    out = {}
    for name, schema in json.loads(text).items():
        schema.pop("required", None)
        out[f"Partial{name}"] = schema
    return out


def generate_schema(model_md: str) -> dict:
    """The scenario schema: the pydantic models, the documentation's field descriptions,
    ``extends``, ``sweep`` and ``uncertain``."""
    schema = Scenario.model_json_schema()
    defs = schema["$defs"]
    defs["Scenario"] = {k: v for k, v in schema.items() if k != "$defs"}
    for (cls, name), row in field_docs(model_md).items():
        prop = defs[cls]["properties"][name]
        prop["description"], source = _describe(row)
        if source:
            prop["x-source"] = source
    root = defs["Scenario"]
    root["properties"]["extends"] = {
        "type": "string", "minLength": 1, "title": "Extends",
        "description": "Start from another scenario file (a path relative to this one) and "
                       "state only what differs: mappings merge key by key; a list, a single "
                       "value or a distribution replaces the parent's."}
    root["properties"]["sweep"] = {
        "type": "object", "title": "Sweep",
        "description": "A grid of settings to run with 'hiresim sweep': each key is a setting "
                       "path (team.sourcers.count, profiles[backend].openings.count, "
                       "profiles[*].interviewers.count), each value the list of values to try.",
        "propertyNames": {"pattern": r"^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]+\])?"
                                     r"(\.[A-Za-z_][A-Za-z0-9_]*(\[[^\]]+\])?)*$"},
        "additionalProperties": {"type": "array", "minItems": 1}}
    root["properties"]["uncertain"] = {
        "type": "object", "title": "Uncertain",
        "description": "Inputs you do not know well, as ranges, for 'hiresim sensitivity' and "
                       "'hiresim sweep --robust': each key is a setting path, each value "
                       "{low, high} (uniform) or {low, mode, high} (triangular).",
        "propertyNames": root["properties"]["sweep"]["propertyNames"],
        "additionalProperties": {
            "type": "object", "required": ["low", "high"], "additionalProperties": False,
            "properties": {"low": {"type": "number"}, "high": {"type": "number"},
                           "mode": {"type": "number"}}}}
    defs.update(_partial({k: v for k, v in defs.items()}))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "hiresim scenario",
        "description": "One hiring team and its hiring plan (hiresim). A file with 'extends' "
                       "may leave out anything its parent gives.",
        "if": {"required": ["extends"]},
        "then": {"$ref": "#/$defs/PartialScenario"},
        "else": {"$ref": "#/$defs/Scenario"},
        "$defs": dict(sorted(defs.items())),
    }


def schema_text(schema: dict) -> str:
    """The schema as the shipped file holds it (stable key order, final newline)."""
    return json.dumps(schema, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:  # pragma: no cover - the regeneration command
    """``python -m hiresim.schema docs/model.md``: print a freshly generated schema."""
    if len(argv) != 1:
        print("usage: python -m hiresim.schema docs/model.md", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as handle:
        sys.stdout.write(schema_text(generate_schema(handle.read())))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
