"""evalkit.measures._dates: the one reading of date columns that employment, waiting and
symptoms share (a table built by hand may hold text dates; the loaders give datetime64).

Text is ISO or Finnish d.m.yyyy, never month-first; a wrong value is an error naming the
table, column, row (header = row 1), id and value.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from evalkit.errors import AnalysisError, DataError
from evalkit.measures._dates import checked_dates, read_dates
from evalkit.measures.employment import client_outcomes
from evalkit.measures.symptoms import score_questionnaires
from evalkit.measures.waiting import waiting_times


def test_text_iso_finnish_and_datetimes_read_alike() -> None:
    text = pd.Series(["2024-01-05", "5.1.2024", " 05.01.2024 ", "2024-01-05 13:30", None, ""])
    dates, bad = read_dates(text)
    assert dates.dtype == "datetime64[ns]"
    assert list(dates[:4]) == [pd.Timestamp("2024-01-05")] * 4          # 5 January, never 1 May
    assert dates[4:].isna().all() and not bad.any()
    stamped = pd.Series(pd.to_datetime(["2024-01-05 13:30", None]))
    same, bad = read_dates(stamped)
    assert same.tolist()[0] == pd.Timestamp("2024-01-05") and pd.isna(same[1]) and not bad.any()
    assert read_dates(stamped, required=True)[1].tolist() == [False, True]


@pytest.mark.parametrize("value", ["1/5/2024", "31.2.2024", "2024-13-01", "tammikuu"])
def test_unreadable_text_is_named(value: str) -> None:
    df = pd.DataFrame({"client_id": ["A", "B"], "index_date": ["2024-01-05", value]})
    with pytest.raises(AnalysisError) as err:
        checked_dates(df, "index_date", table="clients")
    assert str(err.value) == f"clients, column 'index_date': unreadable date — 1 row(s): client B (row 3): {value!r}"


def test_required_blank_and_missing_column() -> None:
    df = pd.DataFrame({"case_id": [f"c{i}" for i in range(7)], "d": ["2024-01-01"] + [""] * 6})
    with pytest.raises(AnalysisError, match=r"waits, column 'd': missing or unreadable date — 6 row\(s\): "
                                            r"case c1 \(row 3\): ''.*case c5 \(row 7\): '' \(and 1 more\)$"):
        checked_dates(df, "d", table="waits", required=True, id_column="case_id", id_label="case")
    assert checked_dates(df, "other", table="waits").isna().all()
    with pytest.raises(AnalysisError, match="waits: missing column 'other'"):
        checked_dates(df, "other", table="waits", required=True)


def _questionnaires(dates: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"client_id": "A", "date": dates, "instrument": "PHQ-9",
                         **{f"item_{i}": 1 for i in range(1, 10)}})


def test_symptoms_read_finnish_dates_day_first() -> None:
    # pd.to_datetime's own guess read "05.01.2024" as 1 May and then could not read the ISO row
    s = score_questionnaires(_questionnaires(["05.01.2024", "2024-01-19", "2.2.2024"]))
    assert s["date"].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-19"), pd.Timestamp("2024-02-02")]


def test_symptoms_unreadable_date_named() -> None:
    with pytest.raises(DataError, match=r"row 3, column 'date', value \"01/19/2024\": unreadable date"):
        score_questionnaires(_questionnaires(["2024-01-05", "01/19/2024"]))


def test_the_three_measures_share_one_reading() -> None:
    """The same text dates give the same days in every measure that reads dates."""
    text = ["3.1.2024", "2024-01-10"]
    waits = pd.DataFrame({"case_id": ["w1", "w2"], "service": "s", "contact_date": text, "event_date": "2024-01-17"})
    w = waiting_times(waits, cutoff="2024-12-31", limits=[("2020-01-01", 10)], min_cell=1)
    assert w.get("share_within_limit", "all").estimate == 0.5                   # waits of 14 and 7 days
    clients = pd.DataFrame({"client_id": ["A", "B"], "index_date": text})
    jobs = pd.DataFrame({"client_id": ["A", "B"], "start_date": "2024-01-17", "status": "competitive"})
    days = client_outcomes(clients, jobs, cutoff=date(2024, 12, 31))["days_to_first_job"].tolist()
    assert days == [14, 7]
    assert score_questionnaires(_questionnaires(text))["date"].dt.day.tolist() == [3, 10]


def test_fidelity_review_dates_day_first() -> None:
    # the fidelity reviews, too, were read with pandas' own guess: '05.01.2024' was 1 May
    from evalkit.measures.fidelity import fidelity_reviews

    rows = [{"review_date": d, "item": k, "score": 4} for d in ("05.01.2024", "2024-06-03") for k in range(1, 26)]
    reviews = fidelity_reviews(pd.DataFrame(rows)).reviews
    assert reviews["review_date"].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-06-03")]
    with pytest.raises(AnalysisError, match=r"column 'review_date' \(row 2\): '01/05/2024'"):
        fidelity_reviews(pd.DataFrame([{"review_date": "01/05/2024", "item": 1, "score": 4}]))
