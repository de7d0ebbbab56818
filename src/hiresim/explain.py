"""The resolved scenario, value by value, with where each value comes from.

``explain(path, sets)`` reads a scenario file as a run would (``extends``, then ``--set``)
and lists every setting of the resolved scenario with its origin:

- ``file``: written in the file itself;
- ``inherited``: written in a file it extends (named);
- ``command line``: set by ``--set``;
- ``default``: left out, so the model's default applies; its source (a benchmark,
  ``assumption`` or a modelling choice) is from ``hiresim.defaults_sources``.

A distribution, a list of numbers or an empty section is one value; list items with a
``name`` are shown by name (``profiles[backend].sourced.reply_rate``), as ``--set`` takes
them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hiresim.defaults_sources import default_source
from hiresim.scenario import scenario_to_dict
from hiresim.scenario_files import (
    WILDCARD,
    load_document,
    parse_assignment,
    scenario_in,
    with_overrides,
)
from hiresim.scenario_problems import YamlDocument
from hiresim.setting_paths import list_indices

ORIGINS = ("file", "inherited", "command line", "default")


@dataclass(frozen=True)
class Explained:
    """One setting of the resolved scenario and where its value comes from."""

    path: str
    generic: str
    value: Any
    origin: str
    source: str

    def as_dict(self) -> dict:
        return {"path": self.path, "value": self.value, "origin": self.origin,
                "source": self.source}


def explain(path: str | Path, sets: Sequence[str] = ()) -> list[Explained]:
    """Every setting of the scenario in ``path`` (with ``sets`` applied) and its origin."""
    doc = load_document(path)
    data = with_overrides(doc, tuple(sets))
    resolved = scenario_to_dict(scenario_in(doc, data))
    set_paths = [p for text in sets for p in _concrete(data, parse_assignment(text)[0])]
    out = []
    for concrete, shown, value in _leaves(resolved, (), ""):
        generic = "".join(f"[{WILDCARD}]" if isinstance(k, int) else f".{k}"
                          for k in concrete).lstrip(".")
        if any(concrete[:len(p)] == p for p in set_paths):
            origin, source = "command line", "--set"
        elif _present(doc.data, concrete):
            origin, source = _file_origin(doc, concrete)
        else:
            origin, source = "default", default_source(generic) or "unlisted"
        out.append(Explained(shown, generic, value, origin, source))
    return out


def _leaves(node: Any, path: tuple, shown: str) -> Iterator[tuple[tuple, str, Any]]:
    if isinstance(node, dict) and node and "dist" not in node:
        for key, value in node.items():
            yield from _leaves(value, (*path, key), f"{shown}.{key}" if shown else key)
    elif isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
        for i, item in enumerate(node):
            label = item.get("name", i)
            yield from _leaves(item, (*path, i), f"{shown}[{label}]")
    else:
        yield path, shown, node


def _concrete(data: Any, path: tuple) -> list[tuple]:
    """The concrete (index) paths a ``--set`` path names in ``data``."""
    if not path:
        return [()]
    key, rest = path[0], path[1:]
    if isinstance(data, list):
        return [(i, *r) for i in list_indices(data, key) for r in _concrete(data[i], rest)]
    child = data.get(key) if isinstance(data, dict) else None
    return [(key, *r) for r in _concrete(child, rest)]


def _present(data: Any, path: tuple) -> bool:
    """Whether the file (merged with its parents) states the value at ``path``, itself or
    as part of a value given whole (a number for a distribution, a list of rounds)."""
    node = data
    for key in path:
        if isinstance(node, dict):
            if key not in node:
                return False
            node = node[key]
        elif isinstance(node, list):
            if not isinstance(key, int) or key >= len(node):
                return False
            node = node[key]
        else:
            return True
    return True


def _file_origin(doc: YamlDocument, path: tuple) -> tuple[str, str]:
    for cut in range(len(path), -1, -1):
        if path[:cut] in doc.positions:
            file = doc.files.get(path[:cut], doc.file)
            break
    else:
        file = doc.file
    if Path(file).resolve() == Path(doc.file).resolve():
        return "file", file
    return "inherited", file


def value_text(value: Any) -> str:
    """A value the way a scenario file would say it: 'triangular(low=1, mode=1.5, high=3)'."""
    if value is None:
        return "none"
    if isinstance(value, dict) and "dist" in value:
        args = ", ".join(f"{k}={value_text(v)}" for k, v in value.items() if k != "dist")
        return f"{value['dist']}({args})"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, list):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def explain_table(rows: Sequence[Explained]) -> str:
    """Aligned text: setting, value, origin, and for a default its source."""
    cells = [("setting", "value", "origin", "source")] + [
        (r.path, _cut(value_text(r.value)), r.origin, r.source) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(3)]
    lines = ["  ".join([*(c[i].ljust(widths[i]) for i in range(3)), c[3]]).rstrip()
             for c in cells]
    counts = {o: sum(r.origin == o for r in rows) for o in ORIGINS}
    lines.append("\n" + ", ".join(f"{n} {o}" for o, n in counts.items() if n)
                 + " values")
    return "\n".join(lines)


def _cut(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."
