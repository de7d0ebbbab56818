"""The strict YAML reader for hiresim scenario files (the only YAML parser in hiresim).

Scenario files are written by hand by talent-acquisition leaders, not
programmers, so the rules are strict and every problem is reported as one line
in the compiler-like format::

    FILE:LINE:COL: error: dotted.path: message

(line and column are 1-based; no tracebacks, no pydantic URLs; the problems
themselves are defined in :mod:`hiresim.scenario_problems`).  Turning pydantic's
validation errors into such lines is the job of :mod:`hiresim.scenario_messages`;
this module knows nothing of the scenario schema.

What the reader accepts (a YAML 1.2 "core"-like subset, deliberately *not* the
YAML 1.1 rules PyYAML uses by default):

* exactly one document whose top level is a mapping with text keys;
* booleans are only ``true``/``True``/``TRUE``/``false``/``False``/``FALSE``
  (``yes``/``no``/``on``/``off``/``y``/``n`` stay text);
* ``~``, ``null``/``Null``/``NULL`` and empty values are None;
* integers are plain decimal (``42``, ``-3``, ``+7``); ``0123`` (leading zero),
  ``0x1F``/``0o17``/``0b101`` and ``1_000`` are reported as errors instead of
  being silently read as something else;
* floats are decimal (``0.5``, ``-2.5``, ``1e3``, ``.5``) plus ``.inf``,
  ``-.inf`` and ``.nan`` (these load as float; the pydantic models reject them
  with ``allow_inf_nan=False``); a finite-looking number that overflows to
  infinity (``1e999``) is an error;
* ``12:30`` (YAML 1.1 sexagesimal) and dates such as ``2024-01-31`` stay text;
* only the standard tags ``!!str !!int !!float !!bool !!null !!map !!seq`` are
  allowed (``!!python/...``, ``!!timestamp``, ``!!binary``, ``!!set``, custom
  ``!tags`` ... are refused; nothing is ever constructed from a tag);
* anchors (``&x``) and aliases (``*x``) are refused (this also stops
  "billion laughs" expansion bombs: an alias is never expanded);
* duplicate keys are errors (reported at the second occurrence);
* a file is at most ``max_bytes`` long (1,000,000 bytes by default) and UTF-8
  text (a leading byte-order mark is dropped).

Public API: :func:`load_yaml_file` and :func:`load_yaml_text` (both return a
:class:`~hiresim.scenario_problems.YamlDocument` or raise
:class:`~hiresim.scenario_problems.ScenarioError` with every problem found), and
``INT_RE``/``FLOAT_RE``, the plain-number grammar (for hints about quoted numbers).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.error import Mark, MarkedYAMLError
from yaml.events import AliasEvent, StreamEndEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from hiresim.scenario_problems import (
    FLOAT_RE,
    INT_RE,
    Problem,
    ScenarioError,
    YamlDocument,
    format_path,
    one_line,
    show_value,
    sorted_problems,
)

__all__ = ["FLOAT_RE", "INT_RE", "load_yaml_file", "load_yaml_text"]

#: Maximum nesting of lists/mappings in a scenario file.
MAX_DEPTH = 64


# --------------------------------------------------------------------------
# The YAML loader
# --------------------------------------------------------------------------

_Y = "tag:yaml.org,2002:"
TAG_STR, TAG_NULL, TAG_BOOL = _Y + "str", _Y + "null", _Y + "bool"
TAG_INT, TAG_FLOAT, TAG_MAP, TAG_SEQ = _Y + "int", _Y + "float", _Y + "map", _Y + "seq"
# Implicit tag for plain scalars that YAML 1.1 would read as a number but that
# we refuse (leading zeros, hex/octal/binary, digit separators).
TAG_AMBIGUOUS = "tag:hiresim,2024:ambiguous-number"

_NULL_RE = re.compile(r"(?:~|null|Null|NULL|)\Z")
_BOOL_RE = re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z")
_RADIX_RE = re.compile(r"[-+]?0(?:[xX][0-9a-fA-F_]+|[oO][0-7_]+|[bB][01_]+)\Z")
_UNDERSCORE_RE = re.compile(
    r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9_]+)?\Z"
)
_LEADING_ZERO_RE = re.compile(r"[-+]?0[0-9]+\Z")

_STANDARD_TAGS = {TAG_STR, TAG_NULL, TAG_BOOL, TAG_INT, TAG_FLOAT, TAG_MAP, TAG_SEQ}


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_Y) :] if tag.startswith(_Y) else tag


class _Fatal(Exception):
    """Stops loading at once (used for problems that make going on pointless)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class _ScenarioLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-core-like scalars, no anchors/aliases/custom tags.

    Only the scanner/parser/composer/resolver of PyYAML are used to build a node
    tree; :meth:`build` turns nodes into plain Python data while recording key
    positions and collecting problems.  Its constructor registry holds only the
    core scalar constructors (plus SafeLoader's map/seq and its "undefined tag"
    refusal), so nothing outside the core schema can ever be constructed.  Use
    :func:`load_yaml_file`, not ``yaml.load``, which would skip the checks.
    """

    yaml_implicit_resolvers: dict = {}
    yaml_constructors: dict = {}
    yaml_multi_constructors: dict = {}

    def __init__(self, text: str, file: str = "<string>") -> None:
        super().__init__(text)
        self.file = file
        self.problems: list[Problem] = []
        self.positions: dict[tuple, tuple[int, int]] = {(): (1, 1)}
        self._depth = 0

    # -- problems -------------------------------------------------------
    def add_problem(self, mark: Mark | None, path: tuple, message: str) -> None:
        line, col = _mark_pos(mark)
        self.problems.append(Problem(self.file, line, col, format_path(path), message))

    # -- composer hooks: refuse anchors/aliases, limit depth -----------------
    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(AliasEvent):
            event = self.get_event()
            self.add_problem(
                event.start_mark,
                (),
                f"anchors and aliases are not supported (found '*{event.anchor}')",
            )
            # Never expand the alias: stand in an empty value.
            return ScalarNode(TAG_NULL, "", event.start_mark, event.end_mark)
        event = self.peek_event()
        if getattr(event, "anchor", None) is not None:
            self.add_problem(
                event.start_mark,
                (),
                f"anchors and aliases are not supported (found '&{event.anchor}')",
            )
            event.anchor = None  # never registered, so aliases cannot refer to it
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                line, col = _mark_pos(event.start_mark)
                raise _Fatal(
                    Problem(self.file, line, col, "", f"nested more than {MAX_DEPTH} levels deep")
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    # -- scalar constructors ------------------------------------------------
    def construct_core_null(self, node: ScalarNode) -> None:
        if not _NULL_RE.match(node.value):
            raise ConstructorError(
                None, None, f"'{node.value}' is not an empty value", node.start_mark
            )
        return None

    def construct_core_bool(self, node: ScalarNode) -> bool:
        if not _BOOL_RE.match(node.value):
            raise ConstructorError(
                None, None, f"'{node.value}' is not true or false", node.start_mark
            )
        return node.value.lower() == "true"

    def construct_core_int(self, node: ScalarNode) -> int:
        value = node.value
        if not INT_RE.match(value):
            raise ConstructorError(
                None, None, _bad_number_message(value, "whole number"), node.start_mark
            )
        try:
            return int(value)
        except ValueError:  # more digits than Python allows converting
            raise ConstructorError(None, None, "number is too long", node.start_mark) from None

    def construct_core_float(self, node: ScalarNode) -> float:
        value = node.value
        if not FLOAT_RE.match(value):
            raise ConstructorError(
                None, None, _bad_number_message(value, "number"), node.start_mark
            )
        low = value.lower()
        if low.endswith(".nan"):
            return math.nan
        if low.endswith(".inf"):
            return -math.inf if value.startswith("-") else math.inf
        result = float(value)
        if math.isinf(result):
            raise ConstructorError(None, None, f"number '{value}' is too large", node.start_mark)
        return result

    def construct_core_str(self, node: ScalarNode) -> str:
        return node.value

    def construct_ambiguous(self, node: ScalarNode) -> Any:
        raise ConstructorError(None, None, _bad_number_message(node.value, None), node.start_mark)

    # -- node tree -> data ----------------------------------------------------
    def build(self, node: Node, path: tuple) -> Any:
        tag = node.tag
        if tag not in _STANDARD_TAGS and tag != TAG_AMBIGUOUS:
            self.add_problem(
                node.start_mark, path, f"unsupported tag '{_show_tag(tag)}'; remove it"
            )
            return None
        if isinstance(node, MappingNode) and tag == TAG_MAP:
            return self._build_mapping(node, path)
        if isinstance(node, SequenceNode) and tag == TAG_SEQ:
            result = []
            for index, item in enumerate(node.value):
                self.positions[path + (index,)] = _mark_pos(item.start_mark)
                result.append(self.build(item, path + (index,)))
            return result
        if isinstance(node, ScalarNode) and tag not in (TAG_MAP, TAG_SEQ):
            try:
                return self.yaml_constructors[tag](self, node)
            except ConstructorError as exc:
                self.add_problem(
                    exc.problem_mark or node.start_mark, path, exc.problem or "bad value"
                )
                return None
        kind = {MappingNode: "a mapping", SequenceNode: "a list"}.get(type(node), "a single value")
        self.add_problem(
            node.start_mark, path, f"tag '{_show_tag(tag)}' cannot be used on {kind}; remove it"
        )
        return None

    def _build_mapping(self, node: MappingNode, path: tuple) -> dict:
        result: dict[str, Any] = {}
        first_seen: dict[str, Mark] = {}
        for key_node, value_node in node.value:
            key = self._key_text(key_node, path)
            if key is None:
                self.build(value_node, path)  # still report problems inside
                continue
            if key in first_seen:
                self.add_problem(
                    key_node.start_mark,
                    path + (key,),
                    f"duplicate key '{key}' (first at line {first_seen[key].line + 1})",
                )
                self.build(value_node, path + (key,))
                continue
            first_seen[key] = key_node.start_mark
            self.positions[path + (key,)] = _mark_pos(key_node.start_mark)
            result[key] = self.build(value_node, path + (key,))
        return result

    def _key_text(self, key_node: Node, path: tuple) -> str | None:
        if key_node.tag not in _STANDARD_TAGS and key_node.tag != TAG_AMBIGUOUS:
            self.add_problem(
                key_node.start_mark, path, f"unsupported tag '{_show_tag(key_node.tag)}'; remove it"
            )
            return None
        if isinstance(key_node, ScalarNode):
            if key_node.tag == TAG_STR:
                return key_node.value
            if key_node.value == "":
                msg = "empty key; write a name before the ':'"
            else:
                msg = f"key {key_node.value} must be text; put it in quotes: '{key_node.value}'"
            self.add_problem(key_node.start_mark, path, msg)
            return None
        kind = "a list" if isinstance(key_node, SequenceNode) else "a mapping"
        self.add_problem(key_node.start_mark, path, f"a key must be plain text, not {kind}")
        return None


def _bad_number_message(value: str, expected: str | None) -> str:
    if _RADIX_RE.match(value):
        return (
            f"hexadecimal/octal/binary number '{value}' is not supported; "
            "write it in decimal or quote it"
        )
    if "_" in value and _UNDERSCORE_RE.match(value):
        plain = value.replace("_", "")
        return f"ambiguous number '{value}' (underscores); write {plain} or quote it"
    if _LEADING_ZERO_RE.match(value):
        sign = "-" if value.startswith("-") else ""
        plain = sign + (value.lstrip("+-").lstrip("0") or "0")
        return f"ambiguous number '{value}' (leading zero); write {plain} or quote it"
    return f"'{value}' is not a valid {expected or 'number'}"


def _setup_loader() -> None:
    cls = _ScenarioLoader
    replaced = {
        TAG_BOOL,
        TAG_INT,
        TAG_FLOAT,
        TAG_NULL,
        _Y + "timestamp",
        _Y + "merge",
        _Y + "value",
    }
    # Start from a copy of SafeLoader's resolvers without the YAML 1.1 ones.
    cls.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in replaced]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    digits = list("0123456789")
    # Order matters: the first matching resolver wins.
    cls.add_implicit_resolver(TAG_NULL, _NULL_RE, ["~", "n", "N", ""])
    cls.add_implicit_resolver(TAG_BOOL, _BOOL_RE, list("tTfF"))
    cls.add_implicit_resolver(TAG_AMBIGUOUS, _RADIX_RE, ["-", "+", "0"])
    cls.add_implicit_resolver(TAG_AMBIGUOUS, _LEADING_ZERO_RE, ["-", "+", "0"])
    cls.add_implicit_resolver(TAG_INT, INT_RE, ["-", "+", *digits])
    cls.add_implicit_resolver(TAG_FLOAT, FLOAT_RE, ["-", "+", ".", *digits])
    cls.add_implicit_resolver(TAG_AMBIGUOUS, _UNDERSCORE_RE, ["-", "+", ".", *digits])

    cls.yaml_constructors = {}
    cls.yaml_multi_constructors = {}
    cls.add_constructor(TAG_NULL, _ScenarioLoader.construct_core_null)
    cls.add_constructor(TAG_BOOL, _ScenarioLoader.construct_core_bool)
    cls.add_constructor(TAG_INT, _ScenarioLoader.construct_core_int)
    cls.add_constructor(TAG_FLOAT, _ScenarioLoader.construct_core_float)
    cls.add_constructor(TAG_STR, _ScenarioLoader.construct_core_str)
    cls.add_constructor(TAG_AMBIGUOUS, _ScenarioLoader.construct_ambiguous)
    cls.add_constructor(TAG_SEQ, SafeConstructor.construct_yaml_seq)
    cls.add_constructor(TAG_MAP, SafeConstructor.construct_yaml_map)
    cls.add_constructor(None, SafeConstructor.construct_undefined)


_setup_loader()


# --------------------------------------------------------------------------
# Syntax error messages
# --------------------------------------------------------------------------


def _mark_pos(mark: Mark | None) -> tuple[int, int]:
    if mark is None:
        return (1, 1)
    return (mark.line + 1, mark.column + 1)


def _syntax_message(exc: MarkedYAMLError, text: str) -> str:
    problem = exc.problem or exc.context or "invalid YAML"
    context = exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    where = ""
    if exc.context_mark is not None and exc.context_mark is not mark:
        line, col = _mark_pos(exc.context_mark)
        where = f"line {line}, column {col}"

    if problem == "found character '\\t' that cannot start any token":
        line_text = ""
        if mark is not None:
            lines = text.splitlines()
            line_text = lines[mark.line][: mark.column] if mark.line < len(lines) else ""
        if line_text.strip() == "":
            msg = "found a tab character where indentation is expected; indent with spaces"
        else:
            msg = "found a tab character; use spaces instead of tabs"
    elif m := re.fullmatch(r"found character '(.*)' that cannot start any token", problem):
        msg = f"'{m.group(1)}' cannot start a value; put the value in quotes"
    elif context == "while scanning a quoted scalar":
        msg = f"a quote opened at {where or 'an earlier line'} is never closed"
        if "end of stream" not in problem:
            msg += f" ({problem})"
    elif problem == "mapping values are not allowed here":
        msg = (
            "unexpected ':' here; check the indentation, or put the value in quotes "
            "if it contains ': '"
        )
    elif problem == "could not find expected ':'":
        msg = "a 'key: value' line is missing its ':'" + (f" (the key at {where})" if where else "")
    elif m := re.fullmatch(r"expected <block end>, but found (.*)", problem):
        found = m.group(1)
        if found == "'-'":
            msg = "unexpected list item '-' here; check the indentation"
        elif found in ("'<block mapping start>'", "'?'", "'<scalar>'"):
            msg = (
                "the indentation of this line does not match the lines above it; "
                "check the spaces at the start of the line"
            )
        else:
            msg = f"unexpected {found} here; check the indentation"
    elif context in ("while parsing a flow sequence", "while parsing a flow mapping") and where:
        opening, closing = ("[", "]") if "sequence" in context else ("{", "}")
        msg = f"the '{opening}' opened at {where} is not closed with '{closing}' ({problem})"
    elif isinstance(exc, ComposerError) and "undefined alias" in problem:
        msg = "anchors and aliases are not supported"
    else:
        msg = problem
        if context and where:
            msg += f" ({context} started at {where})"
    return "YAML syntax: " + msg


_LINE_BREAK_RE = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _offset_pos(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, col) of a character offset, counting line breaks like PyYAML."""
    before = text[:offset]
    breaks = list(_LINE_BREAK_RE.finditer(before))
    if not breaks:
        return 1, offset + 1
    return len(breaks) + 1, offset - breaks[-1].end() + 1


