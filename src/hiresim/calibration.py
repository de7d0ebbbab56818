"""Estimates of a scenario's market rates from a candidate-stage history, with uncertainty.

What is estimated (``calibrate``), per role profile unless said otherwise:

- **Pass rates** of every stage (reply, interest, qualification, application review,
  screen, each interview round, the hiring decision, offer acceptance), with partial
  pooling: a profile's rate has a Beta prior centred on the team-wide rate of the *other*
  profiles (so that no candidate counts twice), whose strength (``kappa``,
  pseudo-candidates) comes from how much the profiles' raw rates differ beyond binomial
  noise (method of moments) plus the uncertainty of that team-wide rate, kept between
  ``KAPPA_MIN`` and ``KAPPA_MAX``; the team-wide rate itself starts from a published or
  default value (``PUBLISHED``) worth ``PRIOR_STRENGTH`` candidates. A profile with few
  candidates therefore lands near the team's rate, and a team with few near the published
  one. Posteriors are computed on a grid, which lets each decision carry its own model
  detail: the sourcing role's reply multiplier, the handoff's context loss on the screen,
  the decay of offer acceptance after the grace period (``hiresim.scenario``). Value:
  posterior mean; interval: 90% central posterior interval.
- **Outreach replies** are timed by their outcome (a non-reply is declared at the last
  touch, a reply comes earlier), so a prospect cut off by the req closing would bias the
  reply rate; only prospects first contacted at least ``reply_window`` days (the 99th
  percentile of resolved outreach durations) before their req filled or the export ended
  are counted. Later stages decide at their end whatever the outcome, so closed and open
  candidates are simply left out of those rates.
- **Applications per req-week**: inbound candidates (referrals and agencies included) over
  the weeks each req was advertised (``posted_at``, or ``opened_at``, to its fill or the
  end of the export); Gamma-Poisson, pooled the same way.
- **Req open rate**: reqs opened per week; the plan (``openings``) copies the history's
  count and first and last opening day.
- **Drop-out** (``profiles[].dropout``, ``hiresim.model`` 4.9): the model's Weibull clock
  (still in process after *w* weeks with probability ``exp(-hazard_per_week * w ** shape)``)
  starts when a candidate engages (a sourced one at the reply with interest, an applicant
  after the application review, a pool candidate at the re-engagement call) and stops at
  the offer. Each engaged candidate gives one time from engagement: a withdrawal before the
  offer is an event, anything else (rejected, reached the offer, closed out, still open)
  is right-censored there. For a given shape, ``sum(w ** shape)`` over candidates is the
  exposure of a Gamma-Poisson posterior of ``hazard_per_week``, pooled over profiles like
  the applications. The shape is the team-wide maximum-likelihood value (profile
  likelihood, 90% interval from the likelihood ratio) when the export has at least
  ``SHAPE_MIN_EVENTS`` withdrawals, otherwise the base scenario's. Withdrawals for
  patience (waiting for the team, which the model produces from capacities) cannot be told
  apart in an export and are counted as drop-outs, so the hazard is an upper bound when
  the team is the bottleneck.
- **Pool candidates** (source ``pool``, re-engaged from the talent pool) enter at the
  screen, which they pass by construction (a re-engagement call): they are left out of the
  screen's pass rate and of the applications; their later decisions count like anyone's.
- **Durations per stage**: a lognormal fitted by maximum likelihood with right-censoring
  (candidates still open, or closed out, count as "at least this long"), median with a 90%
  interval and P90. They include waiting for the team, which the model produces from
  capacities, so they are reported, not written into the scenario.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from hiresim.ats_export import ROUND_PREFIX, History
from hiresim.scenario import RoleProfile, Scenario

LEVEL = 0.90  # the written intervals
PRIOR_STRENGTH = 10.0  # pseudo-candidates behind a published value
KAPPA_MIN, KAPPA_MAX = 2.0, 40.0
RATE_PRIOR_WEEKS = 2.0  # pseudo req-weeks behind the published applications per week
SHAPE_MIN_EVENTS = 100  # withdrawals needed before the drop-out shape is fitted
SHAPES = np.linspace(0.5, 3.0, 251)  # the drop-out shapes searched
APPLICANT_SOURCES = ("inbound", "referral", "agency")
GRID = np.linspace(0.0005, 0.9995, 1999)
# Published benchmarks (docs/model.md section 10) where one exists, otherwise hiresim's
# defaults: the team-wide rates start here.
PUBLISHED = {
    "sourced.reply_rate": 0.35,  # Lever 2018, engineers
    "sourced.interest_rate": 0.5, "sourced.qualify_rate": 0.7,
    "inbound.review_pass_rate": 0.2, "screen_pass_rate": 0.5, "interview": 0.5,
    "decision_pass_rate": 0.8,
    "offer_acceptance": 0.84,  # Saratoga/PwC 2022
    "inbound.applications_per_week": 10.0,
    "dropout.hazard_per_week": 0.05,  # docs/model.md 4.9 (10-30% of screened withdraw)
}
STAGE_FIELD = {"outreach": "sourced.reply_rate", "interest": "sourced.interest_rate",
               "qualification": "sourced.qualify_rate",
               "application_review": "inbound.review_pass_rate",
               "screen": "screen_pass_rate", "debrief": "decision_pass_rate",
               "offer": "offer_acceptance"}
DECIDED = {"passed": 1, "hired": 1, "rejected": 0, "declined": 0}


@dataclass(frozen=True)
class Estimate:
    """One calibrated number: value, 90% interval, sample size and how it was obtained."""

    value: float
    low: float
    high: float
    n: int
    basis: str  # e.g. "412 decisions", "1,203 applications over 148 req-weeks"
    informed: bool = True  # False: nothing in the export; the value is a prior/default

    def comment(self, digits: int = 3) -> str:
        if not self.informed:
            return f"default: {self.basis}"
        return (f"{self.basis}; {LEVEL:.0%} interval [{self.low:.{digits}g}, "
                f"{self.high:.{digits}g}]")


@dataclass(frozen=True)
class DurationFit:
    """A censored lognormal fit of the time spent in one stage (days)."""

    stage: str
    median: float
    low: float  # 90% interval of the median
    high: float
    p90: float
    events: int
    censored: int


@dataclass
class ProfileCalibration:
    name: str
    reqs: int
    candidates: int
    first_day: float
    last_day: float
    open_rate: Estimate  # reqs opened per week
    rates: dict[str, Estimate] = field(default_factory=dict)  # field path -> estimate
    rounds: list[tuple[str, Estimate]] = field(default_factory=list)
    reviewed: bool = True
    dropout: Estimate | None = None  # hazard_per_week of profiles[].dropout


@dataclass(frozen=True)
class ShapeFit:
    """The drop-out Weibull shape written into every profile: fitted, or the base's."""

    value: float
    low: float
    high: float
    events: int
    fitted: bool

    def comment(self) -> str:
        if not self.fitted:
            return (f"default: from the base ({self.events} withdrawals, under "
                    f"{SHAPE_MIN_EVENTS} needed to fit it)")
        return (f"fitted to {self.events:,} withdrawals; {LEVEL:.0%} interval "
                f"[{self.low:.3g}, {self.high:.3g}]")


