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

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ..results import Estimate

__all__ = [
    "SUPPRESSED_CELL",
    "SmallCount",
    "display_min_cell",
    "find_small_counts",
    "is_small",
    "set_display_min_cell",
    "suppress_column",
    "suppress_estimates",
    "suppress_table",
    "suppress_text",
]

#: A cell of a report table's number column that disclosure control has hidden (a measure's
#: table for ``Section.table`` puts it where its estimate is suppressed): the report writes
#: ``suojattu`` there, like the cells it hides itself, and adds the suppression footnote.
#: A blank (``None``/NaN) cell stays ``–``: no value, not a hidden one.
SUPPRESSED_CELL = "<suppressed>"

_COUNT_UNITS = {"persons", "visits", "cases"}  # counts of people, their visits or cases; "count" is for things


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


def _size(e: Estimate) -> float:
    """How many people a row shows: the numerator of a proportion, the count itself for a
    count of people / visits, else ``n`` (secondary suppression hides the smallest)."""
    if e.numerator is not None:
        return e.numerator
    if e.unit in _COUNT_UNITS and e.estimate is not None:
        return e.estimate
    return e.n or 0


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
            flags[min(shown, key=lambda i: _size(rows[i]))] = True
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


def suppress_table(rows: list[list[object]], count_cols: list[int], min_cell: int, *,
                   total_row: int | None = None, total_col: int | None = None) -> list[list[bool]]:
    """Which cells of a table's count columns to suppress (``True`` = hide).

    ``total_row`` marks a row holding column totals, ``total_col`` a column holding row
    totals (a cross-tabulation such as severity at the start × at the end with a "Yhteensä"
    column). Primary suppression hides counts between 0 and ``min_cell``; secondary
    suppression then hides, in every row or column that adds up to a shown total and has
    exactly one hidden cell, the smallest other non-zero cell — repeated until no row or
    column gives a hidden cell away (a hide in a row can expose a column).
    """
    def num(v: object) -> float | None:
        return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None  # type: ignore[return-value]

    flags = [[j in count_cols and is_small(num(r[j]), min_cell) for j in range(len(r))] for r in rows]
    lines: list[list[tuple[int, int]]] = []  # families of cells that add up to a shown total
    if total_col is not None:
        members = [j for j in count_cols if j != total_col]
        lines += [[(i, j) for j in members] + [(i, total_col)] for i in range(len(rows)) if i != total_row]
    if total_row is not None:
        members_i = [i for i in range(len(rows)) if i != total_row]
        lines += [[(i, j) for i in members_i] + [(total_row, j)] for j in count_cols]
    changed = True
    while changed:
        changed = False
        for line in lines:
            *cells, (ti, tj) = line
            if flags[ti][tj]:  # the total itself is hidden: nothing to subtract from
                continue
            hidden = [c for c in cells if flags[c[0]][c[1]]]
            shown = [c for c in cells if not flags[c[0]][c[1]] and num(rows[c[0]][c[1]]) not in (None, 0)]
            if len(hidden) == 1 and shown:
                i, j = min(shown, key=lambda c: num(rows[c[0]][c[1]]))  # type: ignore[arg-type, return-value]
                flags[i][j] = True
                changed = True
    return flags


# ---------------------------------------------------------------- text
#: a whole number as the report writes it: ``7``, ``1 234`` (space / no-break space groups); not one
#: glued to a letter (``M1``, ``F20``, ``2024Q3`` are labels, not counts)
_NUM = r"(?<![\w.,\u2212-])(\d{1,3}(?:[ \xa0\u202f]\d{3})+|\d+)(?![\d]|[.,]\d)"
#: words after a number that make it a count of people (fi, sv, en)
_PEOPLE = (r"(henkilö|hlö|asiakas|asiakka|osallistuj|työllisty|nuor|opiskelij|potila|perhe|perhei|"
           r"person|deltagar|klient|patient|participant|client|individual|famil|people)\w*")
_PATTERNS = {
    # not two parts of a date written with slashes (14/09/2022)
    "fraction": re.compile(r"(?<!\d/)" + _NUM + r"\s*/\s*" + _NUM + r"(?!/\d)"),
    "n_equals": re.compile(r"\b[nN]\s*=\s*" + _NUM),
    "people": re.compile(_NUM + r"\s+" + _PEOPLE, re.IGNORECASE),
}


def _int(text: str) -> int:
    return int(re.sub(r"[ \xa0\u202f]", "", text))


@dataclass(frozen=True, slots=True)
class SmallCount:
    """A count below ``min_cell`` found in text: ``kind`` (fraction, n_equals, people) and the match."""

    kind: str
    text: str
    start: int


def _small_fraction(x: int, n: int, min_cell: int) -> bool:
    if 1900 <= x <= 2100 and 1900 <= n <= 2100:  # a span of years (2024/2025), not a share
        return False
    return is_small(x, min_cell) or (x <= n and is_small(n - x, min_cell)) or is_small(n, min_cell)


def find_small_counts(text: str, min_cell: int) -> list[SmallCount]:
    """Counts of people below ``min_cell`` written in ``text``: ``3 / 40``, ``n = 4``,
    ``3 henkilöä`` (and a fraction whose complement is small: ``38 / 40``)."""
    hits: list[SmallCount] = []
    for m in _PATTERNS["fraction"].finditer(text):
        if _small_fraction(_int(m.group(1)), _int(m.group(2)), min_cell):
            hits.append(SmallCount("fraction", m.group(0), m.start()))
    for kind in ("n_equals", "people"):
        for m in _PATTERNS[kind].finditer(text):
            if is_small(_int(m.group(1)), min_cell):
                hits.append(SmallCount(kind, m.group(0), m.start()))
    return sorted(hits, key=lambda h: h.start)


def suppress_text(text: str, min_cell: int, *, suppressed_word: str = "suojattu") -> str:
    """Replace counts of people below ``min_cell`` in free text (see :func:`find_small_counts`):
    a fraction becomes ``suojattu``, ``n = 3`` becomes ``n < 5``, ``3 henkilöä`` ``< 5 henkilöä``."""

    def fraction(m: re.Match[str]) -> str:
        return suppressed_word if _small_fraction(_int(m.group(1)), _int(m.group(2)), min_cell) else m.group(0)

    def single(m: re.Match[str]) -> str:
        if not is_small(_int(m.group(1)), min_cell):
            return m.group(0)
        whole, num = m.group(0), m.group(1)
        i = m.start(1) - m.start(0)
        if whole.lower().startswith("n"):
            return whole[:whole.index("=")].rstrip() + f" < {min_cell}"
        return whole[:i] + f"< {min_cell}" + whole[i + len(num):]

    text = _PATTERNS["fraction"].sub(fraction, text)
    text = _PATTERNS["n_equals"].sub(single, text)
    return _PATTERNS["people"].sub(single, text)


# ---------------------------------------------------------------- notebook display
_display_min_cell: int | None = None


def set_display_min_cell(min_cell: int | None) -> None:
    """Suppress small cells in result objects displayed in a notebook (set by
    ``evalkit.open_model`` when the notebook runs under ``evalkit run``, so executed
    notebooks written to ``reports/`` follow the same rule as the report)."""
    global _display_min_cell
    _display_min_cell = min_cell


def display_min_cell() -> int | None:
    return _display_min_cell
