"""`make bench`: run every benchmark and write one summary table (issue 11).

    PYTHONPATH=$PWD/src python benchmarks/run.py [--quick] [--only NAME ...]

Each benchmark runs in its own process; this script records its wall time and peak resident
memory (``wait4`` rusage of that process) and collects the tables the scripts write under
``benchmarks/results/``. The full demo report is timed cold (empty reports directory) and
warm (everything cached). The summary, with the machine's description, goes to
``benchmarks/results/summary.md``. ``--quick`` passes the scripts their small settings
(for trying the harness; the committed results come from the full run).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from _common import machine  # noqa: E402

RESULTS = HERE / "results"


@dataclass(frozen=True)
class Bench:
    name: str
    what: str
    argv: tuple[str, ...]
    quick_argv: tuple[str, ...] | None = None
    table: str | None = None  # results file the script writes


def _evalkit(*args: str) -> tuple[str, ...]:
    return (sys.executable, "-m", "evalkit", *args)


def benches(work: Path) -> list[Bench]:
    py = sys.executable
    reports = str(work / "reports")
    return [
        Bench("load_visits", "visits table 1 M / 10 M rows, CSV vs Parquet (data contract loader)",
              (py, str(HERE / "load_visits.py")), (py, str(HERE / "load_visits.py"), "--quick"),
              "load_visits.md"),
        Bench("visits_panel", "person-period panel 1 M / 10 M rows vs pandas and bare DuckDB",
              (py, str(HERE / "visits_panel.py")), (py, str(HERE / "visits_panel.py"), "--quick"),
              "visits_panel.md"),
        Bench("bootstrap", "10 000 draws × 10 000 clients",
              (py, str(HERE / "bootstrap.py")), (py, str(HERE / "bootstrap.py"), "--repeat", "1"),
              "bootstrap.md"),
        Bench("costeffect", "cost-effectiveness bootstrap, CEAC and EVPI, 10 000 × 10 000",
              (py, str(HERE / "costeffect.py")), (py, str(HERE / "costeffect.py"), "--quick"),
              "costeffect.md"),
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
    if script is not None and not script.exists():
        return {"name": b.name, "what": b.what, "status": f"missing {script.name}", "seconds": None, "peak_mib": None}
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    return {"name": b.name, "what": b.what, "status": "ok" if code == 0 else f"exit {code}",
            "seconds": seconds, "peak_mib": usage.ru_maxrss / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--out", type=Path, default=RESULTS / "summary.md")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="evalkit-bench-"))
    rows = []
    try:
        for b in benches(work):
            if args.only is not None and b.name not in args.only:
                continue
            print(f"== {b.name}: {b.what}", flush=True)
            row = run_one(b, args.quick)
            row["table"] = b.table
            rows.append(row)
            secs = f"{row['seconds']:.1f} s" if row["seconds"] is not None else "-"
            print(f"   {row['status']}, {secs}, peak {row['peak_mib'] or 0:.0f} MiB", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`benchmarks/run.py`" + (" --quick" if args.quick else "") + "). Wall time of "
        "each benchmark process and its peak resident memory; each script's own table has the details.",
        "",
        f"* Machine: {machine()}",
        f"* Run: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        "| benchmark | what | status | wall time (s) | peak memory (MiB) | details |",
        "|---|---|---|---:|---:|---|",
    ]
    for r in rows:
        secs = f"{r['seconds']:.1f}" if r["seconds"] is not None else ""
        peak = f"{r['peak_mib']:.0f}" if r["peak_mib"] is not None else ""
        detail = f"[{r['table']}]({r['table']})" if r["table"] and (RESULTS / r["table"]).exists() else ""
        lines.append(f"| {r['name']} | {r['what']} | {r['status']} | {secs} | {peak} | {detail} |")
    if args.only is None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    print("\n".join(lines))
    return 0 if all(r["status"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
