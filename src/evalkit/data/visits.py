"""The visits table through DuckDB: a lazy relation over the files, validated in SQL.

Visits may be tens of millions of rows, so they are never materialised in pandas. The
files are read by DuckDB with the detected dialect (every column as text), column names
and code values are mapped in SQL, types are parsed in SQL, and validation is one
aggregate pass that counts each problem. Only the first few offending rows of each kind
are fetched to name them (file, row, column, value) in the message.

A CSV file is parsed once: into a DuckDB temporary table (text cells, in file order) whose
reject log keeps the records with a wrong number of fields; empty lines, which DuckDB skips,
are counted from the bytes. The privacy scan, the validation pass and every later query
read that table, not the file. Parquet and Excel stay as they are (Parquet is read lazily).
"""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np

from ..errors import DataError, DataProblem, PrivacyError
from ..params import Params, TableSource
from .contract import CONTRACT
from .dialect import (
    Sniffed,
    detect_date_format,
    detect_encoding,
    detect_separator,
    example_date,
    normalise_date_format,
    read_text_sample,
    sample_records,
)
from .hetu import find_hetu, hetu_candidate_sql
from .privacy import PRIVACY_HINT, check_column_names, pseudonym, pseudonymise_key
from .read import PARQUET_DATE_RULE, file_format, not_a_date_type, read_raw, shown_path
from .table import fmt_label

__all__ = ["VisitsCheck", "load_visits"]

SPEC = CONTRACT["visits"]
EXAMPLES = 5
_CHUNK = 1 << 18  # bytes per step of the empty-line count (fits the CPU cache)
#: the reason under which empty lines are counted (as for the other tables)
EMPTY_ROW = "empty row"
_SQL_FMT = {"%Y-%m-%d": "%Y-%m-%d", "%d.%m.%Y": "%d.%m.%Y", "%d/%m/%Y": "%d/%m/%Y", "%m/%d/%Y": "%m/%d/%Y"}


@dataclass
class VisitsCheck:
    """Outcome of loading and validating visits (before the error/quarantine decision)."""

    files: list[str]
    read: int
    #: reason -> number of rows whose *first* problem it is (adds up with accepted to read)
    first_reason: dict[str, int]
    #: reason -> (rows with the problem, example DataProblems)
    problems: dict[str, tuple[int, list[DataProblem]]]
    #: SQL condition of every rejected row (for the quarantine view and rejects file)
    bad_condition: str
    typed_sql: str
    raw_columns: list[str]
    dialect: str
    ragged: int = 0
    #: empty lines of CSV files (counted under ``EMPTY_ROW``; nothing to keep or quarantine)
    blank: int = 0
    temp: list[Path] = field(default_factory=list)
    shown: dict[str, str] = field(default_factory=dict)
    #: SQL expression listing the reasons of a row ("reason: rule; ...")
    reasons_sql: str = "''"
    source: _Source | None = None

    def file_sql(self) -> str:
        """SQL expression: the shown file name of a row of ``_visits_typed``."""
        cases = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in self.shown.items())
        return f"(CASE _file {cases} ELSE _file END)" if cases else "_file"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _clean(col: str) -> str:
    """SQL: the text cell ``col`` trimmed, empty → NULL (``NULLIF(TRIM(c), '')``). TRIM, which
    is slow, runs only where it can change something: an empty value, a space at either end or
    any non-ASCII character (TRIM also removes Unicode spaces); elsewhere the value is kept."""
    c = _q(col)
    return (f"(CASE WHEN {c} = '' OR {c} LIKE ' %' OR {c} LIKE '% ' OR strlen({c}) <> length({c}) "
            f"THEN NULLIF(TRIM({c}), '') ELSE {c} END)")


def _csv_header(path: Path, encoding: str, sep: str) -> list[str]:
    text = read_text_sample(path, encoding, 1 << 16)
    rec = next(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=sep), [])
    return [c.replace("\ufeff", "").strip() for c in rec]


