"""Hoitotakuu: waiting times against care-guarantee limits.

Per service, site (the ``by`` columns) and period of the contact date:

* ``cases`` and ``still_waiting`` (no event by the cut-off);
* ``median_days`` and ``p90_days`` — Kaplan–Meier quantiles of the wait, so cases still
  waiting at the cut-off are censored there, not dropped (dropping them would make the
  waits look shorter than they are);
* ``share_within_limit`` — share treated within the care-guarantee limit in force at the
  contact date, with the Wilson interval; ``share_within_<d>_days`` for further fixed
  limits. Only cases whose contact lies at least the limit before the cut-off count (their
  outcome is known): a case still waiting then is past the limit and counts as *not*
  within. More recent contacts are left out of the share and counted
  (``not_yet_determinable``) — keeping the quickly treated among them would bias the share
  upwards.

And an interrupted time series of the monthly share within the limit around
``change_date`` (:func:`evalkit.stats.its.segmented_regression`, Gaussian, weighted by
the month's cases), pooled over ``its_sites``.

Wait in days = ``event_date − contact_date``; within the limit means wait ≤ limit days.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..report.suppress import suppress_estimates
from ..results import Estimate, MeasureResult
from ..stats.intervals import wilson_interval
from ..stats.its import ItsResult, segmented_regression
from ..stats.survival import kaplan_meier, median_survival, survival_quantile
from ._dates import checked_dates

__all__ = ["WaitingResult", "options_from_params", "waiting_times"]

Period = Literal["year", "quarter", "month"]
_PERIODS = ("year", "quarter", "month")
ALL = "kaikki"


@dataclass(frozen=True)
class WaitingResult(MeasureResult):
    """Waiting times against the care guarantee.

    Attributes
    ----------
    estimates
        ``cases``, ``still_waiting``, ``median_days``, ``p90_days``,
        ``share_within_limit``, ``share_within_<d>_days`` per group
        (``service:primary_care|site:Kannus|year:2024``; ``year:2024`` for all cases of a
        year — ``quarter:2024Q1`` / ``month:2024-03`` with other periods; ``all`` for
        everything), and ``its_level_change`` / ``its_slope_change``
        (group ``all``) when a change date is given. Small cells suppressed.
    table
        The same as a wide table, one row per group: the ``by`` columns and ``period``
        (``kaikki`` = all), ``cases``, ``still_waiting``, ``median_days`` (+ ``_low`` /
        ``_high``), ``p90_days`` (+ …), ``share_within_limit`` (+ ``_low`` / ``_high``,
        ``within_limit``, ``determinable``) and the same for every extra limit; per figure
        ``<figure>_suppressed`` (its cell is hidden) and ``suppressed`` (any of the row's).
    monthly
        Monthly share within ``monthly_limit`` by site (``site`` = ``kaikki`` for all
        sites, ``its`` for the pooled ITS sites): ``month``, ``determinable``,
        ``within``, ``share`` (NaN where suppressed), ``suppressed``.
    curves
        Kaplan–Meier curves per site and for all cases (``site``, ``time``, ``treated`` =
        1 − S, ``ci_low``, ``ci_high``), cut where fewer than ``min_cell`` remain at risk;
        sites with fewer than ``min_cell`` cases left out.
    its
        The interrupted time series fit (Newey–West; ``None`` without a change date): its
        ``series`` and coefficients are for figures. The reported ``its_*`` estimates use a
        more conservative standard error (see ``_its``).
    its_series
        The monthly series the ITS was fitted to (month, determinable, within, share).
    monthly_limit
        Limit (days) used by ``monthly`` and the ITS.
    change_date, cutoff, by
        The settings used.
    shares
        The share indicators reported (``share_within_limit``, ``share_within_90_days`` …).
    rows_used, rows_excluded
        Rows of the waits table analysed and the others by reason, for
        ``data.set_analysed("waits", ...)``.
    flow
        Counted exclusions and recodings (``step``, ``n``), Finnish.
    """

    measure = "waiting"
    title_fi = "Odotusajat ja hoitotakuu"
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    monthly: pd.DataFrame = field(default_factory=pd.DataFrame)
    curves: pd.DataFrame = field(default_factory=pd.DataFrame)
    its: ItsResult | None = None
    its_series: pd.DataFrame = field(default_factory=pd.DataFrame)
    monthly_limit: int | None = None
    change_date: date | None = None
    cutoff: date | None = None
    by: tuple[str, ...] = ()
    shares: tuple[str, ...] = ()
    rows_used: int = 0
    rows_excluded: dict[str, int] = field(default_factory=dict)
    flow: tuple[dict[str, Any], ...] = ()

    def share_label(self, column: str, language: str = "fi") -> str:
        """Column heading of a share: ``share_within_limit`` → the limit in force,
        ``share_within_<d>_days`` → <d> days (words from the catalogue)."""
        from ..report.i18n import label

        if column == "share_within_limit":
            return label("notebook.waiting.table.share_within_limit", language)
        return label("notebook.waiting.table.share_within_days", language, days=column.split("_")[2])

    def display_table(self, language: str = "fi") -> pd.DataFrame:
        """:attr:`table` for a report table: the ``kaikki`` (all) rows of the ``by`` columns
        and ``period`` named in ``language`` (``groups.all`` of the catalogues), and a
        suppressed figure as :data:`~evalkit.report.suppress.SUPPRESSED_CELL` (the report
        writes ``suojattu``, as in its other tables) rather than a blank that reads as ``–``,
        missing."""
        from ..report.i18n import label
        from ..report.suppress import SUPPRESSED_CELL

        out = self.table.copy()
        word = label("groups.all", language)
        for c in [*self.by, "period"]:
            if c in out.columns:
                out[c] = out[c].where(out[c] != ALL, word)
        for c in [*_VALUE_COLUMNS, *self.shares]:
            out[c] = out[c].astype(object).where(~out[f"{c}_suppressed"], SUPPRESSED_CELL)
        return out


def options_from_params(params) -> dict[str, Any]:
    """Keyword arguments of :func:`waiting_times` from a :class:`evalkit.params.Params`
    (``waiting`` section, ``data_cutoff`` and ``min_cell``)."""
    w = params.waiting
    return {"cutoff": params.data_cutoff, "limits": list(w.limits), "extra_limits_days": list(w.extra_limits_days),
            "by": list(w.by), "period": w.period, "change_date": w.change_date,
            "its_sites": list(getattr(w, "its_sites", []) or []), "its_limit_days": getattr(w, "its_limit_days", None),
            "min_cell": params.min_cell}


# ---------------------------------------------------------------------------------- input
def _limit_history(limits: Sequence[Any]) -> list[tuple[pd.Timestamp, int]]:
    out = []
    for item in limits:
        if isinstance(item, Mapping):
            valid_from, days = item["valid_from"], item["days"]
        elif hasattr(item, "valid_from"):
            valid_from, days = item.valid_from, item.days
        else:
            valid_from, days = item
        if not isinstance(days, int | np.integer) or days <= 0:
            raise ValueError(f"a limit must be a positive whole number of days, got {days!r}")
        out.append((pd.Timestamp(valid_from), int(days)))
    return sorted(out)


def _period_label(ts: pd.Series, period: Period) -> pd.Series:
    if period == "year":
        return ts.dt.year.astype(str)
    if period == "quarter":
        return ts.dt.year.astype(str) + "Q" + ts.dt.quarter.astype(str)
    return ts.dt.to_period("M").astype(str)


# ---------------------------------------------------------------------------------- measure
def waiting_times(
    waits: pd.DataFrame,
    *,
    cutoff: date | str,
    limits: Sequence[Any] = (),
    extra_limits_days: Sequence[int] = (),
    by: Sequence[str] = ("service",),
    period: Period = "year",
    change_date: date | str | None = None,
    its_sites: Sequence[str] = (),
    its_limit_days: int | None = None,
    harmonics: int = 2,
    hac_lags: int | None = None,
    level: float = 0.95,
    min_cell: int = 5,
) -> WaitingResult:
    """Waiting times, shares within the care-guarantee limits and their change.

    Parameters
    ----------
    waits
        The ``waits`` table: ``case_id``, ``service``, optional ``site``,
        ``contact_date``, ``event_date`` (empty = still waiting), … Not modified.
    cutoff
        Data cut-off (params ``data_cutoff``): still-waiting cases are censored here.
    limits
        Care-guarantee limit history: ``LimitPeriod`` objects, ``{"valid_from", "days"}``
        dicts or ``(date, days)`` pairs; the limit in force at the contact date applies.
    extra_limits_days
        Further fixed limits reported as ``share_within_<d>_days`` (e.g. 90).
    by
        Split columns (``service``, ``site``); every combination is reported.
    period
        ``year``, ``quarter`` or ``month`` of the contact date.
    change_date
        Date of the change for the interrupted time series (``None``: no ITS).
    its_sites
        Sites pooled into the ITS series (empty: all sites).
    its_limit_days
        Fixed limit of the ITS's monthly share; ``None``: the limit in force at
        ``change_date`` (a fixed limit keeps a change of the limit itself out of the
        series), or the latest limit without a change date.
    harmonics, hac_lags
        Passed to :func:`~evalkit.stats.its.segmented_regression` (seasonality pairs,
        Newey–West lag).
    level
        Confidence level.
    min_cell
        Suppression threshold: groups with fewer cases, and shares whose numerator or
        complement is below it, are blanked (with secondary suppression).

    Raises
    ------
    ValueError
        A ``by`` column is missing, or an option is invalid.
    AnalysisError
        Unreadable or missing dates (named by case and row), an event before its contact,
        no cases left, or an ITS that cannot be fitted.
    """
    if period not in _PERIODS:
        raise ValueError(f"period must be one of {', '.join(_PERIODS)}; got {period!r}")
    for c in ("contact_date", "event_date", *by):
        if c not in waits.columns:
            raise ValueError(f"waits has no column '{c}' (columns: {', '.join(map(str, waits.columns))}); "
                             "check waiting.by in the params file")
    if not isinstance(min_cell, int) or min_cell < 1:
        raise ValueError(f"min_cell must be a positive whole number, got {min_cell!r}")
    history = _limit_history(limits)
    extras = [int(d) for d in extra_limits_days]
    if any(d <= 0 for d in extras):
        raise ValueError(f"extra_limits_days must be positive, got {extras}")
    cut = pd.Timestamp(cutoff).normalize()
    change = None if change_date is None else pd.Timestamp(change_date).normalize()

    df = waits.reset_index(drop=True)
    contact = checked_dates(df, "contact_date", table="waits", required=True, id_column="case_id", id_label="case")
    event = checked_dates(df, "event_date", table="waits", id_column="case_id", id_label="case")
    flow: list[dict[str, Any]] = [{"step": "tapauksia aineistossa", "n": len(df)}]
    before = event.notna() & (event < contact)
    if before.any():
        idx = np.flatnonzero(before.to_numpy())
        ids = df["case_id"].astype(str).to_numpy() if "case_id" in df else np.arange(len(df)).astype(str)
        shown = ", ".join(f"case {ids[i]} (row {i + 2})" for i in idx[:5])
        raise AnalysisError(f"waits: event_date before contact_date in {len(idx)} row(s): {shown}"
                            f"{' …' if len(idx) > 5 else ''}")
    late = contact > cut
    if late.any():
        flow.append({"step": "poistettu: yhteydenotto katkaisupäivän jälkeen", "n": int(late.sum())})
    after_cut = event.notna() & (event > cut) & ~late
    if after_cut.any():
        flow.append({"step": "hoito alkoi katkaisupäivän jälkeen: käsitelty odottavana katkaisupäivänä",
                     "n": int(after_cut.sum())})
    keep = ~late.to_numpy()
    frame = pd.DataFrame({c: df[c].fillna("tuntematon").astype(str).to_numpy()[keep] for c in by})
    for c in by:
        unknown = int((df[c].isna().to_numpy()[keep]).sum())
        if unknown:
            flow.append({"step": f"{c} puuttuu: ryhmä 'tuntematon'", "n": unknown})
    contact = contact[keep].reset_index(drop=True)
    event = event[keep].reset_index(drop=True).where(lambda e: e <= cut)
    if len(contact) == 0:
        raise AnalysisError(f"waits: no case with a contact date on or before the cut-off {cut.date()}")
    frame["contact"] = contact
    frame["treated"] = event.notna().astype(int).to_numpy()
    frame["days"] = ((event.fillna(cut) - contact).dt.days).astype(float).to_numpy()
    frame["period"] = _period_label(contact, period).to_numpy()
    frame["month"] = contact.dt.to_period("M").to_numpy()
    frame["limit"] = _limit_at(contact, history)
    no_limit = int(frame["limit"].isna().sum()) if history else 0
    if no_limit:
        flow.append({"step": "ei voimassa olevaa hoitotakuurajaa yhteydenottopäivänä (ei mukana osuudessa)",
                     "n": no_limit})
    flow.append({"step": "analysoitu", "n": len(frame)})

    limit_specs: list[tuple[str, str, pd.Series]] = []
    if history:
        limit_specs.append(("share_within_limit", "voimassa olleen hoitotakuurajan", frame["limit"]))
    for d in extras:
        limit_specs.append((f"share_within_{d}_days", f"{d} vrk:n", pd.Series(float(d), index=frame.index)))

    estimates: list[Estimate] = []
    for label, sub in _groups(frame, by, period):
        estimates += _group_estimates(sub, label, limit_specs, cut, level)
    shown = suppress_estimates(estimates, min_cell)
    shown = _suppress_with_cases(shown)

    monthly_limit = its_limit_days
    if monthly_limit is None and history:
        at = change if change is not None else cut
        monthly_limit = _limit_at(pd.Series([at]), history)[0]
        monthly_limit = None if monthly_limit is None or math.isnan(monthly_limit) else int(monthly_limit)
    monthly = _monthly(frame, monthly_limit, cut, its_sites, min_cell) if monthly_limit else pd.DataFrame()

    its = None
    series = pd.DataFrame()
    if change is not None:
        if monthly_limit is None:
            raise ValueError("an interrupted time series needs a limit: give its_limit_days or limits")
        series = _its_series(frame, monthly_limit, cut, its_sites)
        its, its_rows = _its(series, change, monthly_limit, its_sites, harmonics, hac_lags, level)
        shown += its_rows
    table = _wide(shown, by, [s[0] for s in limit_specs], period)
    curves = _curves(frame, by, min_cell, level)
    return WaitingResult(estimates=tuple(shown), table=table, monthly=monthly, curves=curves, its=its,
                         its_series=series, monthly_limit=monthly_limit,
                         change_date=None if change is None else change.date(), cutoff=cut.date(),
                         by=tuple(by), shares=tuple(x[0] for x in limit_specs), rows_used=len(frame),
                         rows_excluded={"yhteydenotto katkaisupäivän jälkeen": int(late.sum())} if late.any() else {},
                         flow=tuple(flow))


def _its(series: pd.DataFrame, change: pd.Timestamp, limit: int, sites: Sequence[str], harmonics: int,
         hac_lags: int | None, level: float) -> tuple[ItsResult, list[Estimate]]:
    """Segmented regression of the monthly share with a conservative standard error.

    The standard error of each change is the largest of the Newey–West and the
    heteroskedasticity-robust (lag 0) standard error, both with the n/(n − k) factor, and
    the standard error of the weighted least-squares estimate under the AR(1) error model
    that REML fits to the same series; the interval uses the t distribution with n − k
    degrees of freedom (``segmented_regression(se="conservative_ar1")``). Newey–West alone
    shrinks the interval whenever the residuals happen to be negatively autocorrelated (about
    85 % coverage on 48 months of independent binomial shares); the Newey–West / lag-0 rule
    covers about 95 % there but only about 87–88 % when the monthly share carries AR(1)
    noise (ρ = 0.5); the AR(1) term lifts that to 92.6 % (and 96.8 % on independent months)
    — still short of 95 %, so the report says so when the series is autocorrelated
    (``ItsResult.autocorrelated``; ``benchmarks/coverage_study.py``,
    ``benchmarks/results/coverage.md``).
    """
    fit = segmented_regression(series, outcome="share", change=change.to_period("M"), month="month",
                               family="gaussian", weights="determinable", harmonics=harmonics, level=level,
                               hac_lags=hac_lags, se="conservative_ar1")
    where = ", ".join(sites) if sites else "kaikki toimipisteet"
    rows = []
    for e in fit.estimates:
        se_text = e.method.rsplit("; ", 1)[-1]  # the standard-error rule, with φ̂ and the degrees of freedom
        rows.append(Estimate(
            e.indicator, e.estimate, "proportion_difference",  # a change in a monthly share
            f"keskeytetty aikasarja: kuukausittainen osuus hoidetuista {limit} vrk:n sisällä ({where}), "
            f"segmentoitu lineaarinen regressio painona kuukauden tapausmäärä, kausivaihtelu {harmonics} "
            f"harmonisella termiparilla; {se_text}",
            n=e.n, ci_low=e.ci_low, ci_high=e.ci_high, group="all"))
    return fit, rows


def _limit_at(contact: pd.Series, history: list[tuple[pd.Timestamp, int]]) -> np.ndarray:
    out = np.full(len(contact), np.nan)
    values = contact.to_numpy()
    for valid_from, days in history:  # sorted: later limits overwrite
        out[values >= np.datetime64(valid_from)] = days
    return out


def _groups(frame: pd.DataFrame, by: Sequence[str], view: str):
    """(group label, rows): every by-combination × period, each by-combination over all
    periods, every period over all by-values, and everything."""
    by = list(by)
    if by:
        for keys, sub in frame.groupby([*by, "period"], sort=True):
            keys = keys if isinstance(keys, tuple) else (keys,)
            parts = [f"{c}:{v}" for c, v in zip(by, keys[:-1], strict=True)]
            yield "|".join([*parts, f"{view}:{keys[-1]}"]), sub
        for keys, sub in frame.groupby(by, sort=True):
            keys = keys if isinstance(keys, tuple) else (keys,)
            yield "|".join(f"{c}:{v}" for c, v in zip(by, keys, strict=True)), sub
    for p, sub in frame.groupby("period", sort=True):
        yield f"{view}:{p}", sub
    yield "all", frame


def _group_estimates(sub: pd.DataFrame, label: str, limit_specs, cut: pd.Timestamp, level: float) -> list[Estimate]:
    n = len(sub)
    waiting = int((sub["treated"] == 0).sum())
    rows = [Estimate("cases", float(n), "cases", "tapauksia (yhteydenottoja)", n=n, group=label),
            Estimate("still_waiting", float(waiting), "cases", "odottaa yhä katkaisupäivänä", n=n, group=label)]
    med = median_survival(sub["days"], sub["treated"], level=level, indicator="median_days", group=label)
    p90 = survival_quantile(sub["days"], sub["treated"], 0.9, level=level, indicator="p90_days", group=label)
    rows += [med.to_estimate(), p90.to_estimate()]
    age = (cut - sub["contact"]).dt.days.to_numpy()
    for indicator, what, limit in limit_specs:
        lim = limit.loc[sub.index].to_numpy()
        known = ~np.isnan(lim) & (age >= lim)
        k = int(known.sum())
        if k == 0:
            continue
        within = int(((sub["treated"].to_numpy() == 1) & (sub["days"].to_numpy() <= lim) & known).sum())
        w = wilson_interval(within, k, level=level, indicator=indicator, group=label).to_estimate()
        rows.append(w.with_(method=f"osuus hoidetuista {what} sisällä (odottavat rajan ylittäneet: ei); "
                                   f"Wilsonin {level * 100:g} %:n luottamusväli; mukana tapaukset, joiden "
                                   "yhteydenotosta on katkaisupäivään vähintään rajan verran"))
    return rows


def _suppress_with_cases(rows: list[Estimate]) -> list[Estimate]:
    """A group whose case count is suppressed keeps none of its figures (a median of three
    waits is three people's data)."""
    hidden = {e.group for e in rows if e.indicator == "cases" and e.suppressed}
    return [e.with_(estimate=None, ci_low=None, ci_high=None, numerator=None, suppressed=True)
            if e.group in hidden and not e.suppressed else e for e in rows]


#: the per-group figures of :attr:`WaitingResult.table` besides the shares
_VALUE_COLUMNS = ["cases", "still_waiting", "median_days", "p90_days"]


def _wide(rows: list[Estimate], by: Sequence[str], shares: list[str], view: str) -> pd.DataFrame:
    records: dict[str, dict[str, Any]] = {}
    for e in rows:
        if e.indicator.startswith("its_"):
            continue
        rec = records.setdefault(e.group, _parse_group(e.group, by, view))
        rec.setdefault("suppressed", False)
        rec["suppressed"] |= e.suppressed
        rec[f"{e.indicator}_suppressed"] = e.suppressed
        if e.indicator in ("cases", "still_waiting"):
            rec[e.indicator] = e.estimate
        elif e.indicator in ("median_days", "p90_days"):
            rec[e.indicator], rec[f"{e.indicator}_low"], rec[f"{e.indicator}_high"] = e.estimate, e.ci_low, e.ci_high
        else:
            rec[e.indicator], rec[f"{e.indicator}_low"], rec[f"{e.indicator}_high"] = e.estimate, e.ci_low, e.ci_high
            rec[f"{e.indicator}_within"] = e.numerator
            rec[f"{e.indicator}_determinable"] = None if e.suppressed else e.n
    columns = [*by, "period", "cases", "still_waiting", "median_days", "median_days_low", "median_days_high",
               "p90_days", "p90_days_low", "p90_days_high"]  # the _VALUE_COLUMNS and their intervals
    for s in shares:
        columns += [s, f"{s}_low", f"{s}_high", f"{s}_within", f"{s}_determinable"]
    flags = [f"{c}_suppressed" for c in _VALUE_COLUMNS + shares]
    table = pd.DataFrame(list(records.values()), columns=[*columns, *flags, "suppressed"])
    for c in columns[len(by) + 1:]:
        table[c] = pd.to_numeric(table[c], errors="coerce").astype("float64")
    for c in [*flags, "suppressed"]:
        table[c] = table[c].fillna(False).astype(bool)
    return table


def _parse_group(group: str, by: Sequence[str], view: str) -> dict[str, Any]:
    rec: dict[str, Any] = {c: ALL for c in by}
    rec["period"] = ALL
    if group != "all":
        for part in group.split("|"):
            key, value = part.split(":", 1)
            rec["period" if key == view else key] = value
    return rec


def _known(frame: pd.DataFrame, limit: int, cut: pd.Timestamp) -> pd.DataFrame:
    """Cases whose outcome against ``limit`` is known at the cut-off, with ``within``."""
    age = (cut - frame["contact"]).dt.days
    sub = frame.loc[age >= limit].copy()
    sub["within"] = ((sub["treated"] == 1) & (sub["days"] <= limit)).astype(int)
    return sub


def _its_series(frame: pd.DataFrame, limit: int, cut: pd.Timestamp, sites: Sequence[str]) -> pd.DataFrame:
    sub = frame
    if sites:
        if "site" not in frame:
            raise ValueError("its_sites needs 'site' among the by columns")
        unknown = sorted(set(sites) - set(frame["site"]))
        if unknown:
            raise AnalysisError(f"its_sites: no cases at {', '.join(map(repr, unknown))}; sites in the data: "
                                f"{', '.join(sorted(set(frame['site'])))}")
        sub = frame[frame["site"].isin(list(sites))]
    known = _known(sub, limit, cut)
    if known.empty:
        raise AnalysisError("interrupted time series: no case whose outcome is known at the cut-off")
    g = known.groupby("month", sort=True)["within"].agg(["size", "sum"])
    months = pd.period_range(g.index.min(), g.index.max(), freq="M")
    g = g.reindex(months, fill_value=0)
    empty = g.index[g["size"] == 0]
    if len(empty):
        raise AnalysisError(f"interrupted time series: no determinable cases in month(s) "
                            f"{', '.join(map(str, empty[:6]))}; the monthly series must be complete")
    return pd.DataFrame({"month": g.index, "determinable": g["size"].to_numpy(), "within": g["sum"].to_numpy(),
                         "share": (g["sum"] / g["size"]).to_numpy()})


def _monthly(frame: pd.DataFrame, limit: int, cut: pd.Timestamp, its_sites: Sequence[str],
             min_cell: int) -> pd.DataFrame:
    known = _known(frame, limit, cut)
    parts = []
    if "site" in known:
        for site, sub in known.groupby("site", sort=True):
            parts.append(sub.assign(_site=site))
        if its_sites:
            parts.append(known[known["site"].isin(list(its_sites))].assign(_site="its"))
    parts.append(known.assign(_site=ALL))
    both = pd.concat(parts, ignore_index=True)
    g = both.groupby(["_site", "month"], sort=True)["within"].agg(determinable="size", within="sum").reset_index()
    g = g.rename(columns={"_site": "site"})
    small = lambda v: (v > 0) & (v < min_cell)  # noqa: E731
    g["suppressed"] = (g["determinable"] < min_cell) | small(g["within"]) | small(g["determinable"] - g["within"])
    g["share"] = (g["within"] / g["determinable"]).where(~g["suppressed"])
    g["within"] = g["within"].astype("float64").where(~g["suppressed"])
    g["determinable"] = g["determinable"].astype("float64").where(~g["suppressed"])
    return g[["site", "month", "determinable", "within", "share", "suppressed"]]


def _curves(frame: pd.DataFrame, by: Sequence[str], min_cell: int, level: float) -> pd.DataFrame:
    parts = [(ALL, frame)]
    if "site" in frame:
        parts += [(s, sub) for s, sub in frame.groupby("site", sort=True)]
    out = []
    for site, sub in parts:
        if len(sub) < min_cell:
            continue
        km = kaplan_meier(sub["days"], sub["treated"], level=level)
        km = km[km["n_risk"] >= min_cell]  # the tail with fewer at risk would show single waits
        out.append(pd.DataFrame({"site": site, "time": km["time"], "treated": 1 - km["surv"],
                                 "ci_low": 1 - km["ci_high"], "ci_high": 1 - km["ci_low"]}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(
        columns=["site", "time", "treated", "ci_low", "ci_high"])
