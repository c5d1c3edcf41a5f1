"""`make bench`: run every benchmark and write one summary table (issue 11).

    PYTHONPATH=$PWD/src python benchmarks/run.py [--quick] [--only NAME ...]

First writes (or reuses) the synthetic visits files, timed as its own step so that no
benchmark pays for them. Then each benchmark runs in its own process; this script records
its wall time, its peak resident memory (``wait4`` rusage: the largest single process of
its tree) and the load average before and after it, and collects the figures the scripts
write next to their tables (``benchmarks/results/<name>.json``). The full demo report is
timed cold (empty reports directory) and warm (everything cached). The summary — machine,
load, total time, one row per benchmark and the key figures of each — goes to
``benchmarks/results/summary.md``. ``--quick`` passes the scripts their small settings
(for trying the harness; the committed results come from the full run) and writes
``summary.quick.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from _common import RESULTS, load, machine, run_line, write_table  # noqa: E402


@dataclass(frozen=True)
class Bench:
    name: str
    what: str
    argv: tuple[str, ...]
    quick_argv: tuple[str, ...] | None = None
    table: str | None = None  # results file the script writes (full run)


def _evalkit(*args: str) -> tuple[str, ...]:
    return (sys.executable, "-m", "evalkit", *args)


def benches(work: Path) -> list[Bench]:
    py = sys.executable
    reports = str(work / "reports")
    script = {name: str(HERE / f"{name}.py") for name in ("load_visits", "visits_panel", "bootstrap", "costeffect")}
    return [
        Bench("prepare_data", "write (or reuse) the synthetic visits files (full run: 1 M and 10 M rows CSV + Parquet, 100 M "
              "Parquet; --quick: 100 000 rows)",
              (py, str(HERE / "_visits_data.py"), "1000000", "10000000", "--parquet-only", "100000000"),
              (py, str(HERE / "_visits_data.py"), "100000")),
        Bench("load_visits", "visits table 1 M / 10 M rows, CSV vs Parquet (data contract loader) vs pandas",
              (py, script["load_visits"]), (py, script["load_visits"], "--quick"), "load_visits.md"),
        Bench("visits_panel", "person-period panel 1 M / 10 M rows, CSV and Parquet, vs pandas and bare DuckDB; "
              "100 M Parquet under 4 GiB",
              (py, script["visits_panel"]), (py, script["visits_panel"], "--quick"), "visits_panel.md"),
        Bench("bootstrap", "10 000 draws × 10 000 clients",
              (py, script["bootstrap"]),
              (py, script["bootstrap"], "--repeat", "1", "--out", str(RESULTS / "bootstrap.quick.md")),
              "bootstrap.md"),
        Bench("costeffect", "cost-effectiveness bootstrap, CEAC and EVPI, 10 000 × 10 000",
              (py, script["costeffect"]), (py, script["costeffect"], "--quick"), "costeffect.md"),
        Bench("report_cold", "full demo report, empty reports directory (all notebooks run)",
              _evalkit("run", "--quiet", "--out", reports)),
        Bench("report_warm", "full demo report again, inputs unchanged (cache)",
              _evalkit("run", "--quiet", "--out", reports)),
        Bench("report_render", "evalkit report: DOCX + HTML + Markdown",
              _evalkit("report", "--out", reports)),
    ]


def run_one(b: Bench, quick: bool) -> dict:
    argv = b.quick_argv if quick and b.quick_argv else b.argv
    script = Path(argv[1]) if argv[1].endswith(".py") else None
    row: dict = {"name": b.name, "what": b.what, "seconds": None, "peak_mib": None, "load_start": load()}
    if script is not None and not script.exists():
        return {**row, "status": f"missing {script.name}", "load_end": load()}
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return {**row, "status": "ok" if code == 0 else f"exit {code}", "seconds": time.perf_counter() - t0,
            "peak_mib": usage.ru_maxrss / 1024, "load_end": load()}


def _records(table: str | None, quick: bool, since: float) -> list[dict]:
    """The figures a script wrote next to its table in this run (none if it did not)."""
    if table is None:
        return []
    path = RESULTS / (table.replace(".md", ".quick.json") if quick else table.replace(".md", ".json"))
    if not path.exists() or path.stat().st_mtime < since:
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def _s(x: object, spec: str = ".2f") -> str:
    return format(x, spec) if isinstance(x, int | float) else ""


def key_figures(rows: list[dict]) -> list[str]:
    """The figures issue 11 asks for, taken from each script's records."""
    by = {r["name"]: r for r in rows}
    out: list[str] = []
    panel = by.get("visits_panel", {}).get("records") or []
    if panel:
        out += ["### Visits panel (`visits_panel.py`)", "",
                "Wall time of the work (evalkit and bare DuckDB on Parquet: minimum of the repeated runs) and "
                "peak resident memory of its process.", "",
                "| rows | format | evalkit `visits_panel` (s) | bare DuckDB (s) | pandas (s) | "
                "peak evalkit / DuckDB / pandas (MiB) | evalkit / DuckDB | pandas / evalkit |",
                "|---:|---|---:|---:|---:|---|---:|---:|"]
        keys = sorted({(r["size"], r["fmt"]) for r in panel if r.get("memory_limit") is None},
                      key=lambda k: (k[0], k[1] != "csv"))
        for size, fmt in keys:
            m = {r["method"]: r for r in panel if r["size"] == size and r["fmt"] == fmt and r.get("memory_limit") is None}
            e, d, p = (m.get(k, {}) for k in ("evalkit", "duckdb", "pandas"))
            ok = all(x.get("status") == "ok" for x in (e, d, p))
            ratio = f"{e['seconds'] / d['seconds']:.2f}×" if ok else ""
            speed = f"{p['seconds'] / e['seconds']:.1f}×" if ok else ""
            out.append(f"| {size:,} | {fmt} | {_s(e.get('seconds'))} | {_s(d.get('seconds'))} | {_s(p.get('seconds'))} | "
                       f"{_s(e.get('peak_mib'), '.0f')} / {_s(d.get('peak_mib'), '.0f')} / {_s(p.get('peak_mib'), '.0f')} | "
                       f"{ratio} | {speed} |")
        huge = [r for r in panel if r.get("memory_limit")]
        for r in huge:
            out.append(f"| {r['size']:,} | parquet, RLIMIT_AS 4 GiB | {_s(r.get('seconds'))} ({r['status']}) | | | "
                       f"{_s(r.get('peak_mib'), '.0f')} / – / – | | |")
        out.append("")
    loadv = by.get("load_visits", {}).get("records") or []
    if loadv:
        out += ["### Loading the visits table (`load_visits.py`)", "",
                "| rows | format | evalkit `load_tables` (s) | then one scan (s) | pandas read (s) | "
                "load CPU evalkit / pandas (s) | peak evalkit / pandas (MiB) |", "|---:|---|---:|---:|---:|---|---|"]
        for size, fmt in sorted({(r["size"], r["fmt"]) for r in loadv}, key=lambda k: (k[0], k[1] != "csv")):
            m = {r["method"]: r for r in loadv if r["size"] == size and r["fmt"] == fmt}
            e, p = m.get("evalkit", {}), m.get("pandas", {})
            out.append(f"| {size:,} | {fmt} | {_s(e.get('seconds'))} | {_s(e.get('scan_seconds'))} | "
                       f"{_s(p.get('seconds'))} | {_s(e.get('cpu'))} / {_s(p.get('cpu'))} | "
                       f"{_s(e.get('peak_mib'), '.0f')} / {_s(p.get('peak_mib'), '.0f')} |")
        out.append("")
    boot = by.get("bootstrap", {}).get("records") or []
    ce = by.get("costeffect", {}).get("records") or []
    if boot or ce:
        out += ["### Bootstrap, 10 000 draws × 10 000 clients (`bootstrap.py`, `costeffect.py`)", "",
                "Median of the timed runs; peak = memory one call allocates (tracemalloc).", "",
                "| function | max_elements | median (s) | min (s) | peak (MiB) |", "|---|---:|---:|---:|---:|"]
        for r in boot:
            out.append(f"| `{r['function']}` | {r['max_elements']:,} | {_s(r['median_s'])} | {_s(r['min_s'])} | "
                       f"{_s(r['peak_mib'], '.0f')} |")
        for r in ce:
            out.append(f"| `{r['step']}` (costeffect.py) | default | {_s(r['median_s'])} | {_s(r['min_s'])} | "
                       f"{_s(r['peak_mib'], '.0f')} |")
        out.append("")
    rep = [by[n] for n in ("report_cold", "report_warm", "report_render") if n in by]
    if rep:
        out += ["### Full demo report (`evalkit run`, `evalkit report`)", "",
                "Peak = the largest single process of the run (papermill kernels run in parallel, one per core, "
                "so the machine holds up to two of them at once).", "",
                "| step | status | wall time (s) | peak (MiB) |", "|---|---|---:|---:|"]
        for r in rep:
            out.append(f"| {r['name']} — {r['what']} | {r['status']} | {_s(r['seconds'], '.1f')} | "
                       f"{_s(r['peak_mib'], '.0f')} |")
        out.append("")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out = args.out or RESULTS / ("summary.quick.md" if args.quick else "summary.md")

    work = Path(tempfile.mkdtemp(prefix="evalkit-bench-"))
    rows = []
    load0 = load()
    t_all = time.perf_counter()
    try:
        for b in benches(work):
            if args.only is not None and b.name not in args.only:
                continue
            print(f"== {b.name}: {b.what}", flush=True)
            started = time.time()
            row = run_one(b, args.quick)
            row["table"] = b.table
            row["records"] = _records(b.table, args.quick, started) if row["status"] == "ok" else []
            rows.append(row)
            print(f"   {row['status']}, {_s(row['seconds'], '.1f')} s, peak {row['peak_mib'] or 0:.0f} MiB, "
                  f"load {row['load_start'][0]:.1f} → {row['load_end'][0]:.1f}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total = time.perf_counter() - t_all
    prep = next((r["seconds"] or 0.0 for r in rows if r["name"] == "prepare_data"), 0.0)

    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`PYTHONPATH=$PWD/src python benchmarks/run.py"
        + (" --quick" if args.quick else "") + "`). Wall time of each benchmark process, its peak resident "
        "memory (the largest single process of its tree) and the load average (1 min) before and after it; "
        "each script's own table has the details.",
        "",
        f"* Machine: {machine()}",
        run_line(load0) + ". The cores are shared with other people's jobs: a load above 2 means the "
        "benchmarks got only part of the machine, and wall times grow accordingly.",
        f"* Total: {total:.0f} s ({total / 60:.1f} min) for everything below, of which {prep:.0f} s "
        "preparing the data files (a few minutes the first time, seconds when they exist).",
        "",
        "| benchmark | what | status | wall time (s) | peak memory (MiB) | load before → after | details |",
        "|---|---|---|---:|---:|---|---|",
    ]
    for r in rows:
        table = r["table"] if not args.quick or not r["table"] else r["table"].replace(".md", ".quick.md")
        detail = f"[{table}]({table})" if table and (RESULTS / table).exists() else ""
        lines.append(f"| {r['name']} | {r['what']} | {r['status']} | {_s(r['seconds'], '.1f')} | "
                     f"{_s(r['peak_mib'], '.0f')} | {r['load_start'][0]:.1f} → {r['load_end'][0]:.1f} | {detail} |")
    lines += ["", "## Key figures", "", *key_figures(rows)]
    if args.only is None:
        write_table(out, lines)
    print("\n".join(lines))
    return 0 if all(r["status"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
