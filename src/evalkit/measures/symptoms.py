"""PHQ-9 / GAD-7: symptom change, reliable change and NHS Talking Therapies recovery.

Definitions (``docs`` domain reference, "PHQ-9 and GAD-7" and "NHS Talking Therapies"):

* **Scoring** (:func:`score_questionnaires`): items 0–3 (PHQ-9 nine, GAD-7 seven); the
  total of complete items; a given ``total`` must agree with complete items; with
  ``max_missing_items`` > 0 a questionnaire missing at most that many items is prorated:
  total = round-half-up(mean of the answered items × number of items). A row with no items
  but a ``total`` is scored by the total. Missing items beyond the rule: not a score
  (counted).
* **Course and pairing**: a client's *sessions* are the distinct occasions with any
  questionnaire (the ``session`` number, or the date where it is empty). A course is
  *finished* with ≥ ``min_sessions`` sessions; a client is *paired* when the course is
  finished and every analysed instrument has ≥ ``min_scores`` scores. First and last
  score = the earliest and latest score (date, then occasion) of each instrument.
* **NHS rules** (thresholds per instrument from the options; defaults PHQ-9 10 / 6,
  GAD-7 8 / 4):

  - R1 caseness: first score ≥ caseness threshold on at least one instrument;
  - R2 reliable deterioration: on at least one instrument the score rises by ≥ the
    reliable-change threshold;
  - R3 reliable improvement: on at least one instrument the score falls by ≥ the
    threshold, and R2 does not hold;
  - R4 recovery: R1, and the last score is below the caseness threshold on every
    instrument;
  - R5 reliable recovery: R4 and R3 together;
  - R6 denominators (NHS Digital): recovery and reliable recovery over paired courses at
    caseness at the start; reliable improvement and deterioration over all paired courses;
  - R7 one instrument only: with ``instruments=["PHQ-9"]`` (say) the rules use that
    instrument alone.

  Where the rules need several instruments, a client must be paired on all of them
  (otherwise the client is *not paired* and outside every denominator).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..data.contract import INSTRUMENT_ITEMS
from ..errors import AnalysisError, DataError, DataProblem
from ..report.suppress import suppress_estimates
from ..results import Estimate, MeasureResult
from ..stats.intervals import (
    cohens_dz,
    mean_interval,
    paired_mean_change,
    standardized_mean_change,
    wilson_interval,
)
from ..stats.linear import ancova, mixed_model_change
from ._dates import read_dates

__all__ = [
    "DEFAULT_CASENESS",
    "DEFAULT_RELIABLE_CHANGE",
    "SEVERITY_BANDS",
    "SymptomsResult",
    "client_outcomes",
    "nhs_indicators",
    "options_from_params",
    "score_questionnaires",
    "severity_band",
    "symptoms",
]

DEFAULT_CASENESS: dict[str, int] = {"PHQ-9": 10, "GAD-7": 8}
DEFAULT_RELIABLE_CHANGE: dict[str, int] = {"PHQ-9": 6, "GAD-7": 4}
#: Severity bands: (lower bound inclusive, label) — Kroenke et al. 2001; Spitzer et al. 2006.
SEVERITY_BANDS: dict[str, tuple[tuple[int, str], ...]] = {
    "PHQ-9": ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately_severe"), (20, "severe")),
    "GAD-7": ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")),
}
_PREFIX = {"PHQ-9": "phq9", "GAD-7": "gad7"}
_ITEM_COLS = [f"item_{i}" for i in range(1, 10)]
_FILE = "questionnaires"


def prefix(instrument: str) -> str:
    """Indicator prefix of an instrument (``PHQ-9`` → ``phq9``)."""
    return _PREFIX.get(instrument, instrument.lower().replace("-", "").replace(" ", "_"))


def options_from_params(params) -> dict[str, Any]:
    """Keyword arguments of :func:`symptoms` from a :class:`evalkit.params.Params`
    (``symptoms`` section and ``min_cell``)."""
    s = params.symptoms
    out = {"instruments": list(s.instruments), "caseness": dict(s.caseness),
           "reliable_change": dict(s.reliable_change), "reliability": dict(s.reliability),
           "max_missing_items": s.max_missing_items, "min_sessions": s.min_sessions,
           "min_scores": s.min_scores, "min_cell": params.min_cell}
    if getattr(s, "mixed_followup_session", None) is not None:
        out["mixed_followup_session"] = s.mixed_followup_session
    return out


def outcome_options_from_params(params) -> dict[str, Any]:
    """Keyword arguments of :func:`client_outcomes` from a :class:`evalkit.params.Params`."""
    opts = options_from_params(params)
    return {k: opts[k] for k in ("instruments", "caseness", "reliable_change", "max_missing_items",
                                 "min_sessions", "min_scores")}


# ------------------------------------------------------------------------------ scoring
def severity_band(score: float, instrument: str) -> str | None:
    """Severity band of a total (``None`` for a missing score)."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return None
    label = None
    for lo, name in SEVERITY_BANDS[instrument]:
        if score >= lo:
            label = name
    return label


def _round_half_up(x: np.ndarray) -> np.ndarray:
    return np.floor(x + 0.5 + 1e-9)


def _problem(row: int, column: str, value: object, rule: str) -> DataProblem:
    return DataProblem(file=_FILE, rule=rule, row=row, column=column, value=value, table=_FILE)


