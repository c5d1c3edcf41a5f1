"""Flow accounting as a property (issue 3): for any generated table loaded with
``on_invalid_rows: quarantine``, read = accepted + rejected by reason, the accepted rows are
exactly the rows handed on, every rejected row is in the rejects file, and every record
of the file is read (nothing leaves the pipeline uncounted)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from evalkit.data import load_tables
from evalkit.data.contract import CONTRACT

from .datafiles import make_params, write

#: cell values per column kind: valid ones and the row problems a real extract has
DATES = ["2024-02-03", "2023-11-30", "2024-13-01", "2024-02-30", "ei tiedossa", "2030-01-01", "2019-05-05", ""]
INTS = ["0", "1", "3", "-2", "2.5", "kaksi", ""]
FLOATS = ["0", "37.5", "-1", "puolet", ""]
IDS = ["A1", "A2", "A3", "A9", ""]
TEXT = ["x", "Kälviä", "psychiatry", ""]

TABLES = ["clients", "visits", "employment", "questionnaires", "waits", "fidelity", "unit_costs", "indicators"]
#: columns generated per table (all contract columns that matter for its checks)
COLUMNS = {
    "clients": ["client_id", "group", "referral_date", "index_date", "end_date", "birth_year", "sex"],
    "visits": ["client_id", "date", "service", "n"],
    "employment": ["client_id", "start_date", "end_date", "status", "hours_per_week"],
    "questionnaires": ["client_id", "date", "instrument", "item_1", "item_2", "item_8", "total"],
    "waits": ["case_id", "client_id", "service", "contact_date", "event_date"],
    "fidelity": ["review_date", "item", "score"],
    "unit_costs": ["service", "professional", "unit_cost_eur", "cost_year"],
    "indicators": ["indicator", "period", "value"],
}
SPECIAL = {
    "case_id": ["W1", "W2", "W3", ""],
    "period": ["2024", "2024Q3", "2024-05", "2024/5", ""],
    "item": ["1", "2", "25", "26", "x"],
    "cost_year": ["2024", "1980", "x", ""],
    "service": ["psychiatry", "primary_care", "dental", ""],
    "professional": ["nurse", ""],
    "indicator": ["groups", "participants", ""],
}


def _cell(table: str, column: str) -> st.SearchStrategy[str]:
    spec = CONTRACT[table].column(column)
    assert spec is not None
    if column in SPECIAL:
        values = SPECIAL[column]
    elif column == "client_id":
        values = IDS
    elif spec.kind == "date":
        values = DATES
    elif spec.kind == "int":
        values = INTS
    elif spec.kind == "float":
        values = FLOATS
    elif spec.kind == "code":
        values = [*spec.allowed[:3], "tuntematon", ""]
    else:
        values = TEXT
    return st.sampled_from(values)


@st.composite
def extracts(draw, table: str) -> tuple[str, list[str], list[list[str]], list[str]]:
    """(table, header, records, kinds): kinds[i] is 'row', 'blank' (an empty line) or 'ragged'
    (one field too many or too few); a 'row' may still have every cell empty."""
    cols = COLUMNS[table]
    n = draw(st.integers(1, 12))
    records, kinds = [], []
    for _ in range(n):
        kind = draw(st.sampled_from(["row"] * 8 + (["blank"] if table != "visits" else []) + ["ragged"]))
        cells = [draw(_cell(table, c)) for c in cols]
        if kind == "ragged":
            cells = cells + ["extra"] if draw(st.booleans()) else cells[:-1]
        records.append([] if kind == "blank" else cells)
        kinds.append(kind)
    return table, cols, records, kinds


def _valid_row(table: str) -> list[str]:
    """One valid row, so the file always has data (a header-only file is a structural error)."""
    return {
        "clients": ["A1", "intervention", "2024-01-10", "2024-02-01", "", "1980", "F"],
        "visits": ["A1", "2024-02-03", "psychiatry", "1"],
        "employment": ["A1", "2024-03-01", "", "competitive", "37.5"],
        "questionnaires": ["A1", "2024-02-01", "PHQ-9", "1", "2", "", ""],
        "waits": ["W0", "A1", "psychiatry", "2024-02-01", "2024-02-10"],
        "fidelity": ["2024-06-01", "3", "4"],
        "unit_costs": ["psychiatry", "physician", "120.5", "2024"],
        "indicators": ["visits", "2024Q4", "12"],
    }[table]


@pytest.mark.parametrize("table", TABLES)
def test_accepted_plus_rejected_by_reason_equals_read(table):
    _check_flow(table)


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def _check_flow(table: str, data) -> None:
    _check_extract(*data.draw(extracts(table)))


def _check_extract(table: str, cols: list[str], records: list[list[str]], kinds: list[str]) -> None:
    records = [_valid_row(table), *records]
    kinds = ["row", *kinds]
    text = ",".join(cols) + "\n" + "".join(",".join(r) + "\n" for r in records)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write(root, "clients.csv", "client_id,index_date\nA1,2024-02-01\nA2,2024-03-01\nA3,2024-04-01\n")
        write(root, "visits.csv", "client_id,date,service\nA1,2024-02-03,psychiatry\n")
        write(root, f"{table}.csv", text)
        tables = {} if table in ("clients", "visits") else {table: f"{table}.csv"}
        params = make_params(tables, on_invalid_rows="quarantine")
        data = load_tables(params, root, [table], rejects_dir=root / "rejects")
        try:
            flow = data.flow_of(table)
            # the invariant: read = accepted + rejected by reason
            assert flow.accepted + sum(flow.rejected.values()) == flow.read
            flow.check()
            event(f"{table}: {'some' if flow.rejected else 'no'} rows rejected")
            # every record of the file is read (DuckDB skips blank lines of visits: they hold nothing)
            assert flow.read == len(records) - (kinds.count("blank") if table == "visits" else 0)
            # the accepted rows are exactly the rows handed on
            handed_on = (data.con.sql("select count(*) from visits").fetchall()[0][0] if table == "visits"
                         else len(data.tables[table]))
            assert handed_on == flow.accepted
            # every rejected row (blank rows aside: they are counted, there is nothing to keep) is
            # in the rejects file with its file row number
            empty = [k == "blank" or (k == "row" and not any(r)) for k, r in zip(kinds, records, strict=True)]
            blank = flow.rejected.get("empty row", 0)
            assert blank == (sum(empty) if table != "visits" else 0)
            to_file = sum(flow.rejected.values()) - blank
            rejects = root / "rejects" / f"{table}.csv"
            if to_file:
                rej = pd.read_csv(rejects, dtype=str, keep_default_na=False)
                assert len(rej) == to_file
                rows = sorted(int(r) for r in rej["row"])
                assert len(set(rows)) == len(rows)
                assert all(2 <= r <= len(records) + 1 for r in rows)
                assert not any(empty[r - 2] for r in rows)
                ragged = [i + 2 for i, k in enumerate(kinds) if k == "ragged"]
                assert set(ragged) <= set(rows)
            else:
                assert not rejects.exists()
        finally:
            data.close()
