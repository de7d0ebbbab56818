"""Tests for reading scenario YAML strictly and reporting one-line problems.

Covers hiresim.yaml_reader (the strict reader), hiresim.scenario_problems (problems and
their lines), hiresim.scenario_messages (validation errors as messages) and
hiresim.scenario.validate_document.
"""

from __future__ import annotations

import math
import os
import re
import time
import tracemalloc
from pathlib import Path
from typing import Annotated, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hiresim import yaml_reader
from hiresim.scenario import validate_document
from hiresim.scenario_messages import problems_from_validation_error
from hiresim.scenario_problems import (
    Problem,
    ScenarioError,
    YamlDocument,
    format_path,
    format_problems,
)
from hiresim.yaml_reader import load_yaml_file

LINE_RE = re.compile(r"^.+:[1-9][0-9]*:[1-9][0-9]*: error: \S.*: \S.*$")


def write(tmp_path: Path, text: str | bytes, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str | bytes) -> YamlDocument:
    return load_yaml_file(write(tmp_path, text))


def only_problem(tmp_path: Path, text: str | bytes) -> Problem:
    with pytest.raises(ScenarioError) as info:
        load(tmp_path, text)
    problems = info.value.problems
    assert len(problems) == 1, problems
    line = str(info.value)
    assert "\n" not in line and LINE_RE.match(line), line
    assert "Traceback" not in line and "pydantic" not in line
    return problems[0]


def assert_problem(problem: Problem, line: int, col: int, fragment: str, path: str = "") -> None:
    assert (problem.line, problem.col) == (line, col), problem
    assert fragment in problem.message, problem
    assert problem.path == path, problem


# --------------------------------------------------------------------------
# Problem / ScenarioError formatting
# --------------------------------------------------------------------------


def test_problem_str_format() -> None:
    p = Problem("s.yaml", 3, 5, "team.count", "bad")
    assert str(p) == "s.yaml:3:5: error: team.count: bad"
    assert str(Problem("s.yaml", 1, 1, "", "empty")) == "s.yaml:1:1: error: <file>: empty"


def test_problem_str_is_always_one_line() -> None:
    p = Problem("s.yaml", 1, 2, "a", "first\nsecond")
    assert str(p) == "s.yaml:1:2: error: a: first second"


def test_scenario_error_truncates_after_ten_lines() -> None:
    problems = [Problem("s.yaml", i, 1, "k", f"m{i}") for i in range(1, 13)]
    err = ScenarioError(problems)
    lines = str(err).splitlines()
    assert len(lines) == 11
    assert lines[0] == "s.yaml:1:1: error: k: m1"
    assert lines[-1] == "... and 2 more problems"
    assert err.problems == problems
    assert format_problems(problems) == str(err)
    assert str(ScenarioError(problems[:11])).splitlines()[-1] == "... and 1 more problem"


def test_format_path_style() -> None:
    assert format_path(()) == ""
    assert format_path(("team", "recruiters", "count")) == "team.recruiters.count"
    assert format_path(("profiles", 0, "name")) == "profiles[0].name"
    assert format_path(("weird key", "a.b")) == '["weird key"]["a.b"]'


# --------------------------------------------------------------------------
# Happy path, positions
# --------------------------------------------------------------------------

NESTED = """\
# a comment line
team:
  recruiters:
    count: 3
    speed: 0.5
profiles:
  - name: senior
    weight: 2
  -   plain
  - {name: junior, weight: 1}
"""


def test_loads_nested_data(tmp_path: Path) -> None:
    doc = load(tmp_path, NESTED)
    assert doc.data == {
        "team": {"recruiters": {"count": 3, "speed": 0.5}},
        "profiles": [{"name": "senior", "weight": 2}, "plain", {"name": "junior", "weight": 1}],
    }