def _sep_name(sep: str) -> str:
    return "tabs" if sep == "\t" else f"'{sep}'"


def _date_sample(text: str, sep: str, header: list[str], source: TableSource, date_col: str) -> list[Sniffed]:
    """(value, row, column) of the date column in a text sample of one CSV file."""
    names = [source.columns.get(c, c) for c in header]
    if date_col not in names:
        return []
    j = names.index(date_col)
    recs = sample_records(text, sep)
    return [(r[j], i, header[j]) for i, r in enumerate(recs[1:], start=2) if len(r) > j]


def _transcode(path: Path, encoding: str, tmpdir: Path, prefix: str = "") -> Path:
    """Stream a non-UTF-8 text file into a UTF-8 copy DuckDB can read (``prefix`` keeps files of
    the same name from different folders apart)."""
    target = tmpdir / (prefix + path.stem + ".utf8.csv")
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(1 << 24):
            dst.write(decoder.decode(chunk))
        dst.write(decoder.decode(b"", final=True))
    return target


def _blank_lines(path: Path) -> int:
    """Empty records of a UTF-8 CSV file: DuckDB skips them, so they are counted here, as
    :mod:`csv` (and so the other tables' reader) sees them. An empty record is a line end
    right after another (``\\n\\n``, or ``\\n\\r\\n`` in Windows files) outside quoted values
    (an even number of ``"`` before it). Vectorised over the bytes, a few passes per chunk."""
    blank = 0
    quotes = 0  # quote characters before the current chunk
    tail = b""  # the last two bytes before the current chunk
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            buf = tail + chunk  # pairs across chunks are seen once: the tail's own were counted
            a = np.frombuffer(buf, dtype=np.uint8)
            nl = a == 10
            ends = np.flatnonzero(nl[1:] & nl[:-1]) + 1  # the second line end of "\n\n"
            if b"\r" in buf:
                ends = np.union1d(ends, np.flatnonzero(nl[:-2] & (a[1:-1] == 13) & nl[2:]) + 2)
            ends = ends[ends >= len(tail)]
            has_quotes = b'"' in chunk
            if len(ends) and has_quotes:
                q = np.flatnonzero(a[len(tail):] == 34) + len(tail)
                ends = ends[(np.searchsorted(q, ends) + quotes) % 2 == 0]
            if has_quotes:
                quotes += chunk.count(b'"')
            blank += len(ends)
            tail = buf[-2:]
    return blank


@dataclass
class _Source:
    sql: str  # FROM expression yielding raw text columns + filename (+ _row for frames)
    columns: list[str]  # the file's column names (as in the file)
    kind: str
    shown: dict[str, str]  # actual path -> shown path
    encoding: str | None = None
    separator: str | None = None
    date_values: list[Sniffed] = field(default_factory=list)
    typed_date: bool = False
    temp: list[Path] = field(default_factory=list)
    blank: int = 0  # empty lines (CSV)
    #: SQL ORDER BY of ``_visits_raw`` in file order (CSV: the table's row ids)
    order: str = "_file, _row"


