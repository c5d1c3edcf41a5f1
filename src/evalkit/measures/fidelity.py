"""IPS fidelity (IPS-25, Becker et al. 2015): total score, band and trend across reviews.

Each review scores 25 items 1–5; the total (25–125) falls in a band (``../shared/domain.md``):
115–125 exemplary, 100–114 good, 74–99 fair, ≤ 73 not supported employment. A review that
lacks items (or has an item twice) is reported as incomplete — its total is not computed,
because a partial sum would put it in a lower band than it deserves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..report.fmt import format_date
from ..report.i18n import label
from ..results import Estimate, MeasureResult
from ._dates import read_dates

__all__ = ["BANDS", "FidelityResult", "IPS25_ITEMS", "fidelity_band", "fidelity_reviews"]

N_ITEMS = 25
#: (lowest total, band id, ordinal) from the best band down.
BANDS = ((115, "exemplary", 4), (100, "good", 3), (74, "fair", 2), (25, "not_supported", 1))

#: IPS-25 items in scale order (Becker, Swanson, Reese, Bond & McLeman 2015, *Supported
#: Employment Fidelity Review Manual*, 3rd ed.): staffing 1–3, organisation 4–11, services 12–25.
IPS25_ITEMS = (
    "caseload_size", "employment_services_staff", "vocational_generalists",
    "integration_team_assignment", "integration_team_contact", "collaboration_with_vr",
    "vocational_unit", "role_of_supervisor", "zero_exclusion", "agency_focus_competitive",
    "executive_team_support",
    "work_incentives_planning", "disclosure", "ongoing_assessment", "rapid_job_search",
    "individualized_job_search", "job_development_frequency", "job_development_quality",
    "diversity_of_job_types", "diversity_of_employers", "competitive_jobs",
    "individualized_follow_along", "time_unlimited_follow_along", "community_based_services",
    "assertive_engagement",
)


def fidelity_band(total: float) -> str:
    """Band id of an IPS-25 total (``exemplary`` / ``good`` / ``fair`` / ``not_supported``)."""
    if not N_ITEMS <= total <= 5 * N_ITEMS:
        raise ValueError(f"an IPS-25 total lies between 25 and 125, got {total!r}")
    return next(b for lo, b, _ in BANDS if total >= lo)


def _ordinal(band: str) -> int:
    return next(o for _, b, o in BANDS if b == band)


@dataclass(frozen=True)
class FidelityResult(MeasureResult):
    """Scored fidelity reviews.

    Attributes
    ----------
    estimates
        Per review (group ``review:YYYY-MM-DD``): ``fidelity_items_scored`` (count), and
        for complete reviews ``fidelity_total`` (points) and ``fidelity_band`` (ordinal
        1 = not supported … 4 = exemplary; the band id is in ``method``). Group ``all``:
        the latest complete review's ``fidelity_total`` and ``fidelity_band``, and
        ``fidelity_change`` (latest − first complete review, points) when there are two.
        Indicators start with ``fidelity_`` so results.csv files them under
        ``measure = fidelity``.
    reviews
        One row per review: ``review_date``, ``items_scored``, ``complete``, ``total``
        (NaN if incomplete), ``band`` (``incomplete`` if incomplete), ``missing_items``.
    items
        Item scores, one row per item (``item``, ``name``) and a column per review date.
    weakest
        Items of the latest complete review scoring lowest (score ≤ 3, at most ``n_weakest``),
        ``item``, ``name``, ``score``.
    """

    measure = "fidelity"
    title_fi = "IPS-menetelmäuskollisuus"
    reviews: pd.DataFrame = field(default_factory=pd.DataFrame)
    items: pd.DataFrame = field(default_factory=pd.DataFrame)
    weakest: pd.DataFrame = field(default_factory=pd.DataFrame)

    def reviews_table(self, *, language: str = "fi") -> pd.DataFrame:
        """The reviews for a report table: ``review_date``, ``items_scored``, ``total`` and the
        band as a label in ``language`` (``band_label``)."""
        from ..report.i18n import label

        t = self.reviews.copy()
        t["band_label"] = [label(f"employment.bands.{b}", language) for b in t["band"]]
        return t

    @property
    def latest(self) -> dict[str, Any] | None:
        """The latest complete review as a dict (``review_date``, ``total``, ``band``), or None."""
        done = self.reviews[self.reviews["complete"]]
        return None if done.empty else done.iloc[-1].to_dict()


def fidelity_reviews(fidelity: pd.DataFrame, *, n_weakest: int = 5) -> FidelityResult:
    """Score IPS-25 fidelity reviews.

    Parameters
    ----------
    fidelity
        The ``fidelity`` table: ``review_date``, ``item`` (1–25), ``score`` (1–5). Not modified.
    n_weakest
        How many of the latest complete review's lowest-scoring items to list.

    Raises
    ------
    AnalysisError
        Missing columns, an unreadable date, an item outside 1–25 or a score outside 1–5.
    """
    missing = [c for c in ("review_date", "item", "score") if c not in fidelity.columns]
    if missing:
        raise AnalysisError(f"fidelity: missing column(s) {', '.join(map(repr, missing))}")
    date, bad_date = read_dates(fidelity["review_date"], required=True)  # ISO or d.m.yyyy, never month-first
    item = pd.to_numeric(fidelity["item"], errors="coerce")
    score = pd.to_numeric(fidelity["score"], errors="coerce")
    for name, ok in (("review_date", ~bad_date),
                     ("item", item.between(1, N_ITEMS) & (item % 1 == 0)),
                     ("score", score.between(1, 5) | score.isna())):
        bad = ~ok.fillna(False).astype(bool)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise AnalysisError(f"fidelity, column '{name}' (row {i + 2}): {fidelity[name].iloc[i]!r} is not valid "
                                f"({bad.sum()} row(s)); items are 1–{N_ITEMS}, scores 1–5")
    frame = pd.DataFrame({"review_date": date, "item": item.astype(int), "score": score})
    rows, estimates = [], []
    for when, g in frame.groupby("review_date", sort=True):
        scored = g.dropna(subset=["score"])
        dup = scored["item"].duplicated().any()
        present = set(scored["item"])
        absent = sorted(set(range(1, N_ITEMS + 1)) - present)
        complete = not absent and not dup
        total = float(scored["score"].sum()) if complete else float("nan")
        band = fidelity_band(total) if complete else "incomplete"
        day = when.date().isoformat()
        rows.append({"review_date": when, "items_scored": len(present), "complete": complete, "total": total,
                     "band": band, "missing_items": ", ".join(map(str, absent)) + (" (item twice)" if dup else "")})
        grp = f"review:{day}"
        estimates.append(Estimate("fidelity_items_scored", float(len(present)), "count",
                                  f"arvioidut IPS-25-kohdat ({N_ITEMS} kohtaa)", n=None, group=grp))
        if complete:
            estimates += _scored(total, band, grp)
    reviews = pd.DataFrame(rows, columns=["review_date", "items_scored", "complete", "total", "band", "missing_items"])
    done = reviews[reviews["complete"]]
    if not done.empty:
        last = done.iloc[-1]
        estimates += _scored(float(last["total"]), str(last["band"]), "all",
                             f"; viimeisin täydellinen arviointi {format_date(last['review_date'].date())}")
        if len(done) >= 2:
            first = done.iloc[0]
            estimates.append(Estimate(
                "fidelity_change", float(last["total"] - first["total"]), "score",
                f"IPS-25-kokonaispisteiden muutos {format_date(first['review_date'].date())} → "
                f"{format_date(last['review_date'].date())} ({len(done)} täydellistä arviointia)", group="all"))
    wide = frame.pivot_table(index="item", columns="review_date", values="score", aggfunc="first")
    wide = wide.reindex(range(1, N_ITEMS + 1))
    wide.columns = [c.date().isoformat() for c in wide.columns]
    items = wide.reset_index()
    items.insert(1, "name", [IPS25_ITEMS[i - 1] for i in items["item"]])
    weakest = pd.DataFrame(columns=["item", "name", "score"])
    if not done.empty:
        col = done.iloc[-1]["review_date"].date().isoformat()
        w = items[["item", "name", col]].rename(columns={col: "score"})
        w = w[w["score"] <= 3].sort_values(["score", "item"], kind="mergesort").head(n_weakest)
        weakest = w.reset_index(drop=True)
    return FidelityResult(estimates=tuple(estimates), reviews=reviews, items=items, weakest=weakest)


def _scored(total: float, band: str, group: str, note: str = "") -> list[Estimate]:
    return [
        Estimate("fidelity_total", total, "score", f"IPS-25-kokonaispisteet (25–125){note}", n=None, group=group),
        Estimate("fidelity_band", float(_ordinal(band)), "level",
                 f"IPS-25-taso: {label(f'employment.bands.{band}', 'fi')} (1 = ei tuettua työllistymistä, "
                 "2 = kohtalainen, 3 = hyvä, "
                 f"4 = erinomainen){note}", n=None, group=group),
    ]
