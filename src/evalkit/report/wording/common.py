"""Rules every generated sentence follows (design.md, Principles), as reusable functions.

* without a comparison group a change is *observed* (``havaittiin``), never caused;
* an interval that crosses the null value is *no demonstrated change*
  (``muutosta ei voitu osoittaa``);
* a causal reading ("the model reduced …") needs a comparison design, and even then it is
  worded as an estimate relative to the comparison group.

Measure helpers call :func:`change_claim` (a change or a difference: rate ratio, paired
change, DiD …) or :func:`level_claim` (a level with no null: an employment rate, a median
wait) and put ``claim.sentence`` into the section, usually through
:meth:`evalkit.report.section.Section.finding`, which also records the claim so that the
report's summary table uses the same evidence level — the summary can never claim more
than the section.

>>> from evalkit.results import Estimate
>>> e = Estimate("psy_rate_ratio", 0.78, "rate_ratio", "Poisson GLM", n=120, ci_low=0.65, ci_high=0.93)
>>> c = change_claim(e, subject="Psykiatrian käyntien määrä")
>>> c.evidence, c.verb
('observed', 'väheni')
>>> c.sentence  # doctest: +NORMALIZE_WHITESPACE
'Psykiatrian käyntien määrä väheni (suhde 0,78; 95 % LV 0,65–0,93; n = 120). Muutos on havaittu ilman vertailuryhmää, joten sitä ei voi pitää toimintamallin vaikutuksena.'
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Literal

from ...results import Estimate
from ..fmt import format_interval, format_number, format_value
from ..i18n import label, lookup

__all__ = [
    "EVIDENCE_RANK",
    "NULL_BY_UNIT",
    "Claim",
    "Evidence",
    "Note",
    "analysed_clients",
    "causal_phrases",
    "change_claim",
    "claim_for_summary",
    "estimate_text",
    "evidence_level",
    "find_estimate",
    "level_claim",
    "value_with_unit",
    "weaker",
]

#: How strong a statement the numbers carry, weakest first.
#:
#: * ``not_demonstrated`` — the interval contains the null value: no demonstrated change;
#: * ``descriptive`` — a level or a count with nothing to compare against (no claim of change);
#: * ``observed`` — a change whose interval excludes the null, without a comparison group
#:   (or a change with no interval at all): observed, not attributable to the model;
#: * ``demonstrated`` — a difference relative to a comparison group whose interval excludes
#:   the null: the only level at which the text may speak of the model's effect.
Evidence = Literal["not_demonstrated", "descriptive", "observed", "demonstrated"]
EVIDENCE_RANK: dict[str, int] = {"not_demonstrated": 0, "descriptive": 1, "observed": 2, "demonstrated": 3}

#: null value of a change expressed in each unit (ratios: 1, differences: 0)
NULL_BY_UNIT: dict[str, float] = {
    "rate_ratio": 1.0,
    "ratio": 1.0,
    "hazard_ratio": 1.0,
    "difference": 0.0,
    "proportion_difference": 0.0,
    "points": 0.0,
    "effect_size": 0.0,
    "eur": 0.0,
    "days": 0.0,
    "weeks": 0.0,
    "visits_per_person_month": 0.0,
    "visits_per_month": 0.0,
}

Direction = Literal["up", "down", "none"]


@dataclass(frozen=True, slots=True)
class Claim:
    """What the text may say about one estimate.

    ``verb`` is the finite verb used (``väheni``, ``kasvoi``, ``ei muuttunut osoitettavasti``),
    ``sentence`` the full sentence(s) for the section, ``short`` the phrase used in the
    summary table (``havaittu väheneminen, ei vertailuryhmää``).
    """

    indicator: str
    group: str
    evidence: Evidence
    direction: Direction
    verb: str
    sentence: str
    short: str
    comparison: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Note(str):
    """A measure's note for the report (``result.notes``): the string is the Finnish text, as
    before; ``key`` (a catalogue key) and ``fields`` let the wording write it again in the
    report language (:meth:`text`; notes whose fields need words of their own, like
    :func:`evalkit.report.wording.costs.costs_note`, are worded by their measure's wording)."""

    key: str
    fields: dict[str, Any]

    def __new__(cls, text: str, key: str = "", fields: dict[str, Any] | None = None) -> Note:
        note = super().__new__(cls, text)
        note.key, note.fields = key, dict(fields or {})
        return note

    @classmethod
    def of(cls, key: str, **fields: Any) -> Note:
        """The note whose words are the catalogue's ``key``: ``Note.of('phrases.visits.notes.nb_failed')``."""
        return cls(label(key, "fi", **fields), key=key, fields=fields)

    def text(self, language: str = "fi") -> str:
        """The note in ``language`` (a note without a key as it is)."""
        return label(self.key, language, **self.fields) if self.key else str(self)


def find_estimate(result: Any, indicator: str, group: str = "all") -> Estimate | None:
    """``result.get(indicator, group)``, or ``None`` when the measure did not produce it."""
    try:
        return result.get(indicator, group)
    except KeyError:
        return None


def analysed_clients(n_int: Estimate, n_cmp: Estimate | None, *, language: str = "fi") -> str:
    """``'Analyysissa oli 73 toimintamallin asiakasta ja 150 vertailuryhmän asiakasta.'``
    (``n_cmp`` None: the intervention group alone)."""
    if n_cmp is None:
        return label("phrases.analysed.clients", language, n=format_number(n_int.n, language=language))
    return label("phrases.analysed.clients_comparison", language, n=format_number(n_int.n, language=language),
                 comparison=format_number(n_cmp.n, language=language))


def _missing(x: float | None) -> bool:
    return x is None or x != x  # NaN


def evidence_level(e: Estimate, *, null: float | None = None, comparison: bool = False) -> Evidence:
    """Evidence level of an estimate of change (see :data:`Evidence`).

    ``null`` defaults from the unit (1 for ratios, 0 for differences); an estimate whose unit
    has no natural null and no ``null`` given is a level: ``descriptive``.
    """
    if null is None:
        null = NULL_BY_UNIT.get(e.unit)
    if null is None or e.suppressed or _missing(e.estimate):
        return "descriptive"
    if _missing(e.ci_low) or _missing(e.ci_high):
        return "observed" if e.estimate != null else "not_demonstrated"
    if e.ci_low <= null <= e.ci_high:  # type: ignore[operator]
        return "not_demonstrated"
    return "demonstrated" if comparison else "observed"


def weaker(a: Evidence, b: Evidence) -> Evidence:
    """The weaker of two evidence levels."""
    return a if EVIDENCE_RANK[a] <= EVIDENCE_RANK[b] else b


def _direction(e: Estimate, null: float | None) -> Direction:
    if null is None or _missing(e.estimate) or e.estimate == null:
        return "none"
    return "up" if e.estimate > null else "down"  # type: ignore[operator]


def value_with_unit(x: float | None, unit: str, *, language: str = "fi") -> str:
    """``'4,2 pistettä'``, ``'34 päivää'``; units that format themselves (%, €) unchanged."""
    value = format_value(x, unit, language=language)
    suffix = lookup(f"wording.unit_suffix.{unit}", language)  # not label(): English "days" is its own key
    return value if suffix is None or _missing(x) else f"{value} {suffix}"


def estimate_text(e: Estimate, *, language: str = "fi", with_unit_label: bool = True,
                  comparison: bool = False) -> str:
    """``'suhde 0,78; 95 % LV 0,65–0,93; n = 120'`` — the bracketed part of a sentence
    (a proportion shows its numerator and denominator: ``'34 %; 25 / 73; 95 % LV 24–45 %'``).

    ``comparison=True``: the estimate is a difference between groups, so a points value is
    an "ero", not a "muutos" (``wording.unit_words_comparison``)."""
    value = value_with_unit(e.estimate, e.unit, language=language)
    unit_word = ""
    if with_unit_label:
        unit_word = ((lookup(f"wording.unit_words_comparison.{e.unit}", language) if comparison else None)
                     or lookup(f"wording.unit_words.{e.unit}", language) or "")
    parts = [f"{unit_word} {value}".strip()]
    if e.unit == "proportion" and e.numerator is not None and e.n is not None:
        parts.append(f"{format_number(e.numerator, language=language)} / {format_number(e.n, language=language)}")
    ci = format_interval(e, language=language)
    if ci:
        parts.append(ci)
    if e.n is not None and not (e.unit == "proportion" and e.numerator is not None):
        parts.append(f"n = {format_number(e.n, language=language)}")
    return "; ".join(parts)


def change_claim(
    e: Estimate,
    *,
    subject: str,
    null: float | None = None,
    comparison: bool = False,
    up: str | None = None,
    down: str | None = None,
    language: str = "fi",
) -> Claim:
    """The sentence a report may write about a change (or a difference between groups).

    Parameters
    ----------
    e
        The estimate of change: a rate ratio, a paired mean change, a DiD ratio … with its
        interval and n.
    subject
        What changed, in the nominative, as it starts a sentence:
        ``"Psykiatrian käyntien määrä"``.
    null
        The value meaning "no change" (default from the unit: 1 for ratios, 0 otherwise).
    comparison
        True when ``e`` compares the model's clients with a comparison group (DiD, ANCOVA
        with a comparison group, a randomised or matched design). Only then may the text
        speak of the model's effect.
    up, down
        Verbs for an increase / a decrease (default ``kasvoi`` / ``väheni``; e.g.
        ``lieventyivät`` for symptoms).
    language
        Report language (sentence templates live in the ``wording`` catalogue).

    Returns
    -------
    Claim
        ``evidence`` is ``not_demonstrated`` when the interval contains ``null``,
        ``observed`` without a comparison design, ``demonstrated`` with one.
    """
    if null is None:
        null = NULL_BY_UNIT.get(e.unit, 0.0)
    evidence = evidence_level(e, null=null, comparison=comparison)
    direction = _direction(e, null)
    if e.suppressed or _missing(e.estimate):
        text = label("wording.suppressed", language, subject=subject)
        return Claim(e.indicator, e.group, "descriptive", "none", "", text,
                     label("wording.short.suppressed", language), comparison)
    verbs = {"up": up or label("wording.verbs.up", language), "down": down or label("wording.verbs.down", language)}
    stats = estimate_text(e, language=language, comparison=comparison)
    kind = "comparison" if comparison else "before_after"
    if evidence == "not_demonstrated":
        verb = label("wording.verbs.none", language)
        sentence = label(f"wording.not_demonstrated.{kind}", language, subject=subject, stats=stats,
                         null=format_value(null, e.unit, language=language))
        short = label(f"wording.short.not_demonstrated_{kind}", language)
    elif direction == "none":
        verb = label("wording.verbs.none", language)
        sentence = label("wording.no_change", language, subject=subject, stats=stats)
        short = label(f"wording.short.not_demonstrated_{kind}", language)
    else:
        verb = verbs[direction]
        key = "demonstrated" if evidence == "demonstrated" else "observed"
        sentence = label(f"wording.{key}.sentence", language, subject=subject, verb=verb, stats=stats)
        if evidence == "observed" and (_missing(e.ci_low) or _missing(e.ci_high)):
            sentence += " " + label("wording.observed.no_interval", language)
        sentence += " " + label(f"wording.{key}.caveat", language)
        short = label(f"wording.short.{key}_{direction}", language)
    return Claim(e.indicator, e.group, evidence, direction, verb, sentence, short, comparison)


def level_claim(e: Estimate, *, subject: str, language: str = "fi") -> Claim:
    """A descriptive sentence about a level (a rate, a median, a count): ``'{subject} oli …'``."""
    if e.suppressed or _missing(e.estimate):
        text = label("wording.suppressed", language, subject=subject)
        return Claim(e.indicator, e.group, "descriptive", "none", "", text, label("wording.short.suppressed", language))
    value = value_with_unit(e.estimate, e.unit, language=language)
    extras = estimate_text(e, language=language, with_unit_label=False).split("; ", 1)[1:]
    stats = f"{value} ({extras[0]})" if extras else value
    sentence = label("wording.level", language, subject=subject, stats=stats)
    return Claim(e.indicator, e.group, "descriptive", "none", label("wording.verbs.was", language), sentence,
                 label("wording.short.descriptive", language))


def claim_for_summary(e: Estimate, recorded: dict[str, Any] | None, *, language: str = "fi") -> str:
    """The summary table's interpretation of a headline estimate.

    With a claim recorded in the section, the summary repeats its (short) wording, so it
    never says more than the section. Without one, the most cautious reading the numbers
    allow is used: no comparison design is assumed, and the design is not mentioned
    ("havaittu väheneminen", "muutosta tai eroa ei voitu osoittaa").
    """
    if e.suppressed:
        return label("wording.short.suppressed", language)
    if recorded:
        return str(recorded.get("short", ""))
    if NULL_BY_UNIT.get(e.unit) is None:
        return label("wording.short.descriptive", language)
    c = change_claim(e, subject="", comparison=False, language=language)
    if c.evidence == "observed":  # the design is unknown here: say "observed", claim nothing about it
        return label(f"wording.short.observed_{c.direction}_plain", language)
    if c.evidence == "not_demonstrated":
        return label("wording.short.not_demonstrated_plain", language)
    return c.short


#: words that assert causation; allowed only with a comparison design
_CAUSAL = {
    "fi": r"\b(vaikutti|vaikuttanut|vaikutuksesta|ansiosta|johtui|johtuen|vähensi|vähentänyt|lisäsi|lisännyt|"
          r"paransi|parantanut|aiheutti|sai aikaan|seurauksena)\b",
    "sv": r"\b(ledde till|minskade antalet|ökade antalet|tack vare|orsakade|på grund av)\b",
    "en": r"\b(caused|reduced|led to|thanks to|due to|because of|resulted in)\b",
}


def causal_phrases(text: str, *, language: str = "fi") -> list[str]:
    """Causal words in ``text`` (to check narrative written without a comparison design)."""
    pattern = _CAUSAL.get(language, _CAUSAL["fi"])
    return [m.group(0) for m in re.finditer(pattern, text, flags=re.IGNORECASE)]
