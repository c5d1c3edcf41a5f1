"""Työttömien työ- ja toimintakyvyn tuki (seed 001 section 5, seed 002).

Unemployed clients enrol yearly close to the plan's targets 50 / 80 / 110 / 130 (2021–2024).
Status episodes (work, study, rehabilitation, work trial, pension decision or benefits as
``other``) after the index date; primary-care visits fall after enrolment partly by
regression to the mean and partly by a known effect. No comparison group: the visit
truth is the observed post/pre rate ratio of the generating model.
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
    to_ord,
    write_csv,
    write_parquet,
    write_xlsx,
)

MODEL = "tyottomien_tyokyky"
DATA_START = date(2020, 1, 1)
ENROLLED = {2021: 48, 2022: 83, 2023: 106, 2024: 127}
TARGETS = {2021: 50, 2022: 80, 2023: 110, 2024: 130}
RTM_RATIO, RTM_TAU, EFFECT = 0.8625, 60.0, 0.80
P_EMPLOYED, P_PROGRESSION = 0.19, 0.68  # within 365 days of the index date
FOLLOWUP_DAYS = 365
WINDOW_PRE, WINDOW_POST = (-365, -1), (0, 364)
PROGRESSION = ("study", "work_trial", "rehabilitation", "volunteer")


def H(*args, **kwargs) -> dict:
    return headline_row(MODEL, *args, **kwargs)


def streams() -> list[Stream]:
    both = lambda r: {"intervention": r, "comparison": r}  # noqa: E731
    return [
        Stream("primary_care", "nurse", both(0.42), effect=EFFECT, contact_types={"visit": 0.65, "phone": 0.35}),
        Stream("primary_care", "physician", both(0.30), effect=EFFECT),
        Stream("primary_care", "physiotherapist", both(0.08), effect=EFFECT),
        Stream("social_work", None, both(0.35), rtm=False),
        Stream("psychiatry", "nurse", both(0.08), rtm=False),
    ]


def write(rng: np.random.Generator, out: Output) -> dict:
    idx = np.concatenate([random_dates(rng, date(y, 1, 1), date(y, 12, 31), n) for y, n in ENROLLED.items()])
    n = len(idx)
    ids = client_ids(rng, "TT", n)
    moved = rng.random(n) < 0.05
    fu_end = np.where(moved, idx + rng.integers(400, 700, n), 0)
    cl = pd.DataFrame({
        "client_id": ids,
        "referral_date": from_ord(idx - rng.integers(0, 35, n)),
        "index_date": from_ord(idx),
        "end_date": from_ord(idx + rng.integers(120, 400, n)),
        "followup_end": [d if m and d <= CUTOFF else None for d, m in zip(from_ord(fu_end), moved, strict=True)],
        "birth_year": rng.integers(1962, 2005, n),
        "sex": rng.choice(["F", "M"], n, p=[0.42, 0.58]),
        "municipality": municipalities(rng, n),
    })
    cl["end_date"] = [e if e <= CUTOFF else None for e in cl["end_date"]]
    amp = rtm_amplitude(RTM_RATIO, RTM_TAU, WINDOW_PRE)
    ends = [f if f is not None else CUTOFF for f in cl["followup_end"]]
    sim = cl.assign(group="intervention", started=True, anchor=cl["index_date"], end=ends)
    visits = simulate_visits(rng, sim, streams(), amplitude=amp, tau=RTM_TAU, data_start=DATA_START)

    rows = []
    cut = to_ord(CUTOFF)
    # exact allocation, as for the ips model's 25 / 73: round(0.19 n) clients get a job and
    # round(0.68 n) in all progress, so the demo's shares are the generating probabilities
    # (to 1 / n) instead of a binomial draw that can land 2.5 standard errors away
    order = rng.permutation(n)
    n_employed = round(P_EMPLOYED * n)
    n_progressed = round(P_PROGRESSION * n)
    employed = np.zeros(n, bool)
    employed[order[:n_employed]] = True
    prog = np.zeros(n, bool)
    prog[order[n_employed:n_progressed]] = True

    def ep(i: int, start: int, status: str, length: int, **kw) -> None:
        if start > cut:
            return
        end = start + length
        rows.append({"client_id": ids[i], "start_date": from_ord([start])[0],
                     "end_date": from_ord([end])[0] if end <= cut else None, "status": status,
                     "hours_per_week": kw.get("hours"), "monthly_wage_eur": kw.get("wage")})

    progressed = employed | prog  # every employed client's job starts within the follow-up
    for i in range(n):
        if employed[i]:
            status = "self_employed" if rng.random() < 0.08 else "competitive"
            ep(i, idx[i] + int(rng.integers(20, FOLLOWUP_DAYS)), status, int(rng.integers(90, 600)),
               hours=float(rng.choice([20, 30, 37.5])), wage=float(round(rng.uniform(1400, 3200), -1)))
        elif prog[i]:
            ep(i, idx[i] + int(rng.integers(10, FOLLOWUP_DAYS)), str(rng.choice(PROGRESSION, p=[0.3, 0.3, 0.3, 0.1])),
               int(rng.integers(60, 400)))
        else:
            if rng.random() < 0.35:
                ep(i, idx[i] + int(rng.integers(10, FOLLOWUP_DAYS)), "other", int(rng.integers(30, 300)))
            if rng.random() < 0.25:  # a job after the follow-up window: not an outcome
                ep(i, idx[i] + int(rng.integers(FOLLOWUP_DAYS + 30, FOLLOWUP_DAYS + 400)), "competitive", 200,
                   hours=37.5, wage=2500.0)
    emp = pd.DataFrame(rows).sort_values(["client_id", "start_date"], kind="mergesort").reset_index(drop=True)

    write_xlsx(cl, out.path(f"{MODEL}/clients.xlsx"), sheet="Asiakkaat")
    write_parquet(visits, out.path(f"{MODEL}/visits.parquet"))
    write_csv(emp, out.path(f"{MODEL}/employment.csv"), dialect="finnish")

    st = streams()
    pc = [s for s in st if s.service == "primary_care"]

    def e(window: tuple[int, int]) -> float:
        return sum(expected_visits(s, "intervention", window, amplitude=amp, tau=RTM_TAU, treated=True) for s in pc)

    rr = e(WINDOW_POST) / e(WINDOW_PRE)
    vf = "service = primary_care; pre [-365, -1], post [0, 364] days from the index date"
    return {
        "parameters": {"data_start": DATA_START.isoformat(), "enrolled_by_year": ENROLLED, "targets_by_year": TARGETS,
                       "rtm_post_pre_ratio": RTM_RATIO, "rtm_tau_days": RTM_TAU, "rtm_amplitude": round(amp, 6),
                       "visit_effect_rate_ratio": EFFECT, "streams": stream_rows(st),
                       "p_employed_365d": P_EMPLOYED, "p_progression_365d": P_PROGRESSION,
                       "outcome_allocation": "exact: round(p_employed_365d · n) clients employed and "
                                             "round(p_progression_365d · n) progressed in all, chosen at random",
                       "progression_statuses": list(PROGRESSION), "share_moved_away": 0.05},
        "realised": {"clients": n, "visits_rows": len(visits), "employment_rows": len(emp),
                     "employed_365d": int(employed.sum()), "progressed_365d": int(progressed.sum())},
        "headline": [
            H("visits", "rate_ratio", "intervention", rr, "rate_ratio",
              f"population post/pre rate ratio of the generating model ({vf}); observed change, no comparison "
              f"group: {RTM_RATIO} of it is regression to the mean, {EFFECT} the effect"),
            H("employment", "employment_rate", "intervention", P_EMPLOYED, "proportion",
              "generating probability of a competitive or self-employed episode starting within 365 days of the "
              "index; sample_value: share of the demo clients allocated a job (round(0.19 n) / n)", sample_value=employed.mean()),
            H("employment", "progression_rate", "intervention", P_PROGRESSION, "proportion",
              "generating probability of employment or study / work trial / rehabilitation / volunteering "
              "starting within 365 days of the index; sample_value: share of the demo clients allocated so (round(0.68 n) / n)",
              sample_value=progressed.mean()),
        ],
    }
