"""Hostile and mistaken input, end to end through the ``hiresim`` command line.

Every bad scenario file or flag gets one clear line on stderr, exit status 2, nothing on
stdout, and nothing is written: no output folder, no file touched. The scenario fixtures
live in ``tests/fixtures/hostile/``; each is a small change of ``valid.yaml`` and says in
its first line what is wrong with it. (The loader's own unit tests are in
``test_scenario_yaml.py``; these tests only drive the CLI.)

The commands run in-process through click's ``CliRunner`` from a private copy of the
fixture folder, so that relative file names in the messages are predictable and any
stray write (or executed shell command) would show up as a changed folder.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hiresim import yaml_reader
from hiresim.cli import main
from hiresim.scenario_problems import ScenarioError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hostile"

#: FILE:LINE:COL: error: dotted.path: message  (line and column 1-based)
PROBLEM_RE = re.compile(
    r"^(?P<file>[^\n]+?):(?P<line>[1-9][0-9]*):(?P<col>[1-9][0-9]*): error: "
    r"(?P<path>\S[^\n]*?): (?P<message>\S[^\n]*)$"
)
MORE_RE = re.compile(r"^\.\.\. and [1-9][0-9]* more problems?$")
#: A bad flag's one line: "error: --workers: -1 is not in the range x>=1."
FLAG_ERROR_RE = re.compile(r"^error: \S.*$")
#: Fast settings for any command that would simulate by accident.
QUICK = ["-n", "2", "--workers", "1", "--quiet"]


def _runner() -> CliRunner:
    """A CliRunner that keeps stderr apart from stdout (click < 8.2 needs mix_stderr)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:  # click >= 8.2: stdout and stderr are always separate
        return CliRunner()


def invoke(args: list[str]) -> Result:
    return _runner().invoke(main, args, catch_exceptions=True)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder below ``folder`` with its size and mtime (to detect writes)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        st_ = p.stat()
        out[str(p.relative_to(folder))] = (st_.st_size if p.is_file() else -1, st_.st_mtime_ns)
    return out


