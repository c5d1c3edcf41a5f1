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
