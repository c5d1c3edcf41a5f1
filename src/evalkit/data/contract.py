"""The data contract as code: tables, columns, types and rules (``docs/data-contract.md``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["CONTRACT", "ColumnSpec", "EMPLOYMENT_STATUSES", "TableSpec", "INSTRUMENT_ITEMS"]

Kind = Literal["str", "date", "int", "float", "code"]


@dataclass(frozen=True)
class ColumnSpec:
    """One contract column. ``required`` = the column must exist and every row needs a value
    (``column_required`` alone: the column must exist but values may be empty)."""

    name: str
    kind: Kind
    required: bool = False
    column_required: bool = False
    allowed: tuple[str, ...] = ()
    ge: float | None = None
    le: float | None = None
    default: str | None = None
    identifier: bool = False

    @property
    def must_exist(self) -> bool:
        return self.required or self.column_required


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[ColumnSpec, ...]
    unique: tuple[tuple[str, ...], ...] = ()

    def column(self, name: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


EMPLOYMENT_STATUSES = ("competitive", "self_employed", "study", "volunteer", "work_trial",
                       "rehabilitation", "other")
INSTRUMENT_ITEMS = {"PHQ-9": 9, "GAD-7": 7}
_ITEMS = tuple(ColumnSpec(f"item_{i}", "int", ge=0, le=3) for i in range(1, 10))

C = ColumnSpec
CONTRACT: dict[str, TableSpec] = {
    t.name: t
    for t in [
        TableSpec("clients", (
            C("client_id", "str", required=True, identifier=True),
            C("model", "str"),
            C("group", "code", allowed=("intervention", "comparison"), default="intervention"),
            C("referral_date", "date"),
            C("index_date", "date"),
            C("end_date", "date"),
            C("followup_end", "date"),
            C("birth_year", "int", ge=1900, le=2100),
            C("sex", "code", allowed=("F", "M", "other")),
            C("municipality", "str"),
            C("diagnoses", "str"),
        ), unique=(("client_id",),)),
        TableSpec("visits", (
            C("client_id", "str", required=True, identifier=True),
            C("date", "date", required=True),
            C("service", "str", required=True),
            C("professional", "str"),
            C("contact_type", "str"),
            C("n", "int", ge=0),
        )),
        TableSpec("employment", (
            C("client_id", "str", required=True, identifier=True),
            C("start_date", "date", required=True),
            C("end_date", "date"),
            C("status", "code", required=True, allowed=EMPLOYMENT_STATUSES),
            C("hours_per_week", "float", ge=0, le=168),
            C("monthly_wage_eur", "float", ge=0),
        )),
        TableSpec("questionnaires", (
            C("client_id", "str", required=True, identifier=True),
            C("date", "date", required=True),
            C("instrument", "code", required=True, allowed=tuple(INSTRUMENT_ITEMS)),
            C("session", "int", ge=0),
            *_ITEMS,
            C("total", "int", ge=0, le=27),
        )),
        TableSpec("unit_costs", (
            C("service", "str", required=True),
            C("professional", "str"),
            C("contact_type", "str"),
            C("unit_cost_eur", "float", required=True, ge=0),
            C("cost_year", "int", required=True, ge=1990, le=2100),
            C("source", "str"),
        ), unique=(("service", "professional", "contact_type"),)),
        TableSpec("intervention_costs", (
            C("model", "str"),
            C("item", "str", required=True),
            C("amount_eur", "float", required=True, ge=0),
            C("year", "int", required=True, ge=1990, le=2100),
            C("basis", "code", required=True, allowed=("total", "per_client", "per_session")),
        )),
        TableSpec("price_index", (
            C("year", "int", required=True, ge=1900, le=2100),
            C("index", "float", required=True, ge=0),
        ), unique=(("year",),)),
        TableSpec("fidelity", (
            C("review_date", "date", required=True),
            C("item", "int", required=True, ge=1, le=25),
            C("score", "int", required=True, ge=1, le=5),
        ), unique=(("review_date", "item"),)),
        TableSpec("indicators", (
            C("indicator", "str", required=True),
            C("period", "str", required=True),
            C("value", "float", required=True),
            C("target", "float"),
            C("unit", "str"),
        ), unique=(("indicator", "period"),)),
        TableSpec("waits", (
            C("case_id", "str", required=True, identifier=True),
            C("client_id", "str", identifier=True),
            C("service", "str", required=True),
            C("site", "str"),
            C("contact_date", "date", required=True),
            C("event_date", "date"),
            C("urgency", "str"),
        ), unique=(("case_id",),)),
    ]
}

#: (start, end) date pairs where the end must not precede the start
DATE_ORDER: dict[str, tuple[tuple[str, str], ...]] = {
    "clients": (("referral_date", "index_date"), ("index_date", "end_date"), ("index_date", "followup_end")),
    "employment": (("start_date", "end_date"),),
    "waits": (("contact_date", "event_date"),),
}

#: period of the indicators table: 2024, 2024Q3 or 2024-05
PERIOD_PATTERN = r"^\d{4}(Q[1-4]|-(0[1-9]|1[0-2]))?$"
