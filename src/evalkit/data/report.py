"""Terminal rendering of the data flow (``evalkit validate``)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["flow_lines", "print_flow"]


def flow_lines(flow: Sequence) -> list[str]:
    header = ("table", "read", "accepted", "rejected", "reasons", "file")
    rows = []
    for f in flow:
        rejected = sum(f.rejected.values())
        reasons = "; ".join(f"{k}: {v}" for k, v in f.rejected.items()) or "-"
        rows.append((f.table, str(f.read), str(f.accepted), str(rejected), reasons, f.file))
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    fmt = "  ".join(f"{{:<{w}}}" if i in (0, 4, 5) else f"{{:>{w}}}" for i, w in enumerate(widths))
    lines = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*r) for r in rows]
    return lines


def print_flow(flow: Sequence, file=None) -> None:
    for line in flow_lines(flow):
        print(line, file=file or sys.stdout)
