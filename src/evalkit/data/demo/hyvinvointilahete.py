"""Hyvinvointilähete — wellbeing referral with link workers (seed 001).

40 clients supported for up to six months; they enrol after a spike of primary-care
visits, so part of the later fall is regression to the mean. A few move away (followup_end).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ._common import (
    CUTOFF,
    Output,
    Stream,
    client_ids,
    expected_visits,
    from_ord,
    headline_row,
    municipalities,
    random_dates,
    rtm_amplitude,
    simulate_visits,
    stream_rows,
    write_csv,
    write_parquet,
)

MODEL = "hyvinvointilahete"
N_CLIENTS, LINK_WORKERS = 40, 23
RTM_RATIO, RTM_TAU, EFFECT = 0.82 / 0.90, 45.0, 0.90
WINDOW_PRE, WINDOW_POST = (-365, -1), (0, 364)


def H(*args, **kwargs) -> dict:
    return headline_row(MODEL, *args, **kwargs)


def streams() -> list[Stream]:
    both = lambda r: {"intervention": r, "comparison": r}  # noqa: E731
    return [
        Stream("primary_care", "nurse", both(0.55), effect=EFFECT, contact_types={"visit": 0.6, "phone": 0.4}),
        Stream("primary_care", "physician", both(0.40), effect=EFFECT, contact_types={"visit": 0.8, "phone": 0.2}),
        Stream("emergency", None, both(0.05), rtm=True),
    ]


def write(rng: np.random.Generator, out: Output) -> dict:
    n = N_CLIENTS
    idx = random_dates(rng, date(2023, 3, 1), date(2024, 11, 30), n)
    ids = client_ids(rng, "HL", n)
    moved = np.zeros(n, bool)
    moved[rng.choice(n, 3, replace=False)] = True
    fu = idx + rng.integers(200, 330, n)
    cl = pd.DataFrame({
        "client_id": ids, "group": "intervention",
        "referral_date": from_ord(idx - rng.integers(0, 15, n)), "index_date": from_ord(idx),
        "end_date": from_ord(idx + rng.integers(60, 184, n)),
        "followup_end": [d if m else None for d, m in zip(from_ord(fu), moved, strict=True)],
        "birth_year": rng.integers(1950, 2000, n), "sex": rng.choice(["F", "M"], n, p=[0.7, 0.3]),
        "municipality": municipalities(rng, n),
    })
    amp = rtm_amplitude(RTM_RATIO, RTM_TAU, WINDOW_PRE)
    ends = [f if f is not None else CUTOFF for f in cl["followup_end"]]
    visits = simulate_visits(rng, cl.assign(started=True, anchor=cl["index_date"], end=ends), streams(),
                             amplitude=amp, tau=RTM_TAU)
    write_csv(cl, out.path(f"{MODEL}/clients.csv"))
    write_parquet(visits, out.path(f"{MODEL}/visits.parquet"))
    pc = [s for s in streams() if s.service == "primary_care"]

    def e(window: tuple[int, int]) -> float:
        return sum(expected_visits(s, "intervention", window, amplitude=amp, tau=RTM_TAU, treated=True) for s in pc)

    return {
        "parameters": {"clients": n, "link_workers_trained": LINK_WORKERS, "support_days": [60, 183],
                       "rtm_post_pre_ratio": round(RTM_RATIO, 6), "rtm_tau_days": RTM_TAU,
                       "rtm_amplitude": round(amp, 6), "visit_effect_rate_ratio": EFFECT,
                       "streams": stream_rows(streams()), "moved_away": 3},
        "realised": {"visits_rows": len(visits)},
        "headline": [H("visits", "rate_ratio", "intervention", e(WINDOW_POST) / e(WINDOW_PRE), "rate_ratio",
                       "population post/pre rate ratio (service = primary_care; pre [-365, -1], post [0, 364]); "
                       "observed change including regression to the mean")],
    }
