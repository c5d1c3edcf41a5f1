"""Headline cells: every notebook ends with a cell tagged ``headline`` that prints its
headline figures (aggregate, suppressed text). What it prints in every executed notebook of
the demo run — each model, not only the notebook's default one — must equal the expected
text under ``tests/expected/headlines/`` (refresh: ``tests/tools/headline_outputs.py``).
The notebooks themselves are committed without outputs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from evalkit.results import Estimate, MeasureResult

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "tools"))
from check_notebooks_clean import cells_without_id, dirty_cells, is_headline_cell  # noqa: E402
from headline_outputs import compare, executed_notebooks, headline_text  # noqa: E402

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


REFRESH = "PYTHONPATH=$PWD/src python tests/tools/headline_outputs.py"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_ends_with_a_headline_cell_and_no_outputs(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and is_headline_cell(code[-1]), (
        f"{path.name}: the last code cell must be tagged 'headline' and print(res.headline([...], "
        "min_cell=ctx.params.min_cell, language=ctx.language))")
    assert "res.headline(" in "".join(code[-1]["source"])
    assert dirty_cells(nb) == [], f"{path.name}: strip outputs (tests/tools/check_notebooks_clean.py --fix)"


@pytest.mark.e2e
def test_headlines_of_every_executed_notebook_match_the_expected_text(pipeline) -> None:
    problems = compare(pipeline["out"])
    assert not problems, f"headline figures changed (review; refresh with {REFRESH}):\n" + "\n".join(problems)


def _executed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = {"cells": [{"cell_type": "code", "metadata": {"tags": ["headline"]}, "source": "print(x)",
                     "outputs": [{"output_type": "stream", "name": "stdout", "text": text},
                                 {"output_type": "stream", "name": "stderr", "text": "warning\n"}]}]}
    path.write_text(json.dumps(nb), encoding="utf-8")


def test_compare_reports_changed_missing_and_unexpected_headlines(tmp_path: Path) -> None:
    out, exp = tmp_path / "out", tmp_path / "expected"
    exp.mkdir()
    (exp / "m.visits.txt").write_text("rate_ratio: 0,82 (95 % LV 0,69–0,89)\n", encoding="utf-8")
    (exp / "m.reach.txt").write_text("x: 5 %\n", encoding="utf-8")
    _executed(out / "m" / "notebooks" / "visits.ipynb", "rate_ratio: 0,82 (95 % LV 0,69–0,89)\n")
    assert compare(out, exp) == ["m.reach: expected, but no executed notebook"]
    _executed(out / "m" / "notebooks" / "reach.ipynb", "x: 6 %\n")
    _executed(out / "n" / "notebooks" / "visits.ipynb", "y: 1 %\n")
    problems = compare(out, exp)
    assert problems[0] == "n.visits: no expected text"
    assert problems[1].startswith("m.reach:") and "-x: 5 %" in problems[1] and "+x: 6 %" in problems[1]
    assert len(problems) == 2


def test_changed_headline_is_reported(tmp_path: Path) -> None:
    # the comparison can fail: a notebook whose headline cell printed 0,83 instead of 0,82
    nb = {"cells": [{"cell_type": "code", "metadata": {"tags": ["headline"]}, "source": "print(x)",
                     "outputs": [{"output_type": "stream", "name": "stdout", "text": "rate_ratio: 0,83\n"},
                                 {"output_type": "stream", "name": "stderr", "text": "warning\n"}]}]}
    (tmp_path / "m" / "notebooks").mkdir(parents=True)
    f = tmp_path / "m" / "notebooks" / "visits.ipynb"
    f.write_text(json.dumps(nb), encoding="utf-8")
    assert executed_notebooks(tmp_path) == {"m.visits": f}
    assert headline_text(f) == "rate_ratio: 0,83\n"  # stdout only
    f.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "source": "", "outputs": []}]}))
    with pytest.raises(ValueError, match="no cell tagged 'headline'"):
        headline_text(f)


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_cell_has_an_id(nb_path: Path) -> None:
    # without ids papermill/nbformat print a MissingIDFieldWarning into every `evalkit run`
    assert cells_without_id(json.loads(nb_path.read_text(encoding="utf-8"))) == []


def test_cells_without_id_are_found() -> None:
    assert cells_without_id({"cells": [{"id": "a"}, {"cell_type": "code"}, {"id": ""}]}) == [1, 2]
