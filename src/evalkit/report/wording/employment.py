"""Report text of the employment measure (IPS, työllistyminen) and of IPS fidelity.

Evidence rules (``wording.common``): rates, medians and shares are levels (descriptive);
a difference from the comparison group is described as a difference "vertailuryhmään
verrattuna" only when its interval excludes the null, and always with the caveat that the
groups were not randomised. Text is built from *suppressed* estimates, so a small cell
never reaches a sentence. The sentences are templates in the catalogues
(``phrases.employment.*`` in ``locales/<language>/employment.yaml``), so ``language`` selects them.
"""

from __future__ import annotations

import math

from ...results import Estimate
from ..fmt import (
    format_date,
    format_estimate,
    format_interval,
    format_number,
    format_or_list,
    format_percent_value,
    format_value,
)
from ..i18n import label
from ..suppress import suppress_estimates
from .common import evidence_level

__all__ = ["employment_limitations", "employment_methods", "employment_narrative", "fidelity_narrative",
           "fidelity_item_label", "progression_words"]


def _shown(res, min_cell: int) -> dict[tuple[str, str], Estimate]:
    return {(e.indicator, e.group): e for e in suppress_estimates(res.estimates, min_cell)}


def _ok(e: Estimate | None) -> bool:
    return e is not None and not e.suppressed and e.estimate is not None and not math.isnan(e.estimate)


def _t(key: str, language: str, **fmt) -> str:
    """A sentence of the employment wording (``phrases.employment.<key>``) in the report language."""
    return label(f"phrases.employment.{key}", language, **fmt)


def _pct(x: float, language: str) -> str:
    return format_percent_value(x, language=language)


def _stats(e: Estimate | None, language: str) -> str:
    """``'34 % (25 / 73; 95 % LV 24–46 %)'`` or ``'(suojattu)'``."""
    return format_estimate(e, language=language) if _ok(e) else f"({label('report.suppressed_word', language)})"


def _flat(e: Estimate, language: str) -> str:
    """``'1,83; 95 % LV 1,16–2,91'`` (for use inside parentheses)."""
    return f"{format_value(e.estimate, e.unit, language=language)}; {format_interval(e, language=language)}"


def fidelity_item_label(name: str, language: str = "fi") -> str:
    """Label of an IPS-25 item id (``caseload_size`` → "Asiakasmäärä valmentajaa kohden")."""
    return label(f"employment.fidelity_items.{name}", language)


def progression_words(statuses, language: str = "fi") -> str:
    """The progression statuses a sentence names (``'opiskeluun, vapaaehtoistyöhön tai
    työkokeiluun'``), from the params' ``progression_statuses``; none given: "other activity"."""
    words = [label(f"employment.progression_to.{s}", language) for s in statuses]
    return format_or_list(words, language=language) if words else label("employment.progression_to.any", language)


def _group_sentences(s: dict, group: str, language: str, *, milestones, progression: tuple[str, ...] = ()
                     ) -> list[str]:
    out = []
    enr, emp, prog = (s.get((i, group)) for i in ("enrolled", "employment_rate", "progression_rate"))
    who = _t(f"who.{'intervention' if group == 'intervention' else 'comparison'}", language)
    if _ok(emp):
        if _ok(prog):
            out.append(_t("employed_progressed", language, who=who, employed=_stats(emp, language),
                          progressed=_stats(prog, language), to=progression_words(progression, language)))
        else:
            out.append(_t("employed", language, who=who, employed=_stats(emp, language)))
    elif enr is not None:
        out.append(_t("employed_suppressed", language, who=who))
    med = s.get(("days_to_first_job_median", group))
    if _ok(med):
        out.append(_t("median", language, days=format_number(med.estimate, language=language),
                      ci=format_interval(med, language=language)))
    elif med is not None and not med.suppressed:
        out.append(_t("median_not_reached", language))
    shown = [(d, s.get((f"employed_by_{d}d", group))) for d in milestones]
    parts = [_t("milestone", language, days=d, stats=_stats(e, language)) for d, e in shown if _ok(e)]
    if parts:
        out.append(_t("milestones", language, milestones=", ".join(parts)))
    return out


def employment_narrative(res, *, min_cell: int = 5, language: str = "fi") -> str:
    """Funnel, rates, time to first job, the IPS measures, the comparison and the benchmarks."""
    s = _shown(res, min_cell)
    text = []
    ref, enr = s.get(("referred", "intervention")), s.get(("enrolled", "intervention"))
    if _ok(ref) and _ok(enr):
        emp_ref = s.get(("employment_rate_referred", "intervention"))
        # "started coaching (cooperation agreement)" is IPS's enrolment; other models just start
        funnel = _t("funnel" if res.ips else "funnel_generic", language, referred=format_number(ref.estimate, language=language),
                    enrolled=format_number(enr.estimate, language=language),
                    share=_pct(enr.estimate / ref.estimate, language))
        if _ok(emp_ref):
            funnel += " " + _t("funnel_employed_of_referred", language, stats=_stats(emp_ref, language))
        text.append(funnel)
    progression = res.progression_statuses
    text += _group_sentences(s, "intervention", language, milestones=res.milestones, progression=progression)
    w, h, h20 = (s.get((i, "intervention")) for i in ("weeks_worked_mean", "hours_per_week_mean", "share_20h_or_more"))
    if _ok(h) and _ok(h20):
        text.append(_t("hours", language, hours=format_number(h.estimate, 1, language=language),
                       ci=format_interval(h, language=language), share=_stats(h20, language)))
    if _ok(w):
        text.append(_t("weeks", language, weeks=format_number(w.estimate, 1, language=language)))
    if res.has_comparison:
        text += _group_sentences(s, "comparison", language, milestones=res.milestones, progression=progression)
        text.append(_comparison_sentence(s, language, ips=res.ips))
    text.append(_benchmark_sentence(res, s, language))
    return " ".join(t for t in text if t)


