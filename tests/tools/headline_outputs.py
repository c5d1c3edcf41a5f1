"""Refresh the stored output of each notebook's headline cell (``# NBVAL_CHECK_OUTPUT``).

    PYTHONPATH=$PWD/src python tests/tools/headline_outputs.py [notebooks/x.ipynb ...]

Runs each notebook with its default parameters on the demo data (as ``pytest notebooks
--nbval-lax`` does), then writes the printed output of its headline cells — and nothing
else — back into the committed notebook. Review the diff: a changed headline figure means
a changed result on the demo data.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import papermill as pm

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_notebooks_clean import _allowed, is_check_cell

ROOT = Path(__file__).resolve().parents[2]


def refresh(path: Path) -> int:
    nb = json.loads(path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / path.name
        pm.execute_notebook(str(path), str(out), kernel_name="evalkit", cwd=str(path.parent), progress_bar=False)
        ran = json.loads(out.read_text(encoding="utf-8"))
    changed = 0
    for cell, done in zip(nb["cells"], ran["cells"], strict=True):
        if cell.get("cell_type") != "code":
            continue
        if is_check_cell(cell):
            outputs = [{"name": o["name"], "output_type": "stream", "text": o["text"]}
                       for o in done.get("outputs", []) if o.get("output_type") == "stream"]
            cell_new = {**cell, "outputs": outputs, "execution_count": 1 if outputs else None}
            if not _allowed(cell_new):
                raise SystemExit(f"{path}: headline cell prints something other than stdout text")
            changed += cell_new["outputs"] != cell.get("outputs")
            cell.update(cell_new)
        else:
            cell["outputs"], cell["execution_count"] = [], None
    path.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return changed


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for p in paths:
        n = refresh(p)
        print(f"{p}: {n} headline cell(s) changed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
