"""Fail when a committed notebook carries outputs or execution counts, or a cell without an
id (fix with ``python tests/tools/check_notebooks_clean.py --fix notebooks``).

Notebooks are committed without any output. What a notebook prints for its headline
figures (the cell tagged ``headline``) is checked against the expected texts under
``tests/expected/headlines/`` by ``tests/test_notebook_headlines.py``, for every demo model,
so no output needs to be stored in the notebook itself.

Every cell also needs an ``id`` (nbformat 4.5): papermill and nbformat warn on each run
about cells without one, and future nbformat versions refuse them. ``--fix`` gives a
missing id a stable name (``<notebook>-<index>``), never a random one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HEADLINE_TAG = "headline"


def is_headline_cell(cell: dict) -> bool:
    return cell.get("cell_type") == "code" and HEADLINE_TAG in cell.get("metadata", {}).get("tags", [])


def dirty_cells(nb: dict) -> list[int]:
    return [
        i
        for i, c in enumerate(nb.get("cells", []))
        if c.get("cell_type") == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]


def cells_without_id(nb: dict) -> list[int]:
    return [i for i, c in enumerate(nb.get("cells", [])) if not c.get("id")]


def main(argv: list[str]) -> int:
    fix = "--fix" in argv
    paths = [Path(a) for a in argv if a != "--fix"] or [Path("notebooks")]
    files = [f for p in paths for f in (sorted(p.glob("*.ipynb")) if p.is_dir() else [p])]
    bad = []
    for f in files:
        nb = json.loads(f.read_text(encoding="utf-8"))
        cells, no_id = dirty_cells(nb), cells_without_id(nb)
        if (cells or no_id) and fix:
            for i in cells:
                nb["cells"][i]["outputs"], nb["cells"][i]["execution_count"] = [], None
            taken = {c.get("id") for c in nb["cells"]}
            for i in no_id:
                new_id = f"{f.stem}-{i:02d}".replace("_", "-")
                while new_id in taken:
                    new_id += "x"
                nb["cells"][i]["id"] = new_id
                taken.add(new_id)
            if no_id:
                nb["nbformat"], nb["nbformat_minor"] = 4, max(nb.get("nbformat_minor", 0), 5)
            f.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        else:
            if cells:
                bad.append(f"{f}: outputs in cell(s) {', '.join(map(str, cells))}")
            if no_id:
                bad.append(f"{f}: cell(s) without an id: {', '.join(map(str, no_id))}")
    for b in bad:
        print(b, file=sys.stderr)
    if bad:
        print("fix them with: python tests/tools/check_notebooks_clean.py --fix notebooks", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
