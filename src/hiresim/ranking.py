"""Sequential ranking and selection for sweeps: replicate where the decision is uncertain.

The decision of a sweep with goals is *the cheapest team shape (TA team cost per year)
whose probability of meeting every goal in a simulated year is at least the required
confidence c*. A fixed-size sweep spends the same replications on every shape; most of
them go to shapes that clearly fail the goal or are clearly dearer than a shape that
clearly meets it. This module decides with far fewer replications, by a named procedure:

**OCBA feasibility allocation with Bonferroni-adjusted Wilson screening.**

1. Every shape gets ``first`` replications (numbers 0, 1, ..., common random numbers).
2. *Screening* after each round: each shape's probability of meeting the goals gets a
   Wilson score interval at level 1 - alpha / (K x L), K shapes and L the most looks at
   one shape the budget allows (Bonferroni over shapes and looks: an interval changes only
   when its shape gets replications, and each look grows them by at least 50%), so every
   screening decision of the procedure holds together with probability at least
   1 - alpha (``FAMILY``, 95%). With an indifference zone of ``tolerance`` d (5 points
   by default, as in feasibility determination with a tolerance, Batur and Kim 2010), a
   shape *clearly meets* the goal when its lower bound is >= c - d, *clearly fails* when
   its upper bound is < c + d: a shape within d of c may fall either way (otherwise a
   shape exactly at c would never be decided). A shape dearer than one that clearly meets is
   *dominated* and dropped: it cannot be the recommendation.
3. The recommendation is *confident* when the cheapest shape that clearly meets has every
   cheaper shape clearly failing (or when every shape clearly fails: none meets).
4. Otherwise the next round's replications go to the shapes still undecided that could
   be the answer: no dearer than the cheapest clear pass nor than the tentative answer
   (the cheapest shape whose estimate reaches c): each gets 50% more than it
   has, and STEP replications per such shape are spread in proportion to the OCBA
   weights for feasibility determination (Szechtman and Yücesan, 2008),
   w_i = p_i (1 - p_i) / (p_i - c)^2: replications go where a shape's probability is close
   to the requirement and noisy. p_i is the Wilson centre, so 0 and 1 do not divide by 0.
5. It stops when confident or when ``budget`` total replications are spent; then the
   result says "not confident" and which shapes are still undecided, with their intervals.

Common random numbers are kept: shape i always runs replications 0 .. n_i - 1, so
replication k of every shape uses the same numbers, and two shapes stay paired on every
k both have. This module is plain statistics over a ``sample`` function; the sweep
(``hiresim.studies``) gives it the simulation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from hiresim.intervals import wilson

PROCEDURE = ("OCBA feasibility allocation (Szechtman & Yücesan 2008) with "
             "Bonferroni-adjusted Wilson screening")
FAMILY = 0.95
FIRST = 5  # replications of every shape in the first round
STEP = 10  # replications per shape in play that OCBA spreads in each later round
TOLERANCE = 0.05  # indifference zone: within 5 points of the requirement is close enough
GROWTH = 0.5  # a shape that gets more replications gets at least 50% more (bounds looks)

# sample(shape index, replication numbers) -> per replication: does it meet every goal?
Sample = Callable[[int, Sequence[int]], Sequence[bool]]


def z_value(confidence: float) -> float:
    """Two-sided normal quantile for a ``confidence`` interval."""
    from scipy.special import ndtri

    return float(ndtri(0.5 + confidence / 2))


@dataclass
class Shape:
    """A shape in the procedure: its cost, what it has run and its screening state."""

    name: str
    cost: float
    met: list[bool] = field(default_factory=list)
    state: str = "undecided"  # undecided | meets | fails | dominated

    @property
    def n(self) -> int:
        return len(self.met)

    @property
    def probability(self) -> float | None:
        return sum(self.met) / self.n if self.n else None


@dataclass
class Decision:
    """The result: the recommendation, whether it is confident, why, and what was spent."""

    recommended: str | None
    confident: bool
    reason: str
    replications: dict[str, int]
    rounds: int
    total: int
    budget: int
    screening_confidence: float
    shapes: list[dict]
    tolerance: float = TOLERANCE

    def to_dict(self) -> dict:
        return {"procedure": PROCEDURE, "recommended": self.recommended,
                "confident": self.confident, "reason": self.reason,
                "replications": self.replications, "rounds": self.rounds,
                "total_replications": self.total, "budget": self.budget,
                "family_confidence": FAMILY,
                "screening_confidence": self.screening_confidence,
                "tolerance": self.tolerance,
                "shapes": self.shapes}


def max_looks(budget: int, first: int = FIRST) -> int:
    """The most looks at one shape: each look multiplies its replications by at least
    1 + GROWTH, from ``first`` up to at most ``budget`` (plus a last, capped look)."""
    ratio = max(1.0, budget / max(1, first))
    return 2 + int(math.floor(math.log(ratio) / math.log(1 + GROWTH)))


def _interval(shape: Shape, z: float) -> tuple[float, float]:
    return wilson(sum(shape.met), shape.n, z)


def screen(shapes: Sequence[Shape], required: float, z: float,
           tolerance: float = TOLERANCE) -> None:
    """Mark shapes that clearly meet, clearly fail, or are dominated (in place)."""
    for s in shapes:
        if s.state == "dominated" or s.n == 0:
            continue
        low, high = _interval(s, z)
        s.state = ("meets" if low >= required - tolerance else
                   "fails" if high < required + tolerance else "undecided")
    passing = [s.cost for s in shapes if s.state == "meets"]
    if passing:
        cheapest = min(passing)
        for s in shapes:
            if s.cost > cheapest and s.state != "fails":
                s.state = "dominated"


def verdict(shapes: Sequence[Shape]) -> tuple[bool, Shape | None]:
    """(confident, recommendation) from the screening states; by cost, then grid order."""
    ordered = sorted(shapes, key=lambda s: s.cost)
    for s in ordered:
        if s.state == "meets":
            return True, s
        if s.state != "fails":
            return False, None
    return True, None  # every shape clearly fails: confidently none


def in_play(shapes: Sequence[Shape], required: float = 0.0) -> list[Shape]:
    """Undecided shapes that could be the answer: no dearer than the cheapest clear pass
    and than the tentative answer (the cheapest shape whose estimate reaches
    ``required``): replications go to the likely answer and the cheaper shapes that must
    be shown to fail, not to dearer ones that only matter if those fail."""
    passing = [s.cost for s in shapes if s.state == "meets"]
    bound = min(passing) if passing else math.inf
    tentative = [s.cost for s in shapes if s.state == "undecided"
                 and (s.probability or 0.0) >= required]
    if tentative:
        bound = min(bound, min(tentative))
    return [s for s in shapes if s.state == "undecided" and s.cost <= bound]


def ocba_weights(shapes: Sequence[Shape], required: float, z: float,
                 tolerance: float = TOLERANCE) -> np.ndarray:
    """OCBA feasibility weights p(1 - p) / (p - c)^2, p the Wilson centre."""
    out = []
    for s in shapes:
        k, n = sum(s.met), s.n
        p = (k + z * z / 2) / (n + z * z) if n else 0.5
        gap = max(abs(p - required), tolerance)
        out.append(p * (1 - p) / gap ** 2)
    w = np.asarray(out, dtype=float)
    return w / w.sum() if w.sum() > 0 else np.full(len(shapes), 1 / max(1, len(shapes)))


def allocate(shapes: Sequence[Shape], total: int, required: float, z: float,
             tolerance: float = TOLERANCE) -> list[int]:
    """Split ``total`` replications over ``shapes`` by OCBA weight (at least 1 each)."""
    w = ocba_weights(shapes, required, z, tolerance)
    raw = w * total
    counts = np.maximum(1, np.floor(raw)).astype(int)
    while counts.sum() < total:  # largest remainders first
        counts[int(np.argmax(raw - counts))] += 1
    while counts.sum() > total and counts.max() > 1:
        counts[int(np.argmax(counts))] -= 1
    return [int(c) for c in counts]


def allocate_exact(want: Sequence[int], total: int) -> list[int]:
    """Scale ``want`` down to ``total`` (largest remainders; some may get 0)."""
    raw = np.asarray(want, dtype=float) * total / max(1, sum(want))
    counts = np.floor(raw).astype(int)
    while counts.sum() < total:
        counts[int(np.argmax(raw - counts))] += 1
    return [int(c) for c in counts]


def _reason(shapes: Sequence[Shape], required: float, z: float, budget: int,
            tolerance: float, why: str = "") -> str:
    undecided = [s for s in sorted(shapes, key=lambda s: s.cost) if s.state == "undecided"]
    parts = []
    for s in undecided[:4]:
        low, high = _interval(s, z)
        parts.append(f"{s.name} meets the goals in {100 * (s.probability or 0):.0f}% of "
                     f"{s.n} replications [{100 * low:.0f}%, {100 * high:.0f}%], an interval "
                     f"that reaches both {100 * (required - tolerance):.0f}% and "
                     f"{100 * (required + tolerance):.0f}% (the required "
                     f"{100 * required:.0f}% +- the {100 * tolerance:.0f}-point tolerance)")
    more = f" (and {len(undecided) - 4} more)" if len(undecided) > 4 else ""
    why = why or f"the budget of {budget} replications ran out while "
    return ("not confident: " + why + "; ".join(parts) + more
            + (". Raise --budget" if not why.startswith("with") else ". Use more replications")
            + ", or accept a lower --confidence or a looser goal.")


def decide(names: Sequence[str], costs: Sequence[float], sample: Sample, required: float,
           budget: int, first: int = FIRST, step: int = STEP,
           tolerance: float = TOLERANCE,
           on_round: Callable[[int, list[Shape]], None] | None = None) -> Decision:
    """Run the procedure (module docstring) and return its ``Decision``."""
    shapes = [Shape(n, float(c)) for n, c in zip(names, costs, strict=True)]
    k = len(shapes)
    first = max(2, min(first, budget // max(1, k)))
    looks = max_looks(budget, first)
    screening = 1 - (1 - FAMILY) / (k * looks)
    z = z_value(screening)
    spent = 0
    rounds = 0
    todo = {i: first for i in range(k)}
    while True:
        for i, extra in todo.items():
            s = shapes[i]
            numbers = list(range(s.n, s.n + extra))
            s.met.extend(bool(v) for v in sample(i, numbers))
            spent += extra
        rounds += 1
        screen(shapes, required, z, tolerance)
        if on_round is not None:
            on_round(rounds, shapes)
        confident, best = verdict(shapes)
        live = in_play(shapes, required)
        left = budget - spent
        if confident or not live or left <= 0:
            break
        spread = allocate(live, step * len(live), required, z, tolerance)
        want = [math.ceil(GROWTH * s.n) + extra for s, extra in zip(live, spread, strict=True)]
        if sum(want) > left:  # the last round: what the budget allows, by the same shares
            want = allocate_exact(want, left)
        todo = {shapes.index(s): c for s, c in zip(live, want, strict=True) if c > 0}
    if confident:
        reason = _confident_reason(best, screening, tolerance)
    else:
        reason = _reason(shapes, required, z, budget, tolerance)
    table = []
    for s in shapes:
        low, high = _interval(s, z)
        table.append({"point": s.name, "replications": s.n, "probability": s.probability,
                      "screen_low": low, "screen_high": high, "state": s.state})
    return Decision(best.name if confident and best is not None else None, confident,
                    reason, {s.name: s.n for s in shapes}, rounds, spent, budget,
                    screening, table, tolerance)


def _confident_reason(best: Shape | None, screening: float, tolerance: float) -> str:
    """Why a confident decision is confident, with the confidence it was reached at."""
    what = (f"{best.name} clearly meets the goals and every cheaper shape clearly fails"
            if best is not None else "every shape clearly fails the goals")
    return (f"confident: {what} ({100 * FAMILY:.0f}% family confidence, each screening "
            f"interval {100 * screening:.4g}%; tolerance {100 * tolerance:.0f} points)")


def fixed_decision(names: Sequence[str], costs: Sequence[float], met: Sequence[Sequence[bool]],
                   required: float, tolerance: float = TOLERANCE) -> tuple[bool, str | None]:
    """The same screening rule on a fixed-size sweep (one look): (confident, choice)."""
    check = fixed_check(names, costs, met, required, tolerance)
    return check["confident"], check["recommended"]


def fixed_check(names: Sequence[str], costs: Sequence[float], met: Sequence[Sequence[bool]],
                required: float, tolerance: float = TOLERANCE) -> dict:
    """How sure a fixed-size sweep's answer is, by the screening rule with one look
    (Bonferroni over the K shapes): the verdict, its reason and each shape's state."""
    k = len(names)
    screening = 1 - (1 - FAMILY) / max(1, k)
    z = z_value(screening)
    shapes = [Shape(n, float(c), [bool(v) for v in m])
              for n, c, m in zip(names, costs, met, strict=True)]
    screen(shapes, required, z, tolerance)
    confident, best = verdict(shapes)
    if confident:
        reason = _confident_reason(best, screening, tolerance)
    else:
        n = max((s.n for s in shapes), default=0)
        reason = _reason(shapes, required, z, 0, tolerance,
                         why=f"with {n} replications per shape, ")
    return {"procedure": "Bonferroni-adjusted Wilson screening, one look (fixed size)",
            "recommended": best.name if confident and best is not None else None,
            "confident": confident, "reason": reason, "family_confidence": FAMILY,
            "screening_confidence": screening, "tolerance": tolerance,
            "shapes": [{"point": s.name, "replications": s.n, "state": s.state}
                       for s in shapes]}
