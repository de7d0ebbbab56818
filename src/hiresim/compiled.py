"""Whether the simulation core runs compiled (mypyc) or from its Python sources.

``setup.py`` compiles the core modules (``CORE_MODULES``) with mypyc when the package is
installed, and writes ``_compiled.json``: a hash of each compiled source. Both forms give
bit-identical results; compiled is about 1.5x faster (docs/performance.md).

``use_sources_if_needed()`` runs first thing when ``hiresim`` is imported. It makes the
core load from the ``.py`` files instead of the compiled extensions when

* ``HIRESIM_PURE=1`` is set (profiling with py-spy, debugging, comparing), or
* the build is stale (a source changed since) or incomplete (a module, the shared
  library or the manifest missing): a ``StaleCoreWarning`` says how to rebuild.

Compiled or not, ``core_mode()`` tells which, for benchmarks and bug reports.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from pathlib import Path

PACKAGE_DIR = Path(__file__).parent
MANIFEST = PACKAGE_DIR / "_compiled.json"
PURE_ENV = "HIRESIM_PURE"
# The modules setup.py compiles (it reads this list): what every simulated candidate runs
# through. This file imports only the standard library, so setup.py can load it alone.
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
GROUP = "hiresim_core__mypyc"  # the shared library of the compiled modules

_mode = "pure Python (not compiled)"


class StaleCoreWarning(RuntimeWarning):
    """The compiled core is older than its sources: the sources run instead."""


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Finds the listed modules as ``.py`` files, ahead of their compiled extensions."""

    def __init__(self, sources: dict[str, Path]) -> None:
        self.sources = sources

    def find_spec(self, fullname: str, path: object = None, target: object = None
                  ) -> importlib.machinery.ModuleSpec | None:
        source = self.sources.get(fullname)
        if source is None:
            return None
        return importlib.util.spec_from_file_location(fullname, source)


def _source_path(module: str) -> Path:
    return PACKAGE_DIR.parent.joinpath(*module.split(".")).with_suffix(".py")


def _has_extension(stem: Path) -> bool:
    """Is there an extension module ``stem`` + a suffix this Python imports?"""
    return any(
        stem.with_name(stem.name + suffix).exists()
        for suffix in importlib.machinery.EXTENSION_SUFFIXES
    )


def _why_sources() -> str | None:
    """Why the compiled core cannot be used (None: it can)."""
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        return f"{PURE_ENV} is set"
    try:
        digests = json.loads(MANIFEST.read_text())["modules"]
    except (OSError, ValueError, KeyError, TypeError):
        return "the compiled core has no record of its sources (_compiled.json)"
    if not _has_extension(PACKAGE_DIR.parent / GROUP):
        return "the compiled core's shared library is missing"
    for module in CORE_MODULES:
        source = _source_path(module)
        if not _has_extension(source.with_suffix("")):
            return f"{module} is not compiled"
        if hashlib.sha256(source.read_bytes()).hexdigest() != digests.get(module):
            return f"{source.name} changed since the core was compiled"
    return None


def use_sources_if_needed() -> None:
    """Load the core from its sources if it is not compiled, stale, or HIRESIM_PURE is set."""
    global _mode
    if any(isinstance(f, _SourceFinder) for f in sys.meta_path):
        return  # already decided in this process
    if not any(_has_extension(_source_path(m).with_suffix("")) for m in CORE_MODULES):
        return  # installed as pure Python: the sources are all there is
    why = _why_sources()
    if why is None:
        _mode = "compiled (mypyc)"
        return
    sys.meta_path.insert(0, _SourceFinder({m: _source_path(m) for m in CORE_MODULES}))
    _mode = f"pure Python ({why})"
    if not why.startswith(PURE_ENV):
        warnings.warn(
            f"hiresim: {why}; running the Python sources (same results, slower). "
            "Rebuild with `make venv` or `pip install -e .`",
            StaleCoreWarning, stacklevel=2,
        )


def core_mode() -> str:
    """'compiled (mypyc)' or 'pure Python (why)', as decided when hiresim was imported."""
    return _mode
