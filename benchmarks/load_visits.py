"""Benchmark: load and validate a large visits file with the data-contract loader (issue 3).

    PYTHONPATH=$PWD/src python benchmarks/load_visits.py [--quick] [--rows 1000000 10000000]

Generates (or reuses) deterministic visits files of 1 M and 10 M rows in CSV and Parquet
under ``benchmarks/.work/`` (see ``_visits_data.py``) with a matching clients table, then
for every file times, each in its own child process:

* ``evalkit load_tables`` — :func:`evalkit.data.load_tables` of clients + visits: dialect
  and encoding detection, the henkilötunnus scan of every column, the validation pass
  (one aggregate over the typed DuckDB view counting every problem: missing values, bad
  dates, unknown clients, dates outside the data window). A CSV file is parsed once, into
  a DuckDB temporary table (records with a wrong number of fields logged in the same pass,
  empty lines counted from the bytes); a Parquet file stays a lazy DuckDB relation.
  In the same process, timed separately after it: one aggregate over the validated view
  (count and sum of ``n`` by service), so every row is typed (and, for Parquet, read) once
  more, as the first measure would (*then one scan*; one process, so the loader runs once
  per file).
* ``pandas read`` — plain ``pandas.read_csv`` / ``pandas.read_parquet`` of the same file
  (default options; reads only, no validation).

Wall time of the work (after imports) and the peak resident memory of the child process
(``ru_maxrss``, including the interpreter and imports, shown separately) go to
``benchmarks/results/load_visits.md`` with the machine's description. ``--quick`` uses
100 000 rows and writes ``load_visits.quick.md`` (the committed table comes from the full run).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _visits_data as vd  # noqa: E402
from _common import RESULTS, Timer, cpu_seconds, load, machine, run_case, run_line, write_table  # noqa: E402

FULL_ROWS = (1_000_000, 10_000_000)
QUICK_ROWS = (100_000,)
METHODS = {
    "evalkit": "evalkit `load_tables` (validated)",
    "pandas": "pandas `read_csv` / `read_parquet`",
}


def _params(fmt: str, rows: int):
    from evalkit.params import Params

    files = vd.ensure(rows)
    return Params.model_validate({
        "model": "bench", "name": "Benchmark", "data_start": vd.DATA_START, "data_cutoff": vd.DATA_CUTOFF,
        "measures": ["visits"],
        "tables": {"clients": files.clients.name, "visits": files.visits(fmt).name},
    })


def case(method: str, fmt: str, rows: int) -> None:
    """One measurement (in the child process)."""
    import pandas as pd

    from evalkit.data import load_tables

    files = vd.ensure(rows)
    path = files.visits(fmt)
    params = _params(fmt, rows)
    with Timer() as timer:
        if method == "pandas":
            frame = pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
            n = len(frame)
            extra = {}
        else:
            data = load_tables(params, vd.WORK, ["clients", "visits"])
            flow = data.flow_of("visits")
            n = flow.read
            extra = {"accepted": flow.accepted, "rejected": sum(flow.rejected.values())}
    if method != "pandas":
        cpu0, t0 = cpu_seconds(), time.perf_counter()
        got = data.con.sql("SELECT service, count(*), sum(n) FROM visits GROUP BY 1").fetchall()
        extra.update(scanned=int(sum(r[1] for r in got)), scan_seconds=time.perf_counter() - t0,
                     scan_cpu=cpu_seconds() - cpu0)
        data.close()
    timer.report(rows=n, **extra)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 000 rows only")
    parser.add_argument("--rows", type=int, nargs="*", default=None)
    parser.add_argument("--case", nargs=3, metavar=("METHOD", "FORMAT", "ROWS"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.case:
        case(args.case[0], args.case[1], int(args.case[2]))
        return 0

    sizes = tuple(args.rows) if args.rows else (QUICK_ROWS if args.quick else FULL_ROWS)
    out = args.out or RESULTS / ("load_visits.quick.md" if args.quick else "load_visits.md")
    results = []
    failed = False
    load0 = load()
    for rows in sizes:
        files = vd.ensure(rows)
        for fmt in ("csv", "parquet"):
            for method in METHODS:
                r = run_case(Path(__file__), [method, fmt, str(rows)])
                r.update(method=method, fmt=fmt, size=rows, file_mib=vd.size_mib(files.visits(fmt)))
                results.append(r)
                failed |= r["status"] != "ok"
                print(f"{vd.label(rows):>5} {fmt:8s} {method:13s} {r['status']:6s} "
                      f"{r.get('seconds', float('nan')):7.2f} s  peak {r.get('peak_mib', float('nan')):7.0f} MiB",
                      flush=True)

    lines = [
        "# Loading the visits table (data contract)",
        "",
        "Deterministic synthetic visits (`benchmarks/_visits_data.py`: client_id, date, service, "
        "professional, contact_type; every row valid, every client known) with "
        "a clients table of rows/100 clients. Each measurement in its own process; "
        "time = wall time of the work after imports; peak = peak resident memory of that "
        "process (`ru_maxrss`), of which *set-up* is the interpreter, imports and parameters "
        "before the work. `load_tables` validates eagerly (privacy scan, one aggregate "
        "counting every problem); a CSV file is parsed once into a DuckDB temporary table, "
        "a Parquet file stays a lazy DuckDB relation, and the validated visits are a view, "
        "which is why *then one scan* (a group-by over the validated view, timed after the "
        "load in the same process) is shown too. pandas reads with default options and validates nothing.",
        f"Written by `PYTHONPATH=$PWD/src python benchmarks/load_visits.py{' --quick' if args.quick else ''}`.",
        "",
        f"* Machine: {machine()}",
        run_line(load0) + "; the cores are shared with other users' jobs, so wall times carry "
        "contention noise (DuckDB uses both cores, pandas one).",
        "",
        "| rows | format | file (MiB) | method | status | time (s) | CPU (s) | then one scan (s) | scan CPU (s) | "
        "peak memory (MiB) | set-up (MiB) | rows read | vs pandas |",
        "|---:|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        base = next((x for x in results if x["size"] == r["size"] and x["fmt"] == r["fmt"]
                     and x["method"] == "pandas" and x["status"] == "ok"), None)
        ratio = (f"{r['seconds'] / base['seconds']:.2f}×" if base and r["status"] == "ok" else "")
        secs = f"{r['seconds']:.2f}" if "seconds" in r else ""
        cpu = f"{r['cpu']:.2f}" if "cpu" in r else ""
        peak = f"{r['peak_mib']:.0f}" if "peak_mib" in r else ""
        setup = f"{r['setup_peak_mib']:.0f}" if "setup_peak_mib" in r else ""
        status = r["status"] + (f" ({r['error']})" if r.get("error") else "")
        scan = f"{r['scan_seconds']:.2f}" if "scan_seconds" in r else ""
        scan_cpu = f"{r['scan_cpu']:.2f}" if "scan_cpu" in r else ""
        lines.append(f"| {r['size']:,} | {r['fmt']} | {r['file_mib']:.1f} | {METHODS[r['method']]} | {status} | "
                     f"{secs} | {cpu} | {scan} | {scan_cpu} | {peak} | {setup} | {r.get('rows', ''):,} | {ratio} |")
    lines += ["", "*vs pandas*: time relative to the plain pandas read of the same file "
              "(below 1 = faster; the load alone). *CPU*: user + system CPU seconds of the work (all threads; "
              "less disturbed by other jobs than the wall time, but DuckDB's two threads add up).", ""]
    write_table(out, lines, results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
