"""Reach against targets: hand-computed from a small table."""

from __future__ import annotations

import pandas as pd
import pytest

from evalkit.measures.reach import period_year, reach
from evalkit.params.reach import IndicatorSpec

TABLE = pd.DataFrame(
    {
        "indicator": ["groups", "groups", "visits", "visits", "visits"],
        "period": ["2023", "2024", "2024Q1", "2024Q2", "2024-07"],
        "value": [5, 8, 100, 120, 30],
        "target": [7, 9, None, None, None],
    }
)


def test_yearly_actual_target_achievement() -> None:
    specs = [IndicatorSpec(id="groups", label="Ryhmät", kind="groups", aggregate="max"),
             IndicatorSpec(id="visits", label="Käynnit", kind="visits", aggregate="sum", targets={"2024": 200})]
    res = reach(TABLE, specs=specs)
    assert res.get("groups_actual", "year:2024").estimate == 8
    assert res.get("groups_achievement", "year:2023").estimate == pytest.approx(5 / 7)
    assert res.get("visits_actual", "year:2024").estimate == 250  # sums quarters and months
    assert res.get("visits_achievement", "year:2024").estimate == pytest.approx(1.25)
    assert res.get("visits_actual", "year:2024").unit == "visits"  # visits are not people
    assert res.rows_used == 5 and res.rows_excluded == {}
    only_groups = reach(TABLE, specs=specs[:1])
    assert only_groups.rows_used == 2 and only_groups.rows_excluded == {"tunnusluku ei parametreissa": 3}


def test_period_forms() -> None:
    assert {period_year(p) for p in ("2024", "2024Q3", "2024-05")} == {"2024"}
    with pytest.raises(ValueError):
        period_year("Q3/2024")


# --- quarterly view, people vs visits, suppression, targets -----------------------------------

GROUPS = pd.DataFrame(
    {
        "indicator": ["groups_running"] * 4 + ["group_visits"] * 5 + ["participants"] * 5,
        "period": ["2022", "2023", "2024", "2025",
                   "2024Q1", "2024Q2", "2024-07", "2024-08", "2024Q4",
                   "2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025"],
        "value": [5, 6, 9, 13, 300, 320, 100, 3, 280, 40, 3, 35, 30, 120],
        "target": [5, 7, 9, 12] + [None] * 10,
    }
)
SPECS = [IndicatorSpec(id="groups_running", label="Käynnissä olevat ryhmät", kind="groups", aggregate="max"),
         IndicatorSpec(id="group_visits", label="Ryhmäkäynnit", kind="visits", aggregate="sum"),
         IndicatorSpec(id="participants", label="Eri osallistujia", kind="people", aggregate="sum")]


def test_targets_5_7_9_12_with_achievement() -> None:
    res = reach(GROUPS, specs=SPECS)
    t = res.table[res.table["indicator"] == "groups_running"]
    assert t["target"].tolist() == [5, 7, 9, 12]
    assert t["achievement"].tolist() == pytest.approx([1.0, 6 / 7, 1.0, 13 / 12])
    assert res.get("groups_running_achievement", "year:2023").unit == "proportion"


def test_quarterly_view_combines_months_into_quarters() -> None:
    res = reach(GROUPS, specs=SPECS, periods=["year", "quarter"])
    q = res.quarterly.set_index(["indicator", "quarter"])
    assert q.loc[("group_visits", "2024Q3"), "actual"] == 103  # July + August
    assert res.get("group_visits_actual", "year:2024").estimate == 300 + 320 + 103 + 280
    assert "groups_running" not in set(res.quarterly["indicator"])  # yearly rows only
    assert any("vain vuositason" in n for n in res.notes)


def test_distinct_people_are_not_summed_over_quarters() -> None:
    res = reach(GROUPS, specs=SPECS, periods=["year", "quarter"])
    years = res.table.loc[res.table["indicator"] == "participants", "year"].tolist()
    assert years == ["2025"]  # 2024 has only quarters: no yearly people count is invented
    assert any("eri henkilöiden" in n for n in res.notes)
    assert res.get("participants_actual", "year:2025").unit == "persons"
    assert res.get("group_visits_actual", "year:2024").unit == "visits"


def test_small_counts_suppressed_with_secondary_suppression() -> None:
    res = reach(GROUPS, specs=SPECS, periods=["quarter"], min_cell=5)
    q = res.quarterly.set_index(["indicator", "quarter"])
    assert q.loc[("participants", "2024Q2"), "suppressed"]  # 3 people
    assert pd.isna(q.loc[("participants", "2024Q2"), "actual"])
    hidden = q.loc["participants"]["suppressed"].sum()
    assert hidden == 2  # the smallest other quarter (30) goes too
    assert q.loc[("participants", "2024Q4"), "suppressed"]
    e = res.get("participants_actual", "quarter:2024Q2")
    assert e.suppressed and e.estimate is None
    assert not q.loc[("group_visits", "2024Q3"), "suppressed"]  # 100 + 3 visits = 103 shown
    assert not any(v == 3 for v in res.to_frame()["estimate"].dropna())


def test_bad_table_is_reported_with_row() -> None:
    from evalkit.errors import AnalysisError

    bad = GROUPS.astype({"value": object})
    bad.loc[2, "value"] = "yhdeksän"
    with pytest.raises(AnalysisError, match="row 4, column 'value'"):
        reach(bad, specs=SPECS)
    with pytest.raises(ValueError, match="periods"):
        reach(GROUPS, specs=SPECS, periods=["month"])
    missing = reach(GROUPS, specs=[*SPECS, IndicatorSpec(id="nope", label="Puuttuva")])
    assert any("nope" in n for n in missing.notes)