def _comparison_sentence(s: dict, language: str, *, ips: bool) -> str:
    rr, rd, hr = s.get(("risk_ratio", "all")), s.get(("risk_difference", "all")), s.get(("hazard_ratio", "all"))
    if not _ok(rd):
        return _t("comparison.suppressed", language)

    def pp(x: float) -> str:
        return format_number(x * 100, 1, language=language)

    stats = _t("comparison.difference", language, estimate=pp(rd.estimate), low=pp(rd.ci_low), high=pp(rd.ci_high))
    if _ok(rr):
        stats += _t("comparison.risk_ratio", language, stats=_flat(rr, language))
    if evidence_level(rd, comparison=True) == "not_demonstrated":
        out = _t("comparison.not_demonstrated", language, stats=stats)
    else:
        out = _t(f"comparison.{'higher' if rd.estimate > 0 else 'lower'}", language, stats=stats)
    if _ok(hr):
        hr_text = _flat(hr, language)
        if evidence_level(hr, comparison=True) == "not_demonstrated":
            out += " " + _t("comparison.hazard_not_demonstrated", language, stats=hr_text)
        else:
            out += " " + _t(f"comparison.{'faster' if hr.estimate > 1 else 'slower'}", language, stats=hr_text)
    if ips:  # published IPS results compare only with an IPS model
        out += " " + _t("comparison.meta_analysis", language)
    out += " " + _t("comparison.not_randomised", language)
    return out


def _benchmark_sentence(res, s: dict, language: str) -> str:
    emp = s.get(("employment_rate", "intervention"))
    if not _ok(emp):
        return ""
    out = []
    if res.target is not None:
        lo, hi = res.target
        tgt = f"{format_number(lo * 100, language=language)}–{_pct(hi, language)}"
        if emp.ci_low > hi:
            rel = "above_whole_interval"
        elif emp.ci_high < lo:
            rel = "below_whole_interval"
        elif lo <= emp.estimate <= hi:
            rel = "within"
        else:
            rel = "above_interval_reaches" if emp.estimate > hi else "below_interval_reaches"
        out.append(_t("target", language, target=tgt, share=_pct(emp.estimate, language),
                      relation=_t(f"target_relation.{rel}", language)))
    if res.ips:  # published IPS results compare only with an IPS model
        out.append(_t("benchmarks", language))
    return " ".join(out)


def fidelity_narrative(fid, *, language: str = "fi") -> str:
    """Latest complete review, its band, the trend and the weakest items; incomplete reviews named."""
    if fid is None or fid.reviews.empty:
        return ""
    rev = fid.reviews
    done = rev[rev["complete"]]
    text = [_t("fidelity.reviews", language, n=len(rev))]
    if not done.empty:
        last = done.iloc[-1]
        band = label(f"employment.bands.{last['band']}", language)
        text.append(_t("fidelity.latest", language, date=format_date(last["review_date"].date(), language=language),
                       total=format_number(last["total"], language=language), band=band))
        if len(done) >= 2:
            first = done.iloc[0]
            trend = "up" if last["total"] > first["total"] else ("down" if last["total"] < first["total"] else "same")
            text.append(_t(f"fidelity.trend_{trend}", language, first=format_number(first["total"], language=language),
                           last=format_number(last["total"], language=language)))
    if not fid.weakest.empty:
        items = ", ".join(f"{fidelity_item_label(r['name'], language).lower()} ({format_number(r['score'], language=language)})"
                          for _, r in fid.weakest.iterrows())
        text.append(_t("fidelity.weakest", language, items=items))
    inc = rev[~rev["complete"]]
    if len(inc):
        days = ", ".join(format_date(d.date(), language=language) for d in inc["review_date"])
        text.append(_t("fidelity.incomplete", language, dates=days))
    return " ".join(text)


def employment_methods(res, *, min_cell: int = 5, language: str = "fi") -> str:
    """How the figures were computed (methods paragraph); ``min_cell`` as the report suppresses."""
    fu = (_t("methods.followup_days", language, days=format_number(res.followup_days, language=language))
          if res.followup_days else _t("methods.followup_open", language))
    if res.cutoff:
        fu += " " + _t("methods.cutoff", language, date=format_date(res.cutoff, language=language))
    text = _t("methods.text", language, followup=fu)
    if res.has_comparison:
        text += " " + _t("methods.comparison", language)
    text += " " + _t("methods.small_cells", language, min_cell=min_cell)
    return text


def employment_limitations(res, *, language: str = "fi") -> str:
    """Limitations paragraph."""
    text = _t("limitations.followup", language)
    text += " " + _t(f"limitations.{'comparison' if res.has_comparison else 'no_comparison'}", language)
    return text
