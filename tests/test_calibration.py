"""Calibration from an exported history, and the backtest of a scenario against it.

Parameter recovery: a known scenario simulates a year, its history is exported in the
generic format, and ``calibrate`` (with the true scenario as its base, so only the market
rates are estimated) must cover the true rates with its 90% intervals at about 90%. The
backtest of the recovered scenario against that history must say "calibrated"; a scenario
whose reply rates are halved must fail it, naming the reply rate.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hiresim.backtest import backtest
from hiresim.calibrated_scenario import write_scenario
from hiresim.calibration import (
    SHAPE_MIN_EVENTS,
    calibrate,
    dropout_hazards,
    fit_duration,
    fit_shape,
)
from hiresim.history_export import export_history
from hiresim.history_loader import load_history
from hiresim.scenario import Scenario, scenario_from_dict
from hiresim.scenario_files import load_scenario
from small_scenario import cli, small_dict


def truth(seed: int) -> Scenario:
    """scenarios/split.yaml's market (three profiles, different rates) with 8 reqs each."""
    return scenario_from_dict(small_dict(horizon_days=365, openings=8, easy=False, seed=seed))


def _field(profile: object, path: str) -> float:
    for part in path.split("."):
        profile = getattr(profile, part)
    return float(profile)  # type: ignore[arg-type]


def recovered(seed: int, folder: Path) -> list[tuple[str, float, float, float]]:
    """(field, truth, low, high) of every rate calibrated from one simulated year."""
    sc = truth(seed)
    export_history(sc, folder / "h.csv")
    cal = calibrate(load_history([folder / "h.csv", folder / "h-reqs.csv"]), sc)
    out = []
    for pc in cal.profiles:
        prof = next(p for p in sc.profiles if p.name == pc.name)
        for path, est in pc.rates.items():
            out.append((path, _field(prof, path), est.low, est.high))
        for name, est in pc.rounds:
            rnd = next(r for r in prof.interview_rounds if r.name == name)
            out.append((f"round {name}", rnd.pass_rate, est.low, est.high))
        assert pc.dropout is not None
        out.append(("dropout.hazard_per_week", prof.dropout.hazard_per_week,
                    pc.dropout.low, pc.dropout.high))
    return out


def coverage(seeds: range, folder: Path) -> tuple[float, float, int]:
    rows = [r for s in seeds for r in recovered(s, folder)]
    inside = [lo <= t <= hi for _, t, lo, hi in rows]
    widths = [hi - lo for f, _, lo, hi in rows if "applications" not in f
              and "dropout" not in f]
    return float(np.mean(inside)), float(np.mean(widths)), len(rows)


def test_rates_recovered_within_their_intervals(tmp_path):
    """Quick version: 4 simulated years, 132 intervals (the drop-out hazard included); the
    intervals are informative (mean width of a pass rate's 90% interval under 0.2) and cover
    the truth mostly."""
    share, width, n = coverage(range(1000, 1004), tmp_path)
    assert n == 4 * 33
    assert 0.8 <= share <= 0.99, share
    assert width < 0.2, width


@pytest.mark.slow
def test_ninety_percent_intervals_cover_85_to_95_percent(tmp_path):
    share, _, n = coverage(range(1000, 1040), tmp_path)
    assert n == 40 * 33
    assert 0.85 <= share <= 0.95, share


@functools.cache
def _calibrated(folder: str) -> tuple[Path, Path, Path]:
    d = Path(folder)
    sc = truth(77)
    export_history(sc, d / "h.csv")
    history = load_history([d / "h.csv", d / "h-reqs.csv"])
    out = write_scenario(calibrate(history, sc), sc, "the true scenario", d / "cal.yaml")
    return d / "h.csv", d / "h-reqs.csv", out


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory) -> tuple[Path, Path, Path]:
    return _calibrated(str(tmp_path_factory.mktemp("calibrated")))


def test_backtest_of_the_recovered_scenario_says_calibrated(calibrated):
    h, reqs, cal = calibrated
    report = backtest(load_scenario(cal), load_history([h, reqs]), replications=40,
                      workers=2)
    assert report["verdict"] == "calibrated", report["sentence"]
    assert report["flags"] == []
    assert sum(report["pit_histogram"]) == 24
    assert report["coverage"]["90%"] >= 0.75
    w = report["withdrawals"]
    assert w["sim_low"] <= w["actual"] <= w["sim_high"], w


