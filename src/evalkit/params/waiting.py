"""Options of the waiting-times measure (hoitotakuu)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from .common import Strict

__all__ = ["LimitPeriod", "WaitingOptions"]


class LimitPeriod(Strict):
    """A care-guarantee limit valid from a date."""

    valid_from: date = Field(description="first date the limit applies (by contact date)")
    days: int = Field(gt=0, description="limit in days")


class WaitingOptions(Strict):
    """Waiting times against care-guarantee limits."""

    limits: list[LimitPeriod] = Field(
        default_factory=list, description="limit history; the limit in force at the contact date applies"
    )
    extra_limits_days: list[int] = Field(
        default_factory=list, description="further fixed limits reported (e.g. 90)"
    )
    by: list[str] = Field(default_factory=lambda: ["service"], description="split columns (service, site)")
    period: str = Field("year", description="period of the tables: year or quarter")
    change_date: date | None = Field(None, description="date for the interrupted time series")
    its_sites: list[str] = Field(
        default_factory=list,
        description="sites whose pooled monthly series the interrupted time series uses (empty = all sites)",
    )
    its_limit_days: int | None = Field(
        None, gt=0,
        description="fixed limit (days) of the monthly within-limit share in the interrupted time series; "
        "empty = the limit in force at change_date (a fixed limit keeps a limit change out of the series)",
    )
