"""Tavoittavuus: reach indicators against yearly targets.

People and visits are never added together: an indicator says what it counts
(``kind``), and distinct people are reported apart from visits (seed 001's "over 3 200
visitors" is visits, not people).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..params.reach import IndicatorSpec
from ..results import Estimate, MeasureResult

__all__ = ["ReachResult", "period_year", "reach"]

_UNIT = {"people": "persons", "visits": "visits", "groups": "count", "referrals": "count", "other": "count"}


def period_year(period: str) -> str:
    """``'2024'``, ``'2024Q3'`` and ``'2024-05'`` all belong to year ``'2024'``."""
    text = str(period).strip()
    if len(text) < 4 or not text[:4].isdigit():
        raise ValueError(f"not a period: {period!r} (expected 2024, 2024Q3 or 2024-05)")
    return text[:4]


@dataclass(frozen=True)
class ReachResult(MeasureResult):
    """Reach by year against targets; ``table`` holds one row per indicator × year.

    ``rows_used``: rows of the indicators table that went into the figures; ``rows_excluded``:
    the others by reason (for the data flow: ``data.set_analysed("indicators", ...)``).
    """

    measure = "reach"
    title_fi = "Tavoittavuus"
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    rows_used: int = 0
    rows_excluded: dict[str, int] = field(default_factory=dict)


def reach(indicators: pd.DataFrame, *, specs: Sequence[IndicatorSpec]) -> ReachResult:
    """Yearly actual, target and achievement (actual / target) of each configured indicator.

    Parameters
    ----------
    indicators
        The ``indicators`` table: ``indicator``, ``period``, ``value``, optional ``target``.
    specs
        Which indicators to report, how sub-periods combine into a year (``sum`` for flows
        such as visits, ``max``/``last`` for stocks such as groups running) and targets.

    Notes
    -----
    Achievement is a plain ratio of two counts and has no sampling interval: the counts are
    complete registers of the project's own activity, not samples.
    """
    df = indicators.copy()
    df["year"] = df["period"].map(period_year)
    df["value"] = pd.to_numeric(df["value"])
    if "target" in df:
        df["target"] = pd.to_numeric(df["target"])
    rows: list[dict] = []
    estimates: list[Estimate] = []
    for spec in specs:
        sub = df[df["indicator"] == spec.id].sort_values("period", kind="stable")
        if sub.empty:
            continue
        unit = _UNIT[spec.kind]
        for year, g in sub.groupby("year", sort=True):
            if spec.aggregate == "sum":
                actual = float(g["value"].sum())
            elif spec.aggregate == "max":
                actual = float(g["value"].max())
            else:
                actual = float(g["value"].iloc[-1])
            target = spec.targets.get(str(year))
            if target is None and "target" in g:
                yearly = g.loc[g["period"].astype(str) == str(year), "target"].dropna()
                target = float(yearly.iloc[0]) if len(yearly) else None
            achievement = actual / target if target else None
            rows.append({"indicator": spec.id, "label": spec.label, "year": str(year), "actual": actual,
                         "target": target, "achievement": achievement, "unit": unit})
            grp = f"year:{year}"
            estimates.append(Estimate(f"{spec.id}_actual", actual, unit, "rekisterin summa" if spec.aggregate == "sum" else "vuoden suurin / viimeisin arvo", group=grp))
            if target is not None:
                estimates.append(Estimate(f"{spec.id}_target", float(target), unit, "hankesuunnitelman tavoite", group=grp))
                estimates.append(Estimate(f"{spec.id}_achievement", achievement, "proportion", "toteuma / tavoite", group=grp))
    table = pd.DataFrame(rows, columns=["indicator", "label", "year", "actual", "target", "achievement", "unit"])
    used = int(df["indicator"].isin([s.id for s in specs]).sum())
    excluded = {"tunnusluku ei parametreissa": len(df) - used} if len(df) > used else {}
    return ReachResult(estimates=tuple(estimates), table=table, rows_used=used, rows_excluded=excluded)
