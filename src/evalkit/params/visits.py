"""Options of the visits measure (käyntimäärät)."""

from __future__ import annotations

from datetime import date
from math import ceil
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from .common import Strict, Window

__all__ = ["ItsOptions", "VisitsOptions", "VisitsWindow", "months_to_days"]

#: Days in a month of the months shorthand (365.25 / 12, as a person-month).
_MONTH_DAYS = 30.4375


def months_to_days(first: int, last: int) -> tuple[int, int]:
    """Months relative to the index date → days: month ``k`` holds the days ``t`` with
    ``floor(t / 30.4375) = k``, so ``[-12, -1]`` is ``[-365, -1]`` and ``[0, 11]`` is ``[0, 365]``."""
    return ceil(first * _MONTH_DAYS), ceil((last + 1) * _MONTH_DAYS) - 1


def _months_shorthand(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) != {"months"}:
            raise ValueError(f"expected two integers (days) or {{months: [first, last]}}, got {value!r}")
        months = value["months"]
        if not (isinstance(months, list | tuple) and len(months) == 2
                and all(isinstance(m, int) and not isinstance(m, bool) for m in months)):
            raise ValueError(f"months: expected two integers, got {months!r}")
        if months[0] > months[1]:
            raise ValueError(f"months: start {months[0]} is after its end {months[1]}")
        return list(months_to_days(*months))
    return value


#: A window in days relative to the index date, or ``{months: [first, last]}``.
VisitsWindow = Annotated[Window, BeforeValidator(_months_shorthand)]


class ItsOptions(Strict):
    """Interrupted time series on monthly service-level counts."""

    change_date: date = Field(description="date of the change (start of the intervention period)")
    seasonality: bool = Field(True, description="add calendar-month (Fourier) seasonality terms")
    hac_lags: int | None = Field(
        None, ge=0, description="Newey–West lags; empty = rule of thumb from the series length"
    )


class VisitsOptions(Strict):
    """Visits before and after each client's own index date."""

    pre_window: VisitsWindow = Field(
        (-365, -1), description="pre-period in days relative to the index date, both ends included; "
        "or months: {months: [-12, -1]} (= [-365, -1])")
    post_window: VisitsWindow = Field(
        (0, 364), description="post-period in days relative to the index date (day 0 = index date); "
        "or months: {months: [0, 11]} (= [0, 365])")
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
