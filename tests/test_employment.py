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
from evalkit.measures.employment import (
    OUTCOME_COLUMNS,
    client_outcomes,
    employment_outcomes,
    icd10_match,
)
from evalkit.measures.fidelity import fidelity_band, fidelity_reviews

from .conftest import ROOT

# --- tolerances ----------------------------------------------------------------------------
#: Day counts and flags: exact. Weeks, hours and wages: sums of a few products.
RTOL_PER_CLIENT = 1e-12
#: KM medians are event times: exact. Wilson / Newcombe / Katz / KM values: closed forms on both
#: sides, R writes 15 digits. Cox: both fit by Newton iterations to convergence.
ATOL_DAYS = 0.0
RTOL_CLOSED = 1e-9
RTOL_COX = 1e-6

REF = ROOT / "tests" / "reference"
CLIENTS = pd.read_csv(REF / "data" / "employment_clients.csv", dtype=str, keep_default_na=False)
EPISODES = pd.read_csv(REF / "data" / "employment_episodes.csv", dtype=str, keep_default_na=False)
R_CLIENTS = pd.read_csv(REF / "expected" / "employment_clients.csv")
R = pd.read_csv(REF / "expected" / "employment.csv", dtype={"variant": str})
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


@pytest.fixture(scope="module", params=list(VARIANTS))
def measured(request):
    return request.param, employment_outcomes(CLIENTS, EPISODES, cutoff=CUTOFF, followup_days=VARIANTS[request.param])


_IND = {"employed": "employment_rate", "progressed": "progression_rate"}


def _close(got, want, rtol: float, what: str) -> None:
    for a, b in ((got.estimate, want["estimate"]), (got.ci_low, want["ci_low"]), (got.ci_high, want["ci_high"])):
        if np.isnan(b):
            assert a is None or np.isnan(a), what
        else:
            assert a == pytest.approx(b, rel=rtol, abs=ATOL_DAYS if rtol == 0 else 0), what


def test_rates_and_survival_match_r(measured) -> None:
    # R: prop.test(x, n, correct = FALSE)$conf.int; survfit print median (summary(fit)$table);
    #    1 - summary(fit, times = t)$surv with 1 - upper / 1 - lower
    variant, res = measured
    checked = 0
    for _, want in R[(R["variant"] == variant) & (R["group"] != "all")].iterrows():
        q = _IND.get(want["quantity"], want["quantity"].replace("median_days", "days_to_first_job_median"))
        try:
            got = res.get(q, want["group"])
        except KeyError:
            # employed_by_365d with follow-up capped at 365: the curve is estimated there
            raise AssertionError(f"{q} {want['group']} missing; notes: {res.notes}") from None
        _close(got, want, 0.0 if q.endswith("median") else RTOL_CLOSED, f"{variant} {q} {want['group']}")
        assert got.n == want["n"]
        checked += 1
    assert checked == 2 * 6


def test_comparison_matches_r(measured) -> None:
    # R: Newcombe method 10 from prop.test limits; Katz RR; coxph(Surv(time, event) ~ group, ties = "efron")
    variant, res = measured
    for q, rtol in (("risk_difference", RTOL_CLOSED), ("risk_ratio", RTOL_CLOSED), ("hazard_ratio", RTOL_COX)):
        want = R[(R["variant"] == variant) & (R["quantity"] == q)].iloc[0]
        _close(res.get(q), want, rtol, f"{variant} {q}")


def test_ips_measures_are_means_of_client_outcomes(measured) -> None:
    # the per-client values are checked against R above; the summaries are t intervals of them
    _, res = measured
    o = res.outcomes[res.outcomes["group"] == "intervention"]
    emp = o[o["employed"]]
    assert res.get("weeks_worked_mean", "intervention").estimate == pytest.approx(o["weeks_worked"].mean())
    assert res.get("weeks_worked_mean", "intervention").n == len(o)
    assert res.get("longest_job_weeks_mean", "intervention").n == len(emp)
    h = emp["hours_per_week"].dropna()
    assert res.get("hours_per_week_mean", "intervention").estimate == pytest.approx(h.mean())
    s20 = res.get("share_20h_or_more", "intervention")
    assert s20.numerator == int(emp["works_20h_or_more"].dropna().sum()) and s20.n == emp["works_20h_or_more"].notna().sum()


