"""evalkit.stats.bootstrap against R's boot and wilcox.test, and against exact values.

Reference data: ``tests/reference/data/cost_effect.csv`` (180 intervention + 120
comparison clients; right-skewed cost, employed 0/1) and ``wilcoxon.csv``. Expected values:
``tests/reference/expected/bootstrap.csv`` and ``wilcoxon.csv`` from
``Rscript tests/reference/bootstrap.R`` (R 4.2.2, boot 1.3-28.1).

Monte Carlo tolerance
---------------------
R's draws and ours come from different random streams, so bootstrap quantities can only
agree within Monte Carlo (MC) error. With B draws on each side:

* a p-quantile has MC standard error ≈ σ·√(p(1−p)/B) / φ(z_p) (σ = the bootstrap
  standard deviation, normal approximation to the bootstrap distribution); for p = 0.025,
  ≈ 2.67·σ/√B. The R − Python difference has standard error √2 times that.
* a correlation r: ≈ (1 − r²)/√B per side; a share p: √(p(1−p)/B) per side;
* a standard deviation: relative ≈ 1/√(2B) per side.

We allow K_MC = 4 standard errors of the difference (a false alarm about once in 16 000
comparisons for a normal error), plus, for ΔE, one step of its lattice (effects are 0/1,
so ΔE moves in steps of 1/360 and a quantile can land on a neighbouring value). With
B = 100 000, the interval ends must agree to about 0.05·σ — 2.5 % of the interval's
half-width — which would catch an unpaired bootstrap, a wrong stratification or an
off-by-one in the quantile level.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from evalkit.errors import AnalysisError
from evalkit.stats._results import StatisticalWarning
from evalkit.stats.bootstrap import (
    bootstrap_cost_effect,
    bootstrap_mean,
    bootstrap_mean_difference,
    percentile_interval,
    wilcoxon_signed_rank,
)

from .conftest import ROOT

# --- tolerances ----------------------------------------------------------------------------
B = 100_000  # draws on the Python side; R used R_BOOT['reps'] = 100 000
K_MC = 4.0  # MC standard errors of the R − Python difference that we tolerate
Q_FACTOR = np.sqrt(0.025 * 0.975) / stats.norm.pdf(stats.norm.ppf(0.975))  # ≈ 2.67
LATTICE_DE = 1 / 360  # step of ΔE (180 and 120 clients, 0/1 effects)
#: Wilcoxon p-values: the same formulas on both sides (floating-point only).
RTOL_WILCOXON = 1e-10

REF = ROOT / "tests" / "reference"
CE = pd.read_csv(REF / "data" / "cost_effect.csv")
R_BOOT = pd.read_csv(REF / "expected" / "bootstrap.csv").set_index("quantity")
W_DATA = pd.read_csv(REF / "data" / "wilcoxon.csv")
R_WILCOXON = pd.read_csv(REF / "expected" / "wilcoxon.csv")

INT = CE.loc[CE["group"] == "intervention", "cost"].to_numpy()
CMP = CE.loc[CE["group"] == "comparison", "cost"].to_numpy()


def _quantile_tol(sigma: float, b_r: float) -> float:
    return K_MC * Q_FACTOR * sigma * np.sqrt(1 / b_r + 1 / B)


def _assert_interval(lo: float, hi: float, quantity: str, r_call: str, extra: float = 0.0) -> None:
    r = R_BOOT.loc[quantity]
    tol = _quantile_tol(r["boot_sd"], r["reps"]) + extra
    assert lo == pytest.approx(r["ci_low"], abs=tol), f"{quantity} lower — R: {r_call}"
    assert hi == pytest.approx(r["ci_high"], abs=tol), f"{quantity} upper — R: {r_call}"


def test_mean_interval_matches_boot_within_mc_error() -> None:
    res = bootstrap_mean(INT, seed=11, reps=B)
    r_call = "boot.ci(boot(x, function(d, i) mean(d[i]), R = 1e5), type = 'perc')"
    assert res.estimate == pytest.approx(R_BOOT.loc["mean_cost_intervention", "estimate"], rel=1e-12)
    _assert_interval(res.ci_low, res.ci_high, "mean_cost_intervention", r_call)
    # R: sd(b$t); relative MC error 1/sqrt(2B) per side
    assert res.se == pytest.approx(R_BOOT.loc["mean_cost_intervention", "boot_sd"],
                                   rel=K_MC * np.sqrt(1 / B))
    assert res.n == 180 and res.reps == B


def test_mean_draws_match_their_exact_moments() -> None:
    """The bootstrap distribution of a mean has mean x̄ and SD sqrt(Σ(x − x̄)²)/n exactly."""
    res = bootstrap_mean(INT, seed=12, reps=B)
    exact_sd = np.sqrt(np.sum((INT - INT.mean()) ** 2)) / len(INT)
    assert res.draws.mean() == pytest.approx(INT.mean(), abs=K_MC * exact_sd / np.sqrt(B))
    assert res.se == pytest.approx(exact_sd, rel=K_MC / np.sqrt(2 * B))


def test_mean_difference_matches_stratified_boot() -> None:
    res = bootstrap_mean_difference(INT, CMP, seed=13, reps=B)
    r_call = "boot.ci(boot(d, mean(cost[int]) - mean(cost[cmp]), R = 1e5, strata = group), type = 'perc')"
    assert res.estimate == pytest.approx(R_BOOT.loc["mean_cost_difference", "estimate"], rel=1e-12)
    _assert_interval(res.ci_low, res.ci_high, "mean_cost_difference", r_call)
    exact_sd = np.sqrt(INT.var() / len(INT) + CMP.var() / len(CMP))  # var(ddof=0) / n per group
    assert res.se == pytest.approx(exact_sd, rel=K_MC / np.sqrt(2 * B))


def test_paired_cost_effect_matches_stratified_boot() -> None:
    draws = bootstrap_cost_effect(CE, seed=14, reps=B)
    r_call = ("boot(d, c(mean cost/effect per group, dC, dE, 20000*dE - dC), R = 1e5, "
              "strata = group); boot.ci(type = 'perc', index = j)")
    assert draws.groups == ("comparison", "intervention") and draws.n == (120, 180)
    dc, de = draws.incremental("intervention", "comparison")
    assert dc.shape == (B,)
    checks = {
        "mean_cost_intervention_paired": (draws.cost("intervention"), 0.0),
        "mean_cost_comparison": (draws.cost("comparison"), 0.0),
        "mean_effect_intervention": (draws.effect("intervention"), 1 / 180),
        "mean_effect_comparison": (draws.effect("comparison"), 1 / 120),
        "incremental_cost": (dc, 0.0),
        "incremental_effect": (de, LATTICE_DE),
        "inmb_20000": (20000 * de - dc, 0.0),
    }
    for quantity, (x, lattice) in checks.items():
        lo, hi = percentile_interval(x)
        _assert_interval(lo, hi, quantity, r_call, extra=lattice)
    assert draws.observed_cost[1] - draws.observed_cost[0] == pytest.approx(
        R_BOOT.loc["incremental_cost", "estimate"], rel=1e-12)
    # pairing: R: cor(b$t[, 5], b$t[, 6]); an unpaired bootstrap would give ≈ 0
    r = R_BOOT.loc["cor_incremental_cost_effect", "estimate"]
    assert np.corrcoef(dc, de)[0, 1] == pytest.approx(r, abs=K_MC * (1 - r**2) * np.sqrt(2 / B))
    assert r < -0.15  # the check above has power: the correlation is far from 0
    # quadrant share and CEAC point, R: mean(dC > 0 & dE > 0), mean(20000 * dE - dC > 0)
    for quantity, ours in (("share_ne_quadrant", np.mean((dc > 0) & (de > 0))),
                           ("prob_inmb_positive_20000", np.mean(20000 * de - dc > 0))):
        p = R_BOOT.loc[quantity, "estimate"]
        assert ours == pytest.approx(p, abs=K_MC * np.sqrt(2 * p * (1 - p) / B) + 1e-12), quantity


def test_same_seed_same_draws_and_chunking_does_not_matter() -> None:
    a = bootstrap_cost_effect(CE, seed=5, reps=3000)
    b = bootstrap_cost_effect(CE, seed=5, reps=3000, max_elements=1000)  # 5 draws per chunk
    c = bootstrap_cost_effect(CE, seed=np.random.default_rng(5), reps=3000)
    for other in (b, c):
        np.testing.assert_array_equal(a.mean_cost, other.mean_cost)
        np.testing.assert_array_equal(a.mean_effect, other.mean_effect)
    d = bootstrap_cost_effect(CE, seed=6, reps=3000)
    assert not np.array_equal(a.mean_cost, d.mean_cost)
    m1 = bootstrap_mean(INT, seed=9, reps=500, max_elements=7)
    m2 = bootstrap_mean(INT, seed=9, reps=500)
    np.testing.assert_array_equal(m1.draws, m2.draws)


def test_row_order_does_not_change_draws() -> None:
    shuffled = CE.iloc[np.random.default_rng(1).permutation(len(CE))]
    a = bootstrap_cost_effect(CE, seed=3, reps=2000)
    b = bootstrap_cost_effect(shuffled, seed=3, reps=2000)
    np.testing.assert_array_equal(a.mean_cost, b.mean_cost)
    np.testing.assert_array_equal(a.mean_effect, b.mean_effect)


def test_draws_are_read_only_and_input_untouched() -> None:
    before = CE.copy(deep=True)
    draws = bootstrap_cost_effect(CE, seed=1, reps=200)
    with pytest.raises(ValueError):
        draws.mean_cost[0, 0] = 0.0
    pd.testing.assert_frame_equal(CE, before)
    frame = draws.draws_frame()
    assert list(frame.columns) == ["draw", "group", "mean_cost", "mean_effect"]
    assert len(frame) == 400
    row = frame[(frame["draw"] == 7) & (frame["group"] == "intervention")].iloc[0]
    assert row["mean_cost"] == draws.cost("intervention")[7]


def test_bad_input() -> None:
    with pytest.raises(AnalysisError, match="2 missing"):
        bootstrap_mean([1.0, np.nan, 2.0, None], seed=1)
    with pytest.raises(ValueError, match="seed"):
        bootstrap_mean(INT, seed=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="reps"):
        bootstrap_mean(INT, seed=1, reps=1)
    with pytest.raises(ValueError, match="no column"):
        bootstrap_cost_effect(CE, seed=1, cost="kustannus")
    with pytest.raises(AnalysisError, match="at least 2"):
        bootstrap_cost_effect(CE.iloc[[0, 1, 200]], seed=1)


def test_to_stat_estimate() -> None:
    est = bootstrap_mean(INT - 3000, seed=2, reps=500).to_stat_estimate("mean_change", unit="difference")
    assert est.indicator == "mean_change" and est.n == 180 and est.se_scale == "identity"
    assert est.to_estimate().ci_low == est.ci_low


@settings(max_examples=50, deadline=None)
@given(x=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=40),
       seed=st.integers(0, 2**32 - 1), perm_seed=st.integers(0, 2**32 - 1))
def test_bootstrap_mean_properties(x: list[float], seed: int, perm_seed: int) -> None:
    a = bootstrap_mean(x, seed=seed, reps=200)
    eps = 1e-12 * max(abs(v) for v in x)  # a mean of equal values may be off by one ulp
    assert min(x) - eps <= a.ci_low <= a.ci_high <= max(x) + eps
    permuted = np.asarray(x)[np.random.default_rng(perm_seed).permutation(len(x))]
    b = bootstrap_mean(permuted, seed=seed, reps=200)
    np.testing.assert_array_equal(a.draws, b.draws)


# --- Wilcoxon signed-rank ------------------------------------------------------------------

_ALT = {"two.sided": "two-sided", "less": "less", "greater": "greater"}
_SETTINGS = {"default": {"exact": None, "correct": True},
             "no_correction": {"exact": False, "correct": False},
             "approx": {"exact": False, "correct": True}}


@pytest.mark.parametrize("row", list(R_WILCOXON.itertuples(index=False)),
                         ids=lambda r: f"{r.dataset}-{r.setting}-{r.alternative}")
def test_wilcoxon_matches_r(row) -> None:
    data = W_DATA[W_DATA["dataset"] == row.dataset]
    opts = _SETTINGS[row.setting]
    res = wilcoxon_signed_rank(data["after"], data["before"], alternative=_ALT[row.alternative], **opts)
    r_call = (f"wilcox.test(after, before, paired = TRUE, exact = {opts['exact']}, "
              f"correct = {opts['correct']}, alternative = '{row.alternative}')")
    assert res.statistic == row.statistic, r_call  # R: $statistic (V)
    assert res.p_value == pytest.approx(row.p_value, rel=RTOL_WILCOXON), r_call  # R: $p.value
    assert res.n == row.n_nonzero and res.n_zero == row.n_zero
    assert res.exact == (row.method == "Wilcoxon signed rank exact test"), r_call  # R: $method
    assert res.correct == ("continuity correction" in row.method), r_call


def test_wilcoxon_exact_request_with_ties_falls_back_like_r() -> None:
    data = W_DATA[W_DATA["dataset"] == "small_ties"]
    with pytest.warns(StatisticalWarning, match="ties"):
        res = wilcoxon_signed_rank(data["after"], data["before"], exact=True)
    assert not res.exact and res.ties


def test_wilcoxon_bad_input() -> None:
    with pytest.raises(AnalysisError, match="every difference is zero"):
        wilcoxon_signed_rank([1, 2, 3], [1, 2, 3])
    with pytest.raises(ValueError, match="same length"):
        wilcoxon_signed_rank([1, 2, 3], [1, 2])
    with pytest.raises(AnalysisError, match="missing"):
        wilcoxon_signed_rank([1, np.nan, 3], [1, 2, 2])
