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
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..results import Estimate, MeasureResult
from ..stats.intervals import mean_interval, newcombe_difference, risk_ratio, wilson_interval
from ..stats.survival import (
    cox_hazard_ratio,
    cumulative_incidence_at,
    kaplan_meier,
    median_survival,
)
from ._dates import checked_dates
from .fidelity import FidelityResult, fidelity_reviews

__all__ = ["BENCHMARKS", "OUTCOME_COLUMNS", "EmploymentResult", "client_outcomes", "employment_outcomes",
           "icd10_match", "localise_benchmarks", "options_from_params", "outcome_options"]

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
    index = checked_dates(clients, "index_date", table="clients")
    own_end = checked_dates(clients, "followup_end", table="clients")
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
    start = checked_dates(employment, "start_date", table="employment", required=True)
    end = checked_dates(employment, "end_date", table="employment")
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


# ---------------------------------------------------------------------------------- subgroups
def _icd_key(code: str) -> str:
    return code.strip().upper().replace(".", "")


def icd10_match(diagnoses: str | None, codes: Sequence[str]) -> bool:
    """Whether a ``;``-separated ICD-10 list contains a code in ``codes``.

    ``codes`` holds codes (``F29`` matches ``F29`` and every subcode such as ``F29.0``) and
    inclusive ranges (``F20-F25`` matches ``F20``–``F25.9``; ``F31.6-F31.9`` matches
    ``F31.6``–``F31.9x``): a diagnosis is compared at the precision of the range ends.
    """
    if diagnoses is None or (isinstance(diagnoses, float) and math.isnan(diagnoses)):
        return False
    have = [_icd_key(d) for d in str(diagnoses).split(";") if d.strip()]
    for spec in codes:
        if "-" in spec:
            lo, hi = (_icd_key(x) for x in spec.split("-", 1))
            if any(lo <= d[:len(lo)] and d[:len(hi)] <= hi for d in have):
                return True
        elif any(d.startswith(_icd_key(spec)) for d in have):
            return True
    return False


def _subgroup_mask(clients: pd.DataFrame, index_dates: pd.Series, spec: Any) -> pd.Series:
    get = (lambda k: spec.get(k)) if isinstance(spec, dict) else (lambda k: getattr(spec, k, None))
    mask = pd.Series(True, index=clients.index)
    codes = list(get("icd10") or [])
    if codes:
        if "diagnoses" not in clients.columns:
            raise AnalysisError(f"subgroup '{get('label')}' uses ICD-10 codes but clients has no 'diagnoses' column")
        mask &= clients["diagnoses"].map(lambda d: icd10_match(None if pd.isna(d) else d, codes)).astype(bool)
    if get("sex"):
        if "sex" not in clients.columns:
            raise AnalysisError(f"subgroup '{get('label')}' uses sex but clients has no 'sex' column")
        mask &= clients["sex"].astype(str).eq(str(get("sex")))
    if get("age_band"):
        if "birth_year" not in clients.columns:
            raise AnalysisError(f"subgroup '{get('label')}' uses age_band but clients has no 'birth_year' column")
        lo, hi = get("age_band")
        age = index_dates.dt.year - pd.to_numeric(clients["birth_year"], errors="coerce")
        mask &= age.between(lo, hi).fillna(False).astype(bool)
    return mask


# ---------------------------------------------------------------------------------- measure
#: Published benchmarks for the employment rate (``../shared/domain.md``): id, label (Finnish),
#: estimate, low, high, source. Rates are proportions; ``rr_*`` rows are risk ratios.
BENCHMARKS = (
    ("plan_target", "Hankesuunnitelman tavoite (työllistyneiden osuus)", None, None, None,
     "Keski-Pohjanmaan hankesuunnitelma: tavoite 20–30 %"),
    ("thl_finland", "THL:n IPS-arviointi Suomessa: avoimille työmarkkinoille valmennuksen aikana", 0.49, None, None,
     "THL 2024, IPS-toimintamallin arviointi"),
    ("rct_ips", "Korkean menetelmäuskollisuuden IPS-tutkimukset (RCT), IPS-ryhmä", 0.61, None, None,
     "Bond, Drake & Becker 2008, Psychiatric Rehabilitation Journal 31:280–290"),
    ("rct_control", "Samat tutkimukset, vertailuryhmät", 0.23, None, None,
     "Bond, Drake & Becker 2008, Psychiatric Rehabilitation Journal 31:280–290"),
    ("rr_meta", "Meta-analyysi: työllistymisen riskisuhde IPS vs. muu kuntoutus", 1.63, 1.46, 1.82,
     "Frederick & VanderWeele 2019, PLoS ONE 14:e0212208"),
)