def _source(con: duckdb.DuckDBPyConnection, source: TableSource, paths: list[Path], data_root: Path,
            date_col: str | None) -> _Source:
    fmt = file_format(source, paths[0])
    shown = {str(p): shown_path(p, data_root) for p in paths}
    if fmt == "csv":
        enc = None
        sep = source.separator
        header: list[str] | None = None
        files: list[str] = []
        temp: list[Path] = []
        sample_text = ""
        samples: dict[str, list[Sniffed]] = {}
        tmpdir: Path | None = None
        blank = 0
        for p in paths:
            s = shown[str(p)]
            if p.stat().st_size == 0:
                raise DataError([DataProblem(file=s, rule="the file is empty (no header row)")])
            e = source.encoding or detect_encoding(p, sample_bytes=64 << 20, shown=s)
            text = read_text_sample(p, e).removeprefix("\ufeff")
            if not text.strip():
                raise DataError([DataProblem(file=s, rule="the file is empty (no header row)")])
            fsep = source.separator or detect_separator(text, s)
            if sep is not None and fsep != sep:  # one DuckDB scan reads every file with one separator
                raise DataError([DataProblem(
                    file=s, row=1, rule=f"separates columns with {_sep_name(fsep)} but {shown[str(paths[0])]} with "
                    f"{_sep_name(sep)}; export every file of the table the same way")])
            sep = fsep
            h = _csv_header(p, e, sep)
            if header is None:
                header, enc, sample_text = h, e, text
            elif h != header:
                raise DataError([DataProblem(file=s, row=1, rule=f"has different columns from {shown[str(paths[0])]}")])
            if date_col is not None and source.date_format is None:
                samples[s] = _date_sample(text, sep, h, source, date_col)
            if e.replace("-sig", "") not in ("utf-8",):
                tmpdir = tmpdir or Path(tempfile.mkdtemp(prefix="evalkit-visits-"))
                t = _transcode(p, e, tmpdir, prefix=f"{len(files)}_")
                temp.append(t)
                shown[str(t)] = s
                files.append(str(t))
            else:
                files.append(str(p))
            blank += _blank_lines(Path(files[-1]))
        assert header is not None and sep is not None
        cols = "{" + ", ".join(f"{_lit(c)}: 'VARCHAR'" for c in header) + "}"
        flist = "[" + ", ".join(_lit(f) for f in files) + "]"
        sql = (f"read_csv({flist}, delim={_lit(sep)}, header=true, auto_detect=false, columns={cols}, "
               "quote='\"', escape='\"', filename=true, "
               "store_rejects=true, rejects_table='_visits_rej', rejects_scan='_visits_rej_scan')")
        dates = _date_sample(sample_text, sep, header, source, date_col) if date_col is not None else []
        formats = {f: detect_date_format(v, file=f) for f, v in samples.items() if any(x[0].strip() for x in v)}
        if len(set(formats.values())) > 1:  # one date format is parsed for all files
            first, fmt0 = next(iter(formats.items()))
            other, fmt1 = next((f, x) for f, x in formats.items() if x != fmt0)
            value, row, column = next(x for x in samples[other] if x[0].strip())
            raise DataError([DataProblem(
                file=other, row=row, column=column, value=value,
                rule=f"dates are written {fmt_label(fmt1)} but in {first} {fmt_label(fmt0)}; export every file of "
                "the table the same way (or set date_format: when they agree)")])
        return _Source(sql, header, "csv", shown, encoding=enc, separator=sep, date_values=dates, temp=temp,
                       blank=blank, order="_ord")
    if fmt == "parquet":
        flist = "[" + ", ".join(_lit(str(p)) for p in paths) + "]"
        try:
            rel = con.sql(f"select * from read_parquet({flist}, union_by_name=true) limit 0")
        except duckdb.Error as exc:
            raise DataError([DataProblem(file=shown[str(paths[0])], rule=f"cannot read the parquet file: {exc}")]) from None
        types = dict(zip(rel.columns, [str(t) for t in rel.types], strict=True))
        file_cols = list(types)
        names = {c: source.columns.get(c, c) for c in file_cols}
        for c in file_cols:
            if names[c] == date_col and not_a_date_type(types[c]):
                first = con.sql(f"select CAST({_q(c)} AS VARCHAR), filename, file_row_number + 1 from read_parquet("
                                f"{flist}, union_by_name=true, filename=true, file_row_number=true) "
                                f"where {_q(c)} is not null limit 1").fetchall()
                if first:
                    value, fname, row = first[0]
                    raise DataError([DataProblem(
                        file=shown.get(fname, fname), row=int(row), column=c, value=value,
                        rule=f"{PARQUET_DATE_RULE} (the column is stored as {types[c]})")])
        typed_date = False
        select = []
        for c in file_cols:
            if names[c] == date_col and types[c] in ("DATE",) or (names[c] == date_col and types[c].startswith("TIMESTAMP")):
                typed_date = True
                select.append(f"strftime(CAST({_q(c)} AS DATE), '%Y-%m-%d') AS {_q(c)}")
            else:
                select.append(f"CAST({_q(c)} AS VARCHAR) AS {_q(c)}")
        sql = (f"(select {', '.join(select)}, filename, file_row_number + 1 AS _row from "
               f"read_parquet({flist}, union_by_name=true, filename=true, file_row_number=true))")
        dates: list[Sniffed] = []
        if date_col is not None:
            src = next((c for c in file_cols if names[c] == date_col), None)
            if src is not None:
                one = len(paths) == 1  # rows are located in the first file only
                dates = [(r[0], int(r[1]) if one else None, src) for r in con.sql(
                    f"select CAST({_q(src)} AS VARCHAR), file_row_number + 1 from read_parquet({flist}, "
                    f"file_row_number=true) where {_q(src)} is not null limit 5000").fetchall()]
        return _Source(sql, file_cols, "parquet", shown, date_values=dates, typed_date=typed_date)
    # Excel: small enough for pandas; register the text cells
    frames = []
    for p in paths:
        raw = read_raw(source, p, shown[str(p)])
        f = raw.frame.copy()
        f["filename"] = raw.file
        f["_row"] = raw.rows
        frames.append(f)
    import pandas as pd

    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    frame = frame.astype({c: "str" for c in frame.columns if c != "_row"}).astype(object).where(frame.notna(), None)
    con.register("_visits_frame", frame)
    cols = [c for c in frame.columns if c not in ("filename", "_row")]
    theirs = next((c for c in cols if source.columns.get(c, c) == date_col), None)
    dates = []
    if theirs is not None:
        filled = frame[frame[theirs].notna()][:5000]
        dates = [(str(v), int(r) if len(paths) == 1 else None, theirs)
                 for v, r in zip(filled[theirs], filled["_row"], strict=True)]
    shown.update({raw_f: raw_f for raw_f in frame["filename"].unique()})
    return _Source("_visits_frame", cols, "xlsx", shown, date_values=dates)