@dataclass
class Calibration:
    """Everything ``calibrate`` estimated from one history."""

    history: History
    profiles: list[ProfileCalibration]
    dropout_shape: ShapeFit
    durations: list[DurationFit]
    reply_window: float


# --------------------------------------------------------------------------- posteriors


def beta_grid_posterior(success: np.ndarray, scale: np.ndarray, offset: np.ndarray,
                        prior_mean: float, strength: float
                        ) -> tuple[float, float, float, float]:
    """Posterior mean, 90% interval and variance of a rate p whose decisions succeed with
    probability ``clip(scale * p - offset)``, under a Beta(strength*mean,
    strength*(1-mean)) prior."""
    a, b = strength * prior_mean, strength * (1.0 - prior_mean)
    logp = (a - 1.0) * np.log(GRID) + (b - 1.0) * np.log1p(-GRID)
    if len(success):
        keys = pd.DataFrame({"s": success, "m": scale, "d": offset}).value_counts()
        for (s, m, d), count in keys.items():
            q = np.clip(m * GRID - d, 1e-9, 1 - 1e-9)
            logp = logp + count * (np.log(q) if s else np.log1p(-q))
    w = np.exp(logp - logp.max())
    w /= w.sum()
    cdf = np.cumsum(w)
    tail = (1.0 - LEVEL) / 2.0
    mean = float((w * GRID).sum())
    return (mean, float(GRID[int(np.searchsorted(cdf, tail))]),
            float(GRID[min(int(np.searchsorted(cdf, 1.0 - tail)), len(GRID) - 1)]),
            float((w * (GRID - mean) ** 2).sum()))


