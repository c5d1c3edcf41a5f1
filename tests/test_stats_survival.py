"""evalkit.stats.survival against R ``survival`` 3.5.3 (``tests/reference/survival.R``).

Data: ``tests/reference/data/survival.csv`` (``waits``: 300 waiting times with ties and
25 % censoring; ``flat_half``, ``last_half``, ``not_reached``: small sets for R's quantile
rules). Expected: ``expected/survival_km.csv`` (every survfit row at 95 % and 90 %) and
``expected/survival_summary.csv`` (medians, quantiles, S(t), Cox).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.errors import AnalysisError
from evalkit.stats import (
    cox_hazard_ratio,
    cumulative_incidence_at,
    kaplan_meier,
    median_survival,
    survival_at,
    survival_quantile,
)

from .conftest import ROOT

# --- tolerances ----------------------------------------------------------------------------
#: Kaplan–Meier curve and its interval: same closed form as R, rounding only.
RTOL_KM = 1e-10
#: Quantiles are event times (or midpoints of two): exact.
ATOL_TIME = 0.0
#: Cox (statsmodels PHReg vs coxph, both Newton to convergence): coefficients and SE.
RTOL_COX = 1e-6

REF = ROOT / "tests" / "reference"
DATA = pd.read_csv(REF / "data" / "survival.csv")
R_KM = pd.read_csv(REF / "expected" / "survival_km.csv")
R_SUM = pd.read_csv(REF / "expected" / "survival_summary.csv")
DATASETS = list(DATA["dataset"].unique())


def _data(name: str) -> pd.DataFrame:
    return DATA[DATA["dataset"] == name]


def _same(a: float, b: float, **tol) -> bool:
    if math.isnan(b):
        return math.isnan(a)
    return a == pytest.approx(b, **tol)


@pytest.mark.parametrize("level", [0.95, 0.90])
@pytest.mark.parametrize("name", DATASETS)
def test_kaplan_meier_matches_survfit(name: str, level: float) -> None:
    # R: survfit(Surv(days, event) ~ 1, conf.int = level)  -> time, n.risk, n.event, n.censor,
    #    surv, lower, upper (conf.type = "log", Greenwood)
    d = _data(name)
    got = kaplan_meier(d["days"], d["event"], level=level)
    ref = R_KM[(R_KM["dataset"] == name) & (R_KM["level"] == level)].reset_index(drop=True)
    assert len(got) == len(ref)
    np.testing.assert_array_equal(got["time"], ref["time"])
    for c in ("n_risk", "n_event", "n_censor"):
        np.testing.assert_array_equal(got[c].to_numpy(), ref[c].to_numpy())
    for c in ("surv", "ci_low", "ci_high"):
        np.testing.assert_allclose(got[c].to_numpy(), ref[c].to_numpy(), rtol=RTOL_KM, equal_nan=True)


@pytest.mark.parametrize("name", DATASETS)
def test_median_matches_print_survfit(name: str) -> None:
    # R: summary(survfit(Surv(days, event) ~ 1))$table[c("median", "0.95LCL", "0.95UCL")]
    d = _data(name)
    row = R_SUM[(R_SUM["dataset"] == name) & (R_SUM["quantity"] == "median_print")].iloc[0]
    m = median_survival(d["days"], d["event"])
    for got, want in ((m.estimate, row["estimate"]), (m.ci_low, row["ci_low"]), (m.ci_high, row["ci_high"])):
        assert _same(got, want, abs=ATOL_TIME), (name, got, want)
    assert m.n == len(d)


@pytest.mark.parametrize("name", DATASETS)
def test_quantiles_match_quantile_survfit(name: str) -> None:
    # R: quantile(survfit(Surv(days, event) ~ 1), probs = p) for p in 0.25, 0.5, 0.75, 0.9,
    #    and probs = 0.5 with conf.int = 0.90
    d = _data(name)
    rows = R_SUM[(R_SUM["dataset"] == name) & R_SUM["quantity"].isin(["quantile", "quantile_90"])]
    assert len(rows) == 5
    for _, row in rows.iterrows():
        level = 0.90 if row["quantity"] == "quantile_90" else 0.95
        q = survival_quantile(d["days"], d["event"], float(row["arg"]), level=level)
        for got, want in ((q.estimate, row["estimate"]), (q.ci_low, row["ci_low"]),
                          (q.ci_high, row["ci_high"])):
            assert _same(got, want, abs=ATOL_TIME), (name, row["arg"], got, want)


def test_print_and_quantile_differ_where_r_does() -> None:
    # R: the curve ends exactly at 0.5 -> print(fit) median 3, quantile(fit, 0.5) 4.5
    d = _data("last_half")
    assert median_survival(d["days"], d["event"]).estimate == 3
    assert survival_quantile(d["days"], d["event"], 0.5).estimate == 4.5


@pytest.mark.parametrize("name", DATASETS)
def test_survival_at_matches_summary_times(name: str) -> None:
    # R: summary(fit, times = t)$surv, $lower, $upper; std.err / surv = se of log S
    d = _data(name)
    rows = R_SUM[(R_SUM["dataset"] == name) & (R_SUM["quantity"] == "survival_at")]
    for _, row in rows.iterrows():
        s = survival_at(d["days"], d["event"], float(row["arg"]))
        assert s.estimate == pytest.approx(row["estimate"], rel=RTOL_KM)
        assert s.ci_low == pytest.approx(row["ci_low"], rel=RTOL_KM)
        assert s.ci_high == pytest.approx(row["ci_high"], rel=RTOL_KM)
        assert s.se == pytest.approx(row["se"], rel=1e-8, abs=1e-12)
        c = cumulative_incidence_at(d["days"], d["event"], float(row["arg"]))
        assert (c.estimate, c.ci_low, c.ci_high) == pytest.approx(
            (1 - row["estimate"], 1 - row["ci_high"], 1 - row["ci_low"]), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("spec", "covariates"), [("cox_group", None), ("cox_group_age", ["age"])])
def test_cox_matches_coxph_efron(spec: str, covariates) -> None:
    # R: coxph(Surv(days, event) ~ group [+ age], ties = "efron"); exp(confint(fit))
    d = _data("waits")
    row = R_SUM[R_SUM["quantity"] == spec].iloc[0]
    hr = cox_hazard_ratio(d["days"], d["event"], d["group"],
                          covariates=None if covariates is None else d[covariates])
    assert hr.estimate == pytest.approx(row["estimate"], rel=RTOL_COX)
    assert hr.se == pytest.approx(row["se"], rel=RTOL_COX)
    assert hr.ci_low == pytest.approx(row["ci_low"], rel=RTOL_COX)
    assert hr.ci_high == pytest.approx(row["ci_high"], rel=RTOL_COX)
    assert (hr.unit, hr.se_scale, hr.n) == ("hazard_ratio", "log", len(d))


def test_cox_ties_setting_matters() -> None:
    # R: coxph(..., ties = "breslow") gives a different HR: Efron must not silently be Breslow
    d = _data("waits")
    breslow = R_SUM[R_SUM["quantity"] == "cox_group_breslow"].iloc[0]["estimate"]
    hr = cox_hazard_ratio(d["days"], d["event"], d["group"])
    assert abs(hr.estimate - breslow) > 1e-4


@pytest.mark.parametrize(("call", "message"), [
    (lambda: kaplan_meier([1, 2], [1]), "same length"),
    (lambda: kaplan_meier([], []), "at least 1"),
    (lambda: kaplan_meier([1, 2], [1, 1], level=1.0), "strictly between 0 and 1"),
    (lambda: survival_quantile([1, 2], [1, 1], 1.5), "strictly between 0 and 1"),
    (lambda: survival_at([1, 2], [1, 1], -1), "non-negative"),
    (lambda: cox_hazard_ratio([1, 2, 3], [1, 1, 1], ["a", "b", "a"]), "pass reference="),
])
def test_bad_arguments_raise_value_error(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_bad_values_raise_analysis_error() -> None:
    with pytest.raises(AnalysisError, match="negative"):
        kaplan_meier([1, -2, 3], [1, 1, 0])
    with pytest.raises(AnalysisError, match=r"0 \(censored\) or 1"):
        kaplan_meier([1, 2, 3], [1, 2, 0])
    with pytest.raises(AnalysisError, match="position 0"):
        kaplan_meier([None, 2, 3], [1, 1, 0])
    with pytest.raises(AnalysisError, match="follow-up ends"):
        survival_at([1, 2, 3], [1, 0, 0], 10)
    with pytest.raises(AnalysisError, match="exactly two levels"):
        cox_hazard_ratio([1, 2, 3], [1, 1, 1], ["a", "a", "a"])


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 80))
def test_intervals_contain_estimates_and_row_order_is_irrelevant(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 40, n)
    e = (rng.random(n) < 0.7).astype(int)
    perm = rng.permutation(n)
    km = kaplan_meier(t, e)
    pd.testing.assert_frame_equal(km, kaplan_meier(t[perm], e[perm]))
    ok = km["surv"] > 0
    assert (km.loc[ok, "ci_low"] <= km.loc[ok, "surv"] + 1e-12).all()
    assert (km.loc[ok, "surv"] <= km.loc[ok, "ci_high"] + 1e-12).all()
    m = median_survival(t, e)
    if not math.isnan(m.estimate):
        assert math.isnan(m.ci_low) or m.ci_low <= m.estimate
        assert math.isnan(m.ci_high) or m.estimate <= m.ci_high
    assert _same(median_survival(t[perm], e[perm]).estimate, m.estimate)
