"""Fail when a committed notebook carries outputs or execution counts (strip them first:
``python tests/tools/check_notebooks_clean.py --fix notebooks``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def dirty_cells(nb: dict) -> list[int]:
    return [
        i
        for i, c in enumerate(nb.get("cells", []))
        if c.get("cell_type") == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]


def main(argv: list[str]) -> int:
    fix = "--fix" in argv
    paths = [Path(a) for a in argv if a != "--fix"] or [Path("notebooks")]
    files = [f for p in paths for f in (sorted(p.glob("*.ipynb")) if p.is_dir() else [p])]
    bad = []
    for f in files:
        nb = json.loads(f.read_text(encoding="utf-8"))
        cells = dirty_cells(nb)
        if cells and fix:
            for i in cells:
                nb["cells"][i]["outputs"] = []
                nb["cells"][i]["execution_count"] = None
            f.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        elif cells:
            bad.append(f"{f}: outputs in cell(s) {', '.join(map(str, cells))}")
    for b in bad:
        print(b, file=sys.stderr)
    if bad:
        print("strip them with: python tests/tools/check_notebooks_clean.py --fix notebooks", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
