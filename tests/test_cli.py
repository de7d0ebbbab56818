"""The ``hiresim`` command line: exit codes, output shapes and every documented command.

Most tests run the click app in-process (CliRunner keeps stdout and stderr apart) on a
small scenario written to a temporary folder, so they take a fraction of a second. A few
run the real entry points in a subprocess: ``python -m hiresim`` and the README's demo.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import hiresim
from hiresim.cli import main
from hiresim.compiled import core_mode
from hiresim.kpi_catalogue import CATALOGUE

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LINE = re.compile(r"^(?P<file>.+):(?P<line>[1-9][0-9]*):(?P<col>[1-9][0-9]*): error: \S.*$")

SMALL = """\
name: small
simulation: {horizon_days: 60, replications: 3, seed: 42}
team:
  structure: combined
  recruiters: {count: 2, hours_per_week: 32, annual_salary: 100000}
outreach: {prospects_per_req_per_week: 6, max_active_per_req: 3}
profiles:
  - name: eng
    openings: {count: 4, first_day: 0, last_day: 20}
    inbound: {applications_per_week: 6, review_pass_rate: 0.3}
    sourced: {reply_rate: 0.5, interest_rate: 0.7, qualify_rate: 0.8}
    screen_pass_rate: 0.7
    interview_rounds:
      - {name: technical, pass_rate: 0.7, lead_days: 2}
    offer_acceptance: 0.9
    interviewers: {count: 3, hours_per_week: 6}
"""

SMALL_SPLIT = SMALL.replace("name: small", "name: small-split").replace(
    "structure: combined", "structure: split\n  sourcers: {count: 1, hours_per_week: 32}")

BAD = """\
name: bad
team:
  structure: combined
  recruiters: {count: 1, hours_per_wek: 32}
profiles:
  - name: eng
    openings: {count: "3"}
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in (("small", SMALL), ("split", SMALL_SPLIT), ("bad", BAD)):
        out[name] = tmp_path / f"{name}.yaml"
        out[name].write_text(text, encoding="utf-8")
    return out


