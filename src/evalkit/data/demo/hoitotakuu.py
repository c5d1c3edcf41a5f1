"""Hoitotakuu — non-urgent primary-care access at ten health centres, 2022–2025.

Each contact (first contact with a non-urgent need) is treated within 7 days with a
monthly probability that follows a known segmented line; the new access model starts at
four sites on a known date (interrupted time series). The care-guarantee limit is 14 days
until 31.8.2023 and 7 days from 1.9.2023. Contacts whose wait runs past the cut-off are
still waiting (empty event_date).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ._common import CUTOFF, Output, from_ord, headline_row, to_ord, write_csv

MODEL = "hoitotakuu"
START = date(2022, 1, 1)
SITES = ("Kokkola keskusta", "Kokkola Kiviniitty", "Kokkola Koivuhaka", "Kannus", "Kaustinen", "Veteli",
         "Toholampi", "Perho", "Halsua", "Lestijärvi")
VOLUME = (70, 55, 50, 30, 25, 20, 20, 14, 8, 6)  # contacts per month
ITS_SITES = ("Kokkola keskusta", "Kokkola Kiviniitty", "Kannus", "Toholampi")
CHANGE_DATE = date(2024, 3, 1)
LIMIT_CHANGE = date(2023, 9, 1)
#: P(treated within 7 days) at month t (0 = 1/2022): b0 + b1·t + post·(level + slope·(t − t0))
ITS = {"b0": 0.42, "b1": 0.002, "level_change": 0.15, "slope_change": 0.006}
OTHER = {"b0": 0.50, "b1": 0.003}
LATE_MEAN_DAYS = 12.0  # extra days beyond a week for those not treated within 7 days
P_LONG = 0.02  # very long waits (60–150 days)


def H(*args, **kwargs) -> dict:
    return headline_row(MODEL, *args, **kwargs)


def p_within7(site: str, t: np.ndarray, t0: int) -> np.ndarray:
    if site in ITS_SITES:
        post = t >= t0
        p = ITS["b0"] + ITS["b1"] * t + post * (ITS["level_change"] + ITS["slope_change"] * (t - t0))
    else:
        p = OTHER["b0"] + OTHER["b1"] * t
    return np.clip(p, 0.02, 0.97)


def _month(d: date) -> int:
    return (d.year - START.year) * 12 + d.month - 1


def write(rng: np.random.Generator, out: Output) -> dict:
    t0 = _month(CHANGE_DATE)
    n_months = _month(CUTOFF) + 1
    rows = []
    cut = to_ord(CUTOFF)
    for site, vol in zip(SITES, VOLUME, strict=True):
        for t in range(n_months):
            y, m = START.year + t // 12, t % 12 + 1
            first = to_ord(date(y, m, 1))
            last = to_ord(date(y + (m == 12), m % 12 + 1, 1)) - 1
            k = int(rng.poisson(vol))
            contact = np.sort(rng.integers(first, last + 1, k))
            within = rng.random(k) < p_within7(site, np.array([t]), t0)[0]  # k may be 0 at a small site
            wait = np.where(within, rng.integers(0, 8, k), 8 + rng.geometric(1 / LATE_MEAN_DAYS, k) - 1)
            long = rng.random(k) < P_LONG
            wait = np.where(long, rng.integers(60, 151, k), wait)
            for c, w in zip(contact, wait, strict=True):
                rows.append((site, int(c), int(c + w)))
    frame = pd.DataFrame(rows, columns=["site", "contact", "event"]).sort_values(["contact", "site"], kind="mergesort")
    n = len(frame)
    frame["case_id"] = [f"HT{i:06d}" for i in range(1, n + 1)]
    waiting = frame["event"].to_numpy() > cut
    waits = pd.DataFrame({
        "case_id": frame["case_id"],
        "service": "primary_care",
        "site": frame["site"],
        "contact_date": from_ord(frame["contact"].to_numpy()),
        "event_date": [None if w else d for d, w in zip(from_ord(frame["event"].to_numpy()), waiting, strict=True)],
        "urgency": "non_urgent",
    })
    write_csv(waits, out.path(f"{MODEL}/waits.csv"), dialect="finnish")

    years = ("2022", "2023", "2024", "2025")
    year_of = np.array([d.year for d in waits["contact_date"]])
    ind = []
    for yr in years:
        for q in range(1, 5):
            quarter = (year_of == int(yr)) & np.array([(d.month - 1) // 3 + 1 == q for d in waits["contact_date"]])
            ind.append({"indicator": "contacts", "period": f"{yr}Q{q}", "value": int(quarter.sum()), "target": None})
        ind.append({"indicator": "sites_new_access_model", "period": yr,
                    "value": len(ITS_SITES) if int(yr) >= CHANGE_DATE.year else 0,
                    "target": {"2024": 4, "2025": 6}.get(yr)})
    write_csv(pd.DataFrame(ind), out.path(f"{MODEL}/indicators.csv"), dialect="finnish")
    return {
        "parameters": {"sites": list(SITES), "contacts_per_month": dict(zip(SITES, VOLUME, strict=True)),
                       "its_sites": list(ITS_SITES), "change_date": CHANGE_DATE.isoformat(),
                       "limit_days": {"2022-01-01": 14, LIMIT_CHANGE.isoformat(): 7},
                       "p_within_7_days_its_sites": ITS, "p_within_7_days_other_sites": OTHER,
                       "late_wait": f"8 + geometric(mean {LATE_MEAN_DAYS:g}) − 1 days",
                       "p_very_long_wait_60_150_days": P_LONG, "time": "months since 1/2022 (0 = 1/2022)"},
        "realised": {"contacts": n, "still_waiting_at_cutoff": int(waiting.sum())},
        "headline": [
            H("waiting", "its_level_change", "all", (1 - P_LONG) * ITS["level_change"], "difference",
              "Gaussian segmented regression of the monthly share of contacts treated within 7 days (wait = "
              "event_date − contact_date ≤ 7, by contact month) at the ITS sites pooled: level change at the change "
              f"month 3/2024 (time_after = 0 in that month). The share within 7 days is (1 − {P_LONG:g}) × the "
              "p_within_7_days line (a very long wait overrides the draw), so the true change is "
              f"(1 − {P_LONG:g}) × {ITS['level_change']:g}"),
            H("waiting", "its_slope_change", "all", (1 - P_LONG) * ITS["slope_change"], "difference",
              f"same model: change of the monthly slope after 3/2024 (per month), (1 − {P_LONG:g}) × "
              f"{ITS['slope_change']:g}"),
        ],
    }
