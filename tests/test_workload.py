"""Size bombs (issue 14, item 7): a small file must not be able to eat the machine.

The workload of one replication is estimated before anything runs (``hiresim.workload``);
above the limits ``run``, ``compare``, ``sweep``, ``validate`` and the Python API refuse
with one line that gives the estimate and ``--allow-large``. Absurd magnitudes (a million
or more openings, people, applications a week) are refused by the scenario schema, so
even ``run_replication`` called directly cannot be asked to allocate beyond the machine.
"""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path

import pytest
import yaml

import hiresim
from hiresim import workload
from hiresim.batch import run_batch
from hiresim.experiment import Executor
from hiresim.replication import run_replication
from hiresim.scenario import Scenario, scenario_from_dict
from hiresim.scenario_files import load_scenario
from hiresim.workload import WorkloadError, check, estimate
from small_scenario import REPO, SEED, cli, small_dict

COMBINED = REPO / "scenarios" / "combined.yaml"
SPLIT = REPO / "scenarios" / "split.yaml"
PROFILES = ("backend", "frontend", "ml-embedded")

# the size bombs, as --set overrides of a shipped scenario
BOMBS = {
    "a million openings": (COMBINED, [
        "profiles[backend].openings.count=1000000"]),
    "a million recruiters": (COMBINED, ["team.recruiters.count=1000000"]),
    "a million applications a week": (COMBINED, [
        "profiles[backend].inbound.applications_per_week=1000000"]),
    "unlimited sourcers, a million prospects a week": (SPLIT, [
        "team.sourcers.count=unlimited", "outreach.prospects_per_req_per_week=1000000"]),
    "unlimited positions, 2,000 applications a week": (COMBINED, [
        f"profiles[{p}].openings.positions_per_req=unlimited" for p in PROFILES] + [
        f"profiles[{p}].inbound.applications_per_week=2000" for p in PROFILES]),
}


