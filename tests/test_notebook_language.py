"""The notebooks hold no Finnish literals in their code cells: table titles, column labels,
captions, notes, axis labels and finding words come from the label catalogues
(``ctx.text(key)`` → ``notebook.<measure>.<key>``, ``ctx.column(key)`` →
``notebook.<measure>.columns.<key>`` in ``report/locales/<language>/``), so ``language: sv`` /
``en`` changes them without code changes (issue 10). Markdown cells and comments stay Finnish
(notebook prose is Finnish by project rule); only string literals of code cells are checked.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from evalkit.report.i18n import catalogue, lookup

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

#: notebook → (its measure, the values an f-string key ``f"…{x}"`` takes (written ``…*``), the
#: fewest catalogue words it uses — the notebook really takes its words from the catalogue)
MEASURES = {
    "visits.ipynb": ("visits", {}, 10),
    "reach.ipynb": ("reach", {}, 9),
    "employment.ipynb": ("employment", {}, 10),
    "waiting_times.ipynb": ("waiting", {"table.*": ("service", "site")}, 10),
    "symptoms.ipynb": ("symptoms", {}, 10),
    "cost_effectiveness.ipynb": ("costs", {"groups.*": ("intervention", "comparison")}, 10),
}

#: letters Finnish has and English lacks, and common Finnish report words spelt without them
_FINNISH = re.compile(
    r"[äöåÄÖÅ]|\b(?:ja|tai|ei|kyllä|tavoite|toteuma|vuosi|vuosittain|vuoden|tunnusluku|jakso|neljännes|"
    r"asiakas\w*|aloitus|aloituksen|havaittu|malli|ennuste|kuukausi|syy|vaihe|rivejä|luvut|tilastot|"
    r"osallistujien|osuus|osuudet|vrk|kaikki|luku|taso|palvelu|toimipiste|mediaani|pistee\w*|arviointi|"
    r"ohjatut|aloittaneet|hoidettu|odotusajat|yhteydenottoja|persentiili|henkilöitä|lähde|alaraja|yläraja|"
    r"ryhmä\w*|kustannu\w*|keskiarvo\w*|muutos|mittari|nettokustannus|toimintamalli\w*|herkkyys\w*)\b",
    re.IGNORECASE,
)


def _cells(notebook: str) -> list[ast.Module]:
    """The notebook's code cells, parsed (IPython magics left out)."""
    cells = json.loads((NOTEBOOKS / notebook).read_text("utf-8"))["cells"]
    return [ast.parse("\n".join(line for line in "".join(c["source"]).splitlines()
                                if not line.lstrip().startswith(("%", "!"))))
            for c in cells if c["cell_type"] == "code"]


def finnish_literals(tree: ast.AST) -> list[str]:
    """String literals that look Finnish (f-string parts and docstrings included; comments are not strings)."""
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and _FINNISH.search(n.value)]


def catalogue_keys(trees: list[ast.Module]) -> list[str]:
    """Keys under ``notebook.<measure>.`` that ``ctx.text(…)`` and ``ctx.column(…)`` calls name;
    an f-string key ``f"groups.{g}"`` comes back as ``groups.*``."""
    keys = []
    for tree in trees:
        for n in ast.walk(tree):
            if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("text", "column")
                    and isinstance(n.func.value, ast.Name) and n.func.value.id == "ctx" and n.args):
                continue
            override = next((k.value for k in n.keywords if k.arg == "label_key"), None)
            arg = override if override is not None else n.args[0]
            if isinstance(arg, ast.Constant):
                key = arg.value
            else:
                assert isinstance(arg, ast.JoinedStr), ast.dump(arg)
                key = "".join(v.value if isinstance(v, ast.Constant) else "*" for v in arg.values)
            keys.append(f"columns.{key}" if n.func.attr == "column" and override is None else key)
    return keys


def _in(language: str, key: str) -> bool:
    """The key is in this language's own catalogue (no fallback to Finnish)."""
    node = catalogue(language)
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return isinstance(node, str)


