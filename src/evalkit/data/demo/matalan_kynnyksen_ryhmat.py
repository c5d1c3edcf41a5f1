"""Matalan kynnyksen ryhmätoiminta — low-threshold groups (seed 002).

Aggregate indicators only: groups running per year against the plan's targets 5 / 7 / 9 /
12, groups started (18 in all, 11 still running at the end), visits per quarter (over
3 200 in all) and distinct participants per year (far fewer people than visits). The
indicators are the data, so the truth is the realised values (fixed by design).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import Output, headline_row, write_csv

MODEL = "matalan_kynnyksen_ryhmat"
YEARS = ("2022", "2023", "2024", "2025")
RUNNING = {"2022": 4, "2023": 8, "2024": 11, "2025": 11}
TARGETS = {"2022": 5, "2023": 7, "2024": 9, "2025": 12}
STARTED = {"2022": 4, "2023": 5, "2024": 6, "2025": 3}  # 18 groups; 11 running at the end
VISITS_PER_GROUP_QUARTER = 27.0
PEOPLE_PER_GROUP_YEAR = 9.0


def H(*args, **kwargs) -> dict:
    return headline_row(MODEL, *args, **kwargs)


def write(rng: np.random.Generator, out: Output) -> dict:
    rows = []
    visits_year: dict[str, int] = {}
    people_year: dict[str, int] = {}
    for year in YEARS:
        n = RUNNING[year]
        rows.append({"indicator": "groups_running", "period": year, "value": n, "target": TARGETS[year], "unit": "ryhmää"})
        rows.append({"indicator": "groups_started", "period": year, "value": STARTED[year], "target": None, "unit": "ryhmää"})
        total = 0
        for q in range(1, 5):
            v = int(rng.poisson(VISITS_PER_GROUP_QUARTER * n))
            total += v
            rows.append({"indicator": "group_visits", "period": f"{year}Q{q}", "value": v, "target": None, "unit": "käyntiä"})
        people = int(rng.poisson(PEOPLE_PER_GROUP_YEAR * n))
        rows.append({"indicator": "distinct_participants", "period": year, "value": people, "target": None,
                     "unit": "henkilöä"})
        visits_year[year], people_year[year] = total, people
    ind = pd.DataFrame(rows)
    write_csv(ind, out.path(f"{MODEL}/indicators.csv"), dialect="finnish", encoding="utf-8-sig")
    headline = []
    for year in YEARS:
        g = f"year:{year}"
        headline += [
            H("reach", "groups_running_actual", g, RUNNING[year], "count", "groups running (table value, fixed)"),
            H("reach", "groups_running_achievement", g, RUNNING[year] / TARGETS[year], "proportion",
              "groups running / target"),
            H("reach", "group_visits_actual", g, visits_year[year], "visits", "sum of the quarterly visits"),
            H("reach", "distinct_participants_actual", g, people_year[year], "persons", "distinct people (table value)"),
        ]
    return {
        "parameters": {"groups_running": RUNNING, "targets": TARGETS, "groups_started": STARTED,
                       "groups_started_total": sum(STARTED.values()), "groups_running_at_end": RUNNING["2025"],
                       "visits_per_group_quarter": VISITS_PER_GROUP_QUARTER,
                       "people_per_group_year": PEOPLE_PER_GROUP_YEAR},
        "realised": {"visits_total": sum(visits_year.values()), "visits_by_year": visits_year,
                     "distinct_participants_by_year": people_year},
        "headline": headline,
    }
