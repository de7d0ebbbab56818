"""Build hook: compile the simulation core to C with mypyc, or install it as Python.

Everything else about the package is in ``pyproject.toml``. The modules in ``CORE`` are
the code every simulated candidate runs through (the candidate's story, staff work, reqs,
journeys, random blocks). mypyc (part of mypy) compiles them from their type annotations
into C extensions; a replication gives bit-identical results either way, about 1.6x
faster compiled (docs/performance.md). Why mypyc rather than Cython or numba: it compiles
the same typed Python the project already checks with mypy, so there is one source, and
the pure-Python modules stay the reference (``HIRESIM_PURE=1`` runs them).

With no C compiler or no mypyc the package installs as pure Python, with a warning. After
the build, ``src/hiresim/_compiled.json`` records a hash of each compiled source, so that
``hiresim.compiled`` can tell a stale build from a fresh one (it then runs the sources).

``HIRESIM_NO_COMPILE=1`` at install time skips the compilation.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).parent


def _compiled_py() -> ModuleType:
    """src/hiresim/compiled.py on its own (standard library only): the list of modules."""
    spec = importlib.util.spec_from_file_location("_hiresim_compiled",
                                                  ROOT / "src" / "hiresim" / "compiled.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_COMPILED = _compiled_py()
CORE = [f"src/{m.replace('.', '/')}.py" for m in _COMPILED.CORE_MODULES]
GROUP = _COMPILED.GROUP.removesuffix("__mypyc")  # mypyc adds the suffix
MANIFEST = ROOT / "src" / "hiresim" / "_compiled.json"


def _warn(message: str) -> None:
    print(f"hiresim setup: {message}; installing the simulation core as pure Python "
          "(same results, slower)", file=sys.stderr)


class BuildCore(build_ext):
    """build_ext that records what it compiled, and falls back to Python on failure."""

    @property
    def in_place(self) -> bool:
        """Built into the source tree (an editable install), not into a wheel."""
        return bool(self.inplace or getattr(self, "editable_mode", False))

    def run(self) -> None:
        if self.in_place:
            MANIFEST.unlink(missing_ok=True)
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - any compiler failure: install as Python
            _warn(f"compiling failed ({exc})")
            self.extensions = []
            return
        manifest = {"modules": {
            module: hashlib.sha256((ROOT / path).read_bytes()).hexdigest()
            for module, path in zip(_COMPILED.CORE_MODULES, CORE, strict=True)
        }}
        target = self.manifest_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(manifest, indent=1) + "\n")

    @property
    def manifest_path(self) -> Path:
        """In the source tree (editable install), or with the built package (a wheel)."""
        if self.in_place:
            return MANIFEST
        return Path(self.build_lib) / MANIFEST.relative_to(ROOT / "src")

    def get_outputs(self) -> list[str]:
        outputs = super().get_outputs()
        if self.extensions and not self.in_place:
            outputs.append(str(self.manifest_path))
        return outputs


def _extensions() -> list:
    if os.environ.get("HIRESIM_NO_COMPILE"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        _warn("mypyc is not available")
        return []
    cwd = os.getcwd()
    os.chdir(ROOT)  # mypyc names modules from paths relative to the project
    try:
        return mypycify(CORE, opt_level="3", group_name=GROUP)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - a type error: install as Python
        _warn(f"mypyc could not compile the core ({exc})")
        return []
    finally:
        os.chdir(cwd)


setup(ext_modules=_extensions(), cmdclass={"build_ext": BuildCore})
