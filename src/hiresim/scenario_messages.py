"""Validation problems as one-line messages, and the walk over the scenario schema.

pydantic reports a scenario's problems as a ``ValidationError``: locations as tuples,
messages written for programmers, one error per member of a union. Here each becomes
one :class:`~hiresim.scenario_problems.Problem` at the line of the offending key,
worded for the person who wrote the file:

- an unknown key gets a did-you-mean hint from the names allowed at that place
  (``unknown key 'recruiter'; did you mean 'recruiters'?``);
- a percentage or a quoted number where a number belongs gets a hint on how to write
  it (``write 0.25 for 25%``), and a share written as a percent number gets one too
  (``reply_rate: 35``: ``did you mean 0.35?``);
- a section given as something other than a mapping names the keys it holds
  (``a mapping with count, first_day, ...``), never a class name;
- the errors of the members of a plain union that land on one key become one line
  (``Input should be a valid integer or 'unlimited' (got 'four')``);
- a model validator's cross-field check names its key with :class:`FieldProblem`.

The walk over the schema's annotations (:func:`annotation_members`,
:func:`field_annotations`, :func:`follow`) is the one place that knows how pydantic
annotations nest; it finds the names allowed at a place for the hints and checks the
setting paths of ``--set``/``--vary`` (:func:`hiresim.scenario_files.check_path`).
"""

from __future__ import annotations

import difflib
import math
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from hiresim.scenario_problems import (
    FLOAT_RE,
    INT_RE,
    Problem,
    YamlDocument,
    format_path,
    show_value,
    sorted_problems,
)

__all__ = [
    "FieldProblem",
    "allowed_names",
    "annotation_members",
    "did_you_mean",
    "field_annotations",
    "follow",
    "is_model",
    "problems_from_validation_error",
]


def _clean_loc(loc: Sequence[Any], data: Any) -> tuple[tuple, tuple]:
    """Split pydantic's loc into (path present in data, leftover elements).

    Elements that are not keys/indexes of the data at that point (union member
    tags like 'fixed' or 'function-after[...]', or the name of a missing field)
    are dropped from the path and returned as leftovers, in order.
    """
    path: list[Any] = []
    leftover: list[Any] = []
    current = data
    for elem in loc:
        if isinstance(current, Mapping) and isinstance(elem, str) and elem in current:
            path.append(elem)
            current = current[elem]
        elif (
            isinstance(current, list)
            and isinstance(elem, int)
            and not isinstance(elem, bool)
            and 0 <= elem < len(current)
        ):
            path.append(elem)
            current = current[elem]
        else:
            leftover.append(elem)
    return tuple(path), tuple(leftover)


_NUMBER_TYPES = ("float", "int", "decimal", "finite_number")


def _percent_hint(error_type: str, value: Any) -> str | None:
    if not isinstance(value, str) or not error_type.startswith(_NUMBER_TYPES):
        return None
    text = value.strip()
    if not text.endswith("%"):
        return None
    try:
        number = float(text[:-1].strip())
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    if error_type.startswith("int"):
        return f"write {text[:-1].strip()} without the '%'"
    return f"write {number / 100:g} for {text}"


def _quoted_number_hint(error_type: str, value: Any) -> str | None:
    if not isinstance(value, str) or not error_type.startswith(_NUMBER_TYPES):
        return None
    text = value.strip()
    if error_type.startswith("int") and INT_RE.match(text):
        return f"got the quoted text '{text}'; write {text} without quotes"
    if not error_type.startswith("int") and FLOAT_RE.match(text) and "nan" not in text.lower():
        return f"got the quoted text '{text}'; write {text} without quotes"
    return None


def _share_hint(error_type: str, value: Any, ctx: Mapping[str, Any]) -> str | None:
    """A share written as a percent number (``reply_rate: 35``): did you mean 0.35?"""
    if error_type != "less_than_equal" or ctx.get("le") != 1:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not 2 <= value <= 100:  # 1.5 is more likely a slip than 1.5%
        return None
    return f"did you mean {value / 100:g}? (a share is a fraction: {value / 100:g} is {value:g}%)"


_MODEL_TYPES = ("model_type", "model_attributes_type", "dataclass_type")


