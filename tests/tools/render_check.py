"""Render the assembled report the way a person sees it (not run in CI; needs system tools).

    python tests/tools/render_check.py reports/ [--out /tmp/render] [--pages 6]

* HTML → headless Chromium: a copy of ``loppuraportti.html`` with a small script appended
  records whether every ``<img>`` decoded (``naturalWidth > 0``); ``--dump-dom`` reads the
  verdict, ``--screenshot`` writes ``html.png`` (the first screen) and ``--print-to-pdf``
  the whole page, written as PNG pages ``html-01.png`` … to look at.
* DOCX → LibreOffice (``soffice --headless --convert-to pdf``) → ``pdftoppm`` PNG pages
  (``docx-1.png`` …); ``pdfimages -list`` counts the embedded figures.

Exit status 0 when every figure decoded in the HTML and the PDF holds as many images as
the HTML has figures. Install the tools with
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


def _which(*names: str) -> str:
    for n in names:
        path = shutil.which(n)
        if path:
            return path
    sys.exit(f"render_check: none of {', '.join(names)} found (apt-get install chromium libreoffice-writer-nogui poppler-utils)")


def check_html(html: Path, out: Path, *, pages: int, width: int = 1100, height: int = 1600) -> tuple[int, int]:
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
        subprocess.run([_which("pdftoppm"), "-png", "-r", "70", "-l", str(pages), str(out / "html.pdf"),
                        str(out / "html")], check=True)
    m = re.search(r'data-images="(\d+)/(\d+)"', dom)
    if not m:
        sys.exit("render_check: Chromium did not report on the images (page did not load?)")
    return int(m.group(1)), int(m.group(2))


def check_docx(docx: Path, out: Path, *, pages: int) -> tuple[int, int]:
    soffice = _which("soffice", "libreoffice")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out), str(docx)], capture_output=True, timeout=300, check=True)
    pdf = out / (docx.stem + ".pdf")
    info = subprocess.run([_which("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    n_pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    subprocess.run([_which("pdftoppm"), "-png", "-r", "70", "-l", str(pages), str(pdf), str(out / "docx")], check=True)
    listing = subprocess.run([_which("pdfimages"), "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    n_images = sum(1 for line in listing.splitlines()[2:] if line.split()[2:3] == ["image"])
    return n_pages, n_images


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reports", type=Path, help="reports directory holding loppuraportti.{html,docx}")
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "evalkit-render")
    ap.add_argument("--basename", default="loppuraportti")
    ap.add_argument("--pages", type=int, default=8, help="DOCX pages written as PNG")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    status = 0
    html = args.reports / f"{args.basename}.html"
    figures = 0
    if html.exists():
        figures, decoded = check_html(html, args.out, pages=args.pages)
        print(f"HTML: {decoded}/{figures} figures decoded; first screen {args.out / 'html.png'}, "
              f"printed pages {args.out / 'html-*.png'}")
        status |= int(decoded != figures)
    docx = args.reports / f"{args.basename}.docx"
    if docx.exists():
        n_pages, n_images = check_docx(docx, args.out, pages=args.pages)
        print(f"DOCX: {n_pages} pages, {n_images} embedded images; pages as {args.out / 'docx-*.png'}")
        status |= int(n_pages == 0 or (html.exists() and n_images != figures))
    print("OK" if status == 0 else "PROBLEMS FOUND")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
