"""Synthetic visits and clients for the scale benchmarks (issues 3, 5 and 11).

Files go to ``benchmarks/.work/`` (git-ignored) and are reused when present; a file is
written under a temporary name and renamed when complete, so an interrupted run never
leaves a half-written file that would be reused.

The data are deterministic without a random generator: every value is an integer hash of
the row number (multiplicative hashing modulo the prime 4 294 967 291), so DuckDB writes
the same rows in any version and with any number of threads, streaming, in bounded memory
(even 100 million rows). ``rows // 100`` clients (at least 1 000) share the visits evenly;
half are comparison clients; every 20th client has no index date; index dates are spread
over 2022–2024 and visit dates over the data window 2021-01-01 – 2025-12-31. Every visit
belongs to a known client, so the data contract loader accepts every row.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
DATA_START = "2021-01-01"
DATA_CUTOFF = "2025-12-31"
DAYS = 1826  # 2021-01-01 … 2025-12-31
SERVICES = ("psychiatry", "primary_care", "emergency", "social_work", "dental")
PROFESSIONALS = ("nurse", "physician", "psychologist", "social_worker", "physiotherapist")
CONTACT_TYPES = ("visit", "phone", "remote", "home")
#: the panel benchmarks keep these services (a filter as in params)
KEPT_SERVICES = ("psychiatry", "primary_care")
PRE = (-365, -1)
POST = (0, 364)
_P = 4294967291  # largest prime below 2**32


def label(rows: int) -> str:
    """1000000 → '1M', 100000 → '100k'."""
    for unit, div in (("M", 1_000_000), ("k", 1_000)):
        if rows >= div and rows % div == 0:
            return f"{rows // div}{unit}"
    return str(rows)


def n_clients(rows: int) -> int:
    return max(1_000, rows // 100)


def clients_frame(rows: int) -> pd.DataFrame:
    """The clients table of a visits file of ``rows`` rows (contract column names)."""
    import numpy as np

    k = np.arange(n_clients(rows), dtype=np.int64)
    index = pd.Timestamp("2022-01-01") + pd.to_timedelta((k * 7919) % 1095, unit="D")
    return pd.DataFrame({
        "client_id": [f"C{i:07d}" for i in k],
        "group": np.where(k % 2 == 1, "comparison", "intervention"),
        "index_date": pd.Series(index).where(k % 20 != 0),
        "birth_year": 1950 + (k * 31) % 50,
    })


def _lit(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{v}'" for v in values) + "]"


def visits_sql(rows: int) -> str:
    """SELECT of ``rows`` synthetic visits: client_id, date (DATE), service, professional,
    contact_type."""
    h1 = f"((range::UBIGINT * 2654435761 + 97) % {_P})"
    h2 = f"(({h1} * 40503 + 12345) % {_P})"
    h3 = f"(({h2} * 40503 + 7) % {_P})"
    return f"""
        SELECT 'C' || lpad(CAST({h1} % {n_clients(rows)} AS VARCHAR), 7, '0') AS client_id,
               DATE '{DATA_START}' + CAST({h2} % {DAYS} AS INTEGER) AS date,
               {_lit(SERVICES)}[CAST({h3} % 5 AS INTEGER) + 1] AS service,
               {_lit(PROFESSIONALS)}[CAST(({h3} // 5) % 5 AS INTEGER) + 1] AS professional,
               {_lit(CONTACT_TYPES)}[CAST(({h3} // 25) % 4 AS INTEGER) + 1] AS contact_type
        FROM range({rows})"""


@dataclass(frozen=True)
class Files:
    rows: int
    clients: Path
    csv: Path
    parquet: Path

    def visits(self, fmt: str) -> Path:
        return self.csv if fmt == "csv" else self.parquet


def ensure(rows: int, formats: tuple[str, ...] = ("csv", "parquet")) -> Files:
    """Write (or reuse) the clients CSV and the visits files of ``rows`` rows."""
    import duckdb

    WORK.mkdir(parents=True, exist_ok=True)
    lab = label(rows)
    files = Files(rows, WORK / f"clients_{lab}.csv", WORK / f"visits_{lab}.csv", WORK / f"visits_{lab}.parquet")
    if not files.clients.exists():
        tmp = files.clients.with_suffix(".tmp")
        clients_frame(rows).to_csv(tmp, index=False, date_format="%Y-%m-%d")
        tmp.rename(files.clients)
    con = duckdb.connect()
    con.execute(f"SET temp_directory = '{WORK / 'duckdb_tmp'}'")
    con.execute("SET enable_progress_bar = false")
    if not files.parquet.exists():
        t0 = time.perf_counter()
        tmp = files.parquet.with_suffix(".tmp")
        con.execute(f"COPY ({visits_sql(rows)}) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)")
        tmp.rename(files.parquet)
        print(f"   wrote {files.parquet.name} in {time.perf_counter() - t0:.0f} s", flush=True)
    if "csv" in formats and not files.csv.exists():
        t0 = time.perf_counter()
        tmp = files.csv.with_suffix(".tmp")
        con.execute(f"COPY (SELECT * FROM read_parquet('{files.parquet}')) TO '{tmp}' "
                    "(FORMAT csv, HEADER, DATEFORMAT '%Y-%m-%d')")
        tmp.rename(files.csv)
        print(f"   wrote {files.csv.name} in {time.perf_counter() - t0:.0f} s", flush=True)
    con.close()
    return files


def size_mib(path: Path) -> float:
    return path.stat().st_size / 1024**2


def main(argv: list[str] | None = None) -> int:
    """``python benchmarks/_visits_data.py ROWS ... [--parquet-only ROWS ...]``: write (or
    reuse) the files, so a benchmark run can prepare them before anything is timed."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="*")
    parser.add_argument("--parquet-only", type=int, nargs="*", default=[])
    args = parser.parse_args(argv)
    for rows in args.rows:
        ensure(rows)
    for rows in args.parquet_only:
        ensure(rows, formats=("parquet",))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
