"""The person-period visits panel (DuckDB): a hand-computed case, equivalence with a plain
pandas implementation written here, row-order invariance and bad input.

Tolerances: counts and exposure days are integers and must agree exactly; the summed
``value`` column is compared with ``REL_VALUE``.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.errors import AnalysisError, DataError
from evalkit.measures.visits import visits_panel

REL_VALUE = 1e-12

CLIENTS = pd.DataFrame({
    "client_id": ["a", "b", "c", "d"],
    "group": ["intervention", "comparison", None, "intervention"],
    "index_date": ["2023-03-01", "2023-06-15", None, "2024-12-30"],
    "followup_end": [None, "2023-09-01", None, None],
})
VISITS = pd.DataFrame({
    "client_id": ["a", "a", "a", "b", "b", "x", "c", "a"],
    "date": ["2022-12-31", "2023-02-28", "2023-03-01", "2023-06-14", "2023-09-02", "2023-01-01",
             "2023-01-01", "2023-05-01"],
    "service": ["psychiatry"] * 7 + ["dental"],
})


def _hand_panel(**kw):
    return visits_panel(VISITS, CLIENTS, data_start="2023-01-01", data_cutoff="2024-12-31",
                        filters={"service": ["psychiatry"]}, **kw)


def test_hand_computed_case() -> None:
    p = _hand_panel()
    got = {(r.client_id, r.period): (r.visits, r.exposure_days) for r in p.frame.itertuples()}
    assert got == {
        # a: index 1.3.2023; pre [1.3.2022, 28.2.2023] cut at data start 1.1.2023 = 31 + 28 days;
        # the visit of 31.12.2022 precedes the data start, 28.2. is pre, 1.3. is day 0 (post)
        ("a", "pre"): (1, 59), ("a", "post"): (1, 365),
        # b: pre 1.1.–14.6.2023 = 165 days; post 15.6.–1.9.2023 (followup_end) = 79 days;
        # the visit of 2.9. is after followup_end
        ("b", "pre"): (1, 165), ("b", "post"): (0, 79),
        # d: index 30.12.2024, post cut at the cut-off 31.12.2024 = 2 days
        ("d", "pre"): (0, 365), ("d", "post"): (0, 2),
    }
    assert dict(zip(p.frame["client_id"], p.frame["group"], strict=False)) == {
        "a": "intervention", "b": "comparison", "d": "intervention"}
    flow = dict(zip(p.visit_flow["step"], p.visit_flow["rows"], strict=True))
    assert flow == {"read": 8, "filtered_out": 1, "orphan": 1, "client_not_analysed": 1,
                    "outside_windows": 2, "pre": 2, "post": 1}
    assert p.exclusions.to_dict("records") == [
        {"reason": "no_index_date", "group": "intervention", "clients": 1}]
    assert p.censored == {"pre_by_data_start": 2, "post_by_followup": 2}
    assert p.n_by_group() == {"intervention": 2, "comparison": 1}
    wide = p.wide().set_index("client_id")
    assert wide.loc["a", "rate_pre"] == pytest.approx(1 / 59 * 30.4375)
    assert wide.loc["a", "change"] == pytest.approx(1 / 365 * 30.4375 - 1 / 59 * 30.4375)


def test_washout_shortens_pre_period() -> None:
    p = _hand_panel(washout=1)
    pre = p.frame[p.frame["period"] == "pre"].set_index("client_id")
    assert p.pre_window == (-365, -2)
    assert pre.loc["a", "visits"] == 0  # 28.2. is now in the wash-out
    assert pre.loc["a", "exposure_days"] == 58


def test_exclusion_reasons_counted_once() -> None:
    clients = pd.DataFrame({
        "client_id": ["ok", "noindex", "late", "early", "gone"],
        "index_date": ["2023-06-01", None, "2025-02-01", "2022-01-01", "2023-06-01"],
        "followup_end": [None, None, None, None, "2023-05-01"],
    })
    visits = pd.DataFrame({"client_id": ["ok", "gone", "early"],
                           "date": ["2023-07-01", "2023-04-01", "2022-06-01"]})
    p = visits_panel(visits, clients, data_start="2022-01-01", data_cutoff="2024-12-31",
                     pre=(-90, -1), post=(0, 89))
    assert set(p.clients["client_id"]) == {"ok"}
    reasons = dict(zip(p.exclusions["reason"], p.exclusions["clients"], strict=True))
    # late: index after the cut-off; gone: follow-up ends before the index date;
    # early: the pre-period 3.10.–31.12.2021 lies wholly before the data start
    assert reasons == {"no_index_date": 1, "index_after_observation": 2, "no_pre_exposure": 1}
    flow = dict(zip(p.visit_flow["step"], p.visit_flow["rows"], strict=True))
    # every visit of a client not analysed is counted as such, inside a window or not
    assert flow == {"read": 3, "filtered_out": 0, "orphan": 0, "client_not_analysed": 2,
                    "outside_windows": 0, "pre": 0, "post": 1}


def test_value_column_sums_like_counts() -> None:
    visits = VISITS.assign(cost=[10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0])
    p = visits_panel(visits, CLIENTS, data_start="2023-01-01", data_cutoff="2024-12-31",
                     filters={"service": ["psychiatry"]}, value="cost")
    got = dict(zip(zip(p.frame["client_id"], p.frame["period"], strict=True), p.frame["value"],
                   strict=True))
    assert got == {("a", "pre"): 20.0, ("a", "post"): 30.0, ("b", "pre"): 40.0, ("b", "post"): 0.0,
                   ("d", "pre"): 0.0, ("d", "post"): 0.0}


def test_count_rows_use_n() -> None:
    visits = pd.DataFrame({"client_id": ["a", "a"], "date": ["2023-02-01", "2023-04-01"], "n": [3, 2]})
    p = visits_panel(visits, CLIENTS, data_start="2023-01-01", data_cutoff="2024-12-31")
    a = p.frame[p.frame["client_id"] == "a"].set_index("period")["visits"]
    assert (a["pre"], a["post"]) == (3, 2)
    assert p.visit_flow.set_index("step").loc["read", "visits"] == 5


def test_data_start_inferred_from_earliest_visit() -> None:
    p = visits_panel(VISITS, CLIENTS, data_cutoff="2024-12-31")
    assert p.data_start_inferred and p.data_start == date(2022, 12, 31)


# --------------------------------------------------------------------------------------
# equivalence with a plain pandas implementation
# --------------------------------------------------------------------------------------


def pandas_panel(visits: pd.DataFrame, clients: pd.DataFrame, *, pre, post, washout, data_start,
                 data_cutoff, service=None) -> pd.DataFrame:
    """Reference: the definition in domain.md, written the obvious way in pandas."""
    pre = (pre[0], min(pre[1], -washout - 1))
    start, cutoff = pd.Timestamp(data_start), pd.Timestamp(data_cutoff)
    c = clients.copy()
    c["index_date"] = pd.to_datetime(c["index_date"])
    c["followup_end"] = pd.to_datetime(c["followup_end"]).fillna(cutoff).clip(upper=cutoff)
    c = c[c["index_date"].notna()]
    v = visits.copy()
    v["date"] = pd.to_datetime(v["date"])
    if service is not None:
        v = v[v["service"].isin(service)]
    rows = []
    for r in c.itertuples():
        out = {}
        for label, (lo, hi) in (("pre", pre), ("post", post)):
            a = max(r.index_date + pd.Timedelta(days=lo), start)
            b = min(r.index_date + pd.Timedelta(days=hi), r.followup_end)
            expo = max((b - a).days + 1, 0)
            mine = v[(v["client_id"] == r.client_id) & (v["date"] >= a) & (v["date"] <= b)]
            out[label] = (len(mine), expo)
        if out["pre"][1] > 0 and out["post"][1] > 0:
            for label in ("pre", "post"):
                rows.append({"client_id": r.client_id, "group": r.group, "period": label,
                             "visits": out[label][0], "exposure_days": out[label][1]})
    frame = pd.DataFrame(rows)
    frame["_p"] = frame["period"].map({"pre": 0, "post": 1})
    return frame.sort_values(["client_id", "_p"]).drop(columns="_p").reset_index(drop=True)


def _random_data(seed: int, n_clients: int = 60, n_visits: int = 3000):
    rng = np.random.default_rng(seed)
    ids = [f"k{i:03d}" for i in range(n_clients)]
    index = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, n_clients), unit="D")
    index = pd.Series(index).where(rng.random(n_clients) > 0.1)
    follow = (index + pd.to_timedelta(rng.integers(-30, 500, n_clients), unit="D")).where(
        rng.random(n_clients) < 0.3)
    clients = pd.DataFrame({"client_id": ids,
                            "group": rng.choice(["intervention", "comparison"], n_clients),
                            "index_date": index.dt.strftime("%Y-%m-%d"),
                            "followup_end": follow.dt.strftime("%Y-%m-%d")})
    visits = pd.DataFrame({
        "client_id": rng.choice([*ids, "orphan1", "orphan2"], n_visits),
        "date": (pd.Timestamp("2021-06-01")
                 + pd.to_timedelta(rng.integers(0, 1400, n_visits), unit="D")).strftime("%Y-%m-%d"),
        "service": rng.choice(["psychiatry", "primary_care", "dental"], n_visits),
    })
    return visits, clients


@pytest.mark.parametrize("seed,washout,service", [(1, 0, None), (2, 30, ["psychiatry"]),
                                                  (3, 7, ["psychiatry", "dental"])])
def test_duckdb_panel_equals_pandas_reference(seed, washout, service) -> None:
    visits, clients = _random_data(seed)
    kw = dict(pre=(-365, -1), post=(0, 364), washout=washout, data_start="2022-01-01",
              data_cutoff="2024-12-31")
    got = visits_panel(visits, clients, filters={"service": service} if service else None, **kw)
    want = pandas_panel(visits, clients, service=service, **kw)
    pd.testing.assert_frame_equal(got.frame, want, check_dtype=False)
    flow = got.visit_flow.set_index("step")["rows"]
    assert flow.drop("read").sum() == flow["read"] == len(visits)
    n_started = clients["index_date"].notna().sum()
    assert got.exclusions["clients"].sum() + got.n_clients == len(clients)
    assert got.exclusions.query("reason == 'no_index_date'")["clients"].sum() == len(clients) - n_started


def test_relation_from_parquet_equals_dataframe(tmp_path) -> None:
    visits, clients = _random_data(4)
    path = tmp_path / "visits.parquet"
    visits.assign(date=pd.to_datetime(visits["date"])).to_parquet(path)
    kw = dict(data_start="2022-01-01", data_cutoff="2024-12-31", filters={"service": ["psychiatry"]})
    con = duckdb.connect()
    from_rel = visits_panel(con.read_parquet(str(path)), clients, **kw)
    from_df = visits_panel(visits, clients, **kw)
    pd.testing.assert_frame_equal(from_rel.frame, from_df.frame)
    pd.testing.assert_frame_equal(from_rel.visit_flow, from_df.visit_flow)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_row_order_does_not_matter(seed) -> None:
    visits, clients = _random_data(5, n_clients=25, n_visits=400)
    rng = np.random.default_rng(seed)
    kw = dict(data_start="2022-01-01", data_cutoff="2024-12-31", washout=14)
    base = visits_panel(visits, clients, **kw)
    shuffled = visits_panel(visits.sample(frac=1.0, random_state=rng.integers(2**31)),
                            clients.sample(frac=1.0, random_state=rng.integers(2**31)), **kw)
    pd.testing.assert_frame_equal(base.frame, shuffled.frame)
    pd.testing.assert_frame_equal(base.exclusions, shuffled.exclusions)
    pd.testing.assert_frame_equal(base.visit_flow, shuffled.visit_flow)


# --------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------


def test_bad_visit_date_is_named() -> None:
    visits = VISITS.assign(date=["2023-01-05", "5.1.2023", *VISITS["date"][2:]])
    with pytest.raises(DataError, match=r"column 'date'.*5\.1\.2023.*client a"):
        visits_panel(visits, CLIENTS, data_start="2023-01-01", data_cutoff="2024-12-31")


def test_negative_count_is_named() -> None:
    visits = pd.DataFrame({"client_id": ["a", "a"], "date": ["2023-02-01", "2023-04-01"], "n": [3, -2]})
    with pytest.raises(DataError, match=r"column 'n'.*-2"):
        visits_panel(visits, CLIENTS, data_start="2023-01-01", data_cutoff="2024-12-31")


def test_duplicate_client_and_bad_group_are_named() -> None:
    clients = pd.concat([CLIENTS, CLIENTS.iloc[[0]]], ignore_index=True)
    clients.loc[1, "group"] = "control"
    with pytest.raises(DataError) as err:
        visits_panel(VISITS, clients, data_start="2023-01-01", data_cutoff="2024-12-31")
    text = str(err.value)
    assert "row 6, column 'client_id', value \"a\"" in text
    assert "row 3, column 'group', value \"control\"" in text


def test_missing_filter_column_and_windows() -> None:
    with pytest.raises(DataError, match="professional"):
        visits_panel(VISITS, CLIENTS, data_cutoff="2024-12-31", filters={"professional": ["nurse"]})
    with pytest.raises(ValueError, match="wash-out"):
        visits_panel(VISITS, CLIENTS, data_cutoff="2024-12-31", pre=(-30, -1), washout=30)
    with pytest.raises(ValueError, match="must end before"):
        visits_panel(VISITS, CLIENTS, data_cutoff="2024-12-31", post=(-5, 30))


def test_no_analysable_client() -> None:
    clients = CLIENTS.assign(index_date=None)
    with pytest.raises(AnalysisError, match="no_index_date: 4"):
        visits_panel(VISITS, clients, data_cutoff="2024-12-31")


def test_finnish_client_dates_are_read() -> None:
    clients = CLIENTS.assign(index_date=["1.3.2023", "15.6.2023", None, "30.12.2024"],
                             followup_end=[None, "1.9.2023", None, None])
    a = _hand_panel().frame
    b = visits_panel(VISITS, clients, data_start="2023-01-01", data_cutoff="2024-12-31",
                     filters={"service": ["psychiatry"]}).frame
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(DataError, match=r"row 2, column 'index_date', value \"31.2.2023\""):
        visits_panel(VISITS, clients.assign(index_date=["31.2.2023", *clients["index_date"][1:]]),
                     data_cutoff="2024-12-31")
