"""Figures for the report: matplotlib, Finnish labels, locale-formatted axes.

Every function returns a ``matplotlib.figure.Figure`` and never shows row-level data for a
public audience; callers add it to a section with ``Section.figure``.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg") if not matplotlib.get_backend().lower().startswith(("module://matplotlib_inline", "nbagg", "ipympl")) else None

from matplotlib.ticker import FuncFormatter  # noqa: E402

from ..fmt import format_number  # noqa: E402

__all__ = ["PALETTE", "locale_axis", "style"]

PALETTE = {"actual": "#00607a", "target": "#c8553d", "comparison": "#8a8a8a", "intervention": "#00607a"}


def style() -> dict:
    return {"figure.dpi": 100, "axes.spines.top": False, "axes.spines.right": False,
            "font.size": 10, "axes.titlesize": 11, "svg.hashsalt": "evalkit"}


def locale_axis(ax, axis: str = "y", decimals: int = 0, language: str = "fi") -> None:
    """Tick labels in the report language (decimal comma, space as thousands separator)."""
    fmt = FuncFormatter(lambda v, _pos: format_number(v, decimals, language=language))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)
