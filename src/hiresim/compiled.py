"""Whether the simulation core runs compiled (mypyc) or from its Python sources.

``setup.py`` compiles the core modules (``model/*`` but the package's ``__init__``, and
``random_streams``) with mypyc when the package is installed, and writes
``_compiled.json``: the modules it compiled with a hash of each source. Both forms give
bit-identical results; compiled is about 1.6x faster.

``use_sources_if_needed()`` runs first thing when ``hiresim`` is imported. It makes the
core load from the ``.py`` files instead of the compiled extensions when

* ``HIRESIM_PURE=1`` is set (profiling with py-spy, debugging, comparing), or
* a compiled module is stale: its source changed since the build (a warning says how to
  rebuild), or the build is incomplete.

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


def _why_sources(manifest: dict) -> str | None:
    """Why the compiled core cannot be used (None: it can)."""
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        return f"{PURE_ENV} is set"
    if not _has_extension(PACKAGE_DIR.parent / manifest["group"]):
        return "the compiled core's shared library is missing"
    for module, digest in manifest["modules"].items():
        source = _source_path(module)
        if not _has_extension(source.with_suffix("")):
            return f"{module} is not compiled"
        if hashlib.sha256(source.read_bytes()).hexdigest() != digest:
            return f"{source.name} changed since the core was compiled"
    return None


def use_sources_if_needed() -> None:
    """Load the core from its sources if it is not compiled, stale, or HIRESIM_PURE is set."""
    global _mode
    if any(isinstance(f, _SourceFinder) for f in sys.meta_path):
        return  # already decided in this process
    try:
        manifest = json.loads(MANIFEST.read_text())
    except FileNotFoundError:
        return  # installed as pure Python: the sources are all there is
    why = _why_sources(manifest)
    if why is None:
        _mode = "compiled (mypyc)"
        return
    sources = {module: _source_path(module) for module in manifest["modules"]}
    sys.meta_path.insert(0, _SourceFinder(sources))
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
