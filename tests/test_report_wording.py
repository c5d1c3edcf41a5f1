"""Evidence-aware wording (report.wording.common): observed vs not demonstrated vs demonstrated.

The rules are design.md's Principles; the sentences are checked for the words that carry
the evidence level ("havaittu", "ei voitu osoittaa", "vertailuryhmään verrattuna") and for
the absence of causal words where the design cannot carry them.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from evalkit.report.wording.common import (
    EVIDENCE_RANK,
    causal_phrases,
    change_claim,
    claim_for_summary,
    evidence_level,
    level_claim,
)
from evalkit.results import Estimate


def rr(est: float, lo: float | None, hi: float | None, n: int = 120) -> Estimate:
    return Estimate("psy_rate_ratio", est, "rate_ratio", "Poisson GLM", n=n, ci_low=lo, ci_high=hi)


def test_evidence_levels() -> None:
    assert evidence_level(rr(0.95, 0.80, 1.12)) == "not_demonstrated"  # CI contains 1
    assert evidence_level(rr(0.78, 0.65, 0.93)) == "observed"  # no comparison design
    assert evidence_level(rr(0.78, 0.65, 0.93), comparison=True) == "demonstrated"
    assert evidence_level(rr(0.78, None, None)) == "observed"  # no interval: still only observed
    share = Estimate("employment_rate", 0.34, "proportion", "Wilson", n=73, numerator=25, ci_low=0.24, ci_high=0.45)
    assert evidence_level(share) == "descriptive"  # a level has no null
    assert evidence_level(share, null=0.2) == "observed"  # against a benchmark
    diff = Estimate("phq9_change", -4.2, "points", "paired t", n=80, ci_low=-5.1, ci_high=-3.3)
    assert evidence_level(diff) == "observed"  # null 0 from the unit
    assert evidence_level(rr(1.0, 1.0, 1.3)) == "not_demonstrated"  # the null on the boundary


def test_sentences_follow_the_evidence() -> None:
    subject = "Psykiatrian käyntien määrä"
    nd = change_claim(rr(0.95, 0.80, 1.12), subject=subject)
    assert nd.evidence == "not_demonstrated"
    assert "muutosta ei voitu osoittaa" in nd.sentence and "0,95" in nd.sentence and "0,80–1,12" in nd.sentence
    assert nd.short == "muutosta ei voitu osoittaa"

    obs = change_claim(rr(0.78, 0.65, 0.93), subject=subject)
    assert obs.verb == "väheni" and obs.direction == "down"
    assert obs.sentence.startswith("Psykiatrian käyntien määrä väheni (suhde 0,78; 95 % LV 0,65–0,93; n = 120).")
    assert "havaittu ilman vertailuryhmää" in obs.sentence
    assert "ei vertailuryhmää" in obs.short

    dem = change_claim(rr(0.78, 0.65, 0.93), subject=subject, comparison=True)
    assert "vertailuryhmään verrattuna" in dem.sentence and dem.evidence == "demonstrated"
    nd_cmp = change_claim(rr(0.95, 0.80, 1.12), subject=subject, comparison=True)
    assert "eroa vertailuryhmään ei voitu osoittaa" in nd_cmp.sentence

    up = change_claim(Estimate("x", 2.0, "points", "paired t", n=50, ci_low=1.0, ci_high=3.0),
                      subject="Toimintakyky", up="parani")
    assert up.verb == "parani" and "Toimintakyky parani (muutos 2,0 pistettä" in up.sentence


def test_level_sentence_shows_numerator_and_denominator() -> None:
    share = Estimate("employment_rate", 25 / 73, "proportion", "Wilson", n=73, numerator=25, ci_low=0.24, ci_high=0.45)
    assert level_claim(share, subject="Työllistyneiden osuus").sentence == \
        "Työllistyneiden osuus oli 34\xa0% (25 / 73; 95 % LV 24–45\xa0%)."  # babel: no-break space before %


def test_suppressed_estimate_has_no_numbers() -> None:
    e = rr(0.5, 0.2, 0.9).with_(estimate=None, ci_low=None, ci_high=None, suppressed=True)
    c = change_claim(e, subject="Käynnit")
    assert c.evidence == "descriptive" and not any(ch.isdigit() for ch in c.sentence)


def test_languages() -> None:
    e = rr(0.78, 0.65, 0.93)
    sv = change_claim(e, subject="Antalet besök", language="sv").sentence
    en = change_claim(e, subject="Psychiatric visits", language="en").sentence
    assert sv.startswith("Antalet besök minskade") and "jämförelsegrupp" in sv
    assert en.startswith("Psychiatric visits decreased (ratio 0.78; 95% CI 0.65–0.93; n = 120)")


def test_a_unit_whose_english_word_is_its_id_keeps_its_word() -> None:
    """English 'points', 'days' are spelt like the unit ids; the value still takes its word."""
    change = Estimate("phq9_mean_change", -6.0, "points", "paired t", n=308, ci_low=-6.6, ci_high=-5.5)
    assert "(change -6.0 points;" in change_claim(change, subject="Symptoms", language="en").sentence
    assert "(förändring −6,0 poäng;" in change_claim(change, subject="Symtom", language="sv").sentence
    wait = Estimate("median_wait", 34.0, "days", "KM", n=50)
    assert level_claim(wait, subject="The median wait", language="en").sentence == "The median wait was 34 days (n = 50)."


def test_causal_phrases() -> None:
    assert causal_phrases("IPS-toimintamalli vähensi psykiatrian käyntejä.") == ["vähensi"]
    assert causal_phrases("Käynnit vähenivät.") == []
    assert causal_phrases("The model reduced visits.", language="en") == ["reduced"]


_values = st.floats(min_value=0.05, max_value=5.0, allow_nan=False)


@given(_values, _values, _values, st.booleans())
def test_summary_never_claims_more_than_the_section(a: float, b: float, c: float, comparison: bool) -> None:
    lo, est, hi = sorted([a, b, c])
    e = rr(est, lo, hi)
    section = change_claim(e, subject="Käynnit", comparison=comparison)
    # with the section's claim recorded, the summary repeats it
    assert claim_for_summary(e, section.to_dict()) == section.short
    # without it, the summary assumes no comparison design: never stronger than the section
    unrecorded = change_claim(e, subject="Käynnit", comparison=False)
    assert EVIDENCE_RANK[unrecorded.evidence] <= EVIDENCE_RANK[section.evidence]
    assert claim_for_summary(e, None) in {"havaittu kasvu", "havaittu väheneminen", "muutosta tai eroa ei voitu osoittaa"}
    assert claim_for_summary(e, None).startswith("havaittu") == (unrecorded.evidence == "observed")
    # and text without a comparison design never uses causal words
    for lang in ("fi", "sv", "en"):
        text = change_claim(e, subject="X", comparison=False, language=lang).sentence
        assert causal_phrases(text, language=lang) == [], text


def test_a_measure_note_is_finnish_text_and_worded_again_in_the_report_language() -> None:
    """A costs note stays the Finnish string it was (results, tests, notebooks read it as
    text); the narrative writes it again from its key and fields in the report language."""
    from evalkit.report.wording.costs import _note_text, costs_note

    note = costs_note("missing_effect", groups={"intervention": 69, "comparison": 30}, handling="zero")
    assert note == "Tulosmuuttuja puuttui 99 asiakkaalta (toimintamalli 69, vertailuryhmä 30); heidät laskettiin " \
                   "tulokseksi 'ei saavutettu'."
    assert _note_text(note, "fi") == note
    assert _note_text(note, "sv").startswith("Resultatvariabeln saknades för 99 klienter (verksamhetsmodellen 69, ")
    assert _note_text(note, "en") == ("The outcome was missing for 99 clients (operating model 69, comparison "
                                      "group 30); they were counted as 'outcome not reached'.")
    one_group = costs_note("missing_effect", groups={"intervention": 0, "comparison": 3}, handling="exclude")
    assert "(comparison group 3); they were left out" in _note_text(one_group, "en")
    table = costs_note("no_effects_table", outcome="employed", table="employment")
    assert _note_text(table, "en").startswith("The employment table of the outcome (employed) was not given")
    assert _note_text("Vapaa teksti.", "sv") == "Vapaa teksti."  # a plain note as it is


def test_a_catalogue_note_reads_in_every_language() -> None:
    from evalkit.report.wording.common import Note

    note = Note.of("phrases.visits.notes.pretrend_short")
    assert note == "Esijakson trendiä ei tarkasteltu: esijakso on alle 60 päivää."
    assert note.text("en") == "The pre-period trend was not examined: the pre-period is shorter than 60 days."
    assert note.text("sv").startswith("Trenden under förperioden granskades inte")