def _date_sql(expr: str, fmt: str) -> str:
    if fmt == "%Y-%m-%d":
        return f"COALESCE(TRY_CAST({expr} AS DATE), CAST(TRY_CAST({expr} AS TIMESTAMP) AS DATE))"
    body = f"regexp_replace({expr}, '[ T][0-9]{{1,2}}[:.][0-9]{{2}}([:.][0-9]{{2}}(\\.[0-9]+)?)?$', '')"
    return f"CAST(TRY_STRPTIME({body}, {_lit(_SQL_FMT.get(fmt, fmt))}) AS DATE)"


def load_visits(con: duckdb.DuckDBPyConnection, source: TableSource, paths: list[Path], data_root: Path,
                params: Params, *, clients_registered: bool) -> VisitsCheck:
    """Register the raw and typed visits in ``con`` and count every problem in one pass."""
    src = _source(con, source, paths, data_root, "date")
    first_shown = src.shown[str(paths[0])]
    check_column_names(src.columns, kept={c for c in src.columns if c in source.columns or c in SPEC.names}
                       | set(source.drop_columns), file=first_shown)
    names = {c: source.columns.get(c, c) for c in src.columns if c not in source.drop_columns}
    present = {v: k for k, v in names.items() if v in SPEC.names}
    dup = [v for v in set(names.values()) if list(names.values()).count(v) > 1 and v in SPEC.names]
    if dup:
        raise DataError([DataProblem(file=first_shown, row=1, column=dup[0],
                                     rule="two columns map onto this contract column; fix columns: in params")])
    missing = [c.name for c in SPEC.columns if c.must_exist and c.name not in present]
    if missing:
        raise DataError([DataProblem(
            file=first_shown, row=1, column=m,
            rule=f"required column is missing (columns in the file: {', '.join(src.columns)})") for m in missing])
    if src.kind == "csv":
        _materialise(con, src, first_shown)

    fmt = normalise_date_format(source.date_format) if source.date_format and not src.typed_date else (
        "%Y-%m-%d" if src.typed_date else detect_date_format(src.date_values, file=first_shown))

    def text(col: str) -> str:
        expr = _clean(present[col])
        mapping = source.values.get(col)
        if mapping:
            cases = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in mapping.items())
            expr = f"(CASE {expr} {cases} ELSE {expr} END)"
        return expr

    raw_sel = [f"{text(c)} AS {_q('raw_' + c)}" for c in SPEC.names if c in present]
    raw_sel += [f"{_clean(c)} AS {_q(f'_src_{i}')}" for i, c in enumerate(src.columns)]
    raw_sel.append("filename AS _file")
    raw_sel.append("_row" if src.kind in ("parquet", "xlsx") else "NULL::BIGINT AS _row")
    raw_sel.append("rowid AS _ord" if src.kind == "csv" else "_row AS _ord")
    pseudo_join = ""
    client = '"raw_client_id"'
    if params.pseudonymise is not None and "client_id" in params.pseudonymise.columns:
        key = pseudonymise_key(params.pseudonymise.key_env)
        ids = [r[0] for r in con.sql(f"select distinct {text('client_id')} from {src.sql} where {text('client_id')} is not null").fetchall()]
        import pandas as pd

        con.register("_visits_pseudo", pd.DataFrame({"_raw_id": ids, "_pid": [pseudonym(key, i) for i in ids]}))
        pseudo_join = " LEFT JOIN _visits_pseudo ON _visits_pseudo._raw_id = r.raw_client_id"
        client = "_visits_pseudo._pid"
    con.execute(f"CREATE OR REPLACE TEMP VIEW _visits_raw AS SELECT {', '.join(raw_sel)} FROM {src.sql}")
    typed = {
        "client_id": client,
        "date": _date_sql('"raw_date"', fmt),
        "service": '"raw_service"',
        "professional": '"raw_professional"' if "professional" in present else "NULL::VARCHAR",
        "contact_type": '"raw_contact_type"' if "contact_type" in present else "NULL::VARCHAR",
        # no n column: every row is one visit
        "n": "TRY_CAST(TRY_CAST(raw_n AS DOUBLE) AS BIGINT)" if "n" in present else "1::BIGINT",
    }
    typed_sel = ", ".join(f"{v} AS {_q(k)}" for k, v in typed.items())
    con.execute(f"CREATE OR REPLACE TEMP VIEW _visits_typed AS SELECT r.*, {typed_sel} FROM _visits_raw r{pseudo_join}")

    _privacy(con, src, first_shown)

    conds: list[tuple[str, str, str, str]] = [  # reason, column, condition, rule
        ("client_id: missing value", "client_id", "client_id IS NULL", "a value is required"),
        ("date: missing value", "date", "raw_date IS NULL", "a value is required"),
        ("date: bad date", "date", "raw_date IS NOT NULL AND date IS NULL",
         f"not a valid date in this file's format {fmt_label(fmt)} (e.g. {example_date(fmt)})"),
        ("service: missing value", "service", "raw_service IS NULL", "a value is required"),
    ]
    if "n" in present:
        conds.append(("n: missing value", "n", "raw_n IS NULL",
                      "a count is required on every row when the file has an n column"))
        conds.append(("n: not a whole number", "n",
                      "raw_n IS NOT NULL AND (TRY_CAST(raw_n AS DOUBLE) IS NULL OR TRY_CAST(raw_n AS DOUBLE) <> floor(TRY_CAST(raw_n AS DOUBLE)))",
                      "not a whole number"))
        conds.append(("n: out of range", "n", "n < 0", "must be at least 0"))
    if clients_registered:
        conds.append(("client_id: unknown client", "client_id",
                      "client_id IS NOT NULL AND client_id NOT IN (SELECT client_id FROM _clients_all WHERE client_id IS NOT NULL)",
                      "no such client in the clients table (orphan row)"))
    window = []
    if params.data_start is not None:
        window.append(f"date < DATE '{params.data_start.isoformat()}'")
    window.append(f"date > DATE '{params.data_cutoff.isoformat()}'")
    win_text = (f"outside the data window {params.data_start.isoformat() if params.data_start else '…'} – "
                f"{params.data_cutoff.isoformat()}")
    conds.append(("date: outside data window", "date", " OR ".join(window), win_text))

    safe = [f"COALESCE(({c}), false)" for _, _, c, _ in conds]
    # each condition is evaluated once per row (the unknown-client test is a join); the first
    # reason of a row is the first condition it meets, so the first reasons add up to the rejected
    flags = ", ".join(f"{s} AS _f{i}" for i, s in enumerate(safe))
    first_of = "CASE " + " ".join(f"WHEN _f{i} THEN {i}" for i in range(len(safe))) + " END"
    aggs = ["count(*)"]
    aggs += [f"count_if(_f{i})" for i in range(len(safe))]
    aggs += [f"count(*) FILTER (WHERE _first = {i})" for i in range(len(safe))]
    try:
        res = con.sql(f"SELECT {', '.join(aggs)} FROM (SELECT *, {first_of} AS _first FROM "
                      f"(SELECT {flags} FROM _visits_typed))").fetchall()[0]
    except duckdb.Error as exc:
        raise DataError([DataProblem(file=first_shown, rule=f"cannot read the visits: {str(exc).splitlines()[0]}")]) from None
    assert res is not None
    k = len(conds)
    read = int(res[0])
    totals = [int(x) for x in res[1:1 + k]]
    firsts = [int(x) for x in res[1 + k:]]
    ragged, ragged_examples = _ragged(con, src) if src.kind == "csv" else (0, [])
    problems: dict[str, tuple[int, list[DataProblem]]] = {}
    if ragged:
        problems["wrong number of fields"] = (ragged, ragged_examples)
    for (reason, column, _, rule), s, total in zip(conds, safe, totals, strict=True):
        if total:
            problems[reason] = (total, _examples(con, src, s, column, rule, total))
    first = {reason: n for (reason, *_), n in zip(conds, firsts, strict=True) if n}
    if ragged:
        first = {"wrong number of fields": ragged, **first}
    if src.blank:
        first = {EMPTY_ROW: src.blank, **first}
    bad = " OR ".join(safe)
    reasons_sql = "concat_ws('; ', " + ", ".join(
        f"CASE WHEN {sc} THEN {_lit(reason + ': ' + rule)} END" for (reason, _, _, rule), sc in zip(conds, safe, strict=True)) + ")"
    dialect = f"dates {fmt_label(fmt)}"
    if src.kind == "csv":
        dialect = f"encoding {src.encoding}, separator '{ {chr(9): 'tab'}.get(src.separator or ',', src.separator) }', " + dialect
    return VisitsCheck(sorted(set(src.shown.values())), read + ragged + src.blank, first, problems, bad,
                       "SELECT client_id, date, service, professional, contact_type, n FROM _visits_typed",
                       [c for c in SPEC.names if c in present], dialect, ragged, src.blank, src.temp, src.shown,
                       reasons_sql=reasons_sql, source=src)