def test_backtest_with_reply_rate_halved_names_the_reply_rate(calibrated):
    h, reqs, cal = calibrated
    sc = load_scenario(cal)
    halved = [f"profiles[{p.name}].sourced.reply_rate={p.sourced.reply_rate / 2}"
              for p in sc.profiles]
    report = backtest(load_scenario(cal, halved), load_history([h, reqs]), replications=40,
                      workers=2)
    assert report["verdict"] == "too pessimistic", report["sentence"]
    assert report["flags"][0]["where"] == "outreach"
    assert "sourced.reply_rate" in report["sentence"]


def test_backtest_without_dropout_flags_the_withdrawals(calibrated):
    """The recovered scenario with its drop-out switched off loses far fewer candidates in
    process than the history: the backtest says so and names profiles[].dropout."""
    h, reqs, cal = calibrated
    sc = load_scenario(cal)
    off = [f"profiles[{p.name}].dropout.hazard_per_week=0" for p in sc.profiles]
    report = backtest(load_scenario(cal, off), load_history([h, reqs]), replications=20,
                      workers=2)
    assert report["verdict"] == "too optimistic", report["sentence"]
    assert any(f["where"] == "withdrawals" for f in report["flags"])
    assert "profiles[].dropout.hazard_per_week" in report["sentence"]


def test_calibrated_file_validates_and_says_where_values_come_from(calibrated):
    _, _, cal = calibrated
    result = cli("validate", cal)
    assert result.exit_code == 0, result.stderr
    text = cal.read_text()
    assert "reply_rate:" in text and "decisions; 90% interval [" in text
    assert "applications over" in text and "req-weeks" in text
    assert "default: not in the export" in text
    assert "dropout: {hazard_per_week: " in text and "withdrawals before the offer" in text
    assert "dropout_hazard" not in text
    assert "workload:" in text and "acceptance_drop_per_week: 0.04" in text  # ml-embedded
    assert "# team: default, not informed by the export" in text


def test_cli_calibrate_and_backtest_on_the_shipped_example(tmp_path):
    repo = Path(__file__).resolve().parents[1]
    export = [repo / "examples" / "ats-export.csv", repo / "examples" / "ats-export-reqs.csv"]
    out = tmp_path / "my-team.yaml"
    result = cli("calibrate", *export, "--base", repo / "scenarios" / "scarce-split.yaml",
                 "--out", out)
    assert result.exit_code == 0, result.stderr
    rows = sum(len(f.read_text().splitlines()) - 1 for f in export)  # both files' rows
    assert f"{rows} rows read, {rows} used, 0 skipped" in result.stderr
    page = tmp_path / "backtest.html"
    result = cli("backtest", out, *export, "-n", 20, "--report", page)
    assert result.exit_code == 0, result.stderr
    assert "verdict: calibrated" in result.stdout
    html = page.read_text()
    assert "hiresim backtest report" in html and "PIT" in html
    assert "which re-simulated the history" in html and "nothing was re-simulated" not in html
    assert "Withdrawals in process" in html
    assert "withdrawals in process: " in result.stdout
    result = cli("backtest", out, *export, "-n", 5, "--format-out", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))
    assert report["history"]["reqs"] == 16 and len(report["reqs"]) == 16
    assert set(report["coverage"]) == {"50%", "80%", "90%"}


def test_examples_export_is_what_the_shipped_scenario_exports(tmp_path):
    """examples/ats-export.csv is scenarios/scarce-split.yaml, seed 20261126, replication 0."""
    repo = Path(__file__).resolve().parents[1]
    result = cli("export-history", repo / "scenarios" / "scarce-split.yaml", "--out",
                 tmp_path / "x.csv")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "x.csv").read_text() == (repo / "examples" / "ats-export.csv").read_text()
    assert (tmp_path / "x-reqs.csv").read_text() == \
        (repo / "examples" / "ats-export-reqs.csv").read_text()


