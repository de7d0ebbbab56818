"""The HTML report: folder detection, one plotly.js per page, escaping, atomic writes.

Result folders are built once per session through the real CLI (in process, one worker,
two replications of a shrunk plan), with hostile scenario, profile and round names, so
every test here also checks that user text is escaped. The same folders feed the
browser tests in test_report_browser.py (``build_folders``).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from hiresim.html_report import ReportError, render_report, write_report
from hiresim.html_report import analysis as an
from hiresim.html_report.chart_style import esc, scenario_colors

REPO = Path(__file__).resolve().parents[1]
SCRIPT_NAME = "<script>alert(1)</script>"
IMG_NAME = "<img src=x onerror=alert(1)>"
PROFILE_NAME = "<img src=x onerror=alert(3)>"
ROUND_NAME = "<b onmouseover=alert(4)>tech</b>"
DESCRIPTION = "<img src=x onerror=alert(2)> & \"quoted\" </script><!--"
GOAL = "time_to_fill_days.p80<=60"
RAW_HOSTILE = ("<script>alert", "<img src=x", "<b onmouseover", "</script><!--")

_BUILT: dict[str, Path] = {}


def small_scenario(name: str, recruiters: int = 2) -> dict:
    """scenarios/split.yaml shrunk to a 120-day plan of 12 reqs, with hostile names."""
    data = yaml.safe_load((REPO / "scenarios" / "split.yaml").read_text())
    data["name"] = name
    data["description"] = DESCRIPTION
    data["simulation"]["horizon_days"] = 120
    data["team"]["recruiters"]["count"] = recruiters
    for profile in data["profiles"]:
        openings = profile["openings"]
        openings["count"] = max(2, openings["count"] // 5)
        openings["first_day"] = min(openings["first_day"], 20)
        openings["last_day"] = 90
    data["profiles"][0]["name"] = PROFILE_NAME
    data["profiles"][0]["interview_rounds"][0]["name"] = ROUND_NAME
    return data


def _cli(args: list[str]) -> None:
    from hiresim.cli import main

    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, f"hiresim {' '.join(args)} failed:\n{result.output}"


def build_folders(root: Path) -> dict[str, Path]:
    """run, compare, sweep and several-runs folders (built once per process)."""
    if _BUILT:
        return _BUILT
    root.mkdir(parents=True, exist_ok=True)
    a, b = root / "a.yaml", root / "b.yaml"
    a.write_text(yaml.safe_dump(small_scenario(SCRIPT_NAME), sort_keys=False))
    b.write_text(yaml.safe_dump(small_scenario(IMG_NAME, recruiters=3), sort_keys=False))
    common = ["-n", "2", "--workers", "1", "--force", "-q"]
    _cli(["run", str(a), "--out", str(root / "run"), *common])
    _cli(["compare", str(a), str(b), "--out", str(root / "compare"), "--goal", GOAL,
          *common])
    _cli(["sweep", str(a), "--vary", "team.recruiters.count=1,2", "--out",
          str(root / "sweep"), "--goal", GOAL, "--confidence", "0.5", *common])
    # several scenarios in one `hiresim run --out` (names without "/": they become folders)
    c, d = root / "c.yaml", root / "d.yaml"
    c.write_text(yaml.safe_dump(small_scenario("alpha"), sort_keys=False))
    d.write_text(yaml.safe_dump(small_scenario("beta", recruiters=1), sort_keys=False))
    _cli(["run", str(c), str(d), "--out", str(root / "runs"), *common])
    _BUILT.update({k: root / k for k in ("run", "compare", "sweep", "runs")})
    return _BUILT


@pytest.fixture(scope="session")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_folders(tmp_path_factory.mktemp("report-folders"))


@pytest.fixture(scope="session")
def pages(folders: dict[str, Path]) -> dict[str, str]:
    return {kind: render_report(path) for kind, path in folders.items()}


def figure_blocks(text: str) -> list[dict]:
    """The figures of a page, parsed from their JSON blocks."""
    blocks = re.findall(r'<script type="application/json" class="fig-data" '
                        r'data-target="(fig-\d+)">(.*?)</script>', text, flags=re.S)
    out = []
    for target, payload in blocks:
        fig = json.loads(payload)
        fig["_target"] = target
        out.append(fig)
    return out


def all_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in all_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in all_strings(v)]
    return []


# ------------------------------------------------------------------ the page


@pytest.mark.parametrize("kind", ["run", "compare", "sweep", "runs"])
def test_plotly_js_is_embedded_once_and_every_chart_has_its_figure(pages, kind):
    import plotly

    text = pages[kind]
    head = plotly.offline.get_plotlyjs()[:300]
    assert text.count(head) == 1
    assert text.index(head) < text.index("</head>")
    charts = re.findall(r'<div class="chart" id="(fig-\d+)"', text)
    figures = figure_blocks(text)
    assert len(charts) >= 6
    assert charts == [f["_target"] for f in figures]
    assert "<script src=" not in text


@pytest.mark.parametrize("kind", ["run", "compare", "sweep"])
def test_every_figure_has_a_title_axis_titles_and_hover_text(pages, kind):
    for fig in figure_blocks(pages[kind]):
        layout = fig["layout"]
        assert layout["title"]["text"].strip("<b>/ ")
        axes = {k: v for k, v in layout.items() if re.fullmatch(r"[xy]axis\d*", k)}
        titled = [a for a in axes.values() if (a.get("title") or {}).get("text")]
        kinds = {t.get("type", "scatter") for t in fig["data"]}
        if kinds != {"funnel"}:
            assert titled, f"{layout['title']['text']}: no axis title"
        for trace in fig["data"]:
            if trace.get("x") == [None]:  # legend-only entry of a goal line
                continue
            has_hover = (trace.get("hovertext") or trace.get("hovertemplate")
                         or trace.get("hoverinfo") in ("skip", "none"))
            assert has_hover, f"{layout['title']['text']}: a trace without hover text"


def test_units_on_axes(pages):
    titles = []
    for fig in figure_blocks(pages["compare"]):
        for key, axis in fig["layout"].items():
            if re.fullmatch(r"[xy]axis\d*", key) and (axis.get("title") or {}).get("text"):
                titles.append(axis["title"]["text"])
    joined = " | ".join(titles)
    for unit in ("days", "US$", "%", "Hours per person per week", "Day of the plan"):
        assert unit in joined, unit


def test_a_scenario_keeps_its_colour_in_every_chart(pages):
    colors = scenario_colors([SCRIPT_NAME, IMG_NAME])
    seen = {SCRIPT_NAME: set(), IMG_NAME: set()}
    for fig in figure_blocks(pages["compare"]):
        for trace in fig["data"]:
            name = trace.get("name")
            for raw in seen:
                if name == esc(raw):
                    color = (trace.get("marker") or {}).get("color") or \
                        (trace.get("line") or {}).get("color")
                    if isinstance(color, str):
                        seen[raw].add(color)
    for raw, found in seen.items():
        assert found == {colors[raw]}, (raw, found)


@pytest.mark.parametrize("kind", ["run", "compare", "sweep", "runs"])
def test_hostile_names_are_escaped_in_html_and_figures(pages, kind):
    text = pages[kind]
    for raw in RAW_HOSTILE:
        assert raw not in text, raw
    if kind != "runs":
        assert html_escaped(SCRIPT_NAME) in text
    for fig in figure_blocks(text):
        for s in all_strings(fig):
            for raw in RAW_HOSTILE:
                assert raw not in s, (raw, s)
    # the only executable scripts are plotly.js and the loader
    scripts = re.findall(r"<script(?![^>]*application/json)[^>]*>", text)
    assert len(scripts) == 2


def html_escaped(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def test_hostile_names_reach_the_figures_as_entities(pages):
    strings = [s for fig in figure_blocks(pages["compare"]) for s in all_strings(fig)]
    assert any(esc(IMG_NAME) in s for s in strings)
    assert any(esc(PROFILE_NAME) in s for s in strings)


def test_content_security_policy_allows_only_the_pages_own_scripts(pages):
    text = pages["run"]
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text).group(1)
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    bodies = re.findall(r"<script>(.*?)</script>", text, flags=re.S)
    assert len(bodies) == 2
    for body in bodies:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_cdn_mode_is_small_and_loads_plotly_from_the_cdn(folders):
    text = render_report(folders["compare"], cdn=True)
    assert len(text.encode()) < 1_000_000
    assert re.search(r'<script src="https://cdn\.plot\.ly/plotly-[\d.]+\.min\.js"', text)
    assert "https://cdn.plot.ly" in re.search(r'Content-Security-Policy" content="([^"]+)"',
                                              text).group(1)


# ------------------------------------------------------------------ what it says


def test_run_headline_in_words(pages):
    text = pages["run"]
    assert "median time-to-fill" in text and "cost per hire $" in text
    assert "of reqs filled within the 120-day horizon" in text
    assert re.search(r"(Busiest role|No role is near its limit)", text)
    assert "Binding bottleneck" not in text  # busy is context, not proof of a constraint
    assert "only 2 replications" in text


def test_compare_headline_gives_goal_probabilities_and_statements(folders, pages):
    text = pages["compare"]
    report = json.loads((folders["compare"] / "comparison.json").read_text())
    assert "the 60-day P80 time-to-fill goal" in text
    assert re.search(r"\d+%", text)
    for statement in report["statements"]:
        assert html_escaped(statement) in text
    assert 'class="verdict"' in text
    assert "Paired differences against" in text


def test_sweep_headline_names_the_team_or_says_none_meets_the_goal(folders, pages):
    text = pages["sweep"]
    summary = json.loads((folders["sweep"] / "sweep_summary.json").read_text())
    if summary["recommended"]:
        assert "is the cheapest team in the grid that meets" in text
        assert html_escaped(summary["recommended"]) in text
    elif summary["decision"]["confident"]:
        assert "No team meets the goal" in text
    else:  # two replications: not enough to say even that none meets it
        assert "Not confident" in text and "not confident:" in text
    for section in ("KPIs over the grid", "Cost against speed", "Pareto"):
        assert section in text


def test_sections_present(pages):
    for title in ("Time-to-fill", "Cost per hire", "The funnel by source",
                  "Where the time goes", "Backlog and the bottleneck", "Assumptions",
                  "Provenance"):
        assert f">{title}</h2>" in pages["run"] or f">{title}:" in pages["run"], title
    assert "20261126" in pages["run"]  # the seed, in the provenance
    assert "hiresim version" in pages["run"]


def test_several_runs_in_one_folder(pages):
    assert "alpha vs beta" in pages["runs"]
    assert "Scenarios side by side" in pages["runs"]


# ------------------------------------------------------------------ errors and writing


def test_not_a_result_folder(tmp_path):
    with pytest.raises(ReportError) as err:
        render_report(tmp_path)
    assert "not a hiresim result folder" in str(err.value)
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ReportError):
        render_report(tmp_path)
    with pytest.raises(ReportError, match="not a folder"):
        render_report(tmp_path / "notes.txt")
    with pytest.raises(ReportError, match="no such folder"):
        render_report(tmp_path / "missing")


def test_unfinished_and_broken_runs_give_one_line(folders, tmp_path):
    import shutil

    copy_dir = tmp_path / "run"
    shutil.copytree(folders["run"], copy_dir)
    meta = json.loads((copy_dir / "run.json").read_text())
    meta["status"] = "interrupted"
    (copy_dir / "run.json").write_text(json.dumps(meta))
    with pytest.raises(ReportError) as err:
        render_report(copy_dir)
    assert "\n" not in str(err.value) and "not complete" in str(err.value)
    (copy_dir / "run.json").write_text("{not json\n at all")
    with pytest.raises(ReportError) as err:
        render_report(copy_dir)
    assert "\n" not in str(err.value)


def test_write_report_is_atomic(folders, tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    path = write_report(folders["run"], target)
    assert path == target and target.read_text().startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    # a failed replace leaves the old report as it was and no temporary file behind
    before = target.read_bytes()

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    from hiresim.html_report import pages

    monkeypatch.setattr(pages, "render_report", lambda folder, cdn=False: "<html>new</html>")
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(ReportError, match="cannot write"):
        write_report(folders["run"], target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_write_report_refuses_a_missing_parent_or_a_folder(folders, tmp_path):
    with pytest.raises(ReportError):
        write_report(folders["run"], tmp_path / "nope" / "r.html")
    with pytest.raises(ReportError):
        write_report(folders["run"], tmp_path)


def test_report_never_imports_simpy_or_the_model(folders):
    code = (
        "import sys; from hiresim.html_report import render_report; "
        f"render_report({str(folders['compare'])!r}, cdn=True); "
        "bad = [m for m in sys.modules if m == 'simpy' or m.startswith('hiresim.model')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


# ------------------------------------------------------------------ words and numbers


def test_goal_words():
    assert an.goal_words("time_to_fill_days.p80<=60", short=True) == \
        "the 60-day P80 time-to-fill goal"
    assert an.goal_words("time_to_fill_days.p80<=60") == "P80 time-to-fill at most 60 days"
    assert an.goal_words("fill_rate>=0.9") == "fill rate at least 90%"
    assert an.goal_words("cost_per_hire<12000") == "cost per hire under $12,000"
    assert an.goals_phrase(["hires>=40", "fill_rate>=0.9"]).startswith("all goals (")


def test_team_words():
    assert an.team_words({"team": {"structure": "split", "sourcers": {"count": 2},
                                   "recruiters": {"count": 3}}}) == \
        "split roles: 2 sourcers and 3 recruiters"
    assert an.team_words({"team": {"structure": "combined", "recruiters": {"count": 1}}}) == \
        "combined role: 1 full-cycle recruiter"


def test_km_box_counts_censored_reqs():
    import numpy as np

    days = np.array([10, 20, 30, 40, 100, 100, 100, 100, 100, 100], dtype=float)
    filled = np.array([True] * 4 + [False] * 6)
    box = an.km_box(days, filled)
    assert box["p25"] == 30 and box["p10"] == 10
    assert box["p50"] is None and box["censored"] == 6  # half never seen filled


def test_scenario_table_reads_distributions():
    rows = dict(an.flatten({"a": {"dist": "fixed", "value": 0.5},
                            "b": {"dist": "lognormal", "median": 3.0, "p90": 7.0},
                            "c": [{"name": "x", "k": 1}]}))
    assert rows == {"a": "0.5", "b": "lognormal (median 3, p90 7)", "c[x].k": "1"}


def test_esc_keeps_text_literal():
    assert esc(SCRIPT_NAME) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert esc("a & b") == "a &amp; b"


def test_small_scenario_is_valid():
    from hiresim.scenario import scenario_from_dict

    sc = scenario_from_dict(copy.deepcopy(small_scenario(SCRIPT_NAME)))
    assert sc.name == SCRIPT_NAME


def test_run_folder_with_goals_in_its_summary(folders, tmp_path):
    """If summary.json carries goal probabilities (as compare payloads do), they are shown."""
    import shutil

    target = tmp_path / "run"
    shutil.copytree(folders["run"], target)
    summary = json.loads((target / "summary.json").read_text())
    summary["goals"] = [{"goal": GOAL, "probability": 0.5, "ci_low": 0.1, "ci_high": 0.9,
                         "replications": 2}]
    (target / "summary.json").write_text(json.dumps(summary))
    text = render_report(target)
    assert "Meets the 60-day P80 time-to-fill goal in <b>50%</b> of simulated years" in text
    names = [t.get("name") for fig in figure_blocks(text) for t in fig["data"]]
    assert "goal: P80 ≤ 60 days" in names  # drawn on the time-to-fill chart


def test_report_reads_goals_and_intervals_with_the_library(folders):
    """The report uses hiresim.goals and hiresim.intervals themselves (both SimPy-free),
    and a year meets a list of goals only if it meets every one."""
    import numpy as np
    import pandas as pd

    from hiresim import intervals
    from hiresim.goals import parse_goal

    assert an.wilson is intervals.wilson
    assert an.paired_difference is intervals.paired_difference
    kpis = pd.read_parquet(next((folders["compare"]).glob("*/replications.parquet")))
    for text in (GOAL, "fill_rate>=0.5", "time_to_fill_days<40", "hires>3"):
        ours = an.goal_met(kpis, [text]).to_numpy() > 0.5
        assert (ours == parse_goal(text).met(kpis)).all(), text
    both = an.goal_met(kpis, [GOAL, "time_to_fill_days<40"]).to_numpy() > 0.5
    expected = parse_goal(GOAL).met(kpis) & parse_goal("time_to_fill_days<40").met(kpis)
    assert (both == expected).all()
    assert an.goal_met(kpis, ["fill_rate about 0.9"]) is None  # unreadable
    assert an.goal_met(kpis, ["no_such_metric>1"]) is None  # not in the table
    assert an.interval([1.0, 2.0, np.nan, 4.0])["n"] == 3


# ------------------------------------------------------------------ readable charts

def test_a_one_axis_sweep_is_drawn_as_lines_not_a_one_row_heatmap(pages):
    figs = figure_blocks(pages["sweep"])
    assert not any(t.get("type") == "heatmap" for f in figs for t in f["data"])
    lines = [f for f in figs if any(t.get("mode") == "lines+markers+text" for t in f["data"])]
    assert lines and all(f["layout"]["xaxis"]["title"]["text"] == "Recruiters" for f in lines)


def test_setting_labels_are_human():
    from hiresim.html_report.charts_sweep import setting_label

    assert setting_label("profiles[backend].interviewers.count") == "Backend interviewers"
    assert setting_label("team.sourcers.count") == "Sourcers"


def test_palette_is_colour_blind_safe_and_the_toolbar_stands_aside(pages):
    from hiresim.html_report.chart_style import PALETTE

    assert PALETTE[:3] == ("#0072B2", "#E69F00", "#009E73")  # Okabe-Ito
    for f in figure_blocks(pages["run"]):
        assert f["layout"]["modebar"]["orientation"] == "v"


def test_the_compare_funnel_is_one_row_of_grouped_bars(pages):
    funnels = [f for f in figure_blocks(pages["compare"])
               if "Candidate funnel" in f["layout"]["title"]["text"]]
    assert funnels and all(t["type"] == "bar" for t in funnels[0]["data"])
    assert funnels[0]["layout"]["barmode"] == "group"


def test_pareto_axes_start_at_zero(pages):
    pareto = [f for f in figure_blocks(pages["sweep"])
              if "Pareto" in f["layout"]["title"]["text"]]
    assert pareto[0]["layout"]["xaxis"]["range"][0] == 0
    assert pareto[0]["layout"]["yaxis"]["range"][0] == 0


def test_nothing_shown_as_zero_is_bold():
    from hiresim.html_report.cells import shown_zero, signed

    assert shown_zero(0.04, "days") and signed(0.04, "days") == "0.0"
    assert shown_zero(0.004, "ratio") and not shown_zero(0.04, "ratio")
    assert not shown_zero(0.06, "days")


def test_every_activity_of_the_model_has_a_label_in_the_report() -> None:
    """The hours-by-activity chart names each activity in words (none falls back to its
    code name, as 'req upkeep' once did)."""
    from hiresim.html_report.analysis import ACTIVITY_LABELS
    from hiresim.model.work import ACTIVITY_NAMES

    assert set(ACTIVITY_NAMES) <= set(ACTIVITY_LABELS)
