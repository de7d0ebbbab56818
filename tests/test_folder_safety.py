"""Never destroy what is not ours, never mix or trust broken results (issue battery).

Each case drives the CLI as a careless or hostile user would and checks the promise:
exit 2 with one line that says where and what, no traceback, and nothing of the user's
deleted, replaced or silently mixed. (Size limits and orphaned workers have their own
tests; bad scenario files are in test_hostile_input.py.)
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pandas as pd
import pytest
import yaml

from hiresim.batch import run_batch
from hiresim.experiment import Executor
from hiresim.folder_guard import FolderLock, folder_names, safe_name
from hiresim.scenario import Scenario
from small_scenario import SEED, cli, small_dict

QUICK = ["-n", "2", "--workers", "1", "--quiet"]


def one_error(result, *fragments: str) -> str:
    """The run failed with exit 2 and exactly one line on stderr holding ``fragments``."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ") and "Traceback" not in result.stderr, lines
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(small_dict(), sort_keys=False))
    return path


@pytest.fixture
def finished(scenario_file: Path, tmp_path: Path) -> Path:
    """A complete result folder of two replications."""
    out = tmp_path / "done"
    assert cli("run", scenario_file, *QUICK, "--out", out).exit_code == 0
    return out


# ------------------------------------------------------------ destroys what is not its own

def test_force_never_deletes_a_folder_holding_an_input(finished: Path) -> None:
    inside = finished / "mine.yaml"
    inside.write_text(yaml.safe_dump(small_dict(), sort_keys=False))
    result = cli("run", inside, *QUICK, "--out", finished, "--force")
    one_error(result, "an input of this run")
    assert inside.is_file() and (finished / "run.json").is_file()


def test_force_refuses_a_symbolic_link(finished: Path, scenario_file: Path,
                                       tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(finished)
    for command in (["run", scenario_file], ["compare", scenario_file, scenario_file]):
        one_error(cli(*command, *QUICK, "--out", link, "--force"), "symbolic link")
    assert (finished / "run.json").is_file()


@pytest.mark.parametrize("target", ["fifo", "/dev/null", "input", "inside"])
def test_report_targets_that_are_not_ours_are_refused(finished: Path, scenario_file: Path,
                                                      tmp_path: Path, target: str) -> None:
    path = {"fifo": tmp_path / "fifo", "/dev/null": Path("/dev/null"),
            "input": scenario_file, "inside": finished / "run.json"}[target]
    if target == "fifo":
        os.mkfifo(path)
    before = path.read_bytes() if path.is_file() else None
    one_error(cli("report", finished, "-o", path))
    one_error(cli("run", scenario_file, *QUICK, "--report", path), "--report")
    assert (path.read_bytes() if path.is_file() else None) == before
    if target == "fifo":
        assert stat.S_ISFIFO(path.stat().st_mode)


def test_a_replaced_report_keeps_its_mode(finished: Path, tmp_path: Path) -> None:
    target = tmp_path / "private.html"
    target.write_text("old")
    target.chmod(0o600)
    assert cli("report", finished, "-o", target).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text().startswith("<!DOCTYPE html>")


def test_names_that_sanitise_alike_get_their_own_folders(tmp_path: Path) -> None:
    files = []
    for name, recruiters in (("team A", 2), ("team?A", 4)):
        data = small_dict()
        data["name"] = name
        data["team"]["recruiters"]["count"] = recruiters
        files.append(tmp_path / f"{recruiters}.yaml")
        files[-1].write_text(yaml.safe_dump(data))
    out = tmp_path / "cmp"
    assert cli("compare", *files, *QUICK, "--out", out).exit_code == 0
    report = json.loads((out / "comparison.json").read_text())
    folders = [s["folder"] for s in report["scenarios"]]
    assert folders == ["team_A", "team_A-2"]
    teams = [yaml.safe_load((out / f / "scenario.yaml").read_text())["team"] for f in folders]
    assert [t["recruiters"]["count"] for t in teams] == [2, 4]
    html = cli("report", out, "-o", tmp_path / "r.html")
    assert html.exit_code == 0, html.stderr


def test_very_long_names_are_shortened_not_refused(tmp_path: Path) -> None:
    name = "é" * 200
    assert len(safe_name(name).encode()) <= 100
    assert folder_names([name, name + "x"])[0] != folder_names([name, name + "x"])[1]
    data = small_dict()
    data["name"] = name
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(data))
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump(small_dict()))
    result = cli("compare", other, path, *QUICK, "--out", tmp_path / "cmp")
    assert result.exit_code == 0, result.stderr


