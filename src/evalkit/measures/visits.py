"""Käyntimäärät: visits before and after each client's own index date.

The person-period panel (:func:`visits_panel`) is built in DuckDB: the visits — a pandas
DataFrame or a ``duckdb.DuckDBPyRelation`` over Parquet/CSV files with tens of millions of
rows — are joined to the (small) clients table and aggregated in one scan; only the panel
(two rows per client) reaches pandas. Every visit row and every client is accounted for:
rows filtered out, orphan rows, rows outside the windows, clients left out and why.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

import duckdb
import numpy as np
import pandas as pd

from ..errors import AnalysisError, DataError, DataProblem
from ..report.wording.common import Note
from ..results import Estimate, MeasureResult
from ..stats._results import StatisticalWarning
from ..stats.bootstrap import bootstrap_mean, bootstrap_mean_difference, wilcoxon_signed_rank
from ..stats.counts import PERSON_MONTH_DAYS, CountModelResult, negbin_panel, poisson_panel
from ..stats.its import ItsResult, segmented_regression
from ._dates import read_dates

__all__ = [
    "PERSON_MONTH_DAYS",
    "VisitsPanel",
    "VisitsResult",
    "VisitsSource",
    "calendar_quarter_rates",
    "effective_windows",
    "monthly_service_counts",
    "options_from_params",
    "relative_month_rates",
    "visits",
    "visits_panel",
]

VisitsSource = pd.DataFrame | duckdb.DuckDBPyRelation

GROUPS = ("intervention", "comparison")
_FAR_PAST = date(1800, 1, 1)
_SHOWN = 5

#: Visit-row flow steps, in order (``VisitsPanel.visit_flow``).
VISIT_STEPS = ("read", "filtered_out", "orphan", "client_not_analysed", "outside_windows", "pre", "post")
#: Client exclusion reasons, in the order they are applied (a client is counted once):
#: no index date (referred, never started); the post-period starts after the client's
#: observation ends (index after the cut-off or after ``followup_end``); no observed day in
#: the pre-period (it lies before the data start); no observed day in the post-period.
CLIENT_REASONS = ("no_index_date", "index_after_observation", "no_pre_exposure", "no_post_exposure")


# --------------------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitsPanel:
    """Person-period panel of visits around each client's index date.

    Attributes
    ----------
    frame
        One row per analysed client × period, sorted by ``client_id`` then ``pre``/``post``:
        ``client_id``, ``group`` (``intervention``/``comparison``), ``period``
        (``pre``/``post``), ``visits`` (int), ``exposure_days`` (int, days observed in the
        period), and ``value`` (float) when a value column was given.
    clients
        One row per analysed client: ``client_id``, ``group``, ``index_date``,
        ``observed_from``, ``observed_to`` (the client's observation limits).
    exclusions
        Clients left out: ``reason`` (see :data:`CLIENT_REASONS`), ``group``, ``clients``.
        Each client is counted once, under the first reason that applies.
    visit_flow
        Visit rows by step (see :data:`VISIT_STEPS`): ``step``, ``rows``, ``visits``
        (``visits`` sums the ``n`` column when the table holds counts). ``read`` is the total;
        the other steps add up to it, each row counted under the first that applies:
        ``filtered_out`` (by ``filters``), ``orphan`` (client not in ``clients``),
        ``client_not_analysed`` (every visit of a client without an index date or left out
        in ``exclusions``), ``outside_windows`` (before the data start, in the wash-out,
        between or after the windows, after ``followup_end``), ``pre``, ``post``.
    censored
        Analysed clients whose window was shortened: ``pre_by_data_start`` (pre-period
        starts before the data), ``post_by_followup`` (post-period runs past
        ``followup_end`` or the data cut-off).
    pre_window, post_window
        Windows in days relative to the index date after the wash-out (both inclusive).
    washout
        Days before the index date left out of the pre-period.
    data_start, data_cutoff
        Observation limits used; ``data_start_inferred`` is True when ``data_start`` was
        not given and the earliest visit date was used instead.
    filters
        Filters applied to the visits (column → kept values).
    value
        Name of the per-visit value column summed into ``value`` (None when not used).
    """

    frame: pd.DataFrame
    clients: pd.DataFrame
    exclusions: pd.DataFrame
    visit_flow: pd.DataFrame
    censored: Mapping[str, int]
    pre_window: tuple[int, int]
    post_window: tuple[int, int]
    washout: int
    data_start: date
    data_cutoff: date
    data_start_inferred: bool
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    value: str | None = None

    @property
    def n_clients(self) -> int:
        return len(self.clients)

    def n_by_group(self) -> dict[str, int]:
        counts = self.clients["group"].value_counts()
        return {g: int(counts.get(g, 0)) for g in GROUPS if counts.get(g, 0)}

    def wide(self) -> pd.DataFrame:
        """One row per client: ``client_id``, ``group``, ``visits_pre``, ``visits_post``,
        ``exposure_pre``, ``exposure_post``, ``rate_pre``, ``rate_post`` (visits per
        person-month) and ``change`` (``rate_post − rate_pre``)."""
        f = self.frame
        out = f.pivot(index=["client_id", "group"], columns="period", values=["visits", "exposure_days"])
        out.columns = [f"{'exposure' if top == 'exposure_days' else top}_{sub}" for top, sub in out.columns]
        out = out.reset_index()[["client_id", "group", "visits_pre", "visits_post", "exposure_pre",
                                 "exposure_post"]]
        out["rate_pre"] = out["visits_pre"] / out["exposure_pre"] * PERSON_MONTH_DAYS
        out["rate_post"] = out["visits_post"] / out["exposure_post"] * PERSON_MONTH_DAYS
        out["change"] = out["rate_post"] - out["rate_pre"]
        return out


# --------------------------------------------------------------------------------------
# input preparation
# --------------------------------------------------------------------------------------


def _as_date(value: Any, name: str) -> date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value if type(value) is date else date(value.year, value.month, value.day)
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name} must be a date (YYYY-MM-DD), got {value!r}") from None


def _window(value: Any, name: str) -> tuple[int, int]:
    if (isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2
            and all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in value)):
        lo, hi = int(value[0]), int(value[1])
        if lo > hi:
            raise ValueError(f"{name}: start {lo} is after end {hi}")
        return lo, hi
    raise ValueError(f"{name} must be two integers (days relative to the index date), got {value!r}")


def effective_windows(pre: Any, post: Any, washout: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """The pre- and post-window after the wash-out; raises ValueError when they clash.

    The wash-out removes the ``washout`` days just before the index date from the
    pre-period: its last day becomes ``min(pre_end, −washout − 1)``.
    """
    pre_w, post_w = _window(pre, "pre"), _window(post, "post")
    if not isinstance(washout, int | np.integer) or isinstance(washout, bool) or washout < 0:
        raise ValueError(f"washout must be a non-negative number of days, got {washout!r}")
    pre_w = (pre_w[0], min(pre_w[1], -int(washout) - 1))
    if pre_w[1] < pre_w[0]:
        raise ValueError(f"the wash-out of {washout} days leaves nothing of the pre-period {pre}")
    if pre_w[1] >= post_w[0]:
        raise ValueError(f"the pre-period {pre_w} must end before the post-period {post_w} starts")
    return pre_w, post_w


def _client_dates(frame: pd.DataFrame, column: str, problems: list[DataProblem]) -> pd.Series:
    dates, bad = read_dates(frame[column])
    for i in np.flatnonzero(bad.to_numpy())[:_SHOWN]:
        problems.append(DataProblem(file="clients", table="clients", row=int(i) + 2, column=column,
                                    value=frame[column].iloc[i], rule="not a date (expected YYYY-MM-DD or d.m.yyyy)"))
    return dates


def _prepare_clients(clients: pd.DataFrame, *, data_cutoff: date) -> pd.DataFrame:
    """Validated clients: client_id (str), group, index_date, followup_end (datetime64)."""
    if not isinstance(clients, pd.DataFrame):
        raise ValueError(f"clients must be a pandas DataFrame, got {type(clients).__name__}")
    missing = [c for c in ("client_id", "index_date") if c not in clients.columns]
    if missing:
        raise DataError([DataProblem(file="clients", table="clients", column=c,
                                     rule="required column is missing") for c in missing])
    problems: list[DataProblem] = []
    ids = clients["client_id"]
    na = ids.isna().to_numpy()
    for i in np.flatnonzero(na)[:_SHOWN]:
        problems.append(DataProblem(file="clients", table="clients", row=int(i) + 2, column="client_id",
                                    rule="missing client id"))
    ids = ids.astype("string")
    dup = ids.duplicated(keep="first").to_numpy() & ~na
    for i in np.flatnonzero(dup)[:_SHOWN]:
        problems.append(DataProblem(file="clients", table="clients", row=int(i) + 2, column="client_id",
                                    value=ids.iloc[i], rule="client id appears more than once"))
    if "group" in clients.columns:
        grp = clients["group"].astype("string").str.strip().fillna("intervention")
        grp = grp.mask(grp == "", "intervention")
        bad = ~grp.isin(GROUPS).to_numpy()
        for i in np.flatnonzero(bad)[:_SHOWN]:
            problems.append(DataProblem(file="clients", table="clients", row=int(i) + 2, column="group",
                                        value=clients["group"].iloc[i],
                                        rule="group must be 'intervention' or 'comparison'"))
    else:
        grp = pd.Series("intervention", index=clients.index, dtype="string")
    index_date = _client_dates(clients, "index_date", problems)
    if "followup_end" in clients.columns:
        followup = _client_dates(clients, "followup_end", problems)
    else:
        followup = pd.Series(pd.NaT, index=clients.index, dtype="datetime64[ns]")
    if problems:
        raise DataError(problems)
    cutoff = pd.Timestamp(data_cutoff)
    return pd.DataFrame({
        "client_id": ids.astype(str).to_numpy(dtype=object),
        "group": grp.astype(str).to_numpy(dtype=object),
        "index_date": index_date.to_numpy(dtype="datetime64[ns]"),
        "followup_end": followup.fillna(cutoff).clip(upper=cutoff).to_numpy(dtype="datetime64[ns]"),
    })


def _relation(visits: VisitsSource) -> duckdb.DuckDBPyRelation:
    if isinstance(visits, duckdb.DuckDBPyRelation):
        return visits
    if isinstance(visits, pd.DataFrame):
        from ..data.duck import connect

        con = connect()
        return con.from_df(visits)
    raise ValueError("visits must be a pandas DataFrame or a duckdb relation, "
                     f"got {type(visits).__name__}")


def _ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _literal(value: Any) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _visit_columns(rel: duckdb.DuckDBPyRelation, *, filters: Mapping[str, Sequence[str]],
                   value: str | None) -> dict[str, str]:
    """SQL expressions over the visits relation: client id, date, count, value, kept."""
    types = {c: str(t).upper() for c, t in zip(rel.columns, rel.types, strict=True)}
    problems = [DataProblem(file="visits", table="visits", column=c, rule="required column is missing")
                for c in ("client_id", "date") if c not in types]
    for col in filters:
        if col not in types:
            problems.append(DataProblem(file="visits", table="visits", column=col,
                                        rule="filter column is missing (params visits.filters)"))
    if value is not None and value not in types:
        problems.append(DataProblem(file="visits", table="visits", column=value,
                                    rule="value column is missing"))
    if problems:
        raise DataError(problems)
    dtype = types["date"]
    if dtype == "DATE":
        date_expr = '"date"'
    elif dtype.startswith("TIMESTAMP"):
        date_expr = 'CAST("date" AS DATE)'
    else:
        date_expr = 'TRY_CAST(TRIM(CAST("date" AS VARCHAR)) AS DATE)'
    count_expr = 'CAST("n" AS BIGINT)' if "n" in types else "CAST(1 AS BIGINT)"
    kept = []
    for col, values in filters.items():
        vals = [str(v) for v in values]
        if not vals:
            kept.append("FALSE")
            continue
        kept.append(f"CAST({_ident(col)} AS VARCHAR) IN ({', '.join(_literal(v) for v in vals)})")
    value_expr = f"CAST({_ident(value)} AS DOUBLE)" if value is not None else "CAST(NULL AS DOUBLE)"
    return {"date": date_expr, "n": count_expr, "value": value_expr,
            "kept": " AND ".join(f"COALESCE({k}, FALSE)" for k in kept) if kept else "TRUE",
            # the same as a WHERE condition (NULL drops the row as FALSE does; pushable into the scan)
            "kept_where": " AND ".join(kept) if kept else "TRUE",
            "has_n": "n" in types}


# --------------------------------------------------------------------------------------
# the panel
# --------------------------------------------------------------------------------------


def visits_panel(
    visits: VisitsSource,
    clients: pd.DataFrame,
    *,
    pre: tuple[int, int] = (-365, -1),
    post: tuple[int, int] = (0, 364),
    washout: int = 0,
    filters: Mapping[str, Sequence[str]] | None = None,
    data_start: date | str | None = None,
    data_cutoff: date | str,
    value: str | None = None,
) -> VisitsPanel:
    """Visits and days observed in a pre- and a post-period around each client's index date.

    Parameters
    ----------
    visits
        The visits table (data contract: ``client_id``, ``date``, optional ``service``,
        ``professional``, ``contact_type``, ``n``) as a pandas DataFrame or a duckdb
        relation (e.g. ``con.read_parquet("visits/*.parquet")``). When ``n`` is present
        each row counts ``n`` visits. Not modified.
    clients
        The clients table: ``client_id``, ``index_date``, optional ``group`` (empty =
        ``intervention``) and ``followup_end`` (empty = the data cut-off).
    pre, post
        Windows in days relative to the index date, both ends inclusive (day 0 is the index
        date).
    washout
        Days just before the index date left out of the pre-period (its last day becomes
        ``min(pre[1], −washout − 1)``), against regression to the mean.
    filters
        Keep only visits whose column has one of the listed values, e.g.
        ``{"service": ["psychiatry"], "professional": ["nurse", "physician"]}``. Values are
        compared as text; a row with an empty filter column is filtered out.
    data_start
        First date covered by the visits extract; pre-periods starting earlier are
        shortened (their exposure too). ``None``: the earliest visit date in the table is
        used (``data_start_inferred``) — give it when the extract's start is known.
    data_cutoff
        Last date covered; post-periods are cut there and at each client's
        ``followup_end``.
    value
        Optional numeric per-visit column (e.g. a cost joined onto the visits) summed into
        the panel's ``value`` column over the same windows (multiplied by ``n`` for count
        rows). The costs measure uses this so it does not re-implement the windowing.

    Returns
    -------
    VisitsPanel
        Two rows per analysed client. A client is analysed when it has an index date and
        at least one observed day in both periods; the others are counted in
        ``exclusions``.

    Raises
    ------
    DataError
        A required column is missing; a client id is missing or duplicated; a group is not
        ``intervention``/``comparison``; a date cannot be read; ``n`` is missing or
        negative; a ``value`` is missing on a visit inside a window. The message names the
        table, row or column and value (visit rows by their ``client_id`` and ``date``).
    ValueError
        Bad windows or options.
    AnalysisError
        No client can be analysed.

    Notes
    -----
    A client's observation runs from ``data_start`` to ``min(followup_end, data_cutoff)``;
    the exposure of a period is the number of days of the window inside it, and only
    visits on those days are counted. Visits of clients not in ``clients`` are counted as
    ``orphan``. Count rows (``n``) are placed by their date, so a monthly count dated on the
    1st falls wholly into the window holding that day.

    The DataFrame or relation is scanned once in DuckDB (join on ``client_id``, grouped by
    client and period); a relation is queried on its own connection, with the clients
    handed over through DuckDB's replacement scan of a local pandas frame.
    """
    pre_w, post_w = effective_windows(pre, post, washout)
    cutoff = _as_date(data_cutoff, "data_cutoff")
    start = _as_date(data_start, "data_start") if data_start is not None else None
    if start is not None and start > cutoff:
        raise ValueError(f"data_start {start} is after data_cutoff {cutoff}")
    filters = {str(k): tuple(str(v) for v in (vals if not isinstance(vals, str) else [vals]))
               for k, vals in (filters or {}).items()}
    cl = _prepare_clients(clients, data_cutoff=cutoff)
    rel = _relation(visits)
    cols = _visit_columns(rel, filters=filters, value=value)

    # windows before censoring at data start (applied after, once data_start is known)
    started = cl["index_date"].notna()
    idx = cl["index_date"]
    _evalkit_clients = pd.DataFrame({  # also read by DuckDB (replacement scan)
        "k": np.arange(len(cl), dtype=np.int64),
        "client_id": cl["client_id"],
        "started": started,
        "pre_from": (idx + pd.to_timedelta(pre_w[0], unit="D")),
        "pre_to": (idx + pd.to_timedelta(pre_w[1], unit="D")).where(
            idx + pd.to_timedelta(pre_w[1], unit="D") <= cl["followup_end"], cl["followup_end"]),
        "post_from": (idx + pd.to_timedelta(post_w[0], unit="D")),
        "post_to": (idx + pd.to_timedelta(post_w[1], unit="D")).where(
            idx + pd.to_timedelta(post_w[1], unit="D") <= cl["followup_end"], cl["followup_end"]),
    })
    agg = _aggregate_visits(rel, cols, _evalkit_clients, lower=start or _FAR_PAST)
    _check_visit_rows(rel, agg, cols, value=value)

    # data start: given, or the earliest readable visit date
    inferred = start is None
    if inferred:
        first = agg["first_date"].dropna()
        if first.empty:
            raise AnalysisError("visits: the table has no rows with a date; cannot infer data_start "
                                "(give data_start in params)")
        start = pd.Timestamp(first.min()).date()

    # exposure per client and period, censored at data start
    s = pd.Timestamp(start)
    win = _evalkit_clients.assign(group=cl["group"], index_date=cl["index_date"],
                                  followup_end=cl["followup_end"])
    pre_from = win["pre_from"].where(win["pre_from"] >= s, s)
    post_from = win["post_from"].where(win["post_from"] >= s, s)
    expo_pre = ((win["pre_to"] - pre_from).dt.days + 1).clip(lower=0).fillna(0).astype(int)
    expo_post = ((win["post_to"] - post_from).dt.days + 1).clip(lower=0).fillna(0).astype(int)

    reason = pd.Series(pd.NA, index=win.index, dtype="object")
    reason[~win["started"]] = "no_index_date"
    after = win["started"] & (win["index_date"] + pd.to_timedelta(post_w[0], unit="D") > win["followup_end"])
    reason[reason.isna() & after] = "index_after_observation"
    reason[reason.isna() & (expo_pre <= 0)] = "no_pre_exposure"
    reason[reason.isna() & (expo_post <= 0)] = "no_post_exposure"
    analysed = reason.isna()
    if not analysed.any():
        raise AnalysisError(
            "visits: no client has an index date and observed days in both periods "
            f"({', '.join(f'{r}: {int((reason == r).sum())}' for r in CLIENT_REASONS)})")

    # visit counts into the panel (visits of excluded clients move to client_not_analysed)
    # (by the clients' row position k: integer arrays instead of joins on the id text)
    an = analysed.to_numpy(dtype=bool)
    ak = agg["k"].to_numpy()
    has_k = ak >= 0
    of_analysed = np.zeros(len(agg), dtype=bool)
    of_analysed[has_k] = an[ak[has_k]]
    dropped = agg[has_k & ~of_analysed]
    base = win.loc[analysed, ["client_id", "group", "index_date"]].sort_values("client_id", kind="mergesort")
    pos = base.index.to_numpy()  # k of the analysed clients, in client_id order
    base = base.reset_index(drop=True)
    per_period = {}
    for period in ("pre", "post"):
        hit = of_analysed & (agg["step"] == period).to_numpy()
        visits_k = np.zeros(len(win), dtype=np.int64)
        visits_k[ak[hit]] = agg["visits"].to_numpy()[hit]
        value_k = np.zeros(len(win), dtype=float)
        value_k[ak[hit]] = agg["value"].to_numpy()[hit]
        per_period[period] = (visits_k[pos], value_k[pos])
    m = len(pos)
    frame = base.loc[np.repeat(np.arange(m), 2), ["client_id", "group"]].reset_index(drop=True)
    frame["period"] = pd.Series(["pre", "post"] * m, dtype=frame["group"].dtype)
    frame["visits"] = np.column_stack([per_period["pre"][0], per_period["post"][0]]).ravel()
    frame["exposure_days"] = np.column_stack([expo_pre.to_numpy()[pos], expo_post.to_numpy()[pos]]).ravel().astype("int64")
    if value is not None:
        frame["value"] = np.column_stack([per_period["pre"][1], per_period["post"][1]]).ravel()

    flow = _visit_flow(agg, dropped)
    exclusions = (pd.DataFrame({"reason": reason[~analysed], "group": win.loc[~analysed, "group"]})
                  .groupby(["reason", "group"], sort=False).size().rename("clients").reset_index())
    exclusions["order"] = exclusions["reason"].map({r: i for i, r in enumerate(CLIENT_REASONS)})
    exclusions = exclusions.sort_values(["order", "group"]).drop(columns="order").reset_index(drop=True)
    analysed_clients = base.assign(observed_from=s, observed_to=win["followup_end"].to_numpy()[pos])
    censored = {
        "pre_by_data_start": int((win.loc[analysed, "pre_from"] < s).sum()),
        "post_by_followup": int(
            (win.loc[analysed, "index_date"] + pd.to_timedelta(post_w[1], unit="D")
             > win.loc[analysed, "followup_end"]).sum()),
    }
    return VisitsPanel(frame=frame, clients=analysed_clients, exclusions=exclusions, visit_flow=flow,
                       censored=censored, pre_window=pre_w, post_window=post_w, washout=int(washout),
                       data_start=start, data_cutoff=cutoff, data_start_inferred=inferred,
                       filters=filters, value=value)


def _visit_flow(agg: pd.DataFrame, dropped: pd.DataFrame) -> pd.DataFrame:
    by = agg.groupby("step")[["rows", "visits"]].sum()
    moved = dropped[["rows", "visits"]].sum()
    out = []
    for step in VISIT_STEPS[1:]:
        r = int(by["rows"].get(step, 0))
        v = int(by["visits"].get(step, 0) or 0)
        if step == "client_not_analysed":
            r, v = r + int(moved["rows"]), v + int(moved["visits"] or 0)
        if step in ("pre", "post", "outside_windows"):
            sub = dropped[dropped["step"] == step]
            r, v = r - int(sub["rows"].sum()), v - int(sub["visits"].sum() or 0)
        out.append({"step": step, "rows": r, "visits": v})
    total = {"step": "read", "rows": sum(o["rows"] for o in out), "visits": sum(o["visits"] for o in out)}
    flow = pd.DataFrame([total, *out])
    flow["rows"] = flow["rows"].astype("int64")
    flow["visits"] = flow["visits"].astype("int64")
    return flow


#: visit steps of the per-client pass, by the code the SQL gives them
_STEP_CODES = ("orphan", "client_not_analysed", "outside_windows", "pre", "post")


def _aggregate_visits(rel: duckdb.DuckDBPyRelation, cols: dict[str, Any], clients: pd.DataFrame, *,
                      lower: date) -> pd.DataFrame:
    """Visit rows by (client, step) — ``k`` (the client's row in ``clients``, −1 for none),
    ``step``, ``rows``, ``visits``, ``value``,
    ``bad_n``, ``missing_value``, ``first_date`` — in two scans of the relation.

    1. Every row: counts of rows without a readable date (``bad_date``) and rows the
       filters leave out (``filtered_out``), bad ``n`` values and the earliest date. Only
       the date, filter and count columns are read.
    2. Dated rows that pass the filters (the filter is a WHERE the scan can push down):
       joined to the clients' windows and counted per client (the integer key ``k``, not
       the id text) and step. ``k`` is set for ``outside_windows``/``pre``/``post`` rows of
       started clients (needed to move the visits of excluded clients later) and −1 for
       ``orphan`` and ``client_not_analysed``.

    Splitting the scan lets the join and the per-client grouping see only the rows they
    are about (about as much work as a bare group-by with the same filter); the first scan
    is a plain aggregate. ``clients`` (``k`` = row position, ``client_id``, ``started`` and
    the window dates) is read by DuckDB's replacement scan.
    """
    _evalkit_clients = clients  # read by DuckDB
    kept_where = cols["kept_where"]
    has_value = cols["value"] != "CAST(NULL AS DOUBLE)"
    value_aggs = ("sum(val * n) AS value, count(*) FILTER (WHERE val IS NULL AND s >= 3) AS missing_value"
                  if has_value else "CAST(NULL AS DOUBLE) AS value, 0 AS missing_value")
    side = rel.query("visits_src", f"""
        WITH v AS (SELECT {cols['date']} AS d, {cols['n']} AS n, {cols['kept']} AS kept FROM visits_src)
        SELECT count(*) FILTER (WHERE d IS NULL) AS bad_rows, sum(n) FILTER (WHERE d IS NULL) AS bad_visits,
               count(*) FILTER (WHERE d IS NOT NULL AND NOT kept) AS out_rows,
               sum(n) FILTER (WHERE d IS NOT NULL AND NOT kept) AS out_visits,
               count(*) FILTER (WHERE n IS NULL OR n < 0) AS bad_n,
               min(d) AS first_date
        FROM v""").fetchall()[0]
    bad_rows, bad_visits, out_rows, out_visits, bad_n, first_date = side
    main = rel.query("visits_src", f"""
        WITH v AS (
            SELECT CAST(client_id AS VARCHAR) AS cid, {cols['date']} AS d, {cols['n']} AS n,
                   {cols['value']} AS val
            FROM visits_src WHERE {kept_where}
        ), c AS (
            SELECT k, client_id, started, CAST(pre_from AS DATE) AS pre_from, CAST(pre_to AS DATE) AS pre_to,
                   CAST(post_from AS DATE) AS post_from, CAST(post_to AS DATE) AS post_to
            FROM _evalkit_clients
        ), j AS (
            SELECT c.k, v.n, {'v.val,' if has_value else ''}
                CASE
                    WHEN c.k IS NULL THEN 0
                    WHEN NOT c.started THEN 1
                    WHEN v.d < DATE '{lower.isoformat()}' THEN 2
                    WHEN v.d BETWEEN c.pre_from AND c.pre_to THEN 3
                    WHEN v.d BETWEEN c.post_from AND c.post_to THEN 4
                    ELSE 2
                END AS s
            FROM v LEFT JOIN c ON v.cid = c.client_id
            WHERE v.d IS NOT NULL
        )
        SELECT CASE WHEN s >= 2 THEN k END AS k, s, count(*) AS rows, sum(n) AS visits, {value_aggs}
        FROM j
        GROUP BY ALL""").df()
    steps = ["bad_date", "filtered_out", *_STEP_CODES]
    per_client = pd.DataFrame({
        "k": main["k"].fillna(-1).astype("int64").to_numpy(),
        "step": pd.Categorical.from_codes(main["s"].astype("int64").to_numpy() + 2, categories=steps),
        "rows": main["rows"].astype("int64"),
        "visits": main["visits"].fillna(0).astype("int64"),  # NULL only with a bad n (raised next)
        "value": main["value"].astype(float),
        "bad_n": 0,
        "missing_value": main["missing_value"].astype("int64"),
        "first_date": pd.NaT,
    })
    totals = pd.DataFrame({
        "k": [-1, -1], "step": pd.Categorical.from_codes([0, 1], categories=steps),
        "rows": [int(bad_rows or 0), int(out_rows or 0)], "visits": [int(bad_visits or 0), int(out_visits or 0)],
        "value": [np.nan, np.nan], "bad_n": [int(bad_n or 0), 0], "missing_value": [0, 0],
        "first_date": [pd.Timestamp(first_date) if first_date is not None else pd.NaT, pd.NaT],
    })
    return pd.concat([totals, per_client], ignore_index=True)


def _check_visit_rows(rel: duckdb.DuckDBPyRelation, agg: pd.DataFrame, cols: dict[str, Any], *,
                      value: str | None) -> None:
    """Raise a DataError naming offending visit rows (bad date, bad n, missing value)."""
    checks = []
    bad_date = agg.loc[agg["step"] == "bad_date", "rows"].sum()
    if bad_date:
        checks.append(("date", f"{cols['date']} IS NULL",
                       "missing date or not a date (expected YYYY-MM-DD)", int(bad_date)))
    if cols["has_n"] and agg["bad_n"].sum():
        checks.append(("n", '"n" IS NULL OR TRY_CAST("n" AS BIGINT) < 0',
                       "count n must be a non-negative integer", int(agg["bad_n"].sum())))
    if value is not None and agg["missing_value"].sum():
        checks.append((value, f"{_ident(value)} IS NULL",
                       "missing value on a visit inside a window", int(agg["missing_value"].sum())))
    if not checks:
        return
    problems = []
    for column, where, rule, total in checks:
        shown = rel.query("visits_src", f"""
            SELECT CAST(client_id AS VARCHAR) AS cid, CAST("date" AS VARCHAR) AS d,
                   CAST({_ident(column)} AS VARCHAR) AS val
            FROM visits_src WHERE {where} LIMIT {_SHOWN}""").fetchall()
        for cid, d, val in shown:
            problems.append(DataProblem(file="visits", table="visits", column=column, value=val,
                                        rule=f"{rule} (client {cid}, date {d}; {total} row(s) in all)"))
    raise DataError(problems)


# --------------------------------------------------------------------------------------
# monthly aggregates (diagnostics and the interrupted time series)
# --------------------------------------------------------------------------------------


def _month_bounds(k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last day offset of relative month ``k`` (day t is in month floor(t/30.4375))."""
    lo = np.ceil(k * PERSON_MONTH_DAYS).astype(int)
    hi = np.ceil((k + 1) * PERSON_MONTH_DAYS).astype(int) - 1
    return lo, hi