def between_variance(k: np.ndarray, n: np.ndarray) -> float:
    """Variance of the profiles' true rates around the team's rate beyond binomial noise
    (method of moments on the beta-binomial; 0 when the profiles look alike)."""
    keep = n > 0
    k, n = k[keep], n[keep]
    if len(n) < 2:
        return 0.0
    p = k.sum() / n.sum()
    s = float((n * (k / n - p) ** 2).sum())
    denom = n.sum() - (n ** 2).sum() / n.sum()
    return max(0.0, (s - (len(n) - 1) * p * (1 - p)) / denom) if denom > 0 else 0.0


def prior_strength(mean: float, tau2: float, mean_variance: float) -> float:
    """Pseudo-candidates of a profile's prior: its spread is the profiles' spread plus the
    uncertainty of the team's rate itself, kept between KAPPA_MIN and KAPPA_MAX."""
    spread = tau2 + mean_variance
    if spread <= 0:
        return KAPPA_MAX
    return float(np.clip(mean * (1 - mean) / spread - 1.0, KAPPA_MIN, KAPPA_MAX))


def _posterior(trials: pd.DataFrame, prior_mean: float, strength: float
               ) -> tuple[float, float, float, float]:
    return beta_grid_posterior(trials["s"].to_numpy(dtype=bool),
                               trials["m"].to_numpy(dtype=float),
                               trials["d"].to_numpy(dtype=float), prior_mean, strength)


def pooled_rates(trials: pd.DataFrame, profiles: list[str], published: float,
                 label: str) -> dict[str, Estimate]:
    """Partially pooled pass rate per profile from decisions (``profile``, ``s``, ``m``,
    ``d``: success, scale, offset). A profile's prior is centred on the rate of the *other*
    profiles (itself starting from the published value), so its own candidates are not
    counted twice; profiles without decisions get that rate and are marked default."""
    grouped = trials.groupby("profile")["s"]
    counts = pd.DataFrame({"k": grouped.sum(), "n": grouped.size()}).reindex(profiles).fillna(0)
    tau2 = between_variance(counts["k"].to_numpy(dtype=float), counts["n"].to_numpy(dtype=float))
    out = {}
    for name in profiles:
        mine = trials["profile"] == name
        team, _, _, team_var = _posterior(trials[~mine], published, PRIOR_STRENGTH)
        mean, low, high, _ = _posterior(trials[mine], team,
                                        prior_strength(team, tau2, team_var))
        n = int(mine.sum())
        out[name] = Estimate(mean, low, high, n, f"{n:,} {label}") if n else \
            Estimate(mean, low, high, 0, f"no {label} for this profile in the export "
                     f"(other profiles and published value: {team:.3g})", informed=False)
    return out


def gamma_interval(events: float, exposure: float, prior_shape: float = 0.5,
                   prior_rate: float = 0.0) -> tuple[float, float, float]:
    shape, rate = prior_shape + events, prior_rate + exposure
    if rate <= 0:
        return math.nan, math.nan, math.nan
    tail = (1.0 - LEVEL) / 2.0
    return (shape / rate, float(stats.gamma.ppf(tail, shape) / rate),
            float(stats.gamma.ppf(1 - tail, shape) / rate))


# --------------------------------------------------------------------------- the pieces


def _first_entered(visits: pd.DataFrame) -> pd.Series:
    return visits.groupby("candidate")["entered"].min()


def reply_window(visits: pd.DataFrame) -> float:
    out = visits[(visits["stage"] == "outreach") & visits["outcome"].isin(DECIDED)]
    if out.empty:
        return 0.0
    return float(np.quantile(out["left"] - out["entered"], 0.99))


