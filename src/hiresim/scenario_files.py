"""Scenario files as users write them: inheritance, overrides and sweep grids.

``load_scenario`` (one file, its parents and ``--set`` overrides -> a validated Scenario)
and ``expand_grid`` (the same, expanded into the points of a sweep) are the ways to read
scenario files; the YAML itself is read by :mod:`hiresim.yaml_reader` and the data
validated by :func:`hiresim.scenario.validate_document`.

- ``extends: base.yaml`` (resolved relative to the file) starts from another scenario
  file and overrides parts of it. Mappings merge key by key; a list (e.g. ``profiles``),
  a single value or a distribution (a mapping with ``dist``) replaces the parent's.
  Problems point into the file that holds the offending line; a missing parent or a
  cycle is reported at the ``extends`` line.
- ``--set PATH=VALUE`` overrides one setting after the files are merged, validated like
  the file. PATH is dotted; list items by index or name: ``profiles[0].openings.count``,
  ``profiles[ml-embedded].sourced.reply_rate``, or every item: ``profiles[*].interviewers.count``.
  VALUE is read with the same strict YAML rules as files (``3``, ``0.25``, ``null``,
  ``{dist: exponential, mean: 2}``).
- ``sweep:`` (a mapping of PATH to a list of values) in a file, or ``--vary
  PATH=V1,V2,...`` on the command line, expands into the grid of all combinations, each
  point named after what it changes (``split-s2-r4``).
"""

from __future__ import annotations

import copy
import itertools
import re
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from hiresim.scenario import Scenario, validate_document
from hiresim.scenario_messages import (
    annotation_members,
    did_you_mean,
    field_annotations,
    follow,
    is_model,
)
from hiresim.scenario_problems import Problem, ScenarioError, YamlDocument, format_path
from hiresim.yaml_reader import load_yaml_file, load_yaml_text

EXTENDS = "extends"
SWEEP = "sweep"
WILDCARD = "*"
MAX_GRID_POINTS = 1000

# Short codes for point names: split-s2-r4 rather than scenario_17.
_CODES: dict[tuple, str] = {
    ("team", "sourcers", "count"): "s",
    ("team", "recruiters", "count"): "r",
    ("team", "structure"): "",
    ("profiles", WILDCARD, "interviewers", "count"): "i",
    ("profiles", WILDCARD, "interviewers", "hours_per_week"): "ih",
}


class OverrideError(ValueError):
    """A --set/--vary assignment that cannot be read or names an unknown setting."""


@dataclass(frozen=True)
class Selector:
    """A list item chosen by its ``name`` field: ``profiles[backend]``."""

    name: str

    def __str__(self) -> str:
        return self.name


PathKey = tuple[Any, ...]


# --------------------------------------------------------------------------- extends


def load_document(path: str | Path, _chain: tuple[Path, ...] = ()) -> YamlDocument:
    """A scenario file merged with the files it extends (``extends`` removed)."""
    doc = load_yaml_file(path)
    parent_name = doc.data.get(EXTENDS)
    if parent_name is None:
        return doc
    here = Path(path).resolve()
    if not isinstance(parent_name, str) or not parent_name.strip():
        raise ScenarioError([doc.problem((EXTENDS,), "extends needs a file name")])
    parent = (here.parent / parent_name).resolve()
    chain = (*_chain, here)
    if parent in chain:
        cycle = " -> ".join(p.name for p in (*chain, parent))
        raise ScenarioError([doc.problem((EXTENDS,), f"extends goes round in a cycle: {cycle}")])
    if not parent.is_file():
        raise ScenarioError([doc.problem((EXTENDS,), f"parent file not found: {parent_name} "
                                                     f"(looked for {parent})")])
    base = load_document(_display_path(parent), chain)
    child = {k: v for k, v in doc.data.items() if k != EXTENDS}
    merged = YamlDocument(file=doc.file, data=copy.deepcopy(base.data),
                          positions={}, files={})
    for p, pos in base.positions.items():
        merged.positions[p] = pos
        merged.files[p] = base.files.get(p, base.file)
    _merge(merged, child, (), doc)
    return merged


def input_files(path: str | Path) -> list[Path]:
    """The scenario file and every file it extends: the inputs a run must not overwrite."""
    doc = load_document(path)
    return sorted({Path(doc.file), *(Path(f) for f in doc.files.values())})


