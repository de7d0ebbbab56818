"""Problems in scenario files: what is wrong, and where (file, line, column, dotted path).

Every problem hiresim finds in a scenario, whether the YAML reader
(:mod:`hiresim.yaml_reader`), validation (:mod:`hiresim.scenario_messages`) or
extends/overrides/sweeps (:mod:`hiresim.scenario_files`) finds it, is one
:class:`Problem`, printed as a single compiler-like line::

    FILE:LINE:COL: error: dotted.path: message

Line and column are 1-based. A :class:`YamlDocument` is a read file: its plain data
plus the position of every key and list item, so that a problem found later (for
example by validation) can still be reported at its line.

Path style: list items use 0-based brackets, e.g. ``profiles[0].name`` or
``team.recruiters.count``; keys that are not simple words are written as
``["odd key"]``; the root is written as ``<file>`` (see :func:`format_path`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# The plain-number grammar of a scenario file (YAML 1.2 core schema): the reader tags
# numbers with it, and messages use it to spot a number written in quotes.
INT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
FLOAT_RE = re.compile(
    r"(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))\Z"
)

__all__ = [
    "MAX_PROBLEM_LINES",
    "Problem",
    "ScenarioError",
    "YamlDocument",
    "format_path",
    "format_problems",
    "one_line",
    "show_value",
    "sorted_problems",
]

#: How many problem lines ``format_problems`` / ``str(ScenarioError)`` show.
MAX_PROBLEM_LINES = 10


# --------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (line breaks included) as one space."""
    return " ".join(str(text).split())


@dataclass(frozen=True)
class Problem:
    """One error in a scenario file, printed as a single line."""

    file: str
    line: int
    col: int
    path: str
    message: str

    def __str__(self) -> str:
        path = one_line(self.path) or "<file>"
        return f"{self.file}:{self.line}:{self.col}: error: {path}: {one_line(self.message)}"


def format_problems(problems: Iterable[Problem]) -> str:
    """One line per problem; at most MAX_PROBLEM_LINES, then '... and N more problems'."""
    items = list(problems)
    lines = [str(p) for p in items[:MAX_PROBLEM_LINES]]
    rest = len(items) - MAX_PROBLEM_LINES
    if rest > 0:
        lines.append(f"... and {rest} more problem{'s' if rest != 1 else ''}")
    return "\n".join(lines)


class ScenarioError(Exception):
    """Raised for any problem in a scenario file; ``problems`` holds them all."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        return format_problems(self.problems)


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """The problems without repeats, in file order (line, then column)."""
    seen: set[Problem] = set()
    unique = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            unique.append(p)
    return sorted(unique, key=lambda p: (p.line, p.col))


# --------------------------------------------------------------------------
# Paths and the document
# --------------------------------------------------------------------------

_SIMPLE_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_\-]*\Z")


def format_path(path: Sequence[str | int]) -> str:
    """``("profiles", 0, "name")`` -> ``"profiles[0].name"``; ``()`` -> ``""``."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        elif _SIMPLE_KEY.match(str(part)):
            out += f".{part}" if out else str(part)
        else:
            text = str(part).replace("\\", "\\\\").replace('"', '\\"')
            out += f'["{one_line(text) if text.strip() else text}"]'
    return out


@dataclass
class YamlDocument:
    """A loaded scenario file: plain data plus where every key / list item is."""

    file: str
    data: dict
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    # For documents merged from several files (``extends:``): the file each path's
    # position refers to, where it is not ``file``.
    files: dict[tuple, str] = field(default_factory=dict)

    def position(self, path: tuple) -> tuple[int, int]:
        """(line, col) of the longest prefix of ``path`` present in the file."""
        return self.locate(path)[1:]

    def locate(self, path: tuple) -> tuple[str, int, int]:
        """(file, line, col) of the longest prefix of ``path`` present in the document."""
        path = tuple(path)
        for end in range(len(path), 0, -1):
            pos = self.positions.get(path[:end])
            if pos is not None:
                return (self.files.get(path[:end], self.file), *pos)
        return (self.file, *self.positions.get((), (1, 1)))

    def problem(self, path: tuple, message: str) -> Problem:
        """A Problem located at ``path`` (for checks done after validation)."""
        file, line, col = self.locate(path)
        return Problem(file, line, col, format_path(path), message)


def show_value(value: Any, limit: int = 40) -> str:
    """A value the way it would look in the YAML file."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        text = value if len(value) <= limit else value[: limit - 3] + "..."
        return "'" + one_line(text) + "'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
