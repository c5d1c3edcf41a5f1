"""evalkit.measures.costs: costing, price index, intervention costs, discounting and the
cost-effectiveness rows, by hand; the demo truth inside the interval.

Every expected value below is worked out on paper from the small tables in this file.
The CE formulas themselves (ICER, INMB, CEAC, EVPI against BCEA) are tested in
tests/test_stats_costeffect.py; the paired bootstrap against R ``boot`` in
tests/test_stats_bootstrap.py and, on the costs measure's own committed data set, below
(tests/reference/costs.R).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import AnalysisError, DataError
from evalkit.measures.costs import (
    costed_visits,
    costs,
    discount_factors,
    intervention_cost_per_client,
    price_factor,
    sessions_from_questionnaires,
    tornado,
    unit_costs_in_year,
)

PRICE = pd.DataFrame({"year": [2022, 2023, 2024], "index": [100.0, 110.0, 125.0]})
UNIT = pd.DataFrame({
    "service": ["psychiatry", "psychiatry", "psychiatry", "psychiatry", "primary_care"],
    "professional": [None, "physician", "physician", None, None],
    "contact_type": [None, None, "phone", "phone", None],
    "unit_cost_eur": [100.0, 200.0, 50.0, 40.0, 60.0],
    "cost_year": [2022, 2022, 2022, 2023, 2024],
    "source": "test",
})
CLIENTS = pd.DataFrame({
    "client_id": ["A", "B", "C", "D"],
    "group": ["intervention", "intervention", "comparison", "comparison"],
    "index_date": ["2024-01-01", "2024-03-01", "2024-02-01", "2024-02-01"],
})
# (client, date, service, professional, contact_type, n) → expected cost in 2024 euros
VISITS_SPEC = [
    ("A", "2023-06-01", "psychiatry", "nurse", "visit", 1, "pre", 125.0),       # any: 100 × 1.25
    ("A", "2024-02-01", "psychiatry", "physician", "visit", 1, "post", 250.0),  # physician: 200 × 1.25
    ("A", "2024-02-02", "psychiatry", "physician", "phone", 1, "post", 62.5),   # physician+phone: 50 × 1.25
    ("A", "2024-03-01", "psychiatry", "nurse", "phone", 1, "post", 40 * 125 / 110),  # phone (2023 €)
    ("A", "2025-03-01", "primary_care", None, "visit", 1, "year2", 60.0),       # day 425: second year
    ("B", "2023-12-01", "psychiatry", None, None, 1, "pre", 125.0),
    ("B", "2024-04-01", "primary_care", "nurse", "visit", 2, "post", 120.0),    # count row: 2 × 60
    ("C", "2023-05-01", "psychiatry", "physician", "remote", 1, "pre", 250.0),
    ("C", "2024-05-01", "primary_care", None, None, 1, "post", 60.0),
    ("D", "2023-08-01", "psychiatry", "nurse", None, 3, "pre", 375.0),
]
VISITS = pd.DataFrame([v[:6] for v in VISITS_SPEC],
                      columns=["client_id", "date", "service", "professional", "contact_type", "n"])
ICOSTS = pd.DataFrame({
    "model": ["m", "m", "m", "other"],
    "item": ["coaches", "licence", "session fee", "not ours"],
    "amount_eur": [1000.0, 100.0, 10.0, 99999.0],
    "year": [2023, 2024, 2022, 2024],
    "basis": ["total", "per_client", "per_session", "total"],
})
SESSIONS = pd.DataFrame({"client_id": ["A"], "sessions": [3]})
COMMON = {"unit_costs": UNIT, "price_index": PRICE, "intervention_costs": ICOSTS, "sessions": SESSIONS,
          "cost_year": 2024, "data_start": "2023-01-01", "data_cutoff": "2025-12-31", "model": "m",
          "bootstrap_reps": 200}


def _expected(client: str, period: str) -> float:
    return sum(v[7] for v in VISITS_SPEC if v[0] == client and v[6] == period)


# --- price index and unit costs ---------------------------------------------------------------

def test_price_factor_by_hand() -> None:
    assert price_factor(PRICE, year=2022, cost_year=2024) == pytest.approx(1.25)
    assert price_factor(PRICE, year=2024, cost_year=2022) == pytest.approx(0.8)
    assert price_factor(None, year=2024, cost_year=2024) == 1.0
    with pytest.raises(DataError, match="2019"):
        price_factor(PRICE, year=2019, cost_year=2024)
    with pytest.raises(DataError, match="no price index"):
        price_factor(None, year=2023, cost_year=2024)


def test_unit_costs_moved_to_cost_year() -> None:
    uc = unit_costs_in_year(UNIT, PRICE, cost_year=2024)
    np.testing.assert_allclose(uc["unit_cost"], [125.0, 250.0, 62.5, 40 * 125 / 110, 60.0])
    dup = pd.concat([UNIT, UNIT.iloc[[1]]], ignore_index=True)
    with pytest.raises(DataError, match="appears twice"):
        unit_costs_in_year(dup, PRICE, cost_year=2024)
    bad = UNIT.assign(unit_cost_eur=[100.0, -1.0, 50.0, 40.0, 60.0])
    with pytest.raises(DataError, match="non-negative"):
        unit_costs_in_year(bad, PRICE, cost_year=2024)


def test_most_specific_unit_cost_wins() -> None:
    uc = unit_costs_in_year(UNIT, PRICE, cost_year=2024)
    got = costed_visits(VISITS, uc).df()
    np.testing.assert_allclose(got["unit_cost"] * got["n"], [v[7] for v in VISITS_SPEC])
    assert list(got.columns) == [*VISITS.columns, "unit_cost"]


def test_used_service_without_unit_cost_is_an_error_naming_it() -> None:
    uc = unit_costs_in_year(UNIT, PRICE, cost_year=2024)
    extra = pd.concat([VISITS, pd.DataFrame([{"client_id": "A", "date": "2024-06-01", "service": "dental",
                                              "professional": "hygienist", "contact_type": "visit", "n": 1}])],
                      ignore_index=True)
    with pytest.raises(DataError) as exc:
        costed_visits(extra, uc)
    msg = str(exc.value)
    assert "dental" in msg and "hygienist" in msg and "1 visit row" in msg


# --- intervention costs --------------------------------------------------------------------------

def test_intervention_costs_total_per_client_per_session() -> None:
    per, items = intervention_cost_per_client(ICOSTS, PRICE, clients=["A", "B"], cost_year=2024,
                                              sessions=SESSIONS, model="m")
    total = 1000 * 125 / 110 / 2  # total basis over two clients, 2023 → 2024 €
    assert per["A"] == pytest.approx(total + 100 + 3 * 12.5)
    assert per["B"] == pytest.approx(total + 100)  # no sessions recorded
    assert list(items["item"]) == ["coaches", "licence", "session fee"]  # other model left out
    assert items["total"].sum() == pytest.approx(per.sum())
    with pytest.raises(DataError, match="per-session"):
        intervention_cost_per_client(ICOSTS, PRICE, clients=["A"], cost_year=2024, model="m")


def test_sessions_from_questionnaires() -> None:
    q = pd.DataFrame({"client_id": ["A", "A", "A", "A", "B", "B"],
                      "date": ["2024-01-01", "2024-01-01", "2024-01-08", "2024-01-15", "2024-02-01", "2024-03-01"],
                      "instrument": ["PHQ-9", "GAD-7", "PHQ-9", "PHQ-9", "PHQ-9", "PHQ-9"],
                      "session": [1, 1, 2, 3, None, None]})
    got = sessions_from_questionnaires(q).set_index("client_id")["sessions"]
    assert got.to_dict() == {"A": 3, "B": 2}


# --- discounting ---------------------------------------------------------------------------------

def test_discount_only_beyond_one_year() -> None:
    assert discount_factors((0, 364), 0.03) == []
    segs = discount_factors((0, 1000), 0.05)
    assert segs[0] == ((365, 729), pytest.approx(1 / 1.05))
    assert segs[1] == ((730, 1000), pytest.approx(1 / 1.05 ** 2))


# --- the measure ---------------------------------------------------------------------------------

def test_per_client_costs_by_hand() -> None:
    res = costs(VISITS, CLIENTS, seed=1, **COMMON)
    icost = 1000 * 125 / 110 / 2 + 100
    a_post, b_post = _expected("A", "post"), _expected("B", "post")
    assert res.get("intervention_cost_per_client", "intervention").estimate == pytest.approx(icost + 37.5 / 2)
    assert res.get("service_cost_pre", "intervention").estimate == pytest.approx((125 + 125) / 2)
    assert res.get("service_cost_post", "intervention").estimate == pytest.approx((a_post + b_post) / 2)
    assert res.get("service_cost_post", "comparison").estimate == pytest.approx(60 / 2)
    assert res.get("cost_offset", "comparison").estimate == pytest.approx((60 - 250 - 375) / 2)
    offset_i = (a_post - 125 + b_post - 125) / 2
    assert res.get("cost_offset", "intervention").estimate == pytest.approx(offset_i)
    assert res.get("net_cost_per_client", "intervention").estimate == pytest.approx(icost + 37.5 / 2 + offset_i)
    total_i = icost + 37.5 / 2 + (a_post + b_post) / 2
    assert res.get("incremental_cost").estimate == pytest.approx(total_i - 30)
    e = res.get("incremental_cost")
    assert e.ci_low <= e.estimate <= e.ci_high and e.n == 4


def test_two_year_horizon_is_discounted() -> None:
    res = costs(VISITS, CLIENTS, seed=1, post=(0, 729), discount_rate=0.05, **COMMON)
    a_post = _expected("A", "post") + 60 / 1.05
    b_post = _expected("B", "post")
    assert res.get("service_cost_post", "intervention").estimate == pytest.approx((a_post + b_post) / 2)
    assert res.settings["discounted"]
    undiscounted = costs(VISITS, CLIENTS, seed=1, post=(0, 729), discount_rate=0.0, **COMMON)
    assert undiscounted.get("service_cost_post", "intervention").estimate == pytest.approx(
        (a_post - 60 / 1.05 + 60 + b_post) / 2)


def test_cost_effectiveness_rows_from_an_effect_frame() -> None:
    effects = pd.DataFrame({"client_id": ["A", "B", "C", "D"], "effect": [1.0, 1.0, 0.0, 1.0]})
    res = costs(VISITS, CLIENTS, seed=3, effects=effects, outcome="employed", wtp=1000.0, **COMMON)
    icost = np.array([1000 * 125 / 110 / 2 + 100 + 37.5, 1000 * 125 / 110 / 2 + 100])
    total = {"A": icost[0] + _expected("A", "post"), "B": icost[1] + _expected("B", "post"),
             "C": 60.0, "D": 0.0}
    dc = (total["A"] + total["B"]) / 2 - (total["C"] + total["D"]) / 2
    de = 1.0 - 0.5
    assert res.get("incremental_cost").estimate == pytest.approx(dc)
    assert res.get("incremental_effect").estimate == pytest.approx(de)
    assert res.get("icer").estimate == pytest.approx(dc / de)
    assert res.get("inmb").estimate == pytest.approx(1000 * de - dc)
    # cost per outcome: intervention cost ÷ outcomes (both intervention clients employed)
    assert res.get("cost_per_outcome", "intervention").estimate == pytest.approx(icost.mean())
    assert res.ce is not None and res.ce.dominance == "more_costly_more_effective"
    assert set(res.tornado["parameter"]) == {"unit_costs", "intervention_cost", "discount_rate", "wtp"}


def test_missing_effect_zero_or_exclude() -> None:
    effects = pd.DataFrame({"client_id": ["A", "B", "C", "D"], "effect": [1.0, np.nan, 0.0, np.nan]})
    zero = costs(VISITS, CLIENTS, seed=3, effects=effects, **COMMON)
    assert zero.get("incremental_effect").estimate == pytest.approx(0.5)
    assert zero.missing_effect == {"handling": "zero", "intervention": 1, "comparison": 1}
    assert any("puuttui 2 asiakkaalta" in n for n in zero.notes)
    with pytest.raises(AnalysisError, match="at least 2"):  # one client per group left
        costs(VISITS, CLIENTS, seed=3, effects=effects, missing_effect="exclude", **COMMON)


def test_same_seed_same_results_and_draws() -> None:
    effects = pd.DataFrame({"client_id": ["A", "B", "C", "D"], "effect": [1.0, 0.0, 0.0, 1.0]})
    a = costs(VISITS, CLIENTS, seed=11, effects=effects, **COMMON)
    b = costs(VISITS, CLIENTS, seed=11, effects=effects, **COMMON)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    np.testing.assert_array_equal(a.ce.delta_cost, b.ce.delta_cost)
    c = costs(VISITS, CLIENTS, seed=12, effects=effects, **COMMON)
    assert not np.array_equal(a.ce.delta_cost, c.ce.delta_cost)


def test_tornado_by_hand() -> None:
    t = tornado(delta_effect=0.1, delta_intervention=1000.0, delta_service=[-200.0, -100.0], wtp=20000.0,
                discount_rate=0.03, spread=0.5, discount_range=(0.0, 0.1)).set_index("parameter")
    base = 20000 * 0.1 - (1000 - 200 - 100 / 1.03)
    assert t["base"].iloc[0] == pytest.approx(base)
    assert t.loc["intervention_cost", "outcome_low"] == pytest.approx(2000 - (500 - 200 - 100 / 1.03))
    assert t.loc["unit_costs", "outcome_high"] == pytest.approx(2000 - (1000 - 1.5 * (200 + 100 / 1.03)))
    assert t.loc["discount_rate", "outcome_low"] == pytest.approx(2000 - (1000 - 300))
    assert t.loc["wtp", "outcome_high"] == pytest.approx(40000 * 0.1 - (1000 - 200 - 100 / 1.03))
    assert list(t.index)[0] == "wtp"  # largest swing first
    no_effect = tornado(delta_effect=None, delta_intervention=10.0, delta_service=[5.0], wtp=1.0,
                        discount_rate=0.0)
    assert "wtp" not in set(no_effect["parameter"]) and no_effect["base"].iloc[0] == 15.0


def test_budget_impact() -> None:
    res = costs(VISITS, CLIENTS, seed=1, budget_clients_per_year=40, **COMMON)
    per = res.get("intervention_cost_per_client", "intervention")
    assert res.get("budget_impact").estimate == pytest.approx(40 * per.estimate)
    assert res.get("budget_impact_net").estimate == pytest.approx(40 * res.get("incremental_cost").estimate)


# --- demo acceptance -----------------------------------------------------------------------------

@pytest.mark.parametrize("model", ["ips", "terapiat_etulinjaan"])
def test_demo_incremental_cost_truth_inside_interval(demo_data, model: str) -> None:
    # Issue 8 acceptance: the true incremental cost of the demo data lies inside the 95 % interval.
    import evalkit
    from evalkit.data.demo import read_truth
    from evalkit.measures.costs import effects_for_outcome, options_from_params

    ctx = evalkit.open_model(model, measure="costs", data_root=demo_data)
    data = ctx.load()
    sessions = sessions_from_questionnaires(data.questionnaires) if "questionnaires" in data else None
    opts = {**options_from_params(ctx.params), "bootstrap_reps": 2000}
    effects = effects_for_outcome(ctx.params.costs.outcome, data, ctx.params)
    res = costs(data.visits, data.clients, unit_costs=data.unit_costs, price_index=data.price_index,
                intervention_costs=data.intervention_costs, sessions=sessions, effects=effects, **opts)
    truth = read_truth(demo_data / "demo" / "TRUTH.yaml")["by_key"]
    true = truth[(model, "costs", "incremental_cost", "all")]["value"]
    e = res.get("incremental_cost")
    assert e.ci_low <= true <= e.ci_high, (true, e)
    assert not math.isnan(e.estimate)
    # the per-client intervention cost of the demo truth (total-basis items ÷ 73 agreements for IPS)
    if model == "ips":
        assert res.get("intervention_cost_per_client", "intervention").estimate == pytest.approx(5140.21, abs=0.01)
    # the CE rows come with ΔE and its interval
    de = res.get("incremental_effect")
    assert de.ci_low < de.estimate < de.ci_high and res.ce is not None


# --- wording and figures ---------------------------------------------------------------------------

def _ce_result(effect: list[float], seed: int = 3):
    effects = pd.DataFrame({"client_id": ["A", "B", "C", "D"], "effect": effect})
    return costs(VISITS, CLIENTS, seed=seed, effects=effects, outcome="employed", wtp=1000.0, **COMMON)


def test_icer_never_without_delta_c_delta_e_and_intervals() -> None:
    from evalkit.report.fmt import format_interval, format_money
    from evalkit.report.wording import costs_narrative

    res = _ce_result([1.0, 1.0, 0.0, 1.0])
    de = res.get("incremental_effect")
    text = costs_narrative(res, min_cell=1)
    if de.ci_low > 0:  # ΔE interval excludes 0: the ICER is given, with ΔC and ΔE and their intervals
        assert "ICER = ΔC / ΔE" in text and format_money(res.get("icer").estimate) in text
    assert format_interval(res.get("incremental_cost")) in text
    assert "prosenttiyksikköä (95 % LV" in text
    # ΔE's interval crosses zero: no ICER figure at all, and the text says why
    crossing = _ce_result([1.0, 0.0, 1.0, 0.0])
    e = crossing.get("incremental_effect")
    assert e.ci_low <= 0 <= e.ci_high
    text = costs_narrative(crossing, min_cell=1)
    assert "ICER) ei raportoida lukuna" in text
    icer = crossing.get("icer").estimate
    assert icer is None or math.isnan(icer) or format_money(icer) not in text
    assert format_interval(crossing.get("incremental_cost")) in text


def test_no_comparison_is_observed_not_an_effect() -> None:
    from evalkit.report.wording import costs_limitations, costs_methods, costs_narrative

    only = CLIENTS[CLIENTS["group"] == "intervention"]
    res = costs(VISITS, only, seed=1, **COMMON)
    assert not res.has_comparison and res.ce is None
    text = costs_narrative(res, min_cell=1)
    assert "ilman vertailuryhmää" in text and "ICER" not in text
    assert "Nettokustannus" in text
    assert "alle 5" in costs_narrative(res, min_cell=5)  # two clients: suppressed
    assert "ei diskontattu" in costs_methods(res) and "vertailuryhmää" in costs_limitations(res)
    assert set(res.tornado["parameter"]) == {"unit_costs", "intervention_cost", "discount_rate"}


def test_figures_draw_and_hide_small_groups() -> None:
    from evalkit.report import figures

    res = _ce_result([1.0, 1.0, 0.0, 1.0])
    assert figures.ce_plane(res.ce, wtp=1000.0, min_cell=5) is None  # two clients per group
    assert figures.ce_plane(res.ce, wtp=1000.0, min_cell=1, effect_scale=100) is not None
    assert figures.ceac_chart(res.ce.curve, wtp=1000.0) is not None
    fig = figures.tornado_chart(res.tornado)
    assert len(fig.axes[0].patches) == len(res.tornado)


def test_a_cost_equal_for_every_client_is_fixed() -> None:
    """A total cost divided equally over the clients does not vary between bootstrap samples:
    the estimate says so (the report then prints no interval), and the draws are still taken
    so the later bootstrap estimates are those of the same seed."""
    no_sessions = {**COMMON, "intervention_costs": ICOSTS[ICOSTS["basis"] != "per_session"]}
    res = costs(VISITS, CLIENTS, seed=1, budget_clients_per_year=40, **no_sessions)
    per = res.get("intervention_cost_per_client", "intervention")
    assert per.fixed and per.ci_low == per.ci_high == per.estimate == pytest.approx(1000 * 125 / 110 / 2 + 100)
    assert "ei otantavaihtelua" in per.method and "bootstrap" not in per.method
    assert res.get("budget_impact").fixed
    assert not res.get("service_cost_post", "intervention").fixed
    varying = costs(VISITS, CLIENTS, seed=1, **COMMON)              # session fees differ between A and B
    assert not varying.get("intervention_cost_per_client", "intervention").fixed
    assert varying.get("service_cost_post", "intervention") == res.get("service_cost_post", "intervention")