def test_funnel_and_flow() -> None:
    res = employment_outcomes(CLIENTS, EPISODES, cutoff=CUTOFF)
    f = res.funnel.set_index(["group", "stage"])["n"]
    assert f[("intervention", "referred")] == 200 and f[("intervention", "enrolled")] == 160
    assert ("comparison", "referred") not in f.index
    assert res.get("referred", "intervention").estimate == 200
    assert res.get("employment_rate_referred", "intervention").n == 200
    assert res.rows_used + sum(res.rows_excluded.values()) == len(EPISODES)
    assert res.rows_excluded["alkoi ennen aloituspäivää"] >= 5
    assert res.clients_used == 300 and res.clients_excluded == {"ei aloittanut (ei aloituspäivää)": 40}
    # the curves stop where fewer than min_cell are at risk
    assert res.curves.groupby("group")["n_risk"].min().min() >= 5


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
    true_p = doc["by_key"][("ips", "employment", "employment_rate", "intervention")]["value"]  # rounded in the file
    assert int(iv["employed"].sum()) / len(iv) == pytest.approx(true_p, abs=5e-5)
    assert int(out.loc[out["group"] == "comparison", "employed"].sum()) == truth["realised"]["comparison_employed"]


@pytest.mark.parametrize(("diagnoses", "codes", "hit"), [
    ("F20.0", ["F20-F25"], True), ("F25.1;F41.1", ["F20-F25"], True), ("F26", ["F20-F25"], False),
    ("F19.2", ["F20-F25"], False), ("F29", ["F29"], True), ("F29.0", ["F29"], True),
    ("F31.6", ["F31.6-F31.9"], True), ("F31.9", ["F31.6-F31.9"], True), ("F31.5", ["F31.6-F31.9"], False),
    ("F31", ["F31.6-F31.9"], False), ("f316", ["F31.6-F31.9"], True), ("", ["F20-F25"], False),
    (None, ["F29"], False), ("F32.1; F20.5", ["F20-F25", "F29"], True),
])
def test_icd10_match(diagnoses, codes, hit) -> None:
    assert icd10_match(diagnoses, codes) is hit


def test_subgroups_split_the_intervention_group() -> None:
    subs = [{"label": "Psykoosi", "icd10": ["F20-F25", "F29"]}]
    clients = CLIENTS.assign(diagnoses=["F20.0" if i % 3 == 0 else "F32.1" for i in range(len(CLIENTS))])
    res = employment_outcomes(clients, EPISODES, cutoff=CUTOFF, subgroups=subs)
    yes, no = res.get("employment_rate", "Psykoosi:kyllä"), res.get("employment_rate", "Psykoosi:ei")
    total = res.get("employment_rate", "intervention")
    assert yes.n + no.n == total.n and yes.numerator + no.numerator == total.numerator
    o = res.outcomes.merge(clients[["client_id", "diagnoses"]], on="client_id")
    o = o[(o["group"] == "intervention") & (o["diagnoses"] == "F20.0")]
    assert yes.n == len(o) and yes.numerator == int(o["employed"].sum())


# --- fidelity ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("total", "band"), [(125, "exemplary"), (115, "exemplary"), (114, "good"), (100, "good"),
                                             (99, "fair"), (74, "fair"), (73, "not_supported"), (25, "not_supported")])
def test_fidelity_bands(total, band) -> None:
    # ../shared/domain.md: 115–125 exemplary, 100–114 good, 74–99 fair, ≤ 73 not supported
    assert fidelity_band(total) == band


def test_fidelity_incomplete_review_is_not_scored() -> None:
    full = [{"review_date": "2023-01-10", "item": k, "score": 4} for k in range(1, 26)]
    part = [{"review_date": "2023-07-10", "item": k, "score": 5} for k in range(1, 24)]
    res = fidelity_reviews(pd.DataFrame(full + part))
    r = res.reviews.set_index(res.reviews["review_date"].dt.date.astype(str))
    assert r.loc["2023-01-10", "total"] == 100 and r.loc["2023-01-10", "band"] == "good"
    assert not r.loc["2023-07-10", "complete"] and r.loc["2023-07-10", "band"] == "incomplete"
    assert r.loc["2023-07-10", "missing_items"] == "24, 25"
    assert res.get("fidelity_total").estimate == 100  # latest *complete* review
    with pytest.raises(KeyError):
        res.get("fidelity_total", "review:2023-07-10")
    assert res.get("fidelity_items_scored", "review:2023-07-10").estimate == 23


def test_fidelity_bad_score() -> None:
    with pytest.raises(AnalysisError, match="score"):
        fidelity_reviews(pd.DataFrame({"review_date": ["2023-01-10"], "item": [1], "score": [6]}))


