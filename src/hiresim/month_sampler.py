"""Month-by-month records of one replication: staff hours, reqs and hires per month.

The months are those of ``hiresim.calendar.months`` (calendar months from
``simulation.start_date``, or 30.4-day blocks without one). At each month's end the
sampler reads, without changing anything, how many hours each role has worked so far
(finished tasks plus the part of the task under way: work is spread evenly over a task's
calendar days, docs/model.md 2.2), how many reqs are open and in the backlog, and how many
positions each profile has filled; the last month ends at the horizon and is read after
the run. Differences between month ends give the hours and hires of each month.

Reading changes no state and draws no random number, so a replication's other records
are the same with or without the sampler (its own wake-ups only add events that act on
nothing). An unlimited pool books a task's hours when the task is submitted, so its hours
fall in the month the work starts.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from hiresim.calendar import months, parse_start_date

if TYPE_CHECKING:
    from hiresim.model.hiring_model import HiringModel
    from hiresim.model.work import Staff


class MonthSampler:
    """Reads a running HiringModel at every month end (start before ``model.run()``)."""

    def __init__(self, model: HiringModel) -> None:
        sim = model.scenario.simulation
        start = None if sim.start_date is None else parse_start_date(sim.start_date)
        self.model = model
        self.months = months(model.horizon, start)
        self.samples: list[tuple] = []
        model.journeys.start(self._read_at_month_ends())

    def _read_at_month_ends(self) -> Generator[Any, Any, None]:
        env = self.model.env
        for month in self.months[:-1]:  # the last month ends at the horizon: read after
            yield env.timeout(month.end_day - env.now)
            self.samples.append(self._sample(in_progress=True))

    def _sample(self, in_progress: bool) -> tuple:
        model, now = self.model, self.model.env.now
        return (
            _hours(model.recruiters, now, in_progress),
            _hours(model.sourcers, now, in_progress),
            sum(_hours(group, now, in_progress) for group in model.interviewer_people),
            sum(1 for r in model.reqs if r.open_day <= now and not r.closed),
            len(model.recruiter_desk.backlog),
            [sum(r.filled_positions for r in model.reqs if r.profile_index == i)
             for i in range(len(model.scenario.profiles))],
        )

    def rows(self) -> tuple[list[tuple], list[tuple]]:
        """After the run: (month rows, month-by-profile rows); see hiresim.records."""
        model = self.model
        samples = [*self.samples, self._sample(in_progress=False)]  # busy hours are final
        month_rows, hire_rows = [], []
        before: tuple = (0.0, 0.0, 0.0, 0, 0, [0] * len(model.scenario.profiles))
        for month, sample in zip(self.months, samples, strict=True):
            month_rows.append((
                month.index, month.label, month.first_day, month.end_day,
                sample[3], sample[4],
                sample[0] - before[0], sample[1] - before[1], sample[2] - before[2],
            ))
            for i, profile in enumerate(model.scenario.profiles):
                opened = sum(1 for r in model.reqs if r.profile_index == i
                             and month.first_day <= r.open_day < month.end_day)
                hire_rows.append((month.index, profile.name, opened,
                                  sample[5][i] - before[5][i]))
            before = sample
        return month_rows, hire_rows


def _hours(people: list[Staff], now: float, in_progress: bool) -> float:
    """Hours worked so far by ``people``: booked hours plus the part under way."""
    total = 0.0
    for person in people:
        total += float(sum(person.busy_hours))
        if in_progress:
            part = person.hours_in_progress(now)
            if part is not None:
                total += part[1]
    return total
