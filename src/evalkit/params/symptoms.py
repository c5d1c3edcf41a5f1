"""Options of the symptoms measure (PHQ-9 / GAD-7 muutos)."""

from __future__ import annotations

from pydantic import Field

from .common import Strict

__all__ = ["SymptomsOptions"]


class SymptomsOptions(Strict):
    """Symptom change, reliable change and recovery."""

    instruments: list[str] = Field(
        default_factory=lambda: ["PHQ-9", "GAD-7"], description="instruments analysed"
    )
    caseness: dict[str, int] = Field(
        default_factory=lambda: {"PHQ-9": 10, "GAD-7": 8}, description="caseness threshold (score ≥)"
    )
    reliable_change: dict[str, int] = Field(
        default_factory=lambda: {"PHQ-9": 6, "GAD-7": 4},
        description="fixed reliable-change thresholds (NHS Talking Therapies)",
    )
    reliability: dict[str, float] = Field(
        default_factory=dict,
        description="test–retest reliability r per instrument for the Jacobson–Truax RCI; cite the source",
    )
    max_missing_items: int = Field(
        0, ge=0, description="answered items may be this many short and still be prorated (0 = none)"
    )
    min_sessions: int = Field(2, ge=1, description="sessions needed for a finished course")
    min_scores: int = Field(2, ge=2, description="scores needed for a paired first–last comparison")
    mixed_followup_session: int | None = Field(
        None, ge=1,
        description="session whose mean the mixed-model sensitivity analysis compares with the first session; "
        "empty = the median last session of the paired clients",
    )