def decisions(history: History, base: Scenario, window: float) -> pd.DataFrame:
    """Every decided stage visit with its success, scale and offset (see the module doc)."""
    v = history.visits
    d = v[v["outcome"].isin(DECIDED)].copy()
    d["s"] = d["outcome"].map(DECIDED).astype(bool)
    d["m"], d["d"] = 1.0, 0.0
    team = base.team
    role_skill = team.sourcer_skill if team.structure == "split" else team.recruiter_skill
    d.loc[d["stage"] == "outreach", "m"] = role_skill.reply_rate_multiplier or 1.0
    if team.structure == "split":
        d.loc[(d["stage"] == "screen") & (d["source"] == "sourced"), "m"] = \
            1.0 - team.handoff.context_loss
    offers = d["stage"] == "offer"
    if offers.any():
        b = base.candidates
        first = d.loc[offers, "candidate"].map(_first_entered(v))
        overdue = np.maximum(0.0, (d.loc[offers, "left"] - first
                                   - b.acceptance_grace_days) / 7.0)
        drop = d.loc[offers, "profile"].map(lambda name: acceptance_drop(base, name))
        d.loc[offers, "d"] = (drop * overdue).round(4)
    # a pool candidate's screen is a re-engagement call they pass: no decision
    d = d[~((d["stage"] == "screen") & (d["source"] == "pool"))]
    # outreach: only prospects contacted early enough to be resolved whatever their answer
    closes = history.reqs.set_index("req")["filled"].fillna(history.end).clip(
        upper=history.end)
    out = d["stage"] == "outreach"
    if not out.any():
        return d
    close = d.loc[out, "req"].map(closes).astype(float)
    late = d.loc[out, "entered"].astype(float) > close - window
    return d.drop(index=late[late].index)


def inbound_rates(history: History, profiles: list[str]) -> dict[str, Estimate]:
    v, reqs = history.visits, history.reqs
    applicants = v[v["source"].isin(APPLICANT_SOURCES)].groupby("profile")["candidate"]
    until = reqs["filled"].fillna(history.end).clip(upper=history.end)
    weeks = ((until - reqs["posted"]).clip(lower=0.0) / 7.0).groupby(reqs["profile"]).sum()
    n = applicants.nunique().reindex(profiles).fillna(0).to_numpy(dtype=float)
    t = weeks.reindex(profiles).fillna(0).to_numpy(dtype=float)
    est = pooled_poisson(n, t, PUBLISHED["inbound.applications_per_week"])
    return {name: Estimate(mean, low, high, int(count),
                           f"{int(count):,} applications over {exposure:,.1f} req-weeks",
                           informed=exposure > 0)
            for name, count, exposure, (mean, low, high) in zip(profiles, n, t, est,
                                                                  strict=True)}


def pooled_poisson(n: np.ndarray, t: np.ndarray, published: float
                   ) -> list[tuple[float, float, float]]:
    """Gamma-Poisson rate per group (events ``n`` over exposure ``t``), each with a Gamma
    prior centred on the team's rate (itself starting from ``published``, worth
    ``RATE_PRIOR_WEEKS`` of exposure) whose strength comes from the groups' spread (and is
    at least half an event)."""
    total_t = t.sum()
    team = (RATE_PRIOR_WEEKS * published + n.sum()) / (RATE_PRIOR_WEEKS + total_t)
    rates = np.divide(n, t, out=np.zeros_like(n), where=t > 0)
    denom = total_t - (t ** 2).sum() / total_t if total_t > 0 else 0.0
    tau2 = ((t * (rates - team) ** 2).sum() - (len(t) - 1) * team) / denom if denom > 0 else 0
    strength = float(np.clip(team / tau2, 0.5, 20.0)) if tau2 > 0 else 20.0
    # at least the Jeffreys prior's half an event, so that no events give an interval
    return [gamma_interval(count, exposure, max(strength * team, 0.5), strength)
            for count, exposure in zip(n, t, strict=True)]


def acceptance_drop(base: Scenario, name: str) -> float:
    """Acceptance points lost per week after the grace period: the base profile's value,
    else the candidates' default."""
    p = base_profile(base, name)
    drop = p.acceptance_drop_per_week if p is not None else None
    return base.candidates.acceptance_drop_per_week if drop is None else drop