def test_ips_demo_truth(demo_data) -> None:
    # Issue 6 acceptance (seed 001): 118 referred, 73 enrolled, 25 employed (34 %, with its
    # interval), 41 progressed (56 %), fidelity 108 "good"; the comparison contrast contains
    # the generating risk ratio and difference.
    import evalkit
    from evalkit.data.demo import read_truth
    from evalkit.measures.employment import options_from_params

    ctx = evalkit.open_model("ips", measure="employment", data_root=demo_data)
    data = ctx.load()
    res = employment_outcomes(data.clients, data.employment, data.fidelity, **options_from_params(ctx.params))
    truth = read_truth(demo_data / "demo" / "TRUTH.yaml")["by_key"]
    assert res.get("referred", "intervention").estimate == 118
    assert res.get("enrolled", "intervention").estimate == 73
    emp = res.get("employment_rate", "intervention")
    assert (emp.numerator, emp.n) == (25, 73) and round(emp.estimate * 100) == 34
    assert emp.ci_low < truth[("ips", "employment", "employment_rate", "intervention")]["value"] < emp.ci_high
    prog = res.get("progression_rate", "intervention")
    assert (prog.numerator, prog.n) == (41, 73) and round(prog.estimate * 100) == 56
    assert res.get("fidelity_total").estimate == truth[("ips", "fidelity", "fidelity_total", "all")]["value"] == 108
    assert res.fidelity.latest["band"] == "good"
    # 3 of 73 employed by day 90: the Kaplan–Meier share is suppressed at source (no numerator to suppress by)
    e90 = res.get("employed_by_90d", "intervention")
    assert e90.suppressed and e90.estimate is None
    assert not res.get("employed_by_365d", "intervention").suppressed
    for ind in ("risk_ratio", "risk_difference"):
        e = res.get(ind)
        assert e.ci_low < truth[("ips", "employment", ind, "all")]["value"] < e.ci_high, ind
        assert e.estimate == pytest.approx(truth[("ips", "employment", ind, "all")]["sample_value"], abs=5e-6)


# --- wording ----------------------------------------------------------------------------------
def test_narrative_without_comparison_group_makes_no_effect_claim() -> None:
    from evalkit.report.wording import causal_phrases, employment_limitations, employment_narrative

    only = CLIENTS[CLIENTS["group"] != "comparison"]
    res = employment_outcomes(only, EPISODES, cutoff=CUTOFF)
    assert not res.has_comparison
    text = employment_narrative(res, min_cell=5)
    assert "vertailuryhmään" not in text and "riskisuhde" not in text
    assert causal_phrases(text) == []
    assert "Ilman vertailuryhmää" in employment_limitations(res)
    e = res.get("employment_rate", "intervention")
    assert f"{e.numerator} / {e.n}" in text  # numerator and denominator with every percentage


def test_methods_state_the_min_cell_in_use() -> None:
    from evalkit.report.wording import employment_methods

    res = employment_outcomes(CLIENTS, EPISODES, cutoff=CUTOFF)
    assert "Alle 5 henkilön solut on peitetty." in employment_methods(res)
    assert "Alle 8 henkilön solut on peitetty." in employment_methods(res, min_cell=8)
    assert "fewer than 8 persons" in employment_methods(res, min_cell=8, language="en")


def test_narrative_with_comparison_states_the_design_caveat() -> None:
    from evalkit.report.wording import employment_narrative

    res = employment_outcomes(CLIENTS, EPISODES, cutoff=CUTOFF)
    text = employment_narrative(res, min_cell=5)
    assert "ei ole satunnaistettu" in text
    rd = res.get("risk_difference")
    assert ("eroa vertailuryhmään ei voitu osoittaa" in text) == (rd.ci_low <= 0 <= rd.ci_high)


@pytest.mark.parametrize("target", [None, (0.2, 0.3)])
def test_published_ips_results_only_for_an_ips_model(target) -> None:
    """Seen in the report: the unemployed clients' work-ability model (not IPS) had its
    employment rate set beside THL's IPS evaluation and the IPS trials (49 %, 61 %, 23 %) in
    the text, the benchmarks table and figure. Those compare only with an IPS model
    (params employment.ips); another model keeps the plan's target, if it has one."""
    from evalkit.report.wording import employment_narrative

    published = {"thl_finland", "rct_ips", "rct_control", "rr_meta"}
    ips_words = ("IPS", "THL", "Bond", "Frederick", "1,63")
    other = employment_outcomes(CLIENTS, EPISODES, cutoff=CUTOFF, target=target)
    assert not other.ips and not published & set(other.benchmarks["id"])
    assert other.has_benchmarks == (target is not None)
    assert set(other.benchmark_table()["kind"]) == ({"own", "target"} if target else {"own"})
    text = employment_narrative(other, min_cell=5)
    assert [w for w in ips_words if w in text] == []
    assert ("Hankesuunnitelman tavoite" in text) == (target is not None)
    ips = employment_outcomes(CLIENTS, EPISODES, cutoff=CUTOFF, target=target, ips=True)
    assert ips.has_benchmarks and published <= set(ips.benchmarks["id"])
    text = employment_narrative(ips, min_cell=5)
    assert all(w in text for w in ips_words)