@dataclass(frozen=True)
class EmploymentResult(MeasureResult):
    """IPS employment outcomes.

    Attributes
    ----------
    estimates
        ``referred``, ``enrolled`` (persons); ``employment_rate``, ``progression_rate``
        (of enrolled, Wilson) and ``employment_rate_referred``, ``progression_rate_referred``
        (of referred, intervention only); ``days_to_first_job_median`` (Kaplan–Meier),
        ``employed_by_<d>d`` (1 − KM); ``weeks_worked_mean`` (all enrolled),
        ``longest_job_weeks_mean``, ``hours_per_week_mean``, ``share_20h_or_more``,
        ``total_wages_mean`` (employed clients) — per group (``intervention``,
        ``comparison``); with a comparison group ``risk_ratio``, ``risk_difference``,
        ``hazard_ratio`` (group ``all``); ``employment_rate`` / ``progression_rate`` per
        subgroup split (``<label>:kyllä`` / ``<label>:ei``, intervention clients); and the
        fidelity rows (``fidelity_*``) when reviews are given.
    outcomes
        :func:`client_outcomes` (row-level: never display it).
    funnel
        ``group``, ``stage`` (referred / enrolled / employed / progressed), ``n``,
        ``share_of_referred``, ``share_of_enrolled``.
    curves
        Kaplan–Meier ``group``, ``time``, ``employed`` (1 − S), ``ci_low``, ``ci_high``,
        ``n_risk``, cut where fewer than ``min_cell`` remain at risk.
    benchmarks
        ``id``, ``label``, ``estimate``, ``ci_low``, ``ci_high``, ``source``, ``kind``
        (``own`` / ``target`` / ``published``): our estimates next to the plan's target and,
        for an IPS model (``ips``), the published IPS results.
    fidelity
        :class:`evalkit.measures.fidelity.FidelityResult` or ``None``.
    groups
        Groups present (``intervention`` and possibly ``comparison``).
    milestones, followup_days, cutoff, target, ips, progression_statuses
        The settings used.
    notes
        Estimates that could not be computed and why (Finnish).
    rows_used, rows_excluded
        Employment episodes analysed and the others by reason, for
        ``data.set_analysed("employment", ...)``; ``clients_used`` / ``clients_excluded`` the same
        for the clients table.
    """

    measure = "employment"
    title_fi = "Työllistyminen"
    outcomes: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    funnel: pd.DataFrame = field(default_factory=pd.DataFrame)
    curves: pd.DataFrame = field(default_factory=pd.DataFrame)
    benchmarks: pd.DataFrame = field(default_factory=pd.DataFrame)
    fidelity: FidelityResult | None = None
    groups: tuple[str, ...] = ()
    milestones: tuple[int, ...] = ()
    followup_days: int | None = None
    cutoff: date | None = None
    target: tuple[float, float] | None = None
    ips: bool = False
    progression_statuses: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    rows_used: int = 0
    rows_excluded: dict[str, int] = field(default_factory=dict)
    clients_used: int = 0
    clients_excluded: dict[str, int] = field(default_factory=dict)

    @property
    def has_comparison(self) -> bool:
        return "comparison" in self.groups

    @property
    def has_benchmarks(self) -> bool:
        """Whether :attr:`benchmarks` holds anything to compare our rate with (the plan's
        target, or published IPS results for an IPS model)."""
        return bool((self.benchmarks["kind"] != "own").any()) if len(self.benchmarks) else False

    def benchmark_table(self, language: str = "fi") -> pd.DataFrame:
        """Employment-rate rows of :attr:`benchmarks` (ours, the target range, the published
        figures) for a report table: ``label``, ``estimate``, ``ci_low``, ``ci_high``, ``source``;
        the target's range is in ``ci_low`` – ``ci_high``; labels in ``language``."""
        b = self.benchmarks
        return localise_benchmarks(b[b["measure"] == "rate"].reset_index(drop=True), language)

    def funnel_table(self, *, min_cell: int, group: str = "intervention", language: str = "fi") -> pd.DataFrame:
        """The funnel of one group for a report table: ``stage`` as a label, ``n`` and the two
        shares; the shares of a stage with 1 … ``min_cell`` − 1 people are blanked (the count
        itself is suppressed by the table's ``count`` column)."""
        from ..report.i18n import label

        f = self.funnel[self.funnel["group"] == group].copy()
        small = (f["n"] > 0) & (f["n"] < min_cell)
        f.loc[small, ["share_of_referred", "share_of_enrolled"]] = math.nan
        f["stage"] = [label(f"employment.stages.{s}", language) for s in f["stage"]]
        return f.reset_index(drop=True)


