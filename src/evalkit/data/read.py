"""Raw readers: one file → a frame of text cells (``None`` = empty) with file row numbers.

Row numbers are as the user sees them: in CSV and Excel the header is row 1 and every
record (also a blank one) is a row; in Parquet (no header) the first data row is row 1.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, DataProblem
from ..params import TableSource
from .dialect import detect_encoding, detect_separator

__all__ = ["PARQUET_DATE_RULE", "RawFile", "file_format", "not_a_date_type", "read_raw", "shown_path"]

PARQUET_DATE_RULE = ("a date column must be stored as a date or timestamp, or as text such as 2024-02-03 — "
                     "a number such as 20240203 is not read as a date; convert the column in the export")
_NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                  "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL", "BOOLEAN")


def not_a_date_type(type_name: str) -> bool:
    """True for a Parquet/DuckDB column type that cannot hold a date (numbers, booleans)."""
    t = type_name.upper()
    return t.startswith(_NUMERIC_TYPES) or t.startswith(("INT", "UINT", "BOOL")) or t in ("REAL",)


@dataclass
class RawFile:
    """Text cells of one file. ``rows[i]`` is the file row number of ``frame.iloc[i]``."""

    file: str
    format: str
    frame: pd.DataFrame
    rows: np.ndarray
    encoding: str | None = None
    separator: str | None = None
    #: (row, problem) for records that cannot become a row (wrong number of fields)
    bad_records: list[tuple[int, str]] = field(default_factory=list)
    #: rows with no value at all (counted, not errors)
    empty_rows: int = 0
    #: Parquet: the stored type of each column (e.g. ``int64``)
    types: dict[str, str] = field(default_factory=dict)


def shown_path(path: Path, data_root: Path | None = None) -> str:
    """Path as shown in messages: relative to the data root when inside it."""
    if data_root is not None:
        try:
            return str(path.resolve().relative_to(data_root.resolve()))
        except ValueError:
            pass
    return str(path)


def file_format(source: TableSource, path: Path) -> str:
    if source.format != "auto":
        return source.format
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "txt", "tsv"):
        return "csv"
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("parquet", "pq"):
        return "parquet"
    raise DataError([DataProblem(
        file=str(path), rule=f"unknown file type '.{suffix}' (use .csv, .xlsx or .parquet, or set format:)")])


def read_raw(source: TableSource, path: Path, shown: str) -> RawFile:
    fmt = file_format(source, path)
    try:
        if fmt == "csv":
            return _read_csv(source, path, shown)
        if fmt == "xlsx":
            return _read_xlsx(source, path, shown)
        return _read_parquet(path, shown)
    except DataError:
        raise
    except (OSError, ValueError, KeyError, ImportError) as exc:
        raise DataError([DataProblem(file=shown, rule=f"cannot read the {fmt} file: {exc}")]) from None
    except Exception as exc:  # parquet/openpyxl raise their own exception types for corrupt files
        raise DataError([DataProblem(file=shown, rule=f"cannot read the {fmt} file ({type(exc).__name__}: {exc})")]) from None


def _header(names: list[object], shown: str) -> list[str]:
    out = []
    for n in names:
        text = "" if n is None or (isinstance(n, float) and math.isnan(n)) else str(n)
        out.append(text.replace("\ufeff", "").strip())
    seen: dict[str, int] = {}
    for i, n in enumerate(out):
        if n and n in seen:
            raise DataError([DataProblem(file=shown, row=1, column=n,
                                         rule=f"column name appears twice (columns {seen[n] + 1} and {i + 1})")])
        seen[n] = i
    return out


def _frame(header: list[str], records: list[list[object]], rows: list[int], shown: str) -> tuple[pd.DataFrame, np.ndarray, int]:
    frame = pd.DataFrame(records, columns=header, dtype=object) if records else pd.DataFrame(columns=header, dtype=object)
    rows_arr = np.asarray(rows, dtype=np.int64)
    unnamed = [c for c in frame.columns if c == ""]
    if unnamed:
        positions = [i for i, c in enumerate(header) if c == ""]
        for pos in positions:
            col = frame.iloc[:, pos]
            filled = col.notna()
            if filled.any():
                r = int(rows_arr[int(np.argmax(filled.to_numpy()))])
                raise DataError([DataProblem(file=shown, row=r, value=col[filled].iloc[0],
                                             rule=f"column {pos + 1} has values but no name in the header row")])
        frame = frame.loc[:, [c != "" for c in frame.columns]]
    empty = frame.isna().all(axis=1).to_numpy() if len(frame.columns) else np.ones(len(frame), bool)
    n_empty = int(empty.sum())
    if n_empty:
        frame = frame.loc[~empty].reset_index(drop=True)
        rows_arr = rows_arr[~empty]
    return frame, rows_arr, n_empty


def _read_csv(source: TableSource, path: Path, shown: str) -> RawFile:
    if path.stat().st_size == 0:
        raise DataError([DataProblem(file=shown, rule="the file is empty (no header row)")])
    encoding = source.encoding or detect_encoding(path, shown=shown)
    try:
        text = path.read_bytes().decode(encoding)
    except UnicodeDecodeError as exc:
        raise DataError([DataProblem(
            file=shown, rule=f"cannot be decoded as {encoding} (byte {exc.start}); fix encoding: in the table's params")]) from None
    except LookupError:
        raise DataError([DataProblem(file=shown, rule=f"unknown encoding '{encoding}' in params")]) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise DataError([DataProblem(file=shown, rule="the file is empty (no header row)")])
    sep = source.separator or detect_separator(text, shown)
    if sep == "\\t":
        sep = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=False)
    try:
        header_rec = next(reader)
        records: list[list[object]] = []
        rows: list[int] = []
        bad: list[tuple[int, str]] = []
        width = len(header_rec)
        for i, rec in enumerate(reader, start=2):
            cells: list[object] = [c.strip() or None for c in rec]
            if len(cells) > width and all(c is None for c in cells[width:]):
                cells = cells[:width]  # trailing empty fields of an Excel export
            if not cells:
                cells = [None] * width
            if len(cells) != width:
                bad.append((i, f"has {len(cells)} fields but the header has {width}"))
                continue
            records.append(cells)
            rows.append(i)
    except csv.Error as exc:
        raise DataError([DataProblem(file=shown, row=reader.line_num, rule=f"broken CSV quoting: {exc}")]) from None
    header = _header(list(header_rec), shown)
    frame, rows_arr, n_empty = _frame(header, records, rows, shown)
    return RawFile(shown, "csv", frame, rows_arr, encoding=encoding, separator=sep, bad_records=bad,
                   empty_rows=n_empty)


def _cell_text(v: object) -> object:
    if v is None or v is pd.NaT or v is pd.NA:  # empty cells of Parquet date / nullable integer columns
        return None
    if isinstance(v, datetime):
        return v.date().isoformat() if (v.hour, v.minute, v.second, v.microsecond) == (0, 0, 0, 0) else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        if math.isnan(v):
            return None
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, pd.Timestamp):
        return _cell_text(v.to_pydatetime())
    text = str(v).strip()
    return text or None


def _read_xlsx(source: TableSource, path: Path, shown: str) -> RawFile:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if source.sheet is not None:
            if source.sheet not in wb.sheetnames:
                raise DataError([DataProblem(file=shown, rule=f"no sheet '{source.sheet}' (sheets: {', '.join(wb.sheetnames)})")])
            ws = wb[source.sheet]
        else:
            ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header_rec = next(it, None)
        if header_rec is None:
            raise DataError([DataProblem(file=shown, rule="the sheet is empty (no header row)")])
        header = _header(list(header_rec), shown)
        width = len(header)
        records, rows = [], []
        for i, rec in enumerate(it, start=2):
            cells = [_cell_text(v) for v in rec][:width]
            cells += [None] * (width - len(cells))
            records.append(cells)
            rows.append(i)
    finally:
        wb.close()
    frame, rows_arr, n_empty = _frame(header, records, rows, shown)
    return RawFile(shown, "xlsx", frame, rows_arr, empty_rows=n_empty)


def _read_parquet(path: Path, shown: str) -> RawFile:
    df = pd.read_parquet(path)
    frame = pd.DataFrame({str(c): [_cell_text(v) for v in df[c].tolist()] for c in df.columns}, dtype=object)
    frame.columns = _header(list(frame.columns), shown)
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    types = {h: str(t) for h, t in zip(frame.columns, df.dtypes, strict=True)}
    frame, rows_arr, n_empty = _frame(list(frame.columns), frame.to_numpy().tolist(), rows.tolist(), shown)
    return RawFile(shown, "parquet", frame, rows_arr, empty_rows=n_empty, types=types)