def score_questionnaires(questionnaires: pd.DataFrame, *, instruments: Sequence[str] = ("PHQ-9", "GAD-7"),
                         max_missing_items: int = 0) -> pd.DataFrame:
    """Score each questionnaire row from its items.

    Returns one row per input row of an analysed instrument (in input order): ``row``
    (the row number as in the file: header = 1), ``client_id``, ``date``, ``instrument``,
    ``occasion`` (``session`` if given, else ``None``), ``answered``, ``missing_items``,
    ``score`` (float, NaN when not scorable), ``prorated`` (bool), ``source``
    (``items`` / ``prorated`` / ``total`` / ``incomplete``).

    Raises
    ------
    DataError
        An item outside 0–3 or not whole, an answer to an item the instrument does not
        have, a total outside 0–max, a total that disagrees with complete items, a missing
        client id or date (file, row, column and value named).
    ValueError
        An unknown instrument or a negative ``max_missing_items``.
    """
    unknown = [i for i in instruments if i not in INSTRUMENT_ITEMS]
    if unknown:
        raise ValueError(f"unknown instrument(s) {unknown}; known: {', '.join(INSTRUMENT_ITEMS)}")
    if not isinstance(max_missing_items, int | np.integer) or max_missing_items < 0:
        raise ValueError(f"max_missing_items must be a whole number ≥ 0, got {max_missing_items!r}")
    for c in ("client_id", "date", "instrument"):
        if c not in questionnaires.columns:
            raise DataError([DataProblem(file=_FILE, rule="required column missing", column=c, table=_FILE)])
    df = questionnaires.reset_index(drop=True)
    rows = np.arange(len(df)) + 2
    problems: list[DataProblem] = []
    items = np.full((len(df), 9), np.nan)
    for j, c in enumerate(_ITEM_COLS):
        if c not in df.columns:
            continue
        v = pd.to_numeric(df[c], errors="coerce").astype("float64").to_numpy()
        raw_missing = df[c].isna().to_numpy()
        bad = (~raw_missing & np.isnan(v)) | (~np.isnan(v) & ((v < 0) | (v > 3) | (v != np.round(v))))
        for i in np.flatnonzero(bad)[:20]:
            problems.append(_problem(int(rows[i]), c, df[c].iloc[i], "item must be a whole number 0–3"))
        items[:, j] = v
    total = (pd.to_numeric(df["total"], errors="coerce").astype("float64").to_numpy()
             if "total" in df.columns else np.full(len(df), np.nan))
    inst = df["instrument"].astype("string").str.strip().to_numpy(dtype=object)
    for c in ("client_id", "date"):
        miss = df[c].isna().to_numpy()
        for i in np.flatnonzero(miss)[:20]:
            problems.append(_problem(int(rows[i]), c, None, "a value is required"))
    keep = np.isin(inst, list(instruments))
    score = np.full(len(df), np.nan)
    answered = np.zeros(len(df), int)
    missing = np.zeros(len(df), int)
    source = np.full(len(df), "incomplete", dtype=object)
    for name in instruments:
        k = INSTRUMENT_ITEMS[name]
        m = inst == name
        if not m.any():
            continue
        beyond = m[:, None] & ~np.isnan(items[:, k:])
        for i, j in zip(*np.nonzero(beyond), strict=True):
            problems.append(_problem(int(rows[i]), _ITEM_COLS[k + j], items[i, k + j],
                                     f"{name} has {k} items; this item must be empty"))
        it = items[:, :k]
        ans = (~np.isnan(it)).sum(axis=1)
        s = np.nansum(it, axis=1)
        too_big = m & ~np.isnan(total) & ((total < 0) | (total > 3 * k) | (total != np.round(total)))
        for i in np.flatnonzero(too_big)[:20]:
            problems.append(_problem(int(rows[i]), "total", df["total"].iloc[i],
                                     f"{name} total must be a whole number 0–{3 * k}"))
        complete = m & (ans == k)
        disagree = complete & ~np.isnan(total) & (total != s)
        for i in np.flatnonzero(disagree)[:20]:
            problems.append(_problem(int(rows[i]), "total", df["total"].iloc[i],
                                     f"total disagrees with the sum of the items ({int(s[i])})"))
        answered[m] = ans[m]
        missing[m] = k - ans[m]
        score[complete] = s[complete]
        source[complete] = "items"
        pro = m & (ans > 0) & (ans < k) & (k - ans <= max_missing_items)
        score[pro] = _round_half_up(s[pro] / ans[pro] * k)
        source[pro] = "prorated"
        only_total = m & (ans == 0) & ~np.isnan(total)
        score[only_total] = total[only_total]
        source[only_total] = "total"
    if problems:
        raise DataError(problems)
    occasion = (pd.to_numeric(df["session"], errors="coerce").astype("float64").to_numpy()
                if "session" in df.columns else np.full(len(df), np.nan))
    dates, bad_dates = read_dates(df["date"], required=True)
    if bad_dates.any():
        i = int(np.flatnonzero(bad_dates.to_numpy())[0])
        raise DataError([_problem(int(rows[i]), "date", df["date"].iloc[i], "unreadable date")])
    out = pd.DataFrame({
        "row": rows, "client_id": df["client_id"].astype("string").to_numpy(dtype=object),
        "date": dates.to_numpy(), "instrument": inst, "occasion": occasion,
        "answered": answered, "missing_items": missing, "score": score,
        "prorated": source == "prorated", "source": source,
    })
    return out.loc[keep].reset_index(drop=True)


