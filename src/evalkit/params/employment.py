"""Options of the employment measure (työllistyminen, IPS) and fidelity."""

from __future__ import annotations

from pydantic import Field

from .common import Strict

__all__ = ["EmploymentOptions", "SubgroupSpec"]


class SubgroupSpec(Strict):
    """A subgroup for split results."""

    label: str = Field(description="label shown in the report and in results.csv `group`")
    icd10: list[str] = Field(
        default_factory=list,
        description="ICD-10 codes or ranges (e.g. F20-F25, F29, F31.6-F31.9) matched against clients.diagnoses",
    )
    sex: str | None = Field(None, description="F / M / other")
    age_band: tuple[int, int] | None = Field(None, description="[lowest, highest] age at the index date")


class EmploymentOptions(Strict):
    """IPS employment outcomes."""

    employment_statuses: list[str] = Field(
        default_factory=lambda: ["competitive", "self_employed"],
        description="employment statuses that count as employment",
    )
    progression_statuses: list[str] = Field(
        default_factory=lambda: ["study", "volunteer", "work_trial"],
        description="statuses that count as other progression",
    )
    followup_days: int | None = Field(
        None, ge=1, description="follow-up from the index date in days; empty = until followup_end / cut-off"
    )
    milestones_days: list[int] = Field(
        default_factory=lambda: [90, 180, 365], description="times for employed_by_<d>d"
    )
    subgroups: list[SubgroupSpec] = Field(default_factory=list, description="subgroup splits")
    target: tuple[float, float] | None = Field(
        (0.20, 0.30), description="the project plan's target range for the employment rate"
    )
    fidelity: bool = Field(True, description="score IPS fidelity reviews when the fidelity table exists")
    ips: bool = Field(
        False,
        description="the model is IPS (Individual Placement and Support): only then is the employment rate "
                    "set beside published IPS results (THL 2024, Bond et al. 2008, Frederick & VanderWeele 2019), "
                    "which other models cannot be compared with",
    )
