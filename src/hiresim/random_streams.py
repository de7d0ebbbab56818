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


class BlockDraws:
    """Uniforms on [0, 1) and standard normals from one stream, drawn in blocks.

    A numpy call costs about a microsecond whatever it draws, so a stream that hands out
    a few numbers per candidate is drawn ``block`` numbers at a time. Each kind has its
    own block; a request that does not fit in what is left of a block starts a new one
    (the rest is skipped). The numbers depend only on the sequence of requests, so a
    candidate who always asks for the same counts gets the same numbers whatever
    happened to the candidates before them (common random numbers).
    """

    __slots__ = ("rng", "block", "_blocks", "_next")

    def __init__(self, rng: np.random.Generator, block: int = 256) -> None:
        self.rng = rng
        self.block = block
        self._blocks: list[list[float]] = [[], []]  # uniforms, standard normals
        self._next = [0, 0]  # position in each block

    def uniforms(self, n: int) -> list[float]:
        return self._take(0, n)

    def normals(self, n: int) -> list[float]:
        return self._take(1, n)

    def _take(self, kind: int, n: int) -> list[float]:
        i = self._next[kind]
        j = i + n
        if j > len(self._blocks[kind]):
            draw = self.rng.random if kind == 0 else self.rng.standard_normal
            self._blocks[kind] = draw(max(self.block, n)).tolist()
            i, j = 0, n
        self._next[kind] = j
        return self._blocks[kind][i:j]
