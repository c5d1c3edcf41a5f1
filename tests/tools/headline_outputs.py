"""Expected headline texts of the notebooks, one file per model × measure.

    PYTHONPATH=$PWD/src python tests/tools/headline_outputs.py            # run the demo pipeline, refresh all
    PYTHONPATH=$PWD/src python tests/tools/headline_outputs.py --from DIR # take executed notebooks from DIR

Every notebook ends with a cell tagged ``headline`` that prints ``res.headline([...])``:
aggregate, small-cell-suppressed figures as text. ``tests/test_notebook_headlines.py``
compares what that cell printed in each executed notebook of a demo run
(``<out>/<model>/notebooks/<notebook>.ipynb``) with ``tests/expected/headlines/
<model>.<notebook>.txt``. After a deliberate change of a demo result or its formatting,
refresh the files with this tool and review the diff: a changed line is a changed result.
"""

from __future__ import annotations

import difflib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_notebooks_clean import is_headline_cell

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = ROOT / "tests" / "expected" / "headlines"


def headline_text(executed: Path) -> str:
    """What the ``headline`` cell(s) of an executed notebook printed to stdout."""
    nb = json.loads(executed.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if is_headline_cell(c)]
    if not cells:
        raise ValueError(f"{executed}: no cell tagged 'headline'")
    return "".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


def executed_notebooks(out: Path) -> dict[str, Path]:
    """``<model>.<notebook>`` → executed notebook, for every model under a reports directory."""
    return {f"{p.parent.parent.name}.{p.stem}": p for p in sorted(out.glob("*/notebooks/*.ipynb"))}


def compare(out: Path, expected: Path = EXPECTED) -> list[str]:
    """Problems (missing, extra, changed headline texts) of a reports directory, as text."""
    found = executed_notebooks(out)
    want = {p.stem: p for p in expected.glob("*.txt")}
    problems = [f"{k}: no expected text" for k in sorted(set(found) - set(want))]
    problems += [f"{k}: expected, but no executed notebook" for k in sorted(set(want) - set(found))]
    for key in sorted(set(found) & set(want)):
        text, ref = headline_text(found[key]), want[key].read_text(encoding="utf-8")
        if "LV" not in text and "%" not in text:
            problems.append(f"{key}: headline printed no figures: {text!r}")
        elif text != ref:
            diff = difflib.unified_diff(ref.splitlines(), text.splitlines(), "expected", "now", lineterm="")
            problems.append(f"{key}:\n" + "\n".join(diff))
    return problems


def refresh(out: Path) -> list[str]:
    EXPECTED.mkdir(parents=True, exist_ok=True)
    changed = []
    found = executed_notebooks(out)
    if not found:
        raise SystemExit(f"{out}: no executed notebooks (<model>/notebooks/*.ipynb)")
    for key, nb in found.items():
        target = EXPECTED / f"{key}.txt"
        text = headline_text(nb)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            changed.append(key)
    for stale in sorted(set(p.stem for p in EXPECTED.glob("*.txt")) - set(found)):
        (EXPECTED / f"{stale}.txt").unlink()
        changed.append(f"{stale} (removed)")
    return changed


def main(argv: list[str]) -> int:
    if argv[:1] == ["--from"] and len(argv) == 2:
        changed = refresh(Path(argv[1]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            data, out = Path(tmp) / "data", Path(tmp) / "out"
            cmd = [sys.executable, "-m", "evalkit"]
            subprocess.run([*cmd, "demo-data", "--out", str(data / "demo")], check=True, cwd=ROOT)
            subprocess.run([*cmd, "run", "--data", str(data), "--out", str(out)], check=True, cwd=ROOT)
            changed = refresh(out)
    print(f"{len(changed)} headline file(s) changed: {', '.join(changed) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
