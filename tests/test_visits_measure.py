"""The visits measure end to end: visit rows → panel → models, against R.

The R reference panel (``tests/reference/data/panel.csv``: 420 clients, pre and post,
exposure censored in both periods) is expanded here into a clients table and one row per
visit, placed so that :func:`visits_panel` must rebuild exactly the same panel (index date
``exposure_pre`` days after the data start; ``followup_end`` on the last observed post
day). The measure's rate ratios must then equal R's numbers in
``tests/reference/expected/counts_poisson.csv`` (``Rscript tests/reference/counts.R``) and
``counts_negbin.csv`` (``Rscript tests/reference/negbin.R``).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from evalkit.measures.visits import VisitsResult, visits, visits_panel
from evalkit.results import estimates_frame

from .conftest import ROOT

# --- tolerances --------------------------------------------------------------------------
#: Issue 5 acceptance: estimates to 1e-6, interval ends to 1 % (relative).
ATOL_ESTIMATE = 1e-6
RTOL_CI = 0.01

REF = ROOT / "tests" / "reference"
PANEL = pd.read_csv(REF / "data" / "panel.csv")
R_POISSON = pd.read_csv(REF / "expected" / "counts_poisson.csv")
R_NEGBIN = pd.read_csv(REF / "expected" / "counts_negbin.csv")
START = date(2021, 1, 1)
CUTOFF = date(2025, 12, 31)


def _expand(panel: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clients and visit rows whose panel (pre (-365,-1), post (0,364)) is ``panel``."""
    wide = panel.pivot(index=["client_id", "group"], columns="period",
                       values=["visits", "exposure_days"]).reset_index()
    clients, rows = [], []
    for r in wide.itertuples(index=False):
        cid, grp, v_post, v_pre, e_post, e_pre = r
        index = START + timedelta(days=int(e_pre))
        follow = index + timedelta(days=int(e_post) - 1) if e_post < 365 else None
        clients.append({"client_id": cid, "group": grp, "index_date": index.isoformat(),
                        "followup_end": follow.isoformat() if follow else None})
        for k in range(int(v_pre)):  # spread over the observed pre days
            rows.append((cid, index - timedelta(days=1 + (k * 7) % int(e_pre)), "psychiatry"))
        for k in range(int(v_post)):
            rows.append((cid, index + timedelta(days=(k * 5) % int(e_post)), "psychiatry"))
        # visits that must not count: another service, and one after follow-up ends
        rows.append((cid, index - timedelta(days=3), "dental"))
        if follow is not None:
            rows.append((cid, follow + timedelta(days=1), "psychiatry"))
    visits_rows = pd.DataFrame(rows, columns=["client_id", "date", "service"])
    visits_rows["date"] = pd.to_datetime(visits_rows["date"])
    return visits_rows, pd.DataFrame(clients)


VISITS, CLIENTS = _expand(PANEL)
KW = dict(data_start=START, data_cutoff=CUTOFF, filters={"service": ["psychiatry"]})


@pytest.fixture(scope="module")
def result() -> VisitsResult:
    return visits(VISITS, CLIENTS, seed=7, bootstrap_reps=500, **KW)


def test_rebuilt_panel_equals_reference_panel() -> None:
    got = visits_panel(VISITS, CLIENTS, **KW).frame
    want = PANEL[["client_id", "group", "period", "visits", "exposure_days"]]
    want = want.assign(_p=want["period"].map({"pre": 0, "post": 1})).sort_values(
        ["client_id", "_p"]).drop(columns="_p").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