def test_positions_of_keys_and_items_are_one_based(tmp_path: Path) -> None:
    doc = load(tmp_path, NESTED)
    pos = doc.positions
    assert pos[()] == (1, 1)
    assert pos[("team",)] == (2, 1)
    assert pos[("team", "recruiters")] == (3, 3)
    assert pos[("team", "recruiters", "count")] == (4, 5)
    assert pos[("team", "recruiters", "speed")] == (5, 5)
    assert pos[("profiles",)] == (6, 1)
    assert pos[("profiles", 0)] == (7, 5)
    assert pos[("profiles", 0, "name")] == (7, 5)
    assert pos[("profiles", 0, "weight")] == (8, 5)
    assert pos[("profiles", 1)] == (9, 7)
    assert pos[("profiles", 2)] == (10, 5)
    assert pos[("profiles", 2, "name")] == (10, 6)
    assert pos[("profiles", 2, "weight")] == (10, 20)


def test_position_uses_longest_existing_prefix(tmp_path: Path) -> None:
    doc = load(tmp_path, NESTED)
    assert doc.position(("team", "recruiters", "missing_field")) == (3, 3)
    assert doc.position(("profiles", 7, "name")) == (6, 1)
    assert doc.position(("nothing", "here")) == (1, 1)
    assert doc.position(()) == (1, 1)
    p = doc.problem(("team", "recruiters", "count"), "too many")
    assert str(p).endswith(":4:5: error: team.recruiters.count: too many")


def test_file_name_is_kept_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "a: 1\n", "given.yaml")
    monkeypatch.chdir(tmp_path)
    assert load_yaml_file("given.yaml").file == "given.yaml"
    write(tmp_path, "a: [\n", "bad.yaml")
    with pytest.raises(ScenarioError) as info:
        load_yaml_file(Path("bad.yaml"))
    assert str(info.value).startswith("bad.yaml:")


def test_utf8_bom_and_crlf_are_fine(tmp_path: Path) -> None:
    doc = load(tmp_path, "\ufeffa: 1\r\nb: caf\u00e9\r\n")
    assert doc.data == {"a": 1, "b": "caf\u00e9"}
    assert doc.positions[("b",)] == (2, 1)


# --------------------------------------------------------------------------
# Scalars: YAML 1.2-core-like, not YAML 1.1
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("FALSE", False),
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("n", "n"),
        ("Yes", "Yes"),
        ("12:30", "12:30"),
        ("2024-01-31", "2024-01-31"),
        ("~", None),
        ("null", None),
        ("", None),
        ("0", 0),
        ("42", 42),
        ("-3", -3),
        ("+7", 7),
        ("1e3", 1000.0),
        ("0.5", 0.5),
        ("-2.5", -2.5),
        (".5", 0.5),
        ("'0123'", "0123"),
        ('"true"', "true"),
        ("<<", "<<"),
    ],
)
def test_scalar_rules(tmp_path: Path, text: str, expected: object) -> None:
    value = load(tmp_path, f"v: {text}\n").data["v"]
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize(("text", "sign"), [(".nan", 0), (".inf", 1), ("-.inf", -1)])
def test_nan_and_inf_load_as_float(tmp_path: Path, text: str, sign: int) -> None:
    value = load(tmp_path, f"v: {text}\n").data["v"]
    assert isinstance(value, float)
    if sign == 0:
        assert math.isnan(value)
    else:
        assert value == sign * math.inf


def test_leading_zero_is_an_error(tmp_path: Path) -> None:
    p = only_problem(tmp_path, "team:\n  count: 0123\n")
    assert_problem(
        p, 2, 10, "ambiguous number '0123' (leading zero); write 123 or quote it", "team.count"
    )


@pytest.mark.parametrize("text", ["0x1F", "0o17", "0b101"])
def test_hex_octal_binary_are_errors(tmp_path: Path, text: str) -> None:
    p = only_problem(tmp_path, f"a: {text}\n")
    assert_problem(p, 1, 4, "not supported", "a")


def test_underscore_number_is_an_error(tmp_path: Path) -> None:
    p = only_problem(tmp_path, "budget: 1_000\n")
    assert_problem(p, 1, 9, "write 1000 or quote it", "budget")