# ------------------------------------------------------------------------------ rules
def nhs_indicators(first: Mapping[str, float], last: Mapping[str, float], *,
                   caseness: Mapping[str, int] | None = None,
                   reliable_change: Mapping[str, int] | None = None) -> dict[str, bool | None]:
    """The NHS Talking Therapies indicators of one paired course (rules R1–R5, R7).

    ``first`` / ``last``: the first and last score of each analysed instrument (the keys
    are the instruments). Returns ``case_at_start``, ``recovery`` (``None`` when not at
    caseness at the start: outside the denominator, R6), ``reliable_improvement``,
    ``reliable_recovery`` (``None`` like recovery), ``reliable_deterioration``.
    """
    cas = {**DEFAULT_CASENESS, **(caseness or {})}
    rc = {**DEFAULT_RELIABLE_CHANGE, **(reliable_change or {})}
    insts = list(first)
    if not insts or set(insts) != set(last):
        raise ValueError("first and last must hold the same, non-empty set of instruments")
    change = {i: float(last[i]) - float(first[i]) for i in insts}
    case0 = any(float(first[i]) >= cas[i] for i in insts)                       # R1
    deter = any(change[i] >= rc[i] for i in insts)                               # R2
    improve = any(-change[i] >= rc[i] for i in insts) and not deter              # R3
    recovered = (case0 and all(float(last[i]) < cas[i] for i in insts)) if case0 else None  # R4
    return {"case_at_start": case0, "recovery": recovered, "reliable_improvement": improve,
            "reliable_recovery": (recovered and improve) if case0 else None,     # R5
            "reliable_deterioration": deter}


@dataclass(frozen=True)
class _Prepared:
    scores: pd.DataFrame        # scored rows kept (valid scores and not), with group and occasion
    clients: pd.DataFrame       # per starter: client_id, group, sessions, finished, paired, first/last …
    flow: tuple[dict[str, Any], ...]
    instruments: tuple[str, ...]
    caseness: dict[str, int]
    reliable_change: dict[str, int]


def _prepare(questionnaires: pd.DataFrame, clients: pd.DataFrame, *, instruments: Sequence[str],
             caseness: Mapping[str, int] | None, reliable_change: Mapping[str, int] | None,
             max_missing_items: int, min_sessions: int, min_scores: int) -> _Prepared:
    instruments = tuple(instruments)
    if not instruments:
        raise ValueError("instruments must name at least one instrument")
    if min_scores < 2 or min_sessions < 1:
        raise ValueError(f"min_scores must be ≥ 2 and min_sessions ≥ 1, got {min_scores}, {min_sessions}")
    cas = {**DEFAULT_CASENESS, **(caseness or {})}
    rc = {**DEFAULT_RELIABLE_CHANGE, **(reliable_change or {})}
    flow: list[dict[str, Any]] = [{"step": "kyselyrivejä aineistossa", "n": len(questionnaires)}]
    sc = score_questionnaires(questionnaires, instruments=instruments, max_missing_items=max_missing_items)
    other = len(questionnaires) - len(sc)
    if other:
        flow.append({"step": "muu kuin analysoitava mittari (ei mukana)", "n": other})
    if "client_id" not in clients.columns:
        raise DataError([DataProblem(file="clients", rule="required column missing", column="client_id",
                                     table="clients")])
    grp = clients.set_index(clients["client_id"].astype(str))
    group = (grp["group"].fillna("intervention").astype(str) if "group" in grp.columns
             else pd.Series("intervention", index=grp.index))
    known = sc["client_id"].astype(str).isin(group.index)
    if (~known).any():
        flow.append({"step": "asiakas puuttuu asiakastaulusta (ei mukana)", "n": int((~known).sum())})
    sc = sc.loc[known].copy()
    sc["group"] = group.reindex(sc["client_id"].astype(str)).to_numpy()
    # occasion: the session number, else the date (both sorted); duplicates of one
    # client × instrument × occasion: the later row in the file is kept (counted)
    sc["_occ"] = np.where(np.isnan(sc["occasion"].to_numpy()), np.nan, sc["occasion"].to_numpy())
    key_occ = sc["occasion"].astype(object).where(sc["occasion"].notna(), sc["date"])
    sc["_key"] = key_occ.astype(str)
    dup = sc.duplicated(["client_id", "instrument", "_key"], keep="last")
    if dup.any():
        flow.append({"step": "sama mittari samalla käynnillä kahdesti: myöhempi rivi käytetty", "n": int(dup.sum())})
        sc = sc.loc[~dup]
    n_pro = int(sc["prorated"].sum())
    flow.append({"step": f"pisteet suhteutettu puuttuvista osioista (enintään {max_missing_items} puuttuu)",
                 "n": n_pro})
    inc = int((sc["source"] == "incomplete").sum())
    if inc:
        flow.append({"step": "osioita puuttuu liikaa: ei pisteitä (ei mukana)", "n": inc})
    sc = sc.sort_values(["client_id", "instrument", "date", "_occ", "row"], kind="stable").reset_index(drop=True)
    valid = sc[sc["score"].notna()]
    # sessions = distinct occasions with any questionnaire of an analysed instrument
    sessions = sc.drop_duplicates(["client_id", "_key"]).groupby("client_id").size()
    starters = sorted(valid["client_id"].unique())
    out = pd.DataFrame({"client_id": starters})
    out["group"] = group.reindex(out["client_id"]).to_numpy()
    out["sessions"] = sessions.reindex(out["client_id"]).fillna(0).astype(int).to_numpy()
    out["finished"] = out["sessions"] >= min_sessions
    g = valid.groupby(["client_id", "instrument"], sort=True)["score"]
    stats_ = pd.DataFrame({"first": g.first(), "last": g.last(), "n": g.size()})
    enough = np.ones(len(out), bool)
    for inst in instruments:
        p = prefix(inst)
        s = stats_.xs(inst, level="instrument") if inst in stats_.index.get_level_values(1) else stats_.iloc[0:0]
        s = s.reindex(out["client_id"])
        out[f"{p}_n"] = s["n"].fillna(0).astype(int).to_numpy()
        out[f"{p}_first"] = s["first"].astype("float64").to_numpy()
        out[f"{p}_last"] = s["last"].astype("float64").to_numpy()
        enough &= out[f"{p}_n"].to_numpy() >= min_scores
    out["paired"] = out["finished"].to_numpy() & enough
    for inst in instruments:
        p = prefix(inst)
        ch = out[f"{p}_last"] - out[f"{p}_first"]
        out[f"{p}_change"] = ch.where(out["paired"]).astype("float64")
    flow.append({"step": "asiakkaita, joilla vähintään yksi pistemäärä (aloittaneet)", "n": len(out)})
    flow.append({"step": f"hoitojakso päättynyt (vähintään {min_sessions} käyntiä)", "n": int(out["finished"].sum())})
    flow.append({"step": "parilliset pisteet (ensimmäinen ja viimeinen)", "n": int(out["paired"].sum())})
    # R1 on the first available scores of every starter; R2–R5 for paired courses
    first_case = np.zeros(len(out), bool)
    for inst in instruments:
        p = prefix(inst)
        first_case |= (out[f"{p}_first"] >= cas[inst]).fillna(False).to_numpy()
    out["case_at_start"] = first_case
    na = pd.array([pd.NA] * len(out), dtype="boolean")
    ind = {k: na.copy() for k in ("recovery", "reliable_improvement", "reliable_recovery", "reliable_deterioration")}
    for i in np.flatnonzero(out["paired"].to_numpy()):
        r = out.iloc[i]
        res = nhs_indicators({x: r[f"{prefix(x)}_first"] for x in instruments},
                             {x: r[f"{prefix(x)}_last"] for x in instruments}, caseness=cas, reliable_change=rc)
        for k in ind:
            ind[k][i] = pd.NA if res[k] is None else bool(res[k])
    for k, v in ind.items():
        out[k] = v
    return _Prepared(scores=sc.drop(columns=["_key"]), clients=out, flow=tuple(flow), instruments=instruments,
                     caseness=cas, reliable_change=rc)


