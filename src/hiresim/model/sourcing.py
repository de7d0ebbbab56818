"""Sourcing: how fast each req gets new prospects, and whether it wants any at all.

A req is sourced at a weekly target (``prospects_per_req_per_week``). The target is a pace,
not a promise: it is kept by a token bucket per req. When a sourcing person starts on the
req (``ReqSourcing.start``) it holds one prospect's worth of tokens; tokens then accrue at
``rate / 7`` per day, up to a week's worth of catch-up (at least one). Each new outreach
takes one token. Whoever sources the req only looks for prospects when they have nothing
more urgent to do (``hiresim.model.work``), so a busy person falls behind the target.

A req wants sourcing while it is open, has a target, and its pipeline of engaged
candidates (qualification or later) is below ``max_active_per_req``. A candidate who
leaves the pipeline frees a slot; when that brings the pipeline just under the cap, the
sourcer is woken (``disengage`` says so).

This module knows nothing of people, candidates or the plan: a req's sourcing is known by
the req's index (``req_index``), which the model maps back to its req.
"""

from __future__ import annotations


class ReqSourcing:
    """The sourcing of one req: its outreach pace (tokens, in prospects) and pipeline cap."""

    __slots__ = ("req_index", "rate_per_day", "max_active", "engaged", "stopped",
                 "_tokens", "_token_time", "_token_cap")

    def __init__(self, req_index: int, rate_per_week: float, max_active: int | None) -> None:
        self.req_index = req_index
        self.rate_per_day = rate_per_week / 7.0  # prospects per calendar day
        self.max_active = max_active  # engaged candidates at most (None: no cap)
        self.engaged = 0  # candidates in qualification or later, counted against the cap
        self.stopped = False  # the req closed: no more sourcing, ever
        self._tokens = 1.0  # outreach allowance: start with one prospect
        self._token_time = 0.0  # day the allowance was last settled
        self._token_cap = max(1.0, rate_per_week)  # at most a week of catch-up

    # -- the pace (a token bucket) -----------------------------------------------------
    def start(self, now: float) -> None:
        """A sourcing person starts on the req at day ``now``: one prospect's worth."""
        self._token_time = now
        self._tokens = 1.0

    def tokens(self, now: float) -> float:
        """Outreach allowance at day ``now``, in prospects."""
        accrued = (now - self._token_time) * self.rate_per_day
        return min(self._token_cap, self._tokens + accrued)

    def take_token(self, now: float) -> None:
        """One new outreach starts at day ``now``."""
        self._tokens = self.tokens(now) - 1.0
        self._token_time = now

    # -- whether to source at all ------------------------------------------------------
    def wants_sourcing(self) -> bool:
        """Open, with a sourcing target, and a pipeline below the cap."""
        if self.stopped or self.rate_per_day <= 0.0:
            return False
        return self.max_active is None or self.engaged < self.max_active

    def engage(self) -> None:
        """A candidate enters the pipeline (counts against the cap)."""
        self.engaged += 1

    def disengage(self) -> bool:
        """A candidate leaves the pipeline. True if that frees the first slot under the
        cap: the req wants sourcing again, so its sourcer should look."""
        self.engaged -= 1
        return self.max_active is not None and self.engaged == self.max_active - 1

    def stop(self) -> None:
        """The req closed."""
        self.stopped = True


def next_outreach(reqs: list[ReqSourcing], now: float) -> tuple[ReqSourcing | None, float | None]:
    """Of the reqs one person sources: the req with the most outreach tokens if it has at
    least one (the first on ties), else the days until the next token is due (None if no
    req wants sourcing). An idle sourcer asks this every time their queue runs dry."""
    best: ReqSourcing | None = None
    best_tokens = 0.0
    soonest: float | None = None
    for req in reqs:
        if not req.wants_sourcing():
            continue
        tokens = req.tokens(now)
        if tokens >= 1.0:
            if tokens > best_tokens:
                best, best_tokens = req, tokens
        else:
            wait = (1.0 - tokens) / req.rate_per_day
            if soonest is None or wait < soonest:
                soonest = wait
    return best, soonest