def engaged_times(history: History) -> pd.DataFrame:
    """Per engaged candidate: ``profile``, ``weeks`` from engagement (the drop-out clock's
    start) to the end of exposure, and ``event`` (withdrew before the offer)."""
    v = history.visits
    engaged = v[~v["stage"].isin(("outreach", "interest", "application_review"))]
    if engaged.empty:
        return pd.DataFrame({"profile": [], "weeks": [], "event": []})
    before = engaged[engaged["stage"] != "offer"]
    start = engaged.groupby("candidate")["entered"].min()
    end_stage = before.groupby("candidate")["left"].max()
    offered = engaged[engaged["stage"] == "offer"].groupby("candidate")["entered"].min()
    withdrew = before[before["outcome"] == "withdrew"].groupby("candidate")["left"].min()
    open_ = before[before["outcome"] == "open"]["candidate"].unique()
    frame = pd.DataFrame({"start": start})
    frame["profile"] = engaged.groupby("candidate")["profile"].first()
    stop = end_stage.reindex(frame.index)
    stop = stop.where(~frame.index.isin(open_), history.end)
    stop = offered.reindex(frame.index).fillna(stop).fillna(history.end)
    frame["event"] = frame.index.isin(withdrew.index)
    stop = stop.where(~frame["event"], withdrew.reindex(frame.index))
    frame["weeks"] = ((stop - frame["start"]).clip(lower=0.0) / 7.0).astype(float)
    return frame[["profile", "weeks", "event"]]


def fit_shape(times: pd.DataFrame, base_shape: float) -> ShapeFit:
    """The team-wide Weibull shape by profile likelihood (each profile its own hazard), or
    the base's with fewer than ``SHAPE_MIN_EVENTS`` withdrawals."""
    events = int(times["event"].sum())
    if events < SHAPE_MIN_EVENTS:
        return ShapeFit(base_shape, base_shape, base_shape, events, False)
    w = np.maximum(times["weeks"].to_numpy(dtype=float), 1e-6)
    ev = times["event"].to_numpy(dtype=bool)
    groups = times["profile"].to_numpy()
    logw_events = float(np.log(w[ev]).sum())
    ll = np.empty(len(SHAPES))
    for i, k in enumerate(SHAPES):
        wk = w ** k
        total = 0.0
        for g in np.unique(groups):
            mine = groups == g
            d, exposure = float(ev[mine].sum()), float(wk[mine].sum())
            if d > 0:
                total += d * math.log(d / exposure) - d
        ll[i] = total + events * math.log(k) + (k - 1.0) * logw_events
    best = int(np.argmax(ll))
    inside = SHAPES[ll >= ll[best] - stats.chi2.ppf(LEVEL, 1) / 2.0]
    return ShapeFit(float(SHAPES[best]), float(inside.min()), float(inside.max()), events,
                    True)


def dropout_hazards(times: pd.DataFrame, profiles: list[str], shape: float
                    ) -> dict[str, Estimate]:
    """``hazard_per_week`` per profile for the given shape (Gamma-Poisson, pooled)."""
    wk = times["weeks"] ** shape
    n = times.groupby("profile")["event"].sum().reindex(profiles).fillna(0)
    t = wk.groupby(times["profile"]).sum().reindex(profiles).fillna(0)
    people = times.groupby("profile").size().reindex(profiles).fillna(0)
    est = pooled_poisson(n.to_numpy(dtype=float), t.to_numpy(dtype=float),
                         PUBLISHED["dropout.hazard_per_week"])
    return {name: Estimate(mean, low, high, int(k),
                           f"{int(k):,} withdrawals before the offer of {int(m):,} engaged "
                           "candidates", informed=m > 0)
            for name, k, m, (mean, low, high) in zip(profiles, n, people, est, strict=True)}


