"""Benchmark: seeded bootstrap of 10 000 draws for 10 000 clients (issue 8, issue 11).

    PYTHONPATH=$PWD/src python benchmarks/bootstrap.py [--repeat 3] [--out benchmarks/results/bootstrap.md]

Times the three bootstrap functions of ``evalkit.stats.bootstrap`` on synthetic data
(right-skewed costs, 0/1 effects; half the clients in each group) and measures the peak
memory the call allocates (``tracemalloc``, in a separate run so tracing does not slow the
timed runs). Writes a Markdown table with the machine's description.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import load, machine, measure, run_line, write_table

from evalkit.stats.bootstrap import (
    DEFAULT_MAX_ELEMENTS,
    bootstrap_cost_effect,
    bootstrap_mean,
    bootstrap_mean_difference,
)

N_CLIENTS = 10_000
REPS = 10_000


def data() -> pd.DataFrame:
    rng = np.random.default_rng(2024)
    group = np.where(np.arange(N_CLIENTS) < N_CLIENTS // 2, "intervention", "comparison")
    return pd.DataFrame({"group": group, "cost": rng.gamma(1.3, 3000.0, size=N_CLIENTS),
                         "effect": (rng.random(N_CLIENTS) < 0.3).astype(float)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "bootstrap.md")
    args = parser.parse_args(argv)

    df = data()
    cost = df["cost"].to_numpy()
    half = N_CLIENTS // 2
    cases = [
        ("bootstrap_mean", f"{N_CLIENTS} values", DEFAULT_MAX_ELEMENTS,
         lambda m: bootstrap_mean(cost, seed=1, reps=REPS, max_elements=m)),
        ("bootstrap_mean_difference", f"{half} + {half} values", DEFAULT_MAX_ELEMENTS,
         lambda m: bootstrap_mean_difference(cost[:half], cost[half:], seed=1, reps=REPS, max_elements=m)),
        ("bootstrap_cost_effect", f"{half} + {half} clients × (cost, effect)", DEFAULT_MAX_ELEMENTS,
         lambda m: bootstrap_cost_effect(df, seed=1, reps=REPS, max_elements=m)),
        ("bootstrap_cost_effect", f"{half} + {half} clients × (cost, effect)", 1 << 18,
         lambda m: bootstrap_cost_effect(df, seed=1, reps=REPS, max_elements=m)),
        ("bootstrap_cost_effect", f"{half} + {half} clients × (cost, effect)", 1 << 22,
         lambda m: bootstrap_cost_effect(df, seed=1, reps=REPS, max_elements=m)),
        ("bootstrap_cost_effect", f"{half} + {half} clients × (cost, effect)", 1 << 24,
         lambda m: bootstrap_cost_effect(df, seed=1, reps=REPS, max_elements=m)),
    ]
    rows = []
    load0 = load()
    for name, what, max_elements, fn in cases:
        med, best, peak = measure(lambda fn=fn, m=max_elements: fn(m), args.repeat)
        rows.append((name, what, max_elements, med, best, peak))
        print(f"{name:28s} {what:40s} max_elements={max_elements:>9d}  median {med:6.2f} s  "
              f"min {best:6.2f} s  peak {peak:7.1f} MiB", flush=True)

    lines = [
        "# Bootstrap benchmark",
        "",
        f"{REPS:,} draws for {N_CLIENTS:,} clients, `evalkit.stats.bootstrap`, single process "
        f"(numpy's resampling is single-threaded). Median and minimum of {args.repeat} timed runs "
        "after one warm-up; peak memory allocated during one call (tracemalloc, separate run).",
        "Written by `PYTHONPATH=$PWD/src python benchmarks/bootstrap.py`.",
        "",
        f"* Machine: {machine()}",
        run_line(load0),
        "",
        "| function | data | max_elements | median (s) | min (s) | peak memory (MiB) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for name, what, max_elements, med, best, peak in rows:
        lines.append(f"| `{name}` | {what} | {max_elements:,} | {med:.2f} | {best:.2f} | {peak:.0f} |")
    lines += ["", f"Default `max_elements` = {DEFAULT_MAX_ELEMENTS:,}.",
              "", "Target (issue 8): a couple of seconds for 10 000 draws × 10 000 clients on 2 cores.",
              "Memory is bounded by `max_elements` (indices generated at once), not by the number "
              "of draws; the draws are identical for every `max_elements`.", ""]
    write_table(args.out, lines, [{"function": name, "data": what, "max_elements": m, "median_s": med,
                                   "min_s": best, "peak_mib": peak} for name, what, m, med, best, peak in rows])
    return 0


if __name__ == "__main__":
    sys.exit(main())
