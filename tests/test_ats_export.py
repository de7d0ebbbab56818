"""Reading ATS exports: the generic format's checks, the Greenhouse/Lever/Ashby adapters,
--stage-map, and the simulated history written by export-history."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pytest

from hiresim.ats_export import ExportError
from hiresim.history_export import history_rows
from hiresim.history_loader import load_history
from hiresim.replication import run_replication
from hiresim.scenario import scenario_from_dict
from small_scenario import cli, small_dict

HEADER = "candidate_id,req_id,profile,source,stage,entered_at,left_at,outcome\n"


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def test_bad_rows_each_get_one_line_with_their_row_number(tmp_path):
    f = write(tmp_path / "h.csv", HEADER + """\
        c1,r1,backend,inbound,application_review,2026-01-05,2026-01-06,passed
        c1,r1,backend,inbound,screen,2026-01-06,2026-01-07,passed
        c1,r1,backend,inbound,screen,2026-01-06,2026-01-07,passed
        c2,r1,backend,inbound,lunch,2026-01-05,2026-01-06,passed
        c3,r1,backend,inbound,screen,2026-01-09,2026-01-08,rejected
        c4,r1,backend,inbound,screen,2026-01-05,2026-01-06,passed
        c4,r1,backend,inbound,application_review,2026-01-07,2026-01-08,passed
        c5,r1,backend,inbound,screen,2026-02-30,,open
        c6,r1,backend,inbound,screen,2026-01-05,2026-01-06,maybe
        c7,r1,backend,inbound,screen,2026-01-05,2026-01-06,passed,extra
        c8,r1,backend,martian,screen,2026-01-05,2026-01-06,passed
        c9,r1,backend,inbound,screen,2026-01-05,,rejected
        """)
    history = load_history([f])
    lines = history.report.lines()
    text = "\n".join(lines)
    expected = [
        f"{f}:4: warning: duplicated row: candidate c1 entered screen",
        f"{f}:5: error: stage: unknown stage 'lunch'",
        f"{f}:6: error: left_at: negative duration",
        f"{f}:7: warning: entered_at: dates out of order",
        f"{f}:9: error: entered_at: '2026-02-30' is not a date",
        f"{f}:10: error: outcome: 'maybe' is not one of",
        f"{f}:11: error: 1 more value(s) than the header has columns (malformed row)",
        f"{f}:12: error: source: 'martian' is not one of",
        f"{f}:13: error: left_at: empty, but outcome is 'rejected'",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, text)
    assert lines[-1] == "12 rows read, 4 used, 8 skipped (7 errors, 2 warnings)"
    assert len(history.visits) == 4
    assert set(history.visits["candidate"]) == {"c1", "c4"}


def test_missing_columns_and_empty_files_are_refused(tmp_path):
    with pytest.raises(ExportError, match="missing column"):
        load_history([write(tmp_path / "a.csv", "candidate_id,req_id\nc1,r1\n")])
    with pytest.raises(ExportError, match=r"(?s)unknown stage 'x'.*no usable rows"):
        load_history([write(tmp_path / "c.csv", HEADER + "c1,r1,b,inbound,x,2026-01-05,,open\n")])
    with pytest.raises(ExportError, match="empty file"):
        load_history([write(tmp_path / "b.csv", "")])


def test_stage_map_renames_a_custom_pipeline(tmp_path):
    f = write(tmp_path / "h.csv", HEADER + """\
        c0,r1,backend,inbound,screen,2026-01-05,2026-01-06,rejected
        c1,r1,backend,inbound,Culture Fit,2026-01-05,2026-01-06,passed
        c1,r1,backend,inbound,Coffee,2026-01-06,2026-01-07,passed
        """)
    assert "unknown stage 'Culture Fit'" in "\n".join(load_history([f]).report.lines())
    yml = write(tmp_path / "map.yaml", "Culture Fit: interview:culture\nCoffee: ignore\n")
    history = load_history([f], stage_map=yml)
    assert list(history.visits["stage"]) == ["screen", "interview:culture"]
    assert "1 rows of stages mapped to 'ignore' left out" in history.report.lines()
    csv_map = write(tmp_path / "map.csv", "their stage,stage\nCulture Fit,screen\n"
                                          "Coffee,debrief\n")
    assert list(load_history([f], stage_map=csv_map).visits["stage"]) == [
        "screen", "screen", "debrief"]
    bad = write(tmp_path / "bad.yaml", "Culture Fit: lunch\n")
    with pytest.raises(ExportError, match="'lunch', which is not a stage"):
        load_history([f], stage_map=bad)


GREENHOUSE = """\
application_id,job_id,job_name,source,stage_name,entered_on,exited_on,status,rejection_reason
a1,j1,Backend,Careers page,Application Review,2026-01-05,2026-01-06,hired,
a1,j1,Backend,Careers page,Recruiter Screen,2026-01-06,2026-01-08,hired,
a1,j1,Backend,Careers page,Technical Interview,2026-01-08,2026-01-12,hired,
a1,j1,Backend,Careers page,Offer,2026-01-14,2026-01-16,hired,
a2,j1,Backend,Prospecting,Recruiter Screen,2026-01-07,2026-01-08,rejected,Candidate withdrew
a3,j1,Backend,Referral,Application Review,2026-01-07,2026-01-07,rejected,Not a fit
a4,j1,Backend,Indeed,Application Review,2026-01-09,,active,
"""
LEVER = """\
Opportunity ID,Posting ID,Posting Title,Origin,Stage,Changed At,Archived At,Archive Reason
o1,p1,Backend,sourced,Reached Out,2026-01-05T09:00,2026-01-20T10:00,Hired
o1,p1,Backend,sourced,Responded,2026-01-06T09:00,2026-01-20T10:00,Hired
o1,p1,Backend,sourced,Phone Screen,2026-01-07T09:00,2026-01-20T10:00,Hired
o1,p1,Backend,sourced,Onsite,2026-01-10T09:00,2026-01-20T10:00,Hired
o1,p1,Backend,sourced,Offer,2026-01-15T09:00,2026-01-20T10:00,Hired
o2,p1,Backend,applied,New applicant,2026-01-05T12:00,2026-01-06T12:00,Underqualified
o3,p1,Backend,agency,Phone Screen,2026-01-06T12:00,,
"""
ASHBY = """\
Application ID,Job ID,Job Title,Source,Title,Entered Stage At,Left Stage At,Status,Archive Reason
x1,jb1,Backend,Outbound sourcing,Reached Out,2026-01-05T09:00Z,2026-01-07T09:00Z,Hired,
x1,jb1,Backend,Outbound sourcing,Recruiter Screen,2026-01-07T09:00Z,2026-01-08T09:00Z,Hired,
x1,jb1,Backend,Outbound sourcing,Offer,2026-01-12T09:00Z,2026-01-14T09:00Z,Hired,
x1,jb1,Backend,Outbound sourcing,Hired,2026-01-14T09:00Z,,Hired,
x2,jb1,Backend,Applied,Application Review,2026-01-06T09:00Z,2026-01-06T10:00Z,Archived,Declined
x3,jb1,Backend,Applied,Offer,2026-01-06T09:00Z,2026-01-09T10:00Z,Archived,Offer declined
x4,jb1,Backend,Applied,Recruiter Screen,2026-01-06T09:00Z,2026-01-09T10:00Z,Archived,Job closed
"""


def outcomes(history) -> list[tuple[str, str, str, str]]:
    v = history.visits.sort_values(["candidate", "entered"])
    return list(zip(v["candidate"], v["stage"], v["outcome"], v["source"], strict=True))


def test_greenhouse_application_stages_load(tmp_path):
    f = write(tmp_path / "gh.csv", GREENHOUSE)
    history = load_history([f], fmt="greenhouse")
    assert history.report.lines()[-1].startswith("7 rows read, 7 used, 0 skipped (0 errors")
    assert outcomes(history) == [
        ("a1", "application_review", "passed", "inbound"),
        ("a1", "screen", "passed", "inbound"),
        ("a1", "interview:technical", "passed", "inbound"),
        ("a1", "offer", "hired", "inbound"),
        ("a2", "screen", "withdrew", "sourced"),
        ("a3", "application_review", "rejected", "referral"),
        ("a4", "application_review", "open", "inbound")]
    req = history.reqs.set_index("req").loc["j1"]
    assert req["profile"] == "Backend" and math.isfinite(req["filled"])


def test_lever_stage_changes_load(tmp_path):
    history = load_history([write(tmp_path / "lever.csv", LEVER)], fmt="lever")
    assert history.report.errors == []
    assert outcomes(history) == [
        ("o1", "outreach", "passed", "sourced"), ("o1", "interest", "passed", "sourced"),
        ("o1", "screen", "passed", "sourced"), ("o1", "interview:onsite", "passed", "sourced"),
        ("o1", "offer", "hired", "sourced"),
        ("o2", "application_review", "rejected", "inbound"),
        ("o3", "screen", "open", "agency")]
    offer = history.visits[history.visits["stage"] == "offer"].iloc[0]
    assert offer["left"] - offer["entered"] == pytest.approx(5 + 1 / 24)


def test_ashby_application_history_loads(tmp_path):
    history = load_history([write(tmp_path / "ashby.csv", ASHBY)], fmt="ashby")
    assert outcomes(history) == [
        ("x1", "outreach", "passed", "sourced"), ("x1", "screen", "passed", "sourced"),
        ("x1", "offer", "hired", "sourced"),
        ("x2", "application_review", "rejected", "inbound"),
        ("x3", "offer", "declined", "inbound"),
        ("x4", "screen", "closed", "inbound")]
    assert any("'Hired' stage read as the answer" in n for n in history.report.notes)
    assert history.report.lines()[-1].startswith("7 rows read, 6 used, 1 skipped")


def test_an_adapter_refuses_a_file_of_another_layout(tmp_path):
    with pytest.raises(ExportError, match="not a lever export"):
        load_history([write(tmp_path / "gh.csv", GREENHOUSE)], fmt="lever")


def test_adapter_unknown_stage_is_an_error_with_its_row(tmp_path):
    text = GREENHOUSE.replace("Technical Interview", "Vibe Check")
    f = write(tmp_path / "gh.csv", text)
    history = load_history([f], fmt="greenhouse")
    assert any(str(p).startswith(f"{f}:4: error: stage: unknown stage 'Vibe Check'")
               for p in history.report.errors)


def test_simulated_history_matches_the_model_records():
    """Every stage visit is a row (plus an interest row per reply); hires match filled reqs."""
    sc = scenario_from_dict(small_dict(horizon_days=120, openings=2, easy=False))
    result = run_replication(sc, 0, record_detail=True)
    rows, reqs = history_rows(result, 20458.0)
    replies = sum(1 for c in result.candidates if c[9])
    assert len(rows) == len(result.visits) + replies
    filled = sum(1 for r in result.reqs if math.isfinite(r[6]))
    assert sum(1 for r in rows if r[7] == "hired") == filled
    assert sum(1 for r in reqs if r[4]) == filled
    assert {r[7] for r in rows} <= {"passed", "rejected", "withdrew", "hired", "declined",
                                    "closed", "open"}


def test_export_history_command_writes_the_generic_format(tmp_path):
    f = tmp_path / "small.yaml"
    import yaml

    f.write_text(yaml.safe_dump(small_dict(horizon_days=60, openings=1)))
    result = cli("export-history", f, "--out", tmp_path / "h.csv")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "h.csv").read_text().startswith(HEADER)
    assert (tmp_path / "h-reqs.csv").read_text().startswith(
        "req_id,profile,opened_at,posted_at,filled_at\nr0,backend,2026-01-05T00:00,")
    history = load_history([tmp_path / "h.csv", tmp_path / "h-reqs.csv"])
    assert history.report.problems == []
    assert len(history.reqs) == 3
