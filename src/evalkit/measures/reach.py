"""Tavoittavuus: reach indicators against targets, by year and by quarter.

People and visits are never added together: an indicator says what it counts
(``kind``), and distinct people are reported apart from visits (seed 001's "over 3 200
visitors" is visits, not people). Distinct people of a year cannot be summed from the
distinct people of its quarters (the same person may come in several quarters), so a
yearly ``people`` figure is only reported when the table has a yearly row for it.

Small counts of people (and of their visits) are suppressed with
:func:`evalkit.report.suppress.suppress_estimates`: the result object never holds a
disclosive count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..params.reach import IndicatorSpec
from ..report.suppress import suppress_estimates
from ..results import Estimate, MeasureResult

__all__ = ["ReachResult", "period_quarter", "period_year", "reach"]

_UNIT = {"people": "persons", "visits": "visits", "groups": "count", "referrals": "count", "other": "count"}
_REQUIRED = ("indicator", "period", "value")
TABLE_COLUMNS = ["indicator", "label", "kind", "year", "actual", "target", "achievement", "unit", "suppressed"]
QUARTER_COLUMNS = ["indicator", "label", "kind", "quarter", "actual", "target", "achievement", "unit",
                   "suppressed"]


def period_year(period: str) -> str:
    """``'2024'``, ``'2024Q3'`` and ``'2024-05'`` all belong to year ``'2024'``."""
    text = str(period).strip()
    if len(text) < 4 or not text[:4].isdigit():
        raise ValueError(f"not a period: {period!r} (expected 2024, 2024Q3 or 2024-05)")
    return text[:4]


def period_quarter(period: str) -> str | None:
    """``'2024Q3'`` → ``'2024Q3'``, ``'2024-08'`` → ``'2024Q3'``; a whole year → ``None``."""
    text = str(period).strip()
    year = period_year(text)
    rest = text[4:]
    if rest == "":
        return None
    if rest.upper() in ("Q1", "Q2", "Q3", "Q4"):
        return f"{year}{rest.upper()}"
    if rest.startswith("-") and rest[1:].isdigit() and 1 <= int(rest[1:]) <= 12:
        return f"{year}Q{(int(rest[1:]) - 1) // 3 + 1}"
    raise ValueError(f"not a period: {period!r} (expected 2024, 2024Q3 or 2024-05)")


@dataclass(frozen=True)
class ReachResult(MeasureResult):
    """Reach against targets.

    Attributes
    ----------
    estimates
        ``<id>_actual``, ``<id>_target`` and ``<id>_achievement`` per period, group
        ``year:2024`` or ``quarter:2024Q3``; small counts of people / visits suppressed.
    table
        Yearly view, one row per indicator × year: ``indicator``, ``label``, ``kind``,
        ``year``, ``actual``, ``target``, ``achievement``, ``unit``, ``suppressed``.
    quarterly
        Quarterly view (indicators with quarterly or monthly rows), ``quarter`` instead of
        ``year``; empty when not requested.
    notes
        Finnish notes on what could not be reported and why (e.g. a yearly people count
        that only exists per quarter, an indicator missing from the table).
    rows_used, rows_excluded
        Rows of the indicators table that went into the figures, and the others by reason
        (for the data flow: ``data.set_analysed("indicators", ...)``).
    """

    measure = "reach"
    title_fi = "Tavoittavuus"
    table: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TABLE_COLUMNS))
    quarterly: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=QUARTER_COLUMNS))
    notes: tuple[str, ...] = ()
    rows_used: int = 0
    rows_excluded: dict[str, int] = field(default_factory=dict)


def _check_table(indicators: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in _REQUIRED if c not in indicators.columns]
    if missing:
        raise AnalysisError(f"indicators table: missing column(s) {', '.join(map(repr, missing))}; "
                            f"columns are: {', '.join(map(str, indicators.columns))}")
    df = indicators.copy()
    df["_row"] = np.arange(len(df)) + 2  # as in the file: header = row 1
    problems = []
    for col in ("value", "target"):
        if col not in df:
            continue
        raw = df[col]
        num = pd.to_numeric(raw, errors="coerce")
        bad = num.isna() & raw.notna() & raw.astype(str).str.strip().ne("")
        if col == "value":
            bad |= raw.isna()
        problems += [f"row {r}, column '{col}': value {v!r} is not a number"
                     for r, v in zip(df.loc[bad, "_row"], raw[bad], strict=True)]
        df[col] = num
    for r, p in zip(df["_row"], df["period"], strict=True):
        try:
            period_quarter(p)
        except ValueError:
            problems.append(f"row {r}, column 'period': value {p!r} is not a period (2024, 2024Q3 or 2024-05)")
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise AnalysisError("indicators table: " + "; ".join(problems[:10]) + more)
    df["period"] = df["period"].astype(str).str.strip()
    df["year"] = df["period"].map(period_year)
    df["quarter"] = df["period"].map(period_quarter)
    df["_order"] = df["period"].map(_order)
    return df


def _order(period: str) -> tuple[int, int, int]:
    """Chronological sort key: a year before its quarters, a quarter before its months."""
    year, rest = int(period[:4]), period[4:]
    if rest == "":
        return year, 0, 0
    if rest.upper().startswith("Q"):
        return year, int(rest[1:]) * 3, 0
    return year, (int(rest[1:]) - 1) // 3 * 3 + 3, int(rest[1:])


def _combine(values: pd.Series, how: str) -> float:
    if how == "sum":
        return float(values.sum())
    if how == "max":
        return float(values.max())
    return float(values.iloc[-1])


def _target(spec: IndicatorSpec, rows: pd.DataFrame, key: str) -> float | None:
    if key in spec.targets:
        return float(spec.targets[key])
    if "target" in rows:
        own = rows.loc[rows["period"] == key, "target"].dropna()
        if len(own):
            return float(own.iloc[0])
    return None


_METHOD = {"sum": "rekisterin summa", "max": "jakson suurin arvo", "last": "jakson viimeisin arvo"}


def reach(indicators: pd.DataFrame, *, specs: Sequence[IndicatorSpec],
          periods: Sequence[Literal["year", "quarter"]] = ("year",), min_cell: int = 5) -> ReachResult:
    """Actual, target and achievement (actual / target) of each configured indicator.

    Parameters
    ----------
    indicators
        The ``indicators`` table: ``indicator``, ``period`` (``2024``, ``2024Q3`` or
        ``2024-05``), ``value``, optional ``target``.
    specs
        Which indicators to report, what they count (``kind``), how sub-periods combine
        (``sum`` for flows such as visits, ``max``/``last`` for stocks such as groups
        running) and targets (``targets`` override the table's ``target``).
    periods
        Views: ``year`` and / or ``quarter``.
    min_cell
        Counts of people or visits below this (but above 0) are suppressed, with
        secondary suppression among the periods of one indicator.

    Returns
    -------
    ReachResult

    Raises
    ------
    ValueError
        An unknown view in ``periods``.
    AnalysisError
        A required column is missing, or a value / target / period cannot be read (the
        message names the row).

    Notes
    -----
    Achievement is a plain ratio of two counts and has no sampling interval: the counts are
    complete registers of the project's own activity, not samples. A yearly row in the
    table wins over its quarters (it is the register's own yearly figure).
    """
    bad = [p for p in periods if p not in ("year", "quarter")]
    if bad or not periods:
        raise ValueError(f"periods must be a non-empty subset of 'year', 'quarter'; got {list(periods)!r}")
    df = _check_table(indicators)
    rows: dict[str, list[dict]] = {"year": [], "quarter": []}
    estimates: list[Estimate] = []
    notes: list[str] = []
    for spec in specs:
        sub = df[df["indicator"] == spec.id].sort_values("_order", kind="stable")
        if sub.empty:
            notes.append(f"Tunnuslukua {spec.label} ({spec.id}) ei ole indikaattoritaulukossa.")
            continue
        unit = _UNIT[spec.kind]
        for view in ("year", "quarter"):
            if view not in periods:
                continue
            if view == "year":
                keyed = sub.assign(_key=sub["year"])
            else:
                keyed = sub[sub["quarter"].notna()].assign(_key=lambda d: d["quarter"])
                if keyed.empty:
                    notes.append(f"{spec.label}: vain vuositason lukuja, ei neljännesvuosinäkymää.")
                    continue
            for key, g in keyed.groupby("_key", sort=True):
                whole = g[g["period"] == key]  # the register's own figure for the whole period
                parts = g[g["period"] != key]
                if len(whole):
                    actual = float(whole["value"].iloc[-1])
                    method = "rekisterin luku"
                elif spec.kind == "people" and spec.aggregate == "sum" and len(parts) > 1:
                    notes.append(f"{spec.label} {key}: eri henkilöiden määrää ei voi laskea yhteen lyhyempien "
                                 "jaksojen luvuista (sama henkilö voi osallistua useana jaksona); "
                                 "luku puuttuu.")
                    continue
                else:
                    actual = _combine(parts["value"], spec.aggregate)
                    method = _METHOD[spec.aggregate]
                target = _target(spec, g, str(key))
                achievement = actual / target if target else None
                grp = f"{view}:{key}"
                rows[view].append({"indicator": spec.id, "label": spec.label, "kind": spec.kind, view: str(key),
                                   "actual": actual, "target": target, "achievement": achievement,
                                   "unit": unit})
                estimates.append(Estimate(f"{spec.id}_actual", actual, unit, method, group=grp))
                if target is not None:
                    estimates.append(Estimate(f"{spec.id}_target", float(target), unit,
                                              "hankesuunnitelman tavoite", group=grp))
                    estimates.append(Estimate(f"{spec.id}_achievement", achievement, "proportion",
                                              "toteuma / tavoite", group=grp))
    shown = _suppress(estimates, min_cell)
    used = int(df["indicator"].isin([s.id for s in specs]).sum())
    excluded = {"tunnusluku ei parametreissa": len(df) - used} if len(df) > used else {}
    return ReachResult(estimates=tuple(shown), table=_frame(rows["year"], shown, "year", TABLE_COLUMNS),
                       quarterly=_frame(rows["quarter"], shown, "quarter", QUARTER_COLUMNS), notes=tuple(notes),
                       rows_used=used, rows_excluded=excluded)


def _suppress(estimates: list[Estimate], min_cell: int) -> list[Estimate]:
    """Small counts of people / visits suppressed; their target and achievement go with them
    (a target and an achievement would give the count back)."""
    shown = suppress_estimates(estimates, min_cell)
    hidden = {(e.indicator.rsplit("_", 1)[0], e.group) for e in shown
              if e.suppressed and e.indicator.endswith("_actual")}
    return [e.with_(estimate=None, ci_low=None, ci_high=None, suppressed=True)
            if (e.indicator.rsplit("_", 1)[0], e.group) in hidden else e for e in shown]


def _frame(rows: list[dict], shown: list[Estimate], view: str, columns: list[str]) -> pd.DataFrame:
    hidden = {(e.indicator.rsplit("_", 1)[0], e.group) for e in shown if e.suppressed}
    out = pd.DataFrame(rows, columns=[c for c in columns if c != "suppressed"])
    flags = [(ind, f"{view}:{key}") in hidden for ind, key in zip(out["indicator"], out[view], strict=True)]
    out["suppressed"] = pd.Series(flags, index=out.index, dtype=bool)
    for c in ("actual", "target", "achievement"):
        out[c] = out[c].astype("float64").mask(out["suppressed"])
    return out[columns]