def options_from_params(params: Any) -> dict[str, Any]:
    """Keyword arguments of :func:`employment_outcomes` from a model's :class:`evalkit.params.Params`."""
    o = params.employment
    return {**outcome_options(params), "milestones_days": list(o.milestones_days),
            "subgroups": list(o.subgroups), "target": o.target, "score_fidelity": o.fidelity,
            "ips": o.ips, "min_cell": params.min_cell}


def _episode_flow(clients: pd.DataFrame, employment: pd.DataFrame, out: pd.DataFrame,
                  emp_set: frozenset[str], prog_set: frozenset[str]) -> tuple[int, dict[str, int]]:
    eps = _episodes(employment)
    known = set(clients["client_id"].astype(str))
    window = out.set_index("client_id")[["index_date", "followup_end"]]
    m = eps.join(window, on="client_id")
    orphan = ~m["client_id"].isin(known)
    not_enrolled = ~orphan & m["index_date"].isna()
    before = ~orphan & ~not_enrolled & (m["start"] < m["index_date"])
    after = ~orphan & ~not_enrolled & ~before & (m["start"] > m["followup_end"])
    other = ~(orphan | not_enrolled | before | after) & ~m["status"].isin(emp_set | prog_set)
    excluded = {"asiakas puuttuu asiakastaulusta": int(orphan.sum()),
                "asiakas ei aloittanut (ei aloituspäivää)": int(not_enrolled.sum()),
                "alkoi ennen aloituspäivää": int(before.sum()),
                "alkoi seurannan päätyttyä": int(after.sum()),
                "muu tila (ei työ eikä muu edistyminen)": int(other.sum())}
    used = len(m) - sum(excluded.values())
    return used, {k: v for k, v in excluded.items() if v}


def _km_rows(o: pd.DataFrame, group: str, milestones: Sequence[int], level: float, min_cell: int,
             notes: list[str]) -> list[Estimate]:
    """KM median and ``employed_by_<d>d``. A share by ``d`` is suppressed here when the people
    employed by then, or its implied count ``round(share × n)`` or the complement of either,
    lie between 1 and ``min_cell`` − 1 (the row carries no numerator, so output suppression
    could not see it)."""
    rows = [median_survival(o["time"], o["event"], level=level, indicator="days_to_first_job_median",
                            group=group).to_estimate()]
    n = len(o)
    for d in milestones:
        try:
            e = cumulative_incidence_at(o["time"], o["event"], d, level=level, indicator=f"employed_by_{d}d",
                                        group=group).to_estimate()
        except AnalysisError:
            notes.append(f"employed_by_{d}d ({group}): seuranta ei ulotu {d} päivään")
            continue
        events = int((o["event"] & (o["time"] <= d)).sum())
        implied = round((e.estimate or 0.0) * n)
        if any(0 < k < min_cell for k in (events, n - events, implied, n - implied)) or n < min_cell:
            e = e.with_(estimate=None, ci_low=None, ci_high=None, suppressed=True)
        rows.append(e)
    return rows


def _mean_row(values: pd.Series, indicator: str, group: str, unit: str, what: str, level: float) -> Estimate | None:
    v = values.dropna().to_numpy(dtype=float)
    if len(v) < 2:
        return None
    e = mean_interval(v, level=level, indicator=indicator, group=group, unit=unit)
    return e.to_estimate().with_(method=f"{what}; {e.method}")