R_ROWS = {
    # evalkit (indicator, group) → (R spec, quantity) in counts_poisson.csv / counts_negbin.csv
    ("rate_ratio", "comparison"): ("poisson_g", "rate_ratio_comparison"),
    ("rate_ratio", "intervention"): ("poisson_g", "rate_ratio_intervention"),
    ("did_rate_ratio", "all"): ("poisson_g", "did_rate_ratio"),
    ("rate_pre", "intervention"): ("poisson_g", "rate_intervention_pre"),
    ("rate_post", "intervention"): ("poisson_g", "rate_intervention_post"),
    ("rate_pre", "comparison"): ("poisson_g", "rate_comparison_pre"),
    ("rate_post", "comparison"): ("poisson_g", "rate_comparison_post"),
    ("nb_rate_ratio", "comparison"): ("nb_g", "rate_ratio_comparison"),
    ("nb_rate_ratio", "intervention"): ("nb_g", "rate_ratio_intervention"),
    ("nb_did_rate_ratio", "all"): ("nb_g", "did_rate_ratio"),
}


@pytest.mark.parametrize("key", list(R_ROWS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_estimates_match_r(result: VisitsResult, key) -> None:
    spec, quantity = R_ROWS[key]
    ref = pd.concat([R_POISSON, R_NEGBIN])
    row = ref[(ref["spec"] == spec) & (ref["quantity"] == quantity)].iloc[0]
    est = result.get(*key)
    # poisson_g: glm(visits ~ post * treat, family = poisson, offset = log(exposure_days));
    #            vcovCL(fit, cluster = ~client_id, type = "HC0", cadjust = TRUE)
    # nb_g: MASS::glm.nb(visits ~ post * treat + offset(log(exposure_days)));
    #       vcovCL(fit, cluster = ~client_id, type = "HC0", cadjust = TRUE)
    # rates are exp(l'b) * 30.4375 in counts.R
    assert est.estimate == pytest.approx(row["estimate"], abs=ATOL_ESTIMATE)
    assert est.ci_low == pytest.approx(row["ci_low"], rel=RTOL_CI)
    assert est.ci_high == pytest.approx(row["ci_high"], rel=RTOL_CI)
    assert est.n == row["n_clients"]


def test_result_rows_and_tables(result: VisitsResult) -> None:
    frame = result.to_frame()
    assert set(frame["measure"]) == {"visits"}
    have = set(zip(frame["indicator"], frame["group"], strict=True))
    for need in [("clients", "intervention"), ("mean_change", "intervention"), ("mean_change", "comparison"),
                 ("mean_change_difference", "all"), ("pretrend_did_rate_ratio", "all")]:
        assert need in have
    assert frame["n"].notna().all() and frame["method"].str.len().gt(0).all()
    assert result.has_comparison
    # crude rates of the summary table are visits / person-months of the panel
    s = result.summary_table.set_index(["group", "period"])
    sub = PANEL[(PANEL["group"] == "intervention") & (PANEL["period"] == "pre")]
    assert s.loc[("intervention", "pre"), "rate"] == pytest.approx(
        sub["visits"].sum() / (sub["exposure_days"].sum() / 30.4375))
    # regression-to-the-mean table: every pre visit of the panel is in months -12 … -1
    rm = result.relative_months
    pre_visits = rm[(rm["month"] < 0) & (rm["month"] >= -12)]["visits"].sum()
    assert pre_visits == PANEL.loc[PANEL["period"] == "pre", "visits"].sum()
    flow = result.visit_flow.set_index("step")["rows"]
    assert flow["filtered_out"] == len(CLIENTS) and flow["read"] == len(VISITS)


def test_mean_change_is_mean_of_client_changes(result: VisitsResult) -> None:
    wide = PANEL.pivot(index=["client_id", "group"], columns="period",
                       values=["visits", "exposure_days"]).reset_index()
    rate = lambda p: wide[("visits", p)] / wide[("exposure_days", p)] * 30.4375  # noqa: E731
    change = (rate("post") - rate("pre"))[wide["group"] == "intervention"]
    est = result.get("mean_change", "intervention")
    assert est.estimate == pytest.approx(change.mean(), rel=1e-12)
    assert est.ci_low < est.estimate < est.ci_high
    assert "Wilcoxon" in est.method


def test_seeded_and_deterministic() -> None:
    a = visits(VISITS, CLIENTS, seed=3, bootstrap_reps=200, **KW)
    b = visits(VISITS.sample(frac=1.0, random_state=1), CLIENTS, seed=3, bootstrap_reps=200, **KW)
    pd.testing.assert_frame_equal(estimates_frame(a.estimates), estimates_frame(b.estimates))


def test_without_comparison_group() -> None:
    only = CLIENTS[CLIENTS["group"] == "intervention"]
    res = visits(VISITS, only, seed=1, bootstrap_reps=200, **KW)
    assert res.groups == ("intervention",) and not res.has_comparison
    with pytest.raises(KeyError):
        res.get("did_rate_ratio", "all")
    ref = visits(VISITS, CLIENTS, seed=1, bootstrap_reps=200, **KW)
    # same clients and model terms for the group → the same post/pre ratio
    assert res.get("rate_ratio", "intervention").estimate == pytest.approx(
        ref.get("rate_ratio", "intervention").estimate, rel=1e-9)
    # orphan visits are counted, not dropped silently
    assert res.visit_flow.set_index("step").loc["orphan", "rows"] > 0


def test_its_series_from_rows() -> None:
    # 36 months of visits: 10 a month before 2024-01, 6 after; every visit on the 15th
    months = pd.period_range("2022-01", "2024-12", freq="M")
    rows = [("c1", m.start_time + pd.Timedelta(days=14)) for m in months
            for _ in range(10 if m < pd.Period("2024-01", "M") else 6)]
    v = pd.DataFrame(rows, columns=["client_id", "date"])
    rng = np.random.default_rng(5)
    ids = [f"c{i}" for i in range(40)]
    c = pd.DataFrame({"client_id": ids, "index_date": pd.Timestamp("2023-03-01")
                      + pd.to_timedelta(rng.integers(0, 300, 40), unit="D")})
    res = visits(v.assign(client_id=rng.choice(ids, len(v))), c, seed=1,
                 bootstrap_reps=200, data_start="2022-01-01", data_cutoff="2024-12-31",
                 its_change="2024-01-01", its_harmonics=0)
    series = res.its_series
    assert len(series) == 36 and series["observed"].sum() == len(v)
    level = res.get("its_level_change")
    # no trend, no noise: the level change is exactly 6/10 and the slope change 1
    assert level.estimate == pytest.approx(0.6, rel=1e-9)
    assert res.get("its_slope_change").estimate == pytest.approx(1.0, rel=1e-9)


# --------------------------------------------------------------------------------------
# wording follows the evidence
# --------------------------------------------------------------------------------------


def test_wording_with_and_without_comparison(result: VisitsResult) -> None:
    from evalkit.report.wording import visits_limitations, visits_methods, visits_narrative

    # with a comparison group the DiD leads; its interval (0.61–1.05 in R) crosses 1
    text = visits_narrative(result)
    assert text.index("erotuserotusten suhde") < text.index("Toimintamallin asiakkailla oli")
    assert "vaikutusta käyntimääriin ei siis voitu osoittaa" in text
    assert "regressio kohti keskiarvoa" not in text.lower()
    only = visits(VISITS, CLIENTS[CLIENTS["group"] == "intervention"], seed=1, bootstrap_reps=200, **KW)
    text = visits_narrative(only)
    assert "Havaittu muutos" in text and "erotuserotus" not in text
    assert "ei voi pitää toimintamallin vaikutuksena" in text and "regressio kohti keskiarvoa" in text
    assert "Regressio kohti keskiarvoa" in visits_limitations(only)
    assert "Poisson-regressiolla" in visits_methods(only)
    # a group below min_cell is not described
    assert "alle 500" in visits_narrative(only, min_cell=500)


def test_report_tables_blank_small_groups(result: VisitsResult) -> None:
    tables = result.report_tables(min_cell=200)  # the comparison group has 160 clients
    s = tables["summary"]
    assert s.loc[s["group"] == "vertailuryhmä", "rate"].isna().all()
    assert s.loc[s["group"] == "toimintamalli", "rate"].notna().all()
    assert result.flow_exclusions() == {}
