"""Disclosure control: primary and secondary suppression never leak a small cell."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from evalkit.report.suppress import suppress_column, suppress_estimates
from evalkit.results import Estimate


def test_small_count_and_complement_are_suppressed() -> None:
    rows = [
        Estimate("employed", 3, "persons", "count", n=73),
        Estimate("employment_rate", 3 / 73, "proportion", "Wilson", n=73, numerator=3),
        Estimate("progression_rate", 71 / 73, "proportion", "Wilson", n=73, numerator=71),  # complement 2
        Estimate("enrolled", 73, "persons", "count"),
        Estimate("none", 0, "persons", "count"),
    ]
    out = suppress_estimates(rows, 5)
    assert [r.suppressed for r in out] == [True, True, True, False, False]
    assert all(r.estimate is None and r.ci_low is None for r in out if r.suppressed)


def test_secondary_suppression_within_a_split() -> None:
    rows = [
        Estimate("clients", 73, "persons", "count"),
        Estimate("clients", 3, "persons", "count", group="sex:F"),
        Estimate("clients", 70, "persons", "count", group="sex:M"),
    ]
    out = suppress_estimates(rows, 5)
    assert [r.suppressed for r in out] == [False, True, True]  # 73 − 70 would reveal 3


def test_column_with_total() -> None:
    assert suppress_column([10, 3, 20, 33], 5, total_index=3) == [True, True, False, False]
    assert suppress_column([10, 6, 20, 36], 5, total_index=3) == [False] * 4


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=2, max_size=8), st.integers(2, 10))
def test_no_single_suppressed_cell_can_be_derived_from_the_total(cells, k) -> None:
    values = [*cells, sum(cells)]
    flags = suppress_column(values, k, total_index=len(cells))
    hidden = [i for i in range(len(cells)) if flags[i]]
    for i in range(len(cells)):  # every small non-zero cell is hidden
        if 0 < cells[i] < k:
            assert flags[i]
    assert len(hidden) != 1 or all(cells[j] == 0 for j in range(len(cells)) if not flags[j])


def test_numbers_glued_to_letters_are_labels_not_counts() -> None:
    from evalkit.report.suppress import find_small_counts

    # a key-figures table cell "M1" (method note) followed by a label starting with a people word
    assert find_small_counts("M1\nTyöllistyneiden osuus", 5) == []
    assert find_small_counts("F20 asiakkaat", 5) == []
    assert [h.kind for h in find_small_counts("3 työllistyi", 5)] == ["people"]


# ---------------------------------------------------------------- tables with row totals
def _derivable(rows, flags, count_cols, total_col):
    """Hidden cells that a reader can work out exactly from a shown row total."""
    out = []
    for i in range(len(rows)):
        if flags[i][total_col]:
            continue
        members = [j for j in count_cols if j != total_col]
        hidden = [j for j in members if flags[i][j]]
        if len(hidden) == 1:
            out.append((i, hidden[0]))
    return out


def test_a_cross_tab_with_row_totals_hides_a_second_cell_per_row() -> None:
    """PHQ-9 severity at the start × at the end with a 'Yhteensä' column (seen in the demo
    report: 6, < 5, 0, 0, 0 | 8 gave the hidden 2 away)."""
    from evalkit.report.suppress import suppress_table

    rows = [["vähäinen", 6, 2, 0, 0, 0, 8], ["lievä", 20, 9, 2, 1, 0, 32], ["kohtalainen", 36, 37, 24, 10, 1, 108],
            ["vaikea", 2, 8, 18, 17, 13, 58]]
    count_cols, total_col = [1, 2, 3, 4, 5, 6], 6
    flags = suppress_table(rows, count_cols, 5, total_col=total_col)
    assert flags[0][2] and flags[0][1]  # the 2 and, secondarily, the 6
    assert flags[2][5] and flags[2][4]  # the 1 and the next smallest non-zero (10)
    assert not flags[1][1] and flags[1][3] and flags[1][4]  # two small cells protect each other
    assert _derivable(rows, flags, count_cols, total_col) == []
    assert not any(flags[i][0] for i in range(len(rows)))  # the label column is no count


def test_row_and_column_totals_are_protected_together() -> None:
    from evalkit.report.suppress import suppress_table

    rows = [[10, 3, 13], [20, 30, 50], [30, 33, 63]]  # last row / column: totals
    flags = suppress_table(rows, [0, 1, 2], 5, total_row=2, total_col=2)
    assert flags[0][1] and flags[0][0]  # row 0: 3 hidden, so 10 too
    assert flags[1][0] or flags[1][1]  # column 0 (10 hidden) then needs a second hidden cell
    for j in (0, 1):  # no column gives a single hidden cell away
        assert sum(flags[i][j] for i in (0, 1)) != 1


@given(st.lists(st.lists(st.integers(0, 40), min_size=3, max_size=5), min_size=2, max_size=6))
def test_no_hidden_cell_is_derivable_from_a_row_total(table: list[list[int]]) -> None:
    from evalkit.report.suppress import suppress_table

    width = len(table[0])
    rows = [r[:width] + [0] * (width - len(r)) for r in table]
    rows = [r + [sum(r)] for r in rows]
    count_cols = list(range(width + 1))
    flags = suppress_table(rows, count_cols, 5, total_col=width)
    assert _derivable(rows, flags, count_cols, width) == []
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if 0 < v < 5:
                assert flags[i][j]


def test_report_tables_use_the_total_column_of_a_section_table() -> None:
    import pandas as pd

    from evalkit.report.assemble import _table_block
    from evalkit.report.section import Column, Section

    sec = Section(model="m", measure="symptoms", title="Oireet")
    frame = pd.DataFrame({"band": ["vähäinen", "vaikea"], "mild": [6, 20], "severe": [2, 30], "total": [8, 50]})
    cols = [Column("band", "Alussa"), Column("mild", "lievä", "persons", count=True),
            Column("severe", "vaikea", "persons", count=True), Column("total", "Yhteensä", "persons", count=True)]
    sec.table(frame, cols, title="Siirtymät", total_col="total")
    t = _table_block(sec.to_dict()["blocks"][0], "fi", 5)
    assert t.rows[0] == ["vähäinen", "suojattu", "< 5", "8"]  # the hidden 6 is not "< 5"
    assert t.rows[1] == ["vaikea", "20", "30", "50"]


def test_a_date_with_slashes_is_no_fraction() -> None:
    """The English report once failed its own privacy audit: '14/09/2022' read as 14 of 9."""
    from evalkit.report.suppress import find_small_counts, suppress_text

    assert find_small_counts("reviews 14/09/2022 and 18/09/2024", 5) == []
    assert [h.text for h in find_small_counts("14/09/2022: 3/40 employed", 5)] == ["3/40"]
    assert suppress_text("14/09/2022: 3/40", 5) == "14/09/2022: suojattu"


def test_english_dates_are_not_written_like_fractions() -> None:
    from datetime import date

    from evalkit.report.fmt import format_date

    assert format_date(date(2022, 9, 14), language="en") == "14 Sept 2022"
    assert format_date(date(2022, 9, 14), language="fi") == "14.9.2022"
