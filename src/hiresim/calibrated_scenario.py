"""Write a calibration as a scenario file whose comments say where every value comes from.

The hiring plan and each profile's market rates come from the export; everything the
export cannot inform (the team, efforts, outreach sequence, recurring workload, candidate
behaviour, costs, interviewer pools and interview lengths, a profile's acceptance decay and
market size) is copied from a base scenario (``--base``, or ``DEFAULT_BASE``) and marked
``default``. Every estimated value carries, as a comment, its sample size and 90% interval
(``hiresim.calibration``); each profile's ``dropout`` is the fitted Weibull drop-out. The
file is validated after writing, as ``hiresim validate`` would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from hiresim.calibration import (
    Calibration,
    Estimate,
    ProfileCalibration,
    ShapeFit,
    acceptance_drop,
    base_profile,
)
from hiresim.scenario import InterviewRound, RoleProfile, Scenario, scenario_from_dict
from hiresim.table_files import atomic_write_text

DEFAULT_BASE: dict[str, Any] = {
    "name": "calibrated",
    "team": {"structure": "combined",
             "recruiters": {"count": 3, "hours_per_week": 32, "max_reqs": 15}},
    "profiles": [{"name": "default", "openings": {"count": 1}}],
}
COMMENT_COLUMN = 44
BASE_SECTIONS = ("team", "effort", "outreach", "workload", "candidates", "costs")


def default_base() -> Scenario:
    return scenario_from_dict(DEFAULT_BASE, "<hiresim defaults>")


def _line(indent: int, text: str, comment: str = "") -> str:
    body = " " * indent + text
    if not comment:
        return body
    return f"{body.ljust(COMMENT_COLUMN)}  # {comment}"


def _flow(value: Any) -> str:
    """One value as inline YAML (strings quoted as JSON, which YAML reads the same)."""
    if isinstance(value, str):
        return json.dumps(value)
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, sort_keys=False)
    return text.strip().removesuffix("...").strip()


def _block(key: str, value: dict[str, Any], notes: dict[str, str] | None = None) -> list[str]:
    """A section as ``key:`` and one inline value per sub-key (with optional comments)."""
    notes = notes or {}
    return [f"{key}:"] + [_line(2, f"{k}: {_flow(v)}", notes.get(k, ""))
                          for k, v in value.items()]


def _rate(value: float) -> float:
    return round(min(max(value, 0.0), 1.0), 4)


def _estimate_line(indent: int, key: str, est: Estimate, rate: bool = True) -> str:
    value = _rate(est.value) if rate else round(est.value, 3)
    return _line(indent, f"{key}: {value}", est.comment())


def _round_lines(cal_round: tuple[str, Estimate], base: RoleProfile | None,
                 scenario: Scenario) -> list[str]:
    name, est = cal_round
    known = [r for r in (base.interview_rounds if base else []) if r.name == name] or [
        r for p in scenario.profiles for r in p.interview_rounds if r.name == name]
    template = known[0] if known else InterviewRound(name=name, pass_rate=0.5)
    dumped = template.model_dump(mode="json")
    where = "base" if known else "hiresim defaults"
    lines = [_line(6, f"- name: {_flow(name)}"), _estimate_line(8, "pass_rate", est)]
    for key in ("interviewer_hours", "panel_size", "lead_days"):
        lines.append(_line(8, f"{key}: {_flow(dumped[key])}",
                           f"default: not in the export (from {where})"))
    return lines


def _dropout_line(p: ProfileCalibration, shape: ShapeFit) -> str:
    est = p.dropout
    assert est is not None
    value = {"hazard_per_week": round(float(est.value), 4),
             "shape": round(float(shape.value), 3)}
    return _line(4, "dropout: " + _flow(value),
                 f"hazard: {est.comment()}; shape: {shape.comment()}")


def profile_lines(p: ProfileCalibration, scenario: Scenario, base_label: str,
                  shape: ShapeFit) -> list[str]:
    base = base_profile(scenario, p.name)
    template = base or RoleProfile(name=p.name, openings={"count": 1})  # type: ignore[arg-type]
    where = f"from {base_label}" if base else "hiresim defaults"
    r = p.rates
    last = p.last_day if p.reqs > 1 else p.first_day
    lines = [
        _line(2, f"- name: {_flow(p.name)}",
              f"{p.reqs} reqs, {p.candidates:,} candidates in the export"),
        _line(4, "openings: " + _flow({"count": p.reqs, "first_day": round(p.first_day, 2),
                                       "last_day": round(last, 2), "spacing": "even"}),
              f"{p.open_rate.value:.3g} reqs/week, {p.open_rate.comment()}"),
        _line(4, f"annual_salary: {template.annual_salary:g}",
              f"default: not in the export ({where})"),
        "    inbound:",
        _estimate_line(6, "applications_per_week", r["inbound.applications_per_week"], False),
        _line(6, f"reviewed: {'true' if p.reviewed else 'false'}",
              "the export has an application review stage" if p.reviewed else
              "no application review stage in the export"),
        _estimate_line(6, "review_pass_rate", r["inbound.review_pass_rate"]),
        "    sourced:",
        _estimate_line(6, "reply_rate", r["sourced.reply_rate"]),
        _estimate_line(6, "interest_rate", r["sourced.interest_rate"]),
        _estimate_line(6, "qualify_rate", r["sourced.qualify_rate"]),
    ]
    market = template.sourced
    if market.market_size is not None:
        lines += [_line(6, f"market_size: {market.market_size}",
                        f"default: not in the export ({where})"),
                  _line(6, f"recontact_after_days: {market.recontact_after_days:g}",
                        f"default: not in the export ({where})")]
    lines += [
        _estimate_line(4, "screen_pass_rate", r["screen_pass_rate"]),
    ]
    if p.rounds:
        lines.append("    interview_rounds:")
        for item in p.rounds:
            lines += _round_lines(item, base, scenario)
    else:
        lines.append(_line(4, "interview_rounds: []", "no interview stages in the export"))
    lines += [
        _estimate_line(4, "decision_pass_rate", r["decision_pass_rate"]),
        _estimate_line(4, "offer_acceptance", r["offer_acceptance"]),
    ]
    if template.acceptance_drop_per_week is not None:
        lines.append(_line(4, f"acceptance_drop_per_week: "
                              f"{acceptance_drop(scenario, p.name):g}",
                           f"default: not in the export ({where}); the offer rate above "
                           "is net of it"))
    lines += [
        _dropout_line(p, shape),
        _line(4, "interviewers: " + _flow(template.interviewers.model_dump(mode="json")),
              f"default: not in the export ({where})"),
    ]
    return lines


def scenario_text(cal: Calibration, base: Scenario, base_label: str, name: str) -> str:
    """The calibrated scenario as commented YAML."""
    h = cal.history
    rep = h.report
    sim = base.simulation.model_dump(mode="json")
    last_open = max(p.last_day for p in cal.profiles)
    sim["horizon_days"] = round(max(h.days, last_open + 1.0), 1)
    if "start_date" in type(base.simulation).model_fields:
        sim["start_date"] = h.start_date().isoformat()
    lines = [
        f"# Calibrated by hiresim from {', '.join(h.files)}",
        f"# {rep.summary()}; period {h.start_date()} to {h.days:.0f} days later.",
        f"# Values marked 'default' were not informed by the export (base: {base_label}).",
        "# Intervals are 90% posterior intervals (hiresim.calibration; docs/calibration.md).",
        f"name: {_flow(name)}",
        f"description: {_flow('Calibrated from ' + ', '.join(h.files))}",
    ]
    lines += _block("simulation", sim, {"horizon_days": "the export's period (days)",
                                        "start_date": "the export's first req"})
    for key in BASE_SECTIONS:
        value = getattr(base, key).model_dump(mode="json")
        lines.append(f"# {key}: default, not informed by the export (from {base_label})")
        lines += _block(key, value)
    lines += [
        "# profiles[].dropout: withdrawals before the offer, timed from engagement (Weibull;",
        "# withdrawals for patience cannot be told apart in an export and count here too).",
        "profiles:",
    ]
    for p in cal.profiles:
        lines += profile_lines(p, base, base_label, cal.dropout_shape)
    lines.append("# Time in stage in the export (lognormal fitted with right-censoring; it "
                 "includes waiting for")
    lines.append("# the team, which the model produces from capacities, so it is not copied "
                 "into the scenario):")
    for f in cal.durations:
        lines.append(f"#   {f.stage}: median {f.median:.3g} days ({f.low:.3g}-{f.high:.3g}), "
                     f"P90 {f.p90:.3g}; {f.events:,} exits, {f.censored:,} censored")
    return "\n".join(lines) + "\n"


def write_scenario(cal: Calibration, base: Scenario, base_label: str, out: str | Path,
                   name: str | None = None) -> Path:
    """Write the calibrated scenario to ``out`` and check that it loads."""
    from hiresim.scenario_files import load_scenario

    target = Path(out)
    text = scenario_text(cal, base, base_label, name or target.stem)
    atomic_write_text(target, text)
    load_scenario(target)  # raises ScenarioError if the written file does not validate
    return target