def _weibull_times(hazard: float, shape: float, n: int, seed: int) -> pd.DataFrame:
    """Times in process (weeks) drawn as the model draws them, censored at a uniform
    0-20 weeks (a rejection, an offer or the end of the export)."""
    rng = np.random.default_rng(seed)
    drop = (rng.exponential(size=n) / hazard) ** (1.0 / shape)
    cut = rng.uniform(0.0, 20.0, size=n)
    return pd.DataFrame({"profile": "backend", "weeks": np.minimum(drop, cut),
                         "event": drop <= cut})


def test_dropout_fit_recovers_the_weibull_hazard_and_shape():
    """Censored Weibull times: the fitted shape covers the truth (2.0, not the base's 1.5)
    and the hazard at that shape covers 0.05; ignoring censoring would not."""
    times = _weibull_times(0.05, 2.0, 3000, 11)
    shape = fit_shape(times, 1.5)
    assert shape.fitted and shape.events > SHAPE_MIN_EVENTS
    assert shape.low <= 2.0 <= shape.high and shape.high - shape.low < 0.4
    est = dropout_hazards(times, ["backend"], shape.value)["backend"]
    assert est.low <= 0.05 <= est.high
    events = times[times["event"]]
    naive = len(events) / float((events["weeks"] ** shape.value).sum())
    assert naive > est.high
    few = fit_shape(times.iloc[:60], 1.5)
    assert not few.fitted and few.value == 1.5 and "default" in few.comment()


def test_pool_candidates_do_not_count_in_the_screen_rate_or_the_applications(tmp_path):
    """A re-engaged pool candidate passes the screen by construction and did not apply."""
    f = tmp_path / "h.csv"
    rows = ["candidate_id,req_id,profile,source,stage,entered_at,left_at,outcome"]
    for i in range(6):
        rows += [f"a{i},r1,backend,inbound,application_review,2026-01-05,2026-01-06,passed",
                 f"a{i},r1,backend,inbound,screen,2026-01-06,2026-01-07,"
                 + ("passed" if i < 3 else "rejected")]
    rows += [f"p{i},r1,backend,pool,screen,2026-01-08,2026-01-09,passed" for i in range(6)]
    f.write_text("\n".join(rows) + "\n")
    history = load_history([f])
    base = scenario_from_dict(small_dict())
    cal = calibrate(history, base)
    rates = cal.profiles[0].rates
    assert rates["screen_pass_rate"].n == 6
    assert rates["inbound.applications_per_week"].n == 6
    assert cal.profiles[0].dropout is not None and cal.profiles[0].dropout.n == 0


def test_censored_duration_fit_recovers_the_median():
    """A lognormal (median 10 days) right-censored at 12 days: the censored fit covers the
    true median; dropping the censored durations would not."""
    rng = np.random.default_rng(5)
    x = np.exp(np.log(10.0) + 0.8 * rng.standard_normal(2000))
    observed = x <= 12.0
    fit = fit_duration("screen", np.minimum(x, 12.0), observed)
    assert fit is not None and fit.censored == int((~observed).sum()) > 500
    assert fit.low <= 10.0 <= fit.high
    naive = float(np.exp(np.log(x[observed]).mean()))
    assert naive < fit.low


def test_calibrate_a_small_export_without_outreach_offers_or_reqs_file(tmp_path):
    """Stages the export lacks keep the published value and are marked default."""
    f = tmp_path / "h.csv"
    f.write_text("candidate_id,req_id,profile,source,stage,entered_at,left_at,outcome\n"
                 "c1,r1,backend,inbound,application_review,2026-01-05,2026-01-06,passed\n"
                 "c1,r1,backend,inbound,screen,2026-01-06,2026-01-07,passed\n"
                 "c2,r1,backend,inbound,application_review,2026-01-05,2026-01-06,rejected\n")
    out = tmp_path / "t.yaml"
    result = cli("calibrate", f, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert "1 reqs not in a reqs file" in result.stderr
    text = out.read_text()
    assert "reply_rate: 0.35" in text and "default: no decisions for this profile" in text
    assert "interview_rounds: []" in text
    assert cli("validate", out).exit_code == 0