# ------------------------------------------------------------ mixes or trusts broken results

def test_a_second_writer_is_refused_naming_the_holder(finished: Path,
                                                      scenario_file: Path) -> None:
    lock = FolderLock(finished).acquire()
    try:
        one_error(cli("run", scenario_file, *QUICK, "--out", finished, "--force"),
                  f"process {os.getpid()}", "is writing this folder")
        one_error(cli("run", scenario_file, *QUICK, "--out", finished, "--resume"),
                  "is writing this folder")
    finally:
        lock.release()
    assert (finished / "run.json").is_file()
    assert cli("run", scenario_file, *QUICK, "--out", finished, "--force").exit_code == 0


@pytest.mark.parametrize("damage", ["deleted", "truncated", "edited"])
def test_damaged_tables_are_named_not_reported(scenario_file: Path, tmp_path: Path,
                                               damage: str) -> None:
    out = tmp_path / "csv"
    assert cli("run", scenario_file, *QUICK, "--out", out, "--table-format", "csv"
               ).exit_code == 0
    table = out / ("staff.csv" if damage == "deleted" else "replications.csv")
    if damage == "deleted":
        table.unlink()
    elif damage == "truncated":
        table.write_bytes(table.read_bytes()[: table.stat().st_size // 2])
    else:
        table.write_text(table.read_text().replace("4242", "4243"))
    one_error(cli("report", out, "-o", tmp_path / "r.html"), str(table))
    one_error(cli("run", scenario_file, *QUICK, "--out", out, "--resume"), str(table))
    assert not (tmp_path / "r.html").exists()


def test_an_unfinished_compare_is_not_reported_as_if_whole(scenario_file: Path,
                                                           tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    assert cli("compare", scenario_file, scenario_file, *QUICK, "--out", out).exit_code == 0
    meta = json.loads((out / "study.json").read_text())
    (out / "study.json").write_text(json.dumps({**meta, "status": "running"}))
    one_error(cli("report", out, "-o", tmp_path / "r.html"), "did not finish")


@pytest.fixture
def interrupted(small: Scenario, tmp_path: Path) -> Path:
    """A 30-replication run stopped by Ctrl-C after its first chunk of ten."""
    folder = tmp_path / "interrupted"
    calls = []

    def progress(n: int) -> None:
        calls.append(n)
        if len(calls) == 12:
            raise KeyboardInterrupt

    with Executor(1) as ex, pytest.raises(KeyboardInterrupt):
        run_batch(small, 30, SEED, ex, out=folder, progress=progress)
    return folder


@pytest.mark.parametrize("damage", ["truncated chunk", "stray marker"])
def test_resume_of_a_damaged_folder_is_one_line(interrupted: Path, small_file: Path,
                                                damage: str) -> None:
    parts = interrupted / "parts"
    if damage == "truncated chunk":
        chunk = sorted(parts.glob("reqs-*.parquet"))[0]
        chunk.write_bytes(chunk.read_bytes()[:100])
        expect = str(chunk)
    else:
        (parts / "chunk-0000010-0000019.done").write_text("")
        expect = "missing although its chunk is marked done"
    one_error(cli("run", small_file, "-n", 30, "--workers", 1, "--quiet", "--out",
                  interrupted, "--resume"), expect)


def test_resume_never_throws_saved_replications_away(small_file: Path,
                                                     tmp_path: Path) -> None:
    out = tmp_path / "forty"
    assert cli("run", small_file, "-n", 12, "--workers", 1, "-q", "--out", out).exit_code == 0
    one_error(cli("run", small_file, "-n", 5, "--workers", 1, "-q", "--out", out,
                  "--resume"), "holds 12 replications", "-n 12")
    again = cli("run", small_file, "-n", 12, "--workers", 1, "-q", "--out", out, "--resume")
    assert again.exit_code == 0, again.stderr
    assert len(pd.read_parquet(out / "replications.parquet")) == 12


@pytest.mark.parametrize("args", [
    ["--seed", str(2**64)], ["--set", f"simulation.seed={2**64}"],
    ["--dask", "garbage"], ["--dask", "http://127.0.0.1:8786"],
    ["--precision", "nan"], ["--precision", "inf"], ["--precision", "5"],
    ["--workers", "0"], ["--no-such-flag"],
])
def test_nonsense_flags_get_one_line(scenario_file: Path, tmp_path: Path,
                                     args: list[str]) -> None:
    out = tmp_path / "out"
    one_error(cli("run", scenario_file, *QUICK, *args, "--out", out, "--report",
                  tmp_path / "r.html"))
    assert not out.exists() and not (tmp_path / "r.html").exists()


def test_confidence_must_be_a_probability(scenario_file: Path) -> None:
    one_error(cli("sweep", scenario_file, *QUICK, "--confidence", "nan"), "--confidence")


def test_ctrl_c_during_a_report_exits_130(finished: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("hiresim.html_report.pages.render_report", interrupt)
    result = cli("report", finished, "-o", tmp_path / "r.html")
    assert result.exit_code == 130 and "Aborted" not in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_ctrl_c_without_a_folder_does_not_promise_saved_results(
        scenario_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("hiresim.console.Progress.__call__", interrupt)
    result = cli("run", scenario_file, "-n", "3", "--workers", "1", "--report",
                 tmp_path / "r.html")
    assert result.exit_code == 130
    assert "Nothing was saved" in result.stderr and "--resume" not in result.stderr


def test_the_resume_hint_of_a_precision_run_works(small_file: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "precise"
    calls = []

    def interrupt_late(self: object, n: int) -> None:
        calls.append(n)
        if len(calls) == 25:  # beyond -n 20: the precision run had gone on
            raise KeyboardInterrupt

    monkeypatch.setattr("hiresim.console.Progress.__call__", interrupt_late)
    args = ["run", str(small_file), "-n", "20", "--workers", "1", "--out", str(out),
            "--precision", "0.0001", "--max-replications", "60"]
    monkeypatch.setattr("sys.argv", ["hiresim", *args])  # the hint repeats the command
    result = cli(*args)
    assert result.exit_code == 130
    hint = result.stderr.split("continue with: ", 1)[1].strip()
    assert "--precision" not in hint and "--max-replications" not in hint
    monkeypatch.undo()
    resumed = cli(*hint.split()[1:])
    assert resumed.exit_code == 0, resumed.stderr
    assert len(pd.read_parquet(out / "replications.parquet")) == 40


def test_intervals_of_counts_and_shares_stay_within_their_bounds(scenario_file: Path) -> None:
    result = cli("run", scenario_file, "-n", 2, "--workers", 1, "--format", "json")
    metrics = json.loads(result.stdout)["metrics"]
    for name, m in metrics.items():
        if m.get("ci_low") is not None:
            assert m["ci_low"] >= 0, name
    for name in ("fill_rate", "offer_acceptance_rate", "reply_rate", "withdrawal_rate"):
        if metrics[name].get("ci_high") is not None:
            assert metrics[name]["ci_high"] <= 1, name


def test_the_readme_shows_what_a_bad_flag_prints(scenario_file: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    shown = next(line for line in readme.splitlines() if line.startswith("error: --workers"))
    assert one_error(cli("run", scenario_file, "--workers", "0")) == shown
