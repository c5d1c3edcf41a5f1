"""Load, validate and account for the tables of one operating model.

>>> data = load_tables(params, "data/")                         # doctest: +SKIP
>>> data.clients.dtypes["index_date"]                            # pandas, typed
dtype('<M8[ns]')
>>> data.con.sql("select service, count(*) from visits join clients using (client_id) group by 1")
...                                                              # doctest: +SKIP

Every table except ``visits`` is a pandas DataFrame with contract column names and types
(dates ``datetime64[ns]``, integers ``Int64``, numbers ``float64``, text ``str``). ``visits``
is a DuckDB relation, never a pandas frame: a view over the Parquet files, or over a temporary
table into which CSV files are parsed once. Every loaded table is also a view of the same
name in ``data.con``.

Row problems stop the load (:class:`~evalkit.errors.DataError`, exit 2) unless params say
``on_invalid_rows: quarantine``: then the rows are set aside, written to
``<rejects_dir>/<table>.csv`` (internal, never published) and counted in ``data.flow``.
"""

from __future__ import annotations

import shutil
import weakref
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ..errors import DataError, DataProblem
from ..params import Params, TableSource
from .checks import Finding, cross_table_issues, fidelity_findings, unit_cost_problems
from .contract import CONTRACT
from .duck import connect
from .table import CheckedTable, RowIssue, load_frame_table
from .visits import load_visits, write_rejects

__all__ = ["Dataset", "TableFlow", "load_tables", "resolve_table_files"]

#: problems shown per reason in an error message (all are counted)
EXAMPLES_PER_REASON = 5


@dataclass
class TableFlow:
    """Flow of one table: read → accepted → rejected by reason → analysed (excluded by reason).

    ``read`` = ``accepted`` + sum of ``rejected``. ``analysed`` is set by the measure that
    used the table (:meth:`Dataset.set_analysed`), with the reasons it left rows or people out.
    """

    table: str
    file: str
    read: int
    accepted: int
    rejected: dict[str, int] = field(default_factory=dict)
    analysed: int | None = None
    excluded: dict[str, int] = field(default_factory=dict)
    unit: str = "rows"
    analysed_unit: str | None = None
    dialect: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def check(self) -> None:
        if self.accepted + sum(self.rejected.values()) != self.read:
            raise AssertionError(f"flow of {self.table} does not add up: {self}")


@dataclass
class Dataset:
    """The validated tables of one model, keyed by contract table name.

    ``tables[name]`` / ``data.<name>``: pandas frames, except ``visits`` (a DuckDB relation).
    ``con``: DuckDB connection with every table registered as a view. ``flow``: one
    :class:`TableFlow` per table. ``checks``: cross-table findings that did not reject rows
    (e.g. incomplete fidelity reviews), with counts.
    """

    tables: dict[str, Any]
    flow: list[TableFlow]
    files: dict[str, list[Path]]
    con: duckdb.DuckDBPyConnection | None = None
    checks: list[Finding] = field(default_factory=list)
    _temp: list[Path] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if self._temp:
            weakref.finalize(self, _remove_dirs, list(self._temp))

    def __getattr__(self, name: str) -> Any:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def __contains__(self, name: str) -> bool:
        return name in self.tables

    def flow_of(self, table: str) -> TableFlow:
        for f in self.flow:
            if f.table == table:
                return f
        raise KeyError(f"no table '{table}' in this dataset (loaded: {', '.join(self.tables)})")

    def set_analysed(self, table: str, n: int, excluded: dict[str, int] | None = None, *,
                     unit: str | None = None) -> TableFlow:
        """Record that a measure analysed ``n`` rows (or people: ``unit='persons'``) of ``table``
        and why it left others out (``excluded={reason: count}``)."""
        f = self.flow_of(table)
        f.analysed = int(n)
        f.excluded = {str(k): int(v) for k, v in (excluded or {}).items()}
        f.analysed_unit = unit or f.unit
        return f

    def flow_records(self) -> list[dict[str, Any]]:
        """JSON-able flow rows."""
        return [f.to_dict() for f in self.flow]

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
        _remove_dirs(self._temp)


def _remove_dirs(dirs: list[Path]) -> None:
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)


def resolve_table_files(source: TableSource, data_root: Path) -> list[Path]:
    """Files behind a table source (a glob may match several)."""
    path = data_root / source.path
    if any(ch in source.path for ch in "*?["):
        files = sorted(p for p in data_root.glob(source.path) if p.is_file())
    else:
        files = [path] if path.is_file() else []
    if not files:
        what = "no file matches" if any(ch in source.path for ch in "*?[") else "file not found"
        raise DataError([DataProblem(file=str(path), rule=what)])
    return files


def _reasons(issues: list[RowIssue]) -> tuple[dict[str, int], dict[object, list[RowIssue]]]:
    """First reason per row (so the counts add up) and all issues per row."""
    per_row: dict[object, list[RowIssue]] = {}
    for i in issues:
        key = i.index if i.index is not None else (i.file, i.row)
        per_row.setdefault(key, []).append(i)
    first = Counter(v[0].reason for v in per_row.values())
    return dict(first), per_row