def _materialise(con: duckdb.DuckDBPyConnection, src: _Source, shown: str) -> None:
    """Parse the CSV files once into a temporary table (file order kept); records with a wrong
    number of fields go to DuckDB's reject log (``_visits_rej``) in the same pass."""
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE _visits_csv AS SELECT * FROM {src.sql}")
    except duckdb.Error as exc:
        raise DataError([DataProblem(file=shown, rule=f"cannot read the visits: {str(exc).splitlines()[0]}")]) from None
    src.sql = "_visits_csv"


def write_rejects(con: duckdb.DuckDBPyConnection, vc: VisitsCheck, target: Path) -> int:
    """Write every rejected visit to ``target`` (CSV): file, row as the user sees it, reasons and
    the cells as read (client ids as loaded, i.e. pseudonymised when params say so). Returns
    the number of rows written (= rejected rows, ragged records included)."""
    import pandas as pd

    src = vc.source
    assert src is not None
    cols = [("client_id" if c == "client_id" else _q("raw_" + c)) + f" AS {_q(c)}" for c in vc.raw_columns]
    srcs = [_q(f"_src_{i}") for i in range(len(src.columns))]
    frame = con.sql(f"SELECT _file, _row, {vc.reasons_sql} AS reasons, {', '.join(cols)}, {', '.join(srcs)} "
                    f"FROM _visits_typed WHERE {vc.bad_condition}").df()
    if src.kind == "csv" and len(frame):
        frame["_row"] = _locate_all(src, frame["_file"].tolist(),
                                    [tuple(None if pd.isna(x) else x for x in r)
                                     for r in frame[[f"_src_{i}" for i in range(len(src.columns))]].itertuples(index=False)])
    frame = frame.drop(columns=[f"_src_{i}" for i in range(len(src.columns))])
    if vc.ragged:
        rag = con.sql("SELECT s.file_path AS _file, e.line AS _row, lower(min(e.error_type)) AS et "
                      "FROM _visits_rej e JOIN _visits_rej_scan s USING (scan_id, file_id) GROUP BY 1, 2").df()
        rag["reasons"] = "wrong number of fields: " + rag.pop("et")
        frame = pd.concat([frame, rag], ignore_index=True)
    frame.insert(0, "file", [vc.shown.get(f, f) for f in frame.pop("_file")])
    frame.insert(1, "row", frame.pop("_row").astype("Int64"))
    frame = frame.sort_values(["file", "row"], kind="stable")
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(target, index=False, encoding="utf-8")
    return len(frame)


