"""Figures of the waiting-times measure (hoitotakuu).

All figures use aggregates only: Kaplan–Meier curves cut where fewer than ``min_cell``
remain at risk, and monthly shares with small cells already blanked by the measure.
"""

from __future__ import annotations

import math
from datetime import date

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..i18n import label
from .common import PALETTE, locale_axis, style

__all__ = ["monthly_share_by_site", "waiting_distribution", "waiting_its_chart"]


def _percent_axis(ax, language: str) -> None:
    from matplotlib.ticker import FuncFormatter

    from ..fmt import format_percent_value

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: format_percent_value(v, language=language)))


def waiting_distribution(curves: pd.DataFrame, *, limits: list[int] | None = None, max_days: int | None = None,
                         language: str = "fi"):
    """Cumulative share treated by day (1 − Kaplan–Meier) for all cases and per site,
    limits marked with dashed lines."""
    with plt.rc_context(style()):
        fig, ax = plt.subplots(figsize=(7.0, 3.8))
        sites = [s for s in dict.fromkeys(curves["site"]) if s != "kaikki"]
        for s in sites:
            c = curves[curves["site"] == s]
            ax.step(c["time"], c["treated"], where="post", color=PALETTE["comparison"], lw=0.8, alpha=0.6)
        c = curves[curves["site"] == "kaikki"]
        if len(c):
            ax.step(c["time"], c["treated"], where="post", color=PALETTE["intervention"], lw=2.0,
                    label=label("waiting.figures.all_sites", language))
            ax.fill_between(c["time"], c["ci_low"], c["ci_high"], step="post", color=PALETTE["intervention"],
                            alpha=0.15, lw=0)
        if sites:
            ax.plot([], [], color=PALETTE["comparison"], lw=0.8, label=label("waiting.figures.sites_separately", language))
        for lim in limits or []:
            ax.axvline(lim, color=PALETTE["target"], ls="--", lw=1)
            ax.text(lim, 0.02, label("waiting.figures.limit_mark", language, days=lim), color=PALETTE["target"], fontsize=8)
        upper = max_days or (int(curves["time"].max()) if len(curves) else 30)
        ax.set_xlim(0, upper)
        ax.set_ylim(0, 1)
        ax.set_xlabel(label("waiting.figures.days_from_contact_axis", language))
        ax.set_ylabel(label("waiting.figures.treated_share_axis", language))
        _percent_axis(ax, language)
        locale_axis(ax, "x", language=language)
        ax.legend(frameon=False, fontsize=8, loc="lower right")
        fig.tight_layout()
    plt.close(fig)
    return fig


def _month_x(months: pd.Series) -> np.ndarray:
    return pd.PeriodIndex(months, freq="M").to_timestamp().to_numpy()


def monthly_share_by_site(monthly: pd.DataFrame, *, change_date: date | None = None, limit: int | None = None,
                          its_sites: list[str] | None = None, ncols: int = 4, language: str = "fi"):
    """Small multiples: the monthly share treated within ``limit`` per site (suppressed
    months left as gaps), the change date as a dashed vertical line; ITS sites highlighted."""
    sites = [s for s in dict.fromkeys(monthly["site"]) if s not in ("kaikki", "its")]
    panels = ["kaikki", *sites]
    nrows = math.ceil(len(panels) / ncols)
    with plt.rc_context(style()):
        fig, axes = plt.subplots(nrows, ncols, figsize=(3.0 * ncols, 2.2 * nrows), sharex=True, sharey=True,
                                 squeeze=False)
        for ax, site in zip(axes.flat, panels, strict=False):
            m = monthly[monthly["site"] == site]
            color = PALETTE["intervention"] if (site == "kaikki" or site in (its_sites or [])) \
                else PALETTE["comparison"]
            ax.plot(_month_x(m["month"]), m["share"], color=color, lw=1.2, marker="o", ms=2)
            if change_date is not None:
                ax.axvline(pd.Timestamp(change_date), color=PALETTE["target"], ls="--", lw=1)
            title = label("waiting.figures.all_sites", language) if site == "kaikki" else str(site)
            if its_sites and site in its_sites:
                title += " *"
            ax.set_title(title, fontsize=9)
            ax.set_ylim(0, 1)
            _percent_axis(ax, language)
            ax.tick_params(axis="x", labelrotation=45, labelsize=7)
        for ax in list(axes.flat)[len(panels):]:
            ax.set_visible(False)
        what = (label("waiting.figures.monthly_title_days", language, days=limit) if limit
                else label("waiting.figures.monthly_title_limit", language))
        fig.suptitle(what + (label("waiting.figures.monthly_title_change", language) if change_date else ""),
                     fontsize=10)
        fig.tight_layout()
    plt.close(fig)
    return fig


def waiting_its_chart(its, *, language: str = "fi"):
    """Observed monthly share, fitted segmented line and the counterfactual (pre-period trend
    continued) of an interrupted time series."""
    s = its.series
    x = _month_x(s["month"])
    with plt.rc_context(style()):
        fig, ax = plt.subplots(figsize=(7.0, 3.6))
        ax.plot(x, s["observed"], "o", ms=3, color=PALETTE["comparison"], label=label("waiting.figures.observed", language))
        post = s["post"] == 1
        pre_x, post_x = x[~post.to_numpy()], x[post.to_numpy()]
        ax.plot(pre_x, s.loc[~post, "fitted"], color=PALETTE["intervention"], lw=2, label=label("waiting.figures.model", language))
        ax.plot(post_x, s.loc[post, "fitted"], color=PALETTE["intervention"], lw=2)
        ax.plot(x[post.to_numpy()], s.loc[post, "counterfactual"], color=PALETTE["intervention"], lw=1.5, ls=":",
                label=label("waiting.figures.counterfactual", language))
        ax.axvline(its.change_month.to_timestamp(), color=PALETTE["target"], ls="--", lw=1, label=label("waiting.figures.change_point", language))
        ax.set_ylim(0, 1)
        _percent_axis(ax, language)
        ax.legend(frameon=False, fontsize=8)
        fig.tight_layout()
    plt.close(fig)
    return fig
