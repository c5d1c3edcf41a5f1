"""Käyntimäärät: visits before and after each client's own index date.

The person-period panel (:func:`visits_panel`) is built in DuckDB: the visits — a pandas
DataFrame or a ``duckdb.DuckDBPyRelation`` over Parquet/CSV files with tens of millions of
rows — are joined to the (small) clients table and aggregated in one scan; only the panel
(two rows per client) reaches pandas. Every visit row and every client is accounted for:
rows filtered out, orphan rows, rows outside the windows, clients left out and why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ..errors import AnalysisError, DataError, DataProblem

__all__ = [
    "PERSON_MONTH_DAYS",
    "VisitsPanel",
    "VisitsSource",
    "visits_panel",
]

#: Days in a person-month (365.25 / 12).
PERSON_MONTH_DAYS = 30.4375

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
    raw = frame[column]
    if pd.api.types.is_datetime64_any_dtype(raw):
        return raw.dt.normalize()
    text = raw.astype("string").str.strip()
    text = text.mask(text == "")
    parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
    bad = parsed.isna() & text.notna()
    for i in np.flatnonzero(bad.to_numpy())[:_SHOWN]:
        problems.append(DataProblem(file="clients", table="clients", row=int(i) + 2, column=column,
                                    value=raw.iloc[i], rule="not a date (expected YYYY-MM-DD)"))
    return parsed


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
        con = duckdb.connect()
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
        "client_id": cl["client_id"],
        "started": started,
        "pre_from": (idx + pd.to_timedelta(pre_w[0], unit="D")),
        "pre_to": (idx + pd.to_timedelta(pre_w[1], unit="D")).where(
            idx + pd.to_timedelta(pre_w[1], unit="D") <= cl["followup_end"], cl["followup_end"]),
        "post_from": (idx + pd.to_timedelta(post_w[0], unit="D")),
        "post_to": (idx + pd.to_timedelta(post_w[1], unit="D")).where(
            idx + pd.to_timedelta(post_w[1], unit="D") <= cl["followup_end"], cl["followup_end"]),
    })
    lower = start or _FAR_PAST
    sql = f"""
        WITH v AS (
            SELECT CAST(client_id AS VARCHAR) AS cid, {cols['date']} AS d, {cols['n']} AS n,
                   {cols['value']} AS val, {cols['kept']} AS kept,
                   "date" IS NULL OR TRIM(CAST("date" AS VARCHAR)) = '' AS no_date
            FROM visits_src
        ), c AS (
            SELECT client_id, started, CAST(pre_from AS DATE) AS pre_from, CAST(pre_to AS DATE) AS pre_to,
                   CAST(post_from AS DATE) AS post_from, CAST(post_to AS DATE) AS post_to
            FROM _evalkit_clients
        ), j AS (
            SELECT v.*, c.client_id IS NOT NULL AS known, c.started,
                CASE
                    WHEN v.d IS NULL OR NOT v.kept OR c.client_id IS NULL OR NOT c.started THEN NULL
                    WHEN v.d < DATE '{lower.isoformat()}' THEN NULL
                    WHEN v.d BETWEEN c.pre_from AND c.pre_to THEN 'pre'
                    WHEN v.d BETWEEN c.post_from AND c.post_to THEN 'post'
                END AS period
            FROM v LEFT JOIN c ON v.cid = c.client_id
        )
        SELECT
            CASE WHEN d IS NOT NULL AND kept AND known AND started THEN cid END AS client_id,
            CASE
                WHEN d IS NULL THEN 'bad_date'
                WHEN NOT kept THEN 'filtered_out'
                WHEN NOT known THEN 'orphan'
                WHEN NOT started THEN 'client_not_analysed'
                WHEN period IS NULL THEN 'outside_windows'
                ELSE period
            END AS step,
            count(*) AS rows,
            sum(n) AS visits,
            sum(val * n) AS value,
            count(*) FILTER (WHERE n IS NULL OR n < 0) AS bad_n,
            count(*) FILTER (WHERE val IS NULL AND period IS NOT NULL) AS missing_value,
            count(*) FILTER (WHERE no_date) AS no_date,
            min(d) AS first_date
        FROM j
        GROUP BY ALL
    """
    agg = rel.query("visits_src", sql).df()
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
    keep_ids = set(win.loc[analysed, "client_id"])
    of_client = agg["client_id"].notna()
    dropped = agg[of_client & ~agg["client_id"].isin(keep_ids)]
    counted = agg[agg["step"].isin(["pre", "post"]) & agg["client_id"].isin(keep_ids)]
    base = win.loc[analysed, ["client_id", "group", "index_date"]].reset_index(drop=True)
    rows = []
    for period, expo in (("pre", expo_pre), ("post", expo_post)):
        part = base[["client_id", "group"]].copy()
        part["period"] = period
        part["exposure_days"] = expo[analysed].to_numpy()
        rows.append(part)
    frame = pd.concat(rows, ignore_index=True)
    got = counted.rename(columns={"step": "period"})[["client_id", "period", "visits", "value"]]
    frame = frame.merge(got, on=["client_id", "period"], how="left", validate="one_to_one")
    frame["visits"] = frame["visits"].fillna(0).astype("int64")
    if value is not None:
        frame["value"] = frame["value"].fillna(0.0).astype(float)
        frame = frame[["client_id", "group", "period", "visits", "exposure_days", "value"]]
    else:
        frame = frame[["client_id", "group", "period", "visits", "exposure_days"]]
    frame["exposure_days"] = frame["exposure_days"].astype("int64")
    frame = frame.sort_values(["client_id", "period"], key=_period_key, kind="mergesort",
                              ignore_index=True)

    flow = _visit_flow(agg, dropped)
    exclusions = (pd.DataFrame({"reason": reason[~analysed], "group": win.loc[~analysed, "group"]})
                  .groupby(["reason", "group"], sort=False).size().rename("clients").reset_index())
    exclusions["order"] = exclusions["reason"].map({r: i for i, r in enumerate(CLIENT_REASONS)})
    exclusions = exclusions.sort_values(["order", "group"]).drop(columns="order").reset_index(drop=True)
    analysed_clients = base.assign(
        observed_from=s,
        observed_to=win.loc[analysed, "followup_end"].to_numpy(),
    ).sort_values("client_id", ignore_index=True)
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


def _period_key(col: pd.Series) -> pd.Series:
    if col.name == "period":
        return col.map({"pre": 0, "post": 1})
    return col


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