@pytest.fixture()
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the fixtures, made the current folder."""
    here = tmp_path / "scenarios"
    shutil.copytree(FIXTURES, here)
    monkeypatch.chdir(here)
    return here


def assert_no_traceback(result: Result) -> None:
    text = result.stdout + result.stderr
    assert "Traceback" not in text, text
    assert "errors.pydantic.dev" not in text and "pydantic_core" not in text, text
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)


def assert_one_problem(result: Result, file: str, line: int, col: int, path: str,
                       fragment: str) -> None:
    """Exit 2, empty stdout and exactly one FILE:LINE:COL line on stderr."""
    assert_no_traceback(result)
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == "", result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    match = PROBLEM_RE.match(lines[0])
    assert match, lines[0]
    got = (match["file"], int(match["line"]), int(match["col"]), match["path"])
    assert got == (file, line, col, path), lines[0]
    assert fragment in match["message"], lines[0]


# --------------------------------------------------------------------------------------
# One fixture per bad scenario: expected FILE:LINE:COL, dotted path and a message fragment
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    fixture: str
    line: int
    col: int
    path: str
    fragment: str
    file: str | None = None  # the file the problem is reported in, if not ``fixture``

    def __str__(self) -> str:
        return self.fixture.removesuffix(".yaml")


CASES = [
    # YAML syntax
    Case("syntax_tab_indent.yaml", 5, 1, "<file>",
         "YAML syntax: found a tab character where indentation is expected"),
    Case("syntax_unterminated_quote.yaml", 14, 1, "<file>",
         "YAML syntax: a quote opened at line 2, column 7 is never closed"),
    Case("syntax_bad_indent.yaml", 5, 3, "<file>",
         "YAML syntax: the indentation of this line does not match the lines above it"),
    # keys
    Case("duplicate_key.yaml", 6, 3, "simulation.horizon_days",
         "duplicate key 'horizon_days' (first at line 4)"),
    Case("unknown_key_hint.yaml", 5, 3, "simulation.replicatons",
         "unknown key 'replicatons'; did you mean 'replications'?"),
    Case("unknown_key_no_hint.yaml", 14, 1, "colour", "unknown key 'colour'"),
    Case("missing_required.yaml", 11, 5, "profiles[0]", "missing required field 'openings'"),
    # wrong values
    Case("wrong_type_count_three.yaml", 13, 7, "profiles[0].openings.count",
         "Input should be a valid integer (got 'three')"),
    Case("count_zero.yaml", 13, 7, "profiles[0].openings.count",
         "greater than or equal to 1 (got 0)"),
    Case("count_negative.yaml", 9, 5, "team.recruiters.count", "(got -2)"),
    Case("recruiters_zero.yaml", 9, 5, "team.recruiters.count",
         "the team needs at least one recruiter (count >= 1)"),
    Case("probability_above_one.yaml", 12, 5, "profiles[0].screen_pass_rate",
         "less than or equal to 1 (got 1.5)"),
    Case("probability_below_zero.yaml", 12, 5, "profiles[0].offer_acceptance",
         "greater than or equal to 0 (got -0.1)"),
    Case("probability_percent.yaml", 12, 5, "profiles[0].screen_pass_rate",
         "write 0.5 for 50%"),
    Case("value_nan.yaml", 12, 5, "profiles[0].screen_pass_rate",
         "Input should be a finite number (got .nan)"),
    Case("value_inf.yaml", 4, 3, "simulation.horizon_days",
         "Input should be a finite number (got .inf)"),
    # YAML 1.1 surprises are never silently read as something else
    Case("yaml11_no.yaml", 12, 15, "profiles[0].inbound.reviewed",
         "Input should be a valid boolean (got 'no')"),
    Case("yaml11_octal.yaml", 13, 14, "profiles[0].openings.count",
         "ambiguous number '0123' (leading zero); write 123 or quote it"),
    Case("yaml11_sexagesimal.yaml", 4, 3, "simulation.horizon_days", "(got '12:30')"),
    # strict numbers
    Case("strict_true_is_not_1.yaml", 13, 7, "profiles[0].openings.count",
         "Input should be a valid integer (got true)"),
    Case("strict_quoted_number.yaml", 13, 7, "profiles[0].openings.count",
         "got the quoted text '3'; write 3 without quotes"),
    # document shape
    Case("empty.yaml", 1, 1, "<file>", "the file is empty"),
    Case("top_level_list.yaml", 2, 1, "<file>",
         "the top level must be 'key: value' lines, not a list"),
    Case("top_level_scalar.yaml", 2, 1, "<file>",
         "the top level must be 'key: value' lines, not a single value ('just some text')"),
    Case("several_documents.yaml", 14, 1, "<file>", "several YAML documents in one file"),
    # hostile YAML / bytes
    Case("python_tag.yaml", 2, 7, "name",
         "unsupported tag '!!python/object/apply:os.system'; remove it"),
    Case("not_utf8.yaml", 2, 10, "<file>", "file is not UTF-8 text (byte 0xe9)"),
    # cross-field checks, at the offending key
    Case("warmup_longer_than_horizon.yaml", 5, 3, "simulation.warmup_days",
         "warmup_days (90) must be shorter than horizon_days (60)"),
    Case("split_without_sourcers.yaml", 7, 3, "team.structure",
         "a split team needs a 'sourcers' section"),
    Case("reply_shares_do_not_sum_to_one.yaml", 15, 3, "outreach.reply_share_by_touch",
         "must sum to 1 (it sums to 0.9)"),
    Case("sweep_unknown_path.yaml", 15, 3, 'sweep["team.recruiter.count"]',
         "unknown setting 'team.recruiter.count'"),
    # runs that could make no progress are refused up front
    Case("no_interviewers.yaml", 12, 20, "profiles[0].interviewers.count",
         "no candidate could ever be interviewed, so the run could make no progress"),
    Case("no_candidates.yaml", 12, 15, "profiles[0].inbound.applications_per_week",
         "so the run could make no progress"),
    # extends: the problem points into the file that holds the bad line
    Case("extends_child_bad.yaml", 6, 5, "team.recruiters.count", "(got 'three')"),
    Case("extends_child_of_bad.yaml", 12, 5, "profiles[0].screen_pass_rate",
         "less than or equal to 1 (got 1.5)", file="extends_parent_bad.yaml"),
    Case("extends_missing_parent.yaml", 2, 1, "extends",
         "parent file not found: no_such_base.yaml"),
]


def command_line(command: str, fixture: str, out: Path) -> list[str]:
    """The arguments of ``command`` reading ``fixture`` and writing to ``out``."""
    if command == "validate":
        return ["validate", fixture]
    if command == "compare":  # the bad file first, then a good one
        return ["compare", fixture, "valid.yaml", *QUICK, "--out", str(out)]
    return [command, fixture, *QUICK, "--out", str(out)]


COMMANDS = ["validate", "run", "compare", "sweep"]


def test_every_fixture_has_a_case() -> None:
    helpers = {"valid.yaml", "rich_valid.yaml", "extends_base.yaml",
               "extends_parent_bad.yaml", "saturated.yaml", "billion_laughs.yaml",
               "sweep_bad_value.yaml", "same_name_as_valid.yaml"}
    covered = {c.fixture for c in CASES} | helpers
    assert {p.name for p in FIXTURES.iterdir()} == covered


@pytest.mark.parametrize("valid", ["valid.yaml", "rich_valid.yaml", "extends_base.yaml",
                                   "saturated.yaml", "same_name_as_valid.yaml"])
def test_valid_fixtures_validate(work: Path, valid: str) -> None:
    result = invoke(["validate", valid])
    assert_no_traceback(result)
    assert result.exit_code == 0, result.stderr
    # valid: no error lines; one-line assumption warnings (e.g. salaries 0) may follow
    assert all(line.startswith("warning: ") for line in result.stderr.splitlines()), \
        result.stderr
    assert result.stdout.startswith(f"{valid}: ok (")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_scenario_one_line_nothing_written(work: Path, case: Case, command: str) -> None:
    out = work.parent / "out"
    before = snapshot(work.parent)
    result = invoke(command_line(command, case.fixture, out))
    assert_one_problem(result, case.file or case.fixture, case.line, case.col, case.path,
                       case.fragment)
    assert not out.exists()
    assert snapshot(work.parent) == before  # nothing written, nothing executed


@pytest.mark.parametrize("command", ["validate", "sweep"])
def test_bad_sweep_value_points_at_the_sweep_line(work: Path, command: str) -> None:
    """``sweep: {team.recruiters.count: [1, three]}``: the bad value is on line 15 (the item
    at column 30, its key at column 3), not on line 9 where ``count: 1`` is fine."""
    out = work.parent / "out"
    result = invoke(command_line(command, "sweep_bad_value.yaml", out))
    assert_no_traceback(result)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    match = PROBLEM_RE.match(lines[0])
    assert match, lines[0]
    assert (match["file"], match["line"]) == ("sweep_bad_value.yaml", "15"), lines[0]
    assert match["col"] in ("3", "30"), lines[0]
    assert match["path"].startswith("sweep"), lines[0]
    assert "'three'" in match["message"], lines[0]
    assert not out.exists()


def test_python_tag_is_never_executed(work: Path) -> None:
    # The fixture's tag would run "touch hostile-pwned" in the current folder.
    for command in COMMANDS:
        invoke(command_line(command, "python_tag.yaml", work.parent / "out"))
    assert not (work / "hostile-pwned").exists()
    assert not list(work.parent.rglob("hostile-pwned"))


# --------------------------------------------------------------------------------------
# Bombs, huge files, missing / unreadable files
# --------------------------------------------------------------------------------------


def test_billion_laughs_refused_with_small_memory(work: Path) -> None:
    tracemalloc.start()
    try:
        result = invoke(["validate", "billion_laughs.yaml"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000, peak
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert 2 <= len(lines) <= 11, lines  # at most 10 problems, then a count of the rest
    assert lines[0] == ("billion_laughs.yaml:3:7: error: <file>: anchors and aliases are not "
                        "supported (found '&a0')")
    assert all(PROBLEM_RE.match(line) for line in lines[:-1]), lines
    assert MORE_RE.match(lines[-1]), lines[-1]


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_billion_laughs_refused_by_commands(work: Path, command: str) -> None:
    out = work.parent / "out"
    result = invoke(command_line(command, "billion_laughs.yaml", out))
    assert_no_traceback(result)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("billion_laughs.yaml:3:7: error: <file>: anchors and ")
    assert not out.exists()


def test_file_over_size_limit(work: Path) -> None:
    big = work / "big.yaml"
    valid = (work / "valid.yaml").read_text()
    padding = "# " + "x" * 98 + "\n"
    big.write_text(valid + padding * 12_000)  # about 1.2 MB: over the 1 MB limit
    size = big.stat().st_size
    tracemalloc.start()
    try:
        result = invoke(["validate", "big.yaml"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000, peak
    assert_one_problem(result, "big.yaml", 1, 1, "<file>",
                       f"file is too large ({size} bytes; the limit is 1000000 bytes)")


def test_missing_file(work: Path) -> None:
    out = work.parent / "out"
    for command in COMMANDS:
        result = invoke(command_line(command, "no_such_file.yaml", out))
        assert_one_problem(result, "no_such_file.yaml", 1, 1, "<file>", "file not found")
        assert not out.exists()


def test_directory(work: Path) -> None:
    (work / "a_folder").mkdir()
    out = work.parent / "out"
    for command in COMMANDS:
        result = invoke(command_line(command, "a_folder", out))
        assert_one_problem(result, "a_folder", 1, 1, "<file>",
                           "this is a folder, not a scenario file")
        assert not out.exists()


def test_unreadable_file(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # We run as root, where chmod does not stop reading: make open() refuse this file.
    target = (work / "valid.yaml").resolve()
    real_open = open

    def guarded_open(file, *args, **kwargs):
        if Path(file).resolve() == target:
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(yaml_reader, "open", guarded_open, raising=False)
    out = work.parent / "out"
    for command in ("validate", "run", "sweep"):
        result = invoke(command_line(command, "valid.yaml", out))
        assert_one_problem(result, "valid.yaml", 1, 1, "<file>",
                           "cannot read the file: permission denied")
        assert not out.exists()


# --------------------------------------------------------------------------------------
# --debug
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_debug_lets_the_exception_through(work: Path, command: str) -> None:
    """With --debug the ScenarioError is not turned into exit 2: Python prints it whole."""
    out = work.parent / "out"
    result = invoke([*command_line(command, "probability_above_one.yaml", out), "--debug"])
    assert isinstance(result.exception, ScenarioError), repr(result.exception)
    assert "probability_above_one.yaml:12:5" in str(result.exception)
    assert not out.exists()


def test_debug_shows_the_traceback() -> None:
    """The real ``hiresim`` program (not CliRunner): --debug prints the full traceback."""
    exe = Path(sys.executable).with_name("hiresim")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "hiresim"]
    fixture = "probability_above_one.yaml"
    debug = subprocess.run([*cmd, "validate", "--debug", fixture], cwd=FIXTURES,
                           capture_output=True, text=True, timeout=120)
    assert debug.returncode != 0
    assert debug.stdout == ""
    assert "Traceback (most recent call last)" in debug.stderr
    assert "ScenarioError" in debug.stderr
    assert f"{fixture}:12:5: error: profiles[0].screen_pass_rate" in debug.stderr


# --------------------------------------------------------------------------------------
# Bad flags and values: exit 2 with one line that names the flag, nothing written
# --------------------------------------------------------------------------------------


FLAG_CASES = [
    (["run", "valid.yaml", "-n", "0"], "--replications: 0 is not in the range"),
    (["run", "valid.yaml", "--workers", "-1"], "--workers: -1 is not in the range"),
    (["compare", "valid.yaml", "valid.yaml", "-n", "0"],
     "--replications: 0 is not in the range"),
    (["sweep", "valid.yaml", "--workers", "-1"], "--workers: -1 is not in the range"),
    (["run", "valid.yaml", "--set", "team.recruiter.count=2"],
     "unknown setting 'team.recruiter.count'"),
    (["validate", "valid.yaml", "--set", "team.recruiter.count=2"],
     "did you mean 'recruiters'?"),
    (["compare", "valid.yaml", "valid.yaml", "--set", "profiles[0].opening.count=2"],
     "unknown setting 'profiles[0].opening.count'"),
    (["sweep", "valid.yaml", "--vary", "team.recruiter.count=1,2"],
     "unknown setting 'team.recruiter.count'"),
    (["run", "valid.yaml", "--set", "no equals sign"], "write PATH=VALUE"),
    (["run", "valid.yaml", "--goal", "fill_rate>=lots"], "--goal: cannot read goal"),
    (["run", "valid.yaml", "--goal", "time to fill under 60 days"],
     "--goal: cannot read goal"),
    (["sweep", "valid.yaml", "--goal", "p80<<60"], "--goal: cannot read goal"),
    (["run", "valid.yaml", "--goal", "speed>=3"], "unknown metric 'speed'"),
    (["compare", "valid.yaml", "valid.yaml", "--goal", "speed>=3"], "unknown metric 'speed'"),
]


@pytest.mark.parametrize(("args", "fragment"), FLAG_CASES, ids=lambda v: " ".join(v)
                         if isinstance(v, list) else None)
def test_bad_flag_usage_error(work: Path, args: list[str], fragment: str) -> None:
    out = work.parent / "out"
    full = [*args, *(["--out", str(out)] if args[0] != "validate" else [])]
    result = invoke(full)
    assert_no_traceback(result)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert FLAG_ERROR_RE.match(line), line
    assert fragment in line, line
    assert not out.exists()


@pytest.mark.parametrize("command", ["validate", "run"])
def test_bad_set_value_is_blamed_on_the_flag(work: Path, command: str) -> None:
    """``--set team.recruiters.count=three``: the file's line 9 says ``count: 1`` and is
    fine, so the error must name --set rather than point at that line of the file."""
    out = work.parent / "out"
    args = [command, "valid.yaml", "--set", "team.recruiters.count=three"]
    if command == "run":
        args += [*QUICK, "--out", str(out)]
    result = invoke(args)
    assert_no_traceback(result)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--set" in result.stderr, result.stderr
    assert not out.exists()


# --------------------------------------------------------------------------------------
# Output folders
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_non_empty_out_folder_needs_force(work: Path, command: str) -> None:
    out = work.parent / "out"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    before = snapshot(work.parent)
    result = invoke(command_line(command, "valid.yaml", out))
    assert_no_traceback(result)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and str(out) in lines[0], lines
    assert "use --force" in lines[0], lines
    assert snapshot(work.parent) == before
    assert (out / "keep.txt").read_text() == "precious"


def test_compare_same_names_lose_no_results(work: Path) -> None:
    """Two files whose scenarios are both named 'tiny': compare --out must keep both
    results (or refuse up front), never let the second silently replace the first."""
    out = work.parent / "out"
    result = invoke(["compare", "valid.yaml", "same_name_as_valid.yaml", *QUICK,
                     "--out", str(out)])
    assert_no_traceback(result)
    assert result.exit_code in (0, 2), result.stderr
    if result.exit_code == 2:
        assert result.stdout == "" and len(result.stderr.splitlines()) == 1, result.stderr
        assert not out.exists()
        return
    saved = [yaml.safe_load(p.read_text()) for p in out.glob("*/scenario.yaml")]
    assert len(saved) == 2, sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert sorted(s["team"]["recruiters"]["count"] for s in saved) == [1, 2]


def test_force_replaces_only_a_folder_hiresim_wrote(work: Path) -> None:
    out = work.parent / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old")
    refused = invoke(["run", "valid.yaml", *QUICK, "--out", str(out), "--force"])
    assert_no_traceback(refused)
    assert refused.exit_code == 2 and "not a hiresim result folder" in refused.stderr
    assert (out / "keep.txt").read_text() == "old"
    (out / "keep.txt").unlink()
    first = invoke(["run", "valid.yaml", *QUICK, "--out", str(out)])
    assert first.exit_code == 0, first.stderr
    (out / "extra.txt").write_text("made by the run's owner")
    again = invoke(["run", "valid.yaml", *QUICK, "--out", str(out), "--force"])
    assert again.exit_code == 0, again.stderr
    assert not (out / "extra.txt").exists()
    assert (out / "run.json").is_file() and (out / "replications.parquet").is_file()


@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_out_path_that_is_a_file_is_refused(work: Path, command: str) -> None:
    out = work.parent / "out"
    out.write_text("not a folder")
    before = snapshot(work.parent)
    result = invoke(command_line(command, "valid.yaml", out))
    assert_no_traceback(result)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert str(out) in result.stderr and "is a file" in result.stderr, result.stderr
    assert out.read_text() == "not a folder"
    assert snapshot(work.parent) == before


def _leftovers(out: Path) -> list[str]:
    """Final tables, results and temporary files left in a result folder."""
    names = [p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()]
    return [n for n in names if n != "run.json"]


def _no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_full_disk_one_line_and_nothing_half_written(work: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pd.DataFrame, "to_parquet", _no_space)
    out = work.parent / "out"
    result = invoke(["run", "valid.yaml", *QUICK, "--out", str(out)])
    assert_no_traceback(result)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and "No space left on device" in lines[0], lines
    # no table, summary or temporary file; run.json (if any) says the run did not finish
    assert not out.exists() or _leftovers(out) == [], _leftovers(out)
    if (out / "run.json").exists():
        assert '"status": "complete"' not in (out / "run.json").read_text()


def test_full_disk_message_names_the_folder(work: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-line disk error must say where: 'error: : No space left on device' does not."""
    monkeypatch.setattr(pd.DataFrame, "to_parquet", _no_space)
    out = work.parent / "out"
    result = invoke(["run", "valid.yaml", *QUICK, "--out", str(out)])
    assert result.exit_code == 2
    assert str(out) in result.stderr, result.stderr


