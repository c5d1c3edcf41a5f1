"""Options of the visits measure (käyntimäärät)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from .common import Strict, Window

__all__ = ["ItsOptions", "VisitsOptions"]


class ItsOptions(Strict):
    """Interrupted time series on monthly service-level counts."""

    change_date: date = Field(description="date of the change (start of the intervention period)")
    seasonality: bool = Field(True, description="add calendar-month (Fourier) seasonality terms")
    hac_lags: int | None = Field(
        None, ge=0, description="Newey–West lags; empty = rule of thumb from the series length"
    )


class VisitsOptions(Strict):
    """Visits before and after each client's own index date."""

    pre_window: Window = Field((-365, -1), description="pre-period in days relative to the index date")
    post_window: Window = Field((0, 364), description="post-period in days relative to the index date")
    washout_days: int = Field(
        0, ge=0, description="days just before the index date left out of the pre-period"
    )
    filters: dict[str, list[str]] = Field(
        default_factory=dict,
        description="keep only visits whose column has one of the values, e.g. "
        "{service: [psychiatry], professional: [nurse, psychologist, physician]}",
    )
    covariates: list[str] = Field(
        default_factory=list, description="covariates for the adjusted sensitivity model (optional)"
    )
    bootstrap_reps: int = Field(2000, ge=100, description="bootstrap replicates for mean_change")
    rtm_months: int = Field(
        24, ge=1, description="months before the index shown in the regression-to-the-mean diagnostic"
    )
    its: ItsOptions | None = Field(None, description="interrupted time series; omit to skip")
