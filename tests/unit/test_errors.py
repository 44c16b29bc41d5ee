"""One exception tree: every error class tecflow defines descends from TecflowError
(contracts/errors.py draws the tree), so no error of ours escapes `except TecflowError`."""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("care", "contracts", "streams", "schedules", "services")
BUILT_IN_ERRORS = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}


def error_classes() -> list[tuple[str, ast.ClassDef]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef):
                    found.append((str(path.relative_to(ROOT)), node))
    return found


def base_names(node: ast.ClassDef) -> list[str]:
    return [b.id if isinstance(b, ast.Name) else ast.unparse(b) for b in node.bases]


@pytest.mark.parametrize(
    ("where", "node"),
    [(w, n) for w, n in error_classes() if set(base_names(n)) & BUILT_IN_ERRORS],
    ids=lambda value: value.name if isinstance(value, ast.ClassDef) else value,
)
def test_every_error_we_define_has_the_project_root(where: str, node: ast.ClassDef) -> None:
    bases = base_names(node)
    if node.name == "TecflowError":
        assert where == "contracts/errors.py" and bases == ["Exception"]
        return
    ours = [b for b in bases if b not in BUILT_IN_ERRORS]
    assert ours, f"{where}: {node.name}({', '.join(bases)}) must derive from TecflowError"


def test_the_tree_is_drawn_where_the_root_is() -> None:
    drawing = (ROOT / "contracts/errors.py").read_text(encoding="utf-8")
    ours = {
        n.name
        for _, n in error_classes()
        if set(base_names(n)) & (BUILT_IN_ERRORS | {"TecflowError"}) and n.name != "TecflowError"
    }
    assert {name for name in ours if name not in drawing} == set()
