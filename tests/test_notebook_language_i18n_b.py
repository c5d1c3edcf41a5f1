"""The employment and waiting-times notebooks hold no Finnish literals in their code cells.

Their table titles, column labels, captions, notes and finding subjects come from the label
catalogues (``ctx.text(...)`` → ``notebook.<measure>.*`` in ``report/locales/<language>/``), so
``language: sv`` / ``en`` changes them without code changes. Comments and markdown cells stay
Finnish (notebook prose is Finnish by project rule); only string literals are checked.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

#: letters of Finnish (and Swedish) words, and common Finnish words without them
_FINNISH = re.compile(
    r"[äöåÄÖÅ]|\b(?:ja|tai|ei|osuus|osuudet|vrk|kaikki|luku|taso|jakso|palvelu|toimipiste|mediaani|pisteet|"
    r"arviointi|ohjatut|aloittaneet|hoidettu|odotusajat|yhteydenottoja|persentiili|henkilöitä|lähde|alaraja|yläraja|vaihe|havaittu|malli)\b",
    re.IGNORECASE,
)


def _finnish_literals(code: str) -> list[str]:
    """String literals of ``code`` (f-string parts included) that look Finnish."""
    lines = [line for line in code.splitlines() if not line.lstrip().startswith(("%", "!"))]  # IPython magics
    tree = ast.parse("\n".join(lines))
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _FINNISH.search(node.value)]


def _code_cells(notebook: str) -> list[str]:
    cells = json.loads((NOTEBOOKS / notebook).read_text("utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def _check(notebook: str) -> None:
    cells = _code_cells(notebook)
    assert cells, f"{notebook} has no code cells"
    found = {i: lits for i, code in enumerate(cells) if (lits := _finnish_literals(code))}
    assert found == {}, f"{notebook}: Finnish literals in code cells (move them to the catalogue, ctx.text): {found}"


def test_the_scanner_finds_finnish_literals() -> None:
    code = ('sec.table(t, [Column("stage", "Vaihe")], title=f"Hoidettu {d} vrk:ssa")\n'
            'sec.figure(fig, ctx.text("figures.curve"))  # kommentti: ei tarkisteta\n')
    assert _finnish_literals(code) == ["Vaihe", "Hoidettu ", " vrk:ssa"]
    assert _finnish_literals('x = ctx.text("table.share_within_days", days=col.split("_")[2])') == []


def test_no_finnish_literals_in_employment() -> None:
    _check("employment.ipynb")


def test_no_finnish_literals_in_waiting_times() -> None:
    _check("waiting_times.ipynb")


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize(("notebook", "measure"), [("employment.ipynb", "employment"),
                                                   ("waiting_times.ipynb", "waiting")])
def test_every_text_key_of_the_notebook_is_in_the_catalogue(notebook: str, measure: str, language: str) -> None:
    """Each ``ctx.text("<key>")`` of the notebook names a catalogue entry (a typo would print the key)."""
    from evalkit.report.i18n import catalogue

    keys = {m for code in _code_cells(notebook) for m in re.findall(r'ctx\.text\(f?"([^"]+)"', code)}
    assert keys
    node = catalogue(language)["notebook"][measure]
    missing = []
    for key in keys:
        variants = [key.replace("{c}", c) for c in ("service", "site")] if "{c}" in key else [key]
        for k in variants:
            n = node
            for part in k.split("."):
                n = n.get(part) if isinstance(n, dict) else None
            if not isinstance(n, str):
                missing.append(k)
    assert missing == []