def _display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _merge(target: YamlDocument, data: dict, prefix: PathKey, source: YamlDocument) -> None:
    """Merge child mapping ``data`` into ``target.data`` at ``prefix``, with positions."""
    node = target.data
    for key in prefix:
        node = node[key]
    for key, value in data.items():
        path = (*prefix, key)
        # Nested mappings merge, except distribution specs (a mapping with 'dist'): the
        # child's spec replaces the parent's whole, so that changing a lognormal to an
        # exponential does not keep the lognormal's median and p90.
        if isinstance(value, dict) and isinstance(node.get(key), dict) and "dist" not in value:
            _set_position(target, path, source)
            _merge(target, value, path, source)
            continue
        _drop_positions(target, path)
        node[key] = copy.deepcopy(value)
        for p, pos in source.positions.items():
            if p[:len(path)] == path:
                target.positions[p] = pos
                target.files[p] = source.file
        _set_position(target, path, source)


def _set_position(target: YamlDocument, path: PathKey, source: YamlDocument) -> None:
    if path in source.positions:
        target.positions[path] = source.positions[path]
        target.files[path] = source.file


def _drop_positions(target: YamlDocument, path: PathKey) -> None:
    for p in [p for p in target.positions if p[:len(path)] == path]:
        del target.positions[p]
        target.files.pop(p, None)


# --------------------------------------------------------------------------- paths


_PART = re.compile(r"([^.\[\]]+)|\[([^\]]*)\]")


def parse_path(text: str) -> PathKey:
    """``profiles[0].openings.count`` -> ('profiles', 0, 'openings', 'count')."""
    text = text.strip()
    if not text:
        raise OverrideError("empty setting path")
    out: list[Any] = []
    pos = 0
    while pos < len(text):
        if text[pos] == "." and out:
            pos += 1
        match = _PART.match(text, pos)
        if not match:
            raise OverrideError(f"cannot read setting path {text!r}")
        key, index = match.groups()
        if key is not None:
            out.append(key)
        elif index == WILDCARD:
            out.append(WILDCARD)
        elif index.isdigit():
            out.append(int(index))
        elif index:
            out.append(Selector(index))
        else:
            raise OverrideError(f"empty [] in setting path {text!r}")
        pos = match.end()
    return tuple(out)


def check_path(path: PathKey, model: type[BaseModel] = Scenario) -> None:
    """Raise OverrideError unless ``path`` names a setting of the scenario schema.

    Below a value that is not one model or one list (a distribution, a number or
    'unlimited', ...) anything goes: validating the value decides.
    """
    members: list[Any] = [model]
    for i, key in enumerate(path):
        shown = format_path(_plain(path[:i + 1]))
        if len(members) != 1:
            return  # one of several kinds of value (e.g. a distribution): validation decides
        (member,) = members
        if typing.get_origin(member) is list:
            if not isinstance(key, int | Selector) and key != WILDCARD:
                raise OverrideError(f"{shown}: a list; pick items with [0], [name] or [*]")
            members = follow(members, 0) or []
            continue
        if not is_model(member):
            return  # inside a single value: validation decides
        if not isinstance(key, str) or key == WILDCARD:
            raise OverrideError(f"{shown}: not a list")
        names = field_annotations(member)
        if key not in names:
            hint = did_you_mean(key, set(names), any_case=False)
            more = f"; did you mean '{hint}'?" if hint else ""
            raise OverrideError(f"unknown setting '{format_path(path)}' ('{key}' is not a "
                                f"setting here{more})")
        members = annotation_members(names[key])


def parse_value(text: str, option: str) -> Any:
    """A command-line value read with the strict YAML rules of scenario files."""
    try:
        return load_yaml_text(f"value: {text}", option).data["value"]
    except ScenarioError as err:
        message = err.problems[0].message if err.problems else "cannot read value"
        raise OverrideError(f"cannot read value {text!r}: {message}") from None


def parse_assignment(text: str, option: str = "--set") -> tuple[PathKey, Any]:
    """``PATH=VALUE`` -> (path, value), with the path checked against the schema."""
    if "=" not in text:
        raise OverrideError(f"{text!r}: write PATH=VALUE, e.g. team.recruiters.count=4")
    left, right = text.split("=", 1)
    path = parse_path(left)
    check_path(path)
    return path, parse_value(right, option)


