"""Loading the data contract: dtypes, the DuckDB visits relation, flow accounting, quarantine,
and dialect twins (the same data written five ways loads to identical frames)."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

from evalkit.data import load_tables
from evalkit.errors import DataError

from .datafiles import CLIENTS, VISITS, base_files, frame_equal, make_params, to_finnish, write

EMPLOYMENT = (
    "client_id,start_date,end_date,status,hours_per_week,monthly_wage_eur\n"
    "A1,2024-03-01,2024-06-30,competitive,37.5,2450.75\n"
    "A1,2024-08-01,,work_trial,20,\n"
    "A2,2024-05-02,2024-05-31,study,,\n"
)
CLIENTS_FULL = (
    "client_id,group,referral_date,index_date,birth_year,sex,municipality,diagnoses\n"
    "A1,intervention,2024-01-10,2024-02-01,1980,F,Kälviä,F32.1;F41.1\n"
    "A2,comparison,,2024-03-15,1975,M,Kokkola,\n"
    "A3,intervention,2024-02-20,,1990,other,Perho,F33\n"
)


def test_clients_are_typed_pandas(tmp_path):
    base_files(tmp_path, clients=CLIENTS_FULL)
    data = load_tables(make_params({}), tmp_path, ["clients"])
    c = data.clients
    assert isinstance(c, pd.DataFrame)
    assert str(c["index_date"].dtype) == "datetime64[ns]"
    assert str(c["birth_year"].dtype) == "Int64"
    assert c["client_id"].tolist() == ["A1", "A2", "A3"]
    assert c["model"].tolist() == ["testi"] * 3  # implied by the params file
    assert c["municipality"].tolist() == ["Kälviä", "Kokkola", "Perho"]
    assert pd.isna(c.loc[2, "index_date"])
    assert c.loc[0, "referral_date"] == pd.Timestamp("2024-01-10")
    assert list(c.columns) == ["client_id", "model", "group", "referral_date", "index_date", "end_date",
                               "followup_end", "birth_year", "sex", "municipality", "diagnoses"]


def test_missing_optional_columns_exist_with_types(tmp_path):
    base_files(tmp_path)
    c = load_tables(make_params({}), tmp_path, ["clients"]).clients
    assert str(c["end_date"].dtype) == "datetime64[ns]"
    assert c["end_date"].isna().all()
    assert c["group"].tolist() == ["intervention", "comparison"]


def test_group_defaults_to_intervention(tmp_path):
    base_files(tmp_path, clients="client_id,index_date\nA1,2024-02-01\nA2,2024-02-02\n")
    c = load_tables(make_params({}), tmp_path, ["clients"]).clients
    assert c["group"].tolist() == ["intervention", "intervention"]


def test_visits_is_a_lazy_duckdb_relation_with_mapping(tmp_path):
    base_files(tmp_path, visits="asiakas,pvm,palvelu,n\nA1,2024-02-03,PSY,1\nA2,2024-02-04,primary_care,2\n"
                                "A1,2024-02-05,PSY,0\n")
    params = make_params({"visits": {"path": "visits.csv",
                                     "columns": {"asiakas": "client_id", "pvm": "date", "palvelu": "service"},
                                     "values": {"service": {"PSY": "psychiatry"}}}})
    data = load_tables(params, tmp_path, ["visits"])
    assert isinstance(data.visits, duckdb.DuckDBPyRelation)
    assert data.visits.columns == ["client_id", "date", "service", "professional", "contact_type", "n"]
    assert [str(t) for t in data.visits.types] == ["VARCHAR", "DATE", "VARCHAR", "VARCHAR", "VARCHAR", "BIGINT"]
    rows = data.con.sql("select service, count(*) n, sum(n) s from visits join clients using (client_id) "
                        "group by 1 order by 1").fetchall()
    assert rows == [("primary_care", 1, 2), ("psychiatry", 2, 1)]


def test_visits_without_n_count_one_each(tmp_path):
    base_files(tmp_path, visits="client_id,date,service\nA1,2024-02-03,psychiatry\nA2,2024-02-04,dental\n")
    data = load_tables(make_params({}), tmp_path, ["visits"])
    assert data.con.sql("select sum(n) from visits").fetchall() == [(2,)]
    assert "clients" in data  # loaded for the orphan check


def test_visits_parquet_glob(tmp_path):
    base_files(tmp_path)
    (tmp_path / "v").mkdir()
    pd.DataFrame({"client_id": ["A1", "A2"], "date": pd.to_datetime(["2024-02-03", "2024-02-04"]),
                  "service": ["psychiatry", "primary_care"]}).to_parquet(tmp_path / "v" / "part1.parquet")
    pd.DataFrame({"client_id": ["A1"], "date": pd.to_datetime(["2024-03-03"]),
                  "service": ["psychiatry"]}).to_parquet(tmp_path / "v" / "part2.parquet")
    data = load_tables(make_params({"visits": "v/*.parquet"}), tmp_path, ["visits"])
    got = data.con.sql("select client_id, date, service from visits order by date").df()
    assert got["client_id"].tolist() == ["A1", "A2", "A1"]
    assert data.flow_of("visits").read == 3


def test_flow_adds_up_and_is_jsonable(tmp_path):
    base_files(tmp_path)
    data = load_tables(make_params({}), tmp_path)
    for f in data.flow:
        f.check()
    data.set_analysed("visits", 2, {"outside window": 1}, unit="persons")
    text = json.dumps(data.flow_records())
    assert '"analysed": 2' in text and '"outside window": 1' in text
    assert data.flow_of("visits").analysed_unit == "persons"


def test_quarantine_sets_rows_aside_and_counts_them(tmp_path):
    base_files(tmp_path,
               clients=CLIENTS + "A3,intervention,2024-13-01,1990\n",
               visits=VISITS + "A1,2024-02-30,psychiatry,1\nA9,2024-02-05,psychiatry,1\n")
    params = make_params({}, on_invalid_rows="quarantine")
    data = load_tables(params, tmp_path, rejects_dir=tmp_path / "rejects")
    c = data.flow_of("clients")
    assert (c.read, c.accepted, c.rejected) == (3, 2, {"index_date: bad date": 1})
    v = data.flow_of("visits")
    assert (v.read, v.accepted) == (4, 2)
    assert v.rejected == {"date: bad date": 1, "client_id: unknown client": 1}
    assert data.visits.count("*").fetchall()[0][0] == 2
    rej = pd.read_csv(tmp_path / "rejects" / "clients.csv")
    assert rej["row"].tolist() == [4]
    assert "index_date" in rej["reasons"][0]
    assert len(pd.read_csv(tmp_path / "rejects" / "visits.csv")) == 2


def test_error_mode_stops(tmp_path):
    base_files(tmp_path, clients=CLIENTS + "A3,intervention,2024-13-01,1990\n")
    with pytest.raises(DataError) as exc:
        load_tables(make_params({}), tmp_path, ["clients"])
    assert 'clients.csv, row 4, column \'index_date\', value "2024-13-01"' in str(exc.value)


def test_excel_table(tmp_path):
    base_files(tmp_path)
    df = pd.DataFrame({"client_id": ["A1", "A2"], "start_date": pd.to_datetime(["2024-03-01", "2024-05-02"]),
                       "status": ["competitive", "study"], "hours_per_week": [37.5, None]})
    df.to_excel(tmp_path / "employment.xlsx", index=False)
    data = load_tables(make_params({"employment": "employment.xlsx"}), tmp_path, ["employment"])
    e = data.employment
    assert e["start_date"].tolist() == list(pd.to_datetime(["2024-03-01", "2024-05-02"]))
    assert e["hours_per_week"].tolist()[0] == 37.5


# ---------------------------------------------------------------- dialect twins
QUESTIONNAIRES = (
    "client_id,date,instrument,session," + ",".join(f"item_{i}" for i in range(1, 10)) + ",total\n"
    "A1,2024-02-01,PHQ-9,0,1,2,0,3,1,1,0,2,1,11\n"
    "A2,2024-03-01,GAD-7,1,2,2,1,0,3,1,2,,,11\n"
    "A1,2024-05-01,PHQ-9,4,,,,,,,,,,14\n"
)
TWIN_TEXTS: dict[str, str] = {
    "clients": CLIENTS_FULL,
    "visits": ("client_id,date,service,professional,contact_type,n\n"
               "A1,2024-02-03,psychiatry,nurse,phone,1\nA2,2024-02-04,primary_care,physician,visit,2\n"
               "A1,2024-03-15,työterveys,lääkäri,home,0\n"),
    "employment": EMPLOYMENT,
    "questionnaires": QUESTIONNAIRES,
    "unit_costs": ("service,professional,contact_type,unit_cost_eur,cost_year,source\n"
                   "psychiatry,,,120.50,2024,THL 2024\npsychiatry,nurse,phone,35.25,2024,THL 2024\n"
                   "primary_care,,,60,2024,Soite\n"),
    "intervention_costs": ("model,item,amount_eur,year,basis\ntesti,IPS-valmentaja,52000.50,2024,total\n"
                           "testi,koulutus,300,2024,per_client\n"),
    "price_index": "year,index\n2023,100\n2024,103.25\n",
    "fidelity": "review_date,item,score\n2024-06-01,1,4\n2024-06-01,2,5\n2024-12-01,1,3\n",
    "indicators": ("indicator,period,value,target,unit\ngroups_running,2024Q3,4,5,groups\n"
                   "participants,2024-05,37.5,,persons\nparticipants,2024,120,,persons\n"),
    "waits": ("case_id,client_id,service,site,contact_date,event_date,urgency\n"
              "W1,A1,psychiatry,Kokkola,2024-02-01,2024-02-20,kiireellinen\nW2,,primary_care,Kälviä,2024-03-05,,\n"),
}


def _typed_frame(table: str, text: str) -> pd.DataFrame:
    """The table as a user's spreadsheet or Parquet writer holds it: dates as dates, numbers as numbers."""
    import io

    from evalkit.data.contract import CONTRACT

    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False).replace("", None)
    spec = CONTRACT[table]
    for c in df.columns:
        kind = spec.column(c).kind
        if kind == "date":
            df[c] = pd.to_datetime(df[c])
        elif kind == "int":
            df[c] = pd.to_numeric(df[c]).astype("Int64")
        elif kind == "float":
            df[c] = pd.to_numeric(df[c]).astype("float64")
    return df


