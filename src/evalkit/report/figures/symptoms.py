"""Figures of the symptoms measure (PHQ-9 / GAD-7).

``symptoms_trajectory_chart`` shows aggregates only (session means with ≥ ``min_cell``
scores, already filtered by the measure). ``symptoms_waterfall`` shows one bar per client
(no identifiers): internal audience only — add it with ``Section.figure(..., individual=True)``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..i18n import label
from .common import PALETTE, locale_axis, style

__all__ = ["symptoms_trajectory_chart", "symptoms_waterfall"]

_COLORS = {"PHQ-9": PALETTE["intervention"], "GAD-7": PALETTE["target"]}
_BANDS = {"improved": "#2e7d32", "no_reliable_change": "#8a8a8a", "deteriorated": "#c62828"}


def symptoms_trajectory_chart(trajectory: pd.DataFrame, *, language: str = "fi"):
    """Mean score by session with the 95 % interval, one line per instrument."""
    with plt.rc_context(style()):
        fig, ax = plt.subplots(figsize=(7.0, 3.8))
        for inst, t in trajectory.groupby("instrument", sort=False):
            c = _COLORS.get(inst, PALETTE["comparison"])
            ax.errorbar(t["session"], t["mean"], yerr=[t["mean"] - t["ci_low"], t["ci_high"] - t["mean"]],
                        color=c, marker="o", capsize=3, lw=1.5, label=inst)
        ax.set_xlabel(label("symptoms.figures.session", language))
        ax.set_ylabel(label("symptoms.figures.mean_score", language))
        if len(trajectory):
            ax.set_xticks(sorted(trajectory["session"].unique()))
        ax.set_ylim(bottom=0)
        locale_axis(ax, "y", language=language)
        ax.legend(frameon=False)
        fig.tight_layout()
    return fig


def symptoms_waterfall(changes: pd.DataFrame, *, reliable_change: dict[str, int] | None = None,
                       language: str = "fi"):
    """Individual change (last − first), sorted, one panel per instrument, coloured by the
    fixed reliable-change bands; dashed lines at ± the threshold. Individual-level: internal only."""
    insts = list(dict.fromkeys(changes["instrument"]))
    with plt.rc_context(style()):
        fig, axes = plt.subplots(len(insts) or 1, 1, figsize=(7.0, 2.8 * max(1, len(insts))), squeeze=False)
        for ax, inst in zip(axes[:, 0], insts, strict=False):
            c = changes[changes["instrument"] == inst]
            x = np.arange(len(c))
            for band, color in _BANDS.items():
                m = (c["band"] == band).to_numpy()
                ax.bar(x[m], c["change"].to_numpy()[m], width=1.0, color=color,
                       label=label(f"symptoms.figures.{band}", language))
            if reliable_change and inst in reliable_change:
                for y in (-reliable_change[inst], reliable_change[inst]):
                    ax.axhline(y, ls="--", lw=0.8, color="#444444")
            ax.axhline(0, lw=0.6, color="black")
            ax.set_title(inst)
            ax.set_ylabel(label("symptoms.figures.change_points", language))
            ax.set_xticks([])
            locale_axis(ax, "y", language=language)
        axes[0, 0].legend(frameon=False, fontsize=8, loc="upper left")
        axes[-1, 0].set_xlabel(label("symptoms.figures.clients_sorted", language))
        fig.tight_layout()
    return fig