def test_narrative_names_the_progression_statuses_the_params_count() -> None:
    """Seen in the report: the unemployed clients' model counts rehabilitation as progression,
    but the text said 'eteni opiskeluun, vapaaehtoistyöhön tai työkokeiluun' (IPS's list) and
    that clients 'aloitti valmennuksen (yhteistyösopimus)' (IPS's enrolment)."""
    from evalkit.report.wording import employment_narrative

    ips = employment_outcomes(CLIENTS, EPISODES, cutoff=CUTOFF, ips=True)
    assert ips.progression_statuses == ("study", "volunteer", "work_trial")
    text = employment_narrative(ips, min_cell=1)
    assert "eteni opiskeluun, vapaaehtoistyöhön tai työkokeiluun" in text and "valmennuksen" in text
    other = employment_outcomes(CLIENTS, EPISODES, cutoff=CUTOFF,
                                progression_statuses=["study", "work_trial", "rehabilitation", "volunteer"])
    text = employment_narrative(other, min_cell=1)
    assert "eteni opiskeluun, työkokeiluun, kuntoutukseen tai vapaaehtoistyöhön" in text
    assert "valmennuksen" not in text and "yhteistyösopimus" not in text
    sv = employment_narrative(other, min_cell=1, language="sv")
    assert "studier, arbetsprövning, rehabilitering eller frivilligarbete" in sv
    one = employment_outcomes(CLIENTS, EPISODES, cutoff=CUTOFF, progression_statuses=["rehabilitation"])
    assert "eteni kuntoutukseen" in employment_narrative(one, min_cell=1)


@pytest.mark.parametrize(("model", "ips"), [("ips", True), ("tyottomien_tyokyky", False)])
def test_params_say_which_model_is_ips(model: str, ips: bool) -> None:
    from evalkit.measures.employment import options_from_params
    from evalkit.params import load_params

    assert options_from_params(load_params(ROOT / "params" / f"{model}.yaml"))["ips"] is ips


def test_narrative_hides_small_cells() -> None:
    from evalkit.report.wording import employment_narrative

    res = employment_outcomes(CLIENTS.head(12), EPISODES, cutoff=CUTOFF)  # a handful of clients
    text = employment_narrative(res, min_cell=5)
    for e in res.estimates:
        if e.unit == "proportion" and e.numerator is not None and 0 < e.numerator < 5:
            assert f"{e.numerator} / {e.n}" not in text


def test_fidelity_narrative_names_band_and_incomplete_reviews() -> None:
    from evalkit.report.wording import fidelity_narrative

    full = [{"review_date": "2023-01-10", "item": k, "score": 4 if k > 5 else 3} for k in range(1, 26)]
    part = [{"review_date": "2023-07-10", "item": k, "score": 5} for k in range(1, 20)]
    text = fidelity_narrative(fidelity_reviews(pd.DataFrame(full + part)))
    assert "95 pistettä" in text and "kohtalainen" in text
    assert "Keskeneräisiä arviointeja (10.7.2023)" in text
    assert "asiakasmäärä valmentajaa kohden (3)" in text


def test_subgroup_by_sex_and_age_band() -> None:
    # clients born 1980 with index dates 2021–2024: ages 41–44 at the index date
    clients = CLIENTS.assign(sex=["F" if i % 2 else "M" for i in range(len(CLIENTS))], birth_year=1980)
    subs = [{"label": "Naiset 40–44", "sex": "F", "age_band": (40, 44)},
            {"label": "Yli 50", "age_band": (50, 120)}]
    res = employment_outcomes(clients, EPISODES, cutoff=CUTOFF, subgroups=subs)
    iv = res.outcomes[res.outcomes["group"] == "intervention"].merge(clients[["client_id", "sex"]], on="client_id")
    women = res.get("employment_rate", "Naiset 40–44:kyllä")
    assert women.n == (iv["sex"] == "F").sum() and women.numerator == int(iv.loc[iv["sex"] == "F", "employed"].sum())
    with pytest.raises(KeyError):  # nobody over 50: no empty "kyllä" row
        res.get("employment_rate", "Yli 50:kyllä")
    assert res.get("employment_rate", "Yli 50:ei").n == len(iv)