def _locate_all(src: _Source, files: list[str], cells: list[tuple]) -> list[int | None]:
    """File row numbers (header = 1) of rows given by their file and cells (as in ``_src_*``),
    found in one pass per file that stops when all are found. Rows with identical cells get the
    rows holding those cells in file order. Serves the error examples, the privacy message and
    the rejects file alike."""
    from collections import defaultdict, deque

    out: list[int | None] = [None] * len(files)
    by_file: dict[str, dict[tuple, deque[int]]] = defaultdict(lambda: defaultdict(deque))
    for i, (f, c) in enumerate(zip(files, cells, strict=True)):
        by_file[f][tuple(c)].append(i)
    for f, wanted in by_file.items():
        path = Path(f)
        if not path.exists():
            continue
        with path.open("r", encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, delimiter=src.separator or ",")
            next(reader, None)
            left = sum(len(q) for q in wanted.values())
            for rownum, rec in enumerate(reader, start=2):
                q = wanted.get(tuple(c.strip() or None for c in rec))
                if q:
                    out[q.popleft()] = rownum
                    left -= 1
                    if not left:
                        break
    return out


def _ragged(con: duckdb.DuckDBPyConnection, src: _Source) -> tuple[int, list[DataProblem]]:
    """Records with the wrong number of fields, from DuckDB's reject log of the one parse
    (a record short of several fields is logged once per missing field: counted once)."""
    lines = ("SELECT s.file_path, e.line, min(e.error_type) FROM _visits_rej e JOIN _visits_rej_scan s "
             "USING (scan_id, file_id) GROUP BY 1, 2")
    n = int(con.sql(f"SELECT count(*) FROM ({lines})").fetchall()[0][0])
    rows = con.sql(f"{lines} ORDER BY 1, 2 LIMIT {EXAMPLES}").fetchall() if n else []
    ex = [DataProblem(file=src.shown.get(f, f), row=int(line),
                      rule=f"has the wrong number of fields ({str(et).lower()}; {n} row(s) like this)", table="visits")
          for f, line, et in rows]
    return n, ex


