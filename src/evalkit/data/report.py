"""Terminal rendering of the data flow (``evalkit validate``)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["flow_lines", "print_flow"]


def flow_lines(flow: Sequence, checks: Sequence = ()) -> list[str]:
    """A readable table: one line per table (read, accepted, rejected), then one indented
    line per rejection reason, the detected dialect and any cross-table findings."""
    header = ("table", "read", "accepted", "rejected", "file")
    rows = []
    for f in flow:
        rows.append((f.table, f"{f.read:,}".replace(",", " "), f"{f.accepted:,}".replace(",", " "),
                     f"{sum(f.rejected.values()):,}".replace(",", " "), f.file))
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    fmt = "  ".join(f"{{:<{w}}}" if i in (0, 4) else f"{{:>{w}}}" for i, w in enumerate(widths))
    lines = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
    for f, r in zip(flow, rows, strict=True):
        lines.append(fmt.format(*r))
        for reason, n in f.rejected.items():
            lines.append(f"    rejected {n:>8}  {reason}")
        if f.analysed is not None:
            lines.append(f"    analysed {f.analysed:>8}  {f.analysed_unit or ''}")
        if getattr(f, "dialect", ""):
            lines.append(f"    read as: {f.dialect}")
    for c in checks:
        lines.append(f"note: {c.table}: {c.message}")
        lines += [f"    {e}" for e in c.examples]
    return lines


def print_flow(flow: Sequence, file=None, checks: Sequence = ()) -> None:
    for line in flow_lines(flow, checks):
        print(line, file=file or sys.stdout)
