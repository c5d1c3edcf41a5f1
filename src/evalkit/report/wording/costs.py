"""Report text of the costs measure (kustannusvaikuttavuus), generated from a ``CostsResult``.

Rules (domain.md, Cost-effectiveness): an ICER is never written without ΔC and ΔE and
their intervals in the same sentence, and it is not given as a figure at all when the
interval of ΔE crosses zero (then the net benefit and the probability of cost-effectiveness
speak instead); dominance is stated in words; without a comparison group the costs are
described and the change in service costs is *observed*, never the model's effect; λ is
always marked as a parameter (Finland has no official threshold).

The sentences are templates in the catalogues (``phrases.costs.*`` in
``locales/<language>/costs.yaml``), so ``language`` selects them; the measure's notes
(:class:`Note`) are worded again in the report language.
"""

from __future__ import annotations

import math
from typing import Any

from ...results import Estimate
from ..fmt import format_estimate, format_money, format_number, format_percent_value
from ..i18n import label, lookup
from .common import Note, analysed_clients, find_estimate

__all__ = ["costs_limitations", "costs_methods", "costs_narrative", "costs_note", "outcome_label"]

_BINARY = {"employed", "progressed", "recovery", "reliable_improvement", "reliable_recovery",
           "reliable_deterioration"}


def _t(key: str, language: str, **fmt) -> str:
    """A phrase of the costs wording (``phrases.costs.<key>``) in the report language."""
    return label(f"phrases.costs.{key}", language, **fmt)


def outcome_label(outcome: str | None, language: str = "fi") -> tuple[str, str]:
    """(what the outcome is, the unit "per …": ``yhtä {per} kohden``) in the report language;
    an outcome the catalogue does not know is named by its id."""
    what = lookup(f"phrases.costs.outcomes.{outcome}.what", language) if outcome else None
    if what is None:
        return outcome or _t("outcome_default.what", language), _t("outcome_default.per", language)
    return what, _t(f"outcomes.{outcome}.per", language)


def costs_note(key: str, language: str = "fi", **fields: Any) -> Note:
    """A note of the costs measure for the report (``phrases.costs.notes.<key>``): Finnish when
    the measure writes it, worded again in the report language by :func:`costs_narrative`.

    ``missing_effect`` takes ``groups`` ({group: clients}) and ``handling`` (``zero`` / ``exclude``);
    ``no_effects_table`` takes ``outcome`` and ``table``; ``no_outcome_reached`` nothing."""
    shown = dict(fields)
    if key == "missing_effect":
        groups = {g: n for g, n in fields["groups"].items() if n}
        shown = {"n": sum(fields["groups"].values()),
                 "groups": ", ".join(f"{_t(f'notes.groups.{g}', language)} {n}" for g, n in groups.items()),
                 "how": _t(f"notes.missing_effect_how.{fields['handling']}", language)}
    return Note(_t(f"notes.{key}", language, **shown), key=f"phrases.costs.notes.{key}", fields=fields)


def _note_text(note: str, language: str) -> str:
    """A measure's note in the report language (a plain string as it is)."""
    if isinstance(note, Note) and note.key.startswith("phrases.costs.notes."):
        return costs_note(note.key.removeprefix("phrases.costs.notes."), language, **note.fields)
    return note.text(language) if isinstance(note, Note) else str(note)


def _small(e: Estimate | None, min_cell: int) -> bool:
    return e is None or e.n is None or e.n < min_cell or e.suppressed


def _ci_missing(e: Estimate) -> bool:
    return e.ci_low is None or e.ci_high is None or any(math.isnan(x) for x in (e.ci_low, e.ci_high))


def _crosses(e: Estimate, null: float = 0.0) -> bool:
    return _ci_missing(e) or e.ci_low <= null <= e.ci_high


def _effect_text(e: Estimate, outcome: str | None, language: str) -> str:
    """ΔE with its interval: percentage points for a 0/1 outcome, points otherwise."""
    if outcome in _BINARY:
        def pp(x: float) -> str:
            return format_number(100 * x, 1, language=language)
        return (_t("ce.effect_pp", language, value=pp(e.estimate)) if _ci_missing(e) else
                _t("ce.effect_pp_ci", language, value=pp(e.estimate), low=pp(e.ci_low), high=pp(e.ci_high)))
    return format_estimate(e, language=language)


def _money(x: float, language: str) -> str:
    return format_money(x, language=language)


def _money_ci(lo: float, hi: float | None, language: str) -> str:
    """``' (95 % LV 504 €–3 223 €)'``; an interval without an upper bound says so."""
    if hi is None or math.isnan(hi):
        return " " + _t("money_ci_open", language, low=_money(lo, language))
    return " " + _t("money_ci", language, low=_money(lo, language), high=_money(hi, language))