def _ips_measures(o: pd.DataFrame, group: str, level: float) -> list[Estimate]:
    emp = o[o["employed"]]
    rows = [
        _mean_row(o["weeks_worked"], "weeks_worked_mean", group, "weeks",
                  "työssäoloviikot seurannan aikana, kaikki aloittaneet (ei-työllistyneet 0)", level),
        _mean_row(emp["longest_job_weeks"], "longest_job_weeks_mean", group, "weeks",
                  "pisimmän työsuhteen kesto viikkoina seurannan loppuun, työllistyneet", level),
        _mean_row(emp["hours_per_week"], "hours_per_week_mean", group, "hours_per_week",
                  "viikkotyötunnit (työpäivillä painotettu), työllistyneet joiden tunnit tiedossa", level),
    ]
    h = emp["works_20h_or_more"].dropna()
    if len(h):
        rows.append(wilson_interval(int(h.sum()), len(h), level=level, indicator="share_20h_or_more",
                                    group=group).to_estimate().with_(
            method=f"vähintään 20 h/vko työskennelleet työllistyneistä, joiden tunnit tiedossa; "
                   f"Wilsonin {level * 100:g} %:n luottamusväli"))
    if emp["total_wages_eur"].notna().any():
        rows.append(_mean_row(emp["total_wages_eur"], "total_wages_mean", group, "eur",
                              "ansiot yhteensä seurannan aikana (kk-palkka × kuukaudet), työllistyneet joiden "
                              "palkka tiedossa", level))
    return [r for r in rows if r is not None]


def _rate(x: int, n: int, indicator: str, group: str, what: str, level: float) -> Estimate:
    e = wilson_interval(x, n, level=level, indicator=indicator, group=group)
    return e.to_estimate().with_(method=f"{what}; Wilsonin {level * 100:g} %:n luottamusväli")


