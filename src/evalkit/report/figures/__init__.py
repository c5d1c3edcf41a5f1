"""Report figures: one module per measure; ``figures.common`` holds style and axis helpers."""

from .common import locale_axis, style
from .reach import reach_chart

__all__ = ["locale_axis", "reach_chart", "style"]
