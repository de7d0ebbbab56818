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
import json
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).parent
CORE = [
    "src/hiresim/model/journey.py",
    "src/hiresim/model/work.py",
    "src/hiresim/model/requisitions.py",
    "src/hiresim/model/candidates.py",
    "src/hiresim/model/hiring_model.py",
    "src/hiresim/random_streams.py",
]
GROUP = "hiresim_core"  # the shared library of the compiled modules: hiresim_core__mypyc
MANIFEST = ROOT / "src" / "hiresim" / "_compiled.json"


def _module(path: str) -> str:
    return path.removeprefix("src/").removesuffix(".py").replace("/", ".")


def _warn(message: str) -> None:
    print(f"hiresim setup: {message}; installing the simulation core as pure Python "
          "(same results, slower)", file=sys.stderr)


class BuildCore(build_ext):
    """build_ext that records what it compiled, and falls back to Python on failure."""

    def run(self) -> None:
        MANIFEST.unlink(missing_ok=True)
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - any compiler failure: install as Python
            _warn(f"compiling failed ({exc})")
            self.extensions = []
            return
        manifest = {
            "group": f"{GROUP}__mypyc",
            "modules": {
                _module(p): hashlib.sha256((ROOT / p).read_bytes()).hexdigest() for p in CORE
            },
        }
        text = json.dumps(manifest, indent=1) + "\n"
        if self.inplace or getattr(self, "editable_mode", False):
            MANIFEST.write_text(text)
        else:  # a wheel: the manifest goes with the built package
            target = Path(self.build_lib) / "hiresim" / "_compiled.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)

    def get_outputs(self) -> list[str]:
        outputs = super().get_outputs()
        if self.extensions and not (self.inplace or getattr(self, "editable_mode", False)):
            outputs.append(str(Path(self.build_lib) / "hiresim" / "_compiled.json"))
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
