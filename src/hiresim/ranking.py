"""Sequential ranking and selection for sweeps: replicate where the decision is uncertain.

The decision of a sweep with goals is *the cheapest team shape (TA team cost per year)
whose probability of meeting every goal in a simulated year is at least the required
confidence c*. A fixed-size sweep spends the same replications on every shape; most of
them go to shapes that clearly fail the goal or are clearly dearer than a shape that
clearly meets it. This module decides with far fewer replications, by a named procedure:

**OCBA feasibility allocation with Bonferroni-adjusted Wilson screening.**

1. Every shape gets ``first`` replications (numbers 0, 1, ..., common random numbers).
2. *Screening* after each round: each shape's probability of meeting the goals gets a
   Wilson score bound. A shape is looked at only when its replications reach one of a
   fixed schedule of *levels* n_1 = ``first``, n_(j+1) = ceil(1.5 n_j), up to the level at
   which every Wilson interval is narrower than twice the tolerance (or the budget): L
   levels. With an indifference zone of ``tolerance`` d (5 points by default, as in
   feasibility determination with a tolerance, Batur and Kim 2010), a shape *clearly
   meets* the goal when its lower bound is >= c - d and *clearly fails* when its upper
   bound is < c + d; a shape within d of c may fall either way (otherwise a shape exactly
   at c would never be decided), and at the last level every shape is one or the other.
   For a shape whose true probability is below c - d only "meets" is wrong, above c + d
   only "fails", so each look risks one one-sided error: the bounds are one-sided at
   level 1 - alpha / (K x L), K shapes, and by Bonferroni over every shape and level
   (fixed in advance, whichever the procedure visits) all its screening decisions hold
   together with probability at least 1 - alpha (``FAMILY``, 95%). A shape dearer than
   one that clearly meets is *dominated* and dropped: it cannot be the recommendation.
3. The recommendation is *confident* when the cheapest shape that clearly meets has every
   cheaper shape clearly failing (or when every shape clearly fails: none meets).
4. Otherwise the next round's replications go to the shapes still undecided that could
   be the answer: no dearer than the cheapest clear pass nor than the tentative answer
   (the cheapest shape whose estimate reaches c). STEP replications per such shape are
   spread in proportion to the OCBA weights for feasibility determination (Szechtman and
   Yücesan, 2008), w_i = p_i (1 - p_i) / (p_i - c)^2, p_i the Wilson centre (so 0 and 1
   do not divide by 0): replications go where a shape's probability is close to the
   requirement and noisy. Each shape then runs up to the first level at or above what
   it has plus its share (at least the next level).
5. It stops when confident or when ``budget`` total replications are spent; then the
   result says "not confident" and which shapes are still undecided, with their intervals.

Common random numbers are kept: shape i always runs replications 0 .. n_i - 1, so
replication k of every shape uses the same numbers, and two shapes stay paired on every
k both have. This module is plain statistics over a ``sample`` function; the sweep
(``hiresim.studies``) gives it the simulation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from hiresim.intervals import wilson

PROCEDURE = ("OCBA feasibility allocation (Szechtman & Yücesan 2008) with "
             "Bonferroni-adjusted Wilson screening")
FAMILY = 0.95
FIRST = 5  # replications of every shape in the first round
STEP = 10  # replications per shape in play that OCBA spreads in each later round
TOLERANCE = 0.05  # indifference zone: within 5 points of the requirement is close enough
GROWTH = 0.5  # each level of the look schedule is at least 50% above the one before

# sample(shape index, replication numbers) -> per replication: does it meet every goal?
Sample = Callable[[int, Sequence[int]], Sequence[bool]]
# sample_round({shape index: replication numbers}) -> the same for a whole round at once
SampleRound = Callable[[dict[int, list[int]]], Mapping[int, Sequence[bool]]]


def z_value(confidence: float) -> float:
    """One-sided normal quantile: a bound that holds with probability ``confidence``."""
    from scipy.special import ndtri

    return float(ndtri(confidence))


def levels(first: int, last: int) -> list[int]:
    """The look schedule: ``first``, then each level ceil(1.5 x) the one before, and
    ``last`` (replications of one shape; the procedure looks at a shape only here)."""
    out = [max(1, first)]
    while out[-1] < last:
        out.append(min(last, max(out[-1] + 1, math.ceil(out[-1] * (1 + GROWTH)))))
    return out


def decisive_n(z: float, required: float, tolerance: float) -> int:
    """The fewest replications at which a shape is decided (clearly meets or clearly
    fails, bounds at ``z``) whatever number of them met the goals."""
    def decided(n: int) -> bool:
        return all(low >= required - tolerance or high < required + tolerance
                   for low, high in (wilson(h, n, z) for h in range(n + 1)))

    n = 1
    while not decided(n):
        n = max(n + 1, int(n * 1.02))
    return n


def schedule(k: int, budget: int, first: int, required: float,
             tolerance: float) -> tuple[list[int], float]:
    """The look schedule and the one-sided screening confidence 1 - alpha / (K x L) for
    ``k`` shapes: levels up to the budget or, when fewer, up to where every shape is
    decided (which needs the confidence, which needs the number of levels: iterated)."""
    last = max(first, budget)
    for _ in range(20):
        steps = levels(first, last)
        confidence = 1 - (1 - FAMILY) / (k * len(steps))
        cap = max(first, min(budget, decisive_n(z_value(confidence), required, tolerance)))
        if cap == last:
            break
        last = cap
    return steps, confidence


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


def _level_at_least(steps: Sequence[int], n: int) -> int:
    """The first level of the schedule at or above ``n`` (the last level at most)."""
    return next((m for m in steps if m >= n), steps[-1])


def _next_round(shapes: list[Shape], live: list[Shape], steps: Sequence[int], left: int,
                step: int, required: float, z: float, tolerance: float) -> dict[int, int]:
    """Replications to add per shape index: each live shape runs up to the first level at
    or above what it has plus its OCBA share of STEP x live shapes (at least the next
    level). When the budget cannot pay for that, each gets only its next level, by OCBA
    weight while the budget lasts: a shape is only ever looked at on a level."""
    spread = allocate(live, step * len(live), required, z, tolerance)
    want = {shapes.index(s): _level_at_least(steps, s.n + extra) - s.n
            for s, extra in zip(live, spread, strict=True)}
    if sum(want.values()) <= left:
        return want
    weights = ocba_weights(live, required, z, tolerance)
    todo: dict[int, int] = {}
    for j in np.argsort(-weights, kind="stable"):
        s = live[int(j)]
        extra = _level_at_least(steps, s.n + 1) - s.n
        if extra <= left:
            todo[shapes.index(s)] = extra
            left -= extra
    return todo


def decide(names: Sequence[str], costs: Sequence[float], sample: Sample, required: float,
           budget: int, first: int = FIRST, step: int = STEP,
           tolerance: float = TOLERANCE,
           on_round: Callable[[int, list[Shape]], None] | None = None,
           sample_round: SampleRound | None = None) -> Decision:
    """Run the procedure (module docstring) and return its ``Decision``. ``sample_round``,
    when given, runs a whole round at once (every shape's new replication numbers) so
    that they can share the workers; otherwise ``sample`` runs one shape at a time."""
    shapes = [Shape(n, float(c)) for n, c in zip(names, costs, strict=True)]
    k = len(shapes)
    first = max(2, min(first, budget // max(1, k)))
    steps, screening = schedule(k, budget, first, required, tolerance)
    z = z_value(screening)
    spent = 0
    rounds = 0
    todo = {i: first for i in range(k)}
    while True:
        wanted = {i: list(range(shapes[i].n, shapes[i].n + extra))
                  for i, extra in todo.items()}
        got = (sample_round(wanted) if sample_round is not None else
               {i: sample(i, numbers) for i, numbers in wanted.items()})
        for i, numbers in wanted.items():
            shapes[i].met.extend(bool(v) for v in got[i])
            spent += len(numbers)
        rounds += 1
        screen(shapes, required, z, tolerance)
        if on_round is not None:
            on_round(rounds, shapes)
        confident, best = verdict(shapes)
        live = [s for s in in_play(shapes, required) if s.n < steps[-1]]
        todo = {} if confident or not live else _next_round(
            shapes, live, steps, budget - spent, step, required, z, tolerance)
        if not todo:
            break
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
            f"bound one-sided at {100 * screening:.4g}%; tolerance {100 * tolerance:.0f} points)")


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
    screening = 1 - (1 - FAMILY) / max(1, k)  # one look: one-sided bounds, Bonferroni over K
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