def _monthly_scan(visits: VisitsSource, panel: VisitsPanel) -> pd.DataFrame:
    """One scan: filtered, dated visits in [data_start, data_cutoff] by (group, relative
    month, calendar month, observed). ``group`` is NULL for visits of clients not analysed
    (and orphans); ``observed`` is false after the client's ``followup_end``."""
    rel = _relation(visits)
    cols = _visit_columns(rel, filters=panel.filters, value=None)
    c = panel.clients
    _evalkit_analysed = pd.DataFrame({  # read by DuckDB (replacement scan)
        "client_id": c["client_id"], "grp": c["group"], "index_date": c["index_date"],
        "observed_to": c["observed_to"]})
    sql = f"""
        WITH v AS (
            SELECT CAST(client_id AS VARCHAR) AS cid, {cols['date']} AS d, {cols['n']} AS n
            FROM visits_src WHERE {cols['kept']}
        ), a AS (
            SELECT client_id, grp, CAST(index_date AS DATE) AS index_date,
                   CAST(observed_to AS DATE) AS observed_to FROM _evalkit_analysed
        )
        SELECT a.grp AS "group",
               CAST(floor(date_diff('day', a.index_date, v.d) / {PERSON_MONTH_DAYS}) AS INTEGER)
                   AS rel_month,
               CAST(date_trunc('month', v.d) AS DATE) AS cal_month,
               coalesce(v.d <= a.observed_to, FALSE) AS observed,
               sum(v.n) AS visits
        FROM v LEFT JOIN a ON v.cid = a.client_id
        WHERE v.d BETWEEN DATE '{panel.data_start.isoformat()}' AND DATE '{panel.data_cutoff.isoformat()}'
        GROUP BY ALL
    """
    out = rel.query("visits_src", sql).df()
    out["visits"] = out["visits"].astype("int64")
    return out


