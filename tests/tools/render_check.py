"""Render the assembled report the way a person sees it (not run in CI; needs system tools).

    python tests/tools/render_check.py reports/ [--out /tmp/render] [--pages 6]   (default: every page)

* HTML → headless Chromium: a copy of ``loppuraportti.html`` with a small script appended
  records whether every ``<img>`` decoded (``naturalWidth > 0``); ``--dump-dom`` reads the
  verdict, ``--screenshot`` writes ``html.png`` (the first screen) and ``--print-to-pdf``
  the whole page, written as PNG pages ``html-01.png`` … to look at.
* DOCX → LibreOffice (``soffice --headless --convert-to pdf``) → ``pdftoppm`` PNG pages
  (``docx-1.png`` …); ``pdfimages -list`` counts the embedded figures.

Exit status 0 when every ``<img>`` of the HTML decoded in Chromium (and the page holds as
many as the file has ``<img`` tags), LibreOffice opened the DOCX (a PDF with pages) and the PDF
holds as many images as the HTML has figures; 1 when something did not render; 77 (skip)
when Chromium or LibreOffice is not installed. ``tests/test_render_check.py`` runs the same
checks on a small report and skips with that reason on machines without the tools (CI).
Install the tools with
``apt-get install -y chromium libreoffice-writer-nogui poppler-utils``.
Look at the PNGs afterwards — the check only proves that things render, not that they
look right.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_PROBE = """
<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  document.body.setAttribute('data-images', imgs.length + '/' + ok);
});
</script>
"""


SKIP = 77  # exit status of a check that could not run (the tools are missing)
TOOLS = {"chromium": ("chromium", "chromium-browser", "google-chrome"), "soffice": ("soffice", "libreoffice"),
         "pdftoppm": ("pdftoppm",), "pdfinfo": ("pdfinfo",), "pdfimages": ("pdfimages",)}


class ToolMissing(RuntimeError):
    """A system tool the check needs is not installed."""


def missing_tools() -> list[str]:
    """The tools of TOOLS not found on PATH (empty when the check can run)."""
    return [k for k, names in TOOLS.items() if not any(shutil.which(n) for n in names)]


def _which(*names: str) -> str:
    for n in names:
        path = shutil.which(n)
        if path:
            return path
    raise ToolMissing(f"render_check: none of {', '.join(names)} found "
                      "(apt-get install chromium libreoffice-writer-nogui poppler-utils)")


def _pages(pages: int | None) -> list[str]:
    return [] if not pages else ["-l", str(pages)]


def check_html(html: Path, out: Path, *, pages: int | None = None, width: int = 1100,
               height: int = 1600) -> tuple[int, int]:
    """(images in the page, images decoded) of the HTML in headless Chromium."""
    chromium = _which("chromium", "chromium-browser", "google-chrome")
    probe = out / "probe.html"
    probe.write_text(html.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=5000"]
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run([chromium, *flags, f"--user-data-dir={profile}", "--dump-dom", probe.as_uri()],
                             capture_output=True, text=True, timeout=120, check=False).stdout
        subprocess.run([chromium, *flags, f"--user-data-dir={profile}", f"--window-size={width},{height}",
                        f"--screenshot={out / 'html.png'}", html.resolve().as_uri()],
                       capture_output=True, timeout=120, check=False)
        subprocess.run([chromium, *flags, f"--user-data-dir={profile}", "--no-pdf-header-footer",
                        f"--print-to-pdf={out / 'html.pdf'}", html.resolve().as_uri()],
                       capture_output=True, timeout=120, check=False)
    if (out / "html.pdf").exists():  # the whole page, printed, as PNG pages html-01.png …
        subprocess.run([_which("pdftoppm"), "-png", "-r", "70", *_pages(pages), str(out / "html.pdf"),
                        str(out / "html")], check=True)
    m = re.search(r'data-images="(\d+)/(\d+)"', dom)
    if not m:
        sys.exit("render_check: Chromium did not report on the images (page did not load?)")
    return int(m.group(1)), int(m.group(2))


def check_docx(docx: Path, out: Path, *, pages: int | None = None) -> tuple[int, int]:
    """(pages, embedded images) of the DOCX converted to PDF by LibreOffice."""
    soffice = _which("soffice", "libreoffice")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out), str(docx)], capture_output=True, timeout=300, check=True)
    pdf = out / (docx.stem + ".pdf")
    if not pdf.exists():
        return 0, 0  # LibreOffice could not open the file
    info = subprocess.run([_which("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    n_pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    subprocess.run([_which("pdftoppm"), "-png", "-r", "70", *_pages(pages), str(pdf), str(out / "docx")], check=True)
    listing = subprocess.run([_which("pdfimages"), "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    n_images = sum(1 for line in listing.splitlines()[2:] if line.split()[2:3] == ["image"])
    return n_pages, n_images


def run_checks(reports: Path, out: Path, *, basename: str = "loppuraportti", pages: int | None = None) -> list[str]:
    """Render the report's HTML and DOCX; the problems found (empty = everything rendered)."""
    out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    html = reports / f"{basename}.html"
    figures = None
    if html.exists():
        in_file = html.read_text(encoding="utf-8").count("<img ")
        figures, decoded = check_html(html, out, pages=pages)
        print(f"HTML: {decoded}/{figures} figures decoded ({in_file} <img> in the file); first screen "
              f"{out / 'html.png'}, printed pages {out / 'html-*.png'}")
        if decoded != figures:
            problems.append(f"HTML: only {decoded} of {figures} images decoded in Chromium")
        if figures != in_file:
            problems.append(f"HTML: the page holds {figures} images, the file {in_file}")
    docx = reports / f"{basename}.docx"
    if docx.exists():
        n_pages, n_images = check_docx(docx, out, pages=pages)
        print(f"DOCX: {n_pages} pages, {n_images} embedded images; pages as {out / 'docx-*.png'}")
        if n_pages == 0:
            problems.append("DOCX: LibreOffice did not open the file (no PDF pages)")
        elif figures is not None and n_images != figures:
            problems.append(f"DOCX: {n_images} images in the PDF, the HTML has {figures} figures")
    if not html.exists() and not docx.exists():
        problems.append(f"no {basename}.html or {basename}.docx under {reports}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reports", type=Path, help="reports directory holding loppuraportti.{html,docx}")
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "evalkit-render")
    ap.add_argument("--basename", default="loppuraportti")
    ap.add_argument("--pages", type=int, default=0, help="pages written as PNG per format (0 = all)")
    args = ap.parse_args(argv)
    missing = missing_tools()
    if missing:
        print(f"render_check: skipped, not installed: {', '.join(missing)} "
              "(apt-get install chromium libreoffice-writer-nogui poppler-utils)")
        return SKIP
    problems = run_checks(args.reports, args.out, basename=args.basename, pages=args.pages or None)
    for p in problems:
        print("PROBLEM:", p)
    print("OK" if not problems else "PROBLEMS FOUND")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
