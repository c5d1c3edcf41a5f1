"""Figures of the employment measure (IPS) and fidelity.

Aggregates only: funnel counts (small ones shown as "< k"), Kaplan–Meier curves cut where
fewer than ``min_cell`` remain at risk (done by the measure), published benchmarks, and
the fidelity reviews' item scores (a service-level review, not people).
"""

from __future__ import annotations

from datetime import date

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..fmt import format_date, format_number, format_percent_value
from ..i18n import label
from .common import PALETTE, locale_axis, style

__all__ = ["employment_benchmark_chart", "employment_curve_chart", "employment_funnel_chart", "fidelity_profile_chart"]

def _percent_axis(ax, axis: str, language: str) -> None:
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _p: format_percent_value(v, language=language))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


def employment_funnel_chart(funnel: pd.DataFrame, *, min_cell: int = 5, language: str = "fi"):
    """Horizontal bars: referred → enrolled → employed → employed or progressed (intervention
    group), each labelled with its count and its share of the referred and of the enrolled."""
    f = funnel[funnel["group"] == "intervention"].reset_index(drop=True)
    with plt.rc_context(style()):
        fig, ax = plt.subplots(figsize=(7.0, 0.6 + 0.55 * len(f)))
        y = np.arange(len(f))[::-1]
        ax.barh(y, f["n"], color=PALETTE["intervention"], height=0.6)
        top = float(f["n"].max()) if len(f) else 1.0
        for yi, (_, r) in zip(y, f.iterrows(), strict=True):
            small = 0 < r["n"] < min_cell
            text = f"< {min_cell}" if small else format_number(r["n"], language=language)
            shares = []
            if not small and r["stage"] != "referred" and not np.isnan(r["share_of_referred"]):
                shares.append(label("employment.figures.of_referred", language,
                                    share=format_percent_value(r["share_of_referred"], language=language)))
            if not small and r["stage"] not in ("referred", "enrolled") and not np.isnan(r["share_of_enrolled"]):
                shares.append(label("employment.figures.of_enrolled", language,
                                    share=format_percent_value(r["share_of_enrolled"], language=language)))
            if shares:
                text += " (" + ", ".join(shares) + ")"
            ax.text((0 if small else r["n"]) + top * 0.01, yi, text, va="center", fontsize=9)
        ax.set_yticks(y, [label(f"employment.stages.{s}", language) for s in f["stage"]])
        ax.set_xlim(0, top * 1.75)
        ax.set_xlabel(label("employment.figures.persons_axis", language))
        locale_axis(ax, "x", language=language)
        fig.tight_layout()
    plt.close(fig)
    return fig


def employment_curve_chart(curves: pd.DataFrame, *, milestones: list[int] | None = None, language: str = "fi"):
    """Cumulative share employed by days from the index date (1 − Kaplan–Meier) per group,
    with 95 % bands; curves end where fewer than ``min_cell`` remain at risk."""
    with plt.rc_context(style()):
        fig, ax = plt.subplots(figsize=(7.0, 3.8))
        for g in dict.fromkeys(curves["group"]):
            c = curves[curves["group"] == g]
            color = PALETTE.get(g, PALETTE["intervention"])
            ax.step(c["time"], c["employed"], where="post", color=color, lw=2.0 if g == "intervention" else 1.4,
                    label=label(f"groups.{g}", language))
            ax.fill_between(c["time"], c["ci_low"], c["ci_high"], step="post", color=color, alpha=0.15, lw=0)
        for d in milestones or []:
            ax.axvline(d, color=PALETTE["target"], ls=":", lw=0.8)
        ax.set_xlim(0, float(curves["time"].max()) if len(curves) else 365)
        ax.set_ylim(0, max(0.1, float(curves["ci_high"].max()) * 1.1) if len(curves) else 1)
        ax.set_xlabel(label("employment.figures.days_from_start_axis", language))
        ax.set_ylabel(label("employment.figures.employed_share_axis", language))
        _percent_axis(ax, "y", language)
        locale_axis(ax, "x", language=language)
        ax.legend(frameon=False, fontsize=8, loc="upper left")
        fig.tight_layout()
    plt.close(fig)
    return fig


def employment_benchmark_chart(benchmarks: pd.DataFrame, *, language: str = "fi"):
    """Employment rates: our estimates with 95 % intervals, the plan's target range and the
    published figures (each labelled with its source)."""
    from ...measures.employment import localise_benchmarks

    b = localise_benchmarks(benchmarks[benchmarks["measure"] == "rate"].reset_index(drop=True), language)
    with plt.rc_context(style()):
        fig, ax = plt.subplots(figsize=(7.5, 0.8 + 0.5 * len(b)))
        y = np.arange(len(b))[::-1]
        for yi, (_, r) in zip(y, b.iterrows(), strict=True):
            if r["kind"] == "target":
                ax.barh(yi, r["ci_high"] - r["ci_low"], left=r["ci_low"], height=0.5, color=PALETTE["target"],
                        alpha=0.35)
                continue
            color = PALETTE["intervention"] if r["kind"] == "own" else PALETTE["comparison"]
            if not (pd.isna(r["ci_low"]) or pd.isna(r["ci_high"])):
                ax.plot([r["ci_low"], r["ci_high"]], [yi, yi], color=color, lw=2)
            ax.plot([r["estimate"]], [yi], "o", color=color)
        ax.set_yticks(y, [f"{r['label']}\n{r['source']}" for _, r in b.iterrows()], fontsize=7)
        ax.set_xlim(0, 1)
        ax.set_xlabel(label("employment.figures.employed_share_axis", language))
        _percent_axis(ax, "x", language)
        fig.tight_layout()
    plt.close(fig)
    return fig


def fidelity_profile_chart(items: pd.DataFrame, *, language: str = "fi"):
    """IPS-25 item scores (1–5) of each review; the latest review in colour, earlier ones grey."""
    reviews = [c for c in items.columns if c not in ("item", "name")]
    names = [f"{int(i)}. {label(f'employment.fidelity_items.{n}', language)}" for i, n in zip(items["item"],
                                                                                              items["name"], strict=True)]
    with plt.rc_context(style()):
        fig, ax = plt.subplots(figsize=(7.5, 7.0))
        y = np.arange(len(items))[::-1]
        for k, col in enumerate(reviews):
            latest = k == len(reviews) - 1
            when = format_date(date.fromisoformat(col), language=language)
            ax.plot(items[col], y, "o" if latest else ".", color=PALETTE["intervention"] if latest else
                    PALETTE["comparison"], alpha=1.0 if latest else 0.6, ms=6 if latest else 4,
                    label=label("employment.figures.latest_review", language, date=when) if latest else
                    (label("employment.figures.earlier_reviews", language) if k == 0 else None))
        ax.set_yticks(y, names, fontsize=7)
        ax.set_xlim(0.8, 5.2)
        ax.set_xticks([1, 2, 3, 4, 5])
        ax.set_xlabel(label("employment.figures.item_score_axis", language))
        ax.legend(frameon=False, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
        fig.tight_layout()
    plt.close(fig)
    return fig
