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

#: per table, the columns generated (all contract columns that matter for its checks), each with
#: its value in the one valid row every file starts with (a header-only file is a structural error)
VALID = {
    "clients": {"client_id": "A1", "group": "intervention", "referral_date": "2024-01-10",
                "index_date": "2024-02-01", "end_date": "", "birth_year": "1980", "sex": "F"},
    "visits": {"client_id": "A1", "date": "2024-02-03", "service": "psychiatry", "n": "1"},
    "employment": {"client_id": "A1", "start_date": "2024-03-01", "end_date": "", "status": "competitive",
                   "hours_per_week": "37.5"},
    "questionnaires": {"client_id": "A1", "date": "2024-02-01", "instrument": "PHQ-9", "item_1": "1",
                       "item_2": "2", "item_8": "", "total": ""},
    "waits": {"case_id": "W0", "client_id": "A1", "service": "psychiatry", "contact_date": "2024-02-01",
              "event_date": "2024-02-10"},
    "fidelity": {"review_date": "2024-06-01", "item": "3", "score": "4"},
    "unit_costs": {"service": "psychiatry", "professional": "physician", "unit_cost_eur": "120.5", "cost_year": "2024"},
    "indicators": {"indicator": "visits", "period": "2024Q4", "value": "12"},
}
TABLES = list(VALID)
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
    (a wrong number of fields); a 'row' may still have every cell empty."""
    cols = list(VALID[table])
    n = draw(st.integers(1, 12))
    records, kinds = [], []
    for _ in range(n):
        kind = draw(st.sampled_from(["row"] * 8 + ["blank", "ragged"]))
        cells = [draw(_cell(table, c)) for c in cols]
        if kind == "ragged":  # a field too many, or one or two (leaving two or more) too few
            width = draw(st.sampled_from([len(cols) + 1, len(cols) - 1, *([len(cols) - 2] if len(cols) > 3 else [])]))
            cells = (cells + ["extra"])[:width]
        records.append([] if kind == "blank" else cells)
        kinds.append(kind)
    return table, cols, records, kinds


@pytest.mark.parametrize("table", TABLES)
def test_accepted_plus_rejected_by_reason_equals_read(table):
    _check_flow(table)


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def _check_flow(table: str, data) -> None:
    _check_extract(*data.draw(extracts(table)))


def _check_extract(table: str, cols: list[str], records: list[list[str]], kinds: list[str]) -> None:
    records = [list(VALID[table].values()), *records]
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
            # every record of the file is read, empty lines too
            assert flow.read == len(records)
            # the accepted rows are exactly the rows handed on
            handed_on = (data.con.sql("select count(*) from visits").fetchall()[0][0] if table == "visits"
                         else len(data.tables[table]))
            assert handed_on == flow.accepted
            # every rejected row (empty ones aside: they are counted, there is nothing to keep) is
            # in the rejects file with its file row number; visits count empty lines only (a row of
            # empty cells is rejected for its missing values)
            empty = [k == "blank" or (k == "row" and not any(r) and table != "visits")
                     for k, r in zip(kinds, records, strict=True)]
            blank = flow.rejected.get("empty row", 0)
            assert blank == sum(empty)
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
