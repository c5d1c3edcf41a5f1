"""The results.csv contract and the Finnish number formats of design.md."""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.report.fmt import format_estimate, format_value
from evalkit.results import RESULT_COLUMNS, Estimate, estimates_frame, read_results, write_results


def test_columns_and_encoding(tmp_path) -> None:
    rows = [
        Estimate("employment_rate", 25 / 73, "proportion", "Wilson", n=73, ci_low=0.24, ci_high=0.46, numerator=25),
        Estimate("rate_ratio", 0.8, "rate_ratio", "Poisson GLM", n=73, ci_low=0.6, ci_high=1.1, group="intervention"),
    ]
    path = tmp_path / "results.csv"
    write_results(estimates_frame(rows, model="ips", measure="employment"), path)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(RESULT_COLUMNS)
    assert "0.3424657534" in text  # dot decimal, full precision
    assert text.splitlines()[1].endswith(",false")
    back = read_results(path)
    assert list(back.columns) == list(RESULT_COLUMNS)
    assert back.loc[0, "estimate"] == pytest.approx(25 / 73, rel=1e-9)


def test_written_twice_is_byte_identical(tmp_path) -> None:
    rows = [Estimate("x", 1 / 3, "ratio", "m", n=10)]
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    write_results(estimates_frame(rows, model="m", measure="reach"), a)
    write_results(estimates_frame(list(reversed(rows)), model="m", measure="reach"), b)
    assert a.read_bytes() == b.read_bytes()


def test_indicator_ids_are_snake_case_and_units_known() -> None:
    with pytest.raises(ValueError, match="snake_case"):
        Estimate("Employment Rate", 0.3, "proportion", "Wilson")
    with pytest.raises(ValueError, match="unknown unit"):
        Estimate("x", 0.3, "percent", "Wilson")


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [  # the formats named in design.md: 1,55 · 34 % · 12 345 €
        (1.5487, "visits_per_person_month", "1,55"),
        (0.3425, "proportion", "34\xa0%"),
        (12345.4, "eur", "12\xa0345\xa0€"),
        (118, "persons", "118"),
    ],
)
def test_finnish_formats(value, unit, expected) -> None:
    assert format_value(value, unit) == expected


def test_percentage_shows_numerator_and_denominator() -> None:
    e = Estimate("employment_rate", 25 / 73, "proportion", "Wilson", n=73, ci_low=0.24, ci_high=0.46, numerator=25)
    assert format_estimate(e) == "34\xa0% (25 / 73; 95 % LV 24–46\xa0%)"


def test_frame_has_nullable_integers() -> None:
    f = estimates_frame([Estimate("x", None, "count", "m")], model="a", measure="reach")
    assert f["n"].dtype == pd.Int64Dtype()


def test_fidelity_rows_file_under_their_own_measure() -> None:
    from evalkit.results import measure_of

    assert measure_of("fidelity_total", "employment") == "fidelity"
    assert measure_of("employment_rate", "employment") == "employment"
