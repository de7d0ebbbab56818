"""Setting paths: the ``PATH`` of ``--set PATH=VALUE``, ``--vary``, ``sweep:`` and
``uncertain:`` blocks, e.g. ``team.recruiters.count`` or ``profiles[backend].openings.count``
(a list item by its ``name``; ``profiles[*]`` every item; ``profiles[0]`` by position).

Reading a path, checking it names a real setting of the scenario models (with did-you-mean),
reading a value, and applying it to raw scenario data. ``hiresim.scenario_files`` builds on
this; it reads no files.
"""

from __future__ import annotations

import copy
import re
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from hiresim.scenario import Scenario
from hiresim.scenario_messages import (
    annotation_members,
    did_you_mean,
    field_annotations,
    follow,
    is_model,
)
from hiresim.scenario_problems import ScenarioError, format_path
from hiresim.yaml_reader import load_yaml_text

WILDCARD = "*"


class OverrideError(ValueError):
    """A --set/--vary assignment that cannot be read or names an unknown setting."""


@dataclass(frozen=True)
class Selector:
    """A list item chosen by its ``name`` field: ``profiles[backend]``."""

    name: str

    def __str__(self) -> str:
        return self.name


PathKey = tuple[Any, ...]




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


def list_indices(items: list, key: Any) -> list[int]:
    """The indices of ``items`` a path key names: every item (``*``), the items whose
    ``name`` is a selector's, or an index within the list (none when out of range)."""
    if key == WILDCARD:
        return list(range(len(items)))
    if isinstance(key, Selector):
        return [i for i, item in enumerate(items)
                if isinstance(item, dict) and item.get("name") == key.name]
    return [key] if isinstance(key, int) and 0 <= key < len(items) else []


def _apply(node: Any, path: PathKey, value: Any, full: PathKey) -> None:
    key, rest = path[0], path[1:]
    if isinstance(node, list):
        targets = list_indices(node, key)
        if not targets and isinstance(key, Selector):
            raise OverrideError(f"{format_path(_plain(full))}: no item named '{key.name}'")
        if not targets and key != WILDCARD:
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


