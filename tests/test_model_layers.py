"""The model's modules form layers: each imports only modules of the layers below it.

Every import counts: at module level, inside functions, and under ``TYPE_CHECKING``
(mypy and mypyc follow those too). What a lower layer needs of a higher one is a
``typing.Protocol`` or a type parameter (``model/__init__.py`` describes the layers).
"""

from __future__ import annotations

import ast
from pathlib import Path

import hiresim.model

MODEL_DIR = Path(hiresim.model.__file__).parent
# lowest first: outcomes <- journey <- sourcing <- work <- interviews <- requisitions <- candidates
# <- structures <- team_changes <- agency <- hiring_model
LAYERS = ("outcomes", "journey", "sourcing", "work", "interviews", "requisitions", "candidates",
          "structures", "team_changes", "agency", "hiring_model")


def model_imports(path: Path) -> set[str]:
    """Names of the model modules that ``path`` imports anywhere in its text."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = "." * node.level + node.module
            if module.startswith("."):  # relative: from .x import y, from . import x
                names = [f"hiresim.model.{module.lstrip('.')}"]
            else:
                names = [module] + [f"{module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.ImportFrom):  # from . import x
            names = [f"hiresim.model.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[:2] == ["hiresim", "model"] and len(parts) > 2:
                found.add(parts[2])
    found.discard(path.stem)
    return found


def test_every_model_module_has_a_layer() -> None:
    modules = {p.stem for p in MODEL_DIR.glob("*.py")} - {"__init__"}
    assert modules == set(LAYERS)


def test_model_modules_import_only_lower_layers() -> None:
    wrong = {
        name: sorted(m for m in model_imports(MODEL_DIR / f"{name}.py")
                     if LAYERS.index(m) >= LAYERS.index(name))
        for name in LAYERS
    }
    assert not any(wrong.values()), f"imports of the same or a higher layer: {wrong}"


def test_the_import_scan_sees_imports_under_type_checking_and_in_functions(tmp_path) -> None:
    """The check above would catch the circles the model once had."""
    path = tmp_path / "candidates.py"
    path.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from hiresim.model.hiring_model import HiringModel\n"
        "def f():\n    import hiresim.model.work as w\n"
        "from hiresim.model import requisitions\nfrom . import sourcing\n"
    )
    assert model_imports(path) == {"hiring_model", "work", "requisitions", "sourcing"}