def _loaded(root, table: str, path: str) -> pd.DataFrame:
    data = load_tables(make_params({table: path}), root, [table])
    try:
        t = data.tables[table]
        if table == "visits":  # a lazy DuckDB relation: fetch it in a fixed order
            return data.con.sql("select * from visits order by date, client_id").df()
        return t
    finally:
        data.close()


def _twins(tmp_path, table: str, text: str) -> dict[str, pd.DataFrame]:
    """The same table written in six dialects and formats; returns the loaded frames by variant."""
    frames = {}
    variants = {
        "intl.csv": text.encode("utf-8"),
        "fi_cp1252.csv": to_finnish(text, encoding="cp1252"),
        "fi_bom.csv": to_finnish(text, encoding="utf-8", bom=True),
        "tab_utf16.csv": text.replace(",", "\t").encode("utf-16"),  # Excel "Unicode text"
    }
    for name, payload in variants.items():
        root = tmp_path / name.split(".")[0]
        base_files(root)
        write(root, f"{table}.csv", payload)
        frames[name] = _loaded(root, table, f"{table}.csv")
    typed = _typed_frame(table, text)
    root = tmp_path / "xlsx"
    base_files(root)
    typed.to_excel(root / f"{table}.xlsx", index=False)
    frames["xlsx"] = _loaded(root, table, f"{table}.xlsx")
    root = tmp_path / "parquet"
    base_files(root)
    typed.to_parquet(root / f"{table}.parquet", index=False)
    frames["parquet"] = _loaded(root, table, f"{table}.parquet")
    return frames


