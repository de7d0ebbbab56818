"""sweep --robust: team shapes ranked across parameter uncertainty and the year's luck."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import yaml

from hiresim.robust import draw, risk_split
from hiresim.scenario_files import UncertainInput
from small_scenario import cli, small_dict


def test_risk_split_separates_parameters_from_luck():
    # every draw decides the year alone: all of the risk is parameter uncertainty
    by_inputs = np.repeat(np.array([[1.0], [0.0], [1.0], [0.0]]), 50, axis=1)
    split = risk_split(by_inputs)
    assert split["goal_probability"] == 0.5
    assert split["parameter_share"] == pytest.approx(1.0, abs=0.02)
    # the same coin in every draw: all of it is the year's luck
    rng = np.random.default_rng(1)
    coin = np.tile(rng.random(400) < 0.5, (8, 1)).astype(float)
    assert risk_split(coin)["luck_share"] == 1.0
    certain = risk_split(np.ones((3, 5)))
    assert certain["parameter_share"] == certain["luck_share"] == 0.0


def test_draws_stay_in_their_ranges():
    inputs = [UncertainInput(("a",), 0.2, 0.4), UncertainInput(("b",), 1, 5, integer=True),
              UncertainInput(("c",), 0.0, 1.0, mode=0.9)]
    x = draw(inputs, 64, 7)
    assert ((x[:, 0] >= 0.2) & (x[:, 0] <= 0.4)).all()
    assert set(x[:, 1]) <= {1, 2, 3, 4, 5}
    assert x[:, 2].mean() > 0.55  # triangular leaning to its mode
    assert (draw(inputs, 64, 7) == x).all()  # reproducible


@pytest.mark.slow
def test_two_inputs_four_shapes_robust_sweep_is_quick(tmp_path):
    data = small_dict()
    data["sweep"] = {"team.sourcers.count": [0, 1], "team.recruiters.count": [1, 2]}
    data["uncertain"] = {"profiles[*].sourced.reply_rate": {"low": 0.1, "high": 0.5},
                         "profiles[*].offer_acceptance": {"low": 0.5, "high": 0.95}}
    path = tmp_path / "robust.yaml"
    path.write_text(yaml.safe_dump(data))
    html = tmp_path / "robust.html"
    start = time.monotonic()
    result = cli("sweep", path, "--robust", "--robust-samples", 8, "-n", 20, "--goal",
                 "time_to_fill_days.p80<=40", "--format", "json", "--workers", 2, "-q",
                 "--report", html)
    assert time.monotonic() - start < 180
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert len(report["ranking"]) == 4 and len(report["samples"]) == 8
    for row in report["ranking"]:
        assert row["parameter_share"] + row["luck_share"] == pytest.approx(1.0)
    assert any(r["parameter_share"] > 0 for r in report["ranking"])
    assert "from not knowing the inputs" in report["recommendation"]
    assert "from the year's luck" in report["recommendation"]
    assert "Parameter uncertainty against the year" in html.read_text()


def test_robust_needs_a_goal_and_inputs(tmp_path):
    data = small_dict()
    data["sweep"] = {"team.recruiters.count": [1, 2]}
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump(data))
    result = cli("sweep", path, "--robust", "--workers", 1, "-q")
    assert result.exit_code == 2 and "--goal" in result.stderr
    result = cli("sweep", path, "--robust", "--goal", "fill_rate>=0.9", "--workers", 1, "-q")
    assert result.exit_code == 2 and "uncertain" in result.stderr
