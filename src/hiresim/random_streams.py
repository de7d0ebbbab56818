"""Random streams: one numpy Generator per (root seed, replication, purpose[, index]).

No code in hiresim draws from a global random state. Every draw comes from a Generator
made here from ``SeedSequence(root_seed, spawn_key=(replication, stream, *index))``, so a
replication's numbers depend only on the root seed, the replication number and the
purpose of the draw: replication k is identical whether it runs alone or among thousands,
serially or on any worker.

The list of purposes is append-only: adding a purpose never changes the numbers of an
existing one. Candidates draw their own outcomes from the stream of their req and source
(``SOURCED_CANDIDATES`` / ``INBOUND_CANDIDATES`` indexed by req), so two scenarios that
differ only in staffing meet the same candidates in the same order per req (common random
numbers).
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """Purposes of random draws. Append new members at the end; never renumber."""

    PLAN = 0  # req opening days (random spacing)
    INBOUND_ARRIVALS = 1  # applicant inter-arrival times, per req
    SOURCED_CANDIDATES = 2  # a sourced prospect's own outcomes and delays, per req
    INBOUND_CANDIDATES = 3  # an applicant's own outcomes and delays, per req
    EFFORT = 4  # hours of staff effort, per activity, drawn when the work starts


def stream(root_seed: int, replication: int, purpose: Stream, *index: int) -> np.random.Generator:
    """The Generator for one purpose (and optional index, e.g. a req number) of one replication."""
    seq = np.random.SeedSequence(root_seed, spawn_key=(replication, int(purpose), *index))
    return np.random.Generator(np.random.PCG64(seq))
