"""End to end: `evalkit run` + `evalkit report` into a temporary directory (the session's
``pipeline`` fixture in conftest.py, shared with test_truth_recovered.py)."""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from evalkit.results import RESULT_COLUMNS

from .conftest import run_cli
from .test_notebook_headlines import dirty_cells

pytestmark = pytest.mark.e2e


def test_run_and_report_succeed(pipeline) -> None:
    assert pipeline["first"].returncode == 0, pipeline["first"].stderr
    assert pipeline["report"].returncode == 0, pipeline["report"].stderr
    assert "Traceback" not in pipeline["first"].stderr + pipeline["report"].stderr


def test_outputs_exist_and_are_well_formed(pipeline) -> None:
    out: Path = pipeline["out"]
    for name in ("loppuraportti.docx", "loppuraportti.html", "loppuraportti.md", "results.csv"):
        assert (out / name).stat().st_size > 0, name
    results = pd.read_csv(out / "results.csv")
    assert list(results.columns) == list(RESULT_COLUMNS)
    assert set(results["suppressed"].astype(str).str.lower()) <= {"true", "false"}
    with zipfile.ZipFile(out / "loppuraportti.docx") as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert "Tavoittavuus" in body or "Matalan kynnyksen" in body
    html = (out / "loppuraportti.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") >= 1  # figures inline: one self-contained file


def test_executed_notebooks_and_sources_stay_clean(pipeline, root: Path) -> None:
    out: Path = pipeline["out"]
    executed = list(out.glob("*/notebooks/*.ipynb"))
    assert executed
    for nb in (root / "notebooks").glob("*.ipynb"):  # the sources: only headline text is stored
        assert not dirty_cells(json.loads(nb.read_text(encoding="utf-8"))), nb


def test_second_run_reuses_every_notebook(pipeline) -> None:
    res = run_cli("run", "--data", str(pipeline["data"]), "--out", str(pipeline["out"]), "--quiet")
    assert res.returncode == 0
    assert " 0 ran," in res.stderr and "0 failed" in res.stderr


def test_results_are_byte_identical_across_forced_runs(pipeline) -> None:
    out: Path = pipeline["out"]
    before = {p: p.read_bytes() for p in out.glob("*/results.csv")}
    res = run_cli("run", "--data", str(pipeline["data"]), "--out", str(out), "--quiet", "--force")
    assert res.returncode == 0, res.stderr
    after = {p: p.read_bytes() for p in out.glob("*/results.csv")}
    assert before == after


def test_privacy_audit_of_every_output(pipeline) -> None:
    """Acceptance (issue 10): no client id of the inputs and no unsuppressed count below
    min_cell in the docx, html, md, results.csv files or the executed notebooks."""
    from evalkit.report.audit import audit_outputs

    result = audit_outputs(pipeline["out"])
    assert result.ok, [str(p) for p in result.problems]
    assert result.ids_checked > 100  # the demo clients' ids were searched for
    assert {"loppuraportti.docx", "loppuraportti.html", "loppuraportti.md", "results.csv"} <= set(result.checked)
    assert any(c.endswith(".ipynb") for c in result.checked)


def _decoded_size(png: bytes) -> tuple[int, int]:
    from matplotlib import image as mpimg

    pixels = mpimg.imread(io.BytesIO(png), format="png")
    return pixels.shape[1], pixels.shape[0]


def test_every_figure_decodes_in_html_and_docx(pipeline) -> None:
    """Acceptance (issue 10), the part CI can check without a browser: every figure inlined
    in the HTML and embedded in the DOCX is a PNG that decodes to a real picture, and both
    formats carry the same number of figures. (tests/tools/render_check.py renders them in
    Chromium and LibreOffice.)"""
    out: Path = pipeline["out"]
    html = (out / "loppuraportti.html").read_text(encoding="utf-8")
    inline = re.findall(r'<img[^>]+src="data:image/png;base64,([^"]+)"', html)
    assert len(inline) == html.count("<img"), "every <img> is inline"
    with zipfile.ZipFile(out / "loppuraportti.docx") as z:
        media = [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
        drawn = z.read("word/document.xml").decode("utf-8").count("<pic:pic")
    assert len(inline) >= 6 and drawn == len(inline) and len(media) == len(inline)
    for png in [base64.b64decode(s) for s in inline] + media:
        w, h = _decoded_size(png)
        assert w >= 200 and h >= 100
