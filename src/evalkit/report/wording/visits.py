"""Report text of the visits measure (käyntimäärät), generated from a ``VisitsResult``.

Evidence rules (``wording.common``): without a comparison group a change is *observed*
(``havaittiin``) and the regression-to-the-mean caveat follows; an interval crossing 1 is
"muutosta ei voitu osoittaa"; only the difference-in-differences estimate of a comparison
design may be called the model's estimated effect, and it leads the text. The sentences are
templates in the catalogues (``phrases.visits.*`` in ``locales/<language>/visits.yaml``), so
``language`` selects them.
"""

from __future__ import annotations

from typing import Any

from ...results import Estimate
from ..fmt import format_date, format_estimate, format_number
from ..i18n import code_label, label, lookup
from .common import Note, analysed_clients, find_estimate
from .its import its_autocorrelation_sentence

__all__ = ["visits_limitations", "visits_methods", "visits_narrative"]

def _t(key: str, language: str, **fmt) -> str:
    """A sentence of the visits wording (``phrases.visits.<key>``) in the report language."""
    return label(f"phrases.visits.{key}", language, **fmt)


def _crosses_one(e: Estimate) -> bool:
    return e.ci_low is None or e.ci_high is None or e.ci_low <= 1.0 <= e.ci_high


def _percent_change(ratio: float, language: str) -> str:
    """``'22 % vähemmän'`` / ``'22 % enemmän'`` from a ratio of 0.78 / 1.22."""
    pct = format_number(abs(ratio - 1.0) * 100, 0, language=language)
    return _t(f"percent_{'fewer' if ratio < 1 else 'more'}", language, pct=pct)


def _too_small(e: Estimate | None, min_cell: int) -> bool:
    return e is None or e.n is None or e.n < min_cell


def visits_narrative(result: Any, *, min_cell: int = 5, language: str = "fi") -> str:
    """The findings paragraph: the comparison (DiD) first when there is one, else the
    observed change with its caveat."""
    s = result.settings
    lo, hi = s["pre_window"]
    plo, phi = s["post_window"]
    parts: list[str] = []
    n_int = find_estimate(result, "clients", "intervention")
    n_cmp = find_estimate(result, "clients", "comparison")
    if _too_small(n_int, min_cell):
        return _t("too_few", language, min_cell=min_cell)
    shown_cmp = result.has_comparison and not _too_small(n_cmp, min_cell)
    parts.append(analysed_clients(n_int, n_cmp if shown_cmp else None, language=language))
    parts.append(_t("windows", language, pre_from=-lo, pre_to=-hi, post_from=plo, post_to=phi))

    did = find_estimate(result, "did_rate_ratio")
    compare = result.has_comparison and did is not None and not _too_small(n_cmp, min_cell)
    if compare:
        if _crosses_one(did):
            parts.append(_t("did_not_demonstrated", language, stats=format_estimate(did, language=language)))
        else:
            parts.append(_t(f"did_{'fewer' if did.estimate < 1 else 'more'}", language,
                            stats=format_estimate(did, language=language),
                            change=_percent_change(did.estimate, language)))

    for g in result.groups:
        if g == "comparison" and not compare:
            continue
        pre = find_estimate(result, "rate_pre", g)
        post = find_estimate(result, "rate_post", g)
        rr = find_estimate(result, "rate_ratio", g)
        if pre is None or post is None or rr is None or _too_small(rr, min_cell):
            continue
        rates = _t(f"rates.{'comparison' if g == 'comparison' else 'intervention'}", language,
                   pre=format_estimate(pre, language=language), post=format_estimate(post, language=language))
        if _crosses_one(rr):
            change = _t("change_not_demonstrated", language, stats=format_estimate(rr, language=language))
        else:
            change = _t("change_observed", language, change=_percent_change(rr.estimate, language),
                        stats=format_estimate(rr, language=language))
        parts.append(f"{rates} {change}")

    if not compare:
        parts.append(_t("no_comparison", language))

    pt = find_estimate(result, "pretrend_did_rate_ratio")
    if compare and pt is not None and not _crosses_one(pt):
        parts.append(_t("pretrend", language, stats=format_estimate(pt, language=language)))

    nb = find_estimate(result, "nb_did_rate_ratio" if compare else "nb_rate_ratio",
              "all" if compare else "intervention")
    if nb is not None:
        parts.append(_t("negative_binomial", language, stats=format_estimate(nb, language=language)))

    lvl = find_estimate(result, "its_level_change")
    if lvl is not None:
        when = format_date(s["its_change"], language=language) if hasattr(s["its_change"], "year") \
            else str(s["its_change"])
        parts.append(_t(f"its_level{'_not_demonstrated' if _crosses_one(lvl) else ''}", language, when=when,
                        stats=format_estimate(lvl, language=language)))
        limitation = its_autocorrelation_sentence(getattr(result, "its", None), "visits", language=language)
        if limitation:
            parts.append(limitation)
    return " ".join(parts)


def visits_methods(result: Any, *, language: str = "fi") -> str:
    """The methods paragraph."""
    s = result.settings
    filt = "; ".join(f"{lookup(f'codes.names.{k}', language) or k}: {', '.join(code_label(k, x, language) for x in v)}"
                     for k, v in s["filters"].items()) or _t("methods.all_visits", language)
    start_note = " " + _t("methods.start_inferred", language) if s["data_start_inferred"] else ""
    washout = " " + _t("methods.washout", language, days=s["washout"]) if s["washout"] else ""
    text = _t("methods.text", language, filters=filt, pre_from=s["pre_window"][0], pre_to=s["pre_window"][1],
              post_from=s["post_window"][0], post_to=s["post_window"][1], washout=washout,
              start=format_date(s["data_start"], language=language), start_note=start_note,
              cutoff=format_date(s["data_cutoff"], language=language), reps=s["bootstrap_reps"])
    if s.get("its_change") is not None:
        text += " " + _t("methods.its", language)
    return text


def _count(n: int, min_cell: int, language: str) -> str:
    return _t("limitations.fewer_than", language, min_cell=min_cell) if 0 < n < min_cell \
        else format_number(n, language=language)


def visits_limitations(result: Any, *, min_cell: int = 5, language: str = "fi") -> str:
    """The limitations paragraph (regression to the mean first)."""
    parts = [_t("limitations.regression_to_the_mean", language),
             _t(f"limitations.{'comparison' if result.has_comparison else 'no_comparison'}", language)]
    cens = result.censored
    pre, post = cens.get("pre_by_data_start", 0), cens.get("post_by_followup", 0)
    if pre or post:  # only the periods that were cut short ("lyhyempi 0 asiakkaalla" says nothing)
        key = "short_both" if pre and post else ("short_pre" if pre else "short_post")
        parts.append(_t(f"limitations.{key}", language, pre=_count(pre, min_cell, language),
                        post=_count(post, min_cell, language)))
    for note in result.notes:  # Note: worded in the report language; a plain string as it is
        parts.append(note.text(language) if isinstance(note, Note) else note)
    return " ".join(parts)
