"""Figures of the costs measure: the cost-effectiveness plane, the acceptability curve and
the one-way sensitivity (tornado) chart.

The plane shows bootstrap draws of the *group mean* differences (ΔE, ΔC), never a client's
values; it is not drawn when either group has fewer than ``min_cell`` clients.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..fmt import format_number
from ..i18n import label
from .common import PALETTE, locale_axis, style

__all__ = ["ce_plane", "ceac_chart", "tornado_chart"]

def ce_plane(ce, *, wtp: float, min_cell: int = 5, effect_scale: float = 1.0, effect_label: str = "ΔE",
             max_points: int = 2000, language: str = "fi"):
    """Bootstrap draws of (ΔE, ΔC) with the point estimate and the λ line (ΔC = λ·ΔE).

    ``effect_scale`` multiplies ΔE for display (100: percentage points). At most
    ``max_points`` draws are drawn (every k-th, deterministic). Returns ``None`` when a group
    has fewer than ``min_cell`` clients.
    """
    if ce is None or min(ce.n_intervention, ce.n_comparison) < min_cell:
        return None
    de, dc = np.asarray(ce.delta_effect) * effect_scale, np.asarray(ce.delta_cost)
    step = max(1, len(de) // max_points)
    point = (ce.get("incremental_effect").estimate * effect_scale, ce.get("incremental_cost").estimate)
    with plt.rc_context(style()):
        fig, ax = plt.subplots(figsize=(6.0, 4.2))
        ax.scatter(de[::step], dc[::step], s=4, alpha=0.25, color=PALETTE["intervention"], lw=0,
                   label=label("costs.figures.draws", language))
        ax.axhline(0, color="#444444", lw=0.8)
        ax.axvline(0, color="#444444", lw=0.8)
        xmax = max(abs(de).max(), abs(point[0]), 1e-9) * 1.1
        xs = np.linspace(-xmax, xmax, 3)
        ax.plot(xs, wtp / effect_scale * xs, color=PALETTE["target"], lw=1.2, ls="--",
                label=label("costs.figures.wtp_line", language, wtp=format_number(wtp, language=language)))
        ax.plot(*point, "o", color="#111111", ms=6, label=label("costs.figures.point_estimate", language))
        ax.set_xlim(-xmax, xmax)
        ymax = max(abs(dc).max(), abs(point[1])) * 1.1
        ax.set_ylim(-ymax, ymax)
        ax.set_xlabel(effect_label)
        ax.set_ylabel(label("costs.figures.delta_cost_axis", language))
        locale_axis(ax, "y", language=language)
        locale_axis(ax, "x", decimals=0 if effect_scale != 1 else 2, language=language)
        # below the axes: inside, the legend covered the λ line or the draws
        ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3,
                  markerscale=2)
        fig.tight_layout()
    plt.close(fig)
    return fig


def ceac_chart(curve: pd.DataFrame, *, wtp: float, language: str = "fi"):
    """Acceptability curve (share of draws with INMB > 0) with EVPI per person on a second axis."""
    with plt.rc_context(style()):
        fig, ax = plt.subplots(figsize=(6.4, 3.6))
        ax.plot(curve["wtp"], 100 * curve["prob_cost_effective"], color=PALETTE["intervention"], lw=1.8,
                label=label("costs.figures.prob_cost_effective", language))
        ax.axvline(wtp, color=PALETTE["target"], lw=1, ls="--")
        ax.set_ylim(0, 100)
        ax.set_xlabel(label("costs.figures.wtp_axis", language))
        ax.set_ylabel(label("costs.figures.probability_axis", language))
        locale_axis(ax, "x", language=language)
        ax2 = ax.twinx()
        ax2.plot(curve["wtp"], curve["evpi_per_person"], color=PALETTE["comparison"], lw=1.2, ls=":",
                 label=label("costs.figures.evpi", language))
        ax2.set_ylabel(label("costs.figures.evpi", language))
        ax2.set_ylim(bottom=0)
        locale_axis(ax2, "y", language=language)
        lines = ax.get_legend_handles_labels()
        lines2 = ax2.get_legend_handles_labels()
        ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], frameon=False, fontsize=8, loc="upper center",
                  bbox_to_anchor=(0.5, -0.2), ncol=2)  # below the axes, clear of both curves
        fig.tight_layout()
    plt.close(fig)
    return fig


def tornado_chart(table: pd.DataFrame, *, outcome: str | None = None, language: str = "fi"):
    """One bar per parameter from the outcome at its low to its high value, around the base case
    (``outcome``: the x-axis label; default INMB per client in ``language``)."""
    t = table.iloc[::-1].reset_index(drop=True)  # largest swing on top
    base = float(t["base"].iloc[0]) if len(t) else 0.0
    with plt.rc_context(style()):
        fig, ax = plt.subplots(figsize=(6.4, 0.6 * max(len(t), 2) + 1.0))
        for i, r in t.iterrows():
            lo, hi = sorted((r["outcome_low"], r["outcome_high"]))
            ax.barh(i, hi - lo, left=lo, color=PALETTE["intervention"], alpha=0.8, height=0.6)
        ax.axvline(base, color="#111111", lw=1)
        ax.set_yticks(range(len(t)), [_label(r, language) for _, r in t.iterrows()])
        ax.set_xlabel(outcome if outcome is not None else label("costs.figures.inmb_axis", language))
        locale_axis(ax, "x", language=language)
        fig.tight_layout()
    plt.close(fig)
    return fig


def _label(r, language: str) -> str:
    name = label(f"costs.parameters.{r['parameter']}", language)
    if r["parameter"] == "discount_rate":
        rng = f"{format_number(100 * r['low_value'], language=language)}–" \
              f"{format_number(100 * r['high_value'], language=language)} %"
    elif r["parameter"] == "wtp":
        rng = f"{format_number(r['low_value'], language=language)}–{format_number(r['high_value'], language=language)} €"
    else:
        rng = f"{format_number(100 * r['low_value'], language=language)}–" \
              f"{format_number(100 * r['high_value'], language=language)} %"
    return f"{name} ({rng})"