def relative_month_rates(scan: pd.DataFrame, panel: VisitsPanel, *, months_before: int,
                         months_after: int) -> pd.DataFrame:
    """Visits per person-month by group and month relative to the index date.

    Month ``k`` holds the days ``t`` (from the index date) with ``floor(t / 30.4375) = k``;
    exposure is each analysed client's days of that month inside its observation
    (data start … ``followup_end``), no wash-out. Columns: ``group``, ``month``, ``visits``,
    ``exposure_days``, ``clients`` (observed at least one day), ``rate``.
    """
    months = np.arange(-months_before, months_after + 1)
    lo, hi = _month_bounds(months)
    c = panel.clients
    idx = c["index_date"].to_numpy("datetime64[D]").astype(np.int64)[:, None]
    start = np.datetime64(panel.data_start, "D").astype(np.int64)
    end = c["observed_to"].to_numpy("datetime64[D]").astype(np.int64)[:, None]
    a = np.maximum(idx + lo[None, :], start)
    b = np.minimum(idx + hi[None, :], end)
    days = np.clip(b - a + 1, 0, None)
    rows = []
    obs = scan[scan["observed"] & scan["group"].notna()]
    counts = obs.groupby(["group", "rel_month"])["visits"].sum()
    for g in [g for g in GROUPS if (c["group"] == g).any()]:
        mask = (c["group"] == g).to_numpy()
        d = days[mask]
        for j, k in enumerate(months):
            expo = int(d[:, j].sum())
            n = int((d[:, j] > 0).sum())
            v = int(counts.get((g, k), 0))
            rows.append({"group": g, "month": int(k), "visits": v, "exposure_days": expo, "clients": n,
                         "rate": v / expo * PERSON_MONTH_DAYS if expo > 0 else np.nan})
    return pd.DataFrame(rows)


