"""Headlines that cover the picture: at 2x openings the compare headline names the median
and hires as well as P80; a sweep whose budget runs out says it is not confident."""

from __future__ import annotations

import json

import yaml

from hiresim.comparison import picture_statement
from hiresim.experiment import Executor
from hiresim.scenario import Scenario
from hiresim.scenario_files import load_scenario
from hiresim.studies import compare_study
from small_scenario import REPO, cli, small_dict


def test_mixed_directions_are_said_in_one_sentence() -> None:
    diffs = {  # the 2x-openings numbers: faster at P80, slower median, fewer hires
        "time_to_fill_p80": {"mean": -13.5, "ci_low": -18.0, "ci_high": -9.0,
                             "confidence": 0.95},
        "time_to_fill_p50": {"mean": 14.6, "ci_low": 10.0, "ci_high": 19.0,
                             "confidence": 0.95},
        "hires": {"mean": -3.9, "ci_low": -5.5, "ci_high": -2.3, "confidence": 0.95},
        "cost_per_hire": {"mean": 120.0, "ci_low": -300.0, "ci_high": 500.0,
                          "confidence": 0.95},
    }
    text = picture_statement("split", "combined", diffs)
    assert text.startswith("A mixed picture")
    assert "faster for the slowest reqs" in text and "slower for the typical req" in text
    assert "3.9 fewer hires" in text and "no clear difference in cost per hire" in text


def _doubled(name: str) -> Scenario:
    data = yaml.safe_load(Scenario.model_dump_json(load_scenario(REPO / "scenarios" / name)))
    for profile in data["profiles"]:
        profile["openings"]["count"] *= 2
    data["name"] = name.removesuffix(".yaml")
    return Scenario.model_validate(data)


def test_two_x_openings_headline_names_median_and_hires_as_well_as_p80() -> None:
    scenarios = [_doubled("combined.yaml"), _doubled("split.yaml")]
    with Executor(1) as ex:
        study = compare_study(scenarios, 16, 20261126, ex)
    lead = study.report["statements"][0]
    assert "P80" in lead and "median" in lead and "hires" in lead
    # a clear difference is named with its direction, an unclear one as not clear
    d = study.report["differences"]["split"]["hires"]
    if d["ci_high"] < 0:
        assert "fewer hires" in lead
    elif d["ci_low"] > 0:
        assert "more hires" in lead
    else:
        assert "no clear difference in" in lead or "no clear difference" in lead


def test_a_sweep_whose_budget_runs_out_says_not_confident_and_why(tmp_path) -> None:
    data = small_dict()
    data["sweep"] = {"team.recruiters.count": [1, 2, 3]}
    path = tmp_path / "grid.yaml"
    path.write_text(yaml.safe_dump(data))
    result = cli("sweep", path, "--goal", "fill_rate>=0.5", "--budget", "12", "-q",
                 "--workers", "1", "--confidence", "0.8")
    assert result.exit_code == 0, result.output
    assert "not confident" in result.output and "ran out" in result.output
    out = cli("sweep", path, "--goal", "fill_rate>=0.5", "--budget", "12", "-q",
              "--workers", "1", "--format", "json")
    report = json.loads(out.output)
    assert report["decision"]["confident"] is False
    assert report["decision"]["total_replications"] <= 12
