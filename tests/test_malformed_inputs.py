"""The malformed-input corpus (issue 3 acceptance): every messy extract a region may bring.

Each case is a throw-away data directory plus a params file, run through the real command
line (``evalkit validate --params FILE --data DIR``, in-process through ``cli.main``; a few
also as a subprocess, one through ``evalkit run``). A case must end with exit 2 and a
message naming file, row (header = row 1), column and value — or, for row problems with
``on_invalid_rows: quarantine``, exit 0 with the row counted under its reason in the flow
and written to the rejects file. No case may show a Python traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
import yaml

from evalkit import cli

from .conftest import run_cli
from .datafiles import CLIENTS, VISITS, to_finnish

HETU = "131052-308T"  # the population register's published example; valid check character

Writer = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """One malformed input.

    ``files``: data files written over the valid base (clients.csv, visits.csv): text, bytes
    or a writer (Excel, Parquet). ``tables``: params ``tables:`` entries to add or replace.
    ``expect``: fragments the error message must contain (file, row, column, value).
    ``reason``: for row problems, ``(table, reason, count)`` expected in quarantine mode.
    ``hidden``: text that must never be echoed (personal identity codes).
    """

    id: str
    files: dict[str, str | bytes | Writer]
    expect: tuple[str, ...]
    tables: dict[str, object] = field(default_factory=dict)
    reason: tuple[str, str, int] | None = None
    hidden: str | None = None
    remove: tuple[str, ...] = ()


def _xlsx(name: str, frame: pd.DataFrame, sheet: str = "Sheet1") -> Writer:
    def write(root: Path) -> None:
        frame.to_excel(root / name, index=False, sheet_name=sheet)
    return write


def _parquet(name: str, frame: pd.DataFrame) -> Writer:
    def write(root: Path) -> None:
        frame.to_parquet(root / name, index=False)
    return write


EMPLOYMENT_HEAD = "client_id,start_date,end_date,status,hours_per_week,monthly_wage_eur\n"
EMPLOYMENT_OK = "A1,2024-03-01,2024-06-30,competitive,37.5,2450.75\n"
Q_HEAD = "client_id,date,instrument," + ",".join(f"item_{i}" for i in range(1, 10)) + ",total\n"
PHQ_OK = "A1,2024-02-01,PHQ-9,1,1,1,1,1,1,1,1,1,9\n"
GAD_OK = "A2,2024-02-01,GAD-7,2,2,2,2,2,2,2,,,14\n"
FID_HEAD = "review_date,item,score\n"
WAITS_HEAD = "case_id,client_id,service,contact_date,event_date\n"
IND_HEAD = "indicator,period,value\n"
UC_HEAD = "service,professional,contact_type,unit_cost_eur,cost_year,source\n"
UC_OK = "psychiatry,,,120.50,2024,THL\nprimary_care,,,60,2024,THL\n"

FI_CLIENTS_HEAD = "client_id;group;index_date;birth_year\r\n"

CASES: list[Case] = [
    # ------------------------------------------------------------ clients (structure)
    Case("clients-missing-client-id-column",
         {"clients.csv": "asiakas,group,index_date\nA1,intervention,2024-02-01\n"},
         ("clients.csv, row 1, column 'client_id'", "required column is missing")),
    Case("clients-empty-file", {"clients.csv": b""}, ("clients.csv", "empty")),
    Case("clients-header-only", {"clients.csv": "client_id,group,index_date,birth_year\n"},
         ("clients.csv", "no data rows")),
    Case("clients-file-missing", {}, ("clients.csv", "file not found"), remove=("clients.csv",)),
    Case("clients-undecodable-bytes",
         {"clients.csv": b"client_id,group,index_date,municipality\nA1,intervention,2024-02-01,K\x81lvi\x8d\n"},
         ("clients.csv", "neither UTF-8 nor Windows-1252", "encoding:")),
    Case("clients-bom-then-broken-utf8",
         {"clients.csv": b"\xef\xbb\xbfclient_id,group,index_date,municipality\nA1,intervention,2024-02-01,K\xe4lvi\xe4\n"},
         ("clients.csv", "byte-order mark", "encoding:")),
    Case("clients-duplicate-header",
         {"clients.csv": "client_id,index_date,index_date\nA1,2024-02-01,2024-02-01\n"},
         ("clients.csv, row 1, column 'index_date'", "appears twice")),
    Case("clients-name-column", {"clients.csv": "client_id,nimi,index_date\nA1,Matti,2024-02-01\nA2,Maija,2024-03-01\n"},
         ("clients.csv, row 1, column 'nimi'", "drop_columns"), hidden="Matti"),
    Case("clients-two-digit-years",
         {"clients.csv": "client_id;group;index_date\r\nA1;intervention;1.2.24\r\nA2;comparison;15.3.24\r\n"},
         ("clients.csv, row 2, column 'index_date', value \"1.2.24\"", "two-digit years", "date_format")),
    Case("clients-ambiguous-slash-dates",
         {"clients.csv": "client_id,group,index_date\nA1,intervention,1/2/2024\nA2,comparison,3/4/2024\n"},
         ("clients.csv, row 2, column 'index_date', value \"1/2/2024\"", "day/month or month/day", "date_format")),
    Case("clients-mixed-date-formats-tie",
         {"clients.csv": "client_id,group,index_date\nA1,intervention,2024-02-01\nA2,comparison,15.3.2024\n"},
         ("clients.csv, row 2, column 'index_date', value \"2024-02-01\"",
          "clients.csv, row 3, column 'index_date', value \"15.3.2024\"", "several formats", "date_format")),
    # ------------------------------------------------------------ clients (privacy)
    Case("clients-hetu-as-client-id",
         {"clients.csv": f"client_id,group,index_date\nA1,intervention,2024-02-01\n{HETU},comparison,2024-03-15\n"},
         ("clients.csv, row 3, column 'client_id'", "henkilötunnus"), hidden=HETU),
    Case("clients-hetu-in-free-text",
         {"clients.csv": "client_id,group,index_date,diagnoses\nA1,intervention,2024-02-01,F32\n"
                         f"A2,comparison,2024-03-15,F41 (asiakas {HETU} soitti)\n"},
         ("clients.csv, row 3, column 'diagnoses'", "henkilötunnus"), hidden=HETU),
    Case("employment-hetu-in-extra-column",
         {"employment.csv": "client_id,start_date,status,lisatieto\nA1,2024-03-01,competitive,\n"
                            f"A2,2024-05-02,study,soitettu {HETU}\n"},
         ("employment.csv, row 3, column 'lisatieto'", "henkilötunnus"),
         tables={"employment": "employment.csv"}, hidden=HETU),
    Case("clients-name-as-client-id",
         {"clients.csv": "client_id,group,index_date\nA1,intervention,2024-02-01\nMatti Meikäläinen,comparison,2024-03-15\n"},
         ("clients.csv, row 3, column 'client_id'", "person's name"), hidden="Meikäläinen"),
    # ------------------------------------------------------------ clients (rows)
    Case("clients-bad-month",
         {"clients.csv": CLIENTS + "A3,intervention,2024-13-01,1990\n"},
         ("clients.csv, row 4, column 'index_date', value \"2024-13-01\"", "not a valid calendar date"),
         reason=("clients", "index_date: bad date", 1)),
    Case("clients-31-feb-finnish",
         {"clients.csv": to_finnish(CLIENTS + "A3,intervention,2024-02-31,1990\n").replace(b"31.2.2024", b"31.2.2024")},
         ("clients.csv, row 4, column 'index_date', value \"31.2.2024\"", "not a valid calendar date"),
         reason=("clients", "index_date: bad date", 1)),
    Case("clients-mixed-date-formats-minority",
         {"clients.csv": CLIENTS + "A3,intervention,1.3.2024,1990\n"},
         ("clients.csv, row 4, column 'index_date', value \"1.3.2024\"", "yyyy-mm-dd"),
         reason=("clients", "index_date: bad date", 1)),
    Case("clients-duplicate-id",
         {"clients.csv": CLIENTS + "A1,comparison,2024-04-01,1981\n"},
         ("clients.csv, row 4, column 'client_id', value \"A1\"", "duplicate client_id (also on row 2)"),
         reason=("clients", "client_id: duplicate", 2)),
    Case("clients-unknown-group",
         {"clients.csv": CLIENTS + "A3,vertailu,2024-04-01,1990\n"},
         ("clients.csv, row 4, column 'group', value \"vertailu\"", "must be one of"),
         reason=("clients", "group: value not allowed", 1)),
    Case("clients-cp1252-umlaut-value",
         {"clients.csv": to_finnish(CLIENTS + "A3,vertailuryhmä,2024-04-01,1990\n", encoding="cp1252")},
         ("clients.csv, row 4, column 'group', value \"vertailuryhmä\"",),
         reason=("clients", "group: value not allowed", 1)),
    Case("clients-text-in-birth-year",
         {"clients.csv": CLIENTS + "A3,intervention,2024-04-01,noin 1980\n"},
         ("clients.csv, row 4, column 'birth_year', value \"noin 1980\"", "not a whole number"),
         reason=("clients", "birth_year: not a whole number", 1)),
    Case("clients-end-before-index",
         {"clients.csv": "client_id,group,index_date,end_date\nA1,intervention,2024-02-01,2024-06-01\n"
                         "A2,comparison,2024-03-15,2024-03-01\n"},
         ("clients.csv, row 3, column 'end_date', value \"2024-03-01\"", "end_date is before index_date"),
         reason=("clients", "end_date: end before start", 1)),
    Case("clients-missing-id-value",
         {"clients.csv": CLIENTS + ",intervention,2024-04-01,1990\n"},
         ("clients.csv, row 4, column 'client_id'", "a value is required"),
         reason=("clients", "client_id: missing value", 1)),
    Case("clients-wrong-number-of-fields",
         {"clients.csv": CLIENTS + "A3,intervention,2024-04-01,1990,extra\n"},
         ("clients.csv, row 4", "has 5 fields but the header has 4"),
         reason=("clients", "wrong number of fields", 1)),
    Case("clients-index-after-cutoff",
         {"clients.csv": CLIENTS + "A3,intervention,2026-04-01,1990\n"},
         ("clients.csv, row 4, column 'index_date', value \"2026-04-01\"", "outside the data window"),
         reason=("clients", "index_date: outside data window", 1)),
    # ------------------------------------------------------------ visits CSV
    Case("visits-missing-service-column",
         {"visits.csv": "client_id,date,palvelu\nA1,2024-02-03,psychiatry\n"},
         ("visits.csv, row 1, column 'service'", "required column is missing")),
    Case("visits-empty-file", {"visits.csv": b""}, ("visits.csv", "empty")),
    Case("visits-orphan",
         {"visits.csv": VISITS + "A9,2024-02-05,psychiatry,1\n"},
         ("visits.csv, row 4, column 'client_id', value \"A9\"", "orphan"),
         reason=("visits", "client_id: unknown client", 1)),
    Case("visits-bad-date",
         {"visits.csv": VISITS + "A1,2024-02-30,psychiatry,1\n"},
         ("visits.csv, row 4, column 'date', value \"2024-02-30\"",),
         reason=("visits", "date: bad date", 1)),
    Case("visits-negative-count",
         {"visits.csv": VISITS + "A1,2024-02-05,psychiatry,-2\n"},
         ("visits.csv, row 4, column 'n', value \"-2\"", "at least 0"),
         reason=("visits", "n: out of range", 1)),
    Case("visits-text-in-count",
         {"visits.csv": VISITS + "A1,2024-02-05,psychiatry,kaksi\n"},
         ("visits.csv, row 4, column 'n', value \"kaksi\"", "not a whole number"),
         reason=("visits", "n: not a whole number", 1)),
    Case("visits-hetu-as-client-id",
         {"visits.csv": VISITS + f"{HETU},2024-02-05,psychiatry,1\n"},
         ("visits.csv, row 4, column 'client_id'", "henkilötunnus"), hidden=HETU),
    Case("visits-hetu-in-free-text",
         {"visits.csv": "client_id,date,service,contact_type\nA1,2024-02-03,psychiatry,visit\n"
                        f"A2,2024-02-04,primary_care,puhelu {HETU} omaiselle\n"},
         ("visits.csv, row 3, column 'contact_type'", "henkilötunnus"), hidden=HETU),
    Case("visits-cp1252-bad-date",
         {"visits.csv": "client_id;date;service;professional\r\nA1;3.2.2024;psychiatry;sairaanhoitaja\r\n"
                        "A2;31.2.2024;työterveys;lääkäri\r\n".encode("cp1252")},
         ("visits.csv, row 3, column 'date', value \"31.2.2024\"",),
         reason=("visits", "date: bad date", 1)),
    Case("visits-wrong-number-of-fields",
         {"visits.csv": VISITS + "A1,2024-02-05,psychiatry\n"},
         ("visits.csv, row 4", "wrong number of fields"),
         reason=("visits", "wrong number of fields", 1)),
    Case("visits-undecodable-bytes",
         {"visits.csv": b"client_id,date,service\nA1,2024-02-03,psy\x81\x8d\n"},
         ("visits.csv", "neither UTF-8 nor Windows-1252")),
    Case("visits-glob-mixed-separators",
         {"v/a.csv": "client_id,date,service\nA1,2024-02-03,psychiatry\n",
          "v/b.csv": "client_id;date;service\r\nA2;2024-02-04;dental\r\n".encode("cp1252")},
         ("v/b.csv, row 1", "separates columns with ';' but v/a.csv with ','"),
         tables={"visits": "v/*.csv"}),
    Case("visits-glob-mixed-date-formats",
         {"v/a.csv": "client_id,date,service\nA1,2024-02-03,psychiatry\n",
          "v/b.csv": "client_id,date,service\nA2,4.2.2024,dental\nA1,31.2.2024,dental\n"},
         ("v/b.csv, row 2, column 'date', value \"4.2.2024\"", "d.m.yyyy but in v/a.csv yyyy-mm-dd"),
         tables={"visits": "v/*.csv"}),
    # ------------------------------------------------------------ visits Parquet
    Case("visits-parquet-missing-column",
         {"visits.parquet": _parquet("visits.parquet", pd.DataFrame({"client_id": ["A1"], "pvm": ["2024-02-03"],
                                                                      "service": ["psychiatry"]}))},
         ("visits.parquet, row 1, column 'date'", "required column is missing"),
         tables={"visits": "visits.parquet"}),
    Case("visits-parquet-date-stored-as-integer",
         {"visits.parquet": _parquet("visits.parquet", pd.DataFrame({"client_id": ["A1", "A2"], "date": pd.array([None, 20240204], dtype="Int64"),
                                                                      "service": ["psychiatry", "dental"]}))},
         ("visits.parquet, row 2, column 'date', value \"20240204\"", "stored as BIGINT"),
         tables={"visits": "visits.parquet"}),
    Case("visits-parquet-impossible-text-date",
         {"visits.parquet": _parquet("visits.parquet", pd.DataFrame({"client_id": ["A1", "A2"],
                                                                      "date": ["2024-02-03", "2024-02-30"],
                                                                      "service": ["psychiatry", "dental"]}))},
         ("visits.parquet, row 2, column 'date', value \"2024-02-30\"",),
         tables={"visits": "visits.parquet"}, reason=("visits", "date: bad date", 1)),
    Case("visits-parquet-text-count",
         {"visits.parquet": _parquet("visits.parquet", pd.DataFrame({"client_id": ["A1", "A2"],
                                                                      "date": pd.to_datetime(["2024-02-03", "2024-02-04"]),
                                                                      "service": ["psychiatry", "dental"],
                                                                      "n": ["1", "kaksi"]}))},
         ("visits.parquet, row 2, column 'n', value \"kaksi\"", "not a whole number"),
         tables={"visits": "visits.parquet"}, reason=("visits", "n: not a whole number", 1)),
    Case("visits-parquet-orphan",
         {"visits.parquet": _parquet("visits.parquet", pd.DataFrame({"client_id": ["A1", "A7", "A2"],
                                                                      "date": pd.to_datetime(["2024-02-03"] * 3),
                                                                      "service": ["psychiatry"] * 3}))},
         ("visits.parquet, row 2, column 'client_id', value \"A7\"", "orphan"),
         tables={"visits": "visits.parquet"}, reason=("visits", "client_id: unknown client", 1)),
    Case("visits-parquet-hetu",
         {"visits.parquet": _parquet("visits.parquet", pd.DataFrame({"client_id": ["A1", HETU],
                                                                      "date": pd.to_datetime(["2024-02-03"] * 2),
                                                                      "service": ["psychiatry"] * 2}))},
         ("visits.parquet, row 2, column 'client_id'", "henkilötunnus"),
         tables={"visits": "visits.parquet"}, hidden=HETU),
    Case("visits-parquet-corrupt", {"visits.parquet": b"PAR1 this is not really parquet"},
         ("visits.parquet", "cannot read"), tables={"visits": "visits.parquet"}),
    Case("visits-parquet-glob-matches-nothing", {}, ("v/*.parquet", "no file matches"),
         tables={"visits": "v/*.parquet"}),
    # ------------------------------------------------------------ employment
    Case("employment-negative-hours",
         {"employment.csv": EMPLOYMENT_HEAD + EMPLOYMENT_OK + "A2,2024-05-02,,study,-5,\n"},
         ("employment.csv, row 3, column 'hours_per_week', value \"-5\"", "between 0 and 168"),
         tables={"employment": "employment.csv"}, reason=("employment", "hours_per_week: out of range", 1)),
    Case("employment-unknown-status",
         {"employment.csv": EMPLOYMENT_HEAD + EMPLOYMENT_OK + "A2,2024-05-02,,full_time,,\n"},
         ("employment.csv, row 3, column 'status', value \"full_time\"", "must be one of"),
         tables={"employment": "employment.csv"}, reason=("employment", "status: value not allowed", 1)),
    Case("employment-end-before-start",
         {"employment.csv": EMPLOYMENT_HEAD + EMPLOYMENT_OK + "A2,2024-05-02,2024-04-30,study,,\n"},
         ("employment.csv, row 3, column 'end_date', value \"2024-04-30\"", "end_date is before start_date"),
         tables={"employment": "employment.csv"}, reason=("employment", "end_date: end before start", 1)),
    Case("employment-text-in-hours",
         {"employment.csv": EMPLOYMENT_HEAD + EMPLOYMENT_OK + "A2,2024-05-02,,study,puolipäivä,\n"},
         ("employment.csv, row 3, column 'hours_per_week', value \"puolipäivä\"", "not a number"),
         tables={"employment": "employment.csv"}, reason=("employment", "hours_per_week: not a number", 1)),
    Case("employment-mixed-decimal-marks",
         {"employment.csv": "client_id;start_date;status;hours_per_week\r\nA1;1.3.2024;competitive;37,5\r\n"
                            "A2;2.5.2024;study;20.5\r\n"},
         ("employment.csv, row 2, column 'hours_per_week', value \"37,5\"",
          "employment.csv, row 3, column 'hours_per_week', value \"20.5\"", "both decimal marks", "decimal:"),
         tables={"employment": "employment.csv"}),
    Case("employment-orphan",
         {"employment.csv": EMPLOYMENT_HEAD + EMPLOYMENT_OK + "B7,2024-05-02,,study,,\n"},
         ("employment.csv, row 3, column 'client_id', value \"B7\"", "orphan"),
         tables={"employment": "employment.csv"}, reason=("employment", "client_id: unknown client", 1)),
    Case("employment-parquet-date-stored-as-integer",
         {"employment.parquet": _parquet("employment.parquet", pd.DataFrame({
             "client_id": ["A1", "A2"], "start_date": [20240301, 20240502], "status": ["competitive", "study"]}))},
         ("employment.parquet, row 1, column 'start_date', value \"20240301\"", "stored as int64"),
         tables={"employment": "employment.parquet"}),
    Case("employment-excel-wrong-sheet",
         {"employment.xlsx": _xlsx("employment.xlsx", pd.DataFrame({"client_id": ["A1"], "start_date": ["2024-03-01"],
                                                                    "status": ["competitive"]}), sheet="Taul1")},
         ("employment.xlsx", "no sheet 'Työsuhteet'", "Taul1"),
         tables={"employment": {"path": "employment.xlsx", "sheet": "Työsuhteet"}}),
    Case("employment-excel-wrong-columns",
         {"employment.xlsx": _xlsx("employment.xlsx", pd.DataFrame({"asiakas": ["A1"], "alkupvm": ["2024-03-01"],
                                                                    "status": ["competitive"]}))},
         ("employment.xlsx, row 1, column 'client_id'", "required column is missing"),
         tables={"employment": "employment.xlsx"}),
    Case("employment-excel-text-in-date",
         {"employment.xlsx": _xlsx("employment.xlsx", pd.DataFrame({
             "client_id": ["A1", "A2"], "start_date": [pd.Timestamp("2024-03-01"), "ei tiedossa"],
             "status": ["competitive", "study"]}))},
         ("employment.xlsx, row 3, column 'start_date', value \"ei tiedossa\"",),
         tables={"employment": "employment.xlsx"}, reason=("employment", "start_date: bad date", 1)),
    Case("employment-excel-corrupt", {"employment.xlsx": b"PK\x03\x04 not a workbook"},
         ("employment.xlsx", "cannot read"), tables={"employment": "employment.xlsx"}),
    # ------------------------------------------------------------ questionnaires
    Case("questionnaire-phq-item-4",
         {"q.csv": Q_HEAD + PHQ_OK + "A2,2024-03-01,PHQ-9,1,4,1,1,1,1,1,1,1,12\n"},
         ("q.csv, row 3, column 'item_2', value \"4\"", "between 0 and 3"),
         tables={"questionnaires": "q.csv"}, reason=("questionnaires", "item_2: out of range", 1)),
    Case("questionnaire-gad7-with-9-items",
         {"q.csv": Q_HEAD + PHQ_OK + "A2,2024-03-01,GAD-7,1,1,1,1,1,1,1,1,1,9\n"},
         ("q.csv, row 3, column 'item_8', value \"1\"", "GAD-7 has 7"),
         tables={"questionnaires": "q.csv"}, reason=("questionnaires", "instrument: items beyond instrument", 1)),
    Case("questionnaire-total-disagrees",
         {"q.csv": Q_HEAD + PHQ_OK + "A2,2024-03-01,GAD-7,2,2,2,2,2,2,2,,,15\n"},
         ("q.csv, row 3, column 'total', value \"15\"", "disagrees"),
         tables={"questionnaires": "q.csv"}, reason=("questionnaires", "total: total disagrees with items", 1)),
    Case("questionnaire-unknown-instrument",
         {"q.csv": Q_HEAD + PHQ_OK + "A2,2024-03-01,BDI-II,,,,,,,,,,20\n"},
         ("q.csv, row 3, column 'instrument', value \"BDI-II\"", "must be one of"),
         tables={"questionnaires": "q.csv"}, reason=("questionnaires", "instrument: value not allowed", 1)),
    Case("questionnaire-no-answers",
         {"q.csv": Q_HEAD + PHQ_OK + "A2,2024-03-01,GAD-7,,,,,,,,,,\n"},
         ("q.csv, row 3, column 'total'", "neither item answers nor a total"),
         tables={"questionnaires": "q.csv"}, reason=("questionnaires", "total: no items and no total", 1)),
    Case("questionnaire-before-data-start",
         {"q.csv": Q_HEAD + PHQ_OK + "A2,2019-03-01,GAD-7,2,2,2,2,2,2,2,,,14\n"},
         ("q.csv, row 3, column 'date', value \"2019-03-01\"", "outside the data window"),
         tables={"questionnaires": "q.csv"}, reason=("questionnaires", "date: outside data window", 1)),
    # ------------------------------------------------------------ fidelity
    Case("fidelity-duplicate-item",
         {"fidelity.csv": FID_HEAD + "2024-06-01,1,4\n2024-06-01,2,5\n2024-06-01,2,3\n"},
         ("fidelity.csv, row 4, column 'review_date + item', value \"2024-06-01 / 2\"",
          "duplicate review_date + item (also on row 3)"),
         tables={"fidelity": "fidelity.csv"}, reason=("fidelity", "review_date + item: duplicate", 2)),
    Case("fidelity-item-26",
         {"fidelity.csv": FID_HEAD + "2024-06-01,1,4\n2024-06-01,26,5\n"},
         ("fidelity.csv, row 3, column 'item', value \"26\"", "between 1 and 25"),
         tables={"fidelity": "fidelity.csv"}, reason=("fidelity", "item: out of range", 1)),
    Case("fidelity-score-0",
         {"fidelity.csv": FID_HEAD + "2024-06-01,1,0\n2024-06-01,2,5\n"},
         ("fidelity.csv, row 2, column 'score', value \"0\"", "between 1 and 5"),
         tables={"fidelity": "fidelity.csv"}, reason=("fidelity", "score: out of range", 1)),
    # ------------------------------------------------------------ waits
    Case("waits-event-before-contact",
         {"waits.csv": WAITS_HEAD + "W1,A1,psychiatry,2024-02-01,2024-02-10\nW2,A2,psychiatry,2024-03-01,2024-02-20\n"},
         ("waits.csv, row 3, column 'event_date', value \"2024-02-20\"", "event_date is before contact_date"),
         tables={"waits": "waits.csv"}, reason=("waits", "event_date: end before start", 1)),
    Case("waits-duplicate-case-id",
         {"waits.csv": WAITS_HEAD + "W1,A1,psychiatry,2024-02-01,2024-02-10\nW1,A2,psychiatry,2024-03-01,\n"},
         ("waits.csv, row 3, column 'case_id', value \"W1\"", "duplicate case_id (also on row 2)"),
         tables={"waits": "waits.csv"}, reason=("waits", "case_id: duplicate", 2)),
    Case("waits-hetu-as-case-id",
         {"waits.csv": WAITS_HEAD + f"W1,A1,psychiatry,2024-02-01,2024-02-10\n{HETU},A2,psychiatry,2024-03-01,\n"},
         ("waits.csv, row 3, column 'case_id'", "henkilötunnus"),
         tables={"waits": "waits.csv"}, hidden=HETU),
    # ------------------------------------------------------------ indicators (reach)
    Case("indicators-bad-period",
         {"ind.csv": IND_HEAD + "groups_running,2024Q3,4\ngroups_running,2024/Q4,5\n"},
         ("ind.csv, row 3, column 'period', value \"2024/Q4\"", "quarter (2024Q3)"),
         tables={"indicators": "ind.csv"}, reason=("indicators", "period: bad period", 1)),
    Case("indicators-text-value",
         {"ind.csv": IND_HEAD + "groups_running,2024Q3,4\ngroups_running,2024Q4,neljä\n"},
         ("ind.csv, row 3, column 'value', value \"neljä\"", "not a number"),
         tables={"indicators": "ind.csv"}, reason=("indicators", "value: not a number", 1)),
    # ------------------------------------------------------------ costs
    Case("unit-cost-missing-for-used-service",
         {"uc.csv": UC_HEAD + "psychiatry,,,120.50,2024,THL\n"},
         ("uc.csv", "column 'service'", "value \"primary_care\"", "no unit cost for 1 visit(s)"),
         tables={"unit_costs": "uc.csv"}),
    Case("unit-cost-negative",
         {"uc.csv": UC_HEAD + UC_OK + "dental,,,-40,2024,THL\n"},
         ("uc.csv, row 4, column 'unit_cost_eur', value \"-40\"", "at least 0"),
         tables={"unit_costs": "uc.csv"}, reason=("unit_costs", "unit_cost_eur: out of range", 1)),
    Case("intervention-costs-unknown-basis",
         {"ic.csv": "item,amount_eur,year,basis\nIPS-valmentaja,52000,2024,total\nkoulutus,300,2024,monthly\n"},
         ("ic.csv, row 3, column 'basis', value \"monthly\"", "must be one of"),
         tables={"intervention_costs": "ic.csv"}, reason=("intervention_costs", "basis: value not allowed", 1)),
    Case("price-index-duplicate-year",
         {"pi.csv": "year,index\n2023,100\n2024,103.2\n2024,104\n"},
         ("pi.csv, row 4, column 'year', value \"2024\"", "duplicate year (also on row 3)"),
         tables={"price_index": "pi.csv"}, reason=("price_index", "year: duplicate", 2)),
    # ------------------------------------------------------------ file types
    Case("unknown-file-type", {"employment.json": "[]"}, ("employment.json", "unknown file type"),
         tables={"employment": "employment.json"}),
]

ROW_CASES = [c for c in CASES if c.reason is not None]


def _setup(tmp_path: Path, case: Case, *, quarantine: bool = False) -> tuple[Path, Path]:
    """A data dir (valid base files + the case's files) and a params file using them."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "clients.csv").write_text(CLIENTS, encoding="utf-8")
    (data / "visits.csv").write_text(VISITS, encoding="utf-8")
    for rel in case.remove:
        (data / rel).unlink()
    for rel, content in case.files.items():
        if callable(content):
            content(data)
        elif isinstance(content, bytes):
            (data / rel).parent.mkdir(parents=True, exist_ok=True)
            (data / rel).write_bytes(content)
        else:
            (data / rel).parent.mkdir(parents=True, exist_ok=True)
            (data / rel).write_text(content, encoding="utf-8")
    pdir = tmp_path / "params"
    pdir.mkdir()
    (pdir / "defaults.yaml").write_text("# isolated from the project's defaults\n", encoding="utf-8")
    params = {"model": "testi", "name": "Testi", "data_start": "2021-01-01", "data_cutoff": "2025-12-31",
              "measures": ["visits"], "tables": {"clients": "clients.csv", "visits": "visits.csv", **case.tables}}
    if quarantine:
        params["on_invalid_rows"] = "quarantine"
    pfile = pdir / "testi.yaml"
    pfile.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return data, pfile


def _validate(capsys, data: Path, pfile: Path, *extra: str) -> tuple[int, str, str]:
    code = cli.main(["validate", "--params", str(pfile), "--data", str(data), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text
    assert "internal error" not in text
    assert 'File "' not in text


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)
    tables = {t for c in CASES for t in ("clients", "visits", *c.tables)}
    assert {"clients", "visits", "employment", "questionnaires", "fidelity", "waits", "indicators",
            "unit_costs", "intervention_costs", "price_index"} <= tables


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_malformed_input_stops_with_a_located_message(tmp_path, capsys, case):
    data, pfile = _setup(tmp_path, case)
    code, out, err = _validate(capsys, data, pfile)
    _no_traceback(out + err)
    assert code == 2, out + err
    for fragment in case.expect:
        assert fragment in err, f"{fragment!r} not in:\n{err}"
    if case.hidden is not None:
        assert case.hidden not in out + err


@pytest.mark.parametrize("case", ROW_CASES, ids=lambda c: c.id)
def test_malformed_rows_are_quarantined_and_counted(tmp_path, capsys, case):
    data, pfile = _setup(tmp_path, case, quarantine=True)
    code, out, err = _validate(capsys, data, pfile, "--out", str(tmp_path / "reports"))
    _no_traceback(out + err)
    assert code == 0, out + err
    table, reason, count = case.reason
    block = [ln.strip() for ln in out.split(f"\n{table} ", 1)[1].split("\n")]
    totals = block[0].split()
    read, accepted, rejected = (int(x) for x in totals[:3])
    assert accepted + rejected == read
    assert f"rejected {count:>8}  {reason}" in block, f"{reason!r} ×{count} not in the flow:\n{out}"
    # every rejected row is in the internal rejects file, with the row number the user sees
    rejects = tmp_path / "reports" / "testi" / "rejects"
    assert f"rejected rows (internal, never published): {rejects}" in out
    rej = pd.read_csv(rejects / f"{table}.csv", dtype=str, keep_default_na=False)
    assert len(rej) == rejected
    assert rej["reasons"].str.contains(reason, regex=False).sum() >= count
    expected_row = case.expect[0].split(", row ", 1)[1].split(",")[0]
    assert expected_row in rej["row"].tolist(), rej
    assert rej["file"].str.endswith(case.expect[0].split(",")[0]).all()


# A few cases as a user runs them: a separate process, the installed entry point.
SUBPROCESS_CASES = ["clients-31-feb-finnish", "visits-hetu-as-client-id", "questionnaire-phq-item-4",
                    "visits-parquet-orphan"]


@pytest.mark.parametrize("case_id", SUBPROCESS_CASES)
def test_malformed_input_in_a_subprocess(tmp_path, case_id):
    case = next(c for c in CASES if c.id == case_id)
    data, pfile = _setup(tmp_path, case)
    res = run_cli("validate", "--params", str(pfile), "--data", str(data), env={"EVALKIT_DEBUG": ""})
    _no_traceback(res.stdout + res.stderr)
    assert res.returncode == 2, res.stderr
    for fragment in case.expect:
        assert fragment in res.stderr


def test_run_stops_before_any_notebook(tmp_path):
    """``evalkit run`` validates first: exit 2, the message, and no kernel started."""
    case = next(c for c in CASES if c.id == "employment-negative-hours")
    data, pfile = _setup(tmp_path, case)
    res = run_cli("run", "--params", str(pfile), "--data", str(data), "--out", str(tmp_path / "reports"),
                  "--quiet", env={"EVALKIT_DEBUG": ""})
    _no_traceback(res.stdout + res.stderr)
    assert res.returncode == 2, res.stderr
    assert case.expect[0] in res.stderr
    assert not (tmp_path / "reports" / "testi" / "notebooks").exists()


def test_cp1252_file_is_shown_with_its_letters(tmp_path, capsys):
    """The value in the message is decoded text, not mojibake of the cp1252 bytes."""
    case = next(c for c in CASES if c.id == "clients-cp1252-umlaut-value")
    data, pfile = _setup(tmp_path, case)
    _code, _out, err = _validate(capsys, data, pfile)
    assert "vertailuryhmÃ" not in err and "vertailuryhm\ufffd" not in err


# Empty lines are not errors, but nothing may be dropped without being counted: every table
# counts them under 'empty row' in the flow (visits too, whose CSV reader skips them).
BLANK_CASES = {
    # file(s), blank lines, rows, expected flow line of visits (read, accepted, rejected)
    "visits-blank-lines": ({"visits.csv": VISITS.replace("\nA2", "\n\n\nA2") + "\n"}, 3),
    "visits-blank-lines-windows-finnish": (
        {"visits.csv": to_finnish(VISITS.replace("\nA2", "\n\nA2")) + b"\r\n"}, 2),
    "visits-blank-line-inside-a-quoted-value-is-not-counted": (
        {"visits.csv": "client_id,date,service,n,lisatieto\nA1,2024-02-03,psychiatry,1,\"eka\n\ntoka\"\n\n"
                       "A2,2024-02-04,primary_care,2,\n"}, 1),
    "visits-glob-blank-lines-in-each-file": (
        {"v/a.csv": "client_id,date,service\n\nA1,2024-02-03,psychiatry\n",
         "v/b.csv": "client_id,date,service\nA2,2024-02-04,dental\n\n\n"}, 3),
}


@pytest.mark.parametrize("case_id", list(BLANK_CASES))
def test_visits_blank_lines_are_counted(tmp_path, capsys, case_id):
    files, blank = BLANK_CASES[case_id]
    case = Case(case_id, files, (), tables={"visits": "v/*.csv"} if "glob" in case_id else {})
    data, pfile = _setup(tmp_path, case)
    code, out, err = _validate(capsys, data, pfile)
    _no_traceback(out + err)
    assert code == 0, out + err
    read, accepted, rejected = (int(x) for x in out.split("\nvisits ", 1)[1].split()[:3])
    assert (read, accepted, rejected) == (2 + blank, 2, blank), out
    assert f"rejected {blank:>8}  empty row" in out


def test_visits_record_short_of_two_fields_is_counted_once(tmp_path, capsys):
    """DuckDB logs a record once per missing field; the flow and the rejects file count it once."""
    case = Case("visits-two-fields-short", {"visits.csv": VISITS + "A1,2024-02-05\n"}, ())
    data, pfile = _setup(tmp_path, case, quarantine=True)
    code, out, err = _validate(capsys, data, pfile, "--out", str(tmp_path / "reports"))
    assert code == 0, out + err
    assert "rejected        1  wrong number of fields" in out, out
    rej = pd.read_csv(tmp_path / "reports" / "testi" / "rejects" / "visits.csv", dtype=str)
    assert rej["row"].tolist() == ["4"]