def test_the_scan_finds_finnish_literals_and_ignores_comments() -> None:
    code = ('x = "Käynnit ryhmittäin"  # kommentti: käynnit\ny = "Toteuma / tavoite"\nz = "group"\n'
            'sec.table(t, [Column("stage", "Vaihe")], title=f"Hoidettu {d} vrk:ssa")\n'
            'sec.figure(fig, ctx.text("figures.curve"))  # kommentti: ei tarkisteta\n')
    assert finnish_literals(ast.parse(code)) == ["Käynnit ryhmittäin", "Toteuma / tavoite", "Vaihe", "Hoidettu ",
                                                 " vrk:ssa"]
    assert finnish_literals(ast.parse('x = ctx.text("table.share_within_days", days=col.split("_")[2])')) == []


def test_the_keys_of_text_and_column_calls_are_found() -> None:
    code = ('ctx.text("a.b")\nctx.text(f"groups.{g}")\nctx.column("clients", "persons", count=True)\n'
            'ctx.column("x", label_key="table.x")\nother.text("not.ours")\n')
    assert catalogue_keys([ast.parse(code)]) == ["a.b", "groups.*", "columns.clients", "table.x"]


@pytest.mark.parametrize("notebook", sorted(MEASURES))
def test_no_finnish_literals_in_code_cells(notebook: str) -> None:
    found = {i: lits for i, tree in enumerate(_cells(notebook)) if (lits := finnish_literals(tree))}
    assert found == {}, f"{notebook}: Finnish literals in code cells (move them to the catalogue, ctx.text): {found}"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("notebook", sorted(MEASURES))
def test_every_notebook_word_is_in_the_catalogue(notebook: str, language: str) -> None:
    """A missing key would silently fall back to Finnish or print the key's last part."""
    measure, wildcards, fewest = MEASURES[notebook]
    keys = catalogue_keys(_cells(notebook))
    assert len(keys) >= fewest, keys
    full = [k.replace("*", w) for k in keys if "*" in k for w in wildcards[k]] + [k for k in keys if "*" not in k]
    missing = [k for k in full if not _in(language, f"notebook.{measure}.{k}")]
    assert missing == []


def _flat(d: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in d.items():
        out.update(_flat(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}": str(v)})
    return out


@pytest.mark.parametrize("language", ["sv", "en"])
def test_catalogue_words_differ_from_finnish(language: str) -> None:
    """The sv/en words of the symptoms and costs notebooks are translations, not copies of the Finnish."""
    for measure in ("symptoms", "costs"):
        fi = _flat(catalogue("fi")["notebook"][measure])
        other = _flat(catalogue(language)["notebook"][measure])
        same = [k for k, v in fi.items() if _FINNISH.search(v) and other[k] == v]
        assert same == [], (measure, language)


@pytest.mark.parametrize(("language", "expected"), [("fi", "Käyntikerta"), ("sv", "Besök"), ("en", "Session")])
def test_symptoms_and_costs_figures_follow_the_language(language: str, expected: str) -> None:
    import pandas as pd

    from evalkit.report import figures

    traj = pd.DataFrame({"instrument": ["PHQ-9", "PHQ-9"], "session": [1, 2], "mean": [12.0, 9.0],
                         "ci_low": [11.0, 8.0], "ci_high": [13.0, 10.0]})
    fig = figures.symptoms_trajectory_chart(traj, language=language)
    assert fig.axes[0].get_xlabel() == expected
    curve = pd.DataFrame({"wtp": [0.0, 1000.0], "prob_cost_effective": [0.2, 0.6], "evpi_per_person": [10.0, 5.0]})
    ceac = figures.ceac_chart(curve, wtp=500.0, language=language)
    assert ceac.axes[0].get_xlabel() == lookup("costs.figures.wtp_axis", language)
    assert (language == "fi") == ("maksuhalukkuus" in ceac.axes[0].get_xlabel())
