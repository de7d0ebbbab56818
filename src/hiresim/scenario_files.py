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
- ``uncertain:`` (a mapping of PATH to ``{low: L, high: H}``, optionally ``mode: M``)
  names inputs known only within a range (uniform, or triangular with a mode), for
  ``hiresim sensitivity`` and ``sweep --robust``; each bound is validated like a value.
- ``plan: plan.csv`` (relative to the file that says it; ``--plan FILE`` on the command
  line) takes the profiles' openings from a hiring plan CSV: :mod:`hiresim.hiring_plan`.
- ``sweep:`` (a mapping of PATH to a list of values) in a file, or ``--vary
  PATH=V1,V2,...`` on the command line, expands into the grid of all combinations, each
  point named after what it changes (``split-s2-r4``).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hiresim.hiring_plan import PLAN_KEY, PlanError, apply_plan
from hiresim.scenario import Scenario, validate_document
from hiresim.scenario_problems import Problem, ScenarioError, YamlDocument, format_path
from hiresim.setting_paths import (
    WILDCARD,
    OverrideError,
    PathKey,
    Selector,
    _plain,
    apply,
    check_path,
    parse_assignment,
    parse_path,
    parse_vary,
)
from hiresim.yaml_reader import load_yaml_file

EXTENDS = "extends"
SWEEP = "sweep"
UNCERTAIN = "uncertain"
MAX_GRID_POINTS = 1000

# Short codes for point names: split-s2-r4 rather than scenario_17.
_CODES: dict[tuple, str] = {
    ("team", "sourcers", "count"): "s",
    ("team", "recruiters", "count"): "r",
    ("team", "structure"): "",
    ("team", "coordinators", "count"): "c",
    ("agencies", WILDCARD, "capacity_per_month"): "a",
    ("profiles", WILDCARD, "interviewers", "count"): "i",
    ("profiles", WILDCARD, "interviewers", "hours_per_week"): "ih",
}


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


# --------------------------------------------------------------------------- scenarios


def _validate(doc: YamlDocument, data: dict | None = None) -> Scenario:
    """The scenario in (possibly overridden) data, its ``sweep`` aside; problems in ``doc``."""
    data = doc.data if data is None else data
    data = apply_plan(data, doc.files.get((PLAN_KEY,), doc.file))  # plan: plan.csv
    return validate_document(doc, Scenario, {k: v for k, v in data.items()
                                             if k not in (SWEEP, UNCERTAIN)})


def scenario_in(doc: YamlDocument, data: dict) -> Scenario:
    """The scenario in plain data read from ``doc`` (its sweep and uncertain blocks aside)."""
    return _validate(doc, data)


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
        except PlanError:
            raise  # problems in the plan file (--plan): located in that file
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
    if UNCERTAIN in data:
        uncertain_inputs(doc, data)
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
                if _valid_in_some_point(doc, base, axes, a, value):
                    continue  # e.g. structure: split, valid once the sourcers axis is > 0
                message = err.problems[0].message
                if a < n_file:
                    problems.append(doc.problem((SWEEP, keys[a], i),
                                                f"value {value!r}: {message}"))
                else:
                    raise OverrideError(f"--vary {format_path(_plain(path))}: value "
                                        f"{value!r}: {message}") from None
    if problems:
        raise ScenarioError(problems)


def _valid_in_some_point(doc: YamlDocument, base: dict,
                         axes: list[tuple[PathKey, list[Any]]], a: int, value: Any) -> bool:
    """Does ``value`` of axis ``a`` make a valid scenario with some values of the other
    axes? (A value that is invalid on its own, e.g. ``structure: split`` on a base without
    sourcers, is fine when another axis supplies what it needs.)"""
    others = [(p, vs) for b, (p, vs) in enumerate(axes) if b != a]
    if not others:
        return False
    for n, combo in enumerate(itertools.product(*(vs for _, vs in others))):
        if n >= MAX_GRID_POINTS:
            return False
        data = copy.deepcopy(base)
        for (p, _), v in zip(others, combo, strict=True):
            apply(data, p, v)
        apply(data, axes[a][0], value)
        try:
            _validate(doc, data)
        except ScenarioError:
            continue
        return True
    return False


