"""A planted case where the busiest role is not the constraint: sourcers fill every free
hour with outreach (over 85% busy) while scarce interviewers hold candidates up. The
bottleneck named by effect (``run --bottleneck``) is the interviewers, whose one more
person shortens P80 time-to-fill, not the sourcers, whose one more person does not."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from hiresim.html_report import render_report
from small_scenario import cli, small_dict


def _planted() -> dict:
    data = small_dict(horizon_days=180, openings=3)
    data["outreach"].update(prospects_per_req_per_week=30, max_active_per_req=50)
    data["team"]["sourcers"]["hours_per_week"] = 8
    for profile in data["profiles"]:
        profile["inbound"]["applications_per_week"] = 6
        profile["interviewers"].update(count=1, hours_per_week=2, scheduling="fluid")
        profile["interviewers"].pop("panel_window_days", None)
        profile["dropout"] = {"hazard_per_week": 0.0}
    # the planted mechanism alone: no recurring workload, no talent pool (issue 15)
    data["workload"] = {"recruiter_hours_per_req_per_week": 0.0,
                        "recruiter_hours_per_candidate_per_week": 0.0,
                        "sourcer_hours_per_req_per_week": 0.0}
    data["candidates"]["pool_reengage_rate"] = 0.0
    return data


def test_the_bottleneck_named_is_the_one_whose_addition_helps(tmp_path: Path) -> None:
    path = tmp_path / "planted.yaml"
    path.write_text(yaml.safe_dump(_planted()))
    out = tmp_path / "run"
    result = cli("run", path, "-n", 20, "--seed", 7, "--workers", 2, "-q", "--bottleneck",
                 "--out", out)
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "summary.json").read_text())["metrics"]
    busiest = max(("sourcer", "recruiter", "interviewers"),
                  key=lambda r: metrics[f"utilization_{r}"]["mean"])
    assert busiest == "sourcer" and metrics["utilization_sourcer"]["mean"] >= 0.85
    found = json.loads((out / "bottleneck.json").read_text())
    assert found["role"].startswith("interviewers:")
    sourcer = next(e for e in found["effects"] if e["role"] == "sourcer")
    assert not sourcer["clear"]  # the busiest role: one more sourcer does not clearly help
    named = next(e for e in found["effects"] if e["role"] == found["role"])
    assert named["effect"]["ci_high"] < 0 and named["cost_per_year"] > 0
    assert "Bottleneck by effect: " in result.output  # printed with the summary
    page = render_report(out)
    assert "Bottleneck by effect: " in page and "Context: Busiest role: sourcers" in page