def costs_narrative(result: Any, *, min_cell: int = 5, language: str = "fi") -> str:
    """The findings paragraph(s): costs per client, cost offset, then — with a comparison
    group and an outcome — ΔC, ΔE, the ICER (only with both intervals), INMB, the probability
    of cost-effectiveness at λ, dominance in words and EVPI."""
    s = result.settings
    parts: list[str] = []
    n_int = find_estimate(result, "clients", "intervention")
    n_cmp = find_estimate(result, "clients", "comparison")
    if _small(n_int, min_cell):
        return _t("too_few", language, min_cell=min_cell)
    compare = result.has_comparison and not _small(n_cmp, min_cell)
    plo, phi = s["post_window"]
    parts.append(analysed_clients(n_int, n_cmp if compare else None, language=language))
    parts.append(_t("cost_basis", language, year=s["cost_year"], start=plo, end=phi))

    ic = find_estimate(result, "intervention_cost_per_client", "intervention")
    if ic is not None:
        text = format_estimate(ic, language=language, with_interval=not ic.fixed)
        parts.append(_t("own_cost_fixed" if ic.fixed else "own_cost", language, stats=text))
    off = find_estimate(result, "cost_offset", "intervention")
    if off is not None:
        pre = find_estimate(result, "service_cost_pre", "intervention")
        post = find_estimate(result, "service_cost_post", "intervention")
        key = "offset_not_demonstrated" if _crosses(off) else ("offset_down" if off.estimate < 0 else "offset_up")
        parts.append(_t(key, language, pre=_money(pre.estimate, language), post=_money(post.estimate, language),
                        change=format_estimate(off, language=language)))
        if not compare:
            parts.append(_t("offset_no_comparison", language))
    diff = find_estimate(result, "cost_offset_difference")
    if compare and diff is not None:
        if _crosses(diff):
            key = "offset_difference_not_demonstrated"
        else:
            key = "offset_difference_more" if diff.estimate < 0 else "offset_difference_less"
        parts.append(_t(key, language, stats=format_estimate(diff, language=language)))
    net = find_estimate(result, "net_cost_per_client", "intervention")
    if net is not None and not compare:
        parts.append(_t("net_cost", language, stats=format_estimate(net, language=language)))
    cpo = find_estimate(result, "cost_per_outcome", "intervention")
    what, per = outcome_label(result.outcome, language)
    if cpo is not None:
        parts.append(_t("cost_per_outcome", language, per=per, what=what, value=_money(cpo.estimate, language),
                        ci=_money_ci(cpo.ci_low, cpo.ci_high, language)))

    ce = result.ce
    if compare and ce is not None:
        parts.append(_ce_text(result, what=what, per=per, language=language))
    elif compare:
        dc = find_estimate(result, "incremental_cost")
        if dc is not None:
            parts.append(_t("no_outcome", language, stats=format_estimate(dc, language=language)))
    budget = find_estimate(result, "budget_impact")
    if budget is not None:
        net_b = find_estimate(result, "budget_impact_net")
        fmt = {"clients": format_number(s["budget_clients_per_year"], language=language),
               "stats": format_estimate(budget, language=language)}
        if net_b is not None:
            parts.append(_t("budget_net", language, net=format_estimate(net_b, language=language), **fmt))
        else:
            parts.append(_t("budget", language, **fmt))
    for note in result.notes:
        parts.append(_note_text(note, language))
    return " ".join(parts)


def _ce_text(result: Any, *, what: str, per: str, language: str) -> str:
    ce = result.ce
    dc, de = result.get("incremental_cost"), result.get("incremental_effect")
    icer, inmb = result.get("icer"), result.get("inmb")
    p = result.get("prob_cost_effective")
    evpi = result.get("evpi_per_person")
    out = [_t("ce.increments", language, cost=format_estimate(dc, language=language), what=what,
              effect=_effect_text(de, result.outcome, language))]
    if _crosses(de):
        out.append(_t("ce.effect_not_demonstrated", language))
    elif ce.dominance in ("dominant", "dominated"):
        out.append(_t(f"ce.{ce.dominance}", language))
    else:
        icer_ci = "" if _ci_missing(icer) else _money_ci(icer.ci_low, icer.ci_high, language)
        kind = _t(f"ce.icer_kind.{'cost_per_gain' if ce.dominance == 'more_costly_more_effective' else 'saving_per_loss'}",
                  language)
        out.append(_t("ce.icer", language, kind=kind, value=_money(icer.estimate, language), ci=icer_ci, per=per))
    q = ce.quadrants
    out.append(_t("ce.quadrants", language, **{k: format_percent_value(q[k], language=language)
                                               for k in ("ne", "se", "nw", "sw")}))
    inmb_word = _t("ce.inmb_word." + ("not_demonstrated" if _crosses(inmb)
                                      else ("positive" if inmb.estimate > 0 else "negative")), language)
    out.append(_t("ce.inmb", language, wtp=_money(result.settings["wtp"], language), word=inmb_word,
                  stats=format_estimate(inmb, language=language),
                  probability=format_percent_value(p.estimate, language=language),
                  evpi=_money(evpi.estimate, language)))
    if ce.dominance in ("dominant", "dominated") and not _crosses(dc) and not _crosses(de):
        out.append(_t("ce.both_demonstrated", language, words=_t(f"ce.dominance_words.{ce.dominance}", language)))
    return " ".join(out)


def costs_methods(result: Any, *, language: str = "fi") -> str:
    """Methods paragraph."""
    s = result.settings
    disc = (_t("methods.discounted", language, rate=format_number(100 * s["discount_rate"], 1, language=language))
            if s["discounted"] else _t("methods.not_discounted", language))
    text = _t("methods.text", language, year=s["cost_year"], discounting=disc,
              reps=format_number(s["bootstrap_reps"], language=language))
    if result.ce is not None:
        what, _ = outcome_label(result.outcome, language)
        text += " " + _t("methods.ce", language, what=what)
        if result.missing_effect.get("handling") == "zero":
            text += " " + _t("methods.missing_zero", language)
    text += " " + _t("methods.sensitivity", language,
                     spread=format_number(100 * s["sensitivity_spread"], language=language))
    return text


def costs_limitations(result: Any, *, language: str = "fi") -> str:
    """Limitations paragraph."""
    design = "comparison" if result.has_comparison else "no_comparison"
    return f"{_t('limitations.unit_costs', language)} {_t(f'limitations.{design}', language)}"