def fit_duration(stage: str, durations: np.ndarray, observed: np.ndarray) -> DurationFit | None:
    """Censored lognormal maximum likelihood; None with fewer than 5 observed exits."""
    x = np.maximum(durations, 1.0 / 1440.0)
    if observed.sum() < 5:
        return None
    logs = np.log(x)

    def nll(theta: np.ndarray) -> float:
        mu, sigma = theta[0], math.exp(max(theta[1], -7.0))  # sigma >= 0.001
        z = (logs - mu) / sigma
        ll = np.where(observed, stats.norm.logpdf(z) - math.log(sigma), stats.norm.logsf(z))
        return float(-ll.sum())

    start = np.array([logs[observed].mean(), math.log(max(logs[observed].std(), 0.1))])
    res = optimize.minimize(nll, start, method="Nelder-Mead",
                            options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 2000})
    mu, log_s = res.x
    h = 1e-4
    d2 = (nll(np.array([mu + h, log_s])) - 2 * nll(res.x) + nll(np.array([mu - h, log_s])))
    se = math.sqrt(h * h / d2) if d2 > 0 else math.inf
    z = stats.norm.ppf(1 - (1 - LEVEL) / 2)
    sigma = math.exp(log_s)
    return DurationFit(stage, math.exp(mu), math.exp(mu - z * se), math.exp(mu + z * se),
                       math.exp(mu + 1.2816 * sigma), int(observed.sum()),
                       int((~observed).sum()))


def stage_durations(history: History) -> list[DurationFit]:
    v = history.visits[history.visits["stage"] != "interest"]
    fits = []
    for stage, group in v.groupby("stage", sort=False):
        observed = ~group["outcome"].isin(("open", "closed")).to_numpy()
        left = group["left"].fillna(history.end).to_numpy(dtype=float)
        fit = fit_duration(str(stage), left - group["entered"].to_numpy(dtype=float), observed)
        if fit is not None:
            fits.append(fit)
    return fits


def round_order(visits: pd.DataFrame) -> list[str]:
    """The interview stages in pipeline order (median time from a candidate's first stage)."""
    rounds = visits[visits["stage"].str.startswith(ROUND_PREFIX)]
    if rounds.empty:
        return []
    since = rounds["entered"] - rounds["candidate"].map(_first_entered(visits))
    return list(since.groupby(rounds["stage"]).median().sort_values(kind="stable").index)


# --------------------------------------------------------------------------- calibrate


def calibrate(history: History, base: Scenario) -> Calibration:
    """Estimate every rate the history informs (see the module docstring)."""
    v, reqs = history.visits, history.reqs
    profiles = list(dict.fromkeys(reqs.sort_values("opened")["profile"]))
    window = reply_window(v)
    trials = decisions(history, base, window)
    rates: dict[str, dict[str, Estimate]] = {}
    for stage, path in STAGE_FIELD.items():
        rates[path] = pooled_rates(trials[trials["stage"] == stage], profiles,
                                   PUBLISHED[path], "decisions")
    order = round_order(v)
    round_rates = {r: pooled_rates(trials[trials["stage"] == r], profiles,
                                   PUBLISHED["interview"], "decisions") for r in order}
    inbound = inbound_rates(history, profiles)
    times = engaged_times(history)
    shapes = {p.dropout.shape for p in base.profiles}
    shape = fit_shape(times, shapes.pop() if len(shapes) == 1 else 1.5)
    hazards = dropout_hazards(times, profiles, shape.value)
    weeks = max(history.days / 7.0, 1e-9)
    out = []
    for name in profiles:
        mine = reqs[reqs["profile"] == name]
        days = mine["opened"] - history.start
        mean, low, high = gamma_interval(len(mine), weeks)
        pv = v[v["profile"] == name]
        cal = ProfileCalibration(
            name, len(mine), int(pv["candidate"].nunique()), float(days.min()),
            float(days.max()),
            Estimate(mean, low, high, len(mine), f"{len(mine)} reqs opened in "
                     f"{weeks:.1f} weeks"))
        cal.rates = {path: by_profile[name] for path, by_profile in rates.items()}
        cal.rates["inbound.applications_per_week"] = inbound[name]
        cal.rounds = [(r[len(ROUND_PREFIX):], round_rates[r][name]) for r in order
                      if (pv["stage"] == r).any()]
        cal.dropout = hazards[name]
        has_inbound = pv["source"].isin(APPLICANT_SOURCES).any()
        cal.reviewed = (pv["stage"] == "application_review").any() or not has_inbound
        out.append(cal)
    return Calibration(history, out, shape, stage_durations(history), window)


def base_profile(base: Scenario, name: str) -> RoleProfile | None:
    return next((p for p in base.profiles if p.name == name), None)