class Grid(list["GridPoint"]):
    """The points of a sweep, and the combinations it skipped as impossible.

    ``skipped`` holds one line per skipped combination, naming the point and why (e.g.
    'combined-s1: a combined team has no sourcers ...'): a sweep over ``team.structure``
    and ``team.sourcers.count`` runs every combination that makes a valid team.
    """

    skipped: list[str]

    def __init__(self, points: Sequence[GridPoint] = (), skipped: Sequence[str] = ()) -> None:
        super().__init__(points)
        self.skipped = list(skipped)


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
                ) -> Grid:
    """Every valid combination of the sweep axes, with readable unique names.

    Each value of each axis must make a valid scenario in at least one combination (else
    one problem per value, at its line or naming its ``--vary``). A combination that is
    impossible although each of its values is fine elsewhere (``structure: combined``
    with ``sourcers.count: 1``) is skipped and named in ``Grid.skipped``.
    """
    doc = load_document(path)
    base = with_overrides(doc, sets)
    axes = sweep_axes(doc, list(varies))
    check_sweep(doc, base, axes, len(doc.data.get(SWEEP) or {}))
    if not axes:
        scenario = _validate(doc, base)
        return Grid([GridPoint(scenario.name, scenario, {})])
    size = 1
    for _, values in axes:
        size *= len(values)
    if size > MAX_GRID_POINTS:
        raise OverrideError(f"the sweep has {size} points; at most {MAX_GRID_POINTS}")
    base_name = _without_codes(str(base.get("name", "scenario")), axes)
    points: list[GridPoint] = []
    skipped: list[str] = []
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
            if len(axes) > 1:  # each value is valid elsewhere: an impossible combination
                first = err.problems[0]
                skipped.append(f"{name}: {first.path}: {first.message}")
                continue
            located = [Problem(p.file, p.line, p.col, p.path, f"{p.message} (sweep point {name})")
                       for p in err.problems]
            raise ScenarioError(located) from None
        points.append(GridPoint(name, scenario, settings))
    return Grid(points, skipped)


# --------------------------------------------------------------------------- uncertain


@dataclass(frozen=True)
class UncertainInput:
    """An input known only within ``[low, high]``: uniform, or triangular around ``mode``."""

    path: PathKey
    low: float
    high: float
    mode: float | None = None
    integer: bool = False  # both bounds whole numbers: a count, sampled as whole numbers

    @property
    def label(self) -> str:
        """The path as written in a file: ``profiles[backend].sourced.reply_rate``."""
        return path_text(self.path)


def path_text(path: PathKey) -> str:
    """``('profiles', Selector('backend'), 'x')`` -> ``profiles[backend].x``."""
    out = ""
    for key in path:
        if isinstance(key, int | Selector) or key == WILDCARD:
            out += f"[{key}]"
        else:
            out += f".{key}" if out else str(key)
    return out


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def uncertain_inputs(doc: YamlDocument, base: dict | None = None) -> list[UncertainInput]:
    """The file's ``uncertain:`` block, each bound checked on ``base`` (default the file's
    data): one problem line per unknown path, unreadable range, ``low > high`` or bound
    outside the field's range."""
    data = doc.data if base is None else base
    section = data.get(UNCERTAIN)
    if section is None:
        return []
    if not isinstance(section, dict) or not section:
        raise ScenarioError([doc.problem((UNCERTAIN,),
                                         "uncertain needs 'path: {low: L, high: H}' lines")])
    out: list[UncertainInput] = []
    problems: list[Problem] = []
    for key, spec in section.items():
        where = (UNCERTAIN, key)
        try:
            path = parse_path(str(key))
            check_path(path)
        except OverrideError as err:
            problems.append(doc.problem(where, str(err)))
            continue
        if not isinstance(spec, dict) or set(spec) - {"low", "high", "mode"} \
                or not {"low", "high"} <= set(spec) \
                or not all(_number(v) for v in spec.values()):
            problems.append(doc.problem(where, "give a range as {low: L, high: H} (numbers; "
                                               "optionally mode: M)"))
            continue
        low, high, mode = float(spec["low"]), float(spec["high"]), spec.get("mode")
        if low > high:
            problems.append(doc.problem(where, f"low ({low:g}) is above high ({high:g})"))
            continue
        if mode is not None and not low <= mode <= high:
            problems.append(doc.problem(where, f"mode ({mode:g}) is outside "
                                               f"[{low:g}, {high:g}]"))
            continue
        bad = _bound_problem(doc, data, path, {"low": spec["low"], "high": spec["high"]})
        if isinstance(bad, str):
            problems.append(doc.problem(where, bad))
            continue
        out.append(UncertainInput(path, low, high, None if mode is None else float(mode),
                                  _is_count(bad.model_dump(mode="json"), path)))
    if problems:
        raise ScenarioError(problems)
    return out


def _bound_problem(doc: YamlDocument, base: dict, path: PathKey,
                   bounds: dict[str, Any]) -> str | Scenario:
    """Why a bound is not a valid value of the field, or the scenario at the last bound."""
    scenario: Scenario | None = None
    for name, value in bounds.items():
        data = copy.deepcopy(base)
        try:
            apply(data, path, value)
            scenario = _validate(doc, data)
        except OverrideError as err:
            return str(err)
        except ScenarioError as err:
            return f"{name} {value!r}: {err.problems[0].message}"
    assert scenario is not None
    return scenario


def _is_count(node: Any, path: PathKey) -> bool:
    """Whether the (first) value at ``path`` in resolved data is a whole-number field."""
    for key in path:
        if isinstance(node, list):
            items = [x for x in node if isinstance(x, dict) and x.get("name") == key.name] \
                if isinstance(key, Selector) else node if key == WILDCARD else [node[key]]
            node = items[0] if items else None
        elif isinstance(node, dict):
            node = node.get(key)
        else:
            return False
    return isinstance(node, int) and not isinstance(node, bool)