def _problem_list(issues: list[RowIssue]) -> list[DataProblem]:
    """Up to EXAMPLES_PER_REASON problems per reason, each naming the total of its kind."""
    by_reason: dict[str, list[RowIssue]] = {}
    for i in issues:
        by_reason.setdefault(i.reason, []).append(i)
    out = []
    for group in by_reason.values():
        n = len(group)
        for i in sorted(group, key=lambda x: (x.file, x.row))[:EXAMPLES_PER_REASON]:
            rule = i.rule + (f" ({n} row(s) like this)" if n > 1 else "")
            out.append(DataProblem(file=i.file, row=i.row, column=i.column, value=i.value, rule=rule, table=i.table))
    return out


def _write_rejects(rejects_dir: Path, table: CheckedTable, per_row: dict[object, list[RowIssue]]) -> Path:
    rejects_dir.mkdir(parents=True, exist_ok=True)
    records = []
    for key, issues in per_row.items():
        rec: dict[str, Any] = {"file": issues[0].file, "row": issues[0].row,
                               "reasons": "; ".join(f"{i.reason}: {i.rule}" for i in issues)}
        if isinstance(key, int) and key in table.raw.index:
            rec.update({k: v for k, v in table.raw.loc[key].items()})
        records.append(rec)
    path = rejects_dir / f"{table.name}.csv"
    pd.DataFrame(records).sort_values(["file", "row"]).to_csv(path, index=False, encoding="utf-8")
    return path


def load_tables(
    params: Params,
    data_root: str | Path,
    tables: Iterable[str] | None = None,
    *,
    rejects_dir: str | Path | None = None,
) -> Dataset:
    """Load and validate the tables a model's params name (all configured ones by default).

    Raises :class:`~evalkit.errors.DataError` (structural problems, or row problems unless
    ``on_invalid_rows: quarantine``) and :class:`~evalkit.errors.PrivacyError`.
    """
    data_root = Path(data_root)
    names = list(tables) if tables is not None else list(params.tables)
    for name in names:
        if name not in params.tables:
            raise DataError([DataProblem(file=f"params/{params.model}.yaml",
                                         rule=f"table '{name}' is not configured under tables:")])
    # clients are needed to find orphans: load them whenever another table refers to clients
    if "clients" in params.tables and "clients" not in names and any(
            CONTRACT[n].column("client_id") is not None for n in names):
        names.insert(0, "clients")
    names.sort(key=lambda n: (n != "clients", n == "visits"))

    files = {n: resolve_table_files(params.tables[n], data_root) for n in names}
    checked: dict[str, CheckedTable] = {}
    for name in names:
        if name != "visits":
            checked[name] = load_frame_table(name, params.tables[name], files[name], data_root, params)

    issues: list[RowIssue] = [i for t in checked.values() for i in t.issues]
    issues += cross_table_issues(checked, params)
    quarantine = params.on_invalid_rows == "quarantine"
    by_table: dict[str, list[RowIssue]] = {}
    for i in issues:
        by_table.setdefault(i.table or "", []).append(i)

    con = connect()
    out: dict[str, Any] = {}
    flow: list[TableFlow] = []
    rej_dir = Path(rejects_dir) if rejects_dir is not None else None
    problems: list[DataProblem] = []
    for name, t in checked.items():
        first, per_row = _reasons(by_table.get(name, []))
        if per_row and not quarantine:
            problems += _problem_list(by_table[name])
        bad_index = {k for k in per_row if isinstance(k, int)}
        frame = t.frame.loc[[i for i in t.frame.index if i not in bad_index]] if bad_index else t.frame
        frame = frame.drop(columns=["_file", "_row"]).reset_index(drop=True)
        if per_row and quarantine and rej_dir is not None:
            _write_rejects(rej_dir, t, per_row)
        rejected = {**t.filtered, **first}
        flow.append(TableFlow(table=name, file=", ".join(t.files), read=t.read,
                              accepted=t.read - sum(rejected.values()), rejected=rejected,
                              dialect="; ".join(t.dialects.values())))
        out[name] = frame
        con.register(name, frame)

    temp: list[Path] = []
    if "clients" in checked:  # orphans are judged against every client read, as for the other tables
        con.register("_clients_all", checked["clients"].frame[["client_id"]])
    if "visits" in names:
        try:
            vc = load_visits(con, params.tables["visits"], files["visits"], data_root, params,
                             clients_registered="clients" in checked)
        except Exception:
            con.close()
            raise
        temp = sorted({p.parent for p in vc.temp})
        if vc.problems and not quarantine:
            for _total, examples in vc.problems.values():
                problems += examples[:EXAMPLES_PER_REASON]
        view = vc.typed_sql + (f" WHERE NOT ({vc.bad_condition})" if vc.problems else "")
        con.execute(f"CREATE OR REPLACE VIEW visits AS {view}")
        if vc.problems and quarantine and rej_dir is not None:
            write_rejects(con, vc, rej_dir / "visits.csv")
        out["visits"] = con.view("visits")
        flow.append(TableFlow(table="visits", file=", ".join(vc.files), read=vc.read,
                              accepted=vc.read - sum(vc.first_reason.values()), rejected=vc.first_reason,
                              dialect=vc.dialect))
    if problems:
        con.close()
        _remove_dirs(temp)
        raise DataError(problems, max_shown=40)

    cost_problems = unit_cost_problems(con, out, params)
    if cost_problems:
        con.close()
        _remove_dirs(temp)
        raise DataError(cost_problems, max_shown=40)
    order = {n: i for i, n in enumerate(tables if tables is not None else params.tables)}
    flow.sort(key=lambda f: order.get(f.table, -1))
    return Dataset(tables=out, flow=flow, files=files, con=con, checks=fidelity_findings(out), _temp=temp)
