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
