"""Workload: how much work ONE replication of a scenario is, estimated before running it.

A small YAML file can ask for an absurd amount of work (a billion openings, a billion
applications a week, an unlimited sourcing pool with a million prospects a week). This
module estimates, from the scenario alone and without SimPy, the size of one replication:

* ``reqs``: openings in the plan (every profile's ``openings.count``).
* ``people``: recruiters, sourcers and interviewers on payroll (an unlimited pool is one
  object).
* ``candidates``: an upper bound on the candidates created. Every req is assumed to stay
  open from its opening day until new candidates stop (``new_candidates_until_day``, else
  the horizon), as it does when its positions are unlimited or never filled; for evenly
  spread openings that is the mean of ``max(0, end - open_day)`` over the window.

  - inbound: ``applications_per_week`` x req-weeks open;
  - sourced: ``prospects_per_req_per_week`` x req-weeks open (plus the first prospect of
    each req), bounded, when the sourcing people are a finite team, by what their hours
    allow: ``people x hours_per_week x weeks / mean outreach hours per prospect``. An
    unlimited pool (or outreach that takes no time) sources at every req's full pace.

* ``events``: SimPy events, ``EVENTS_PER_CANDIDATE`` per candidate plus a few per req,
  person and weekly snapshot.
* ``memory_bytes``: peak memory of the replication, as if every candidate were alive at
  once (they are when the team is swamped, e.g. unlimited positions and thousands of
  applications a week): ``BASE_BYTES + reqs x BYTES_PER_REQ + people x BYTES_PER_PERSON +
  candidates x BYTES_PER_CANDIDATE`` (plus ``DETAIL_BYTES_PER_CANDIDATE`` per candidate
  when per-candidate records are kept).

Calibration (``tracemalloc`` peak while ``run_replication`` ran replication 0, Python 3.11,
pure-Python core; SimPy steps counted by wrapping ``simpy.Environment.step``):

* shipped scenarios (16-100 reqs, 8-38 people, 2,700-12,900 candidates): 0.4-2.3 MB peak,
  0.1-0.2 kB per created candidate (most are finished and freed long before the peak;
  0.2-0.35 kB more with ``--records candidates``), 3-7 SimPy events per candidate. The
  estimate is 1.8-4.1 times their candidates, 2-6 times their events and 14-100 times
  their memory: never below;
* a swamped team (``combined.yaml`` with one recruiter, unlimited positions, one req per
  profile, 2,000 applications a week, 60 days): 38,000 candidates almost all alive at the
  end, 73 MB peak, 1.9 kB per candidate (the estimate: 1.02 times the candidates);
* 20,000 more openings (all after the horizon, so no candidates): 51 MB, 2.5 kB per req;
  20,000 recruiters: 34 MB, 1.7 kB per person.

Resident memory adds the interpreter and libraries (~100 MB) and allocator slack on top.
The constants below round these up. ``check`` refuses a replication whose estimate is
above the limits (``LIMIT_*``, and a quarter of this machine's memory); ``--allow-large``
(``allow_large=True`` in the Python API) runs it anyway.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from hiresim.scenario import Scenario, StaffRole

BASE_BYTES = 2_000_000  # the SimPy world, random streams and tables of a tiny replication
BYTES_PER_REQ = 3_000
BYTES_PER_PERSON = 2_500
BYTES_PER_CANDIDATE = 2_500  # a live candidate: its object, process, queue entries
DETAIL_BYTES_PER_CANDIDATE = 500  # its row and stage-visit rows (--records candidates)
EVENTS_PER_CANDIDATE = 8
EVENTS_PER_REQ = 6
EVENTS_PER_PERSON = 4

LIMIT_CANDIDATES = 5e7  # ~2 hours of one core per replication; ~125 GB if all alive
LIMIT_PEOPLE = 1e5  # far beyond any hiring team (~250 MB: each person is a SimPy process)
LIMIT_REQS = 1e5  # far beyond any hiring plan (~300 MB)
MEMORY_SHARE = 0.25  # of this machine's physical memory
FALLBACK_MEMORY_BYTES = 8 * 2**30  # when the machine's memory cannot be read

ALLOW_FLAG = "--allow-large"


class WorkloadError(ValueError):
    """One replication of a scenario would be too large to run safely (one line)."""


@dataclass(frozen=True)
class Workload:
    """The estimated size of ONE replication of a scenario (upper bounds)."""

    scenario: str
    reqs: int
    people: int
    candidates: float
    events: float
    memory_bytes: float

    def describe(self) -> str:
        """One line, e.g. 'about 60 reqs, 3 people, 1.2e4 candidates, 1.1e5 events, ~20 MB'."""
        return (f"about {_count(self.reqs)} reqs, {_count(self.people)} people, "
                f"{_count(self.candidates)} candidates, {_count(self.events)} events, "
                f"~{_bytes(self.memory_bytes)} of memory per replication")


def estimate(scenario: Scenario, detail: bool = False) -> Workload:
    """The work of one replication of ``scenario`` (``detail``: per-candidate records kept)."""
    sim = scenario.simulation
    end = sim.horizon_days
    if sim.new_candidates_until_day is not None:
        end = min(end, sim.new_candidates_until_day)
    weeks = end / 7.0
    team = scenario.team
    reqs = sum(p.openings.count for p in scenario.profiles)
    people = _people(team.recruiters) + (_people(team.sourcers) if team.sourcers else 0)
    people += sum(1 if p.interviewers.count == "unlimited" else p.interviewers.count
                  for p in scenario.profiles)

    inbound = 0.0
    req_weeks = 0.0
    opened = 0.0  # reqs that open before new candidates stop
    for profile in scenario.profiles:
        o = profile.openings
        open_weeks = o.count * _mean_open_days(o.first_day, o.last_day, end) / 7.0
        req_weeks += open_weeks
        inbound += profile.inbound.applications_per_week * open_weeks
        opened += o.count * _share_opened(o.first_day, o.last_day, end)

    sourced = 0.0
    out = scenario.outreach
    role, skill = ((team.sourcers, team.sourcer_skill) if team.structure == "split"
                   else (team.recruiters, team.recruiter_skill))
    if out.prospects_per_req_per_week > 0 and role is not None and role.count != 0:
        sourced = out.prospects_per_req_per_week * req_weeks + opened  # + first prospects
        hours = scenario.effort.outreach_hours.mean * skill.outreach_hours_multiplier
        if role.count != "unlimited" and hours > 0:
            sourced = min(sourced, role.count * role.hours_per_week * weeks / hours)

    candidates = inbound + sourced
    events = (candidates * EVENTS_PER_CANDIDATE + reqs * EVENTS_PER_REQ
              + people * EVENTS_PER_PERSON + sim.horizon_days / 7.0 + 1)
    per_candidate = BYTES_PER_CANDIDATE + (DETAIL_BYTES_PER_CANDIDATE if detail else 0)
    memory = (BASE_BYTES + reqs * BYTES_PER_REQ + people * BYTES_PER_PERSON
              + candidates * per_candidate)
    return Workload(scenario.name, reqs, people, candidates, events, memory)


def machine_memory() -> float:
    """Physical memory of this machine in bytes (a fixed 8 GiB if it cannot be read)."""
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        return float(FALLBACK_MEMORY_BYTES)


def problem(workload: Workload, memory_limit: float | None = None) -> str | None:
    """Why one replication is too large to run without ``--allow-large`` (None if not)."""
    limit = MEMORY_SHARE * machine_memory() if memory_limit is None else memory_limit
    w = workload
    if w.candidates > LIMIT_CANDIDATES:
        what = f"about {_count(w.candidates)} candidates (~{_bytes(w.memory_bytes)} of memory)"
    elif w.people > LIMIT_PEOPLE:
        what = f"{_count(w.people)} people (~{_bytes(w.memory_bytes)} of memory)"
    elif w.reqs > LIMIT_REQS:
        what = f"{_count(w.reqs)} reqs (~{_bytes(w.memory_bytes)} of memory)"
    elif w.memory_bytes > limit:
        what = (f"about {_count(w.candidates)} candidates, {_count(w.people)} people and "
                f"{_count(w.reqs)} reqs, ~{_bytes(w.memory_bytes)} of memory (more than "
                f"{MEMORY_SHARE:.0%} of this machine's {_bytes(limit / MEMORY_SHARE)})")
    else:
        return None
    return (f"scenario {w.scenario}: one replication would simulate {what}; refusing. "
            f"Use {ALLOW_FLAG} to run anyway")


def check(workload: Workload, allow_large: bool = False,
          memory_limit: float | None = None) -> None:
    """Raise WorkloadError (one line: the estimate and the flag to override) when one
    replication is above the limits, unless ``allow_large``. ``memory_limit`` in bytes
    (default a quarter of this machine's memory)."""
    if allow_large:
        return
    message = problem(workload, memory_limit)
    if message is not None:
        raise WorkloadError(message)


def check_scenario(scenario: Scenario, allow_large: bool = False,
                   detail: bool = False) -> Workload:
    """``check(estimate(scenario, detail), allow_large)``; returns the estimate."""
    workload = estimate(scenario, detail)
    check(workload, allow_large)
    return workload


def _people(role: StaffRole) -> int:
    return 1 if role.count == "unlimited" else int(role.count)


def _mean_open_days(first: float, last: float, end: float) -> float:
    """Mean over reqs opening evenly in [first, last] of the days each is open before
    ``end`` (0 for reqs opening after it)."""
    if end <= first:
        return 0.0
    if last <= first:
        return end - first
    top = min(last, end)
    return ((end - first) ** 2 - (end - top) ** 2) / (2.0 * (last - first))


def _share_opened(first: float, last: float, end: float) -> float:
    """Share of the reqs opening evenly in [first, last] that open before ``end``."""
    if end <= first:
        return 0.0
    if last <= first:
        return 1.0
    return min(1.0, (end - first) / (last - first))


def _count(x: float) -> str:
    return f"{x:,.0f}" if x < 1e6 else f"{x:.1e}"


def _bytes(n: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= size:
            return f"{n / size:,.1f} {unit}" if n < 100 * size else f"{n / size:,.0f} {unit}"
    return f"{n / 1e3:,.0f} kB"