def cli(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def strict_json(text: str) -> dict:
    """Parse one JSON object, refusing NaN/Infinity (not JSON, and not portable)."""
    def reject(token: str) -> None:
        raise AssertionError(f"non-standard JSON constant {token}")
    return json.loads(text, parse_constant=reject)


def run_json(*args: object) -> list[dict]:
    result = cli("run", *args, "--format", "json", "--quiet")
    assert result.exit_code == 0, result.output
    return [strict_json(line) for line in result.stdout.splitlines() if line.strip()]


# --------------------------------------------------------------------------- help


def test_help_lists_every_command_and_every_command_has_help():
    result = cli("--help")
    assert result.exit_code == 0 and result.stdout.startswith("Usage: ")
    assert set(main.commands) >= {"validate", "run"}
    for name in main.commands:
        assert re.search(rf"^\s+{name}\s", result.stdout, re.M), name
        for flag in ("--help", "-h"):
            sub = cli(name, flag)
            assert sub.exit_code == 0, (name, sub.output)
            assert sub.stdout.startswith(f"Usage: main {name}") or \
                sub.stdout.startswith(f"Usage: hiresim {name}"), sub.stdout[:80]


def test_version():
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == (f"hiresim, version {hiresim.__version__} "
                                     f"(simulation core: {core_mode()})")
    assert core_mode().startswith(("compiled (mypyc)", "pure Python ("))


def test_python_dash_m_hiresim_help():
    proc = subprocess.run([sys.executable, "-m", "hiresim", "--help"], capture_output=True,
                          text=True, timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert "Usage: " in proc.stdout and "validate" in proc.stdout and "run" in proc.stdout


# --------------------------------------------------------------------------- validate


def test_validate_ok(files):
    result = cli("validate", files["small"], files["split"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{files['small']}: ok (small)",
                                          f"{files['split']}: ok (small-split)"]
    # valid files: no errors; only the one-line warning that the sourcer's salary is 0
    assert result.stderr.splitlines() == [
        "warning: small-split: team.sourcers.annual_salary is 0, so cost per hire and team "
        "cost leave their pay out; set it to compare costs"]


def test_validate_error_lines_point_at_the_problem(files):
    result = cli("validate", files["bad"])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2, lines
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert {m["file"] for m in parsed} == {str(files["bad"])}
    where = {int(m["line"]): line for m, line in zip(parsed, lines, strict=True)}
    assert "hours_per_wek" in where[4] and "hours_per_week" in where[4]  # did you mean
    assert "openings.count" in where[7]
    assert "Traceback" not in result.output


def test_validate_reports_every_bad_file_and_no_ok_line(files, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(BAD.replace("name: bad", "name: other"), encoding="utf-8")
    result = cli("validate", files["small"], files["bad"], other)
    assert result.exit_code == 2 and result.stdout == ""
    named = {LINE.match(line)["file"] for line in result.stderr.splitlines()}
    assert named == {str(files["bad"]), str(other)}


def test_validate_missing_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    result = cli("validate", missing)
    assert result.exit_code == 2 and result.stdout == ""
    assert LINE.match(result.stderr.splitlines()[0]) and str(missing) in result.stderr


def test_validate_debug_raises_instead_of_exit_2(files):
    result = cli("validate", "--debug", files["bad"])
    assert result.exit_code not in (0, 2)
    assert isinstance(result.exception, hiresim.ScenarioError)


def test_validate_set_override(files):
    assert cli("validate", files["small"], "--set", "team.recruiters.count=3").exit_code == 0
    result = cli("validate", files["small"], "--set", "team.recruiters.count=0")
    assert result.exit_code == 2 and "count" in result.stderr


# --------------------------------------------------------------------------- run


def test_run_table(files):
    result = cli("run", files["small"], "-n", 2, "--workers", 1, "--quiet")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("2 replications, seed 42")
    assert "small" in out.splitlines()[2]  # the header row names the scenario
    assert "Time to fill" in out and "Cost per hire" in out


def test_run_json_shape(files):
    [payload] = run_json(files["small"], "-n", 2, "--workers", 1)
    assert {"scenario", "replications", "seed", "metrics"} <= set(payload)
    assert (payload["scenario"], payload["replications"], payload["seed"]) == ("small", 2, 42)
    metrics = payload["metrics"]
    for kpi in CATALOGUE:  # every KPI of the catalogue is summarised
        assert {"mean", "ci_low", "ci_high"} <= set(metrics[kpi.name]), kpi.name
    assert {"mean", "ci_low", "ci_high", "p50", "p80", "p90"} <= set(
        metrics["time_to_fill_days"])
    for name in ("time_to_hire_days", "cost_per_hire", "fill_rate", "hires",
                 "offer_acceptance_rate", "reply_rate", "hires_per_recruiter_per_quarter",
                 "withdrawal_rate", "utilization_sourcer", "utilization_recruiter"):
        assert name in metrics
    hires = metrics["hires"]
    assert hires["ci_low"] <= hires["mean"] <= hires["ci_high"]
    assert metrics["utilization_sourcer"]["mean"] is None  # combined: no sourcers (null)


def test_run_defaults_come_from_the_file(files):
    [payload] = run_json(files["small"], "--workers", 1)
    assert (payload["replications"], payload["seed"]) == (3, 42)


def test_run_replications_and_seed(files):
    a = run_json(files["small"], "-n", 2, "--seed", 7, "--workers", 1)[0]
    b = run_json(files["small"], "--replications", 2, "--seed", 7, "--workers", 1)[0]
    c = run_json(files["small"], "-n", 2, "--seed", 8, "--workers", 1)[0]
    assert a == b
    assert (a["replications"], a["seed"], c["seed"]) == (2, 7, 8)
    assert a["metrics"] != c["metrics"]


def test_run_workers_do_not_change_results(files):
    one = cli("run", files["small"], "-n", 4, "--workers", 1, "--format", "json", "-q")
    two = cli("run", files["small"], "-n", 4, "--workers", 2, "--format", "json", "-q")
    assert one.exit_code == 0 and two.exit_code == 0, (one.output, two.output)
    assert one.stdout == two.stdout


def test_run_several_files(files):
    payloads = run_json(files["small"], files["split"], "-n", 2, "--workers", 1)
    assert [p["scenario"] for p in payloads] == ["small", "small-split"]
    assert payloads[1]["metrics"]["utilization_sourcer"]["mean"] > 0
    table = cli("run", files["small"], files["split"], "-n", 2, "--workers", 1, "-q")
    assert table.exit_code == 0
    header = table.stdout.splitlines()[2].split()
    assert header == ["small", "small-split"]


def test_run_set_override(files):
    base = run_json(files["small"], "-n", 2, "--workers", 1)[0]
    more = run_json(files["small"], "-n", 2, "--workers", 1,
                    "--set", "team.recruiters.count=4")[0]
    assert more["metrics"]["utilization_recruiter"]["mean"] < \
        base["metrics"]["utilization_recruiter"]["mean"]


def test_run_goal_reports_a_probability(files):
    [payload] = run_json(files["small"], "-n", 2, "--workers", 1, "--goal", "fill_rate>=0",
                         "--goal", "hires>=1000")
    always, never = payload["goals"]
    assert (always["goal"], always["probability"]) == ("fill_rate>=0", 1.0)
    assert (never["goal"], never["probability"]) == ("hires>=1000", 0.0)
    assert never["ci_low"] == 0.0 < never["ci_high"] < 1.0
    bad = cli("run", files["small"], "-n", 2, "--goal", "no_such_kpi<3")
    assert bad.exit_code == 2


def test_run_one_replication_event_log(files):
    result = cli("run", files["small"], "--replication", 1, "--quiet")
    assert result.exit_code == 0, result.output
    assert "replication 1 of seed 42" in result.stdout and "event log" in result.stdout


@pytest.mark.parametrize("args", [
    ["-n", "0"], ["--replications", "-1"], ["--workers", "0"], ["--seed", "-1"],
    ["--format", "xml"], ["--no-such-flag"],
])
def test_run_bad_flags_exit_2(files, args):
    result = cli("run", files["small"], *args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()  # one line, not click's usage text
    assert line.startswith("error: ") and "Traceback" not in result.stderr


def test_run_bad_file_exit_2(files):
    result = cli("run", files["bad"], "-n", 1)
    assert result.exit_code == 2 and result.stdout == ""
    assert all(LINE.match(line) for line in result.stderr.splitlines())


def test_run_out_folder(files, tmp_path):
    out = tmp_path / "res"
    result = cli("run", files["small"], "-n", 2, "--workers", 1, "-q", "--out", out,
                 "--table-format", "csv")
    assert result.exit_code == 0, result.output
    assert out.is_dir() and any(out.iterdir())
    again = cli("run", files["small"], "-n", 2, "--workers", 1, "-q", "--out", out)
    assert again.exit_code == 2  # refuses to overwrite without --force


# --------------------------------------------------------------------------- compare, sweep


def test_compare_two_scenarios(files):
    result = cli("compare", files["small"], files["split"], "-n", 2, "--workers", 1, "-q",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    report = strict_json(result.stdout)
    assert [s["scenario"] for s in report["scenarios"]] == ["small", "small-split"]
    assert cli("compare", files["small"]).exit_code == 2  # needs two files


def test_sweep_varies_team_size(files):
    result = cli("sweep", files["small"], "--vary", "team.recruiters.count=1,2", "-n", 2,
                 "--workers", 1, "-q", "--format", "json")
    assert result.exit_code == 0, result.output
    assert strict_json(result.stdout)


# --------------------------------------------------------------------------- README


def _demo_command() -> list[str]:
    """The ``make demo`` recipe, with the venv's bin folder for $(BIN)."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^demo:.*\n\t(?P<cmd>.+)$", makefile, re.M)
    assert match, "Makefile has no demo target"
    return shlex.split(match["cmd"].replace("$(BIN)/", f"{BIN}/"))


def test_readme_demo_command_runs():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme
    cmd = _demo_command()
    assert Path(cmd[0]).name == "hiresim" and cmd[1] == "run", cmd
    proc = subprocess.run([*cmd, "-n", "2", "--quiet"], capture_output=True, text=True,
                          cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr
    files = [Path(a).stem for a in cmd[2:] if a.endswith(".yaml")]
    assert files, cmd
    header = proc.stdout.splitlines()[2].split()
    assert header == files, proc.stdout


def test_readme_commands_exist():
    """Every ``hiresim <command>`` the README documents is a real command."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`hiresim ([a-z][a-z-]*)", readme))
    assert {"validate", "run"} <= documented
    assert documented <= set(main.commands), documented - set(main.commands)
