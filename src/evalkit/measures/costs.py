"""Kustannusvaikuttavuus: service-use costs, intervention costs, cost offset and
cost-effectiveness with bootstrap uncertainty.

Costing
    Every visit gets the unit cost of the most specific matching ``unit_costs`` row
    (:func:`costed_visits`; a visit of a service with no matching row is a
    :class:`~evalkit.errors.DataError` listing the service / professional / contact type),
    moved to the report's cost year with the price index (:func:`unit_costs_in_year`). The
    per-client cost in the pre- and post-window comes from the visits panel's value hook
    (:func:`evalkit.measures.visits.visits_panel` with ``value="unit_cost"``), so the windows,
    wash-out, censoring and exclusions are exactly those of the visits measure. Intervention
    costs (:func:`intervention_cost_per_client`) are ``total`` (divided over the analysed
    intervention clients), ``per_client`` or ``per_session``. Post-window costs beyond the
    first year are discounted (``discount_rate``); a horizon of a year or less is not.

Cost-effectiveness
    The per-client cost of the comparison is intervention cost + post-window service cost;
    the effect comes from a per-client frame (``client_id``, ``effect``) that the caller
    builds from the outcome measure (:func:`effects_for_outcome`). Paired (cost, effect)
    draws within each group (:func:`evalkit.stats.bootstrap.bootstrap_cost_effect`) give
    ΔC, ΔE, ICER, INMB, the acceptability curve, EVPI and the quadrant shares
    (:func:`evalkit.stats.costeffect.cost_effectiveness`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..errors import AnalysisError, DataError, DataProblem
from ..report.wording.costs import costs_note, outcome_label
from ..results import Estimate, MeasureResult
from ..stats.bootstrap import (
    bootstrap_cost_effect,
    bootstrap_mean,
    bootstrap_mean_difference,
)
from ..stats.costeffect import CostEffectivenessResult, cost_effectiveness, wtp_grid
from .visits import VisitsSource, _ident, _relation, visits_panel

__all__ = [
    "CostsResult",
    "client_costs",
    "costed_visits",
    "costs",
    "costs_for_model",
    "discount_factors",
    "effects_for_outcome",
    "intervention_cost_per_client",
    "options_from_params",
    "price_factor",
    "sessions_from_questionnaires",
    "tornado",
    "unit_costs_in_year",
]

GROUPS = ("intervention", "comparison")
_SHOWN = 10
_YEAR_DAYS = 365


# --------------------------------------------------------------------------------------
# price index and unit costs
# --------------------------------------------------------------------------------------


def price_factor(price_index: pd.DataFrame | None, *, year: int, cost_year: int,
                 what: str = "cost") -> float:
    """Multiplier moving euros of ``year`` to euros of ``cost_year``: index[cost_year] / index[year].

    Raises
    ------
    DataError
        The price index lacks either year (or is missing while the years differ).
    """
    year, cost_year = int(year), int(cost_year)
    if year == cost_year:
        return 1.0
    if price_index is None:
        raise DataError([DataProblem(file="price_index", table="price_index", column="year", value=year,
                                     rule=f"{what} of {year} must be moved to {cost_year} euros but no price "
                                          "index was given")])
    idx = _index_map(price_index)
    missing = [y for y in (year, cost_year) if y not in idx]
    if missing:
        raise DataError([DataProblem(file="price_index", table="price_index", column="year", value=y,
                                     rule=f"year missing from the price index (needed to move {what} of {year} "
                                          f"to {cost_year} euros)") for y in missing])
    return idx[cost_year] / idx[year]


def _index_map(price_index: pd.DataFrame) -> dict[int, float]:
    for col in ("year", "index"):
        if col not in price_index.columns:
            raise DataError([DataProblem(file="price_index", table="price_index", column=col,
                                         rule="required column is missing")])
    out: dict[int, float] = {}
    for i, (y, v) in enumerate(zip(price_index["year"], price_index["index"], strict=True)):
        v = float(v) if v is not None and not pd.isna(v) else math.nan
        if pd.isna(y) or not (v > 0):
            raise DataError([DataProblem(file="price_index", table="price_index", row=i + 2, column="index",
                                         value=v, rule="price index must be a positive number with its year")])
        out[int(y)] = v
    return out


def _text(col: pd.Series) -> pd.Series:
    s = col.astype("string").str.strip()
    return s.mask(s == "")


def unit_costs_in_year(unit_costs: pd.DataFrame, price_index: pd.DataFrame | None, *,
                       cost_year: int) -> pd.DataFrame:
    """Unit costs moved to ``cost_year`` euros.

    Returns one row per unit-cost row: ``service``, ``professional``, ``contact_type``
    (``<NA>`` = any), ``unit_cost_eur`` and ``cost_year`` as given, ``factor`` (price-index
    multiplier) and ``unit_cost`` (in ``cost_year`` euros).

    Raises
    ------
    DataError
        A required column is missing, a cost is missing or negative, two rows have the same
        service / professional / contact type, or the price index lacks a year.
    """
    missing = [c for c in ("service", "unit_cost_eur", "cost_year") if c not in unit_costs.columns]
    if missing:
        raise DataError([DataProblem(file="unit_costs", table="unit_costs", column=c,
                                     rule="required column is missing") for c in missing])
    out = pd.DataFrame({
        "service": _text(unit_costs["service"]),
        "professional": _text(unit_costs["professional"]) if "professional" in unit_costs.columns
        else pd.Series(pd.NA, index=unit_costs.index, dtype="string"),
        "contact_type": _text(unit_costs["contact_type"]) if "contact_type" in unit_costs.columns
        else pd.Series(pd.NA, index=unit_costs.index, dtype="string"),
        "unit_cost_eur": pd.to_numeric(unit_costs["unit_cost_eur"], errors="coerce").astype(float),
        "cost_year": pd.to_numeric(unit_costs["cost_year"], errors="coerce"),
    }).reset_index(drop=True)
    problems = []
    for i in np.flatnonzero(out["service"].isna().to_numpy())[:_SHOWN]:
        problems.append(DataProblem(file="unit_costs", table="unit_costs", row=int(i) + 2, column="service",
                                    rule="missing service"))
    bad = ~(out["unit_cost_eur"] >= 0)
    for i in np.flatnonzero(bad.to_numpy())[:_SHOWN]:
        problems.append(DataProblem(file="unit_costs", table="unit_costs", row=int(i) + 2, column="unit_cost_eur",
                                    value=unit_costs["unit_cost_eur"].iloc[i],
                                    rule="unit cost must be a non-negative number"))
    for i in np.flatnonzero(out["cost_year"].isna().to_numpy())[:_SHOWN]:
        problems.append(DataProblem(file="unit_costs", table="unit_costs", row=int(i) + 2, column="cost_year",
                                    value=unit_costs["cost_year"].iloc[i], rule="cost year must be a year"))
    key = out[["service", "professional", "contact_type"]].fillna("\x00")
    for i in np.flatnonzero(key.duplicated().to_numpy())[:_SHOWN]:
        problems.append(DataProblem(file="unit_costs", table="unit_costs", row=int(i) + 2, column="service",
                                    value="/".join(str(v) for v in key.iloc[i] if v != "\x00"),
                                    rule="the same service / professional / contact type appears twice"))
    if problems:
        raise DataError(problems)
    out["cost_year"] = out["cost_year"].astype(int)
    out["factor"] = [price_factor(price_index, year=y, cost_year=cost_year, what="unit costs")
                     for y in out["cost_year"]]
    out["unit_cost"] = out["unit_cost_eur"] * out["factor"]
    return out


def _values_sql(uc: pd.DataFrame, *, professional: bool, contact_type: bool) -> str | None:
    """A ``VALUES`` list of the unit-cost rows of one specificity level (None when empty)."""
    sel = uc[(uc["professional"].notna() == professional) & (uc["contact_type"].notna() == contact_type)]
    if sel.empty:
        return None

    def lit(v: Any) -> str:
        return "NULL" if v is None or pd.isna(v) else "'" + str(v).replace("'", "''") + "'"

    rows = [f"({lit(r.service)}, {lit(r.professional)}, {lit(r.contact_type)}, CAST({float(r.unit_cost)!r} AS DOUBLE))"
            for r in sel.itertuples(index=False)]
    return "VALUES " + ", ".join(rows)


def costed_visits(visits: VisitsSource, unit_costs: pd.DataFrame, *, column: str = "unit_cost"):
    """The visits with the unit cost (cost-year euros) of each visit as a new column.

    ``unit_costs`` is the output of :func:`unit_costs_in_year`. The most specific matching
    row wins: service + professional + contact type, then service + professional, then
    service + contact type, then the service alone (blank professional / contact type in a
    unit-cost row means "any"). Values are compared as trimmed text.

    Returns a lazy ``duckdb`` relation (the visits are not copied into pandas).

    Raises
    ------
    DataError
        Visits whose service (with their professional and contact type) has no matching
        unit cost: one problem per combination, with the number of visit rows.
    """
    rel = _relation(visits)
    cols = set(rel.columns)
    if "service" not in cols:
        raise DataError([DataProblem(file="visits", table="visits", column="service",
                                     rule="required column for costing is missing")])

    def vcol(name: str) -> str:
        return f"NULLIF(TRIM(CAST(v.{_ident(name)} AS VARCHAR)), '')" if name in cols else "CAST(NULL AS VARCHAR)"

    s, p, c = vcol("service"), vcol("professional"), vcol("contact_type")
    levels = [  # (alias, professional?, contact_type?, join condition)
        ("u_pc", True, True, f"u_pc.s = {s} AND u_pc.p = {p} AND u_pc.c = {c}"),
        ("u_p", True, False, f"u_p.s = {s} AND u_p.p = {p}"),
        ("u_c", False, True, f"u_c.s = {s} AND u_c.c = {c}"),
        ("u_s", False, False, f"u_s.s = {s}"),
    ]
    ctes, joins, coalesce = [], [], []
    for alias, has_p, has_c, cond in levels:
        values = _values_sql(unit_costs, professional=has_p, contact_type=has_c)
        if values is None:
            continue
        ctes.append(f"{alias}(s, p, c, cost) AS ({values})")
        joins.append(f"LEFT JOIN {alias} ON {cond}")
        coalesce.append(f"{alias}.cost")
    cost_expr = f"COALESCE({', '.join(coalesce)})" if coalesce else "CAST(NULL AS DOUBLE)"
    with_ = ("WITH " + ", ".join(ctes)) if ctes else ""
    sql = f"""{with_}
        SELECT v.*, {cost_expr} AS {_ident(column)},
               {s} AS _evalkit_s, {p} AS _evalkit_p, {c} AS _evalkit_c
        FROM visits_src v {' '.join(joins)}"""
    joined = rel.query("visits_src", sql)
    unmatched = joined.query("costed", f"""
        SELECT _evalkit_s, _evalkit_p, _evalkit_c, count(*) AS rows
        FROM costed WHERE {_ident(column)} IS NULL GROUP BY ALL ORDER BY rows DESC, 1, 2, 3""").fetchall()
    if unmatched:
        total = sum(r[3] for r in unmatched)
        problems = [DataProblem(file="visits", table="visits", column="service", value=sv or "",
                                rule=f"no unit cost for service {sv or '(tyhjä)'}"
                                     f"{', professional ' + pv if pv else ''}{', contact type ' + cv if cv else ''}"
                                     f" ({n} visit row(s); add a row to unit_costs; {total} row(s) in all)")
                    for sv, pv, cv, n in unmatched[:_SHOWN]]
        raise DataError(problems)
    keep = ", ".join(_ident(x) for x in rel.columns)
    return joined.query("costed", f"SELECT {keep}, {_ident(column)} FROM costed")


# --------------------------------------------------------------------------------------
# intervention costs
# --------------------------------------------------------------------------------------


def sessions_from_questionnaires(questionnaires: pd.DataFrame) -> pd.DataFrame:
    """Sessions attended per client, from the questionnaires table.

    A session is a distinct ``session`` number (rows without one count by distinct
    ``date``). Returns ``client_id``, ``sessions``.
    """
    for col in ("client_id", "date"):
        if col not in questionnaires.columns:
            raise DataError([DataProblem(file="questionnaires", table="questionnaires", column=col,
                                         rule="required column for counting sessions is missing")])
    q = pd.DataFrame({"client_id": questionnaires["client_id"].astype(str),
                      "date": questionnaires["date"].astype(str)})
    if "session" in questionnaires.columns:
        sess = pd.to_numeric(questionnaires["session"], errors="coerce")
        q["key"] = np.where(sess.notna(), "s" + sess.astype("Float64").astype(str), "d" + q["date"])
    else:
        q["key"] = "d" + q["date"]
    out = q.groupby("client_id", sort=True)["key"].nunique().rename("sessions").reset_index()
    out["sessions"] = out["sessions"].astype("int64")
    return out


def intervention_cost_per_client(
    intervention_costs: pd.DataFrame | None,
    price_index: pd.DataFrame | None,
    *,
    clients: Sequence[str],
    cost_year: int,
    sessions: pd.DataFrame | None = None,
    model: str | None = None,
) -> tuple[pd.Series, pd.DataFrame]:
    """Intervention cost of each analysed intervention client, in ``cost_year`` euros.

    ``total`` items are divided equally over ``clients``; ``per_client`` items are charged
    to every client; ``per_session`` items are multiplied by each client's sessions
    (``sessions``: ``client_id``, ``sessions``; a client without a row has 0 sessions).
    Rows of another ``model`` are left out.

    Returns
    -------
    (per_client, items)
        ``per_client``: Series indexed by client id. ``items``: one row per cost item with
        ``item``, ``basis``, ``amount_eur``, ``year``, ``factor``, ``amount`` (cost-year €),
        ``total`` (cost-year € over all clients).
    """
    ids = pd.Index([str(c) for c in clients], name="client_id")
    per_client = pd.Series(0.0, index=ids, name="intervention_cost")
    cols = ["item", "basis", "amount_eur", "year", "factor", "amount", "total"]
    if intervention_costs is None or len(intervention_costs) == 0:
        return per_client, pd.DataFrame(columns=cols)
    ic = intervention_costs
    if model is not None and "model" in ic.columns:
        m = _text(ic["model"])
        ic = ic[m.isna() | (m == model)]
    n = len(ids)
    rows = []
    sess = None
    for i, r in enumerate(ic.itertuples(index=False)):
        basis = str(r.basis).strip()
        f = price_factor(price_index, year=int(r.year), cost_year=cost_year, what=f"intervention cost '{r.item}'")
        amount = float(r.amount_eur) * f
        if basis == "total":
            if n == 0:
                raise AnalysisError("intervention costs: a total-basis cost but no analysed intervention client")
            add = pd.Series(amount / n, index=ids)
        elif basis == "per_client":
            add = pd.Series(amount, index=ids)
        elif basis == "per_session":
            if sessions is None:
                raise DataError([DataProblem(file="intervention_costs", table="intervention_costs", row=i + 2,
                                             column="basis", value=basis,
                                             rule="a per-session cost needs the sessions of each client "
                                                  "(questionnaires table with session numbers)")])
            if sess is None:
                sess = sessions.assign(client_id=sessions["client_id"].astype(str)).set_index("client_id")["sessions"]
            add = sess.reindex(ids).fillna(0).astype(float) * amount
        else:
            raise DataError([DataProblem(file="intervention_costs", table="intervention_costs", row=i + 2,
                                         column="basis", value=basis,
                                         rule="basis must be total, per_client or per_session")])
        per_client = per_client + add.to_numpy()
        rows.append({"item": str(r.item), "basis": basis, "amount_eur": float(r.amount_eur), "year": int(r.year),
                     "factor": f, "amount": amount, "total": float(add.sum())})
    return per_client.rename("intervention_cost"), pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------------------
# per-client costs
# --------------------------------------------------------------------------------------


def discount_factors(post: tuple[int, int], rate: float) -> list[tuple[tuple[int, int], float]]:
    """Yearly segments of the post-window beyond the first year and their discount factors.

    Year ``k`` (days ``365k … 365k + 364`` from the index date) is discounted by
    ``1 / (1 + rate)^k``; the first year (k = 0) is not, so a horizon of a year or less is
    never discounted. Returns ``[((from, to), factor), …]`` for k ≥ 1 only.
    """
    lo, hi = int(post[0]), int(post[1])
    out = []
    k = max(1, lo // _YEAR_DAYS)
    while k * _YEAR_DAYS <= hi:
        seg = (max(lo, k * _YEAR_DAYS), min(hi, k * _YEAR_DAYS + _YEAR_DAYS - 1))
        out.append((seg, 1.0 / (1.0 + rate) ** k))
        k += 1
    return out


@dataclass(frozen=True)
class ClientCosts:
    """Per-client costs (cost-year euros) of the analysed clients.

    ``frame``: ``client_id``, ``group``, ``intervention_cost``, ``service_pre``,
    ``service_post`` (discounted beyond the first year), ``service_post_undiscounted``,
    ``exposure_pre``, ``exposure_post`` (days), ``total`` (intervention + post service
    cost), and ``service_post_year<k>`` (undiscounted, k ≥ 1) when the horizon is longer
    than a year.
    """

    frame: pd.DataFrame
    items: pd.DataFrame
    unit_costs: pd.DataFrame
    panel: Any
    segments: tuple[tuple[tuple[int, int], float], ...]


def client_costs(
    visits: VisitsSource,
    clients: pd.DataFrame,
    *,
    unit_costs: pd.DataFrame,
    price_index: pd.DataFrame | None,
    intervention_costs: pd.DataFrame | None,
    cost_year: int,
    data_cutoff: date | str,
    data_start: date | str | None = None,
    pre: tuple[int, int] = (-365, -1),
    post: tuple[int, int] = (0, 364),
    washout: int = 0,
    discount_rate: float = 0.03,
    sessions: pd.DataFrame | None = None,
    model: str | None = None,
) -> ClientCosts:
    """Intervention cost and service cost in the pre- and post-window of each analysed client.

    The windows, wash-out, censoring and client exclusions are those of
    :func:`~evalkit.measures.visits.visits_panel` (all services, no filter); see
    :func:`costed_visits` and :func:`intervention_cost_per_client` for the costing.
    """
    uc = unit_costs_in_year(unit_costs, price_index, cost_year=cost_year)
    rel = costed_visits(visits, uc)
    panel = visits_panel(rel, clients, pre=pre, post=post, washout=washout, data_start=data_start,
                         data_cutoff=data_cutoff, value="unit_cost")
    f = panel.frame
    wide = f.pivot(index=["client_id", "group"], columns="period", values=["value", "exposure_days"])
    wide.columns = [f"{'service' if a == 'value' else 'exposure'}_{b}" for a, b in wide.columns]
    wide = wide.reset_index()
    for col in ("exposure_pre", "exposure_post"):
        wide[col] = wide[col].astype("int64")
    wide["service_post_undiscounted"] = wide["service_post"]
    segments = tuple(discount_factors(panel.post_window, discount_rate))
    discounted = wide["service_post"].copy()
    for k, (seg, factor) in enumerate(segments, start=1):
        seg_panel = _segment_panel(rel, clients, panel, seg)
        got = wide["client_id"].map(seg_panel).fillna(0.0)
        wide[f"service_post_year{k}"] = got
        discounted = discounted - got * (1.0 - factor)
    wide["service_post"] = discounted
    ids = wide.loc[wide["group"] == "intervention", "client_id"]
    per_client, items = intervention_cost_per_client(intervention_costs, price_index, clients=list(ids),
                                                     cost_year=cost_year, sessions=sessions, model=model)
    wide["intervention_cost"] = wide["client_id"].map(per_client).fillna(0.0)
    wide["total"] = wide["intervention_cost"] + wide["service_post"]
    front = ["client_id", "group", "intervention_cost", "service_pre", "service_post", "service_post_undiscounted",
             "exposure_pre", "exposure_post", "total"]
    wide = wide[front + [c for c in wide.columns if c not in front]]
    return ClientCosts(frame=wide.sort_values("client_id", ignore_index=True), items=items, unit_costs=uc,
                       panel=panel, segments=segments)


def _segment_panel(rel, clients: pd.DataFrame, panel, seg: tuple[int, int]) -> pd.Series:
    """Undiscounted service cost per client in one post-window segment."""
    try:
        p = visits_panel(rel, clients, pre=panel.pre_window, post=seg, washout=0, data_start=panel.data_start,
                         data_cutoff=panel.data_cutoff, value="unit_cost")
    except AnalysisError:  # nobody observed this far
        return pd.Series(dtype=float)
    post = p.frame[p.frame["period"] == "post"]
    return post.set_index("client_id")["value"]


# --------------------------------------------------------------------------------------
# effects
# --------------------------------------------------------------------------------------


def effects_for_outcome(outcome: str, data: Any, params: Any) -> pd.DataFrame:
    """Per-client effect frame (``client_id``, ``group``, ``effect``) for ``costs.outcome``.

    ``employed`` / ``progressed`` come from
    ``evalkit.measures.employment.client_outcomes``; ``recovery``,
    ``reliable_improvement``, ``reliable_recovery`` (NA outside the NHS denominator) and
    ``phq9_change`` / ``gad7_change`` from ``evalkit.measures.symptoms.client_outcomes``.
    Booleans become 0/1.

    Raises
    ------
    AnalysisError
        The outcome is unknown.
    """
    employment = ("employed", "progressed")
    symptoms = ("recovery", "reliable_improvement", "reliable_recovery", "reliable_deterioration",
                "phq9_change", "gad7_change")
    if outcome in employment:
        from . import employment as emp

        frame = emp.client_outcomes(data.clients, data.employment, **emp.outcome_options(params))
    elif outcome in symptoms:
        from . import symptoms as sym

        frame = sym.client_outcomes(data.questionnaires, data.clients, **sym.outcome_options_from_params(params))
    else:
        raise AnalysisError(f"costs.outcome '{outcome}' is not known; use one of "
                            f"{', '.join(employment + symptoms)}")
    if outcome not in frame.columns:
        raise AnalysisError(f"costs.outcome '{outcome}': the outcome measure gives no column '{outcome}'")
    eff = pd.to_numeric(frame[outcome].astype("Float64"), errors="coerce")
    return pd.DataFrame({"client_id": frame["client_id"].astype(str).to_numpy(),
                         "group": frame["group"].astype(str).to_numpy(),
                         "effect": eff.astype(float).to_numpy()})


def _effect_frame(effects: pd.DataFrame, frame: pd.DataFrame, *, missing_effect: str) -> tuple[pd.DataFrame, dict]:
    for col in ("client_id", "effect"):
        if col not in effects.columns:
            raise ValueError(f"effects must have columns client_id and effect (missing {col!r})")
    eff = effects.assign(client_id=effects["client_id"].astype(str))
    if eff["client_id"].duplicated().any():
        raise AnalysisError("effects: a client appears more than once")
    e = frame["client_id"].map(eff.set_index("client_id")["effect"].astype(float))
    missing = e.isna()
    counts = {g: int((missing & (frame["group"] == g)).sum()) for g in GROUPS}
    if missing_effect == "zero":
        e = e.fillna(0.0)
        out = frame.assign(effect=e)
    elif missing_effect == "exclude":
        out = frame.assign(effect=e)[~missing]
    else:
        raise ValueError(f"missing_effect must be 'zero' or 'exclude', got {missing_effect!r}")
    return out.reset_index(drop=True), counts


# --------------------------------------------------------------------------------------
# sensitivity
# --------------------------------------------------------------------------------------


def tornado(
    *,
    delta_effect: float | None,
    delta_intervention: float,
    delta_service: Sequence[float],
    wtp: float,
    discount_rate: float,
    spread: float = 0.25,
    discount_range: tuple[float, float] = (0.0, 0.05),
    wtp_range: tuple[float, float] | None = None,
) -> pd.DataFrame:
    """One-way sensitivity of the INMB (or of the net cost without an effect) at the base case.

    ``delta_service[k]`` is the per-client difference in service cost of post-window year
    k (undiscounted; k = 0 the first year). With an effect the outcome is
    INMB = λ·ΔE − (s_i·ΔIC + s_u·Σ_k ΔSC_k / (1 + r)^k); without one it is the net cost
    s_i·ΔIC + s_u·Σ_k ΔSC_k / (1 + r)^k. Each parameter is varied alone: unit costs and
    intervention cost by ±``spread``, the discount rate over ``discount_range``, λ over
    ``wtp_range`` (default ½λ … 2λ).

    Returns ``parameter``, ``low_value``, ``high_value``, ``outcome_low``, ``outcome_high``,
    ``base``, ``swing`` (|high − low|), sorted by swing (largest first).
    """
    ds = np.asarray(delta_service, dtype=float)

    def value(s_i=1.0, s_u=1.0, r=discount_rate, lam=wtp):
        cost = s_i * delta_intervention + s_u * float(np.sum(ds / (1.0 + r) ** np.arange(len(ds))))
        return lam * delta_effect - cost if delta_effect is not None else cost

    base = value()
    rows = [("unit_costs", 1 - spread, 1 + spread, value(s_u=1 - spread), value(s_u=1 + spread)),
            ("intervention_cost", 1 - spread, 1 + spread, value(s_i=1 - spread), value(s_i=1 + spread)),
            ("discount_rate", discount_range[0], discount_range[1], value(r=discount_range[0]),
             value(r=discount_range[1]))]
    if delta_effect is not None:
        lo, hi = wtp_range if wtp_range is not None else (wtp / 2, wtp * 2)
        rows.append(("wtp", lo, hi, value(lam=lo), value(lam=hi)))
    out = pd.DataFrame(rows, columns=["parameter", "low_value", "high_value", "outcome_low", "outcome_high"])
    out["base"] = base
    out["swing"] = (out["outcome_high"] - out["outcome_low"]).abs()
    return out.sort_values("swing", ascending=False, kind="mergesort", ignore_index=True)


# --------------------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostsResult(MeasureResult):
    """Costs, cost offset and cost-effectiveness.

    Attributes
    ----------
    estimates
        ``clients`` per group; ``intervention_cost_per_client`` (intervention);
        ``service_cost_pre``, ``service_cost_post``, ``cost_offset`` (post − pre) per group;
        ``cost_offset_difference`` (all, with a comparison group); ``net_cost_per_client``
        (intervention: intervention cost + cost offset); ``cost_per_outcome``
        (intervention: intervention cost ÷ outcomes achieved, with an effect);
        ``incremental_cost`` (all, with a comparison group); with an effect and a
        comparison group ``incremental_effect``, ``icer``, ``inmb``, ``prob_cost_effective``,
        ``evpi_per_person``, ``quadrant_<ne|se|sw|nw|axis>_share``, ``mean_cost`` and
        ``mean_effect`` per group; ``budget_impact`` and ``budget_impact_net`` (all) when
        clients per year are given.
    cost_table
        Mean per-client costs by group (``group``, ``clients``, ``intervention_cost``,
        ``service_pre``, ``service_post``, ``cost_offset``, ``total``).
    items
        Intervention cost items moved to the cost year (:func:`intervention_cost_per_client`).
    unit_costs
        Unit costs used, moved to the cost year (:func:`unit_costs_in_year`).
    ce
        The cost-effectiveness result (None without an effect or a comparison group): its
        ``curve`` is the CEAC / EVPI curve, ``delta_cost`` / ``delta_effect`` the draws for
        the CE plane.
    tornado
        One-way sensitivity table (:func:`tornado`).
    dominance_text
        Dominance of the point estimate in Finnish words ("" when not dominant/dominated).
    missing_effect
        Clients without an outcome value by group and how they were handled.
    """

    measure: ClassVar[str] = "costs"
    title_fi: ClassVar[str] = "Kustannusvaikuttavuus"

    groups: tuple[str, ...] = ()
    outcome: str | None = None
    cost_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    items: pd.DataFrame = field(default_factory=pd.DataFrame)
    unit_costs: pd.DataFrame = field(default_factory=pd.DataFrame)
    ce: CostEffectivenessResult | None = None
    tornado: pd.DataFrame = field(default_factory=pd.DataFrame)
    exclusions: pd.DataFrame = field(default_factory=pd.DataFrame)
    visit_flow: pd.DataFrame = field(default_factory=pd.DataFrame)
    missing_effect: Mapping[str, Any] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def has_comparison(self) -> bool:
        return "comparison" in self.groups

    @property
    def n_clients(self) -> int:
        return int(sum(e.n or 0 for e in self.estimates if e.indicator == "clients"))

    @property
    def dominance_text(self) -> str:
        if self.ce is None:
            return ""
        return {"dominant": "toimintamalli on vertailua edullisempi ja vaikuttavampi (dominoiva)",
                "dominated": "toimintamalli on vertailua kalliimpi ja vähemmän vaikuttava (dominoitu)"}.get(
                    self.ce.dominance, "")

    def flow_exclusions(self) -> dict[str, int]:
        return {str(r): int(n) for r, n in self.exclusions.groupby("reason", sort=False)["clients"].sum().items()}


def _boot_estimate(indicator: str, values: np.ndarray, *, group: str, rng, reps: int, level: float,
                   what: str) -> Estimate:
    b = bootstrap_mean(values, seed=rng, reps=reps, level=level)  # drawn even when fixed: later draws stay the same
    if len(values) and np.all(values == values[0]):  # e.g. a total cost divided equally: every draw is the value
        return Estimate(indicator, b.estimate, "eur", f"{what}; sama kaikille asiakkaille, ei otantavaihtelua",
                        n=b.n, ci_low=b.estimate, ci_high=b.estimate, group=group, fixed=True)
    return Estimate(indicator, b.estimate, "eur", f"{what}; {b.method}", n=b.n, ci_low=b.ci_low,
                    ci_high=b.ci_high, group=group)


def _cost_per_outcome(icost: np.ndarray, effect: np.ndarray, *, rng, reps: int, level: float,
                      outcome: str) -> Estimate | None:
    if effect.sum() <= 0:
        return None
    draws = bootstrap_cost_effect(pd.DataFrame({"cost": icost, "effect": effect, "group": "intervention"}),
                                  seed=rng, reps=reps)
    mc, me = draws.mean_cost[:, 0], draws.mean_effect[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(me > 0, mc / me, np.inf)
    alpha = (1 - level) / 2
    infinite = ~np.isfinite(ratio)
    if infinite.mean() > alpha:  # a draw with no outcome: the upper end is unbounded
        lo, hi = float(np.quantile(np.where(infinite, np.nanmax(ratio[~infinite], initial=0.0), ratio), alpha)), math.inf
    else:  # the unbounded draws lie above the upper quantile; cap them so interpolation stays finite
        capped = np.where(infinite, np.max(ratio[~infinite]), ratio)
        lo, hi = np.quantile(capped, [alpha, 1 - alpha])
    point = float(icost.mean() / effect.mean())
    return Estimate("cost_per_outcome", point, "eur_per_outcome",
                    f"toimintamallin kustannus ÷ saavutetut tulokset ({_outcome_words(outcome)}); {draws.method}, "
                    "persentiiliväli suhteesta", n=len(icost), ci_low=float(lo),
                    ci_high=float(hi) if np.isfinite(hi) else None, group="intervention")


def costs(
    visits: VisitsSource,
    clients: pd.DataFrame,
    *,
    unit_costs: pd.DataFrame,
    price_index: pd.DataFrame | None = None,
    intervention_costs: pd.DataFrame | None = None,
    effects: pd.DataFrame | None = None,
    sessions: pd.DataFrame | None = None,
    outcome: str | None = None,
    cost_year: int,
    data_cutoff: date | str,
    data_start: date | str | None = None,
    seed: int | np.random.Generator,
    pre: tuple[int, int] = (-365, -1),
    post: tuple[int, int] = (0, 364),
    washout: int = 0,
    wtp: float = 20000.0,
    wtp_grid_max: float = 100000.0,
    wtp_grid_step: float = 1000.0,
    bootstrap_reps: int = 5000,
    discount_rate: float = 0.03,
    budget_clients_per_year: int | None = None,
    missing_effect: str = "zero",
    sensitivity_spread: float = 0.25,
    model: str | None = None,
    level: float = 0.95,
) -> CostsResult:
    """Costs, cost offset and — with a comparison group and an effect — cost-effectiveness.

    Parameters
    ----------
    visits, clients, pre, post, washout, data_start, data_cutoff
        As in :func:`evalkit.measures.visits.visits_panel` (every service is costed).
    unit_costs, price_index, intervention_costs
        The contract tables; all costs are moved to ``cost_year`` euros.
    effects
        Per-client effect frame (``client_id``, ``effect``; e.g. employed 0/1), usually
        from :func:`effects_for_outcome`. ``None``: costs only.
    sessions
        Sessions per client (``client_id``, ``sessions``) for ``per_session`` costs.
    outcome
        Name of the outcome (for the method text).
    seed
        Seed or Generator of every bootstrap.
    wtp, wtp_grid_max, wtp_grid_step
        Willingness to pay λ and the CEAC grid.
    bootstrap_reps, level
        Bootstrap draws and interval level.
    discount_rate
        Annual rate for post-window costs beyond the first year.
    budget_clients_per_year
        Clients a year for the budget impact (None: no budget-impact rows).
    missing_effect
        ``zero`` (default: a client without an outcome value — e.g. a course not finished —
        counts as not achieving it, so every analysed client's cost counts) or ``exclude``
        (complete cases). The count is reported either way.
    sensitivity_spread
        ± share by which unit costs and the intervention cost vary in the tornado.
    model
        Operating model id: ``intervention_costs`` rows of other models are left out.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    cc = client_costs(visits, clients, unit_costs=unit_costs, price_index=price_index,
                      intervention_costs=intervention_costs, cost_year=cost_year, data_cutoff=data_cutoff,
                      data_start=data_start, pre=pre, post=post, washout=washout, discount_rate=discount_rate,
                      sessions=sessions, model=model)
    f = cc.frame
    groups = tuple(g for g in GROUPS if (f["group"] == g).any())
    notes: list[str] = []
    est: list[Estimate] = [Estimate("clients", float(n), "persons", "analysoidut asiakkaat", n=int(n), group=g)
                           for g, n in cc.panel.n_by_group().items()]
    by = {g: f[f["group"] == g] for g in groups}
    offsets = {}
    table_rows = []
    disc = " (diskontattu ensimmäisen vuoden jälkeen)" if cc.segments else ""
    for g in groups:
        sub = by[g]
        if g == "intervention":
            est.append(_boot_estimate("intervention_cost_per_client", sub["intervention_cost"].to_numpy(float),
                                      group=g, rng=rng, reps=bootstrap_reps, level=level,
                                      what=f"toimintamallin kustannus asiakasta kohden ({cost_year} euroina)"))
        est.append(_boot_estimate("service_cost_pre", sub["service_pre"].to_numpy(float), group=g, rng=rng,
                                  reps=bootstrap_reps, level=level,
                                  what="palvelukäyttö × yksikkökustannukset esijaksolla, asiakasta kohden"))
        est.append(_boot_estimate("service_cost_post", sub["service_post"].to_numpy(float), group=g, rng=rng,
                                  reps=bootstrap_reps, level=level,
                                  what=f"palvelukäyttö × yksikkökustannukset seurantajaksolla{disc}, asiakasta kohden"))
        offsets[g] = (sub["service_post"] - sub["service_pre"]).to_numpy(float)
        est.append(_boot_estimate("cost_offset", offsets[g], group=g, rng=rng, reps=bootstrap_reps, level=level,
                                  what="palvelukustannusten muutos (seuranta − esijakso) asiakasta kohden"))
        table_rows.append({"group": g, "clients": len(sub), "intervention_cost": sub["intervention_cost"].mean(),
                           "service_pre": sub["service_pre"].mean(), "service_post": sub["service_post"].mean(),
                           "cost_offset": offsets[g].mean(), "total": sub["total"].mean()})
    if "intervention" in by:
        sub = by["intervention"]
        est.append(_boot_estimate("net_cost_per_client",
                                  (sub["intervention_cost"] + sub["service_post"] - sub["service_pre"]).to_numpy(float),
                                  group="intervention", rng=rng, reps=bootstrap_reps, level=level,
                                  what="toimintamallin kustannus + palvelukustannusten muutos asiakasta kohden"))
    if len(groups) == 2:
        d = bootstrap_mean_difference(offsets["intervention"], offsets["comparison"], seed=rng,
                                      reps=bootstrap_reps, level=level)
        est.append(Estimate("cost_offset_difference", d.estimate, "eur",
                            f"palvelukustannusten muutosten erotus (toimintamalli − vertailu); {d.method}",
                            n=d.n, ci_low=d.ci_low, ci_high=d.ci_high, group="all"))

    ce = None
    missing_info: dict[str, Any] = {}
    effect_frame = None
    if effects is not None:
        effect_frame, counts = _effect_frame(effects, f, missing_effect=missing_effect)
        missing_info = {"handling": missing_effect, **counts}
        if any(counts.values()):
            notes.append(costs_note("missing_effect", groups=dict(counts),
                                    handling="zero" if missing_effect == "zero" else "exclude"))
        ei = effect_frame[effect_frame["group"] == "intervention"]
        if len(ei):
            cpo = _cost_per_outcome(ei["intervention_cost"].to_numpy(float), ei["effect"].to_numpy(float),
                                    rng=rng, reps=bootstrap_reps, level=level, outcome=outcome or "tulos")
            if cpo is not None:
                est.append(cpo)
            else:
                notes.append(costs_note("no_outcome_reached"))

    delta_effect = None
    if len(groups) == 2 and effect_frame is not None:
        draws = bootstrap_cost_effect(effect_frame.rename(columns={"total": "cost"})[["cost", "effect", "group"]],
                                      seed=rng, reps=bootstrap_reps)
        grid = wtp_grid(wtp_grid_max, wtp_grid_step, include=[wtp])
        # ΔE of a 0/1 outcome is a difference of shares (shown in percentage points)
        unit = "proportion_difference" if effect_frame["effect"].dropna().isin([0, 1]).all() else "difference"
        ce = cost_effectiveness(draws, wtp=wtp, grid=grid, level=level, effect_unit=unit)
        est += list(ce.to_estimates())
        delta_effect = ce.get("incremental_effect").estimate
    elif len(groups) == 2:
        tot = {g: by[g]["total"].to_numpy(float) for g in groups}
        d = bootstrap_mean_difference(tot["intervention"], tot["comparison"], seed=rng, reps=bootstrap_reps,
                                      level=level)
        est.append(Estimate("incremental_cost", d.estimate, "eur",
                            f"kokonaiskustannusten erotus asiakasta kohden (toimintamalli − vertailu); {d.method}",
                            n=d.n, ci_low=d.ci_low, ci_high=d.ci_high, group="all"))

    # one-way sensitivity (point estimates)
    base = effect_frame if effect_frame is not None else f
    year_cols = ["service_post_undiscounted"] + [f"service_post_year{k}" for k in range(1, len(cc.segments) + 1)]

    def gmean(col: str, g: str) -> float:
        s = base.loc[base["group"] == g, col]
        return float(s.mean()) if len(s) else 0.0

    if len(groups) == 2:
        years = [gmean(c, "intervention") - gmean(c, "comparison") for c in year_cols]
        d_int = gmean("intervention_cost", "intervention") - gmean("intervention_cost", "comparison")
    else:  # net cost of the intervention group: intervention cost + post − pre
        g = groups[0]
        years = [gmean(c, g) for c in year_cols]
        years[0] -= gmean("service_pre", g)
        d_int = gmean("intervention_cost", g)
    years = [years[0] - sum(years[1:])] + years[1:]  # first year alone, then years k ≥ 1
    tor = tornado(delta_effect=delta_effect, delta_intervention=d_int, delta_service=years, wtp=wtp,
                  discount_rate=discount_rate, spread=sensitivity_spread)

    if budget_clients_per_year is not None and "intervention" in by:
        n_b = int(budget_clients_per_year)
        gross = est_get(est, "intervention_cost_per_client", "intervention")
        est.append(Estimate("budget_impact", gross.estimate * n_b, "eur",
                            f"toimintamallin kustannus asiakasta kohden × {n_b} asiakasta vuodessa",
                            n=gross.n, ci_low=gross.ci_low * n_b, ci_high=gross.ci_high * n_b, group="all",
                            fixed=gross.fixed))
        net = (est_get(est, "incremental_cost", "all") if len(groups) == 2
               else est_get(est, "net_cost_per_client", "intervention"))
        est.append(Estimate("budget_impact_net", net.estimate * n_b, "eur",
                            f"{'lisäkustannus vertailuun nähden' if len(groups) == 2 else 'nettokustannus'} "
                            f"asiakasta kohden × {n_b} asiakasta vuodessa", n=net.n,
                            ci_low=net.ci_low * n_b, ci_high=net.ci_high * n_b, group="all"))

    settings = {"cost_year": cost_year, "pre_window": cc.panel.pre_window, "post_window": cc.panel.post_window,
                "washout": cc.panel.washout, "data_start": cc.panel.data_start, "data_cutoff": cc.panel.data_cutoff,
                "wtp": wtp, "wtp_grid_max": wtp_grid_max, "wtp_grid_step": wtp_grid_step,
                "bootstrap_reps": bootstrap_reps, "discount_rate": discount_rate,
                "discounted": bool(cc.segments), "budget_clients_per_year": budget_clients_per_year,
                "sensitivity_spread": sensitivity_spread, "level": level, "missing_effect": missing_effect}
    return CostsResult(estimates=tuple(est), groups=groups, outcome=outcome,
                       cost_table=pd.DataFrame(table_rows), items=cc.items, unit_costs=cc.unit_costs, ce=ce,
                       tornado=tor, exclusions=cc.panel.exclusions, visit_flow=cc.panel.visit_flow,
                       missing_effect=missing_info, settings=settings, notes=tuple(notes))


def est_get(rows: Sequence[Estimate], indicator: str, group: str) -> Estimate:
    for e in rows:
        if e.indicator == indicator and e.group == group:
            return e
    raise KeyError(f"{indicator} ({group})")


def options_from_params(params: Any) -> dict[str, Any]:
    """Keyword arguments of :func:`costs` from a model's :class:`evalkit.params.Params`
    (``costs`` section; windows from the ``visits`` section)."""
    o = params.costs
    v = params.visits
    return {
        "cost_year": params.cost_year, "data_cutoff": params.data_cutoff, "data_start": params.data_start,
        "seed": params.seed, "pre": v.pre_window, "post": v.post_window, "washout": v.washout_days,
        "wtp": o.wtp, "wtp_grid_max": o.wtp_grid_max, "wtp_grid_step": o.wtp_grid_step,
        "bootstrap_reps": o.bootstrap_reps, "discount_rate": o.discount_rate,
        "budget_clients_per_year": o.budget_clients_per_year, "outcome": o.outcome, "model": params.model,
        "missing_effect": o.missing_effect, "sensitivity_spread": o.sensitivity_spread,
    }


def costs_for_model(data: Any, params: Any) -> CostsResult:
    """:func:`costs` on a loaded :class:`evalkit.data.Dataset` with a model's params.

    Sessions for ``per_session`` costs come from the questionnaires table when there is one;
    the effect is ``costs.outcome`` from its outcome measure (:func:`effects_for_outcome`)
    when the table that measure needs is loaded — otherwise costs only, with a note.
    """
    sessions = sessions_from_questionnaires(data.questionnaires) if "questionnaires" in data else None
    outcome = params.costs.outcome
    needs = "employment" if outcome in ("employed", "progressed") else "questionnaires"
    effects = effects_for_outcome(outcome, data, params) if needs in data else None
    res = costs(data.visits, data.clients, unit_costs=data.unit_costs,
                price_index=data.price_index if "price_index" in data else None,
                intervention_costs=data.intervention_costs if "intervention_costs" in data else None,
                effects=effects, sessions=sessions, **options_from_params(params))
    if effects is None:
        from dataclasses import replace

        res = replace(res, notes=(*res.notes, costs_note("no_effects_table", outcome=outcome, table=needs)))
    return res


def _outcome_words(outcome: str) -> str:
    """The outcome as the report words it (``employed`` → ``työllistyminen avoimille työmarkkinoille``)."""
    return outcome_label(outcome)[0]