def _mapping_message(model: type[BaseModel] | None, loc: Sequence[Any], class_name: str) -> str:
    """'should be a mapping with count, first_day, ...' for the model expected at ``loc``,
    in place of pydantic's 'a valid dictionary or instance of Openings'."""
    fields: list[str] = []
    try:
        leaves = annotation_members(model)
        for elem in loc:
            leaves = follow(leaves, elem) or leaves
        for leaf in leaves:
            if is_model(leaf) and (not class_name or leaf.__name__ == class_name):
                fields = [f for f in field_annotations(leaf) if f not in fields]
                break
    except Exception:
        fields = []
    if not fields:
        return "Input should be a mapping of settings (key: value lines)"
    shown = ", ".join(fields[:5]) + (", ..." if len(fields) > 5 else "")
    return f"Input should be a mapping with {shown}"


class FieldProblem(ValueError):
    """A model validator's error about one key inside the model (for its line number).

    ``raise FieldProblem(("warmup_days",), "must be shorter than horizon_days")`` in a
    model validator reports the problem at the ``warmup_days`` key, not at the section.
    """

    def __init__(self, relative_path: tuple, message: str) -> None:
        super().__init__(message)
        self.relative_path = tuple(relative_path)


def problems_from_validation_error(
    err: ValidationError,
    doc: YamlDocument,
    model: type[BaseModel] | None = None,
) -> list[Problem]:
    """One Problem per pydantic error, located in ``doc``, sorted by position.

    Errors from the members of a plain (non-discriminated) union that land on the
    same key are merged into one line ("Input should be a valid integer or
    'unlimited' (got 'four')").
    """
    # (path, message, suffix, union group key or None)
    entries: list[tuple[tuple, str, str, tuple | None]] = []
    for error in err.errors(include_url=False):
        loc = tuple(error.get("loc", ()))
        raised = (error.get("ctx") or {}).get("error")
        if isinstance(raised, FieldProblem):  # a cross-field check names its key
            loc = loc + tuple(raised.relative_path)
        error_type = str(error.get("type", ""))
        message = str(error.get("msg", "invalid value"))
        value = error.get("input")
        ctx = error.get("ctx") or {}
        for prefix in ("Value error, ", "Assertion failed, "):
            if message.startswith(prefix):
                message = message[len(prefix) :]
        path, leftover = _clean_loc(loc, doc.data)
        suffix = ""
        group: tuple | None = None

        if error_type == "missing":
            name = loc[-1] if loc and isinstance(loc[-1], str) else None
            if name is not None and leftover and leftover[-1] == name:
                message = f"missing required field '{name}'"
            else:
                message = "missing required field"
        elif error_type == "extra_forbidden":
            key = loc[-1] if loc else "?"
            message = f"unknown key '{key}'"
            if model is not None and isinstance(key, str):
                hint = did_you_mean(key, allowed_names(model, loc[:-1]))
                if hint:
                    message += f"; did you mean '{hint}'?"
        elif error_type == "union_tag_not_found":
            disc = str(ctx.get("discriminator", "")).strip("'\"")
            message = f"missing required field '{disc}'" if disc else message
        elif error_type == "union_tag_invalid":
            disc = str(ctx.get("discriminator", "")).strip("'\"")
            tag = ctx.get("tag")
            here = _doc_value(doc.data, path)
            if disc and isinstance(here, Mapping) and disc in here:
                path = path + (disc,)
            message = f"'{tag}' is not one of {ctx.get('expected_tags', 'the allowed values')}"
        elif error_type in _MODEL_TYPES:  # no class names: say what the mapping holds
            message = _mapping_message(model, loc, str(ctx.get("class_name", "")))
            suffix = f" (got {show_value(value)})"
        else:
            hint = _percent_hint(error_type, value) or _quoted_number_hint(error_type, value)
            share = _share_hint(error_type, value, ctx)
            if share:
                suffix = f" (got {show_value(value)}); {share}"
            elif hint:
                message = f"{message}, {hint}" if hint.startswith("got") else f"{message}; {hint}"
            elif error_type in ("value_error", "assertion_error"):
                pass  # our own validators' messages already say what is wrong
            elif value is None or isinstance(value, str | int | float):
                suffix = f" (got {show_value(value)})"
            elif error_type.endswith("_type") and isinstance(value, list | dict):
                suffix = f" (got {show_value(value)})"
            if leftover:  # a union member's tag was dropped from the loc
                group = (path, show_value(value))
        entries.append((path, message, suffix, group))

    merged: dict[tuple, list[str]] = {}
    suffixes: dict[tuple, str] = {}
    for _path, message, suffix, group in entries:
        if group is not None:
            if message not in merged.setdefault(group, []):
                merged[group].append(message)
            suffixes[group] = suffixes.get(group) or suffix
    problems: list[Problem] = []
    for path, message, suffix, group in entries:
        if group is not None:
            messages = merged.pop(group, None)
            if messages is None:
                continue  # already reported with its group
            message, suffix = _join_alternatives(messages), suffixes[group]
        file, line, col = doc.locate(path)
        problems.append(Problem(file, line, col, format_path(path), message + suffix))
    return sorted_problems(problems)


