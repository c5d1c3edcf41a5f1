"""Report figures: one module per measure; ``figures.common`` holds style and axis helpers."""

from .common import locale_axis, style
from .costs import ce_plane, ceac_chart, tornado_chart
from .employment import (
    employment_benchmark_chart,
    employment_curve_chart,
    employment_funnel_chart,
    fidelity_profile_chart,
)
from .reach import reach_chart
from .symptoms import symptoms_trajectory_chart, symptoms_waterfall
from .visits import visits_its_chart, visits_rate_chart, visits_relative_month_chart
from .waiting import monthly_share_by_site, waiting_distribution, waiting_its_chart

__all__ = [
    "ce_plane",
    "ceac_chart",
    "employment_benchmark_chart",
    "employment_curve_chart",
    "employment_funnel_chart",
    "fidelity_profile_chart",
    "locale_axis",
    "monthly_share_by_site",
    "reach_chart",
    "style",
    "symptoms_trajectory_chart",
    "symptoms_waterfall",
    "tornado_chart",
    "visits_its_chart",
    "visits_rate_chart",
    "visits_relative_month_chart",
    "waiting_distribution",
    "waiting_its_chart",
]