def client_outcomes(questionnaires: pd.DataFrame, clients: pd.DataFrame, *,
                    instruments: Sequence[str] = ("PHQ-9", "GAD-7"),
                    caseness: Mapping[str, int] | None = None,
                    reliable_change: Mapping[str, int] | None = None,
                    max_missing_items: int = 0, min_sessions: int = 2, min_scores: int = 2) -> pd.DataFrame:
    """Per-client NHS Talking Therapies outcomes (for costs and other measures).

    Parameters
    ----------
    questionnaires
        The ``questionnaires`` table (data contract): ``client_id``, ``date``,
        ``instrument``, optional ``session``, ``item_1`` … ``item_9``, optional ``total``.
        Not modified.
    clients
        The ``clients`` table: ``client_id`` and optional ``group`` (empty =
        ``intervention``). Questionnaires of clients not in it are left out (counted in
        ``attrs["flow"]``).
    instruments, caseness, reliable_change, max_missing_items, min_sessions, min_scores
        As the ``symptoms`` params (:class:`evalkit.params.symptoms.SymptomsOptions`);
        :func:`outcome_options_from_params` builds them from params.

    Returns
    -------
    pandas.DataFrame
        One row per client who started (≥ 1 valid score of an analysed instrument), sorted
        by ``client_id``, with columns

        * ``client_id`` (str), ``group`` (``"intervention"`` / ``"comparison"``);
        * ``paired`` (bool): finished course (≥ ``min_sessions`` sessions) and ≥
          ``min_scores`` scores on every analysed instrument;
        * ``case_at_start`` (bool): rule R1 on the first score(s);
        * ``recovery``, ``reliable_improvement``, ``reliable_recovery``,
          ``reliable_deterioration`` (pandas nullable ``boolean``): ``<NA>`` where the
          client is outside the indicator's NHS denominator (not paired; for recovery
          and reliable recovery also not at caseness at the start);
        * ``phq9_change``, ``gad7_change`` (float, last − first; NaN if not paired or
          the instrument is not analysed).

        ``attrs["flow"]`` lists counted exclusions (Finnish ``step``, ``n``).

    Raises
    ------
    DataError
        Invalid items or totals (see :func:`score_questionnaires`).
    """
    prep = _prepare(questionnaires, clients, instruments=instruments, caseness=caseness,
                    reliable_change=reliable_change, max_missing_items=max_missing_items,
                    min_sessions=min_sessions, min_scores=min_scores)
    c = prep.clients
    out = c[["client_id", "group", "paired", "case_at_start", "recovery", "reliable_improvement",
             "reliable_recovery", "reliable_deterioration"]].copy()
    out["client_id"] = out["client_id"].astype(str)
    out["paired"] = out["paired"].astype(bool)
    out["case_at_start"] = out["case_at_start"].astype(bool)
    for p in ("phq9", "gad7"):
        out[f"{p}_change"] = c[f"{p}_change"].astype("float64") if f"{p}_change" in c else np.nan
    out = out.reset_index(drop=True)
    out.attrs["flow"] = list(prep.flow)
    return out


