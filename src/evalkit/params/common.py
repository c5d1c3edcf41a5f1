"""Shared building blocks of the params schema."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

__all__ = ["Audience", "Language", "MeasureName", "Strict", "TableName", "Window", "MEASURES", "TABLES"]


class Strict(BaseModel):
    """Base for every params section: unknown keys are errors, values are validated on assignment."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


Language = Literal["fi", "sv", "en"]
Audience = Literal["public", "internal"]

#: Measures a params file may switch on; each is one notebook run (see ``evalkit.run.NOTEBOOKS``).
MeasureName = Literal["visits", "employment", "symptoms", "costs", "reach", "waiting"]
MEASURES: tuple[str, ...] = MeasureName.__args__  # type: ignore[attr-defined]

#: Tables of the data contract (``../shared/data-contract.md``).
TableName = Literal[
    "clients",
    "visits",
    "employment",
    "questionnaires",
    "unit_costs",
    "intervention_costs",
    "price_index",
    "fidelity",
    "indicators",
    "waits",
]
TABLES: tuple[str, ...] = TableName.__args__  # type: ignore[attr-defined]



def _window(value: Any) -> tuple[int, int]:
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        start, end = value
        if start > end:
            raise ValueError(f"window start {start} is after its end {end}")
        return (start, end)
    shown = f'"{value}"' if isinstance(value, str) else repr(value)
    raise ValueError(f"expected two integers, got {shown}")


#: A window in days relative to an index date, both ends inclusive, e.g. ``[-365, -1]``.
Window = Annotated[
    tuple[int, int],
    BeforeValidator(_window),
    Field(description="two integers: first and last day relative to the index date, inclusive"),
]
