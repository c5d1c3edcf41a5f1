"""Evidence-aware report output: no number or word claims more than the estimate supports."""

from __future__ import annotations

import pytest

from evalkit.report.assemble import ModelRun, _estimates_table, _summary_table, icer_not_meaningful
from evalkit.report.section import Section
from evalkit.results import Estimate


def _ce(de_low: float, de_high: float) -> list[Estimate]:
    return [
        Estimate("incremental_cost", 480.0, "eur", "bootstrap", n=120, ci_low=210.0, ci_high=760.0),
        Estimate("incremental_effect", 0.04, "difference", "bootstrap", n=120, ci_low=de_low, ci_high=de_high),
        Estimate("icer", 12000.0, "eur_per_outcome", "bootstrap", n=120, ci_low=None, ci_high=None),
    ]


def test_icer_is_not_meaningful_when_the_effect_interval_reaches_zero() -> None:
    assert icer_not_meaningful(_ce(-0.05, 0.13))
    assert icer_not_meaningful(_ce(0.0, 0.13))
    assert not icer_not_meaningful(_ce(0.01, 0.13))
    assert not icer_not_meaningful(_ce(-0.2, -0.01))
    assert not icer_not_meaningful(_ce(0.01, 0.13)[:1])  # no ΔE at all: nothing to say


@pytest.mark.parametrize(("language", "value", "sentence"), [
    ("fi", "ei mielekäs", "ei esitetä lukuna"),
    ("sv", "inte meningsfull", "anges inte som tal"),
    ("en", "not meaningful", "not given as a number"),
])
def test_key_figures_replace_the_icer_by_an_honest_sentence(language: str, value: str, sentence: str) -> None:
    t = _estimates_table(_ce(-0.05, 0.13), language, "Keskeiset tunnusluvut")
    row = next(r for r in t.rows if "ICER" in r[0])
    assert value in row and not any("€" in c for c in row)  # no 12 000 € shown
    assert sentence in t.note


def test_key_figures_keep_an_icer_whose_effect_interval_excludes_zero() -> None:
    t = _estimates_table(_ce(0.01, 0.13), "fi", "Keskeiset tunnusluvut")
    row = next(r for r in t.rows if "ICER" in r[0])
    assert "12\xa0000\xa0€" in row
    assert "ei esitetä" not in t.note


def test_summary_says_the_icer_is_not_meaningful(tmp_path) -> None:
    sec = Section(model="m", measure="costs", title="Kustannukset")
    sec.add_estimates(_ce(-0.05, 0.13), headline=["incremental_effect", "icer"])
    run = ModelRun(model="m", dir=tmp_path, meta={"name": "Malli", "min_cell": 5}, sections=[sec])
    t = _summary_table([run], "fi", 5)
    assert t.groups == {0: "Malli"}
    icer = next(r for r in t.rows if "ICER" in r[0])
    assert icer[1] == "ei mielekäs" and icer[2] == ""
    assert icer[-1] == "ei mielekäs, koska ΔE:n luottamusväli sisältää nollan"


@pytest.mark.parametrize(("language", "word", "wrong"), [("fi", "ero", "muutos"), ("sv", "skillnad", "förändring"),
                                                         ("en", "difference", "change")])
def test_a_between_group_difference_is_an_ero_not_a_muutos(language: str, word: str, wrong: str) -> None:
    from evalkit.report.wording.common import change_claim

    ancova = Estimate("phq9_ancova_group_effect", -4.0, "points", "ANCOVA", n=506, ci_low=-4.9, ci_high=-3.1)
    c = change_claim(ancova, subject="PHQ-9", comparison=True, language=language)
    assert f"({word} " in c.sentence and f"({wrong} " not in c.sentence
    within = Estimate("phq9_mean_change", -6.0, "points", "paired t", n=308, ci_low=-6.6, ci_high=-5.5)
    assert f"({wrong} " in change_claim(within, subject="PHQ-9", language=language).sentence

