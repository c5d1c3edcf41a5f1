"""Notebooks only orchestrate: no function, lambda or class definitions in their code cells
(logic belongs in the library, where it is tested)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def definitions(nb: dict) -> list[str]:
    found = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        code = "\n".join(line for line in src.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, DEFINITIONS):
                found.append(f"cell {i}, line {node.lineno}: {type(node).__name__}")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_defines_no_functions(path: Path) -> None:
    assert definitions(json.loads(path.read_text(encoding="utf-8"))) == []


def test_a_definition_is_found() -> None:
    nb = {"cells": [{"cell_type": "code", "source": "x = 1\ndef f():\n    return 2\ny = map(lambda v: v, [])"},
                    {"cell_type": "markdown", "source": "def not_code"}]}
    assert definitions(nb) == ["cell 0, line 2: FunctionDef", "cell 0, line 4: Lambda"]