def test_overflowing_float_is_an_error(tmp_path: Path) -> None:
    p = only_problem(tmp_path, "a: 1e999\n")
    assert_problem(p, 1, 4, "too large", "a")


def test_explicit_standard_tags_are_checked(tmp_path: Path) -> None:
    assert load(tmp_path, "a: !!int '12'\nb: !!str 0123\n").data == {"a": 12, "b": "0123"}
    p = only_problem(tmp_path, "a: !!bool yes\n")
    assert_problem(p, 1, 4, "'yes' is not true or false", "a")


# --------------------------------------------------------------------------
# File-level problems
# --------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_yaml_file(tmp_path / "nope.yaml")
    assert str(info.value) == f"{tmp_path / 'nope.yaml'}:1:1: error: <file>: file not found"


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_yaml_file(tmp_path)
    assert_problem(info.value.problems[0], 1, 1, "folder")


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "a: 1\n")

    def deny(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(yaml_reader, "open", deny, raising=False)
    with pytest.raises(ScenarioError) as info:
        load_yaml_file(path)
    assert_problem(info.value.problems[0], 1, 1, "permission denied")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root can read any file",
)
def test_unreadable_file_chmod(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\n")
    path.chmod(0)
    try:
        with pytest.raises(ScenarioError) as info:
            load_yaml_file(path)
        assert "permission denied" in info.value.problems[0].message
    finally:
        path.chmod(0o644)


def test_file_too_large(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\nb: 2\nc: 3\n")
    with pytest.raises(ScenarioError) as info:
        load_yaml_file(path, max_bytes=10)
    assert_problem(info.value.problems[0], 1, 1, "too large")
    assert load_yaml_file(path, max_bytes=15).data == {"a": 1, "b": 2, "c": 3}


def test_not_utf8(tmp_path: Path) -> None:
    p = only_problem(tmp_path, b"a: 1\nname: caf\xe9\n")
    assert_problem(p, 2, 10, "not UTF-8")


def test_control_character(tmp_path: Path) -> None:
    p = only_problem(tmp_path, "a: 1\nb: x\x00y\n")
    assert_problem(p, 2, 5, "special character")
    p = only_problem(tmp_path, "a: 1\r\nb: 2\rc: \x07\n")
    assert_problem(p, 3, 4, "special character")


def test_not_utf8_after_crlf_and_multibyte(tmp_path: Path) -> None:
    p = only_problem(tmp_path, "a: 1\r\nb: \u00e9\u00e9 ".encode() + b"\xff\n")
    assert_problem(p, 2, 7, "not UTF-8")


def test_huge_integer_literal(tmp_path: Path) -> None:
    p = only_problem(tmp_path, "a: " + "9" * 5000 + "\n")
    assert_problem(p, 1, 4, "too long", "a")


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n  # another\n", "---\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    p = only_problem(tmp_path, text)
    assert_problem(p, 1, 1, "empty")


def test_several_documents(tmp_path: Path) -> None:
    p = only_problem(tmp_path, "a: 1\n---\nb: 2\n")
    assert_problem(p, 2, 1, "several YAML documents")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("- a\n- b\n", "not a list"), ("just text\n", "not a single value"), ("42\n", "single")],
)
def test_top_level_must_be_mapping(tmp_path: Path, text: str, fragment: str) -> None:
    p = only_problem(tmp_path, text)
    assert_problem(p, 1, 1, fragment)


# --------------------------------------------------------------------------
# Syntax errors
# --------------------------------------------------------------------------


def test_tab_indentation(tmp_path: Path) -> None:
    p = only_problem(tmp_path, "team:\n\trecruiters: 3\n")
    assert_problem(p, 2, 1, "YAML syntax: found a tab character where indentation is expected")


def test_unterminated_quote(tmp_path: Path) -> None:
    p = only_problem(tmp_path, 'name: "abc\nother: 1\n')
    assert_problem(p, 3, 1, "YAML syntax: a quote opened at line 1, column 7 is never closed")