# --------------------------------------------------------------------------
# Loading a file
# --------------------------------------------------------------------------


def _read_bytes(path: Path, name: str, max_bytes: int) -> bytes:
    def fail(message: str) -> ScenarioError:
        return ScenarioError([Problem(name, 1, 1, "", message)])

    try:
        st = path.stat()
    except FileNotFoundError:
        raise fail("file not found") from None
    except NotADirectoryError:
        raise fail("file not found (a part of the path is not a folder)") from None
    except PermissionError:
        raise fail("cannot read the file: permission denied") from None
    except OSError as exc:
        raise fail(f"cannot read the file: {exc.strerror or exc}") from None
    if path.is_dir():
        raise fail("this is a folder, not a scenario file")
    if st.st_size > max_bytes:
        raise fail(f"file is too large ({st.st_size} bytes; the limit is {max_bytes} bytes)")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except PermissionError:
        raise fail("cannot read the file: permission denied") from None
    except IsADirectoryError:
        raise fail("this is a folder, not a scenario file") from None
    except OSError as exc:
        raise fail(f"cannot read the file: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise fail(f"file is too large (more than {max_bytes} bytes)")
    return raw


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8", errors="replace")
        line, col = _offset_pos(before, len(before))
        bad = raw[exc.start : exc.start + 1].hex()
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            hint = "the file looks like UTF-16; save it as UTF-8"
        else:
            hint = "save it as UTF-8"
        raise ScenarioError(
            [Problem(name, line, col, "", f"file is not UTF-8 text (byte 0x{bad}); {hint}")]
        ) from None


def load_yaml_file(path: str | Path, max_bytes: int = 1_000_000) -> YamlDocument:
    """Read and check one scenario file; raise ScenarioError with every problem found."""
    name = str(path)
    text = _decode(_read_bytes(Path(path), name, max_bytes), name)
    return _load_text(text, name)


def load_yaml_text(text: str, name: str) -> YamlDocument:
    """Parse YAML text with the same strict rules as files (``name`` labels problems)."""
    return _load_text(text, name)


def _load_text(text: str, name: str) -> YamlDocument:
    try:
        loader = _ScenarioLoader(text, name)
    except yaml.reader.ReaderError as exc:
        line, col = _offset_pos(text, exc.position)
        char = (
            exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        )
        raise ScenarioError(
            [
                Problem(
                    name,
                    line,
                    col,
                    "",
                    f"the file contains a special character (#x{char:04x}) that is not allowed; "
                    "remove it",
                )
            ]
        ) from None
    try:
        try:
            loader.get_event()  # StreamStart
            if loader.check_event(StreamEndEvent):
                raise _Fatal(
                    Problem(name, 1, 1, "", "the file is empty; it needs 'key: value' lines")
                )
            root = loader.compose_document()
            if not loader.check_event(StreamEndEvent):
                event = loader.peek_event()
                line, col = _mark_pos(event.start_mark)
                raise _Fatal(
                    Problem(
                        name,
                        line,
                        col,
                        "",
                        "several YAML documents in one file (a second one starts here); "
                        "keep only one, or split them into separate files",
                    )
                )
        except MarkedYAMLError as exc:
            line, col = _mark_pos(exc.problem_mark or exc.context_mark)
            problem = Problem(name, line, col, "", _syntax_message(exc, text))
            raise ScenarioError(sorted_problems([*loader.problems, problem])) from None
        except yaml.YAMLError as exc:  # pragma: no cover - defensive
            problem = Problem(name, 1, 1, "", f"YAML syntax: {one_line(str(exc))}")
            raise ScenarioError(sorted_problems([*loader.problems, problem])) from None
        except RecursionError:  # pragma: no cover - MAX_DEPTH should prevent it
            problem = Problem(name, 1, 1, "", f"nested more than {MAX_DEPTH} levels deep")
            raise ScenarioError(sorted_problems([*loader.problems, problem])) from None
    except _Fatal as exc:
        raise ScenarioError(sorted_problems([*loader.problems, exc.problem])) from None
    finally:
        loader.dispose()

    data = loader.build(root, ())
    problems = list(loader.problems)
    if not problems:
        if data is None:
            problems.append(
                Problem(name, 1, 1, "", "the file is empty; it needs 'key: value' lines")
            )
        elif not isinstance(data, dict):
            line, col = _mark_pos(root.start_mark)
            kind = "a list" if isinstance(data, list) else f"a single value ({show_value(data)})"
            problems.append(
                Problem(
                    name,
                    line,
                    col,
                    "",
                    f"the top level must be 'key: value' lines, not {kind}",
                )
            )
    if problems:
        raise ScenarioError(sorted_problems(problems))
    return YamlDocument(file=name, data=data, positions=loader.positions)
