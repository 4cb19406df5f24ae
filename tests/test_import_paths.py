"""One import path per name: every ``from helpers... import name`` names a module, or a name that module defines itself."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
#: ``helpers`` itself keeps its version and the base error class (``except helpers.CourseError``).
TOP_LEVEL = {"CourseError", "__version__"}


def _module_file(module: str) -> Path | None:
    """The file of ``helpers...`` module ``module`` in this repository, or ``None`` when it is not a module."""
    path = REPO.joinpath(*module.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if module.split(".")[0] == "helpers" and candidate.is_file():
            return candidate
    return None


def _own_names(path: Path) -> set[str]:
    """The names a module's top level defines itself (functions, classes, assignments), not those it imports."""
    names: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(n.id for target in targets for n in ast.walk(target) if isinstance(n, ast.Name))
            elif isinstance(node, (ast.If, ast.Try, ast.With)):
                visit(node.body + getattr(node, "orelse", []) + getattr(node, "finalbody", []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)

    visit(ast.parse(path.read_text()).body)
    return names


def _sources() -> list[tuple[str, str]]:
    """(where, Python source) for the package, the tests, the benchmarks and every notebook's code cells."""
    files = [path for folder in ("helpers", "tests", "benchmarks") for path in sorted((REPO / folder).rglob("*.py"))]
    sources = [(str(path.relative_to(REPO)), path.read_text()) for path in files]
    for path in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for number, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "code":  # shell (!) and magic (%) lines are not Python
                code = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("!", "%")))
                sources.append((f"{path.name} cell {number}", code))
    return sources


def test_every_name_is_imported_from_the_module_that_defines_it():
    own: dict[str, set[str]] = {}
    wrong = []
    for where, source in _sources():
        for node in ast.walk(ast.parse(source)):
            if not (isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "helpers"):
                continue
            for alias in node.names:
                if _module_file(f"{node.module}.{alias.name}") or (node.module == "helpers" and alias.name in TOP_LEVEL):
                    continue
                if _module_file(node.module) is None:  # a missing module fails where it is imported, not here
                    continue
                if node.module not in own:
                    own[node.module] = _own_names(_module_file(node.module))
                if alias.name not in own[node.module]:
                    wrong.append(f"{where}: from {node.module} import {alias.name}")
    assert wrong == [], "import each name from the module that defines it"


@pytest.mark.parametrize("package", ["helpers.data", "helpers.data.checks", "helpers.ensembles", "helpers.exercises"])
def test_package_faces_are_docstrings(package):
    tree = ast.parse(_module_file(package).read_text())
    assert [type(node).__name__ for node in tree.body] == ["Expr"], f"{package}/__init__.py holds only its docstring"


def test_the_old_module_names_are_gone():
    old = ["helpers.training", "helpers.train_fit", "helpers.train_options", "helpers.train_cli", "helpers.weights",
           "helpers.transfer_runs", "helpers.data.scan", "helpers.data.quarantine", "helpers.data.layout", "helpers.data.image_check"]
    assert [name for name in old if _module_file(name)] == []


def _resolves(dotted: str) -> bool:
    """Whether ``helpers.a.b.c`` names a module, or an attribute of the longest module prefix."""
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


def test_names_the_notebooks_prose_gives_exist():
    """A `helpers.x.y` in a notebook's markdown names a module or function that exists (prose outlives renames)."""
    missing = []
    for path in sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type != "markdown":
                continue
            for span in re.findall(r"`([^`]+)`", cell.source):
                for dotted in re.findall(r"\bhelpers(?:\.\w+)+", span):
                    if not _resolves(dotted):
                        missing.append(f"{path.name} cell {index}: {dotted}")
    assert not missing, "the prose names what no longer exists:\n  " + "\n  ".join(missing)
