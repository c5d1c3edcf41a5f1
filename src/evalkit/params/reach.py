"""Options of the reach measure (tavoittavuus)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import Strict

__all__ = ["IndicatorSpec", "ReachOptions"]


class IndicatorSpec(Strict):
    """One reach indicator of the indicators table."""

    id: str = Field(description="indicator id as in the indicators table")
    label: str = Field(description="label in the report (Finnish)")
    kind: Literal["people", "visits", "groups", "referrals", "other"] = Field(
        "other", description="what is counted; people and visits are never added together"
    )
    aggregate: Literal["sum", "max", "last"] = Field(
        "sum", description="how sub-periods combine into a year (sum for flows, max/last for stocks)"
    )
    targets: dict[str, float] = Field(
        default_factory=dict, description="target per period (e.g. {'2023': 5}); overrides the table's target"
    )


class ReachOptions(Strict):
    """Reach against targets."""

    indicators: list[IndicatorSpec] = Field(default_factory=list, description="indicators reported")
    periods: list[Literal["year", "quarter"]] = Field(
        default_factory=lambda: ["year"], description="views to report"
    )