def test_bad_indentation(tmp_path: Path) -> None:
    p = only_problem(tmp_path, "team:\n    a: 1\n  b: 2\n")
    assert_problem(p, 3, 3, "YAML syntax: the indentation of this line does not match")


def test_colon_inside_value(tmp_path: Path) -> None:
    p = only_problem(tmp_path, "title: Hiring: 2025\n")
    assert_problem(p, 1, 14, "YAML syntax: unexpected ':'")


def test_missing_colon(tmp_path: Path) -> None:
    p = only_problem(tmp_path, "a: 1\nb\nc: 2\n")
    assert_problem(p, 3, 1, "missing its ':'")


def test_unclosed_flow_list(tmp_path: Path) -> None:
    p = only_problem(tmp_path, "a: [1, 2\nb: 3\n")
    assert_problem(p, 2, 2, "the '[' opened at line 1, column 4 is not closed")


# --------------------------------------------------------------------------
# Semantic YAML problems
# --------------------------------------------------------------------------


def test_duplicate_key(tmp_path: Path) -> None:
    p = only_problem(tmp_path, "team:\n  count: 1\n  other: 2\n  count: 3\n")
    assert_problem(p, 4, 3, "duplicate key 'count' (first at line 2)", "team.count")


def test_duplicate_top_level_key_in_list_item(tmp_path: Path) -> None:
    p = only_problem(tmp_path, "profiles:\n  - name: a\n    name: b\n")
    assert_problem(p, 3, 5, "duplicate key 'name' (first at line 2)", "profiles[0].name")


def test_python_tag_refused_and_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f'a: !!python/object/apply:os.system ["touch {marker}"]\n'
    p = only_problem(tmp_path, text)
    assert_problem(p, 1, 4, "unsupported tag '!!python/object/apply:os.system'", "a")
    assert not marker.exists()


@pytest.mark.parametrize("tag", ["!custom", "!!timestamp", "!!binary", "!!set"])
def test_other_tags_refused(tmp_path: Path, tag: str) -> None:
    p = only_problem(tmp_path, f"x: 1\ny: {tag} 2020-01-01\n")
    assert_problem(p, 2, 4, "unsupported tag", "y")


def test_anchor_and_alias_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load(tmp_path, "base: &b {count: 1}\nother: *b\n")
    problems = info.value.problems
    assert [(p.line, p.col) for p in problems] == [(1, 7), (2, 8)]
    assert all("anchors and aliases are not supported" in p.message for p in problems)


def test_billion_laughs_is_fast_and_small(tmp_path: Path) -> None:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    path = write(tmp_path, "\n".join(lines) + "\n")
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ScenarioError) as info:
            load_yaml_file(path)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 5_000_000
    assert "anchors and aliases are not supported" in str(info.value)
    assert str(info.value).splitlines()[-1].startswith("... and ")


