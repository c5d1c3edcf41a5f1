"""Figures of the visits measure: aggregates only (no client-level points).

Points resting on fewer than ``min_cell`` clients are not drawn.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..i18n import label, lookup
from .common import PALETTE, locale_axis, style

__all__ = ["visits_its_chart", "visits_rate_chart", "visits_relative_month_chart"]


def _group(group: str, language: str) -> str:
    """Legend word of the intervention or comparison group (``groups.<group>`` of the catalogue);
    any other group as it is."""
    return (lookup(f"groups.{group}", language) if group in ("intervention", "comparison") else None) or group


def _t(key: str, language: str) -> str:
    return label(f"figures.visits.{key}", language)


def visits_relative_month_chart(relative_months: pd.DataFrame, *, min_cell: int = 5,
                                washout_days: int = 0, language: str = "fi"):
    """Visits per person-month by month relative to the index date, one line per group:
    the regression-to-the-mean diagnostic (is the rate raised just before the start?)."""
    with plt.rc_context(style()):
        fig, ax = plt.subplots(figsize=(7.2, 3.6))
        for g, sub in relative_months.groupby("group", sort=False):
            sub = sub.sort_values("month")
            y = sub["rate"].where(sub["clients"] >= min_cell)
            ax.plot(sub["month"], y, marker="o", ms=3, lw=1.5, color=PALETTE.get(g, "#333333"),
                    label=_group(g, language))
        ax.axvline(-0.5, color="#444444", lw=1, ls="--")
        ax.annotate(_t("start", language), xy=(-0.5, 1.0), xycoords=("data", "axes fraction"), ha="left",
                    va="top", fontsize=8, xytext=(3, 0), textcoords="offset points")
        if washout_days:
            ax.axvspan(-washout_days / 30.4375 - 0.5, -0.5, color="#dddddd", alpha=0.6, lw=0)
        ax.set_xlabel(_t("months_from_start", language))
        ax.set_ylabel(_t("visits_per_person_month", language))
        ax.set_ylim(bottom=0)
        locale_axis(ax, decimals=1, language=language)
        ax.legend(frameon=False, fontsize=8)
        fig.tight_layout()
    plt.close(fig)
    return fig


def visits_rate_chart(estimates, *, min_cell: int = 5, language: str = "fi"):
    """Visits per person-month before and after the start by group, with 95 % intervals
    (from the Poisson model's ``rate_pre`` / ``rate_post`` rows)."""
    rows = [e for e in estimates if e.indicator in ("rate_pre", "rate_post")]
    groups = [g for g in ("intervention", "comparison") if any(e.group == g for e in rows)]
    with plt.rc_context(style()):
        fig, ax = plt.subplots(figsize=(5.2, 3.4))
        width = 0.38
        for j, g in enumerate(groups):
            for i, ind in enumerate(("rate_pre", "rate_post")):
                e = next((e for e in rows if e.group == g and e.indicator == ind), None)
                if e is None or e.n is None or e.n < min_cell or e.estimate is None:
                    continue
                x = i + (j - (len(groups) - 1) / 2) * width
                ax.bar(x, e.estimate, width=width * 0.92, color=PALETTE.get(g, "#333333"),
                       alpha=0.85 if i else 0.55, label=_group(g, language) if i == 0 else None)
                if e.ci_low is not None and e.ci_high is not None:
                    ax.errorbar(x, e.estimate, yerr=[[e.estimate - e.ci_low], [e.ci_high - e.estimate]],
                                color="#222222", capsize=3, lw=1)
        ax.set_xticks([0, 1], [_t("before_start", language), _t("after_start", language)])
        ax.set_ylabel(_t("visits_per_person_month", language))
        locale_axis(ax, decimals=1, language=language)
        ax.legend(frameon=False, fontsize=8)
        fig.tight_layout()
    plt.close(fig)
    return fig


def visits_its_chart(series: pd.DataFrame, *, language: str = "fi"):
    """Monthly service visits with the segmented-regression fit and the counterfactual
    (the pre-period trend continued)."""
    with plt.rc_context(style()):
        fig, ax = plt.subplots(figsize=(7.2, 3.4))
        x = series["month"].dt.to_timestamp() if hasattr(series["month"], "dt") else series["month"]
        ax.plot(x, series["observed"], "o", ms=3, color="#777777", label=_t("observed", language))
        if "fitted" in series:
            ax.plot(x, series["fitted"], color=PALETTE["intervention"], lw=1.5, label=_t("fitted", language))
            post = series["post"].to_numpy() == 1
            ax.plot(x[post], series["counterfactual"][post], color=PALETTE["target"], lw=1.2, ls="--",
                    label=_t("counterfactual", language))
            first = np.flatnonzero(post)
            if first.size:
                ax.axvline(x.iloc[first[0]], color="#444444", lw=1, ls=":")
        ax.set_ylabel(_t("visits_per_month", language))
        ax.set_ylim(bottom=0)
        locale_axis(ax, language=language)
        ax.legend(frameon=False, fontsize=8)
        fig.tight_layout()
    plt.close(fig)
    return fig
