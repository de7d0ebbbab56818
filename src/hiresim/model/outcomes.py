"""How a candidate's story can end, and how a stage visit can end.

Every candidate ends in exactly one of ``TERMINAL_STATES`` (at a named stage); every stage
visit ends in one of ``VISIT_OUTCOMES``; ``OUTCOME_OF_TERMINAL`` is the outcome of the last
visit of a candidate in each terminal state. The lowest layer of the model: no imports.
"""

from __future__ import annotations

TERMINAL_STATES = (
    "no_reply",
    "not_interested",
    "rejected",
    "withdrew",
    "declined_offer",
    "hired",
    "closed_out",
    "in_process",
)
VISIT_OUTCOMES = ("passed", "failed", "withdrew", "closed_out", "in_process")
OUTCOME_OF_TERMINAL = {
    "no_reply": "failed",
    "not_interested": "failed",
    "rejected": "failed",
    "declined_offer": "failed",
    "withdrew": "withdrew",
    "closed_out": "closed_out",
    "in_process": "in_process",
    "hired": "passed",
}

__all__ = ["OUTCOME_OF_TERMINAL", "TERMINAL_STATES", "VISIT_OUTCOMES"]
