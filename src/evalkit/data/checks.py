"""Cross-table checks: orphans, dates outside the data window, unit-cost coverage and
incomplete fidelity reviews.

Orphans and out-of-window dates are row problems (stop, or quarantine and count). A used
service without a unit cost is a structural problem (costs cannot be computed). Incomplete
fidelity reviews are findings: kept, counted and reported, never scored as complete.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb
import pandas as pd

from ..errors import DataProblem
from ..params import Params
from .table import CheckedTable, RowIssue, shown_value

__all__ = ["Finding", "cross_table_issues", "fidelity_findings", "unit_cost_problems"]

#: dates that must not be after the data cut-off
AFTER_CUTOFF: dict[str, tuple[str, ...]] = {
    "clients": ("referral_date", "index_date"),
    "employment": ("start_date",),
    "questionnaires": ("date",),
    "waits": ("contact_date", "event_date"),
    "fidelity": ("review_date",),
}
#: dates that must not be before the data start
BEFORE_START: dict[str, tuple[str, ...]] = {
    "questionnaires": ("date",),
    "waits": ("contact_date",),
    "fidelity": ("review_date",),
}
FIDELITY_ITEMS = 25


@dataclass(frozen=True)
class Finding:
    """A cross-table observation that does not reject rows (internal examples, JSON-able)."""

    check: str
    table: str
    count: int
    message: str
    examples: list[str] = field(default_factory=list)
    severity: str = "warning"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def cross_table_issues(tables: dict[str, CheckedTable], params: Params) -> list[RowIssue]:
    issues: list[RowIssue] = []
    clients = tables.get("clients")
    known = set(clients.frame["client_id"].dropna()) if clients is not None else None
    for name, t in tables.items():
        f = t.frame
        if name != "clients" and known is not None and "client_id" in f:
            orphan = f["client_id"].notna() & ~f["client_id"].isin(known)
            for idx in f.index[orphan]:
                issues.append(RowIssue(str(f.at[idx, "_file"]), int(f.at[idx, "_row"]), "client_id",
                                       f.at[idx, "client_id"], "no such client in the clients table (orphan row)",
                                       "client_id: unknown client", index=int(idx), table=name))
        start = pd.Timestamp(params.data_start) if params.data_start is not None else None
        cutoff = pd.Timestamp(params.data_cutoff)
        window = f"{params.data_start.isoformat() if params.data_start else '…'} – {params.data_cutoff.isoformat()}"
        for col in AFTER_CUTOFF.get(name, ()):
            late = (f[col] > cutoff).fillna(False)
            early = (f[col] < start).fillna(False) if start is not None and col in BEFORE_START.get(name, ()) else False
            for idx in f.index[late | early]:
                issues.append(RowIssue(str(f.at[idx, "_file"]), int(f.at[idx, "_row"]), col,
                                       shown_value(f, t.raw, idx, col), f"outside the data window {window}",
                                       f"{col}: outside data window", index=int(idx), table=name))
    return issues


def unit_cost_problems(con: duckdb.DuckDBPyConnection, tables: dict[str, Any], params: Params) -> list[DataProblem]:
    """Every (service, professional, contact type) used in visits needs a matching unit cost."""
    if "unit_costs" not in tables or "visits" not in tables:
        return []
    rows = con.sql(
        "SELECT v.service, v.professional, v.contact_type, count(*) AS n FROM visits v WHERE NOT EXISTS ("
        " SELECT 1 FROM unit_costs u WHERE u.service = v.service"
        " AND (u.professional IS NULL OR u.professional = v.professional)"
        " AND (u.contact_type IS NULL OR u.contact_type = v.contact_type))"
        " GROUP BY ALL ORDER BY n DESC, 1, 2, 3").fetchall()
    file = str(params.tables["unit_costs"].path)
    out = []
    for service, professional, contact, n in rows:
        what = " / ".join(str(x) for x in (service, professional, contact) if x is not None)
        out.append(DataProblem(file=file, column="service", value=what, table="unit_costs",
                               rule=f"no unit cost for {n} visit(s) of this service/professional/contact type; "
                               "add a row to unit_costs (a missing cost is never counted as zero)"))
    return out


def fidelity_findings(tables: dict[str, Any]) -> list[Finding]:
    fid = tables.get("fidelity")
    if not isinstance(fid, pd.DataFrame) or fid.empty:
        return []
    examples = []
    for review, g in fid.groupby("review_date", sort=True):
        missing = sorted(set(range(1, FIDELITY_ITEMS + 1)) - {int(i) for i in g["item"].dropna()})
        if missing:
            examples.append(f"{pd.Timestamp(review).date().isoformat()}: items {', '.join(map(str, missing))} missing")
    if not examples:
        return []
    return [Finding("fidelity_incomplete", "fidelity", len(examples),
                    f"{len(examples)} fidelity review(s) lack items; they are reported as incomplete, not scored",
                    examples[:10])]
