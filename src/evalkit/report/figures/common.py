"""Figures for the report: matplotlib, Finnish labels, locale-formatted axes.

Every function returns a ``matplotlib.figure.Figure`` and never shows row-level data for a
public audience; callers add it to a section with ``Section.figure``.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg") if not matplotlib.get_backend().lower().startswith(("module://matplotlib_inline", "nbagg", "ipympl")) else None

from matplotlib.ticker import FuncFormatter  # noqa: E402

from ..fmt import format_number  # noqa: E402

__all__ = ["PALETTE", "locale_axis", "style", "tick_decimals"]

PALETTE = {"actual": "#00607a", "target": "#c8553d", "comparison": "#8a8a8a", "intervention": "#00607a"}


def style() -> dict:
    return {"figure.dpi": 100, "axes.spines.top": False, "axes.spines.right": False,
            "font.size": 10, "axes.titlesize": 11, "svg.hashsalt": "evalkit"}


def tick_decimals(locs, minimum: int = 0, maximum: int = 3) -> int:
    """Decimals that show every tick exactly (at least ``minimum``): ticks 0, 2.5, 5 need one,
    so 2.5 is not printed as "2" (nor 1.75 as "1,8")."""
    need = minimum
    for v in locs:
        d = minimum
        while d < maximum and abs(v - round(v, d)) > 1e-9 * max(1.0, abs(v)):
            d += 1
        need = max(need, d)
    return need


def locale_axis(ax, axis: str = "y", decimals: int = 0, language: str = "fi") -> None:
    """Tick labels in the report language (decimal comma, space as thousands separator);
    ``decimals`` is the minimum — more are used when a tick needs them (2,5 not 2)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    fmt = FuncFormatter(lambda v, _pos: format_number(
        v, tick_decimals(target.get_majorticklocs(), decimals), language=language))
    target.set_major_formatter(fmt)
