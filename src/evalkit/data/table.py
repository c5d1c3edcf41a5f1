"""Load one (small) table into a typed pandas frame and find its row problems.

Steps per file: read text cells → privacy checks on column names → rename/drop columns →
required columns → recode values → pseudonymise → privacy scan of values → detect decimal
mark and date format → parse types. Then, over all files of the table, the pandera schema
(allowed values, ranges, uniqueness, end before start, questionnaire items vs total).
"""

from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, DataProblem
from ..params import Params, TableSource
from .contract import CONTRACT, DATE_ORDER, INSTRUMENT_ITEMS, PERIOD_PATTERN, TableSpec
from .dialect import (
    DATE_FORMATS,
    detect_date_format,
    detect_decimal,
    example_date,
    normalise_date_format,
)
from .privacy import check_column_names, pseudonymise_key, pseudonymise_series, scan_values
from .read import PARQUET_DATE_RULE, RawFile, not_a_date_type, read_raw, shown_path

__all__ = ["CheckedTable", "RowIssue", "load_frame_table", "DTYPES"]

DTYPES = {"str": "str", "code": "str", "date": "datetime64[ns]", "int": "Int64", "float": "float64"}
_THOUSANDS = str.maketrans("", "", " \u00a0\u202f")


@dataclass(frozen=True)
class RowIssue:
    """A problem with one row. ``index`` is the row's label in the table frame (``None`` for a
    record that could not become a row)."""

    file: str
    row: int
    column: str | None
    value: object
    rule: str
    reason: str
    index: int | None = None
    table: str | None = None

    def problem(self) -> DataProblem:
        return DataProblem(file=self.file, row=self.row, column=self.column, value=self.value,
                           rule=self.rule, table=self.table)


@dataclass
class CheckedTable:
    name: str
    frame: pd.DataFrame  # typed contract columns + _file, _row
    raw: pd.DataFrame  # text cells as read (contract names), same index
    issues: list[RowIssue]
    read: int
    filtered: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    dialects: dict[str, str] = field(default_factory=dict)


# ------------------------------------------------------------------ parsing
def _date_rule(fmt: str, value: str) -> tuple[str, str]:
    for pattern, f in DATE_FORMATS.values():
        if f == fmt and pattern.match(value):
            return "bad date", "not a valid calendar date"
    return "bad date", f"not a date in this file's format {fmt_label(fmt)} (e.g. {example_date(fmt)})"


def fmt_label(fmt: str) -> str:
    return {"%Y-%m-%d": "yyyy-mm-dd", "%d.%m.%Y": "d.m.yyyy", "%d/%m/%Y": "d/m/yyyy", "%m/%d/%Y": "m/d/yyyy"}.get(fmt, fmt)


