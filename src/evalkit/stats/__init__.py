"""Statistical building blocks (intervals, count models, survival, bootstrap, linear models).

Every function returns :class:`StatEstimate` rows (estimate, interval, ``n``, method) or a
result object holding them; :func:`kaplan_meier` returns the curve as a DataFrame.
"""

from ._results import StatEstimate, StatisticalWarning
from .intervals import (
    cohens_dz,
    mean_interval,
    newcombe_difference,
    paired_mean_change,
    risk_ratio,
    standardized_mean_change,
    wilson_interval,
)
from .linear import ancova, mixed_model_change
from .survival import (
    cox_hazard_ratio,
    cumulative_incidence_at,
    kaplan_meier,
    median_survival,
    survival_at,
    survival_quantile,
)

__all__ = [
    "StatEstimate",
    "StatisticalWarning",
    "ancova",
    "cohens_dz",
    "cox_hazard_ratio",
    "cumulative_incidence_at",
    "kaplan_meier",
    "mean_interval",
    "median_survival",
    "mixed_model_change",
    "newcombe_difference",
    "paired_mean_change",
    "risk_ratio",
    "standardized_mean_change",
    "survival_at",
    "survival_quantile",
    "wilson_interval",
]
