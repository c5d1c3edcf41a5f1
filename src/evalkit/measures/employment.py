"""Työllistyminen: IPS employment outcomes (Bond, Campbell & Drake 2012).

Per enrolled client (``index_date`` = the IPS co-operation agreement; a pseudo-index for
comparison clients) the follow-up runs from the index date to the earliest of the client's
``followup_end``, the data cut-off and ``index_date + followup_days``. Within it:

* **employed** — an episode with an employment status (params ``employment_statuses``,
  by default ``competitive`` and ``self_employed``) *starting* on or after the index date
  and on or before the follow-up end. A job that started before the index date is not an
  outcome of the intervention, even when it continues after it.
* **progressed** — employed, or an episode with a progression status (``study``,
  ``volunteer``, ``work_trial`` by default) starting in the same window.
* **days to first job** — days from the index date to the first such job; clients without
  one are censored at their follow-up end (clients still in coaching included).
  Overlapping or duplicated episodes count once: the first start is what matters, and
  weeks worked are the union of the job intervals.

:func:`client_outcomes` is the per-client table (also used by the costs measure).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError

__all__ = ["OUTCOME_COLUMNS", "client_outcomes", "outcome_options"]

#: Days per week / per month used for weeks worked and wages.
WEEK_DAYS = 7.0
MONTH_DAYS = 30.4375

#: Columns of :func:`client_outcomes` (in this order).
OUTCOME_COLUMNS = ("client_id", "group", "index_date", "followup_end", "employed", "progressed",
                   "days_to_first_job", "event", "followup_days", "time", "weeks_worked",
                   "longest_job_weeks", "hours_per_week", "works_20h_or_more", "total_wages_eur")

_DEFAULT_EMPLOYMENT = ("competitive", "self_employed")
_DEFAULT_PROGRESSION = ("study", "volunteer", "work_trial")


def outcome_options(params: Any) -> dict[str, Any]:
    """Keyword arguments of :func:`client_outcomes` from a model's :class:`evalkit.params.Params`
    (``employment`` section and ``data_cutoff``)."""
    o = params.employment
    return {"cutoff": params.data_cutoff, "employment_statuses": list(o.employment_statuses),
            "progression_statuses": list(o.progression_statuses), "followup_days": o.followup_days}


# ---------------------------------------------------------------------------------- input
def _require(df: pd.DataFrame, table: str, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise AnalysisError(f"{table}: missing column(s) {', '.join(map(repr, missing))}")


def _to_dates(df: pd.DataFrame, table: str, column: str, *, required: bool = False) -> pd.Series:
    """Column as normalised datetimes; unreadable (or, if ``required``, empty) values are an
    error naming the table, row (header = row 1), client and value."""
    if column not in df.columns:
        return pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    raw = df[column]
    if pd.api.types.is_datetime64_any_dtype(raw):
        parsed = raw
    else:
        text = raw.astype("string").str.strip()
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        parsed = parsed.fillna(pd.to_datetime(text, format="%d.%m.%Y", errors="coerce"))
    blank = raw.isna() | raw.astype(str).str.strip().isin(["", "NaT", "None", "nan", "<NA>"])
    bad = (parsed.isna() & ~blank) | (blank if required else False)
    if bad.any():
        idx = np.flatnonzero(bad.to_numpy())
        ids = df["client_id"].astype(str).to_numpy() if "client_id" in df else np.full(len(df), "?")
        shown = ", ".join(f"client {ids[i]} (row {i + 2}): {raw.iloc[i]!r}" for i in idx[:5])
        more = f" (and {len(idx) - 5} more)" if len(idx) > 5 else ""
        what = "missing or unreadable date" if required else "unreadable date"
        raise AnalysisError(f"{table}, column '{column}': {what} — {len(idx)} row(s): {shown}{more}")
    return pd.to_datetime(parsed).dt.normalize().astype("datetime64[ns]")


def _statuses(values: Sequence[str] | str, name: str) -> frozenset[str]:
    if isinstance(values, str):
        raise ValueError(f"{name} must be a list of statuses, got the string {values!r}")
    return frozenset(str(v) for v in values)


def _enrolled(clients: pd.DataFrame, cutoff: pd.Timestamp | None, followup_days: int | None) -> pd.DataFrame:
    _require(clients, "clients", ["client_id", "index_date"])
    ids = clients["client_id"].astype(str)
    dup = ids[ids.duplicated()]
    if len(dup):
        raise AnalysisError(f"clients, column 'client_id': {len(dup)} duplicated id(s), e.g. {dup.iloc[0]!r}")
    group = (clients["group"].astype("string").fillna("intervention").str.strip().replace("", "intervention")
             if "group" in clients.columns else pd.Series("intervention", index=clients.index, dtype="string"))
    bad_group = ~group.isin(["intervention", "comparison"])
    if bad_group.any():
        i = int(np.flatnonzero(bad_group.to_numpy())[0])
        raise AnalysisError(f"clients, column 'group' (row {i + 2}, client {ids.iloc[i]}): "
                            f"{group.iloc[i]!r} is not 'intervention' or 'comparison'")
    index = _to_dates(clients, "clients", "index_date")
    own_end = _to_dates(clients, "clients", "followup_end")
    frame = pd.DataFrame({"client_id": ids.to_numpy(), "group": group.astype(str).to_numpy(),
                          "index_date": index.to_numpy(), "own_end": own_end.to_numpy(),
                          "row": np.arange(len(clients)) + 2})
    frame = frame.loc[frame["index_date"].notna()].reset_index(drop=True)
    end = frame["own_end"]
    if cutoff is not None:
        end = end.fillna(cutoff).where(end.fillna(cutoff) <= cutoff, cutoff)
    if end.isna().any():
        i = int(np.flatnonzero(end.isna().to_numpy())[0])
        raise AnalysisError(f"clients: client {frame['client_id'].iloc[i]} (row {frame['row'].iloc[i]}) has no "
                            "followup_end and no data cut-off was given, so its follow-up has no end")
    if followup_days is not None:
        if isinstance(followup_days, bool) or int(followup_days) != followup_days or followup_days < 1:
            raise ValueError(f"followup_days must be a positive whole number of days, got {followup_days!r}")
        capped = frame["index_date"] + pd.to_timedelta(int(followup_days), unit="D")
        end = end.where(end <= capped, capped)
    frame["followup_end"] = end
    early = frame["followup_end"] < frame["index_date"]
    if early.any():
        rows = frame.loc[early]
        shown = ", ".join(f"client {c} (row {r}): index {i.date()}, follow-up end {e.date()}" for c, r, i, e in
                          rows[["client_id", "row", "index_date", "followup_end"]].head(5).itertuples(index=False))
        raise AnalysisError(f"clients: follow-up ends before the index date for {len(rows)} client(s) — {shown}; "
                            "check index_date / followup_end or the data cut-off")
    return frame.drop(columns=["own_end"])


def _episodes(employment: pd.DataFrame) -> pd.DataFrame:
    _require(employment, "employment", ["client_id", "start_date", "status"])
    start = _to_dates(employment, "employment", "start_date", required=True)
    end = _to_dates(employment, "employment", "end_date")
    bad = end.notna() & (end < start)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise AnalysisError(f"employment, column 'end_date' (row {i + 2}, client {employment['client_id'].iloc[i]}): "
                            f"{end.iloc[i].date()} precedes start_date {start.iloc[i].date()}")
    out = pd.DataFrame({"client_id": employment["client_id"].astype(str).to_numpy(), "start": start.to_numpy(),
                        "end": end.to_numpy(), "status": employment["status"].astype(str).str.strip().to_numpy()})
    for col in ("hours_per_week", "monthly_wage_eur"):
        out[col] = (pd.to_numeric(employment[col], errors="coerce").to_numpy(dtype=float)
                    if col in employment.columns else np.nan)
    return out


def _union_days(starts: np.ndarray, ends: np.ndarray) -> float:
    """Days covered by the union of the inclusive day intervals [start, end]."""
    total, cur_s, cur_e = 0, None, None
    for s, e in sorted(zip(starts.tolist(), ends.tolist(), strict=True)):
        if cur_e is None or s > cur_e + 1:
            if cur_e is not None:
                total += cur_e - cur_s + 1
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s + 1
    return float(total)


# ---------------------------------------------------------------------------------- per client
def client_outcomes(
    clients: pd.DataFrame,
    employment: pd.DataFrame,
    *,
    cutoff: date | str | None = None,
    employment_statuses: Sequence[str] = _DEFAULT_EMPLOYMENT,
    progression_statuses: Sequence[str] = _DEFAULT_PROGRESSION,
    followup_days: int | None = None,
) -> pd.DataFrame:
    """Employment outcome of every enrolled client (one row each).

    Parameters
    ----------
    clients
        The ``clients`` table (``client_id``, ``index_date``, optional ``group`` — empty
        means ``intervention`` — and ``followup_end``). Clients without an index date
        (referred, never started) are not enrolled and get no row. Not modified.
    employment
        The ``employment`` table (``client_id``, ``start_date``, ``end_date`` — empty =
        ongoing —, ``status``, optional ``hours_per_week``, ``monthly_wage_eur``). Episodes
        of clients not enrolled are ignored. Not modified.
    cutoff
        Data cut-off (params ``data_cutoff``): follow-up ends here at the latest, and for
        clients without ``followup_end``. ``None``: every enrolled client needs a
        ``followup_end``.
    employment_statuses, progression_statuses
        Statuses that count as employment, and as other progression.
    followup_days
        Follow-up from the index date in days (``None``: until the follow-up end).

    Returns
    -------
    pandas.DataFrame
        One row per enrolled client, in the order of ``clients``, with the columns of
        :data:`OUTCOME_COLUMNS`:

        * ``client_id``, ``group`` (``"intervention"`` / ``"comparison"``),
          ``index_date``, ``followup_end`` (the effective end: earliest of the client's
          ``followup_end``, ``cutoff`` and ``index_date + followup_days``);
        * ``employed`` (bool) — a job with an employment status starting on or after the
          index date and on or before ``followup_end`` (jobs started earlier do not count);
        * ``progressed`` (bool) — employed, or a progression status starting in that window;
        * ``days_to_first_job`` (float; NaN if none) — first such job's start − index date;
        * ``event`` (bool) — the same as ``employed`` (the event of the time-to-first-job
          analysis);
        * ``followup_days`` (float) — ``followup_end − index_date`` in days, the observed
          follow-up;
        * ``time`` (float) — ``days_to_first_job`` if ``event`` else ``followup_days``
          (time to the first job or to censoring, for Kaplan–Meier / Cox);
        * ``weeks_worked`` (float) — weeks covered by those jobs (overlaps counted once),
          from their start to their end or the follow-up end; 0 if not employed;
        * ``longest_job_weeks`` (float; NaN if not employed) — the longest such job, in
          weeks, cut at the follow-up end;
        * ``hours_per_week`` (float; NaN if not employed or hours unknown) — mean weekly
          hours of those jobs, weighted by their days in follow-up;
        * ``works_20h_or_more`` (boolean, ``<NA>`` if not employed or hours unknown) —
          some job with at least 20 hours a week;
        * ``total_wages_eur`` (float; NaN if not employed or a wage is missing) —
          Σ monthly wage × days in follow-up / 30.4375.

    Raises
    ------
    AnalysisError
        Missing columns, unreadable dates, duplicated client ids, an unknown group, an end
        before a start, or a follow-up that ends before the index date (or has no end).
    """
    emp_set = _statuses(employment_statuses, "employment_statuses")
    prog_set = _statuses(progression_statuses, "progression_statuses")
    cut = pd.Timestamp(cutoff).normalize() if cutoff is not None else None
    base = _enrolled(clients, cut, followup_days)
    eps = _episodes(employment).merge(base[["client_id", "index_date", "followup_end"]], on="client_id", how="inner")
    in_window = (eps["start"] >= eps["index_date"]) & (eps["start"] <= eps["followup_end"])
    eps = eps.loc[in_window].copy()
    is_job = eps["status"].isin(emp_set)
    jobs = eps.loc[is_job].copy()
    progress_ids = set(eps.loc[is_job | eps["status"].isin(prog_set), "client_id"])

    day = np.timedelta64(1, "D")
    jobs["s"] = ((jobs["start"] - jobs["index_date"]) / day).astype(np.int64)
    stop = jobs["end"].where(jobs["end"].notna() & (jobs["end"] <= jobs["followup_end"]), jobs["followup_end"])
    jobs["e"] = ((stop - jobs["index_date"]) / day).astype(np.int64)
    jobs["days"] = (jobs["e"] - jobs["s"] + 1).astype(float)
    per: dict[str, dict[str, float]] = {}
    for cid, g in jobs.groupby("client_id", sort=False):
        hours_known = g["hours_per_week"].notna().to_numpy()
        hours = g["hours_per_week"].to_numpy(dtype=float)
        days = g["days"].to_numpy(dtype=float)
        wages = g["monthly_wage_eur"].to_numpy(dtype=float)
        per[str(cid)] = {
            "first": float(g["s"].min()),
            "weeks": _union_days(g["s"].to_numpy(), g["e"].to_numpy()) / WEEK_DAYS,
            "longest": float(days.max()) / WEEK_DAYS,
            "hours": (float(np.sum(hours * days) / np.sum(days)) if hours_known.all() else math.nan),
            "h20": (bool((hours >= 20).any()) if hours_known.all() else None),
            "wages": (float(np.sum(wages * days / MONTH_DAYS)) if np.isfinite(wages).all() else math.nan),
        }

    fu = ((base["followup_end"] - base["index_date"]) / day).astype(float)
    first = base["client_id"].map(lambda c: per.get(c, {}).get("first", math.nan)).astype(float)
    employed = first.notna()
    out = pd.DataFrame({
        "client_id": base["client_id"],
        "group": base["group"],
        "index_date": base["index_date"],
        "followup_end": base["followup_end"],
        "employed": employed.astype(bool),
        "progressed": base["client_id"].isin(progress_ids).astype(bool),
        "days_to_first_job": first,
        "event": employed.astype(bool),
        "followup_days": fu,
        "time": first.where(employed, fu).astype(float),
        "weeks_worked": base["client_id"].map(lambda c: per.get(c, {}).get("weeks", 0.0)).astype(float),
        "longest_job_weeks": base["client_id"].map(lambda c: per.get(c, {}).get("longest", math.nan)).astype(float),
        "hours_per_week": base["client_id"].map(lambda c: per.get(c, {}).get("hours", math.nan)).astype(float),
        "works_20h_or_more": pd.array([per[c]["h20"] if c in per else None for c in base["client_id"]],
                                      dtype="boolean"),
        "total_wages_eur": base["client_id"].map(lambda c: per.get(c, {}).get("wages", math.nan)).astype(float),
    }, columns=list(OUTCOME_COLUMNS))
    return out.reset_index(drop=True)