def _srcs(src: _Source) -> str:
    return ", ".join(_q(f"_src_{i}") for i in range(len(src.columns)))


def _rows_of(con: duckdb.DuckDBPyConnection, src: _Source, rows: list[tuple]) -> list[int | None]:
    """File rows of ``_visits_raw`` rows fetched as ``(_file, _row, <value>, *_src_*)``."""
    if src.kind != "csv":
        return [r[1] for r in rows]
    return _locate_all(src, [r[0] for r in rows], [r[3:] for r in rows])


def _examples(con: duckdb.DuckDBPyConnection, src: _Source, cond: str, column: str, rule: str,
              total: int) -> list[DataProblem]:
    raw_col = "raw_" + column
    all_cols = con.sql("SELECT * FROM _visits_typed LIMIT 0").columns
    rows = con.sql(f"SELECT _file, _row, {_q(raw_col) if raw_col in all_cols else _q(column)}, {_srcs(src)} "
                   f"FROM _visits_typed WHERE {cond} ORDER BY {src.order} LIMIT {EXAMPLES}").fetchall()
    suffix = f" ({total} row(s) like this)" if total > 1 else ""
    return [DataProblem(file=src.shown.get(r[0], r[0]), row=None if row is None else int(row), column=column,
                        value=r[2], rule=rule + suffix, table="visits")
            for r, row in zip(rows, _rows_of(con, src, rows), strict=True)]


