"""Table loaders (walking-skeleton version: reads the files and maps columns and values).

Full validation, dialect detection and DuckDB-backed visits arrive with the data-contract
issue; the signature of :func:`load_tables` is the stable interface.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataError, DataProblem
from ..params import Params, TableSource

__all__ = ["Dataset", "TableFlow", "load_tables", "resolve_table_files"]


@dataclass(frozen=True)
class TableFlow:
    """Flow accounting of one table: read → accepted → rejected by reason → analysed."""

    table: str
    file: str
    read: int
    accepted: int
    rejected: dict[str, int] = field(default_factory=dict)
    analysed: int | None = None


@dataclass
class Dataset:
    """The validated tables of one model, keyed by contract table name."""

    tables: dict[str, pd.DataFrame]
    flow: list[TableFlow]
    files: dict[str, list[Path]]

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def __contains__(self, name: str) -> bool:
        return name in self.tables


def resolve_table_files(source: TableSource, data_root: Path) -> list[Path]:
    """Files behind a table source (a glob may match several)."""
    path = data_root / source.path
    if any(ch in source.path for ch in "*?["):
        files = sorted(data_root.glob(source.path))
    else:
        files = [path] if path.exists() else []
    if not files:
        raise DataError([DataProblem(file=str(path), rule="file not found")])
    return files


def _read(source: TableSource, path: Path) -> pd.DataFrame:
    fmt = source.format if source.format != "auto" else path.suffix.lower().lstrip(".")
    if fmt == "csv":
        head = path.read_bytes()[:4096]
        encoding = "utf-8-sig"
        try:
            path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            encoding = "cp1252"
        sep = ";" if head.count(b";") > head.count(b",") else ","
        decimal = "," if sep == ";" else "."
        return pd.read_csv(path, sep=sep, decimal=decimal, encoding=encoding, dtype=str,
                           keep_default_na=False, na_values=[""])
    if fmt == "xlsx":
        return pd.read_excel(path, sheet_name=source.sheet or 0, dtype=str)
    if fmt == "parquet":
        return pd.read_parquet(path)
    raise DataError([DataProblem(file=str(path), rule=f"unsupported file format '{fmt}'")])


def load_tables(
    params: Params,
    data_root: str | Path,
    tables: Iterable[str] | None = None,
    *,
    rejects_dir: str | Path | None = None,
) -> Dataset:
    """Load (and, later, validate) the tables a model's params name."""
    data_root = Path(data_root)
    names = list(tables) if tables is not None else list(params.tables)
    out: dict[str, pd.DataFrame] = {}
    flow: list[TableFlow] = []
    files: dict[str, list[Path]] = {}
    for name in names:
        if name not in params.tables:
            raise DataError([DataProblem(file=f"params/{params.model}.yaml", rule=f"table '{name}' is not configured under tables:")])
        source = params.tables[name]
        paths = resolve_table_files(source, data_root)
        frame = pd.concat([_read(source, p) for p in paths], ignore_index=True)
        frame = frame.rename(columns=source.columns)
        for col, mapping in source.values.items():
            if col in frame:
                frame[col] = frame[col].replace(mapping)
        out[name] = frame
        files[name] = paths
        flow.append(TableFlow(table=name, file=str(paths[0]), read=len(frame), accepted=len(frame)))
    return Dataset(tables=out, flow=flow, files=files)