def parse_vary(text: str) -> tuple[PathKey, list[Any]]:
    """``PATH=V1,V2,...`` -> (path, values)."""
    if "=" not in text:
        raise OverrideError(f"{text!r}: write PATH=V1,V2,..., e.g. team.sourcers.count=1,2,3")
    left, right = text.split("=", 1)
    path = parse_path(left)
    check_path(path)
    raw = parse_value(f"[{right}]", "--vary")
    if not isinstance(raw, list) or not raw:
        raise OverrideError(f"{text!r}: give at least one value")
    return path, raw


def apply(data: dict, path: PathKey, value: Any) -> None:
    """Set ``path`` to ``value`` in plain scenario data (in place; lists by index/name/*)."""
    _apply(data, path, value, path)


def _apply(node: Any, path: PathKey, value: Any, full: PathKey) -> None:
    key, rest = path[0], path[1:]
    if isinstance(node, list):
        if key == WILDCARD:
            targets = list(range(len(node)))
        elif isinstance(key, Selector):
            targets = [i for i, item in enumerate(node)
                       if isinstance(item, dict) and item.get("name") == key.name]
            if not targets:
                raise OverrideError(f"{format_path(_plain(full))}: no item named '{key.name}'")
        elif isinstance(key, int) and 0 <= key < len(node):
            targets = [key]
        else:
            raise OverrideError(f"{format_path(_plain(full))}: no item {key}")
        for i in targets:
            if rest:
                _apply(node[i], rest, value, full)
            else:
                node[i] = copy.deepcopy(value)
        return
    if not isinstance(node, dict):
        raise OverrideError(f"{format_path(_plain(full))}: cannot set inside a single value")
    if not rest:
        node[key] = copy.deepcopy(value)
        return
    if not isinstance(node.get(key), dict | list):
        node[key] = {}
    _apply(node[key], rest, value, full)


def _plain(path: PathKey) -> tuple:
    return tuple(str(k) if isinstance(k, Selector) else k for k in path)


# --------------------------------------------------------------------------- scenarios


def _validate(doc: YamlDocument, data: dict | None = None) -> Scenario:
    """The scenario in (possibly overridden) data, its ``sweep`` aside; problems in ``doc``."""
    data = doc.data if data is None else data
    return validate_document(doc, Scenario, {k: v for k, v in data.items() if k != SWEEP})


def with_overrides(doc: YamlDocument, sets: tuple[str, ...] | list[str]) -> dict:
    """The document's data with ``--set`` overrides applied.

    The file is validated on its own first, so that its problems point into the file; a
    problem that only the overrides cause is an OverrideError naming the ``--set``.
    """
    data = copy.deepcopy(doc.data)
    if not sets:
        return data
    _validate(doc, data)
    for text in sets:
        p, value = parse_assignment(text)
        apply(data, p, value)
        try:
            _validate(doc, data)
        except ScenarioError as err:
            first = err.problems[0]
            raise OverrideError(f"--set {text}: {first.path}: {first.message}") from None
    return data


def load_scenario(path: str | Path, sets: tuple[str, ...] | list[str] = ()) -> Scenario:
    """Read a scenario file (with its parents), apply ``--set`` overrides, check any sweep."""
    doc = load_document(path)
    data = with_overrides(doc, sets)
    scenario = _validate(doc, data)
    if SWEEP in data:
        check_sweep(doc, data, sweep_axes(doc, []))
    return scenario


def check_sweep(doc: YamlDocument, base: dict, axes: list[tuple[PathKey, list[Any]]],
                n_file_axes: int | None = None) -> None:
    """Validate every value of every sweep axis on its own, problems at the value's line.

    Axes from the file's ``sweep:`` section come first (``n_file_axes`` of them, default
    all); later ones came from ``--vary`` and are reported as OverrideError.
    """
    section = doc.data.get(SWEEP) or {}
    keys = list(section)
    n_file = len(keys) if n_file_axes is None else n_file_axes
    problems: list[Problem] = []
    for a, (path, values) in enumerate(axes):
        for i, value in enumerate(values):
            data = copy.deepcopy(base)
            apply(data, path, value)
            try:
                _validate(doc, data)
            except ScenarioError as err:
                message = err.problems[0].message
                if a < n_file:
                    problems.append(doc.problem((SWEEP, keys[a], i),
                                                f"value {value!r}: {message}"))
                else:
                    raise OverrideError(f"--vary {format_path(_plain(path))}: value "
                                        f"{value!r}: {message}") from None
    if problems:
        raise ScenarioError(problems)


