"""Options of the costs measure (kustannusvaikuttavuus)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .common import Strict

__all__ = ["CostsOptions"]


class CostsOptions(Strict):
    """Costs, cost offset and cost-effectiveness."""

    outcome: str = Field(
        "employed", description="effect measure for cost per outcome and the ICER (e.g. employed, reliable_recovery)"
    )
    wtp: float = Field(
        20000.0, ge=0, description="willingness to pay per outcome (λ, €); Finland has no official value"
    )
    wtp_grid_max: float = Field(100000.0, gt=0, description="upper end of the λ grid for the CEAC (€)")
    wtp_grid_step: float = Field(1000.0, gt=0, description="step of the λ grid (€)")
    bootstrap_reps: int = Field(5000, ge=100, description="bootstrap replicates B")
    discount_rate: float = Field(0.03, ge=0, le=0.2, description="annual discount rate for horizons beyond a year")
    budget_clients_per_year: int | None = Field(
        None, ge=1, description="clients a year for the budget impact"
    )
    missing_effect: Literal["zero", "exclude"] = Field(
        "zero", description="client without an outcome value (e.g. course not finished): zero = counted as not "
                            "achieved (every analysed client's cost counts), exclude = complete cases only"
    )
    sensitivity_spread: float = Field(
        0.25, gt=0, lt=1, description="± share by which unit costs and the intervention cost vary in the tornado"
    )
