"""Report text of the waiting-times measure (hoitotakuu).

Evidence rules (``wording.common``): the interrupted time series has no comparison group,
so a change is *observed* (``havaittiin``), never attributed to the model; an interval
crossing zero is "muutosta ei voitu osoittaa". The sentences are templates in the catalogues
(``phrases.waiting.*`` in ``locales/<language>/waiting.yaml``), so ``language`` selects them.
"""

from __future__ import annotations

import math
import re

from ..fmt import format_date, format_number, format_percent_value
from ..i18n import label
from .common import evidence_level
from .its import its_autocorrelation_sentence

__all__ = ["waiting_methods", "waiting_narrative"]


def _pp(x: float, language: str) -> str:
    """A share difference in percentage points, signed: ``+14,0``."""
    text = format_number(abs(x) * 100, 1, language=language)
    return ("−" if x < 0 else "+") + text


def _row(res, period: str = "kaikki"):
    t = res.table
    mask = t["period"] == period
    for c in res.by:
        mask &= t[c] == "kaikki"
    rows = t[mask]
    return None if rows.empty else rows.iloc[0]


def _t(key: str, language: str, **fmt) -> str:
    """A sentence of the waiting-times wording (``phrases.waiting.<key>``) in the report language."""
    return label(f"phrases.waiting.{key}", language, **fmt)


def _share_text(row, column: str, language: str) -> str | None:
    if row is None or column not in row or math.isnan(row[column]):
        return None
    pct = format_percent_value(row[column], language=language)
    lo = re.sub(r"[\s\xa0\u202f]*%", "", format_percent_value(row[f"{column}_low"], language=language))  # '65–66 %'
    hi = format_percent_value(row[f"{column}_high"], language=language)
    n = format_number(row[f"{column}_within"], language=language)
    d = format_number(row[f"{column}_determinable"], language=language)
    return _t("share", language, share=pct, n=n, d=d, low=lo, high=hi)


def waiting_narrative(res, *, language: str = "fi") -> str:
    """Median and 90th-percentile wait, share within the limit (latest full period and the
    whole period), and the interrupted time series in words that follow the evidence."""
    sentences = []
    total = _row(res)
    if total is not None and not math.isnan(total["cases"]):
        sentences.append(_t(
            "totals", language, cases=format_number(total["cases"], language=language),
            median=format_number(total["median_days"], language=language),
            low=format_number(total["median_days_low"], language=language),
            high=format_number(total["median_days_high"], language=language),
            p90=format_number(total["p90_days"], language=language),
            waiting=format_number(total["still_waiting"], language=language)))
        share = _share_text(total, "share_within_limit", language)
        if share:
            sentences.append(_t("share_total", language, share=share))
    periods = [p for p in res.table["period"].unique() if p != "kaikki"]
    if len(periods) >= 2:
        first, last = _row(res, periods[0]), _row(res, periods[-1])
        a = _share_text(first, "share_within_limit", language)
        b = _share_text(last, "share_within_limit", language)
        if a and b:
            sentences.append(_t("share_periods", language, first=a, first_period=periods[0], last=b,
                                last_period=periods[-1]))
    if res.its is not None:
        sentences.append(_its_sentence(res, language))
    return " ".join(sentences)


def _its_sentence(res, language: str) -> str:
    level = res.get("its_level_change")
    slope = res.get("its_slope_change")
    fmt = {"when": format_date(res.change_date, language=language), "limit": res.monthly_limit,
           "ci": _t("its.ci", language, low=_pp(level.ci_low, language), high=_pp(level.ci_high, language))}
    if evidence_level(level) == "not_demonstrated":
        text = _t("its.level_not_demonstrated", language, estimate=_pp(level.estimate, language), **fmt)
    else:
        size = format_number(abs(level.estimate) * 100, 1, language=language)
        text = _t(f"its.level_{'higher' if level.estimate > 0 else 'lower'}", language, size=size, **fmt)
    if evidence_level(slope) == "not_demonstrated":
        text += " " + _t("its.slope_not_demonstrated", language)
    else:
        text += " " + _t("its.slope", language, estimate=_pp(slope.estimate, language),
                         low=_pp(slope.ci_low, language), high=_pp(slope.ci_high, language))
    text += " " + _t("its.no_comparison", language)
    limitation = its_autocorrelation_sentence(res.its, "waiting", language=language)
    return f"{text} {limitation}" if limitation else text


def waiting_methods(res, *, min_cell: int = 5, language: str = "fi") -> str:
    """How the figures were computed (methods paragraph); ``min_cell`` as the measure used it."""
    text = _t("methods.text", language, cutoff=format_date(res.cutoff, language=language))
    text += " " + _t("methods.small_cells", language, min_cell=min_cell)
    if res.its is not None:
        text += " " + _t("methods.its", language, days=res.monthly_limit)
    return text
