"""evalkit.stats.its against R: segmented regression with Newey–West errors, and with AR(1)
errors by REML (``se="ar1"``, ``"conservative_ar1"``, the autocorrelation check).

Reference data: ``tests/reference/data/its_counts.csv`` (72 months of visits with a
population offset, change 2022-09, AR(1) noise) and ``its_share.csv`` (48 months of the
share treated within the limit, change 2023-09). Expected values:
``tests/reference/expected/its.csv`` and ``its_counterfactual.csv`` from
``Rscript tests/reference/its.R`` (R 4.2.2, sandwich 3.0.2); ``its_ar1.csv`` from
``Rscript tests/reference/its_ar1.R`` (nlme 3.1.162: ``gls(..., correlation = corAR1(form =
~ time), weights = varFixed(~ 1/cases), method = "REML")``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.errors import AnalysisError
from evalkit.stats._results import StatisticalWarning
from evalkit.stats.its import ar1_gls, fourier_terms, segmented_regression

from .conftest import ROOT

# --- tolerances ----------------------------------------------------------------------------
#: Issue 9 / 11 acceptance: coefficients to 1e-6 (absolute, linear-predictor scale).
ATOL_ESTIMATE = 1e-6
#: Acceptance: standard errors within 1 %. Both sides compute the same sandwich, so we also
#: hold them to RTOL_SE_STRICT; a wrong lag weight or a missing n/(n−k) is ≥ 1 % off.
RTOL_SE = 0.01
RTOL_SE_STRICT = 1e-6
#: Fitted / counterfactual series (relative).
RTOL_SERIES = 1e-8

REF = ROOT / "tests" / "reference"
COUNTS = pd.read_csv(REF / "data" / "its_counts.csv")
SHARE = pd.read_csv(REF / "data" / "its_share.csv")
R_ITS = pd.read_csv(REF / "expected" / "its.csv")
R_CF = pd.read_csv(REF / "expected" / "its_counterfactual.csv")
R_AR1 = pd.read_csv(REF / "expected" / "its_ar1.csv")
#: AR(1) GLS: nlme's optimiser stops at its tolerance (set to 1e-10 in its_ar1.R); the REML
#: maximiser agrees to ~1e-8, so estimates, SEs and φ are held to 1e-6.
ATOL_AR1 = 1e-6

SPECS = {
    # spec in its.csv: (data, evalkit keyword arguments, R call)
    "poisson_offset_k2_lag3": (
        COUNTS,
        {"outcome": "visits", "change": "2022-09", "family": "poisson", "exposure": "population",
         "harmonics": 2, "hac_lags": 3},
        "glm(visits ~ time + post + time_after + sin1 + cos1 + sin2 + cos2 + "
        "offset(log(population)), family = poisson); NeweyWest(fit, lag = 3, prewhite = FALSE)"),
    "poisson_offset_k2_lag3_adjust": (
        COUNTS,
        {"outcome": "visits", "change": "2022-09", "family": "poisson", "exposure": "population",
         "harmonics": 2, "hac_lags": 3, "hac_adjust": True},
        "same fit; NeweyWest(fit, lag = 3, prewhite = FALSE, adjust = TRUE)"),
    "poisson_k0_lag0": (
        COUNTS,
        {"outcome": "visits", "change": "2022-09", "family": "poisson", "harmonics": 0, "hac_lags": 0},
        "glm(visits ~ time + post + time_after, family = poisson); "
        "NeweyWest(fit, lag = 0, prewhite = FALSE)"),
    "gaussian_k1_lag3": (
        SHARE,
        {"outcome": "share", "change": "2023-09", "family": "gaussian", "harmonics": 1, "hac_lags": 3},
        "glm(share ~ time + post + time_after + sin1 + cos1, family = gaussian); "
        "NeweyWest(fit, lag = 3, prewhite = FALSE)"),
    "gaussian_weighted_k2_lag2_adjust": (
        SHARE,
        {"outcome": "share", "change": "2023-09", "family": "gaussian", "weights": "cases",
         "harmonics": 2, "hac_lags": 2, "hac_adjust": True},
        "glm(share ~ time + post + time_after + sin1 + cos1 + sin2 + cos2, family = gaussian, "
        "weights = cases); NeweyWest(fit, lag = 2, prewhite = FALSE, adjust = TRUE)"),
    # the measures' rule: larger of Newey–West and HC0 (both adjust = TRUE), qt(0.975, n − k)
    "poisson_offset_k2_lag3_conservative": (
        COUNTS,
        {"outcome": "visits", "change": "2022-09", "family": "poisson", "exposure": "population",
         "harmonics": 2, "hac_lags": 3, "se": "conservative"},
        "same Poisson fit; pmax(sqrt(diag(NeweyWest(fit, lag = 3, adjust = TRUE))), "
        "sqrt(diag(NeweyWest(fit, lag = 0, adjust = TRUE)))); coef ± qt(0.975, 72 − 8) · se"),
    "gaussian_weighted_k2_lag2_conservative": (
        SHARE,
        {"outcome": "share", "change": "2023-09", "family": "gaussian", "weights": "cases",
         "harmonics": 2, "hac_lags": 2, "se": "conservative"},
        "same weighted Gaussian fit; pmax(NeweyWest lag 2, lag 0, both adjust = TRUE); "
        "coef ± qt(0.975, 48 − 8) · se"),
}


#: spec in its_ar1.csv: (data, evalkit keyword arguments, R call, values pasted from R to 1e-5:
#: φ, post estimate, post SE, one-sided p of the restricted LR test)
SPECS_AR1 = {
    "gls_ar1_weighted_k2": (
        SHARE,
        {"outcome": "share", "change": "2023-09", "family": "gaussian", "weights": "cases", "harmonics": 2},
        "gls(share ~ time + post + time_after + sin1 + cos1 + sin2 + cos2, correlation = "
        "corAR1(form = ~ time), weights = varFixed(~ 1/cases), method = 'REML')",
        (0.12297, 0.10896, 0.03735, 0.23255)),
    "gls_ar1_k1": (
        SHARE,
        {"outcome": "share", "change": "2023-09", "family": "gaussian", "harmonics": 1},
        "gls(share ~ time + post + time_after + sin1 + cos1, correlation = corAR1(form = ~ time), "
        "method = 'REML')",
        (0.10608, 0.09987, 0.03422, 0.26328)),
    "gls_ar1_weighted_k0_short": (
        SHARE.iloc[:30],
        {"outcome": "share", "change": "2022-01", "family": "gaussian", "weights": "cases", "harmonics": 0},
        "gls(share ~ time + post + time_after, correlation = corAR1(form = ~ time), "
        "weights = varFixed(~ 1/cases), method = 'REML'), first 30 months",
        (0.44073, 0.10785, 0.07211, 0.01568)),
}


@pytest.mark.parametrize("spec", list(SPECS_AR1))
def test_ar1_gls_matches_nlme(spec: str) -> None:
    data, kwargs, r_call, (phi, post, post_se, p_one) = SPECS_AR1[spec]
    res = segmented_regression(data, **kwargs, se="ar1")
    expected = R_AR1[R_AR1["spec"] == spec].set_index("term")
    ours = res.coefficients.set_index("term")
    assert list(ours.index) == list(expected.index), r_call
    # pasted from R (5 decimals), then the full CSV at 1e-6
    assert res.ar1_phi == pytest.approx(phi, abs=1e-5), r_call
    assert ours.loc["post", "estimate"] == pytest.approx(post, abs=1e-5), r_call
    assert ours.loc["post", "se"] == pytest.approx(post_se, abs=1e-5), r_call
    assert res.ar1_p_value == pytest.approx(p_one, abs=1e-5), r_call
    # R: coef(fit), sqrt(diag(vcov(fit))), coef ± qt(0.975, n − k) · se
    for col in ("estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(ours[col], expected[col], atol=ATOL_AR1, rtol=0, err_msg=f"{spec} {col}")
    assert res.ar1_phi == pytest.approx(expected["phi"].iloc[0], abs=ATOL_AR1)
    # R: 2 (logLik(gls AR(1)) − logLik(gls without correlation)); pchisq(lr, 1, lower = FALSE) / 2
    assert res.ar1_p_value == pytest.approx(expected["p_one_sided"].iloc[0], rel=1e-5)
    assert res.autocorrelated == (expected["p_one_sided"].iloc[0] < 0.05)
    # the function itself: σ̂ as nlme's fit$sigma
    X = _design(data, kwargs["change"], kwargs["harmonics"])
    fit = ar1_gls(data["share"].to_numpy(), X, data["cases"].to_numpy() if "weights" in kwargs else None)
    assert fit.sigma == pytest.approx(expected["sigma"].iloc[0], rel=1e-6)
    assert fit.phi == pytest.approx(res.ar1_phi, abs=1e-12)
    # the GLS fit is what the series shows (fitted and counterfactual use the GLS coefficients)
    level = res.get("its_level_change")
    assert level.estimate == pytest.approx(expected.loc["post", "estimate"], abs=ATOL_AR1)
    assert "AR(1)" in level.method and "REML" in level.method
    pre = res.series["post"] == 0
    np.testing.assert_allclose(res.series.loc[pre, "fitted"], res.series.loc[pre, "counterfactual"])


def _design(data: pd.DataFrame, change: str, harmonics: int) -> np.ndarray:
    months = pd.PeriodIndex(data["month"], freq="M")
    t = np.arange(len(months), dtype=float)
    post = np.asarray(months >= pd.Period(change, "M"))
    after = np.where(post, t - t[post][0], 0.0)
    season, _ = fourier_terms(months.month.to_numpy(), harmonics)
    return np.column_stack([np.ones(len(t)), t, post.astype(float), after, season])


@pytest.mark.parametrize("spec", list(SPECS_AR1))
def test_conservative_ar1_adds_the_ar1_model_se(spec: str) -> None:
    """``se="conservative_ar1"``: least-squares estimates; SE the largest of Newey–West, lag 0
    and the AR(1)-model SE of the least-squares estimator (R rows ``<spec>_wls_ar1``:
    ``sqrt(diag(A⁻¹ X'W S W X A⁻¹))`` with S from the gls fit)."""
    data, kwargs, _, _ = SPECS_AR1[spec]
    res = segmented_regression(data, **kwargs, se="conservative_ar1").coefficients.set_index("term")
    cons = segmented_regression(data, **kwargs, se="conservative").coefficients.set_index("term")
    wls_ar1 = R_AR1[R_AR1["spec"] == f"{spec}_wls_ar1"].set_index("term")
    np.testing.assert_allclose(res["estimate"], wls_ar1["estimate"], atol=1e-9, rtol=0)
    np.testing.assert_allclose(res["estimate"], cons["estimate"], atol=1e-12, rtol=0)
    np.testing.assert_allclose(res["se"], np.maximum(cons["se"], wls_ar1["se"]), rtol=1e-5)


def test_conservative_ar1_against_both_r_references() -> None:
    """The weighted 2-harmonic fit, lag 2: R's conservative SE (its.R) and R's AR(1)-model SE
    (its_ar1.R); on this series the AR(1) term is the larger one for some terms, not all."""
    kwargs = SPECS["gaussian_weighted_k2_lag2_conservative"][1]
    got = segmented_regression(SHARE, **{**kwargs, "se": "conservative_ar1"}).coefficients.set_index("term")
    r_cons = R_ITS[R_ITS["spec"] == "gaussian_weighted_k2_lag2_conservative"].set_index("term")["se"]
    r_ar1 = R_AR1[R_AR1["spec"] == "gls_ar1_weighted_k2_wls_ar1"].set_index("term")["se"]
    np.testing.assert_allclose(got["se"], np.maximum(r_cons, r_ar1), rtol=1e-5)
    assert (r_ar1 > r_cons).any() or (r_cons > r_ar1).all()


def test_poisson_autocorrelation_check_matches_nlme_on_the_working_response() -> None:
    # R: gls(z ~ terms, corAR1(form = ~ time), varFixed(~ 1/mu), REML) with
    #    z = log(mu) − log(population) + (visits − mu)/mu from the Poisson glm
    expected = R_AR1[R_AR1["spec"] == "poisson_offset_k2_working"].iloc[0]
    res = segmented_regression(COUNTS, **SPECS["poisson_offset_k2_lag3_conservative"][1])
    assert res.ar1_phi == pytest.approx(0.41519, abs=1e-5)  # pasted from R
    assert res.ar1_phi == pytest.approx(expected["phi"], abs=ATOL_AR1)
    assert res.ar1_p_value == pytest.approx(expected["p_one_sided"], rel=1e-5)
    assert res.autocorrelated
    with pytest.raises(ValueError, match="family='gaussian'"):
        segmented_regression(COUNTS, outcome="visits", change="2022-09", se="ar1")


def ar1_share_series(rho: float, seed: int, *, binomial: bool = True) -> pd.DataFrame:
    """48 months of a share with stationary AR(1) noise of coefficient ``rho`` (innovation
    sd 0.03) on the probability, plus binomial sampling noise of ~175 cases a month unless
    ``binomial=False`` (the coverage study's design; change in month 27, 2024-03)."""
    rng = np.random.default_rng(seed)
    t = np.arange(48)
    post = t >= 26
    p = 0.98 * (0.42 + 0.002 * t + post * (0.15 + 0.006 * (t - 26)))
    e = np.zeros(48)
    e[0] = rng.normal(0, 0.03 / np.sqrt(1 - rho**2))
    for i in range(1, 48):
        e[i] = rho * e[i - 1] + rng.normal(0, 0.03)
    n = rng.poisson(175, 48)
    share = rng.binomial(n, np.clip(p + e, 0.01, 0.99)) / n if binomial else p + e
    return pd.DataFrame({"month": pd.period_range("2022-01", periods=48, freq="M"), "cases": n, "share": share})


def test_autocorrelation_check_separates_strong_ar1_from_independent_months() -> None:
    """Pure AR(1) errors with ρ = 0.7 are flagged in ~97 % of 48-month series, independent
    ones in ~5 % (the test's level); with binomial noise on top, power drops (~60 %)."""
    kwargs = {"outcome": "share", "change": "2024-03", "family": "gaussian", "weights": "cases"}
    strong = [segmented_regression(ar1_share_series(0.7, s, binomial=False), **kwargs) for s in range(20)]
    none = [segmented_regression(ar1_share_series(0.0, s), **kwargs) for s in range(20)]
    assert sum(r.autocorrelated for r in strong) >= 17
    assert sum(r.autocorrelated for r in none) <= 3
    assert all(r.ar1_phi > 0.2 for r in strong if r.autocorrelated)
    assert all(r.ar1_p_value >= 0.05 for r in strong + none if not r.autocorrelated)


@pytest.mark.parametrize("spec", list(SPECS))
def test_coefficients_and_newey_west_match_r(spec: str) -> None:
    data, kwargs, r_call = SPECS[spec]
    res = segmented_regression(data, **kwargs)
    expected = R_ITS[R_ITS["spec"] == spec].set_index("term")
    ours = res.coefficients.set_index("term")
    assert list(ours.index) == list(expected.index), r_call
    for term, row in expected.iterrows():
        where = f"{spec} / {term} — R: {r_call}"
        # R: coef(fit)[term]
        assert ours.loc[term, "estimate"] == pytest.approx(row["estimate"], abs=ATOL_ESTIMATE), where
        # R: sqrt(diag(NeweyWest(fit, ...)))[term]
        assert ours.loc[term, "se"] == pytest.approx(row["se"], rel=RTOL_SE), where
        assert ours.loc[term, "se"] == pytest.approx(row["se"], rel=RTOL_SE_STRICT), where
        # R: coef ± qnorm(0.975) · se (conservative specs: qt(0.975, n − k) · se)
        assert ours.loc[term, "ci_low"] == pytest.approx(row["ci_low"], abs=ATOL_ESTIMATE + 1e-6 * abs(row["ci_low"])), where
        assert ours.loc[term, "ci_high"] == pytest.approx(row["ci_high"], abs=ATOL_ESTIMATE + 1e-6 * abs(row["ci_high"])), where
    assert res.hac_lags == expected["lag"].iloc[0]
    assert res.n_months == expected["n_months"].iloc[0]
    # the reported changes are the post and time_after coefficients (exponentiated for Poisson)
    level, slope = res.get("its_level_change"), res.get("its_slope_change")
    link = np.exp if kwargs["family"] == "poisson" else (lambda v: v)
    assert level.estimate == pytest.approx(link(expected.loc["post", "estimate"]), rel=1e-6)
    assert level.ci_low == pytest.approx(link(expected.loc["post", "ci_low"]), rel=1e-6)
    assert slope.ci_high == pytest.approx(link(expected.loc["time_after", "ci_high"]), rel=1e-6)
    assert level.unit == ("rate_ratio" if kwargs["family"] == "poisson" else "difference")


@pytest.mark.parametrize("spec", ["poisson_offset_k2_lag3", "gaussian_k1_lag3"])
def test_fitted_and_counterfactual_match_r(spec: str) -> None:
    """R: fitted(fit); predict(fit, newdata = transform(d, post = 0, time_after = 0),
    type = "response")."""
    data, kwargs, _ = SPECS[spec]
    series = segmented_regression(data, **kwargs).series
    expected = R_CF[R_CF["spec"] == spec]
    assert list(series["month"].astype(str)) == list(expected["month"])
    np.testing.assert_allclose(series["fitted"], expected["fitted"], rtol=RTOL_SERIES)
    np.testing.assert_allclose(series["counterfactual"], expected["counterfactual"], rtol=RTOL_SERIES)
    pre = series["post"] == 0
    np.testing.assert_array_equal(series.loc[pre, "fitted"], series.loc[pre, "counterfactual"])


@pytest.mark.parametrize("spec", ["poisson_offset_k2_lag3_conservative", "gaussian_weighted_k2_lag2_conservative"])
def test_conservative_takes_the_larger_se_per_term(spec: str) -> None:
    """The rule is a per-term maximum, and both sides of it occur in the reference data (so a
    rule that always took one of the two would fail the R comparison above)."""
    data, kwargs, _ = SPECS[spec]
    cons = segmented_regression(data, **kwargs).coefficients.set_index("term")["se"]
    nw = segmented_regression(data, **{**kwargs, "se": "newey_west", "hac_adjust": True}).coefficients
    hc = segmented_regression(data, **{**kwargs, "se": "newey_west", "hac_adjust": True, "hac_lags": 0}).coefficients
    nw, hc = nw.set_index("term")["se"], hc.set_index("term")["se"]
    np.testing.assert_allclose(cons, np.maximum(nw, hc), rtol=1e-12)
    assert (nw > hc).any() and (hc > nw).any()


def test_conservative_text_and_validation() -> None:
    res = segmented_regression(SHARE, **SPECS["gaussian_weighted_k2_lag2_conservative"][1])
    assert res.se_rule == "conservative" and res.hac_adjust
    assert "t-jakauma (40 vapausastetta)" in res.get("its_level_change").method
    with pytest.raises(ValueError, match="se must be"):
        segmented_regression(SHARE, outcome="share", change="2023-09", family="gaussian", se="hac")


def test_default_lag_is_the_newey_west_rule() -> None:
    """floor(4 · (72/100)^(2/9)) = 3, so the default reproduces R's lag = 3 row."""
    kwargs = dict(SPECS["poisson_offset_k2_lag3"][1])
    kwargs.pop("hac_lags")
    res = segmented_regression(COUNTS, **kwargs)
    assert res.hac_lags == 3
    expected = R_ITS[R_ITS["spec"] == "poisson_offset_k2_lag3"].set_index("term")
    assert res.coefficients.set_index("term").loc["post", "se"] == pytest.approx(
        expected.loc["post", "se"], rel=RTOL_SE_STRICT)


def test_month_formats_and_row_order_do_not_matter() -> None:
    kwargs = SPECS["gaussian_k1_lag3"][1]
    base = segmented_regression(SHARE, **kwargs).to_frame()
    variants = [
        SHARE.assign(month=pd.PeriodIndex(SHARE["month"], freq="M")),
        SHARE.assign(month=pd.to_datetime(SHARE["month"] + "-01")),
        SHARE.assign(month=SHARE["month"] + "-15"),
        SHARE.iloc[::-1],
    ]
    for v in variants:
        pd.testing.assert_frame_equal(segmented_regression(v, **kwargs).to_frame(), base)


def test_change_given_as_a_date() -> None:
    from datetime import date

    a = segmented_regression(SHARE, **{**SPECS["gaussian_k1_lag3"][1], "change": date(2023, 9, 1)})
    b = segmented_regression(SHARE, **SPECS["gaussian_k1_lag3"][1])
    assert a.change_month == b.change_month == pd.Period("2023-09", "M")
    assert a.n_pre == 32 and a.n_post == 16


def test_fourier_terms() -> None:
    block, names = fourier_terms(np.arange(1, 13), 2)
    assert names == ["sin1", "cos1", "sin2", "cos2"]
    np.testing.assert_allclose(block[:, 0], np.sin(2 * np.pi * np.arange(1, 13) / 12))
    six, names6 = fourier_terms(np.arange(1, 13), 6)
    assert len(names6) == 11 and "sin6" not in names6
    assert np.linalg.matrix_rank(np.column_stack([np.ones(12), six])) == 12  # = month dummies


def test_result_text() -> None:
    res = segmented_regression(COUNTS, **SPECS["poisson_offset_k2_lag3"][1])
    text = res.summary()
    assert "its_level_change" in text and "Newey–West" in text and "95 % LV" in text
    assert [e.unit for e in res.to_estimates()] == ["rate_ratio", "ratio"]


# --- bad input --------------------------------------------------------------------------


def test_missing_month_is_named() -> None:
    gap = COUNTS.drop(index=[10, 11])
    with pytest.raises(AnalysisError, match="consecutive; missing 2019-11, 2019-12"):
        segmented_regression(gap, outcome="visits", change="2022-09")


def test_duplicate_month_is_named() -> None:
    dup = pd.concat([COUNTS, COUNTS.iloc[[5]]])
    with pytest.raises(AnalysisError, match="twice: 2019-06"):
        segmented_regression(dup, outcome="visits", change="2022-09")


@pytest.mark.parametrize("change", ["2018-01", "2024-11"])
def test_change_must_leave_months_on_both_sides(change: str) -> None:
    with pytest.raises(AnalysisError, match="at least 3"):
        segmented_regression(COUNTS, outcome="visits", change=change)


def test_short_side_warns() -> None:
    with pytest.warns(StatisticalWarning, match="at least 8 months"):
        segmented_regression(COUNTS, outcome="visits", change="2024-08")


def test_bad_values() -> None:
    bad = COUNTS.copy()
    bad.loc[4, "visits"] = -2
    with pytest.raises(AnalysisError, match="column 'visits'.*row 4"):
        segmented_regression(bad, outcome="visits", change="2022-09")
    bad = COUNTS.assign(month=COUNTS["month"].where(COUNTS.index != 3, "huhtikuu"))
    with pytest.raises(AnalysisError, match="not a month.*huhtikuu"):
        segmented_regression(bad, outcome="visits", change="2022-09")
    with pytest.raises(ValueError, match="exposure"):
        segmented_regression(SHARE, outcome="share", change="2023-09", family="gaussian",
                             exposure="cases")
    with pytest.raises(ValueError, match="family"):
        segmented_regression(SHARE, outcome="share", change="2023-09", family="binomial")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no column"):
        segmented_regression(SHARE, outcome="osuus", change="2023-09", family="gaussian")


def test_input_is_not_modified() -> None:
    before = COUNTS.copy(deep=True)
    segmented_regression(COUNTS, **SPECS["poisson_offset_k2_lag3"][1])
    pd.testing.assert_frame_equal(COUNTS, before)


# --- properties ---------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::evalkit.stats._results.StatisticalWarning")
@settings(max_examples=30, deadline=None)
@given(n=st.integers(14, 60), seed=st.integers(0, 2**32 - 1), lags=st.integers(0, 4),
       harmonics=st.integers(0, 2), level=st.sampled_from([0.8, 0.95, 0.99]))
def test_intervals_contain_estimates(n: int, seed: int, lags: int, harmonics: int, level: float) -> None:
    rng = np.random.default_rng(seed)
    months = pd.period_range("2020-01", periods=n, freq="M")
    data = pd.DataFrame({"month": months, "y": rng.poisson(50, size=n)})
    res = segmented_regression(data, outcome="y", change=months[n // 2], hac_lags=lags,
                               harmonics=harmonics, level=level)
    for e in res.estimates:
        assert e.ci_low <= e.estimate <= e.ci_high
    assert (res.coefficients["ci_low"] <= res.coefficients["estimate"]).all()


@pytest.mark.parametrize("se", ["conservative", "conservative_ar1", "ar1"])
def test_exact_fit_has_no_autocorrelation_check(se: str) -> None:
    """A series the model fits exactly leaves no residual to correlate: φ̂ and its p-value are
    nan, nothing is flagged, and no warning is raised."""
    months = pd.period_range("2022-01", periods=36, freq="M")
    data = pd.DataFrame({"month": months, "y": np.where(months >= pd.Period("2024-01", "M"), 6.0, 10.0)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = segmented_regression(data, outcome="y", change="2024-01", harmonics=0, family="gaussian", se=se)
    assert np.isnan(res.ar1_phi) and np.isnan(res.ar1_p_value) and not res.autocorrelated
    assert res.get("its_level_change").estimate == pytest.approx(-4.0)
