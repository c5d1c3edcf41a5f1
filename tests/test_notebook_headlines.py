"""Headline cells: every notebook prints its headline figures in a ``# NBVAL_CHECK_OUTPUT``
cell whose stored output nbval checks (issue 11); only that output may be committed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from evalkit.results import Estimate, MeasureResult

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "tools"))
from check_notebooks_clean import cells_without_id, dirty_cells, is_check_cell  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _result() -> MeasureResult:
    def est(indicator, group, value, low, high, n, unit, method, numerator=None):
        return Estimate(indicator, value, unit, method, n=n, ci_low=low, ci_high=high, group=group,
                        numerator=numerator)

    return MeasureResult(estimates=(
        est("employment_rate", "all", 25 / 73, 0.24, 0.45, 73, "proportion", "Wilson", numerator=25),
        est("employment_rate", "sex:F", 3 / 30, 0.03, 0.26, 30, "proportion", "Wilson", numerator=3),
        est("employment_rate", "sex:M", 22 / 43, 0.37, 0.65, 43, "proportion", "Wilson", numerator=22),
        est("rate_ratio", "intervention", 0.614, 0.566, 0.667, 73, "rate_ratio", "Poisson GLM"),
    ))


def test_headline_text_suppresses_small_cells_and_their_complement():
    text = _result().headline(["employment_rate", ("rate_ratio", "intervention"), ("missing", "all")], min_cell=5)
    lines = text.replace("\xa0", " ").splitlines()  # babel puts a no-break space before %
    assert lines[0] == "employment_rate: 34 % (25 / 73; 95 % LV 24–45 %)"
    # 3 < 5 is suppressed, and so is its complement within the split (secondary suppression)
    assert lines[1].startswith("employment_rate [sex:F]: (") and "3 / 30" not in text
    assert lines[2].startswith("employment_rate [sex:M]: (") and "22 / 43" not in text
    assert lines[3] == "rate_ratio [intervention]: 0,61 (95 % LV 0,57–0,67), n = 73"
    assert len(lines) == 4  # unknown keys are skipped


def _nb(cells: list[dict]) -> dict:
    return {"cells": cells}


def _code(source: str, outputs: list[dict], count: int | None) -> dict:
    return {"cell_type": "code", "source": source, "outputs": outputs, "execution_count": count}


STDOUT = {"output_type": "stream", "name": "stdout", "text": "rate_ratio: 0,61\n"}
IMAGE = {"output_type": "display_data", "data": {"image/png": "iVBOR"}, "metadata": {}}


@pytest.mark.parametrize(("cell", "dirty"), [
    (_code("# NBVAL_CHECK_OUTPUT\nprint(x)", [STDOUT], 1), False),
    (_code("# NBVAL_CHECK_OUTPUT\nprint(x)", [], None), False),
    (_code("# NBVAL_CHECK_OUTPUT\nx", [IMAGE], 1), True),  # never pictures or tables
    (_code("# NBVAL_CHECK_OUTPUT\nprint(x)", [STDOUT, IMAGE], 1), True),
    (_code("print(x)", [STDOUT], 1), True),  # an ordinary cell keeps nothing
    (_code("print(x)", [], 3), True),
    (_code("# NBVAL_CHECK_OUTPUT\nprint(x)", [STDOUT], 7), True),
])
def test_clean_check_allows_only_headline_text(cell, dirty):
    assert bool(dirty_cells(_nb([cell]))) is dirty


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_has_a_checked_headline_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    checks = [c for c in nb["cells"] if c["cell_type"] == "code" and is_check_cell(c)]
    how = f"PYTHONPATH=src python tests/tools/headline_outputs.py notebooks/{path.name}"
    assert checks, (f"{path.name}: add a last cell '# NBVAL_CHECK_OUTPUT' + print(res.headline([...], "
                    f"min_cell=ctx.params.min_cell, language=ctx.language)), then store its output: {how}")
    assert all(c["outputs"] for c in checks), f"{path.name}: store the headline output: {how}"
    text = "".join("".join(o["text"]) for c in checks for o in c["outputs"])
    assert "LV" in text or "%" in text  # figures, not an empty print


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_cell_has_an_id(nb_path: Path) -> None:
    # without ids papermill/nbformat print a MissingIDFieldWarning into every `evalkit run`
    assert cells_without_id(json.loads(nb_path.read_text(encoding="utf-8"))) == []


def test_cells_without_id_are_found() -> None:
    assert cells_without_id({"cells": [{"id": "a"}, {"cell_type": "code"}, {"id": ""}]}) == [1, 2]
