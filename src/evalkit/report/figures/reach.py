"""Figures of the reach measure."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ..i18n import label
from .common import PALETTE, locale_axis, style

__all__ = ["reach_chart"]


def reach_chart(table: pd.DataFrame, *, language: str = "fi", title_target: str | None = None,
                title_actual: str | None = None):
    """Target against actual per year, one panel per indicator that has targets (else all);
    the legend words default to the catalogue's ``figures.reach.*`` in ``language``."""
    title_target = title_target if title_target is not None else label("figures.reach.target", language)
    title_actual = title_actual if title_actual is not None else label("figures.reach.actual", language)
    with plt.rc_context(style()):
        inds = list(dict.fromkeys(table["indicator"]))
        cols = min(len(inds), 2)  # two panels a row: four in a row shrink the text below legibility
        rows = -(-len(inds) // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
        for ax in axes.flat[len(inds):]:
            ax.set_visible(False)
        for ax, ind in zip(axes.flat, inds, strict=False):
            sub = table[table["indicator"] == ind]
            x = range(len(sub))
            ax.bar([i - 0.2 for i in x], sub["actual"], width=0.4, color=PALETTE["actual"], label=title_actual)
            if sub["target"].notna().any():
                ax.bar([i + 0.2 for i in x], sub["target"].fillna(0), width=0.4, color=PALETTE["target"],
                       alpha=0.75, label=title_target)
            ax.set_xticks(list(x), sub["year"].tolist())
            ax.set_title(str(sub["label"].iloc[0]))
            locale_axis(ax, language=language)
            ax.legend(frameon=False, fontsize=8)
        fig.tight_layout()
    plt.close(fig)
    return fig