def test_non_string_keys(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load(tmp_path, "1: a\ntrue: b\nok: c\n? [x]\n: d\n")
    problems = info.value.problems
    assert [(p.line, p.col) for p in problems] == [(1, 1), (2, 1), (4, 3)]
    assert "key 1 must be text" in problems[0].message
    assert "key true must be text" in problems[1].message
    assert "not a list" in problems[2].message


def test_too_deeply_nested(tmp_path: Path) -> None:
    p = only_problem(tmp_path, "a: " + "[" * 100 + "]" * 100 + "\n")
    assert p.line == 1 and "nested more than" in p.message


def test_several_problems_sorted(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load(tmp_path, "a: 0x10\nb: 1\nb: 2\nc: !foo x\n")
    assert [(p.line, p.col) for p in info.value.problems] == [(1, 4), (3, 1), (4, 4)]


# --------------------------------------------------------------------------
# pydantic errors -> problems
# --------------------------------------------------------------------------

STRICT = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class Recruiters(BaseModel):
    model_config = STRICT
    count: int
    probability: float = Field(0.5, ge=0, le=1)


class Team(BaseModel):
    model_config = STRICT
    recruiters: Recruiters
    screen_rate: float = 0.5
    max_reqs: int | Literal["unlimited"] = "unlimited"


class FixedDelay(BaseModel):
    model_config = STRICT
    kind: Literal["fixed"]
    days: float


class LognormalDelay(BaseModel):
    model_config = STRICT
    kind: Literal["lognormal"]
    median_days: float
    sigma: float


class Profile(BaseModel):
    model_config = STRICT
    name: str
    delay: Annotated[FixedDelay | LognormalDelay, Field(discriminator="kind")] | None = None


class Scenario(BaseModel):
    model_config = STRICT
    team: Team
    profiles: list[Profile] = []
    pools: dict[str, Recruiters] = {}
    seed: int | None = None


VALID = """\
team:
  recruiters:
    count: 3
    probability: 0.25
profiles:
  - name: senior
    delay: {kind: fixed, days: 2}
"""


def validation_problems(tmp_path: Path, text: str, model: type[BaseModel] | None = Scenario):
    doc = load(tmp_path, text)
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(doc.data)
    problems = problems_from_validation_error(info.value, doc, model)
    for p in problems:
        line = str(p)
        assert LINE_RE.match(line) and "\n" not in line, line
        assert "https://" not in line and "Value error" not in line
    return problems


def the_problem(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_valid_scenario_validates(tmp_path: Path) -> None:
    scenario = validate_document(load(tmp_path, VALID), Scenario)
    assert scenario.team.recruiters.count == 3


def test_unknown_key_with_hint(tmp_path: Path) -> None:
    text = VALID.replace("probability: 0.25", "probabilty: 0.25")
    p = the_problem(validation_problems(tmp_path, text))
    assert_problem(
        p,
        4,
        5,
        "unknown key 'probabilty'; did you mean 'probability'?",
        "team.recruiters.probabilty",
    )


def test_unknown_key_without_model_has_no_hint(tmp_path: Path) -> None:
    text = VALID.replace("probability: 0.25", "probabilty: 0.25")
    p = the_problem(validation_problems(tmp_path, text, model=None))
    assert p.message == "unknown key 'probabilty'"


def test_unknown_key_inside_list_and_union(tmp_path: Path) -> None:
    text = VALID.replace("{kind: fixed, days: 2}", "{kind: fixed, days: 2, dayz: 3}")
    p = the_problem(validation_problems(tmp_path, text))
    # the union tag 'fixed' from pydantic's loc is not part of the path
    assert_problem(p, 7, 35, "unknown key 'dayz'; did you mean 'days'?", "profiles[0].delay.dayz")


def test_unknown_key_inside_dict_values(tmp_path: Path) -> None:
    problems = validation_problems(tmp_path, VALID + "pools:\n  east:\n    cuont: 2\n")
    assert [(p.line, p.col, p.path, p.message) for p in problems] == [
        (9, 3, "pools.east", "missing required field 'count'"),
        (10, 5, "pools.east.cuont", "unknown key 'cuont'; did you mean 'count'?"),
    ]


def test_unknown_top_level_key_hint(tmp_path: Path) -> None:
    p = the_problem(validation_problems(tmp_path, VALID + "sead: 4\n"))
    assert_problem(p, 8, 1, "unknown key 'sead'; did you mean 'seed'?", "sead")


def test_missing_field(tmp_path: Path) -> None:
    text = VALID.replace("    count: 3\n", "")
    p = the_problem(validation_problems(tmp_path, text))
    assert_problem(p, 2, 3, "missing required field 'count'", "team.recruiters")


def test_missing_field_in_union_member(tmp_path: Path) -> None:
    text = VALID.replace("{kind: fixed, days: 2}", "{kind: fixed}")
    p = the_problem(validation_problems(tmp_path, text))
    assert_problem(p, 7, 5, "missing required field 'days'", "profiles[0].delay")


def test_missing_top_level_field(tmp_path: Path) -> None:
    p = the_problem(validation_problems(tmp_path, "seed: 1\n"))
    assert_problem(p, 1, 1, "missing required field 'team'", "")
    assert str(p).endswith(":1:1: error: <file>: missing required field 'team'")


def test_wrong_type_word_for_int(tmp_path: Path) -> None:
    p = the_problem(validation_problems(tmp_path, VALID.replace("count: 3", "count: three")))
    assert_problem(p, 3, 5, "valid integer", "team.recruiters.count")
    assert "'three'" in p.message


def test_probability_above_one(tmp_path: Path) -> None:
    text = VALID.replace("probability: 0.25", "probability: 1.5")
    p = the_problem(validation_problems(tmp_path, text))
    assert_problem(p, 4, 5, "less than or equal to 1", "team.recruiters.probability")


def test_percent_hint(tmp_path: Path) -> None:
    text = VALID.replace("probability: 0.25", "probability: 50%")
    p = the_problem(validation_problems(tmp_path, text))
    assert_problem(p, 4, 5, "write 0.5 for 50%", "team.recruiters.probability")


def test_nan_rejected(tmp_path: Path) -> None:
    text = VALID.replace("probability: 0.25", "probability: .nan")
    p = the_problem(validation_problems(tmp_path, text))
    assert_problem(p, 4, 5, "finite number", "team.recruiters.probability")


def test_bool_for_int_rejected_in_strict_mode(tmp_path: Path) -> None:
    p = the_problem(validation_problems(tmp_path, VALID.replace("count: 3", "count: true")))
    assert_problem(p, 3, 5, "valid integer", "team.recruiters.count")
    assert "(got true)" in p.message


def test_quoted_number_for_int(tmp_path: Path) -> None:
    p = the_problem(validation_problems(tmp_path, VALID.replace("count: 3", 'count: "3"')))
    assert_problem(p, 3, 5, "valid integer", "team.recruiters.count")
    assert "without quotes" in p.message


def test_plain_union_errors_are_merged(tmp_path: Path) -> None:
    text = VALID.replace("team:\n", "team:\n  max_reqs: lots\n")
    p = the_problem(validation_problems(tmp_path, text))
    assert_problem(
        p, 2, 3, "Input should be a valid integer or 'unlimited' (got 'lots')", "team.max_reqs"
    )


def test_discriminator_problems(tmp_path: Path) -> None:
    text = VALID.replace("{kind: fixed, days: 2}", "{kind: gamma, days: 2}")
    p = the_problem(validation_problems(tmp_path, text))
    assert_problem(p, 7, 13, "'gamma' is not one of 'fixed', 'lognormal'", "profiles[0].delay.kind")
    text = VALID.replace("{kind: fixed, days: 2}", "{days: 2}")
    p = the_problem(validation_problems(tmp_path, text))
    assert_problem(p, 7, 5, "missing required field 'kind'", "profiles[0].delay")


def test_value_error_prefix_is_stripped(tmp_path: Path) -> None:
    from pydantic import field_validator

    class Named(BaseModel):
        model_config = STRICT
        name: str

        @field_validator("name")
        @classmethod
        def not_blank(cls, value: str) -> str:
            if not value.strip():
                raise ValueError("name must not be blank")
            return value

    doc = load(tmp_path, "name: '  '\n")
    with pytest.raises(ScenarioError) as info:
        validate_document(doc, Named)
    assert str(info.value).endswith(":1:1: error: name: name must not be blank")


def test_many_validation_problems_one_line_each(tmp_path: Path) -> None:
    items = "".join(f"  - nam: p{i}\n" for i in range(12))
    doc = load(tmp_path, "team: {recruiters: {count: 1}}\nprofiles:\n" + items)
    with pytest.raises(ScenarioError) as info:
        validate_document(doc, Scenario)
    lines = str(info.value).splitlines()
    assert len(lines) == 11
    assert lines[-1] == "... and 14 more problems"
    assert all(LINE_RE.match(line) for line in lines[:-1])


# --------------------------------------------------------------------------
# Fuzzing: any mutation gives a document or a ScenarioError, nothing else
# --------------------------------------------------------------------------

SEED_TEXT = VALID + "pools:\n  east: {count: 2}\nseed: 7\nnote: 'it''s \"fine\"'\n"
SPECIAL = list(":-?[]{},#&*!|>'\"%@`\t\n\r ~.0123456789_xe\x00\x85\u2028\ufeff")


def check_outcome(path: Path) -> None:
    try:
        doc = load_yaml_file(path)
    except ScenarioError as err:
        assert err.problems
        lines = str(err).splitlines()
        for line in lines[:10]:
            assert LINE_RE.match(line), line
        for p in err.problems:
            assert p.line >= 1 and p.col >= 1
    else:
        assert isinstance(doc, YamlDocument)
        assert isinstance(doc.data, dict)
        assert all(line >= 1 and col >= 1 for line, col in doc.positions.values())


text_mutation = st.tuples(
    st.sampled_from(["insert", "delete", "replace"]),
    st.integers(min_value=0, max_value=len(SEED_TEXT)),
    st.one_of(st.sampled_from(SPECIAL), st.text(max_size=4)),
)


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(text_mutation, min_size=1, max_size=6))
def test_fuzz_text_mutations(tmp_path: Path, mutations: list[tuple[str, int, str]]) -> None:
    text = SEED_TEXT
    for op, index, payload in mutations:
        index = min(index, len(text))
        if op == "insert":
            text = text[:index] + payload + text[index:]
        elif op == "delete":
            text = text[:index] + text[index + len(payload) + 1 :]
        else:
            text = text[:index] + payload + text[index + len(payload) :]
    check_outcome(write(tmp_path, text.encode("utf-8", errors="surrogatepass"), "fuzz.yaml"))


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=len(SEED_TEXT)), st.binary(max_size=3)),
        min_size=1,
        max_size=4,
    )
)
def test_fuzz_byte_mutations(tmp_path: Path, mutations: list[tuple[int, bytes]]) -> None:
    data = bytearray(SEED_TEXT.encode("utf-8"))
    for index, payload in mutations:
        data[index : index + len(payload)] = payload
    check_outcome(write(tmp_path, bytes(data), "fuzz.yaml"))