def test_twins_cover_every_table():
    from evalkit.data.contract import CONTRACT

    assert set(TWIN_TEXTS) == set(CONTRACT)


@pytest.mark.parametrize("table", list(TWIN_TEXTS))
def test_dialect_twins_load_identically(tmp_path, table):
    """International CSV, Finnish Excel CSV (cp1252 and UTF-8 with BOM), UTF-16 tab text, Excel
    and Parquet of the same data load to exactly the same typed table."""
    text = TWIN_TEXTS[table]
    frames = _twins(tmp_path, table, text)
    reference = frames.pop("intl.csv")
    assert len(reference) == text.count("\n") - 1  # every row arrived
    for name, other in frames.items():
        try:
            frame_equal(reference, other)
        except AssertionError as exc:
            raise AssertionError(f"{table}: {name} differs from the international CSV: {exc}") from None
    if table == "employment":
        assert reference["monthly_wage_eur"].tolist()[0] == 2450.75
    if table == "indicators":
        assert reference["value"].tolist()[1] == 37.5
        assert reference["period"].tolist() == ["2024Q3", "2024-05", "2024"]
    if table == "waits":
        assert reference["site"].tolist() == ["Kokkola", "Kälviä"]


def test_finnish_dialect_detected_in_flow(tmp_path):
    base_files(tmp_path)
    write(tmp_path, "employment.csv", to_finnish(EMPLOYMENT, encoding="cp1252"))
    data = load_tables(make_params({"employment": "employment.csv"}), tmp_path, ["employment"])
    assert data.flow_of("employment").dialect == "encoding utf-8, separator ';', decimal ',', dates d.m.yyyy"


def test_visits_finnish_cp1252(tmp_path):
    base_files(tmp_path)
    text = "client_id;date;service;professional\nA1;3.2.2024;psychiatry;sairaanhoitaja\nA2;14.2.2024;työterveys;lääkäri\n"
    write(tmp_path, "visits.csv", text, encoding="cp1252")
    data = load_tables(make_params({}), tmp_path, ["visits"])
    rows = data.visits.order("date").fetchall()
    assert rows[1][2:4] == ("työterveys", "lääkäri")
    assert str(rows[1][1]) == "2024-02-14"
    assert "cp1252" in data.flow_of("visits").dialect


def test_visits_glob_same_file_name_in_two_folders(tmp_path):
    """cp1252 files are transcoded to temporary UTF-8 copies: files of the same name from
    different folders must not overwrite each other (rows silently lost and doubled)."""
    base_files(tmp_path)
    write(tmp_path, "v/2024/visits.csv", "client_id;date;service\r\nA1;3.2.2024;työterveys\r\n", encoding="cp1252")
    write(tmp_path, "v/2025/visits.csv", "client_id;date;service\r\nA2;4.2.2025;lääkäri\r\nA2;5.2.2025;x\r\n",
          encoding="cp1252")
    data = load_tables(make_params({"visits": "v/*/visits.csv"}), tmp_path, ["visits"])
    rows = data.con.sql("select client_id, service from visits order by date").fetchall()
    assert rows == [("A1", "työterveys"), ("A2", "lääkäri"), ("A2", "x")]
    assert data.flow_of("visits").read == 3
    data.close()
