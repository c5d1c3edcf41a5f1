"""The symptoms and cost-effectiveness notebooks write no Finnish themselves: every table title,
column label, caption, axis label and finding word comes from the label catalogues
(``ctx.text`` → ``notebook.<measure>.<key>``), so ``language: sv`` / ``en`` switches them."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from evalkit.report.i18n import lookup

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

#: letters Finnish has and English lacks, and common Finnish words spelt without them
_FINNISH = re.compile(r"[äöåÄÖÅ]|\b(ja|tai|ei|kyllä|asiakas\w*|ryhmä\w*|kustannu\w*|vuoden|keskiarvo\w*|"
                      r"muutos|pistee\w*|mittari|osuus|nettokustannus|toimintamalli\w*|herkkyys\w*)\b",
                      re.IGNORECASE)


def _code(notebook: str) -> list[ast.Module]:
    nb = json.loads((NOTEBOOKS / notebook).read_text("utf-8"))
    return [ast.parse("".join(c["source"])) for c in nb["cells"] if c["cell_type"] == "code"]


def _literals(trees: list[ast.Module]) -> list[str]:
    """Every string constant of the code cells (f-string parts included; comments are not strings)."""
    return [n.value for t in trees for n in ast.walk(t) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _text_keys(trees: list[ast.Module]) -> list[str]:
    """First arguments of ``ctx.text(...)``; an f-string key ``f"groups.{g}"`` is returned as ``groups.*``."""
    keys = []
    for t in trees:
        for n in ast.walk(t):
            if (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "text"
                    and isinstance(n.func.value, ast.Name) and n.func.value.id == "ctx"):
                arg = n.args[0]
                if isinstance(arg, ast.Constant):
                    keys.append(arg.value)
                else:
                    assert isinstance(arg, ast.JoinedStr), ast.dump(arg)
                    keys.append("".join(v.value if isinstance(v, ast.Constant) else "*" for v in arg.values))
    return keys


def _check(notebook: str, measure: str, wildcards: dict[str, tuple[str, ...]]) -> None:
    trees = _code(notebook)
    finnish = [s for s in _literals(trees) if _FINNISH.search(s)]
    assert finnish == [], f"{notebook}: Finnish literals in code cells (move them to locales/*/{measure}.yaml)"
    keys = _text_keys(trees)
    assert len(keys) >= 10, keys  # the notebook really takes its words from the catalogue
    for key in keys:
        for full in ([key.replace("*", w) for w in wildcards[key]] if "*" in key else [key]):
            for language in ("fi", "sv", "en"):
                # lookup falls back to Finnish; a key missing everywhere would print the bare key id
                assert lookup(f"notebook.{measure}.{full}", language) is not None, (notebook, full, language)


def test_no_finnish_literals_in_symptoms() -> None:
    _check("symptoms.ipynb", "symptoms", {})


def test_no_finnish_literals_in_cost_effectiveness() -> None:
    _check("cost_effectiveness.ipynb", "costs", {"groups.*": ("intervention", "comparison")})


@pytest.mark.parametrize("language", ["sv", "en"])
def test_catalogue_words_differ_from_finnish(language: str) -> None:
    """The sv/en words of these notebooks are translations, not copies of the Finnish."""
    from evalkit.report.i18n import catalogue

    for measure in ("symptoms", "costs"):
        fi = catalogue("fi")["notebook"][measure]
        other = catalogue(language)["notebook"][measure]
        same = [k for k, v in _flat(fi).items() if _FINNISH.search(v) and _flat(other)[k] == v]
        assert same == [], (measure, language)


def _flat(d: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in d.items():
        out.update(_flat(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}": str(v)})
    return out


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