# ------------------------------------------------------------------ extends + distributions

REPO_SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def test_extends_replaces_a_distribution_whole(tmp_path: Path) -> None:
    """Changing a parent's lognormal (median, p90) to an exponential keeps nothing of it."""
    from hiresim.distributions import Exponential, Lognormal
    from hiresim.scenario_files import load_scenario

    child = write(tmp_path, f"extends: {REPO_SCENARIOS / 'split.yaml'}\nname: child\n"
                            "candidates:\n  patience_days: {dist: exponential, mean: 25}\n")
    sc = load_scenario(child)
    assert isinstance(sc.candidates.patience_days, Exponential)
    assert sc.candidates.patience_days.mean == 25
    parent = load_scenario(REPO_SCENARIOS / "split.yaml")
    assert isinstance(parent.candidates.patience_days, Lognormal)
    # other keys of the same mapping still merge: offer_response_days comes from the parent
    assert sc.candidates.offer_response_days == parent.candidates.offer_response_days


def test_no_hint_that_repeats_the_unknown_key(tmp_path: Path) -> None:
    from hiresim.scenario_files import load_scenario

    path = write(tmp_path, f"extends: {REPO_SCENARIOS / 'split.yaml'}\nname: child\n"
                           "candidates:\n  patience_days: {dist: exponential, mean: 25, "
                           "median: 3}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    [problem] = info.value.problems
    assert problem.path == "candidates.patience_days.median"
    assert "unknown key 'median'" in problem.message
    assert "did you mean 'median'" not in problem.message