def _privacy(con: duckdb.DuckDBPyConnection, src: _Source, shown: str) -> None:
    """Refuse a henkilötunnus in any column. One filtered pass over the source finds the
    candidates of every column (a cheap necessary condition, :func:`hetu_candidate_sql`); every
    distinct candidate is then checked in Python (date and check character), so the count is exact
    and no row escapes. The message names the first row (file order) and never the value."""
    conds = [hetu_candidate_sql(c) for c in src.columns]
    counts = con.sql(f"SELECT {', '.join(f'count_if({c})' for c in conds)} FROM {src.sql} "
                     f"WHERE {' OR '.join(conds)}").fetchall()[0]
    problems = []
    for i, (c, cond, n) in enumerate(zip(src.columns, conds, counts, strict=True)):
        if not n:
            continue
        values = con.sql(f"SELECT {_q(c)}, count(*) FROM {src.sql} WHERE {cond} GROUP BY 1").fetchall()
        hits = sorted(v for v, _ in values if find_hetu(v) is not None)
        if not hits:
            continue
        rows_hit = sum(k for v, k in values if find_hetu(v) is not None)
        con.execute("CREATE OR REPLACE TEMP TABLE _visits_hetu AS SELECT unnest(?::VARCHAR[]) AS v", [hits])
        first = con.sql(f"SELECT _file, _row, NULL, {_srcs(src)} FROM _visits_raw WHERE {_q(f'_src_{i}')} IN "
                        f"(SELECT NULLIF(TRIM(v), '') FROM _visits_hetu) ORDER BY {src.order} LIMIT 1").fetchall()
        con.execute("DROP TABLE _visits_hetu")
        row = _rows_of(con, src, first)[0] if first else None
        f0 = first[0][0] if first else shown
        problems.append(DataProblem(
            file=src.shown.get(f0, f0), row=None if row is None else int(row), column=c,
            rule=f"looks like a Finnish personal identity code (henkilötunnus; {rows_hit} row(s), value not shown); "
            + PRIVACY_HINT, table="visits"))
    if problems:
        raise PrivacyError(problems)