def calendar_quarter_rates(scan: pd.DataFrame, panel: VisitsPanel) -> pd.DataFrame:
    """Visits per person-month by group and calendar quarter (the seed reports' table).

    All filtered visits of the analysed clients in the quarter, before or after their index
    date, over their observed days in the quarter. Columns: ``group``, ``quarter``
    (``2024Q1``), ``visits``, ``person_months``, ``clients``, ``rate``.
    """
    q = pd.period_range(pd.Period(panel.data_start, "Q"), pd.Period(panel.data_cutoff, "Q"), freq="Q")
    qa = q.start_time.to_numpy("datetime64[D]").astype(np.int64)
    qb = q.end_time.to_numpy("datetime64[D]").astype(np.int64)
    c = panel.clients
    start = np.datetime64(panel.data_start, "D").astype(np.int64)
    end = c["observed_to"].to_numpy("datetime64[D]").astype(np.int64)[:, None]
    days = np.clip(np.minimum(qb[None, :], end) - np.maximum(qa[None, :], start) + 1, 0, None)
    obs = scan[scan["observed"] & scan["group"].notna()].copy()
    obs["quarter"] = pd.PeriodIndex(pd.to_datetime(obs["cal_month"]), freq="Q").astype(str)
    counts = obs.groupby(["group", "quarter"])["visits"].sum()
    rows = []
    for g in [g for g in GROUPS if (c["group"] == g).any()]:
        d = days[(c["group"] == g).to_numpy()]
        for j, per in enumerate(q):
            expo = int(d[:, j].sum())
            v = int(counts.get((g, str(per)), 0))
            rows.append({"group": g, "quarter": str(per), "visits": v,
                         "person_months": expo / PERSON_MONTH_DAYS, "clients": int((d[:, j] > 0).sum()),
                         "rate": v / expo * PERSON_MONTH_DAYS if expo > 0 else np.nan})
    return pd.DataFrame(rows)


