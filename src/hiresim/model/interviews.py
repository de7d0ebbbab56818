"""Interview slots: each interviewer offers a few slots a week; interviews are booked.

With ``interviewers.scheduling: slots`` a profile's interviewers do not spread interview
hours over the week (the fluid queue of ``hiresim.model.work``). Each interviewer offers
``slots_per_week`` slots at fixed times of the week, the same every week, evenly spaced
(``7 / slots_per_week`` days apart); the interviewers' first slots are staggered evenly
over that gap, so the pool's slots cover the week. An interview round is booked into the
earliest slot at or after the day the candidate is available: a panel of ``n`` needs
``n`` different interviewers whose slots all fall within ``panel_window_days`` of the
first. The lead time of a round therefore emerges from how full the calendar is, and the
same total interviewer hours give the same number of slots however they are split among
people.

Times are calendar days from day 0. A slot is known by (interviewer, index): slot ``j`` of
interviewer ``i`` is at ``offset[i] + j * gap``. Nothing here draws random numbers.
"""

from __future__ import annotations

import math

# Look at most this far past the candidate's earliest day for a panel that fits the
# window; if none does (the pool's slots are too far apart for the window), the panel
# takes its members' soonest free slots, however far apart.
SEARCH_DAYS = 730.0


class SlotBook:
    """The weekly slots of one profile's interviewers and which of them are booked."""

    __slots__ = ("gap", "offsets", "booked", "window")

    def __init__(self, people: int, slots_per_week: int, window_days: float) -> None:
        self.gap = 7.0 / slots_per_week  # days between one interviewer's slots
        self.offsets = [(i + 0.5) * self.gap / people for i in range(people)]
        self.booked: list[set[int]] = [set() for _ in range(people)]
        self.window = window_days

    def slot_day(self, person: int, index: int) -> float:
        return self.offsets[person] + index * self.gap

    def _next_free(self, person: int, day: float) -> int:
        """Index of ``person``'s first free slot at or after ``day``."""
        j = max(0, math.ceil((day - self.offsets[person]) / self.gap - 1e-9))
        booked = self.booked[person]
        while j in booked:
            j += 1
        return j

    def book(self, earliest: float, panel: int) -> list[tuple[int, int]]:
        """Book the earliest slots for a panel of ``panel`` (at most everyone) at or after
        ``earliest``, all within the window; the (interviewer, slot) pairs, earliest first."""
        people = len(self.offsets)
        size = min(panel, people)
        day = earliest
        soonest: list[tuple[float, int, int]] = []
        while True:
            nexts = sorted(
                (self.slot_day(i, j), i, j)
                for i, j in ((i, self._next_free(i, day)) for i in range(people))
            )
            chosen = nexts[:size]
            soonest = soonest or chosen
            first = chosen[0][0]
            if chosen[-1][0] - first <= self.window + 1e-9:
                break
            if first - earliest > SEARCH_DAYS:  # no window ever fits: the soonest slots
                chosen = soonest
                break
            day = first + 1e-6  # the earliest slot cannot hold this panel: look past it
        for _, i, j in chosen:
            self.booked[i].add(j)
        return [(i, j) for _, i, j in chosen]

    def release(self, booking: list[tuple[int, int]], now: float) -> None:
        """Free the slots of ``booking`` still ahead of ``now`` (the candidate left)."""
        for i, j in booking:
            if self.slot_day(i, j) > now:
                self.booked[i].discard(j)
