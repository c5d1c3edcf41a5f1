"""The params schema: ``params/defaults.yaml`` merged with ``params/<model>.yaml``.

Every section forbids unknown keys. ``evalkit params-doc`` renders this schema as the key
reference (``docs/params.md``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from .common import MEASURES, Audience, Language, MeasureName, Strict, TableName
from .costs import CostsOptions
from .employment import EmploymentOptions
from .reach import ReachOptions
from .symptoms import SymptomsOptions
from .visits import VisitsOptions
from .waiting import WaitingOptions

__all__ = ["REQUIRED_TABLES", "Params", "PseudonymiseOptions", "ReportOptions", "TableSource"]

#: Tables each measure needs (beyond ``clients``, which every model needs).
REQUIRED_TABLES: dict[str, tuple[str, ...]] = {
    "visits": ("clients", "visits"),
    "employment": ("clients", "employment"),
    "symptoms": ("clients", "questionnaires"),
    "costs": ("clients", "visits", "unit_costs", "price_index"),
    "reach": ("indicators",),
    "waiting": ("waits",),
}


class TableSource(Strict):
    """Where a table comes from and how its columns and codes map onto the data contract.

    A plain string is shorthand for ``{path: ...}``.
    """

    path: str = Field(
        description="file path relative to the data root (default data/); a glob is allowed for Parquet"
    )
    format: Literal["auto", "csv", "xlsx", "parquet"] = Field(
        "auto", description="file format; auto = from the file extension"
    )
    sheet: str | None = Field(None, description="Excel sheet name (default: the first sheet)")
    columns: dict[str, str] = Field(
        default_factory=dict, description="rename the file's columns onto contract names: {theirs: ours}"
    )
    values: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="recode values per contract column: {service: {PSY: psychiatry}}",
    )
    drop_columns: list[str] = Field(
        default_factory=list,
        description="columns of the file that are never read (e.g. names or addresses in an extract)",
    )
    encoding: str | None = Field(
        None, description="CSV text encoding (utf-8, utf-8-sig, cp1252, latin-1, utf-16); default: detected"
    )
    separator: Literal[",", ";", "\t", "|"] | None = Field(
        None, description="CSV column separator; default: detected"
    )
    decimal: Literal[".", ","] | None = Field(None, description="decimal mark of numbers; default: detected")
    date_format: str | None = Field(
        None,
        description="date format: iso, fi (d.m.yyyy) or a strptime format such as '%d/%m/%Y'; default: detected",
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"path": value}
        return value


class PseudonymiseOptions(Strict):
    """Keyed pseudonymisation of identifiers at load time (HMAC-SHA256)."""

    key_env: str = Field(description="name of the environment variable that holds the secret key")
    columns: list[str] = Field(
        default_factory=lambda: ["client_id"], description="identifier columns replaced by pseudonyms"
    )


class ReportOptions(Strict):
    """Options of the assembled final report (usually set region-wide in defaults.yaml)."""

    title: str = Field("Loppuraportti: vaikuttavuuden arviointi", description="report title")
    organisation: str = Field("", description="organisation shown under the title")
    project: str = Field("", description="project name shown under the title")
    models: list[str] = Field(
        default_factory=list,
        description="order of the operating models in the report (and the models `evalkit run` runs "
        "by default); models not listed follow alphabetically",
    )
    formats: list[Literal["docx", "html", "md"]] = Field(
        default_factory=lambda: ["docx", "html", "md"], description="formats written by `evalkit report`"
    )


class Params(Strict):
    """Parameters of one operating model's evaluation."""

    model: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$", description="operating model id (snake_case; the params file name)"
    )
    name: str = Field(description="operating model's name as shown in the report")
    description: str = Field("", description="one-paragraph description shown at the start of the section")
    language: Language = Field("fi", description="report language: fi, sv or en")
    audience: Audience = Field(
        "public", description="public hides individual-level figures and rejected-row details"
    )
    min_cell: int = Field(5, ge=1, description="counts below this are suppressed in every output")
    seed: int = Field(20250220, ge=0, description="seed of every random step (bootstrap)")
    cost_year: int = Field(2024, ge=1990, le=2100, description="all costs are expressed in this year's euros")
    data_start: date | None = Field(None, description="first date covered by the extracts")
    data_cutoff: date = Field(description="last date covered by the extracts (data cut-off)")
    on_invalid_rows: Literal["error", "quarantine"] = Field(
        "error", description="error stops on the first invalid rows; quarantine sets them aside and counts them"
    )
    pseudonymise: PseudonymiseOptions | None = Field(None, description="keyed pseudonymisation at load")
    report: ReportOptions = Field(default_factory=ReportOptions, description="final report options")
    measures: list[MeasureName] = Field(min_length=1, description=f"measures run: {', '.join(MEASURES)}")
    questions: dict[MeasureName, str] = Field(
        default_factory=dict, description="the funder's question used as each measure's heading"
    )
    tables: dict[TableName, TableSource] = Field(
        default_factory=dict, description="the model's input tables (see the data contract)"
    )
    visits: VisitsOptions = Field(default_factory=VisitsOptions, description="visits options")
    employment: EmploymentOptions = Field(default_factory=EmploymentOptions, description="employment options")
    symptoms: SymptomsOptions = Field(default_factory=SymptomsOptions, description="symptoms options")
    costs: CostsOptions = Field(default_factory=CostsOptions, description="cost-effectiveness options")
    reach: ReachOptions = Field(default_factory=ReachOptions, description="reach options")
    waiting: WaitingOptions = Field(default_factory=WaitingOptions, description="waiting-time options")

    @field_validator("measures")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        seen = [m for i, m in enumerate(value) if m in value[:i]]
        if seen:
            raise ValueError(f"listed twice: {', '.join(seen)}")
        return value

    @model_validator(mode="after")
    def _tables_for_measures(self) -> Params:
        missing = [
            f"measure '{m}' needs table '{t}'"
            for m in self.measures
            for t in REQUIRED_TABLES[m]
            if t not in self.tables
        ]
        if missing:
            raise ValueError("; ".join(missing))
        if self.data_start is not None and self.data_start > self.data_cutoff:
            raise ValueError(f"data_start {self.data_start} is after data_cutoff {self.data_cutoff}")
        return self
