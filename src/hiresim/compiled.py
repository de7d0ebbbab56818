"""The modules a built wheel compiles with mypyc, and whether the running core is compiled.

``pip install .``, ``pip wheel .`` and ``make fast`` compile the modules named in
``CORE_MODULES`` (the code every simulated candidate runs through) to C extensions with
mypyc, when mypyc and a C compiler are there; otherwise they install them as Python. An
editable install (``pip install -e .``, what ``make venv``, ``make test`` and ``make demo``
do) always runs the Python sources, so an edit needs nothing rebuilt. Compiled or not, a
seed gives bit-identical results (tests/test_compiled_core.py); compiled runs about 1.4x
faster (docs/performance.md).

``setup.py`` reads ``CORE_MODULES`` from this file alone, so it imports only the
standard library. To compile one more module, add its name to the tuple.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys

CORE_MODULES = (
    "hiresim.model.journey",
    "hiresim.model.sourcing",
    "hiresim.model.work",
    "hiresim.model.interviews",
    "hiresim.model.requisitions",
    "hiresim.model.candidates",
    "hiresim.model.hiring_model",
    "hiresim.random_streams",
)
GROUP = "hiresim_core"  # mypyc's shared library of the compiled modules: hiresim_core__mypyc


def is_compiled(module: str) -> bool:
    """Does ``module`` (a dotted name) run, or would it be imported, as a C extension?"""
    loaded = sys.modules.get(module)
    origin = getattr(loaded, "__file__", None) if loaded is not None else None
    if origin is None:
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
    return origin is not None and origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def core_mode() -> str:
    """'compiled (mypyc)' or 'pure Python (not compiled)': which simulation core runs."""
    compiled = [m for m in CORE_MODULES if is_compiled(m)]
    if len(compiled) == len(CORE_MODULES):
        return "compiled (mypyc)"
    if not compiled:
        return "pure Python (not compiled)"
    return f"partly compiled ({len(compiled)} of {len(CORE_MODULES)} core modules)"