def test_full_disk_on_rename(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if str(dst).endswith(".parquet"):
            raise OSError(errno.ENOSPC, "No space left on device", str(src))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    out = work.parent / "out"
    result = invoke(["run", "valid.yaml", *QUICK, "--out", str(out)])
    assert_no_traceback(result)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "No space left on device" in lines[0], lines
    assert not out.exists() or _leftovers(out) == [], _leftovers(out)


def _deny_writes_under(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make ``folder`` behave as read-only (root ignores chmod, so refuse in Python)."""
    folder = folder.resolve()

    def inside(p: object) -> bool:
        try:
            return Path(str(p)).resolve().is_relative_to(folder)
        except (OSError, ValueError):
            return False

    real_mkdir, real_mkstemp = Path.mkdir, tempfile.mkstemp

    def mkdir(self: Path, *args, **kwargs) -> None:
        if inside(self) and not self.exists():
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and inside(dir):
            raise PermissionError(errno.EACCES, "Permission denied", str(dir))
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_read_only_out_folder(work: Path, monkeypatch: pytest.MonkeyPatch,
                              command: str) -> None:
    out = work.parent / "out"
    out.mkdir()  # exists and is empty, so allowed without --force; but not writable
    _deny_writes_under(monkeypatch, out)
    result = invoke(command_line(command, "valid.yaml", out))
    assert_no_traceback(result)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and "permission denied" in lines[0].lower(), lines
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_out_folder_in_read_only_parent(work: Path, monkeypatch: pytest.MonkeyPatch,
                                        command: str) -> None:
    parent = work.parent / "locked"
    parent.mkdir()
    out = parent / "out"
    _deny_writes_under(monkeypatch, parent)
    result = invoke(command_line(command, "valid.yaml", out))
    assert_no_traceback(result)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert str(out) in lines[0] and "permission denied" in lines[0].lower(), lines
    assert not out.exists()


# --------------------------------------------------------------------------------------
# Valid but extreme: a visible warning
# --------------------------------------------------------------------------------------


def test_saturated_team_warns(work: Path) -> None:
    result = invoke(["run", "saturated.yaml", *QUICK])
    assert_no_traceback(result)
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert any("recruiters are busy" in w for w in warnings), result.stderr
    assert "warning" not in result.stdout  # warnings go to stderr, the table to stdout
    assert "Recruiter utilisation" in result.stdout


def test_medians_beyond_the_horizon_are_flagged(work: Path) -> None:
    """A saturated team fills under half its reqs in most runs: their median time to fill
    is unknown (longer than the horizon), and the mean over the other runs is too short."""
    import json

    result = invoke(["run", "saturated.yaml", "-n", "4", "--workers", "1", "--quiet",
                     "--format", "json"])
    assert result.exit_code == 0, result.stderr
    ttf = json.loads(result.stdout)["metrics"]["time_to_fill_days"]
    assert 0 < ttf["n"] < 4, ttf  # the case this warning is for (seeded: 1 of 4 here)
    warnings = [w for w in result.stderr.splitlines() if "median time to fill" in w]
    assert warnings == [
        f"warning: saturated: in {4 - ttf['n']} of 4 replications fewer than half the reqs "
        "were filled by the horizon, so their median time to fill is longer than the run "
        f"shows; 'Time to fill, median per run' averages the other {ttf['n']} and "
        "understates it: read it with the fill rate and P80"
    ]
    valid = invoke(["run", "valid.yaml", *QUICK])
    assert valid.exit_code == 0, valid.stderr
    assert "median time to fill" not in valid.stderr


# --------------------------------------------------------------------------------------
# Random mutations of valid scenarios: a valid outcome or one-line errors, never a traceback
# --------------------------------------------------------------------------------------

TOKENS = [
    ":", ": ", "- ", "-", "{", "}", "[", "]", ",", "&a ", "*a", "!!python/name:os.system ",
    "!custom ", "!!int ", "\t", "'", '"', "#", "---\n", "...\n", "? ", "|", ">", "%", "@",
    "`", "0123", "0x1F", "1_000", "12:30", ".nan", "-.inf", "1e999", "yes", "no", "~",
    "null", "50%", "true", '"3"', "\n", "  ", "\x00", "\ufeff", "\u00e9", "\u2028",
    "<<: ", "name: x\n", "extends: nowhere.yaml\n", "extends: valid.yaml\n",
    "sweep: {team.recruiters.count: [1, 2]}\n", "9" * 400,
]
NUMBER_RE = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
REPLACEMENTS = ['"{n}"', "-{n}", "{n}%", "0", "-1", "three", "true", "1e400", ".inf",
                "{n}{n}{n}{n}{n}{n}", "0{n}", "[{n}]", "{{{n}}}"]
BASES = ["valid.yaml", "rich_valid.yaml"]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = (FIXTURES / draw(st.sampled_from(BASES))).read_text()
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "number",
                                     "truncate", "indent"]))
        lines = text.splitlines(keepends=True)
        if kind == "delete" and lines:
            del lines[draw(st.integers(0, len(lines) - 1))]
            text = "".join(lines)
        elif kind == "duplicate" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(draw(st.integers(0, len(lines))), lines[i])
            text = "".join(lines)
        elif kind == "indent" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines[i] = " " * draw(st.integers(0, 6)) + lines[i].lstrip(" ")
            text = "".join(lines)
        elif kind == "swap" and len(text) > 1:
            i = draw(st.integers(0, len(text) - 2))
            text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
        elif kind == "insert":
            i = draw(st.integers(0, len(text)))
            text = text[:i] + draw(st.sampled_from(TOKENS)) + text[i:]
        elif kind == "number":
            numbers = list(NUMBER_RE.finditer(text))
            if numbers:
                m = numbers[draw(st.integers(0, len(numbers) - 1))]
                new = draw(st.sampled_from(REPLACEMENTS)).format(n=m.group())
                text = text[:m.start()] + new + text[m.end():]
        elif kind == "truncate":
            text = text[:draw(st.integers(0, len(text)))]
    return text


@pytest.fixture(scope="module")
def mutation_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mutations")
    shutil.copy(FIXTURES / "valid.yaml", folder / "valid.yaml")
    return folder


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=mutated())
def test_mutated_scenarios_validate_or_fail_in_one_line_each(
        mutation_folder: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.chdir(mutation_folder)
    (mutation_folder / "mutant.yaml").write_text(text, encoding="utf-8")
    result = invoke(["validate", "mutant.yaml"])
    assert_no_traceback(result)
    assert result.exit_code in (0, 2), (result.exit_code, result.stdout, result.stderr)
    if result.exit_code == 0:
        assert result.stdout.startswith("mutant.yaml: ok ("), result.stdout
        # no error lines; one-line assumption warnings (salaries 0, ...) may follow
        assert all(line.startswith("warning: ")
                   for line in result.stderr.splitlines()), result.stderr
        return
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 11, lines
    for i, line in enumerate(lines):
        if i == len(lines) - 1 and i > 0 and MORE_RE.match(line):
            continue
        match = PROBLEM_RE.match(line)
        assert match, line
        assert match["file"] in ("mutant.yaml", "valid.yaml"), line