def parse_dates(text: pd.Series, fmt: str) -> tuple[pd.Series, pd.Series]:
    """Parsed dates (datetime64[ns], midnight) and a mask of values that failed."""
    s = text.astype(object).where(text.notna(), None)
    present = s.notna()
    body = s[present].astype(str).str.strip()
    if fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y"):
        body = body.str.replace(r"[ T]\d{1,2}[:.]\d{2}([:.]\d{2}(\.\d+)?)?$", "", regex=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(body, format=fmt, errors="coerce")
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    out[present] = parsed.dt.normalize().astype("datetime64[ns]")
    bad = present & out.isna()
    return out, bad


def parse_numbers(text: pd.Series, decimal: str, *, integer: bool) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Numbers (Int64 or float64), a mask of failures and a mask of 'wrong decimal mark'."""
    s = text.astype(object).where(text.notna(), None)
    present = s.notna()
    body = s[present].astype(str).str.strip().str.translate(_THOUSANDS)
    other = "." if decimal == "," else ","
    wrong_mark = pd.Series(False, index=s.index)
    wrong_mark[present] = body.str.contains(other, regex=False)
    if decimal == ",":
        body = body.str.replace(",", ".", regex=False)
    nums = pd.to_numeric(body.where(~wrong_mark[present]), errors="coerce")
    values = pd.Series(np.nan, index=s.index, dtype="float64")
    values[present] = nums.astype("float64")
    bad = present & values.isna()
    if integer:
        frac = present & ~bad & (values != np.floor(values.fillna(0)))
        bad = bad | frac
        out = pd.Series(pd.array([None] * len(s), dtype="Int64"), index=s.index)
        ok = present & ~bad
        out[ok] = values[ok].round().astype("int64")
        return out, bad, wrong_mark & bad
    values[bad] = np.nan
    return values, bad, wrong_mark & bad


# ------------------------------------------------------------------ one file
def _missing_columns(spec: TableSpec, columns: list[str], source: TableSource, file: str) -> None:
    missing = [c.name for c in spec.columns if c.must_exist and c.name not in columns]
    if not missing:
        return
    theirs = {v: k for k, v in source.columns.items()}
    problems = []
    for m in missing:
        hint = difflib.get_close_matches(m, columns, n=1, cutoff=0.6)
        text = f"required column is missing (columns in the file: {', '.join(columns) or 'none'})"
        if m in theirs:
            text = f"required column is missing (params map '{theirs[m]}' onto it, but the file has no '{theirs[m]}')"
        elif hint:
            text += f"; did you mean '{hint[0]}'? map it with columns: {{{hint[0]}: {m}}}"
        problems.append(DataProblem(file=file, row=1, column=m, rule=text))
    raise DataError(problems)


def _located_cells(frame: pd.DataFrame, columns: list[str], rows: np.ndarray):
    """(text, first file row, column, number of cells) of every distinct filled value of
    ``columns``, column by column in order of first appearance (for dialect sniffing: the
    counts are those of every cell, the first value of a kind is the first cell of that kind)."""
    for c in columns:
        col = frame[c]
        filled = col.notna().to_numpy()
        if not filled.any():
            continue
        text = col.to_numpy(dtype=object)[filled].astype(str)
        uniq, first, n = np.unique(text, return_index=True, return_counts=True)
        r = rows[filled]
        for j in np.argsort(first, kind="stable"):
            yield str(uniq[j]), int(r[first[j]]), c, int(n[j])


def _file_to_typed(name: str, spec: TableSpec, source: TableSource, raw: RawFile, params: Params,
                   key: bytes | None) -> tuple[pd.DataFrame, pd.DataFrame, list[RowIssue], str]:
    file = raw.file
    frame = raw.frame
    renamed = {c: source.columns.get(c, c) for c in frame.columns}
    kept = {c for c in frame.columns if c in source.columns or c in spec.names} | set(source.drop_columns)
    check_column_names(frame.columns, kept=kept, file=file)
    frame = frame.drop(columns=[c for c in source.drop_columns if c in frame.columns]).rename(columns=renamed)
    dup = frame.columns[frame.columns.duplicated()].tolist()
    if dup:
        raise DataError([DataProblem(file=file, row=1, column=dup[0],
                                     rule="two columns map onto this contract column; fix columns: in params")])
    _missing_columns(spec, list(frame.columns), source, file)
    for theirs, ours in renamed.items():
        c = spec.column(ours)
        if c is not None and c.kind == "date" and not_a_date_type(raw.types.get(theirs, "")) and frame[ours].notna().any():
            first = int(frame[ours].notna().to_numpy().argmax())
            raise DataError([DataProblem(file=file, row=int(raw.rows[first]), column=theirs, value=frame[ours].iloc[first],
                                         rule=f"{PARQUET_DATE_RULE} (the column is stored as {raw.types[theirs]})")])
    for col in frame.columns:  # columns the contract does not use are not read, but must not hold a hetu either
        if col not in spec.names:
            scan_values(frame[col], raw.rows, file=file, column=col, identifier=False)
    frame = frame[[c for c in spec.names if c in frame.columns]].copy()
    for col, mapping in source.values.items():
        if col in frame:
            frame[col] = frame[col].map(lambda v, m=mapping: m.get(v, v) if v is not None else None)
    if key is not None and params.pseudonymise is not None:
        for col in params.pseudonymise.columns:
            if col in frame:
                frame[col] = pseudonymise_series(frame[col], key)
    for col in frame.columns:
        c = spec.column(col)
        if c is not None and c.kind in ("str", "code"):
            scan_values(frame[col], raw.rows, file=file, column=col, identifier=c.identifier)

    date_cols = [c.name for c in spec.columns if c.kind == "date" and c.name in frame]
    num_cols = [c.name for c in spec.columns if c.kind in ("int", "float") and c.name in frame]
    fmt = normalise_date_format(source.date_format) if source.date_format else detect_date_format(
        _located_cells(frame, date_cols, raw.rows), file=file)
    decimal = source.decimal or detect_decimal(
        _located_cells(frame, num_cols, raw.rows), separator=raw.separator or ",", file=file)

    issues: list[RowIssue] = []
    typed = pd.DataFrame(index=frame.index)
    for c in spec.columns:
        if c.name not in frame:
            typed[c.name] = pd.Series([None] * len(frame), index=frame.index, dtype=object).astype(DTYPES[c.kind])
            continue
        col = frame[c.name]
        if c.kind == "date":
            values, bad = parse_dates(col, fmt)
            for i in np.flatnonzero(bad.to_numpy()):
                v = col.iloc[i]
                reason, rule = _date_rule(fmt, str(v))
                issues.append(RowIssue(file, int(raw.rows[i]), c.name, v, rule, f"{c.name}: {reason}", table=name))
        elif c.kind in ("int", "float"):
            values, bad, wrong = parse_numbers(col, decimal, integer=c.kind == "int")
            for i in np.flatnonzero(bad.to_numpy()):
                v = col.iloc[i]
                if wrong.iloc[i]:
                    rule, reason = f"uses the wrong decimal mark (this file writes numbers like 1{decimal}5)", "wrong decimal mark"
                else:
                    rule = "not a whole number" if c.kind == "int" else "not a number"
                    reason = rule
                issues.append(RowIssue(file, int(raw.rows[i]), c.name, v, rule, f"{c.name}: {reason}", table=name))
        else:
            values = col.astype("str")
        typed[c.name] = values
    for c in spec.columns:
        if c.default is not None:
            typed[c.name] = typed[c.name].fillna(c.default)
    desc = f"decimal '{decimal}', dates {fmt_label(fmt)}"
    if raw.format == "csv":
        sep = {"\t": "tab"}.get(raw.separator or ",", raw.separator)
        desc = f"encoding {raw.encoding}, separator '{sep}', " + desc
    return typed, frame, issues, desc


# ------------------------------------------------------------------ pandera schema
def _schema(name: str, spec: TableSpec, columns: list[str]):
    import pandera.pandas as pa

    cols = {}
    for c in spec.columns:
        if c.name not in columns:
            continue
        checks = []
        if c.allowed:
            checks.append(pa.Check.isin(list(c.allowed), name=f"allowed:{c.name}",
                                        error=f"must be one of: {', '.join(c.allowed)} (recode with values: in params)"))
        if c.ge is not None or c.le is not None:
            if c.ge is not None and c.le is not None:
                err = f"must be between {_n(c.ge)} and {_n(c.le)}"
            elif c.ge is not None:
                err = f"must be at least {_n(c.ge)}"
            else:
                err = f"must be at most {_n(c.le)}"
            checks.append(pa.Check(lambda s, lo=c.ge, hi=c.le: _in_range(s, lo, hi), name=f"range:{c.name}", error=err))
        if name == "indicators" and c.name == "period":
            checks.append(pa.Check.str_matches(PERIOD_PATTERN, name="period:period",
                                               error="must be a year (2024), quarter (2024Q3) or month (2024-05)"))
        cols[c.name] = pa.Column(checks=checks, nullable=not c.required, required=False, coerce=False)
    wide = []
    for start, end in DATE_ORDER.get(name, ()):
        if start in columns and end in columns:
            wide.append(pa.Check(lambda d, s=start, e=end: ~(d[e] < d[s]), name=f"order:{end}:{start}",
                                 error=f"{end} is before {start}"))
    if name == "questionnaires":
        wide.extend(_questionnaire_checks(pa))
    return pa.DataFrameSchema(cols, checks=wide, unique=None)


def _in_range(s: pd.Series, lo: float | None, hi: float | None) -> pd.Series:
    ok = pd.Series(True, index=s.index)
    if lo is not None:
        ok &= (s >= lo).fillna(True).astype(bool)
    if hi is not None:
        ok &= (s <= hi).fillna(True).astype(bool)
    return ok


def _n(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _item_cols() -> list[str]:
    return [f"item_{i}" for i in range(1, 10)]


def _questionnaire_checks(pa) -> list:
    items = _item_cols()

    def extra_items(d: pd.DataFrame) -> pd.Series:
        n = d["instrument"].map(INSTRUMENT_ITEMS)
        bad = pd.Series(False, index=d.index)
        for i, c in enumerate(items, start=1):
            bad |= d[c].notna().fillna(False) & (n < i).fillna(False)
        return ~bad

    def total_matches(d: pd.DataFrame) -> pd.Series:
        n = d["instrument"].map(INSTRUMENT_ITEMS)
        ok = pd.Series(True, index=d.index)
        for _inst, k in INSTRUMENT_ITEMS.items():
            m = (n == k) & d["total"].notna()
            used = d.loc[m, items[:k]]
            complete = used.notna().all(axis=1)
            s = used.sum(axis=1, min_count=1)
            idx = complete[complete].index
            ok.loc[idx] = (s.loc[idx] == d.loc[idx, "total"]).astype(bool)
        return ok

    def total_in_range(d: pd.DataFrame) -> pd.Series:
        maxima = d["instrument"].map({k: 3 * v for k, v in INSTRUMENT_ITEMS.items()})
        return ~((d["total"] > maxima).fillna(False))

    def something(d: pd.DataFrame) -> pd.Series:
        return d[items].notna().any(axis=1) | d["total"].notna()

    return [
        pa.Check(extra_items, name="items:instrument", error="has answers to items the instrument does not have (PHQ-9 has 9 items, GAD-7 has 7)"),
        pa.Check(total_matches, name="total:total", error="total disagrees with the sum of the items"),
        pa.Check(total_in_range, name="maxtotal:total", error="total exceeds the instrument's maximum (PHQ-9 27, GAD-7 21)"),
        pa.Check(something, name="empty:total", error="has neither item answers nor a total"),
    ]


_REASON = {"allowed": "value not allowed", "range": "out of range", "period": "bad period",
           "order": "end before start", "items": "items beyond instrument", "total": "total disagrees with items",
           "maxtotal": "total out of range", "empty": "no items and no total", "not_nullable": "missing value"}


def shown_value(typed: pd.DataFrame, text: pd.DataFrame | None, idx: object, column: str) -> object:
    """The value of a cell as the user wrote it (the text cell; typed value when there is none)."""
    if text is not None and column in text.columns and idx in text.index:
        raw = text.at[idx, column]
        if raw is not None and not (isinstance(raw, float) and np.isnan(raw)):
            return raw
    value = typed.at[idx, column]
    if pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value


def schema_issues(name: str, spec: TableSpec, typed: pd.DataFrame, text: pd.DataFrame | None = None) -> list[RowIssue]:
    """Row problems found by the pandera schema (typed frame has ``_file`` and ``_row``;
    ``text`` holds the cells as written, so messages quote ``-5`` rather than ``-5.0``)."""
    import pandera.pandas as pa

    data = typed[[c for c in typed.columns if not c.startswith("_")]]
    schema = _schema(name, spec, list(data.columns))
    try:
        schema.validate(data, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
    named: dict[tuple[str | None, str], tuple[str, str]] = {}
    for col_name, col in schema.columns.items():
        for ck in col.checks:
            named[(col_name, ck.error)] = (ck.name, ck.error)
    for ck in schema.checks:
        named[(None, ck.error)] = (ck.name, ck.error)
    issues: list[RowIssue] = []
    seen: set[tuple[str, int]] = set()
    for rec in fc.itertuples(index=False):
        idx = rec.index
        if idx is None or (isinstance(idx, float) and np.isnan(idx)):
            continue
        check = str(rec.check)
        hit = named.get((str(rec.column), check)) or named.get((None, check))
        if check == "not_nullable":
            column, rule, reason = str(rec.column), "a value is required", "missing value"
        elif hit is not None:
            kind, column = hit[0].split(":", 1)
            column = column.split(":")[0]
            rule, reason = hit[1], _REASON.get(kind, kind)
        else:  # a pandera check we did not name (dtype etc.): keep its wording
            column, rule, reason = str(rec.column), check, check
        key = (check, int(idx))
        if key in seen:
            continue
        seen.add(key)
        label = f"{column}: {reason}"
        if check != "not_nullable" and kind_of(hit) == "items":  # name the first item the instrument lacks
            column = _first_extra_item(typed, idx) or column
        value = shown_value(typed, text, idx, column) if column in typed.columns else rec.failure_case
        issues.append(RowIssue(str(typed.at[idx, "_file"]), int(typed.at[idx, "_row"]), column, value, rule,
                               label, index=int(idx), table=name))
    return issues


def kind_of(hit: tuple[str, str] | None) -> str | None:
    return None if hit is None else hit[0].split(":", 1)[0]


def _first_extra_item(typed: pd.DataFrame, idx: object) -> str | None:
    k = INSTRUMENT_ITEMS.get(str(typed.at[idx, "instrument"]))
    if k is None:
        return None
    return next((c for c in _item_cols()[k:] if pd.notna(typed.at[idx, c])), None)


def duplicate_issues(name: str, spec: TableSpec, typed: pd.DataFrame, text: pd.DataFrame | None = None) -> list[RowIssue]:
    issues: list[RowIssue] = []
    for key in spec.unique:
        if not all(k in typed for k in key):
            continue
        sub = typed[list(key)]
        if name == "clients" and "model" in typed:  # unique within model
            sub = typed[[*key, "model"]]
        dup = sub.duplicated(keep=False)
        if not dup.any():
            continue
        groups = typed[dup].groupby([sub[c].astype(str) for c in sub.columns], sort=False, dropna=False)
        label = " + ".join(key)
        for _, g in groups:
            rows = [int(r) for r in g["_row"]]
            for idx, r in zip(g.index, rows, strict=True):
                others = ", ".join(str(x) for x in rows if x != r)
                value = " / ".join("" if (v := shown_value(typed, text, idx, k)) is None else str(v) for k in key)
                issues.append(RowIssue(str(g.at[idx, "_file"]), r, label, value,
                                       f"duplicate {label} (also on row {others})", f"{label}: duplicate",
                                       index=int(idx), table=name))
    return issues


# ------------------------------------------------------------------ the table
def load_frame_table(name: str, source: TableSource, paths: list[Path], data_root: Path,
                     params: Params) -> CheckedTable:
    spec = CONTRACT[name]
    key = pseudonymise_key(params.pseudonymise.key_env) if params.pseudonymise is not None else None
    typed_parts, raw_parts, issues = [], [], []
    read = 0
    empty = 0
    dialects: dict[str, str] = {}
    offset = 0
    for path in paths:
        shown = shown_path(path, data_root)
        raw = read_raw(source, path, shown)
        typed, text, file_issues, desc = _file_to_typed(name, spec, source, raw, params, key)
        n = len(typed)
        index = pd.RangeIndex(offset, offset + n)
        typed.index = index
        text.index = index
        file_issues = [RowIssue(i.file, i.row, i.column, i.value, i.rule, i.reason,
                                index=int(offset + int(np.flatnonzero(raw.rows == i.row)[0])), table=name)
                       for i in file_issues]
        offset += n
        typed["_file"] = shown
        typed["_row"] = raw.rows
        typed_parts.append(typed)
        raw_parts.append(text)
        issues.extend(file_issues)
        issues.extend(RowIssue(shown, r, None, None, rule, "wrong number of fields", table=name)
                      for r, rule in raw.bad_records)
        read += n + len(raw.bad_records) + raw.empty_rows
        empty += raw.empty_rows
        dialects[shown] = desc
    typed = pd.concat(typed_parts) if len(typed_parts) > 1 else typed_parts[0]
    text = pd.concat(raw_parts) if len(raw_parts) > 1 else raw_parts[0]
    for c in spec.columns:  # concat may loosen dtypes
        typed[c.name] = typed[c.name].astype(DTYPES[c.kind])
    if read - empty == 0:
        raise DataError([DataProblem(file=", ".join(dialects) or str(paths[0]), rule="has a header but no data rows")])
    filtered: dict[str, int] = {}
    if empty:
        filtered["empty row"] = empty
    parsed_badly = {(i.index, i.column) for i in issues if i.index is not None}
    issues.extend(i for i in schema_issues(name, spec, typed, text) if (i.index, i.column) not in parsed_badly)
    issues.extend(duplicate_issues(name, spec, typed, text))
    if name == "clients" and "model" in text.columns:
        other = typed["model"].notna() & (typed["model"] != params.model)
        if other.any():
            filtered["another operating model"] = int(other.sum())
            keep = ~other
            typed, text = typed[keep], text[keep]
            issues = [i for i in issues if i.index is None or i.index in typed.index]
    if name == "clients":
        typed["model"] = typed["model"].fillna(params.model)
    return CheckedTable(name, typed, text, issues, read, filtered, list(dialects), dialects)