def _write(tmp_path: Path, data: dict, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.parametrize("label", list(BOMBS))
def test_size_bombs_are_refused_with_one_line_giving_the_estimate(label: str) -> None:
    path, sets = BOMBS[label]
    scenario = load_scenario(path, sets)
    with pytest.raises(WorkloadError) as err:
        check(estimate(scenario), allow_large=False)
    message = str(err.value)
    assert "\n" not in message and "--allow-large" in message
    assert message.startswith(f"scenario {scenario.name}: one replication would simulate")
    assert "B of memory" in message  # the estimate is given
    check(estimate(scenario), allow_large=True)  # the flag overrides


@pytest.mark.parametrize("label", list(BOMBS))
def test_validate_says_a_size_bomb_is_an_error(label: str, tmp_path: Path) -> None:
    path, sets = BOMBS[label]
    args = [a for s in sets for a in ("--set", s)]
    result = cli("validate", path, *args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}:1:1: error: scenario ")
    assert "--allow-large" in lines[0]
    assert cli("validate", path, *args, "--allow-large").exit_code == 0


def test_validate_still_says_ok_to_every_shipped_scenario() -> None:
    files = sorted(str(p) for p in (REPO / "scenarios").glob("*.yaml"))
    result = cli("validate", *files)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count(": ok (") == len(files)


@pytest.mark.parametrize("field, value", [
    ("openings.count", 1_000_000_000),
    ("inbound.applications_per_week", 1e9),
    ("interviewers.count", 2_000_000),
])
def test_schema_refuses_absurd_magnitudes_in_a_file(field: str, value: float,
                                                    tmp_path: Path) -> None:
    data = small_dict()
    section, key = field.split(".")
    data["profiles"][0][section][key] = value
    path = _write(tmp_path, data)
    result = cli("validate", path)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{field}" in lines[0]
    assert "less than or equal to 1000000" in lines[0] and lines[0].startswith(f"{path}:")


@pytest.mark.parametrize("path", ["team.recruiters.count", "team.sourcers.count",
                                  "outreach.prospects_per_req_per_week"])
def test_schema_refuses_absurd_team_sizes_and_outreach(path: str) -> None:
    data = small_dict()
    section, *rest = path.split(".")
    target = data[section]
    for key in rest[:-1]:
        target = target[key]
    target[rest[-1]] = 10**9
    with pytest.raises(hiresim.ScenarioError, match="less than or equal to 1000000"):
        scenario_from_dict(data)


def _scaled(**changes: object) -> Scenario:
    data = small_dict(horizon_days=60)
    for profile in data["profiles"]:
        profile["openings"].update(changes)
    return scenario_from_dict(data)


def test_run_batch_refuses_before_preparing_the_folder(monkeypatch: pytest.MonkeyPatch,
                                                      small: Scenario, tmp_path: Path) -> None:
    monkeypatch.setattr(workload, "LIMIT_CANDIDATES", 1.0)  # the small scenario is "huge"
    with Executor(1) as ex, pytest.raises(WorkloadError, match="--allow-large"):
        run_batch(small, 3, SEED, ex, out=tmp_path / "never")
    assert not (tmp_path / "never").exists()
    with Executor(1) as ex:
        assert run_batch(small, 2, SEED, ex, allow_large=True).n_replications == 2


def test_allow_large_runs_what_the_limits_refuse(monkeypatch: pytest.MonkeyPatch,
                                                 small: Scenario) -> None:
    monkeypatch.setattr(workload, "LIMIT_CANDIDATES", 1.0)
    with pytest.raises(WorkloadError):
        hiresim.simulate(small, replications=2)
    allowed = hiresim.simulate(small, replications=2, allow_large=True)
    assert allowed.n_replications == 2
    with pytest.raises(WorkloadError):
        hiresim.compare([small, small], replications=2)
    assert hiresim.compare([small, small], replications=2, allow_large=True).results


def test_cli_run_compare_sweep_refuse_with_one_line(monkeypatch: pytest.MonkeyPatch,
                                                    small_file: Path, tmp_path: Path) -> None:
    monkeypatch.setattr(workload, "LIMIT_CANDIDATES", 1.0)
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(small_file.read_text()
                          + "sweep:\n  team.recruiters.count: [1, 2]\n")
    for args in (["run", small_file, "-n", "2", "--out", tmp_path / "r"],
                 ["compare", small_file, small_file, "-n", "2", "--out", tmp_path / "c"],
                 ["sweep", sweep_file, "-n", "2", "--out", tmp_path / "s"]):
        result = cli(*args, "-q")
        assert result.exit_code == 2, (args, result.output)
        lines = result.stderr.strip().splitlines()
        # one line per scenario file (run, compare: named as for other scenario problems)
        assert len(lines) == (2 if args[0] == "compare" else 1), lines
        for line in lines:
            assert re.match(r"(\S+:1:1: )?error: scenario ", line) and "--allow-large" in line
        assert not Path(args[-1]).exists()  # nothing was prepared
        ok = cli(*args, "-q", "--allow-large")
        assert ok.exit_code == 0, (args, ok.output)


def test_estimate_grows_with_what_drives_the_work() -> None:
    base = estimate(_scaled())
    more_reqs = estimate(_scaled(count=10))
    assert more_reqs.reqs == 10 * base.reqs and more_reqs.candidates > base.candidates
    late = estimate(_scaled(first_day=1000, last_day=1000))  # reqs open after the horizon
    assert late.candidates == 0 and late.reqs == base.reqs


# Shipped scenarios and a swamped team: the estimate is an upper bound on what a
# replication really creates and allocates (the calibration in hiresim.workload).
@pytest.mark.parametrize("name, sets", [
    ("combined.yaml", []),
    ("split.yaml", []),
    ("slow-interviews.yaml", []),
    ("remote-combined.yaml", []),
    ("combined.yaml", ["simulation.horizon_days=40", "team.recruiters.count=1"]
     + [f"profiles[{p}].openings.count=1" for p in PROFILES]
     + [f"profiles[{p}].openings.first_day=0" for p in PROFILES]
     + [f"profiles[{p}].openings.last_day=0" for p in PROFILES]
     + [f"profiles[{p}].openings.positions_per_req=unlimited" for p in PROFILES]
     + [f"profiles[{p}].inbound.applications_per_week=1000" for p in PROFILES]),
])
def test_estimate_is_an_upper_bound_of_a_real_replication(name: str, sets: list[str]) -> None:
    scenario = load_scenario(REPO / "scenarios" / name, sets)
    w = estimate(scenario, detail=True)
    tracemalloc.start()
    try:
        result = run_replication(scenario, 0, None, record_detail=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.candidates is not None
    created = len(result.candidates)  # every candidate gets a row (no warm-up here)
    assert created <= w.candidates <= 5 * max(created, 1000)
    assert peak <= w.memory_bytes
    assert w.reqs == len(result.reqs)