@dataclass(frozen=True)
class GridPoint:
    """One scenario of a sweep and the settings that make it."""

    name: str
    scenario: Scenario
    settings: dict[str, Any]


def _code(path: PathKey, value: Any) -> str:
    generic = tuple(WILDCARD if isinstance(k, int | Selector) else k for k in path)
    code = _CODES.get(generic)
    shown = value if not isinstance(value, float) else f"{value:g}"
    if code is None:
        return f"{path[-1]}{shown}" if isinstance(path[-1], str) else f"{shown}"
    return f"{code}{shown}"


def _without_codes(name: str, axes: Sequence[tuple[PathKey, list[Any]]]) -> str:
    """A base name without trailing codes of these axes, so that sweeping a point's own
    scenario (named 'split-s1-r3') names its points 'split-s2-r1', not 'split-s1-r3-s2-r1'."""
    codes = {_code(p, v) for p, values in axes for v in values} - {""}
    parts = name.split("-")
    while len(parts) > 1 and parts[-1] in codes:
        parts.pop()
    return "-".join(parts)


def sweep_axes(doc: YamlDocument, varies: list[str]) -> list[tuple[PathKey, list[Any]]]:
    """The axes of a sweep: the file's ``sweep:`` section, then ``--vary`` options."""
    axes: list[tuple[PathKey, list[Any]]] = []
    section = doc.data.get(SWEEP)
    if section is not None:
        if not isinstance(section, dict) or not section:
            raise ScenarioError([doc.problem((SWEEP,), "sweep needs 'path: [values]' lines")])
        problems: list[Problem] = []
        for key, values in section.items():
            try:
                path = parse_path(str(key))
                check_path(path)
            except OverrideError as err:
                problems.append(doc.problem((SWEEP, key), str(err)))
                continue
            if not isinstance(values, list) or not values:
                problems.append(doc.problem((SWEEP, key), "give a list of values, e.g. [1, 2]"))
                continue
            axes.append((path, values))
        if problems:
            raise ScenarioError(problems)
    for text in varies:
        axes.append(parse_vary(text))
    return axes


def expand_grid(path: str | Path, varies: Sequence[str] = (), sets: tuple[str, ...] = ()
                ) -> list[GridPoint]:
    """Every combination of the sweep axes, validated, with readable unique names."""
    doc = load_document(path)
    base = with_overrides(doc, sets)
    axes = sweep_axes(doc, list(varies))
    check_sweep(doc, base, axes, len(doc.data.get(SWEEP) or {}))
    if not axes:
        scenario = _validate(doc, base)
        return [GridPoint(scenario.name, scenario, {})]
    size = 1
    for _, values in axes:
        size *= len(values)
    if size > MAX_GRID_POINTS:
        raise OverrideError(f"the sweep has {size} points; at most {MAX_GRID_POINTS}")
    base_name = _without_codes(str(base.get("name", "scenario")), axes)
    points: list[GridPoint] = []
    seen: dict[str, int] = {}
    for combo in itertools.product(*(values for _, values in axes)):
        data = copy.deepcopy(base)
        codes = []
        prefix = base_name
        settings = {}
        for (p, _), value in zip(axes, combo, strict=True):
            apply(data, p, value)
            settings[format_path(_plain(p))] = value
            code = _code(p, value)
            if code:
                codes.append(code)
            else:  # e.g. the structure: the point is named after the value itself
                prefix = str(value)
        name = "-".join([prefix, *codes])
        if name in seen:
            seen[name] += 1
            name = f"{name}-{seen[name]}"
        else:
            seen[name] = 1
        data["name"] = name
        try:
            scenario = _validate(doc, data)
        except ScenarioError as err:
            located = [Problem(p.file, p.line, p.col, p.path, f"{p.message} (sweep point {name})")
                       for p in err.problems]
            raise ScenarioError(located) from None
        points.append(GridPoint(name, scenario, settings))
    return points
