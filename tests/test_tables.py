"""Typed, tidy result tables: in-memory tables equal their Parquet files, a scenario column
everywhere, counts as integers, documented columns, a typed sweep table, a tidy summary,
and a result folder read with pandas, polars and DuckDB (as the README shows)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import hiresim
from hiresim.api import sweep as run_sweep
from hiresim.kpi_catalogue import BY_NAME, CATALOGUE
from hiresim.sweep_grid import setting_column, setting_values
from hiresim.table_columns import DESCRIPTION, INTEGER_KPIS
from small_scenario import small_dict

ROOT = Path(__file__).resolve().parents[1]
TABLES = ("replications", "reqs", "staff", "snapshots", "funnel", "candidates", "visits")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[hiresim.Results, Path]:
    folder = tmp_path_factory.mktemp("tables") / "out"
    scenario = hiresim.Scenario.model_validate(small_dict(openings=3))
    res = hiresim.simulate(scenario, replications=4, seed=5, record_candidates=True,
                           out=folder)
    return res, folder


def test_every_in_memory_table_equals_its_parquet_file(run: tuple) -> None:
    res, folder = run
    for table in TABLES:
        memory = getattr(res, table)
        saved = pd.read_parquet(folder / f"{table}.parquet")
        pd.testing.assert_frame_equal(memory, saved, obj=table)  # dtypes included
        assert list(saved.columns[:2]) == ["scenario", "replication"], table
        assert set(saved["scenario"]) == {res.name}, table
        read_back = hiresim.Results(res.scenario, res.seed, res.n_replications, res.kpis,
                                    res.metrics, folder=folder).table(table)
        pd.testing.assert_frame_equal(read_back, saved, obj=f"{table} read from the folder")


def test_reqs_file_holds_time_to_fill(run: tuple) -> None:
    _, folder = run
    reqs = pd.read_parquet(folder / "reqs.parquet")
    expected = reqs["filled_day"] - reqs["open_day"]
    pd.testing.assert_series_equal(reqs["time_to_fill_days"], expected, check_names=False)
    assert reqs["time_to_fill_days"].notna().any()


def test_counting_kpis_are_integers_and_ratios_stay_floats(run: tuple) -> None:
    res, folder = run
    assert {"hires", "offers", "reqs_opened", "reqs_filled", "withdrawals"} <= set(INTEGER_KPIS)
    assert "contacted_per_sourced_hire" not in INTEGER_KPIS
    assert all(BY_NAME[name].kind == "count" for name in INTEGER_KPIS)
    saved = pd.read_parquet(folder / "replications.parquet")
    for frame in (res.replications, saved, res.kpis):
        for name in INTEGER_KPIS:
            assert frame[name].dtype == np.int64, name
        assert frame["cost_per_hire"].dtype == np.float64
        assert frame["contacted_per_sourced_hire"].dtype == np.float64
    # the integer values are the counts the replications computed, exactly
    for result in res.runs:
        row = saved[saved["replication"] == result.replication].iloc[0]
        for name in INTEGER_KPIS:
            assert float(row[name]) == result.kpis[name] and result.kpis[name] == int(
                result.kpis[name]), name


def test_every_column_is_documented_in_the_parquet_file(run: tuple) -> None:
    _, folder = run
    for table in TABLES:
        schema = pq.read_schema(folder / f"{table}.parquet")
        for field in schema:
            doc = (field.metadata or {}).get(DESCRIPTION, b"").decode()
            assert doc, f"{table}.{field.name} has no description"
    field = pq.read_schema(folder / "replications.parquet").field("hires")
    assert field.metadata[DESCRIPTION].decode().startswith("Hires")


def test_tables_of_several_runs_concatenate(run: tuple) -> None:
    res, _ = run
    other = hiresim.simulate(res.scenario.model_copy(update={"name": "other"}),
                             replications=2, seed=5)
    both = pd.concat([res.reqs, other.reqs], ignore_index=True)
    assert list(both.columns) == list(res.reqs.columns)
    assert both.groupby("scenario").size().to_dict() == {res.name: len(res.reqs),
                                                          "other": len(other.reqs)}
    summary = pd.concat([res.summary_frame(), other.summary_frame()], ignore_index=True)
    assert set(summary["scenario"]) == {res.name, "other"}


def test_summary_frame_is_the_summary_as_a_table(run: tuple) -> None:
    res, _ = run
    frame = res.summary_frame()
    assert list(frame.columns[:6]) == ["scenario", "kpi", "label", "kind", "unit", "n"]
    assert list(frame["kpi"]) == list(res.summary())
    for _, row in frame.iterrows():
        expected = res.summary()[row["kpi"]]
        for column in ("mean", "ci_low", "ci_high"):
            value = expected.get(column)
            assert (np.isnan(row[column]) if value is None else row[column] == value)
        if row["kpi"] in BY_NAME:
            assert row["label"] == BY_NAME[row["kpi"]].label
    ttf = frame.set_index("kpi").loc["time_to_fill_days"]
    assert ttf["p80"] == res.summary()["time_to_fill_days"]["p80"]
    assert frame["n"].dtype == np.int64 and frame["mean"].dtype == np.float64
    assert {k.name for k in CATALOGUE} <= set(frame["kpi"])


def test_setting_columns_are_safe_and_typed() -> None:
    taken: set[str] = {"hires"}
    assert setting_column("profiles[backend].openings.count", taken) == (
        "profiles_backend_openings_count")
    assert setting_column('profiles["*"].interviewers.count', taken) == (
        "profiles_interviewers_count")
    assert setting_column("hires", taken) == "hires_2"
    assert setting_values([1, 2]).dtype == np.int64
    assert setting_values([1, 2.5]).dtype == np.float64
    assert setting_values([True, False]).dtype == bool
    assert list(setting_values([2, "unlimited"])) == ["2", "unlimited"]
    assert list(setting_values([{"dist": "fixed", "value": 1}])) == [
        '{"dist": "fixed", "value": 1}']


def test_sweep_parquet_has_typed_settings_with_their_paths(tmp_path: Path) -> None:
    sw = run_sweep(ROOT / "scenarios" / "split-team-sizes.yaml", replications=2,
                       vary=["profiles[*].interviewers.count=6,unlimited"],
                       sets=["profiles[*].openings.count=4"], out=tmp_path / "sw")
    saved = pd.read_parquet(tmp_path / "sw" / "sweep.parquet")
    pd.testing.assert_frame_equal(sw.table, saved)
    assert list(saved.columns[:2]) == ["scenario", "point"]
    assert saved["team_sourcers_count"].dtype == np.int64
    assert saved["hires"].dtype == np.int64
    assert set(saved["profiles_interviewers_count"]) == {"6", "unlimited"}
    assert all(re.fullmatch(r"[a-z_][a-z0-9_]*", c) for c in saved.columns)
    schema = pq.read_schema(tmp_path / "sw" / "sweep.parquet")
    assert schema.field("team_sourcers_count").metadata[b"path"] == b"team.sourcers.count"
    assert saved.attrs["setting_paths"]["team_sourcers_count"] == "team.sourcers.count"


def test_readme_reads_a_result_folder_with_pandas_polars_and_duckdb(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("duckdb", reason="duckdb is a dev dependency")
    pytest.importorskip("polars", reason="polars is a dev dependency")
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Reading a result folder", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    files = [ROOT / "scenarios" / "combined.yaml", ROOT / "scenarios" / "split.yaml"]
    hiresim.compare(files, replications=3, sets=["profiles[*].openings.count=5"],
                    out=tmp_path / "results")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert sorted(namespace["by_scenario"].index) == ["combined", "split"]
    hires = namespace["hires"]
    assert hires["scenario"].to_list() == ["combined", "split"]
    kpis = pd.concat(pd.read_parquet(p) for p in sorted((tmp_path / "results").glob(
        "*/replications.parquet")))
    assert hires["hires"].to_list() == list(kpis.groupby("scenario")["hires"].mean())
    p80 = namespace["p80"]
    reqs = namespace["reqs"]
    for name, value in zip(p80["scenario"], p80["p80_filled"], strict=True):
        filled = reqs[(reqs["scenario"] == name) & reqs["counted"]]["time_to_fill_days"]
        assert value == pytest.approx(filled.dropna().quantile(0.8))
    assert str(namespace["kpis"].schema["hires"]) == "Int64"
    assert os.path.basename(str(tmp_path)) in str(Path.cwd())
