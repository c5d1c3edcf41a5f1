"""Shared by the benchmark scripts: the machine's description, the load on it, timing a
call in-process, and running one case per child process with its own peak memory."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["RESULTS", "Timer", "child_report", "cpu_seconds", "load", "machine", "measure", "now",
           "rss_peak_mib", "run_case", "run_line", "write_table"]

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def machine() -> str:
    """CPU model, cores available to this process, RAM, OS and library versions."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines()  # noqa: E741
                      if l.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024**2:.0f} GB RAM"
    except (OSError, StopIteration):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{cpu}, {cores} cores{mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}")


def load() -> tuple[float, float, float]:
    """Load average over 1, 5 and 15 minutes (as ``uptime`` shows it)."""
    return os.getloadavg()


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _fmt_load(la: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.2f}" for x in la)


def run_line(load_at_start: tuple[float, float, float]) -> str:
    """The table's ``* Run:`` line: when, at which niceness, and the load average (1 / 5 /
    15 min) when the run started and now. Other people's jobs share the cores, so the load
    is what a reader needs to judge the wall times."""
    return (f"* Run: {now()}, niceness {os.nice(0)}; load average (1 / 5 / 15 min) "
            f"{_fmt_load(load_at_start)} at the start, {_fmt_load(load())} at the end "
            f"({len(os.sched_getaffinity(0))} cores)")


def write_table(out: Path, lines: list[str], records: list[dict] | None = None) -> None:
    """Write a results table (Markdown lines) and say where; ``records`` (the table's rows
    as dicts) go next to it as JSON (same name, ``.json``) for ``run.py``'s summary."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if records is not None:
        out.with_suffix(".json").write_text(json.dumps(records, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"wrote {out}")


# --------------------------------------------------------------------------------------
# in-process timing (bootstrap, cost-effectiveness)
# --------------------------------------------------------------------------------------


def measure(fn: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Median and minimum wall time of ``repeat`` calls after one warm-up, and the peak
    memory one call allocates (MiB; ``tracemalloc`` in a separate call, so tracing does not
    slow the timed ones)."""
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), min(times), peak / 1024**2


# --------------------------------------------------------------------------------------
# one case per child process (load_visits, visits_panel)
# --------------------------------------------------------------------------------------


def rss_peak_mib() -> float:
    """Peak resident memory of this process so far (MiB; Linux ``ru_maxrss`` is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU time of this process so far (all its threads)."""
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def child_report(seconds: float, setup_peak_mib: float, **extra: object) -> None:
    """Called in the child at the end of its case: print the line the parent parses (wall
    time of the work, peak RSS of the whole process, and the peak before the work began —
    interpreter, imports, set-up; ``cpu`` in ``extra``: CPU seconds of the work)."""
    print("CASE " + json.dumps({"seconds": seconds, "peak_mib": rss_peak_mib(),
                                "setup_peak_mib": setup_peak_mib, **extra}), flush=True)


class Timer:
    """The work of one case in its child process::

        with Timer() as t:
            ...work...
        t.report(rows=n)   # wall and CPU seconds of the work, peak RSS, set-up peak

    The set-up peak (interpreter, imports, inputs) is taken when the block is entered."""

    def __enter__(self) -> Timer:
        self.setup_peak_mib = rss_peak_mib()
        self._cpu0 = cpu_seconds()
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._t0
        self.cpu = cpu_seconds() - self._cpu0

    def report(self, **extra: object) -> None:
        child_report(self.seconds, self.setup_peak_mib, cpu=self.cpu, **extra)


def run_case(script: Path, args: list[str], *, address_limit: int | None = None) -> dict:
    """Run ``script --case args...`` in a child process and return its report and exit
    status. ``address_limit`` (bytes) sets RLIMIT_AS (virtual address space) in the child
    before it starts, so any allocation beyond it fails there."""
    def limit() -> None:
        if address_limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (address_limit, address_limit))

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent / "src"), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, str(script), "--case", *args], capture_output=True, text=True,
                          env=env, preexec_fn=limit, check=False)
    report: dict = {"status": "ok" if proc.returncode == 0 else f"exit {proc.returncode}"}
    for line in proc.stdout.splitlines():
        if line.startswith("CASE "):
            report.update(json.loads(line[5:]))
    if proc.returncode != 0:
        tail = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()][-2:]
        report["error"] = " | ".join(tail)[-300:]
        print(proc.stderr[-3000:], file=sys.stderr, flush=True)
    return report