def monthly_service_counts(scan: pd.DataFrame, panel: VisitsPanel) -> pd.DataFrame:
    """All filtered visits per full calendar month between the data start and the cut-off
    (every client, analysed or not): ``month`` (Period), ``visits``. Partial first and last
    months are left out; months without visits are 0."""
    first = pd.Period(panel.data_start, "M")
    if pd.Timestamp(panel.data_start) != first.start_time:
        first += 1
    last = pd.Period(panel.data_cutoff, "M")
    if pd.Timestamp(panel.data_cutoff) != last.end_time.normalize():
        last -= 1
    months = pd.period_range(first, last, freq="M")
    per = scan.assign(month=pd.PeriodIndex(pd.to_datetime(scan["cal_month"]), freq="M"))
    counts = per.groupby("month")["visits"].sum()
    return pd.DataFrame({"month": months, "visits": [int(counts.get(m, 0)) for m in months]})


# --------------------------------------------------------------------------------------
# the measure
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitsResult(MeasureResult):
    """Visits before and after the index date (``measure = visits``).

    ``estimates`` (results.csv rows, ``n`` = clients unless said otherwise):

    * ``clients`` per group (persons analysed);
    * ``rate_pre``, ``rate_post`` per group — visits per person-month, Poisson model;
    * ``rate_ratio`` per group (post / pre) and, with a comparison group,
      ``did_rate_ratio`` (group ``all``) — Poisson GLM, cluster-robust by client;
    * ``nb_rate_ratio`` / ``nb_did_rate_ratio`` — negative binomial sensitivity analysis;
    * ``adjusted_rate_ratio`` / ``adjusted_did_rate_ratio`` — with covariates (optional);
    * ``mean_change`` per group — mean per-client change in the monthly rate, bootstrap
      interval; the method text carries the Wilcoxon signed-rank p; with a comparison
      group also ``mean_change_difference`` (intervention − comparison);
    * ``pretrend_rate_ratio`` per group and ``pretrend_did_rate_ratio`` — the later half
      of the pre-period against the earlier half (a placebo test of parallel trends);
    * ``its_level_change``, ``its_slope_change`` — interrupted time series (``n`` = months).

    Other fields hold the tables behind the figures (aggregates only, no row-level data),
    the model objects, ``notes`` (Finnish, for the report: sensitivity analyses that could
    not be computed) and ``details`` (the technical reasons, for the analyst; they may name
    rows and are not for publication).
    """

    measure: ClassVar[str] = "visits"
    title_fi: ClassVar[str] = "Käyntimäärät"

    groups: tuple[str, ...] = ()
    summary_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    relative_months: pd.DataFrame = field(default_factory=pd.DataFrame)
    quarters: pd.DataFrame = field(default_factory=pd.DataFrame)
    its_series: pd.DataFrame | None = None
    wilcoxon: pd.DataFrame = field(default_factory=pd.DataFrame)
    exclusions: pd.DataFrame = field(default_factory=pd.DataFrame)
    visit_flow: pd.DataFrame = field(default_factory=pd.DataFrame)
    censored: Mapping[str, int] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    details: tuple[str, ...] = ()
    poisson: CountModelResult | None = None
    negbin: CountModelResult | None = None
    pretrend: CountModelResult | None = None
    its: ItsResult | None = None

    @property
    def has_comparison(self) -> bool:
        return "comparison" in self.groups

    @property
    def n_clients(self) -> int:
        return int(sum(e.n or 0 for e in self.estimates if e.indicator == "clients"))

    def report_tables(self, *, min_cell: int = 5, language: str = "fi") -> dict[str, pd.DataFrame]:
        """Tables for the report with group, period, reason and step labels in ``language``
        (``tables.visits.*`` of the label catalogues); a rate resting on fewer than
        ``min_cell`` clients is blanked (the counts are suppressed when the report is
        rendered, see ``evalkit.report.suppress``)."""
        from ..report.i18n import label, lookup

        def words(family: str, codes) -> dict[str, str]:
            return {c: label(f"tables.visits.{family}.{c}", language) for c in codes}

        group = words("groups", ("intervention", "comparison"))
        period = words("periods", ("pre", "post"))
        summary = self.summary_table.assign(
            group=self.summary_table["group"].map(group), period=self.summary_table["period"].map(period))
        summary["rate"] = summary["rate"].where(self.summary_table["clients"] >= min_cell)
        quarters = self.quarters.assign(group=self.quarters["group"].map(group))
        quarters["rate"] = quarters["rate"].where(self.quarters["clients"] >= min_cell)
        quarters = quarters[quarters["clients"] > 0].reset_index(drop=True)
        # a reason or step the catalogue does not know is shown as its code
        reasons = {r: lookup(f"tables.visits.reasons.{r}", language) or r for r in self.exclusions["reason"].unique()}
        exclusions = self.exclusions.assign(
            group=self.exclusions["group"].map(group), reason=self.exclusions["reason"].map(reasons))
        steps = {st: lookup(f"tables.visits.steps.{st}", language) or st for st in self.visit_flow["step"].unique()}
        flow = self.visit_flow.assign(step=self.visit_flow["step"].map(steps))
        return {"summary": summary, "quarters": quarters, "exclusions": exclusions, "visit_flow": flow}

    def flow_exclusions(self) -> dict[str, int]:
        """Clients left out by reason (for ``Dataset.set_analysed``)."""
        return {str(r): int(n) for r, n in self.exclusions.groupby("reason", sort=False)["clients"].sum().items()}