# ------------------------------------------------------------------------------ measure
@dataclass(frozen=True)
class SymptomsResult(MeasureResult):
    """Symptom change, reliable change and recovery.

    Attributes
    ----------
    estimates
        Per group (``intervention``, ``comparison``) and instrument prefix (``phq9_``,
        ``gad7_``): ``baseline_mean``, ``last_mean``, ``mean_change`` (paired t interval),
        ``effect_size_dz``, ``effect_size_baseline_sd``, ``reliable_improvement_rate``,
        ``reliable_deterioration_rate`` (fixed thresholds), ``rci_improvement_rate`` (when a
        reliability is given), the sensitivity analyses ``mean_change_locf`` and
        ``mean_change_mixed``; combined NHS rates ``recovery_rate``,
        ``reliable_improvement_rate``, ``reliable_recovery_rate``,
        ``reliable_deterioration_rate`` (Wilson); ``started``, ``finished``, ``paired_n``,
        ``completeness``; with a comparison group ``<p>_ancova_group_effect`` (group
        ``all``). Small cells suppressed.
    transitions
        Severity band at the first × last score (intervention, paired): ``instrument``,
        ``first_band``, ``last_band``, ``clients`` (raw counts: pass through
        ``Column(count=True)``).
    changes
        Individual changes for the waterfall (intervention, paired; no identifiers, sorted):
        ``instrument``, ``change``, ``band`` (``improved`` / ``no_reliable_change`` /
        ``deteriorated`` by the fixed thresholds). Internal audience only.
    trajectory
        Mean score by session with the t interval (intervention, occasions with ≥
        ``min_cell`` scores): ``instrument``, ``session``, ``n``, ``mean``, ``ci_low``,
        ``ci_high``.
    sensitivity
        Complete case vs LOCF vs mixed model side by side: ``group``, ``instrument``,
        ``analysis``, ``n``, ``estimate``, ``ci_low``, ``ci_high``.
    baseline
        Baseline mean of completers (paired) and non-completers: ``group``,
        ``instrument``, ``completed``, ``n``, ``mean``, ``ci_low``, ``ci_high``
        (suppressed below ``min_cell``).
    flow
        Counted steps and exclusions (Finnish ``step``, ``n``).
    n_prorated
        Questionnaires scored by prorating (``max_missing_items`` > 0).
    settings
        Options used.
    """

    measure = "symptoms"
    title_fi = "Masennus- ja ahdistusoireet (PHQ-9, GAD-7)"
    transitions: pd.DataFrame = field(default_factory=pd.DataFrame)
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    trajectory: pd.DataFrame = field(default_factory=pd.DataFrame)
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    baseline: pd.DataFrame = field(default_factory=pd.DataFrame)
    flow: tuple[dict[str, Any], ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    instruments: tuple[str, ...] = ()
    has_comparison: bool = False
    n_started: int = 0
    n_paired: int = 0
    n_prorated: int = 0
    n_clients: int = 0
    smallest_group: int = 0

    def report_tables(self, *, language: str = "fi") -> dict[str, pd.DataFrame]:
        """Tables for the report (aggregates; counts raw — the section suppresses them):

        * ``transitions:<instrument>``: severity band at the first score (``first_band``,
          label) × band at the last score (one column per band id) + ``total``;
        * ``sensitivity``: ``group``, ``instrument``, ``analysis`` (label), ``n``,
          ``estimate``, ``ci`` (text);
        * ``baseline``: ``group``, ``instrument``, ``completed`` (kyllä/ei), ``n``, ``mean``,
          ``ci`` (text).
        """
        from ..report.fmt import format_number
        from ..report.i18n import label

        def ci(lo, hi) -> str:
            if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
                return ""
            a, b = format_number(lo, 1, language=language), format_number(hi, 1, language=language)
            return f"{a} – {b}" if lo < 0 or hi < 0 else f"{a}–{b}"

        out: dict[str, pd.DataFrame] = {}
        for inst in self.instruments:
            t = self.transitions[self.transitions["instrument"] == inst]
            wide = t.pivot(index="first_band", columns="last_band", values="clients")
            bands = [b for _, b in SEVERITY_BANDS[inst]]
            wide = wide.reindex(index=bands, columns=bands).fillna(0).astype(int)
            wide["total"] = wide.sum(axis=1)
            wide = wide.reset_index()
            wide["first_band"] = [label(f"symptoms.bands.{b}", language) for b in wide["first_band"]]
            out[f"transitions:{inst}"] = wide
        sens = self.sensitivity.copy()
        sens["analysis"] = [label(f"symptoms.analyses.{a}", language) for a in sens["analysis"]]
        sens["ci"] = [ci(a, b) for a, b in zip(sens["ci_low"], sens["ci_high"], strict=True)]
        groups = {g: label(f"symptoms.tables.groups.{g}", language) for g in ("intervention", "comparison")}
        sens["group"] = sens["group"].map(groups)
        out["sensitivity"] = sens[["group", "instrument", "analysis", "n", "estimate", "ci"]]
        base = self.baseline.copy()
        base["completed"] = base["completed"].map({True: label("symptoms.tables.completed.yes", language),
                                                 False: label("symptoms.tables.completed.no", language)})
        base["group"] = base["group"].map(groups)
        base["ci"] = [ci(a, b) for a, b in zip(base["ci_low"], base["ci_high"], strict=True)]
        out["baseline"] = base[["group", "instrument", "completed", "n", "mean", "ci"]]
        return out

    def transition_columns(self, instrument: str, *, language: str = "fi") -> list:
        """``Column`` list of the ``transitions:<instrument>`` table."""
        from ..report.i18n import label
        from ..report.section import Column

        cols = [Column("first_band", label("symptoms.tables.transitions_rows", language))]
        cols += [Column(b, label(f"symptoms.bands.{b}", language), "persons", count=True)
                 for _, b in SEVERITY_BANDS[instrument]]
        return [*cols, Column("total", label("symptoms.tables.total", language), "persons", count=True)]

    def flow_exclusions(self) -> dict[str, int]:
        """Starters not analysed by reason, for ``data.set_analysed("clients", …)``."""
        c = {f["step"]: f["n"] for f in self.flow}
        started = c.get("asiakkaita, joilla vähintään yksi pistemäärä (aloittaneet)", 0)
        finished = c.get(f"hoitojakso päättynyt (vähintään {self.settings.get('min_sessions')} käyntiä)", 0)
        paired = c.get("parilliset pisteet (ensimmäinen ja viimeinen)", 0)
        out = {}
        if self.n_clients - started > 0:
            out["ei yhtään pistemäärää (ei aloittanut tai ei kyselyjä)"] = self.n_clients - started
        if started - finished:
            out["hoitojakso kesken tai keskeytyi (alle vaaditun käyntimäärän)"] = started - finished
        if finished - paired:
            out["liian vähän pistemääriä jollakin mittarilla"] = finished - paired
        return out


def _prop(x: int, n: int, indicator: str, group: str, level: float, what: str) -> Estimate | None:
    if n == 0:
        return None
    e = wilson_interval(int(x), int(n), level=level, indicator=indicator, group=group).to_estimate()
    return e.with_(method=f"{what}; Wilsonin {level * 100:g} %:n luottamusväli")


def _stat(fn, *args, **kwargs) -> Estimate | None:
    try:
        return fn(*args, **kwargs).to_estimate()
    except (AnalysisError, ValueError):
        return None


def symptoms(
    questionnaires: pd.DataFrame,
    clients: pd.DataFrame,
    *,
    instruments: Sequence[str] = ("PHQ-9", "GAD-7"),
    caseness: Mapping[str, int] | None = None,
    reliable_change: Mapping[str, int] | None = None,
    reliability: Mapping[str, float] | None = None,
    max_missing_items: int = 0,
    min_sessions: int = 2,
    min_scores: int = 2,
    mixed_followup_session: int | None = None,
    level: float = 0.95,
    min_cell: int = 5,
) -> SymptomsResult:
    """PHQ-9 / GAD-7 change, reliable change and NHS Talking Therapies recovery.

    Parameters
    ----------
    questionnaires, clients
        Contract tables (not modified); see :func:`client_outcomes`.
    instruments, caseness, reliable_change, max_missing_items, min_sessions, min_scores
        As in :func:`client_outcomes` (rules R1–R7 in the module docstring).
    reliability
        Test–retest reliability r per instrument for the Jacobson–Truax reliable change
        index (``rci_improvement_rate``: RCI = change / (√2 · SD_pre · √(1 − r)) < −1.96,
        SD_pre the sample's baseline SD); instruments without a value get no RCI row.
    mixed_followup_session
        Session whose mean the mixed model compares with the first session; ``None``:
        the median last session of the paired clients (of each group).
    level
        Confidence level.
    min_cell
        Suppression threshold (estimates, trajectory points, baseline table).

    Notes
    -----
    Missing-data sensitivity (per group and instrument): complete case = paired clients'
    last − first (the main analysis); LOCF = every starter with a score, last available −
    first (0 with one score); mixed model = random-intercept linear mixed model over every
    session's score of every starter (REML, session as a factor,
    :func:`evalkit.stats.linear.mixed_model_change`), change from the first session to
    ``mixed_followup_session`` — valid if missing scores are missing at random given the
    observed ones.

    Raises
    ------
    DataError
        Invalid questionnaire rows (see :func:`score_questionnaires`).
    AnalysisError
        No client with a score.
    """
    prep = _prepare(questionnaires, clients, instruments=instruments, caseness=caseness,
                    reliable_change=reliable_change, max_missing_items=max_missing_items,
                    min_sessions=min_sessions, min_scores=min_scores)
    c, sc = prep.clients, prep.scores
    if c.empty:
        raise AnalysisError("symptoms: no client has a valid score of "
                            f"{', '.join(prep.instruments)} (check instruments and max_missing_items)")
    rel = dict(reliability or {})
    groups = [g for g in ("intervention", "comparison") if (c["group"] == g).any()]
    has_comp = "comparison" in groups and int(c.loc[c["group"] == "comparison", "paired"].sum()) > 0
    est: list[Estimate] = []
    sens: list[dict[str, Any]] = []
    base_rows: list[dict[str, Any]] = []
    for g in groups:
        cg = c[c["group"] == g]
        pg = cg[cg["paired"]]
        est.append(Estimate("started", float(len(cg)), "persons", "asiakkaita, joilla vähintään yksi pistemäärä",
                            n=len(cg), group=g))
        est.append(Estimate("finished", float(cg["finished"].sum()), "persons",
                            f"hoitojakso päättynyt (vähintään {min_sessions} käyntiä)", n=len(cg), group=g))
        est.append(Estimate("paired_n", float(len(pg)), "persons",
                            "parilliset pisteet: ensimmäinen ja viimeinen pistemäärä jokaisella mittarilla",
                            n=len(cg), group=g))
        est.append(_prop(len(pg), len(cg), "completeness", g, level,
                         "osuus aloittaneista, joilla parilliset pisteet"))
        # combined NHS rates (R6 denominators)
        nhs = [("recovery_rate", "recovery", "toipuneet / parilliset jaksot, joissa oireet kliinisellä tasolla alussa"),
               ("reliable_improvement_rate", "reliable_improvement",
                "luotettavasti kohentuneet / parilliset jaksot (NHS Talking Therapies)"),
               ("reliable_recovery_rate", "reliable_recovery",
                "luotettavasti toipuneet / parilliset jaksot, joissa oireet kliinisellä tasolla alussa"),
               ("reliable_deterioration_rate", "reliable_deterioration",
                "luotettavasti heikentyneet / parilliset jaksot")]
        for ind, col, what in nhs:
            v = pg[col].dropna()
            est.append(_prop(int(v.sum()), len(v), ind, g, level, what))
        for inst in prep.instruments:
            p = prefix(inst)
            b, a = pg[f"{p}_first"].to_numpy(float), pg[f"{p}_last"].to_numpy(float)
            rc = prep.reliable_change[inst]
            if len(pg) >= 2:
                est.append(_stat(mean_interval, b, level=level, indicator=f"{p}_baseline_mean", group=g))
                est.append(_stat(mean_interval, a, level=level, indicator=f"{p}_last_mean", group=g))
                est.append(_stat(paired_mean_change, b, a, level=level, indicator=f"{p}_mean_change", group=g))
                est.append(_stat(cohens_dz, b, a, level=level, indicator=f"{p}_effect_size_dz", group=g))
                est.append(_stat(standardized_mean_change, b, a, level=level,
                                 indicator=f"{p}_effect_size_baseline_sd", group=g))
            d = a - b
            est.append(_prop(int((d <= -rc).sum()), len(d), f"{p}_reliable_improvement_rate", g, level,
                             f"{inst}: lasku vähintään {rc} pistettä / parilliset jaksot"))
            est.append(_prop(int((d >= rc).sum()), len(d), f"{p}_reliable_deterioration_rate", g, level,
                             f"{inst}: nousu vähintään {rc} pistettä / parilliset jaksot"))
            if inst in rel and len(b) >= 2:
                sd = float(np.std(b, ddof=1))
                sdiff = math.sqrt(2.0) * sd * math.sqrt(1.0 - float(rel[inst]))
                if sdiff > 0:
                    est.append(_prop(int((d / sdiff < -1.96).sum()), len(d), f"{p}_rci_improvement_rate", g, level,
                                     f"{inst}: Jacobsonin–Truaxin RCI < −1,96 (r = {rel[inst]:g}, lähtötason "
                                     f"keskihajonta {sd:.2f}) / parilliset jaksot"))
            # missing-data sensitivity
            cc = next((e for e in est if e and e.indicator == f"{p}_mean_change" and e.group == g), None)
            sens.append(_sens_row(g, inst, "complete_case", cc))
            has = cg[cg[f"{p}_n"] > 0]
            locf = _stat(mean_interval, (has[f"{p}_last"] - has[f"{p}_first"]).to_numpy(float), level=level,
                         indicator=f"{p}_mean_change_locf", group=g)
            if locf is not None:
                locf = locf.with_(method="viimeinen havainto siirretty eteenpäin (LOCF): kaikki aloittaneet, "
                                         "viimeinen − ensimmäinen pistemäärä (yksi pistemäärä: muutos 0); "
                                         f"t-jakaumaan perustuva {level * 100:g} %:n luottamusväli")
                est.append(locf)
            sens.append(_sens_row(g, inst, "locf", locf))
            mixed = _mixed(sc, cg, pg, inst, mixed_followup_session, level, f"{p}_mean_change_mixed", g)
            if mixed is not None:
                est.append(mixed)
            sens.append(_sens_row(g, inst, "mixed_model", mixed))
            for done, sub in ((True, cg[cg["paired"]]), (False, cg[~cg["paired"]])):
                x = sub[f"{p}_first"].dropna().to_numpy(float)
                row = {"group": g, "instrument": inst, "completed": done, "n": len(x), "mean": np.nan,
                       "ci_low": np.nan, "ci_high": np.nan}
                if len(x) >= max(2, min_cell):
                    m = mean_interval(x, level=level)
                    row.update(mean=m.estimate, ci_low=m.ci_low, ci_high=m.ci_high)
                base_rows.append(row)
    if has_comp:
        both = c[c["paired"]]
        for inst in prep.instruments:
            p = prefix(inst)
            a = _stat(ancova, both[f"{p}_last"].to_numpy(float), both[f"{p}_first"].to_numpy(float),
                      both["group"].to_numpy(), reference="comparison", level=level,
                      indicator=f"{p}_ancova_group_effect", label="all")
            if a is not None:
                method = a.method.replace("intervention vs. comparison", "toimintamalli vs. vertailuryhmä")
                est.append(a.with_(method=f"{inst}: {method}; parilliset asiakkaat molemmista ryhmistä"))
    est = [e for e in est if e is not None]
    shown = suppress_estimates(est, min_cell)
    ci = c[(c["group"] == "intervention") & c["paired"]]
    return SymptomsResult(
        estimates=tuple(shown),
        transitions=_transitions(ci, prep.instruments),
        changes=_changes(ci, prep.instruments, prep.reliable_change),
        trajectory=_trajectory(sc[sc["group"] == "intervention"], prep.instruments, level, min_cell),
        sensitivity=pd.DataFrame(sens, columns=["group", "instrument", "analysis", "n", "estimate", "ci_low",
                                                "ci_high"]),
        baseline=pd.DataFrame(base_rows, columns=["group", "instrument", "completed", "n", "mean", "ci_low",
                                                  "ci_high"]),
        flow=prep.flow,
        settings={"instruments": list(prep.instruments), "caseness": prep.caseness,
                  "reliable_change": prep.reliable_change, "reliability": rel,
                  "max_missing_items": max_missing_items, "min_sessions": min_sessions, "min_scores": min_scores,
                  "mixed_followup_session": mixed_followup_session, "level": level, "min_cell": min_cell},
        instruments=prep.instruments, has_comparison=has_comp, n_started=len(c),
        n_paired=int(c["paired"].sum()), n_prorated=int(sc["prorated"].sum()),
        n_clients=int(clients["client_id"].nunique()),
        smallest_group=int(min(c[c["group"] == g]["paired"].sum() for g in groups)),
    )


def _sens_row(group: str, inst: str, analysis: str, e: Estimate | None) -> dict[str, Any]:
    return {"group": group, "instrument": inst, "analysis": analysis,
            "n": None if e is None else e.n, "estimate": None if e is None else e.estimate,
            "ci_low": None if e is None else e.ci_low, "ci_high": None if e is None else e.ci_high}


def _occasions(rows: pd.DataFrame) -> pd.Series:
    """Session number, or the date's rank within the client where the session is empty."""
    rank = rows.groupby("client_id")["date"].rank(method="dense")
    return rows["occasion"].where(rows["occasion"].notna(), rank).astype(float)


def _mixed(sc: pd.DataFrame, cg: pd.DataFrame, pg: pd.DataFrame, inst: str, followup: int | None,
           level: float, indicator: str, group: str) -> Estimate | None:
    rows = sc[(sc["instrument"] == inst) & sc["score"].notna() & sc["client_id"].isin(cg["client_id"])].copy()
    if rows.empty:
        return None
    rows["time"] = _occasions(rows)
    rows = rows.drop_duplicates(["client_id", "time"], keep="last")
    levels = sorted(rows["time"].unique())
    if len(levels) < 2:
        return None
    if followup is None:
        last = rows[rows["client_id"].isin(pg["client_id"])].groupby("client_id")["time"].max()
        if last.empty:
            return None
        target = float(np.floor(np.median(last)))
        followup_level = max(v for v in levels if v <= target) if any(v <= target for v in levels) else levels[-1]
    else:
        followup_level = float(followup)
    if followup_level == levels[0] or followup_level not in levels:
        return None
    e = _stat(mixed_model_change, rows, client="client_id", time="time", score="score", baseline=levels[0],
              followup=followup_level, level=level, indicator=indicator, group=group)
    if e is None:
        return None
    return e.with_(method=f"{inst}: lineaarinen sekamalli kaikista käyntikerroista (satunnainen vakio "
                          f"asiakkaittain, REML, käyntikerta luokkamuuttujana), muutos käynniltä "
                          f"{levels[0]:g} käynnille {followup_level:g}; {level * 100:g} %:n Wald-luottamusväli")


def _transitions(paired: pd.DataFrame, instruments: Sequence[str]) -> pd.DataFrame:
    rows = []
    for inst in instruments:
        p = prefix(inst)
        labels = [b for _, b in SEVERITY_BANDS[inst]]
        first = paired[f"{p}_first"].map(lambda s, i=inst: severity_band(s, i))
        last = paired[f"{p}_last"].map(lambda s, i=inst: severity_band(s, i))
        for fb in labels:
            for lb in labels:
                rows.append({"instrument": inst, "first_band": fb, "last_band": lb,
                             "clients": int(((first == fb) & (last == lb)).sum())})
    return pd.DataFrame(rows, columns=["instrument", "first_band", "last_band", "clients"])


def _changes(paired: pd.DataFrame, instruments: Sequence[str], rc: Mapping[str, int]) -> pd.DataFrame:
    parts = []
    for inst in instruments:
        d = np.sort(paired[f"{prefix(inst)}_change"].dropna().to_numpy(float))
        band = np.where(d <= -rc[inst], "improved", np.where(d >= rc[inst], "deteriorated", "no_reliable_change"))
        parts.append(pd.DataFrame({"instrument": inst, "change": d, "band": band}))
    return (pd.concat(parts, ignore_index=True) if parts
            else pd.DataFrame(columns=["instrument", "change", "band"]))


def _trajectory(sc: pd.DataFrame, instruments: Sequence[str], level: float, min_cell: int) -> pd.DataFrame:
    rows = []
    valid = sc[sc["score"].notna()].copy()
    if not valid.empty:
        valid["time"] = _occasions(valid)
    for inst in instruments:
        sub = valid[valid["instrument"] == inst] if not valid.empty else valid
        for t, g in sub.groupby("time", sort=True):
            if len(g) < max(2, min_cell):
                continue
            m = mean_interval(g["score"].to_numpy(float), level=level)
            rows.append({"instrument": inst, "session": int(t), "n": len(g), "mean": m.estimate,
                         "ci_low": m.ci_low, "ci_high": m.ci_high})
    return pd.DataFrame(rows, columns=["instrument", "session", "n", "mean", "ci_low", "ci_high"])