def employment_outcomes(
    clients: pd.DataFrame,
    employment: pd.DataFrame,
    fidelity: pd.DataFrame | None = None,
    *,
    cutoff: date | str | None = None,
    employment_statuses: Sequence[str] = _DEFAULT_EMPLOYMENT,
    progression_statuses: Sequence[str] = _DEFAULT_PROGRESSION,
    followup_days: int | None = None,
    milestones_days: Sequence[int] = (90, 180, 365),
    subgroups: Sequence[Any] = (),
    target: tuple[float, float] | None = (0.20, 0.30),
    score_fidelity: bool = True,
    ips: bool = False,
    level: float = 0.95,
    min_cell: int = 5,
) -> EmploymentResult:
    """IPS employment outcomes: funnel, rates, time to first job, IPS measures, comparison,
    subgroups, benchmarks and fidelity.

    Parameters
    ----------
    clients, employment, cutoff, employment_statuses, progression_statuses, followup_days
        As in :func:`client_outcomes` (the definitions are in the module docstring).
    fidelity
        The ``fidelity`` table (optional): scored with
        :func:`evalkit.measures.fidelity.fidelity_reviews` when ``score_fidelity``.
    milestones_days
        Times ``d`` for ``employed_by_<d>d`` (skipped, with a note, beyond the follow-up).
    subgroups
        :class:`evalkit.params.employment.SubgroupSpec` objects (or dicts with ``label``,
        ``icd10``, ``sex``, ``age_band``): each becomes a split ``<label>:kyllä`` /
        ``<label>:ei`` of the intervention clients.
    target
        The plan's target range for the employment rate (benchmarks table).
    ips
        The model is IPS: the benchmarks include the published IPS results (:data:`BENCHMARKS`).
        Another model's clients and definitions differ, so they get no such comparison.
    level
        Confidence level.
    min_cell
        Curves are cut where fewer remain at risk; ``employed_by_<d>d`` shares resting on
        fewer people are suppressed here (every other estimate is suppressed at output).

    Notes
    -----
    Referred = every intervention client row (with or without an index date); enrolled =
    those with an index date. The comparison group has no referral stage.
    """
    emp_set = _statuses(employment_statuses, "employment_statuses")
    prog_set = _statuses(progression_statuses, "progression_statuses")
    out = client_outcomes(clients, employment, cutoff=cutoff, employment_statuses=employment_statuses,
                          progression_statuses=progression_statuses, followup_days=followup_days)
    group_all = (clients["group"].astype("string").fillna("intervention").str.strip().replace("", "intervention")
                 if "group" in clients.columns else pd.Series("intervention", index=clients.index))
    groups = tuple(g for g in ("intervention", "comparison") if (out["group"] == g).any())
    if "intervention" not in groups:
        raise AnalysisError("employment: no intervention client has an index date, so there is nothing to analyse")
    notes: list[str] = []
    est: list[Estimate] = []
    funnel = []
    for g in groups:
        o = out[out["group"] == g]
        n_enr, x_emp, x_prog = len(o), int(o["employed"].sum()), int(o["progressed"].sum())
        n_ref = int((group_all == g).sum()) if g == "intervention" else None
        if n_ref is not None:
            est.append(Estimate("referred", float(n_ref), "persons", "ohjatut asiakkaat (asiakastaulun rivit)",
                                n=n_ref, group=g))
        est.append(Estimate("enrolled", float(n_enr), "persons",
                            "aloittaneet (yhteistyösopimus / aloituspäivä)", n=n_enr, group=g))
        est.append(_rate(x_emp, n_enr, "employment_rate", g,
                         "avoimille työmarkkinoille työllistyneiden osuus aloittaneista (työ alkoi aloituspäivänä "
                         "tai sen jälkeen seurannan aikana)", level))
        est.append(_rate(x_prog, n_enr, "progression_rate", g,
                         "työllistyneiden tai muuhun toimintaan edenneiden osuus "
                         "aloittaneista", level))
        if n_ref:
            est.append(_rate(x_emp, n_ref, "employment_rate_referred", g,
                             "työllistyneiden osuus kaikista ohjatuista", level))
            est.append(_rate(x_prog, n_ref, "progression_rate_referred", g,
                             "edenneiden osuus kaikista ohjatuista", level))
        est += _km_rows(o, g, milestones_days, level, min_cell, notes)
        est += _ips_measures(o, g, level)
        for stage, n in (("referred", n_ref), ("enrolled", n_enr), ("employed", x_emp), ("progressed", x_prog)):
            if n is not None:
                funnel.append({"group": g, "stage": stage, "n": n,
                               "share_of_referred": n / n_ref if n_ref else math.nan,
                               "share_of_enrolled": n / n_enr if stage != "referred" else math.nan})
    if "comparison" in groups:
        i, c = out[out["group"] == "intervention"], out[out["group"] == "comparison"]
        x1, n1, x2, n2 = int(i["employed"].sum()), len(i), int(c["employed"].sum()), len(c)
        try:
            est.append(risk_ratio(x1, n1, x2, n2, level=level).to_estimate().with_(
                method=f"työllistymisen riskisuhde toimintamalli / vertailu; Katzin log-{level * 100:g} %:n "
                       "luottamusväli"))
        except AnalysisError as exc:
            notes.append(f"risk_ratio: {exc}")
        est.append(newcombe_difference(x1, n1, x2, n2, level=level, indicator="risk_difference").to_estimate()
                   .with_(unit="proportion_difference")
                   .with_(method=f"työllistyneiden osuuksien erotus toimintamalli − vertailu; Newcomben "
                                 f"hybridi-score-{level * 100:g} %:n luottamusväli"))
        try:
            est.append(cox_hazard_ratio(out["time"], out["event"], out["group"], reference="comparison",
                                        level=level).to_estimate().with_(
                method=f"aika ensimmäiseen työhön, Coxin malli (Efronin sidokset), toimintamalli vs. vertailu; "
                       f"keskeneräiset sensuroitu seurannan loppuun; {level * 100:g} %:n Wald-luottamusväli"))
        except AnalysisError as exc:
            notes.append(f"hazard_ratio: {exc}")
    est += _subgroup_rows(clients, out, subgroups, level)
    fid = None
    if score_fidelity and fidelity is not None and len(fidelity):
        fid = fidelity_reviews(fidelity)
        est += list(fid.estimates)
    curves = _curves(out, groups, level, min_cell)
    used, excluded = _episode_flow(clients, employment, out, emp_set, prog_set)
    n_clients = len(clients)
    return EmploymentResult(
        estimates=tuple(est), outcomes=out, funnel=pd.DataFrame(funnel), curves=curves,
        benchmarks=_benchmarks(est, target, ips=ips), fidelity=fid, groups=groups,
        milestones=tuple(int(d) for d in milestones_days), followup_days=followup_days,
        cutoff=pd.Timestamp(cutoff).date() if cutoff is not None else None,
        target=tuple(target) if target is not None else None, ips=bool(ips),
        progression_statuses=tuple(dict.fromkeys(str(v) for v in progression_statuses)), notes=tuple(notes),
        rows_used=used, rows_excluded=excluded, clients_used=len(out),
        clients_excluded={"ei aloittanut (ei aloituspäivää)": n_clients - len(out)} if n_clients > len(out) else {},
    )