def visits(
    visits: VisitsSource,
    clients: pd.DataFrame,
    *,
    data_cutoff: date | str,
    data_start: date | str | None = None,
    seed: int | np.random.Generator,
    pre: tuple[int, int] = (-365, -1),
    post: tuple[int, int] = (0, 364),
    washout: int = 0,
    filters: Mapping[str, Sequence[str]] | None = None,
    covariates: Sequence[str] = (),
    bootstrap_reps: int = 2000,
    rtm_months: int = 24,
    its_change: date | str | None = None,
    its_harmonics: int = 2,
    its_hac_lags: int | None = None,
    level: float = 0.95,
) -> VisitsResult:
    """Visits per person-month before and after each client's index date, by group.

    Parameters
    ----------
    visits, clients, pre, post, washout, filters, data_start, data_cutoff
        As in :func:`visits_panel`.
    seed
        Seed (or Generator) of the bootstrap of ``mean_change``.
    covariates
        Columns of ``clients`` for an adjusted sensitivity model (``age`` is derived from
        ``birth_year`` at the index date when asked for and not present).
    bootstrap_reps
        Bootstrap draws for ``mean_change``.
    rtm_months
        Months before the index shown in the regression-to-the-mean diagnostic.
    its_change
        Date of the change for the interrupted time series of monthly service counts;
        ``None`` skips it.
    its_harmonics, its_hac_lags
        Seasonality (Fourier pairs; 0 = none) and Newey–West lags (``None`` = rule of thumb).
    level
        Confidence level.

    Returns
    -------
    VisitsResult

    Notes
    -----
    The primary model is :func:`evalkit.stats.counts.poisson_panel` on the panel (checked
    against R ``glm`` + ``sandwich::vcovCL``); the negative binomial model is
    :func:`~evalkit.stats.counts.negbin_panel` (R ``MASS::glm.nb``); the change per client
    uses :func:`~evalkit.stats.bootstrap.bootstrap_mean` and
    :func:`~evalkit.stats.bootstrap.wilcoxon_signed_rank` (R ``boot``, ``wilcox.test``); the
    time series uses :func:`~evalkit.stats.its.segmented_regression` with
    ``se="conservative"`` (R ``glm`` + ``sandwich::NeweyWest``: the larger of the Newey–West
    and lag-0 standard errors, t intervals; Newey–West alone covered the true level change in
    only about 85 % of simulated 48-month series, ``benchmarks/results/coverage.md``). A sensitivity model that cannot be fitted (e.g. no
    overdispersion for the negative binomial) is left out with a note, never silently.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    panel = visits_panel(visits, clients, pre=pre, post=post, washout=washout, filters=filters,
                         data_start=data_start, data_cutoff=data_cutoff)
    frame = panel.frame
    groups = tuple(g for g in ("intervention", "comparison") if (frame["group"] == g).any())
    notes: list[tuple[str, str]] = []  # (Finnish note for the report, technical detail)
    estimates: list[Estimate] = [
        Estimate("clients", float(n), "persons", "analysoidut asiakkaat", n=int(n), group=g)
        for g, n in panel.n_by_group().items()]

    poisson = poisson_panel(frame, level=level)
    estimates += poisson.to_estimates()

    negbin = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StatisticalWarning)
            negbin = negbin_panel(frame, level=level)
        estimates += negbin.to_estimates()
    except AnalysisError as exc:
        notes.append((Note.of("phrases.visits.notes.nb_failed"), str(exc)))

    if covariates:
        adj_frame = _with_covariates(frame, panel, clients, covariates)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", StatisticalWarning)
                adjusted = poisson_panel(adj_frame, covariates=tuple(covariates), level=level)
            estimates += [e.with_(indicator=f"adjusted_{e.indicator}") for e in adjusted.to_estimates()]
        except AnalysisError as exc:
            notes.append((Note.of("phrases.visits.notes.adjusted_failed"), str(exc)))

    wide = panel.wide()
    wil_rows = []
    changes = {}
    for g in groups:
        sub = wide[wide["group"] == g]
        changes[g] = sub["change"].to_numpy(dtype=float)
        boot = bootstrap_mean(changes[g], seed=rng, reps=bootstrap_reps, level=level)
        wil = wilcoxon_signed_rank(sub["rate_post"].to_numpy(float), sub["rate_pre"].to_numpy(float))
        wil_rows.append({"group": g, "statistic": wil.statistic, "p_value": wil.p_value, "n": wil.n,
                         "n_zero": wil.n_zero, "exact": wil.exact})
        method = (f"asiakaskohtaisen muutoksen (käyntiä / hlö-kk) keskiarvo; {boot.method}; "
                  f"Wilcoxonin merkittyjen sijalukujen testi {_p_text(wil.p_value)}")
        estimates.append(Estimate("mean_change", boot.estimate, "visits_per_person_month", method,
                                  n=int(len(sub)), ci_low=boot.ci_low, ci_high=boot.ci_high, group=g))
    if len(groups) == 2:
        diff = bootstrap_mean_difference(changes["intervention"], changes["comparison"], seed=rng,
                                         reps=bootstrap_reps, level=level)
        estimates.append(Estimate("mean_change_difference", diff.estimate, "visits_per_person_month",
                                  f"muutosten erotus (toimintamalli − vertailu); {diff.method}",
                                  n=diff.n, ci_low=diff.ci_low, ci_high=diff.ci_high, group="all"))

    pretrend = _pretrend(visits, clients, panel, level=level, notes=notes)
    if pretrend is not None:
        estimates += [e.with_(indicator=f"pretrend_{e.indicator}")
                      for e in pretrend.to_estimates() if "rate_ratio" in e.indicator]

    scan = _monthly_scan(visits, panel)
    months_after = int(np.ceil((panel.post_window[1] + 1) / PERSON_MONTH_DAYS)) - 1
    rel_months = relative_month_rates(scan, panel, months_before=rtm_months, months_after=months_after)
    quarters = calendar_quarter_rates(scan, panel)

    its = None
    its_series = None
    if its_change is not None:
        its_series = monthly_service_counts(scan, panel)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", StatisticalWarning)
                its = segmented_regression(its_series, outcome="visits", change=str(its_change),
                                           harmonics=its_harmonics, hac_lags=its_hac_lags, level=level,
                                           se="conservative")
            estimates += its.to_estimates()
        except AnalysisError as exc:
            notes.append((Note.of("phrases.visits.notes.its_failed"), str(exc)))

    summary = _summary_table(frame, groups)
    settings = {"pre_window": panel.pre_window, "post_window": panel.post_window,
                "washout": panel.washout, "filters": dict(panel.filters),
                "data_start": panel.data_start, "data_start_inferred": panel.data_start_inferred,
                "data_cutoff": panel.data_cutoff, "bootstrap_reps": bootstrap_reps,
                "rtm_months": rtm_months,
                "its_change": _as_date(its_change, "its_change") if its_change is not None else None,
                "level": level,
                "covariates": tuple(covariates),
                "nb_alpha": negbin.alpha if negbin is not None else None}
    return VisitsResult(
        estimates=tuple(estimates), groups=groups, summary_table=summary, relative_months=rel_months,
        quarters=quarters, its_series=its.series if its is not None else its_series,
        wilcoxon=pd.DataFrame(wil_rows), exclusions=panel.exclusions, visit_flow=panel.visit_flow,
        censored=dict(panel.censored), settings=settings, notes=tuple(n for n, _ in notes),
        details=tuple(d for _, d in notes if d), poisson=poisson,
        negbin=negbin, pretrend=pretrend, its=its)


def _p_text(p: float) -> str:
    """``'p < 0,001'`` or ``'p = 0,004'`` (not ``'p = < 0,001'``)."""
    return "p < 0,001" if p < 0.001 else "p = " + f"{p:.3f}".replace(".", ",")


def _summary_table(frame: pd.DataFrame, groups: Sequence[str]) -> pd.DataFrame:
    """Crude totals by group and period: clients, visits, person-months, rate."""
    rows = []
    for g in groups:
        for per in ("pre", "post"):
            sub = frame[(frame["group"] == g) & (frame["period"] == per)]
            pm = sub["exposure_days"].sum() / PERSON_MONTH_DAYS
            rows.append({"group": g, "period": per, "clients": int(sub["client_id"].nunique()),
                         "visits": int(sub["visits"].sum()), "person_months": float(pm),
                         "rate": float(sub["visits"].sum() / pm) if pm > 0 else np.nan})
    return pd.DataFrame(rows)


def _pretrend(visits: VisitsSource, clients: pd.DataFrame, panel: VisitsPanel, *, level: float,
              notes: list[tuple[str, str]]) -> CountModelResult | None:
    """Later half of the pre-period against the earlier half (placebo post/pre)."""
    lo, hi = panel.pre_window
    if hi - lo + 1 < 60:
        notes.append((Note.of("phrases.visits.notes.pretrend_short"), ""))
        return None
    mid = lo + (hi - lo + 1) // 2
    try:
        placebo = visits_panel(visits, clients, pre=(lo, mid - 1), post=(mid, hi), washout=0,
                               filters=panel.filters, data_start=panel.data_start,
                               data_cutoff=panel.data_cutoff)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StatisticalWarning)
            return poisson_panel(placebo.frame, level=level)
    except AnalysisError as exc:
        notes.append((Note.of("phrases.visits.notes.pretrend_failed"), str(exc)))
        return None


def _with_covariates(frame: pd.DataFrame, panel: VisitsPanel, clients: pd.DataFrame,
                     covariates: Sequence[str]) -> pd.DataFrame:
    cl = clients.copy()
    cl["client_id"] = cl["client_id"].astype(str)
    if "age" in covariates and "age" not in cl.columns:
        if "birth_year" not in cl.columns:
            raise DataError([DataProblem(file="clients", table="clients", column="birth_year",
                                         rule="covariate 'age' needs birth_year")])
        idx = panel.clients.set_index("client_id")["index_date"]
        cl["age"] = (cl["client_id"].map(idx).dt.year
                     - pd.to_numeric(cl["birth_year"], errors="coerce"))
    missing = [c for c in covariates if c not in cl.columns]
    if missing:
        raise DataError([DataProblem(file="clients", table="clients", column=c,
                                     rule="covariate column is missing (params visits.covariates)")
                         for c in missing])
    return frame.merge(cl[["client_id", *covariates]], on="client_id", how="left", validate="many_to_one")


def options_from_params(params: Any) -> dict[str, Any]:
    """Keyword arguments of :func:`visits` from a model's :class:`evalkit.params.Params`."""
    o = params.visits
    its = o.its
    return {
        "data_cutoff": params.data_cutoff, "data_start": params.data_start, "seed": params.seed,
        "pre": o.pre_window, "post": o.post_window, "washout": o.washout_days,
        "filters": {k: list(v) for k, v in o.filters.items()}, "covariates": tuple(o.covariates),
        "bootstrap_reps": o.bootstrap_reps, "rtm_months": o.rtm_months,
        "its_change": its.change_date if its is not None else None,
        "its_harmonics": (2 if its.seasonality else 0) if its is not None else 2,
        "its_hac_lags": its.hac_lags if its is not None else None,
    }
