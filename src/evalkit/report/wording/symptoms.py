"""Report text of the symptoms measure (PHQ-9 / GAD-7).

Evidence rules (``wording.common``): the change within the intervention group is a
before/after change (*observed*, never the model's effect); only the ANCOVA against the
comparison group may speak of a difference attributable to the design; an interval crossing
zero is "muutosta ei voitu osoittaa". Rates are descriptive levels with numerator and
denominator. The sentences are templates in the catalogues (``phrases.symptoms.*`` in
``locales/<language>/symptoms.yaml``), so ``language`` selects them.
"""

from __future__ import annotations

from ..fmt import format_number
from ..i18n import label, lookup
from .common import change_claim, find_estimate, level_claim

__all__ = ["symptoms_limitations", "symptoms_methods", "symptoms_narrative"]

_PREFIX = {"PHQ-9": "phq9", "GAD-7": "gad7"}


def _t(key: str, language: str, **fmt) -> str:
    """A phrase of the symptoms wording (``phrases.symptoms.<key>``) in the report language."""
    return label(f"phrases.symptoms.{key}", language, **fmt)


def _name(inst: str, language: str) -> str:
    """``'Masennusoireet (PHQ-9)'``; an instrument the catalogue does not know by its own name."""
    return lookup(f"phrases.symptoms.names.{_PREFIX.get(inst, inst.lower())}", language) or inst


def symptoms_narrative(res, *, language: str = "fi") -> str:
    """Completeness, mean change per instrument, NHS rates and, with a comparison group, the
    ANCOVA difference — each sentence at the evidence level of its estimate."""
    g = "intervention"
    out = []
    comp = find_estimate(res, "completeness", g)
    if comp is not None:
        out.append(level_claim(comp, subject=_t("completeness_subject", language), language=language).sentence)
    for inst in res.instruments:
        p = _PREFIX.get(inst, inst.lower())
        e = find_estimate(res, f"{p}_mean_change", g)
        if e is not None:
            out.append(change_claim(e, subject=_t("change_subject", language, name=_name(inst, language)),
                                    up=_t("verbs.change_up", language), down=_t("verbs.change_down", language),
                                    language=language).sentence)
    for ind in ("recovery_rate", "reliable_improvement_rate", "reliable_recovery_rate", "reliable_deterioration_rate"):
        e = find_estimate(res, ind, g)
        if e is not None:
            out.append(level_claim(e, subject=_t(f"rates.{ind}", language), language=language).sentence)
    if len(res.instruments) == 1:
        out.append(_t("single_instrument", language, instrument=res.instruments[0]))
    if res.has_comparison:
        for inst in res.instruments:
            p = _PREFIX.get(inst, inst.lower())
            e = find_estimate(res, f"{p}_ancova_group_effect", "all")
            if e is not None:
                out.append(change_claim(e, subject=_t("ancova_subject", language, name=_name(inst, language)),
                                        comparison=True, up=_t("verbs.ancova_up", language),
                                        down=_t("verbs.ancova_down", language), language=language).sentence)
    return " ".join(out)


def symptoms_methods(res, *, language: str = "fi") -> str:
    """How the figures were computed (methods paragraph)."""
    s = res.settings
    cas = ", ".join(f"{i} ≥ {s['caseness'][i]}" for i in res.instruments)
    rc = ", ".join(_t("methods.reliable_change_item", language, instrument=i, points=s["reliable_change"][i])
                   for i in res.instruments)
    pro = (_t("methods.prorating_none", language) if s["max_missing_items"] == 0 else
           _t("methods.prorating", language, items=s["max_missing_items"],
              n=format_number(getattr(res, "n_prorated", 0), language=language)))
    text = _t("methods.text", language, prorating=pro, min_sessions=s["min_sessions"], min_scores=s["min_scores"],
              caseness=cas, reliable_change=rc)
    if res.has_comparison:
        text += " " + _t("methods.comparison", language)
    if s.get("reliability"):
        values = ", ".join(f"{k} r = {format_number(v, 2, language=language)}" for k, v in s["reliability"].items())
        text += " " + _t("methods.reliability", language, values=values)
    return text


def symptoms_limitations(res, *, language: str = "fi") -> str:
    """Limitations paragraph: design, completeness and missing data."""
    design = _t(f"limitations.{'comparison' if res.has_comparison else 'no_comparison'}", language)
    return f"{design} {_t('limitations.missing', language)}"