def _subgroup_rows(clients: pd.DataFrame, out: pd.DataFrame, subgroups: Sequence[Any], level: float) -> list[Estimate]:
    if not subgroups:
        return []
    iv = out[out["group"] == "intervention"]
    cl = clients.assign(client_id=clients["client_id"].astype(str)).set_index("client_id").loc[iv["client_id"]]
    cl = cl.reset_index()
    rows = []
    for spec in subgroups:
        label = spec["label"] if isinstance(spec, dict) else spec.label
        mask = _subgroup_mask(cl, iv["index_date"].reset_index(drop=True), spec).to_numpy()
        for member, sel in (("kyllä", mask), ("ei", ~mask)):
            sub = iv[sel]
            if len(sub) == 0:
                continue
            for ind, col, what in (("employment_rate", "employed", "työllistyneiden osuus"),
                                   ("progression_rate", "progressed", "edenneiden osuus")):
                rows.append(_rate(int(sub[col].sum()), len(sub), ind, f"{label}:{member}",
                                  f"{what} aloittaneista, alaryhmä {label} = {member}", level))
    return rows


def _curves(out: pd.DataFrame, groups: Sequence[str], level: float, min_cell: int) -> pd.DataFrame:
    parts = []
    for g in groups:
        o = out[out["group"] == g]
        km = kaplan_meier(o["time"], o["event"], level=level)
        km = km[km["n_risk"] >= min_cell]
        start = pd.DataFrame({"time": [0.0], "n_risk": [len(o)], "surv": [1.0], "ci_low": [1.0], "ci_high": [1.0]})
        km = pd.concat([start, km[["time", "n_risk", "surv", "ci_low", "ci_high"]]], ignore_index=True)
        parts.append(pd.DataFrame({"group": g, "time": km["time"], "employed": 1 - km["surv"],
                                   "ci_low": 1 - km["ci_high"], "ci_high": 1 - km["ci_low"],
                                   "n_risk": km["n_risk"].astype(int)}))
    return pd.concat(parts, ignore_index=True)


def localise_benchmarks(benchmarks: pd.DataFrame, language: str = "fi") -> pd.DataFrame:
    """``label`` of each benchmark row (by ``id``) and the source of our own rows and of the
    plan's target in ``language`` (``employment.benchmarks.*`` / ``employment.benchmark_sources.*``
    of the catalogues); published sources are citations and stay as they are."""
    from ..report.i18n import lookup

    out = benchmarks.copy()
    out["label"] = [lookup(f"employment.benchmarks.{i}", language) or lab
                    for i, lab in zip(out["id"], out["label"], strict=True)]
    out["source"] = [lookup(f"employment.benchmark_sources.{'own' if k == 'own' else i}", language) or src
                     for i, k, src in zip(out["id"], out["kind"], out["source"], strict=True)]
    return out


def _benchmarks(est: Sequence[Estimate], target: tuple[float, float] | None, *, ips: bool) -> pd.DataFrame:
    rows = []
    by = {(e.indicator, e.group): e for e in est}
    for g, label in (("intervention", "Oma arvio: työllistyneet toimintamallin asiakkaista"),
                     ("comparison", "Oma arvio: työllistyneet vertailuryhmästä")):
        e = by.get(("employment_rate", g))
        if e is not None:
            rows.append({"id": f"own_{g}", "label": label, "estimate": e.estimate, "ci_low": e.ci_low,
                         "ci_high": e.ci_high, "source": "tämä arviointi", "kind": "own", "measure": "rate"})
    rr = by.get(("risk_ratio", "all"))
    if rr is not None:
        rows.append({"id": "own_rr", "label": "Oma arvio: riskisuhde toimintamalli / vertailu", "estimate": rr.estimate,
                     "ci_low": rr.ci_low, "ci_high": rr.ci_high, "source": "tämä arviointi", "kind": "own",
                     "measure": "ratio"})
    for bid, label, value, lo, hi, source in BENCHMARKS:
        if bid == "plan_target":
            if target is None:
                continue
            value, lo, hi = (target[0] + target[1]) / 2, target[0], target[1]
            kind = "target"
        elif not ips:
            continue
        else:
            kind = "published"
        rows.append({"id": bid, "label": label, "estimate": value, "ci_low": lo, "ci_high": hi, "source": source,
                     "kind": kind, "measure": "ratio" if bid.startswith("rr_") else "rate"})
    return pd.DataFrame(rows, columns=["id", "label", "estimate", "ci_low", "ci_high", "source", "kind", "measure"])
