"""evalkit.measures.employment: against an independent R implementation
(``tests/reference/employment.R``), hand-made cases and the ips demo truth.

Data: ``tests/reference/data/employment_clients.csv`` and ``employment_episodes.csv``
(300 enrolled clients + 40 never started, cut-off 2024-12-31; clients still in coaching,
jobs before the index date, overlapping and duplicated episodes, own follow-up ends).
Expected: ``expected/employment_clients.csv`` (per client, follow-up until the end and
capped at 365 days) and ``expected/employment.csv`` (R 4.2.2, survival 3.5.3).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import AnalysisError
from evalkit.measures.employment import OUTCOME_COLUMNS, client_outcomes

from .conftest import ROOT

# --- tolerances ----------------------------------------------------------------------------
#: Day counts and flags: exact. Weeks, hours and wages: sums of a few products.
RTOL_PER_CLIENT = 1e-12

REF = ROOT / "tests" / "reference"
CLIENTS = pd.read_csv(REF / "data" / "employment_clients.csv", dtype=str, keep_default_na=False)
EPISODES = pd.read_csv(REF / "data" / "employment_episodes.csv", dtype=str, keep_default_na=False)
R_CLIENTS = pd.read_csv(REF / "expected" / "employment_clients.csv")
CUTOFF = date(2024, 12, 31)
VARIANTS = {"all": None, "365": 365}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_client_outcomes_match_r(variant: str) -> None:
    got = client_outcomes(CLIENTS, EPISODES, cutoff=CUTOFF, followup_days=VARIANTS[variant])
    want = R_CLIENTS[R_CLIENTS["variant"].astype(str) == variant].reset_index(drop=True)
    assert list(got.columns) == list(OUTCOME_COLUMNS)
    assert got["client_id"].tolist() == want["client_id"].tolist()
    assert got["group"].tolist() == want["group"].tolist()
    for col in ("employed", "progressed", "event"):
        assert got[col].tolist() == want[col].astype(bool).tolist(), col
    for col in ("days_to_first_job", "followup_days", "time", "weeks_worked", "longest_job_weeks",
                "hours_per_week", "total_wages_eur"):
        np.testing.assert_allclose(got[col].to_numpy(dtype=float), want[col].to_numpy(dtype=float),
                                   rtol=RTOL_PER_CLIENT, err_msg=col)
    h20 = got["works_20h_or_more"].astype(object).where(got["works_20h_or_more"].notna(), None).tolist()
    want_h20 = [None if pd.isna(v) else bool(v) for v in want["works_20h_or_more"]]
    assert h20 == want_h20


def test_dataset_covers_the_hard_cases() -> None:
    # the committed data must actually contain what the R comparison is meant to exercise
    out = client_outcomes(CLIENTS, EPISODES, cutoff=CUTOFF)
    eps = EPISODES.merge(CLIENTS[["client_id", "index_date"]], on="client_id")
    jobs = eps[eps["status"].isin(["competitive", "self_employed"]) & (eps["index_date"] != "")]
    before = jobs[jobs["start_date"] < jobs["index_date"]]
    ongoing_before = before[(before["end_date"] == "") | (before["end_date"] >= before["index_date"])]
    assert len(ongoing_before) >= 5
    assert (out["followup_days"][~out["event"]] < 365).sum() >= 10  # still in coaching: censored early
    assert (out["days_to_first_job"] == 0).sum() >= 1
    dup = jobs.duplicated(["client_id", "start_date", "end_date", "status"]).sum()
    assert dup >= 1
    assert (out["weeks_worked"] < out["longest_job_weeks"] - 1e-9).sum() == 0  # union ≥ longest job


def _one(emp_rows: list[tuple], *, index: str = "2023-01-01", own_end: str = "", **kw) -> pd.Series:
    clients = pd.DataFrame({"client_id": ["A"], "group": ["intervention"], "index_date": [index],
                            "followup_end": [own_end]})
    emp = pd.DataFrame(emp_rows, columns=["client_id", "start_date", "end_date", "status", "hours_per_week",
                                          "monthly_wage_eur"])
    return client_outcomes(clients, emp, cutoff=kw.pop("cutoff", "2023-12-31"), **kw).iloc[0]


def test_job_started_before_index_is_not_an_outcome() -> None:
    r = _one([("A", "2022-06-01", "", "competitive", 30, 2000)])
    assert not r["employed"] and not r["event"] and np.isnan(r["days_to_first_job"])
    assert r["time"] == r["followup_days"] == 364 and r["weeks_worked"] == 0


def test_overlapping_jobs_count_once() -> None:
    # 2023-02-01..2023-02-28 (28 days) and 2023-02-15..2023-03-14 (28 days): union 42 days
    r = _one([("A", "2023-02-01", "2023-02-28", "competitive", 20, 1000),
              ("A", "2023-02-15", "2023-03-14", "self_employed", 10, 500)])
    assert r["employed"] and r["days_to_first_job"] == 31
    assert r["weeks_worked"] == pytest.approx(42 / 7) and r["longest_job_weeks"] == pytest.approx(4.0)
    assert r["hours_per_week"] == pytest.approx(15.0) and bool(r["works_20h_or_more"])
    assert r["total_wages_eur"] == pytest.approx((1000 * 28 + 500 * 28) / 30.4375)


def test_followup_end_and_window() -> None:
    # own follow-up end before the job: censored there, job not counted
    r = _one([("A", "2023-06-01", "", "competitive", 20, 1000)], own_end="2023-03-01")
    assert not r["employed"] and r["followup_days"] == 59
    # progression only: progressed, not employed; rehabilitation is neither
    r = _one([("A", "2023-02-01", "2023-03-01", "study", None, None)])
    assert r["progressed"] and not r["employed"]
    r = _one([("A", "2023-02-01", "2023-03-01", "rehabilitation", None, None)])
    assert not r["progressed"]
    # followup_days caps the window
    r = _one([("A", "2023-06-01", "", "competitive", 20, 1000)], followup_days=100)
    assert not r["employed"] and r["followup_days"] == 100


def test_not_enrolled_clients_get_no_row_and_inputs_unchanged() -> None:
    before_c, before_e = CLIENTS.copy(), EPISODES.copy()
    out = client_outcomes(CLIENTS, EPISODES, cutoff=CUTOFF)
    assert len(out) == (CLIENTS["index_date"] != "").sum()
    pd.testing.assert_frame_equal(CLIENTS, before_c)
    pd.testing.assert_frame_equal(EPISODES, before_e)


@pytest.mark.parametrize(("clients", "emp", "message"), [
    ({"client_id": ["A"], "index_date": ["2023-13-01"]}, None, "index_date"),
    ({"client_id": ["A", "A"], "index_date": ["2023-01-01"] * 2}, None, "duplicated"),
    ({"client_id": ["A"], "index_date": ["2023-01-01"], "group": ["treated"]}, None, "'treated'"),
    ({"client_id": ["A"], "index_date": ["2023-01-01"], "followup_end": ["2022-12-01"]}, None,
     "before the index date"),
    ({"client_id": ["A"], "index_date": ["2023-01-01"]},
     {"client_id": ["A"], "start_date": ["2023-05-01"], "end_date": ["2023-04-01"], "status": ["competitive"]},
     "precedes"),
])
def test_bad_input_names_the_problem(clients, emp, message) -> None:
    emp = emp or {"client_id": [], "start_date": [], "end_date": [], "status": []}
    with pytest.raises(AnalysisError, match=message):
        client_outcomes(pd.DataFrame(clients), pd.DataFrame(emp), cutoff="2023-12-31")


def test_no_cutoff_needs_followup_end() -> None:
    with pytest.raises(AnalysisError, match="no followup_end"):
        client_outcomes(pd.DataFrame({"client_id": ["A"], "index_date": ["2023-01-01"]}),
                        pd.DataFrame({"client_id": [], "start_date": [], "status": []}))


def test_demo_truth_client_outcomes(demo_data) -> None:
    # data/demo/TRUTH.yaml, ips: 73 agreements, 25 competitive jobs (fixed by design), 41 progressed
    import evalkit
    from evalkit.data.demo import read_truth
    from evalkit.measures.employment import outcome_options

    ctx = evalkit.open_model("ips", measure="employment", data_root=demo_data)
    data = ctx.load()
    out = client_outcomes(data.clients, data.employment, **outcome_options(ctx.params))
    doc = read_truth(demo_data / "demo" / "TRUTH.yaml")
    truth = doc["models"]["ips"]
    iv = out[out["group"] == "intervention"]
    assert len(iv) == truth["parameters"]["agreements"] == 73
    assert int(iv["employed"].sum()) == truth["parameters"]["employed_competitive"] == 25
    assert int(iv["progressed"].sum()) == 25 + truth["parameters"]["progressed_other"] == 41
    true_p = doc["by_key"][("ips", "employment", "employed", "intervention")]["value"]  # rounded in the file
    assert int(iv["employed"].sum()) / len(iv) == pytest.approx(true_p, abs=5e-5)
    assert int(out.loc[out["group"] == "comparison", "employed"].sum()) == truth["realised"]["comparison_employed"]
