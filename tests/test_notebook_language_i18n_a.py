"""The visits and reach notebooks hold no Finnish literals: their words come from the label
catalogues (``ctx.text(...)`` → ``notebook.<measure>.<key>``), so ``language: sv`` / ``en``
changes them without code changes (issue 10).

Markdown cells and comments stay Finnish (notebook prose is Finnish by project rule); only
string literals of code cells are checked.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from evalkit.report.i18n import catalogue

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

#: Finnish letters, or a common Finnish report word without them
_FINNISH = re.compile(
    r"[äöåÄÖÅ]|\b(tavoite|toteuma|vuosi|vuosittain|tunnusluku|jakso|neljännes|asiakkaita|asiakkaat|"
    r"aloitus|aloituksen|havaittu|malli|ennuste|kuukausi|syy|vaihe|rivejä|luvut|tilastot|osallistujien)\b",
    re.IGNORECASE,
)


def _code(notebook: str) -> str:
    nb = json.loads((NOTEBOOKS / notebook).read_text("utf-8"))
    return "\n\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def finnish_literals(source: str) -> list[str]:
    """String literals of ``source`` that look Finnish (docstrings included, comments not)."""
    return [n.value for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and _FINNISH.search(n.value)]


def _text_keys(source: str) -> list[str]:
    """Keys of the ``ctx.text("...")`` calls of ``source`` (an f-string key is expanded by the
    caller's test)."""
    keys = []
    for n in ast.walk(ast.parse(source)):
        if (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "text"
                and n.args and isinstance(n.args[0], ast.Constant)):
            keys.append(n.args[0].value)
    return keys


def _has(language: str, key: str) -> bool:
    node = catalogue(language)
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return isinstance(node, str)


def test_the_scan_finds_finnish_literals_and_ignores_comments() -> None:
    src = 'x = "Käynnit ryhmittäin"  # kommentti: käynnit\ny = "Toteuma / tavoite"\nz = "group"\n'
    assert finnish_literals(src) == ["Käynnit ryhmittäin", "Toteuma / tavoite"]


def test_no_finnish_literals_in_visits() -> None:
    assert finnish_literals(_code("visits.ipynb")) == []


def test_no_finnish_literals_in_reach() -> None:
    assert finnish_literals(_code("reach.ipynb")) == []


@pytest.mark.parametrize(("notebook", "measure"), [("visits.ipynb", "visits"), ("reach.ipynb", "reach")])
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_notebook_word_of_visits_and_reach_is_in_the_catalogue(notebook: str, measure: str, language: str) -> None:
    """A missing key would silently fall back to Finnish or to the key's last part."""
    source = _code(notebook)
    keys = _text_keys(source)
    if 'ctx.text(f"columns.{name}")' in source:  # the visits notebook's column helper
        keys += [f"columns.{m}" for m in re.findall(r'\bcol\("(\w+)"', source)]
    assert keys, f"{notebook} takes no words from the catalogue"
    missing = [k for k in keys if not _has(language, f"notebook.{measure}.{k}")]
    assert missing == []
