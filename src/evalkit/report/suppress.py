"""Disclosure control: small-cell suppression with secondary suppression.

Rules (``min_cell`` = k, default 5; see ``../shared/domain.md``, Disclosure control):

* a count of people c with 0 < c < k is suppressed (zero is shown);
* a proportion is suppressed when its numerator or its complement (n − numerator) is
  between 1 and k − 1, or when its denominator n is below k;
* any other estimate resting on fewer than k people is suppressed;
* secondary suppression: within a family of rows or cells that add up to a shown total,
  when exactly one is suppressed the next smallest one is suppressed too, so the total
  minus the shown cells cannot reveal it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ..results import Estimate

__all__ = ["is_small", "suppress_column", "suppress_estimates"]

_COUNT_UNITS = {"persons", "visits"}  # counts of people or of their visits; "count" is for things (groups)


def is_small(value: float | int | None, min_cell: int) -> bool:
    """True for a count strictly between 0 and ``min_cell``."""
    return value is not None and 0 < value < min_cell


def _primary(e: Estimate, min_cell: int) -> bool:
    if e.unit == "proportion":
        if e.n is not None and e.n < min_cell:
            return True
        if e.numerator is not None and e.n is not None:
            return is_small(e.numerator, min_cell) or is_small(e.n - e.numerator, min_cell)
        return False
    if e.unit in _COUNT_UNITS and e.estimate is not None:
        return is_small(e.estimate, min_cell)
    return e.n is not None and e.n < min_cell


def _blank(e: Estimate) -> Estimate:
    return e.with_(estimate=None, ci_low=None, ci_high=None, numerator=None, suppressed=True)


def suppress_estimates(estimates: Iterable[Estimate], min_cell: int) -> list[Estimate]:
    """Apply primary and secondary suppression to result rows.

    Subgroup rows named ``<split>:<label>`` (e.g. ``sex:F``) of one indicator form a family
    that adds up to the ``all`` row, so secondary suppression applies within it.
    """
    rows = list(estimates)
    flags = [r.suppressed or _primary(r, min_cell) for r in rows]
    families: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if ":" in r.group:
            families[(r.indicator, r.group.split(":", 1)[0])].append(i)
    for members in families.values():
        hidden = [i for i in members if flags[i]]
        shown = [i for i in members if not flags[i]]
        if len(hidden) == 1 and shown:
            key = lambda i: (rows[i].numerator if rows[i].numerator is not None else (rows[i].n or 0))  # noqa: E731
            flags[min(shown, key=key)] = True
    return [_blank(r) if f else r for r, f in zip(rows, flags, strict=True)]


def suppress_column(values: list[float | int | None], min_cell: int, *, total_index: int | None = None) -> list[bool]:
    """Which cells of a count column to suppress; ``total_index`` marks the total row.

    When the column has a total and exactly one ordinary cell is suppressed, the smallest
    other non-zero cell is suppressed too.
    """
    flags = [is_small(v, min_cell) for v in values]
    if total_index is not None:
        cells = [i for i in range(len(values)) if i != total_index]
        hidden = [i for i in cells if flags[i]]
        shown = [i for i in cells if not flags[i] and values[i] not in (None, 0)]
        if len(hidden) == 1 and shown:
            flags[min(shown, key=lambda i: values[i])] = True
    return flags