def _join_alternatives(messages: list[str]) -> str:
    lead = "Input should be "
    if len(messages) > 1 and all(m.startswith(lead) for m in messages):
        return lead + " or ".join(m[len(lead) :] for m in messages)
    return "; or ".join(messages)


def did_you_mean(key: str, allowed: set[str], *, any_case: bool = True) -> str | None:
    """The allowed name closest to the unknown ``key`` (None if none is close).

    With ``any_case``, a name that only differs much in upper/lower case is found too.
    """
    allowed = allowed - {key}  # a key that some other union member allows is no typo
    if not allowed:
        return None
    close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
    if close:
        return close[0]
    if not any_case:
        return None
    lowered = {a.lower(): a for a in sorted(allowed)}
    close = difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def _doc_value(data: Any, path: tuple) -> Any:
    """The value at ``path`` inside ``data`` (None when it does not exist)."""
    current = data
    for elem in path:
        try:
            current = current[elem]
        except (KeyError, IndexError, TypeError):
            return None
    return current


# -- walking the schema's annotations ---------------------------------------


def annotation_members(annotation: Any) -> list[Any]:
    """Flatten Annotated / Optional / Union into their member types (None dropped)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return annotation_members(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            out.extend(annotation_members(arg))
        return out
    if annotation is type(None):
        return []
    return [annotation]


def is_model(tp: Any) -> bool:
    """Whether ``tp`` is a pydantic model class (a mapping with named fields)."""
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def field_annotations(model: Any) -> dict[str, Any]:
    """Accepted input names -> annotation for a pydantic model."""
    config = getattr(model, "model_config", {}) or {}
    by_name = bool(config.get("populate_by_name") or config.get("validate_by_name"))
    names: dict[str, Any] = {}
    for fname, finfo in model.model_fields.items():
        aliases: list[str] = []
        if isinstance(finfo.alias, str):
            aliases.append(finfo.alias)
        va = finfo.validation_alias
        if isinstance(va, str):
            aliases.append(va)
        elif va is not None and hasattr(va, "choices"):
            aliases.extend(c for c in va.choices if isinstance(c, str))
        if not aliases or by_name:
            names[fname] = finfo.annotation
        for alias in aliases:
            names[alias] = finfo.annotation
    return names


def _tag_matches(model: Any, tag: str) -> bool:
    for finfo in model.model_fields.values():
        for leaf in annotation_members(finfo.annotation):
            if typing.get_origin(leaf) is typing.Literal and tag in typing.get_args(leaf):
                return True
    return model.__name__ == tag


def follow(leaves: list[Any], elem: Any) -> list[Any] | None:
    """Annotations reached from ``leaves`` by following loc element ``elem``.

    ``elem`` is a field name (or alias) of a model, an index into a list or tuple, or a
    key of a dict; None when no annotation in ``leaves`` has it.
    """
    out: list[Any] = []
    for leaf in leaves:
        origin = typing.get_origin(leaf)
        args = typing.get_args(leaf)
        if is_model(leaf) and isinstance(elem, str):
            names = field_annotations(leaf)
            if elem in names:
                out.extend(annotation_members(names[elem]))
        elif isinstance(elem, int) and origin in (list, tuple, set, frozenset, Sequence):
            if origin is tuple and args and args[-1] is not Ellipsis:
                if 0 <= elem < len(args):
                    out.extend(annotation_members(args[elem]))
            elif args:
                out.extend(annotation_members(args[0]))
        elif origin in (dict, Mapping) and len(args) == 2 and isinstance(elem, str):
            out.extend(annotation_members(args[1]))
    return out or None


def allowed_names(model: Any, loc: Sequence[Any]) -> set[str]:
    """Field names (and aliases) of the model(s) that ``loc`` leads to; best effort."""
    try:
        leaves = annotation_members(model)
        for elem in loc:
            nxt = follow(leaves, elem)
            if nxt is None:
                # Not a key: probably a union member tag -> narrow the union.
                if isinstance(elem, str):
                    tagged = [lf for lf in leaves if is_model(lf) and _tag_matches(lf, elem)]
                    leaves = tagged or leaves
                continue
            leaves = nxt
        names: set[str] = set()
        for leaf in leaves:
            if is_model(leaf):
                names.update(field_annotations(leaf))
        return names
    except Exception:
        return set()
