"""Benchmark: cost-effectiveness from 10 000 paired draws for 10 000 clients (issue 8).

    PYTHONPATH=$PWD/src python benchmarks/costeffect.py [--repeat 3] [--quick] [--out benchmarks/results/costeffect.md]

Times, on synthetic data (right-skewed costs, 0/1 effects; half the clients in each group),
the paired bootstrap (:func:`evalkit.stats.bootstrap.bootstrap_cost_effect`), the summary
over a 101-point λ grid (:func:`evalkit.stats.costeffect.cost_effectiveness`: ΔC, ΔE, ICER
and its angular interval, INMB, CEAC, EVPI, quadrants) and both together, with the peak
memory one call allocates (``tracemalloc``, separate run). ``--quick``: 1 000 draws × 1 000
clients, one run (for ``make bench --quick``). Writes a Markdown table with the machine.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, load, machine, measure, run_line, write_table

from evalkit.stats.bootstrap import bootstrap_cost_effect
from evalkit.stats.costeffect import cost_effectiveness, wtp_grid


def data(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(2024)
    group = np.where(np.arange(n) < n // 2, "intervention", "comparison")
    effect = (rng.random(n) < np.where(group == "intervention", 0.34, 0.19)).astype(float)
    cost = rng.gamma(1.3, 3000.0, size=n) + np.where(group == "intervention", 5000.0, 0.0)
    return pd.DataFrame({"group": group, "cost": cost, "effect": effect})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1 000 draws × 1 000 clients, one run")
    parser.add_argument("--out", type=Path, default=None,
                        help="default results/costeffect.md (--quick: costeffect.quick.md)")
    args = parser.parse_args(argv)
    n, reps = (1_000, 1_000) if args.quick else (10_000, 10_000)
    repeat = 1 if args.quick else args.repeat
    out = args.out or RESULTS / ("costeffect.quick.md" if args.quick else "costeffect.md")

    df = data(n)
    grid = wtp_grid(100_000.0, 1_000.0)
    draws = bootstrap_cost_effect(df, seed=1, reps=reps)
    cases = [
        ("bootstrap_cost_effect", lambda: bootstrap_cost_effect(df, seed=1, reps=reps)),
        (f"cost_effectiveness ({len(grid)} λ)", lambda: cost_effectiveness(draws, wtp=20_000.0, grid=grid)),
        ("both", lambda: cost_effectiveness(bootstrap_cost_effect(df, seed=1, reps=reps), wtp=20_000.0,
                                            grid=grid)),
    ]
    rows = []
    load0 = load()
    for name, fn in cases:
        med, best, peak = measure(fn, repeat)
        rows.append((name, med, best, peak))
        print(f"{name:32s} median {med:6.2f} s  min {best:6.2f} s  peak {peak:7.1f} MiB", flush=True)

    lines = [
        "# Cost-effectiveness benchmark",
        "",
        f"{reps:,} paired draws for {n:,} clients (half per group), single process. Median and minimum "
        f"of {repeat} timed run(s) after one warm-up; peak memory allocated during one call "
        "(tracemalloc, separate run).",
        "Written by `PYTHONPATH=$PWD/src python benchmarks/costeffect.py`"
        + (" --quick" if args.quick else "") + ".",
        "",
        f"* Machine: {machine()}",
        run_line(load0),
        "",
        "| step | median (s) | min (s) | peak memory (MiB) |",
        "|---|---:|---:|---:|",
    ]
    for name, med, best, peak in rows:
        lines.append(f"| `{name}` | {med:.2f} | {best:.2f} | {peak:.0f} |")
    lines += ["", "Target (issue 8): 10 000 draws for 10 000 clients in a couple of seconds. The machine is shared "
              "(about four engineers on 2 cores), so timings vary between runs.", ""]
    write_table(out, lines, [{"step": name, "median_s": med, "min_s": best, "peak_mib": peak}
                                  for name, med, best, peak in rows])
    return 0


if __name__ == "__main__":
    sys.exit(main())
