"""The report renders the way a person sees it: the HTML in headless Chromium (every figure
decoded), the DOCX in LibreOffice (it opens, all figures embedded).

Needs chromium, LibreOffice and poppler-utils; CI does not install them (too slow), so there
the test is skipped and says why. ``tests/test_e2e.py`` checks on every machine that the
figures are valid PNGs.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("render_check", ROOT / "tests" / "tools" / "render_check.py")
render_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(render_check)  # type: ignore[union-attr]

MISSING = render_check.missing_tools()
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"render check needs {', '.join(MISSING)} "
                                "(apt-get install chromium libreoffice-writer-nogui poppler-utils; not in CI)")


def test_html_figures_decode_in_chromium_and_the_docx_opens_in_libreoffice(tmp_path) -> None:
    from evalkit.report.assemble import assemble_report
    from tests.test_report_assembly import make_probe_reports

    reports = make_probe_reports(tmp_path / "probe")
    assemble_report(reports, formats=["html", "docx"])
    problems = render_check.run_checks(reports, tmp_path / "render", pages=2)
    assert problems == []
    assert sorted(p.name for p in (tmp_path / "render").glob("docx-*.png"))  # pages to look at
    assert (tmp_path / "render" / "html.png").stat().st_size > 0


def test_a_broken_figure_is_reported(tmp_path) -> None:
    """The check can fail: an HTML image that does not decode is counted."""
    reports = tmp_path / "r"
    reports.mkdir()
    (reports / "loppuraportti.html").write_text(
        '<html><body><img src="data:image/png;base64,AAAA"><img src="nope.png"></body></html>', encoding="utf-8")
    problems = render_check.run_checks(reports, tmp_path / "render", pages=1)
    assert problems and "only 0 of 2 images decoded" in problems[0]
