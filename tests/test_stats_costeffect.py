"""evalkit.stats.costeffect against BCEA's formulas (base-R re-implementation) and by hand.

Reference: ``tests/reference/costeffect.R`` (R 4.2.2) reads the committed draws
``tests/reference/data/costeffect_draws.csv`` (three sets: ``boot`` = a real paired bootstrap,
``crossing`` = ΔE crosses zero, ``northeast`` = a clear NE cloud) and writes
``tests/reference/expected/costeffect.csv``. Both sides compute from the same draws, so
they must agree to floating-point precision.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import AnalysisError
from evalkit.stats.bootstrap import CostEffectDraws, bootstrap_cost_effect
from evalkit.stats.costeffect import (
    QUADRANTS,
    ceac,
    cost_effectiveness,
    dominance,
    evpi,
    icer,
    icer_interval,
    incremental_net_benefit,
    quadrant_shares,
    wtp_grid,
)

from .conftest import ROOT

# --- tolerances ----------------------------------------------------------------------------
RTOL = 1e-9  # same draws, same formulas: floating point only
ATOL_EUR = 1e-6  # € (EVPI near zero is a difference of two means of ~1e3-sized numbers)
ATOL_SHARE = 1e-12  # shares of 1 500 – 2 000 draws are exact multiples of 1/B

REF = ROOT / "tests" / "reference"
DRAWS = pd.read_csv(REF / "data" / "costeffect_draws.csv")
POINTS = pd.read_csv(REF / "data" / "costeffect_points.csv").set_index("set")
R_CE = pd.read_csv(REF / "expected" / "costeffect.csv")
SETS = ("boot", "crossing", "northeast")
GRID = np.array([0, 5000, 10000, 20000, 25000, 30000, 40000, 50000, 75000, 100000], dtype=float)


def _r(set_: str, quantity: str, wtp: float | None = None) -> float:
    sub = R_CE[(R_CE["set"] == set_) & (R_CE["quantity"] == quantity)]
    if wtp is not None:
        sub = sub[sub["wtp"] == wtp]
    assert len(sub) == 1, (set_, quantity, wtp)
    return float(sub["value"].iloc[0])


def _deltas(set_: str) -> tuple[np.ndarray, np.ndarray, float, float]:
    d = DRAWS[DRAWS["set"] == set_]
    p = POINTS.loc[set_]
    return (d["cost_intervention"].to_numpy() - d["cost_comparison"].to_numpy(),
            d["effect_intervention"].to_numpy() - d["effect_comparison"].to_numpy(),
            p["cost_intervention"] - p["cost_comparison"], p["effect_intervention"] - p["effect_comparison"])


def _draws_object(set_: str) -> CostEffectDraws:
    d = DRAWS[DRAWS["set"] == set_]
    p = POINTS.loc[set_]
    return CostEffectDraws(
        groups=("comparison", "intervention"), n=(120, 180),
        mean_cost=d[["cost_comparison", "cost_intervention"]].to_numpy(),
        mean_effect=d[["effect_comparison", "effect_intervention"]].to_numpy(),
        observed_cost=(p["cost_comparison"], p["cost_intervention"]),
        observed_effect=(p["effect_comparison"], p["effect_intervention"]), reps=len(d), method="test")


@pytest.mark.parametrize("set_", SETS)
def test_ceac_evpi_inmb_match_bcea_formulas(set_: str) -> None:
    dc, de, dc0, de0 = _deltas(set_)
    # R: mean(ib > 0) with ib = k * delta_e - delta_c        (BCEA compute_ceac)
    np.testing.assert_allclose(ceac(dc, de, GRID), [_r(set_, "ceac", k) for k in GRID], rtol=0, atol=ATOL_SHARE)
    # R: mean(apply(U, 1, max) - max(colMeans(U)))          (BCEA compute_vi / evi)
    np.testing.assert_allclose(evpi(dc, de, GRID), [max(_r(set_, "evpi", k), 0.0) for k in GRID],
                               rtol=RTOL, atol=ATOL_EUR)
    # R: quantile(ib, c(.025, .975), type = 7)
    inb = incremental_net_benefit(dc, de, GRID)
    q = np.quantile(inb, [0.025, 0.975], axis=0)
    np.testing.assert_allclose(q[0], [_r(set_, "inmb_low", k) for k in GRID], rtol=RTOL)
    np.testing.assert_allclose(q[1], [_r(set_, "inmb_high", k) for k in GRID], rtol=RTOL)
    assert ceac(dc, de, 20000.0) == pytest.approx(_r(set_, "ceac", 20000), abs=ATOL_SHARE)


@pytest.mark.parametrize("set_", SETS)
def test_icer_quadrants_and_interval_match_r(set_: str) -> None:
    dc, de, dc0, de0 = _deltas(set_)
    assert icer(dc0, de0) == pytest.approx(_r(set_, "icer_point"), rel=RTOL)  # R: dc0 / de0
    # R (BCEA): mean(delta_c) / mean(delta_e)
    assert icer(dc.mean(), de.mean()) == pytest.approx(_r(set_, "icer_bcea"), rel=RTOL)
    shares = quadrant_shares(dc, de)
    for key in QUADRANTS:  # R: mean(!axis & delta_e > 0 & delta_c > 0) …
        assert shares[key] == pytest.approx(_r(set_, f"quadrant_{key}"), abs=ATOL_SHARE), key
    assert sum(shares.values()) == pytest.approx(1.0)
    lo, hi = icer_interval(dc, de, dc0, de0)
    r_lo, r_hi = _r(set_, "icer_low"), _r(set_, "icer_high")
    if math.isnan(r_lo):  # R: NA when a limit ray leaves the half-plane
        assert math.isnan(lo) and math.isnan(hi)
    else:
        assert lo == pytest.approx(r_lo, rel=RTOL) and hi == pytest.approx(r_hi, rel=RTOL)


def test_reference_sets_cover_the_cases() -> None:
    """The reference has power: one ICER interval is undefined, one finite; EVPI > 0 somewhere."""
    assert math.isnan(_r("crossing", "icer_low")) and not math.isnan(_r("northeast", "icer_low"))
    assert _r("crossing", "evpi", 30000) > 100 and _r("boot", "quadrant_axis") > 0


@pytest.mark.parametrize("set_", SETS)
def test_cost_effectiveness_rows(set_: str) -> None:
    dc, de, dc0, de0 = _deltas(set_)
    res = cost_effectiveness(_draws_object(set_), wtp=20000, grid=GRID)
    assert res.get("incremental_cost").estimate == pytest.approx(dc0, rel=RTOL)
    assert res.get("incremental_cost").ci_low == pytest.approx(_r(set_, "delta_c_low"), rel=RTOL)
    assert res.get("incremental_cost").ci_high == pytest.approx(_r(set_, "delta_c_high"), rel=RTOL)
    assert res.get("incremental_effect").ci_low == pytest.approx(_r(set_, "delta_e_low"), rel=RTOL)
    assert res.get("inmb").estimate == pytest.approx(_r(set_, "inmb_point", 20000), rel=RTOL)
    assert res.get("inmb").ci_low == pytest.approx(_r(set_, "inmb_low", 20000), rel=RTOL)
    assert res.get("prob_cost_effective").estimate == pytest.approx(_r(set_, "ceac", 20000), abs=ATOL_SHARE)
    assert res.get("evpi_per_person").estimate == pytest.approx(max(_r(set_, "evpi", 20000), 0), abs=ATOL_EUR)
    assert res.get("icer").estimate == pytest.approx(_r(set_, "icer_point"), rel=RTOL)
    np.testing.assert_allclose(res.curve["prob_cost_effective"], [_r(set_, "ceac", k) for k in GRID],
                               atol=ATOL_SHARE)
    frame = res.to_frame()
    assert {"incremental_cost", "incremental_effect", "icer", "inmb", "prob_cost_effective",
            "evpi_per_person", "quadrant_ne_share", "mean_cost"} <= set(frame["indicator"])
    assert (frame["n"] > 0).all()
    assert "Kustannusvaikuttavuus" in res.summary() and "<table>" in res._repr_html_()
    assert res.icer_defined == (not math.isnan(_r(set_, "icer_low")))


# --- hand-computed --------------------------------------------------------------------------

def test_hand_computed_small_draws() -> None:
    """Four draws worked out on paper."""
    dc = np.array([100.0, -50.0, 300.0, 200.0])
    de = np.array([0.02, 0.01, -0.01, 0.05])
    # INMB at λ = 10 000: 200−100=100, 100+50=150, −100−300=−400, 500−200=300
    np.testing.assert_allclose(incremental_net_benefit(dc, de, 10000.0), [100, 150, -400, 300])
    assert ceac(dc, de, 10000.0) == 0.75
    # EVPI = mean(max(INMB,0)) − max(mean INMB, 0) = (100+150+0+300)/4 − max(150/4, 0) = 137.5 − 37.5
    assert evpi(dc, de, 10000.0) == pytest.approx(100.0)
    # λ = 0: INMB = −ΔC = −100, 50, −300, −200; CEAC 1/4; EVPI = 50/4 − 0
    np.testing.assert_allclose(ceac(dc, de, [0.0, 10000.0]), [0.25, 0.75])
    np.testing.assert_allclose(evpi(dc, de, [0.0, 10000.0]), [12.5, 100.0])
    assert quadrant_shares(dc, de) == {"ne": 0.5, "se": 0.25, "sw": 0.0, "nw": 0.25, "axis": 0.0}
    assert icer(550 / 4, 0.0175) == pytest.approx(137.5 / 0.0175)
    assert math.isnan(icer(100.0, 0.0))


def test_dominance_words() -> None:
    assert dominance(-10, 0.1) == "dominant"
    assert dominance(0, 0.1) == "dominant"
    assert dominance(10, -0.1) == "dominated"
    assert dominance(10, 0.0) == "dominated"
    assert dominance(10, 0.1) == "more_costly_more_effective"
    assert dominance(-10, -0.1) == "less_costly_less_effective"
    assert dominance(0, 0) == "equal"


def test_icer_interval_for_negative_effect_point() -> None:
    """Mirrored cloud (ΔE < 0 half-plane) gives the same ICER limits."""
    dc, de, dc0, de0 = _deltas("northeast")
    a = icer_interval(dc, de, dc0, de0)
    b = icer_interval(-dc, -de, -dc0, -de0)
    assert a == pytest.approx(b, rel=1e-12)


def test_wtp_grid_and_errors() -> None:
    np.testing.assert_array_equal(wtp_grid(3000, 1000, include=[2500]), [0, 1000, 2000, 2500, 3000])
    with pytest.raises(ValueError):
        wtp_grid(0, 1000)
    with pytest.raises(ValueError, match="same length"):
        ceac([1.0, 2.0], [1.0], 1.0)
    with pytest.raises(AnalysisError):
        ceac([1.0, np.nan], [1.0, 2.0], 1.0)


def test_seeded_end_to_end_is_deterministic() -> None:
    ce = pd.read_csv(REF / "data" / "cost_effect.csv")
    a = cost_effectiveness(bootstrap_cost_effect(ce, seed=4, reps=500), wtp=20000)
    b = cost_effectiveness(bootstrap_cost_effect(ce, seed=4, reps=500), wtp=20000)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    pd.testing.assert_frame_equal(a.curve, b.curve)
    assert 20000.0 in set(a.curve["wtp"])
