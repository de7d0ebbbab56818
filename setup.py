"""Build hook: a built wheel compiles the simulation core with mypyc; an editable install does not.

Everything else about the package is in ``pyproject.toml``. The modules named in
``hiresim.compiled.CORE_MODULES`` are the code every simulated candidate runs through
(the candidate's story, staff work, reqs, journeys, random blocks).

* ``pip install -e .`` (``make venv``, ``make test``, ``make demo``): nothing is compiled;
  the core runs from its Python sources, so an edit needs nothing rebuilt.
* ``pip install .``, ``pip wheel .`` (``make fast``): mypyc (part of mypy, a build
  requirement) compiles those modules from their type annotations into C extensions,
  about 1.4x faster with bit-identical results (docs/performance.md). Without mypyc or a
  C compiler, or if mypyc cannot compile the code, the wheel holds the Python sources
  and one message says why (``hiresim --version`` tells which core is installed).
  ``HIRESIM_NO_COMPILE=1`` skips the compilation.

Why mypyc rather than Cython or numba: it compiles the same typed Python the project
already checks with mypy, so there is one source, and the sources stay the reference.
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).parent


def core_modules() -> tuple[tuple[str, ...], str]:
    """``CORE_MODULES`` and ``GROUP`` of src/hiresim/compiled.py (standard library only)."""
    names = runpy.run_path(str(ROOT / "src" / "hiresim" / "compiled.py"))
    return names["CORE_MODULES"], names["GROUP"]


def _first_line(exc: BaseException, limit: int = 200) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= limit else text[:limit] + "..."


def _fall_back(why: str) -> None:
    print(f"hiresim setup: {why}; the simulation core is installed as pure Python "
          "(same results, slower)", file=sys.stderr)


class BuildCore(build_ext):
    """Compiles the core when building a wheel; leaves an editable install as Python."""

    def finalize_options(self) -> None:
        if not (self.editable_mode or self.inplace or self.distribution.ext_modules):
            self.distribution.ext_modules = self._core_extensions()
        super().finalize_options()

    def run(self) -> None:
        if self.editable_mode or self.inplace:
            return  # the sources are the core: no compiled file may shadow them
        try:
            super().run()
        except Exception as exc:
            _fall_back(f"compiling the core failed ({_first_line(exc)})")
            for ext in self.extensions:  # no half-built core in the wheel
                Path(self.get_ext_fullpath(ext.name)).unlink(missing_ok=True)
            self.extensions = []

    @staticmethod
    def _core_extensions() -> list:
        if os.environ.get("HIRESIM_NO_COMPILE", "") not in ("", "0"):
            _fall_back("HIRESIM_NO_COMPILE is set")
            return []
        try:
            from mypyc.build import mypycify
        except ImportError:
            _fall_back("mypyc (part of mypy) is not available")
            return []
        modules, group = core_modules()
        paths = [f"src/{module.replace('.', '/')}.py" for module in modules]
        cwd = os.getcwd()
        os.chdir(ROOT)  # mypyc names the modules by their paths relative to the project
        try:
            return mypycify(paths, opt_level="3", group_name=group)
        except (Exception, SystemExit) as exc:
            _fall_back(f"mypyc could not compile the core ({_first_line(exc)})")
            return []
        finally:
            os.chdir(cwd)


class CoreDistribution(Distribution):
    """Always runs build_ext (which decides what to compile), and tags the wheel for
    this platform, whether or not the compilation succeeds."""

    def has_ext_modules(self) -> bool:
        return True


setup(distclass=CoreDistribution, cmdclass={"build_ext": BuildCore})
