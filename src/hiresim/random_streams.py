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

import math
from array import array
from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """Purposes of random draws. Append new members at the end; never renumber."""

    PLAN = 0  # req opening days (random spacing)
    INBOUND_ARRIVALS = 1  # applicant inter-arrival times, per req
    SOURCED_CANDIDATES = 2  # a sourced prospect's own outcomes and delays, per req
    INBOUND_CANDIDATES = 3  # an applicant's own outcomes and delays, per req
    EFFORT = 4  # hours of staff effort, per activity, drawn when the work starts
    DROPOUT = 5  # when an engaged candidate would drop out, per req and source
    TALENT_POOL = 6  # whether a pooled candidate re-engages for a new req, per req
    POOL_CANDIDATES = 7  # a re-engaged pool candidate's own outcomes and delays, per req
    TEAM_CHANGES = 8  # when TA staff leave (attrition), per role and person
    AGENCY_CANDIDATES = 9  # an agency's candidates' own outcomes and delays, per agency and req


def stream(root_seed: int, replication: int, purpose: Stream, *index: int) -> np.random.Generator:
    """The Generator for one purpose (and optional index, e.g. a req number) of one replication."""
    seq = np.random.SeedSequence(root_seed, spawn_key=(replication, int(purpose), *index))
    return np.random.Generator(np.random.PCG64(seq))


def lognormal_of(mu: float, sigma: float, z: float) -> float:
    """numpy's lognormal(mu, sigma) from its standard normal ``z``: exp(mu + sigma * z),
    and inf where the exponential overflows (as numpy's exp gives)."""
    try:
        return math.exp(mu + sigma * z)
    except OverflowError:
        return math.inf


class BlockDraws:
    """Uniforms, standard normals and standard exponentials from one stream, in blocks.

    A numpy call costs about a microsecond whatever it draws, so a stream that hands out
    a few numbers at a time draws ``block`` numbers of a kind at once. Each kind has its
    own block; a request that does not fit in what is left of a block starts a new one
    (the rest is skipped). The numbers depend only on the sequence of requests, so a
    candidate who always asks for the same counts gets the same numbers whatever
    happened to the candidates before them (common random numbers).

    It also stands in for a numpy ``Generator`` where a distribution samples one value
    (``random``, ``exponential``, ``lognormal``): each returns exactly what numpy
    computes from the same standard variate (``scale * E``, ``exp(mean + sigma * Z)``).
    """

    __slots__ = ("rng", "block", "_blocks", "_next")

    def __init__(self, rng: np.random.Generator, block: int = 256) -> None:
        self.rng = rng
        self.block = block
        # uniforms, normals, exponentials; as arrays of doubles, 8 bytes a number, where a
        # list would hold a 24-byte float object each (a large plan keeps hundreds of
        # streams alive at once)
        self._blocks: list[array[float]] = [array("d"), array("d"), array("d")]
        self._next = [0, 0, 0]  # position in each block

    def uniforms(self, n: int) -> list[float]:
        return self._take(_UNIFORM, n)

    def normals(self, n: int) -> list[float]:
        return self._take(_NORMAL, n)

    # -- one value, as numpy's Generator methods of the same name ------------------------
    def random(self) -> float:
        return self._one(_UNIFORM)

    def exponential(self, scale: float = 1.0) -> float:
        return scale * self._one(_EXPONENTIAL)

    def lognormal(self, mean: float = 0.0, sigma: float = 1.0) -> float:
        return lognormal_of(mean, sigma, self._one(_NORMAL))

    def _one(self, kind: int) -> float:
        i = self._next[kind]
        block = self._blocks[kind]
        if i >= len(block):
            block = self._refill(kind, 1)
            i = 0
        self._next[kind] = i + 1
        return block[i]

    def _take(self, kind: int, n: int) -> list[float]:
        i = self._next[kind]
        j = i + n
        block = self._blocks[kind]
        if j > len(block):
            block = self._refill(kind, n)
            i, j = 0, n
        self._next[kind] = j
        return block[i:j].tolist()

    def _refill(self, kind: int, n: int) -> array[float]:
        draw = (self.rng.random, self.rng.standard_normal, self.rng.standard_exponential)[kind]
        block = self._blocks[kind] = array("d", draw(max(self.block, n)).tobytes())
        return block


_UNIFORM, _NORMAL, _EXPONENTIAL = 0, 1, 2
