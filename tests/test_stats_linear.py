"""evalkit.stats.linear against R ``lm`` and ``lme4::lmer`` (``tests/reference/linear.R``).

Data: ``tests/reference/data/paired_scores.csv`` (160 clients, baseline + follow-up) and
``longitudinal.csv`` (120 clients at months 0, 6, 12, ~20 % missing follow-ups).
Expected: ``tests/reference/expected/linear.csv`` (R 4.2.2, lme4 1.1.31).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit.errors import AnalysisError
from evalkit.stats import ancova, mixed_model_change

from .conftest import ROOT

# --- tolerances ----------------------------------------------------------------------------
#: OLS: closed form on both sides.
RTOL_OLS = 1e-9
#: REML mixed model: two optimisers (statsmodels L-BFGS vs lme4 bobyqa / nloptwrap) stop at
#: slightly different variance components; fixed effects, SEs and interval ends agree to
#: about 5e-6 points (SE ≈ 0.45 points), so absolute 2e-5 = 1/20000 of a standard error.
ATOL_MIXED = 2e-5

REF = ROOT / "tests" / "reference"
SCORES = pd.read_csv(REF / "data" / "paired_scores.csv")
LONG = pd.read_csv(REF / "data" / "longitudinal.csv")
R = pd.read_csv(REF / "expected" / "linear.csv").set_index("spec")


def _close(est, row, rtol=0.0, atol=0.0) -> None:
    for field in ("estimate", "se", "ci_low", "ci_high"):
        assert getattr(est, field) == pytest.approx(row[field], rel=rtol, abs=atol), field


@pytest.mark.parametrize(("spec", "level"), [("ancova", 0.95), ("ancova_90", 0.90)])
def test_ancova_matches_lm(spec: str, level: float) -> None:
    # R: lm(post ~ group + pre), group reference "comparison"; confint(fit, level = level)
    est = ancova(SCORES["post"], SCORES["pre"], SCORES["group"], level=level)
    _close(est, R.loc[spec], rtol=RTOL_OLS)
    assert est.n == len(SCORES)
    assert "intervention vs. comparison" in est.method


@pytest.mark.parametrize(("spec", "baseline", "followup"),
                         [("mixed_0_6", None, 6), ("mixed_0_12", None, None), ("mixed_6_12", 6, 12)])
def test_mixed_model_matches_lmer(spec: str, baseline, followup) -> None:
    # R: lmer(score ~ factor(month) + (1 | client_id), REML = TRUE); confint(fit, method = "Wald")
    est = mixed_model_change(LONG, client="client_id", time="month", score="score",
                             baseline=baseline, followup=followup)
    _close(est, R.loc[spec], atol=ATOL_MIXED)
    assert est.n == LONG["client_id"].nunique()


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="pass reference="):
        ancova([1, 2, 3, 4], [1, 2, 3, 5], ["a", "b", "a", "b"])
    with pytest.raises(ValueError, match="no column"):
        mixed_model_change(LONG, client="asiakas", time="month", score="score")
    with pytest.raises(ValueError, match="followup must be one of"):
        mixed_model_change(LONG, client="client_id", time="month", score="score", followup=24)
    dup = pd.concat([LONG, LONG.head(1)])
    with pytest.raises(AnalysisError, match="more than once"):
        mixed_model_change(dup, client="client_id", time="month", score="score")
    gap = LONG.assign(score=LONG["score"].where(LONG.index != 3))
    with pytest.raises(AnalysisError, match="position 3"):
        mixed_model_change(gap, client="client_id", time="month", score="score")


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_row_order_invariance_and_interval(seed: int) -> None:
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(SCORES))
    a = ancova(SCORES["post"], SCORES["pre"], SCORES["group"])
    s = SCORES.iloc[perm]
    b = ancova(s["post"], s["pre"], s["group"])
    assert a.ci_low <= a.estimate <= a.ci_high
    assert (b.estimate, b.se) == pytest.approx((a.estimate, a.se), rel=1e-9)
    m1 = mixed_model_change(LONG, client="client_id", time="month", score="score")
    m2 = mixed_model_change(LONG.iloc[rng.permutation(len(LONG))], client="client_id", time="month",
                            score="score")
    assert m1.ci_low <= m1.estimate <= m1.ci_high
    assert (m2.estimate, m2.se) == pytest.approx((m1.estimate, m1.se), rel=1e-5)
