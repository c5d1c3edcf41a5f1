"""IPS – Sijoita ja valmenna (seed 001 section 3), with a comparison group.

Intervention: 118 referred, 73 co-operation agreements (index date = agreement), 25
open-labour-market jobs, 16 further clients progressing to study / volunteering / work
trial (8 of the employed also had a work trial before the job), 28 with severe mental
illness (23 psychosis F20–F25/F29, 5 bipolar F31.6–F31.9), waiting 6–8 months from
referral to agreement, fidelity reviews ending at 108/125. Comparison: 150 psychiatric
outpatients with a pseudo-index date drawn like the agreements. Both groups share the
regression-to-the-mean peak of psychiatric visits before the index date.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from . import reference
from ._common import (
    CUTOFF,
    PERSON_MONTH_DAYS,
    Output,
    Stream,
    client_ids,
    expected_visits,
    from_ord,
    headline_row,
    mean_unit_cost,
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

MODEL = "ips"
N_REFERRED, N_AGREEMENTS, N_COMPARISON = 118, 73, 150
N_EMPLOYED, N_PROGRESSED, N_TRIAL_BEFORE_JOB = 25, 16, 8
N_PSYCHOSIS, N_BIPOLAR = 23, 5
P_EMPLOYED_COMPARISON, P_PROGRESSED_COMPARISON = 0.15, 0.12
PRE_RATE = 1.55  # psychiatric nurse/psychologist/physician visits per client-month, pre window
RTM_RATIO = 0.769  # post/pre rate ratio from regression to the mean alone (comparison group)
RTM_TAU = 90.0  # days: decay of the pre-index peak
EFFECT = 0.80  # true rate ratio of the intervention on psychiatric (and emergency) visits
WINDOW_PRE, WINDOW_POST = (-365, -1), (0, 364)
COST_YEAR = 2024
FIDELITY = ((date(2022, 9, 14), 88), (date(2023, 3, 15), 97), (date(2023, 9, 20), 104), (date(2024, 9, 18), 108))
INTERVENTION_COSTS = (  # item, amount_eur, year, basis
    ("IPS-työhönvalmentajien palkat sivukuluineen 2022", 92000.0, 2022, "total"),
    ("IPS-työhönvalmentajien palkat sivukuluineen 2023", 138000.0, 2023, "total"),
    ("IPS-työhönvalmentajien palkat sivukuluineen 2024", 121000.0, 2024, "total"),
    ("IPS-menetelmäkoulutus ja fidelity-arvioinnit", 14500.0, 2023, "total"),
)


def H(*args, **kwargs) -> dict:
    return headline_row(MODEL, *args, **kwargs)


_PSYCHOSIS = ("F20.0", "F20.0", "F20.5", "F21", "F22.0", "F23.1", "F25.0", "F25.1", "F29")
_BIPOLAR = ("F31.6", "F31.7", "F31.8", "F31.9")
_OTHER_F = ("F32.1", "F33.1", "F33.2", "F41.1", "F41.0", "F43.1", "F60.3", "F90.0", "F84.5", "F40.1")
_CT = {"visit": 0.75, "phone": 0.2, "remote": 0.05}


def _amplitude() -> float:
    return rtm_amplitude(RTM_RATIO, RTM_TAU, WINDOW_PRE)


def streams() -> list[Stream]:
    mean_pre = 1.0 / RTM_RATIO  # mean RTM multiplier over the pre window (post window = 1)
    base = PRE_RATE / mean_pre
    split = {"nurse": 0.52, "psychologist": 0.18, "physician": 0.30}
    out = [Stream("psychiatry", prof, {"intervention": base * w, "comparison": base * w}, rtm=True, effect=EFFECT,
                  contact_types=_CT) for prof, w in split.items()]
    out += [
        Stream("psychiatry", "social_worker", {"intervention": 0.15, "comparison": 0.15}, rtm=False),
        Stream("primary_care", "nurse", {"intervention": 0.25, "comparison": 0.25}, rtm=False,
               contact_types={"visit": 0.6, "phone": 0.4}),
        Stream("primary_care", "physician", {"intervention": 0.15, "comparison": 0.15}, rtm=False),
        Stream("emergency", None, {"intervention": 0.04, "comparison": 0.04}, rtm=True, effect=EFFECT),
    ]
    return out


def _diagnoses(rng: np.random.Generator, n_psy: int, n_bip: int, n: int) -> list[str]:
    out = [rng.choice(_PSYCHOSIS) for _ in range(n_psy)] + [rng.choice(_BIPOLAR) for _ in range(n_bip)]
    out = [d + (";" + rng.choice(_OTHER_F) if rng.random() < 0.4 else "") for d in out]
    for _ in range(n - n_psy - n_bip):
        k = 1 + int(rng.random() < 0.45)
        out.append(";".join(rng.choice(_OTHER_F, k, replace=False)))
    perm = rng.permutation(n)
    return [str(out[i]) for i in perm]


def _people(rng: np.random.Generator, n: int) -> dict:
    return {"birth_year": rng.integers(1966, 2004, n), "sex": rng.choice(["F", "M"], n, p=[0.45, 0.55]),
            "municipality": municipalities(rng, n)}


def clients(rng: np.random.Generator) -> pd.DataFrame:
    ids = client_ids(rng, "IPS", N_REFERRED + N_COMPARISON)
    idx = random_dates(rng, date(2022, 2, 1), date(2024, 9, 30), N_AGREEMENTS)
    wait = rng.integers(180, 246, N_AGREEMENTS)
    never_ref = random_dates(rng, date(2021, 9, 1), date(2024, 12, 31), N_REFERRED - N_AGREEMENTS)
    comp_idx = random_dates(rng, date(2022, 2, 1), date(2024, 9, 30), N_COMPARISON)
    end = idx + rng.integers(240, 720, N_AGREEMENTS)
    rows = pd.DataFrame({
        "client_id": ids,
        "group": ["intervention"] * N_REFERRED + ["comparison"] * N_COMPARISON,
        "referral_date": from_ord(idx - wait) + from_ord(never_ref) + [None] * N_COMPARISON,
        "index_date": from_ord(idx) + [None] * (N_REFERRED - N_AGREEMENTS) + from_ord(comp_idx),
        "end_date": [d if d <= CUTOFF else None for d in from_ord(end)] + [None] * (N_REFERRED - N_AGREEMENTS + N_COMPARISON),
        **_people(rng, N_REFERRED + N_COMPARISON),
        "diagnoses": (_diagnoses(rng, N_PSYCHOSIS, N_BIPOLAR, N_AGREEMENTS)
                      + _diagnoses(rng, 9, 2, N_REFERRED - N_AGREEMENTS)
                      + _diagnoses(rng, 32, 7, N_COMPARISON)),
    })
    return rows


def employment(rng: np.random.Generator, cl: pd.DataFrame) -> pd.DataFrame:
    rows: list[dict] = []
    cut = to_ord(CUTOFF)

    def job(cid: str, start: int, status: str, *, ongoing_p: float = 0.45) -> None:
        length = int(rng.integers(60, 720))
        end = None if (rng.random() < ongoing_p or start + length > cut) else start + length
        rows.append({"client_id": cid, "start_date": from_ord([start])[0],
                     "end_date": from_ord([end])[0] if end is not None else None, "status": status,
                     "hours_per_week": float(rng.choice([10, 15, 20, 25, 30, 37.5])) if status in ("competitive", "self_employed") else None,
                     "monthly_wage_eur": float(round(rng.uniform(900, 2900), -1)) if status in ("competitive", "self_employed") else None})

    started = cl[cl["index_date"].notna()]
    for grp, sub in started.groupby("group", sort=True):
        ids = sub["client_id"].to_numpy()
        idx = np.array([to_ord(d) for d in sub["index_date"]])
        order = rng.permutation(len(sub))
        if grp == "intervention":
            employed = order[:N_EMPLOYED]
            progressed = order[N_EMPLOYED:N_EMPLOYED + N_PROGRESSED]
            trial_first = employed[:N_TRIAL_BEFORE_JOB]
        else:
            u = rng.random(len(sub))
            employed = order[u[order] < P_EMPLOYED_COMPARISON]
            rest = order[u[order] >= P_EMPLOYED_COMPARISON]
            progressed = rest[rng.random(len(rest)) < P_PROGRESSED_COMPARISON / (1 - P_EMPLOYED_COMPARISON)]
            trial_first = employed[: len(employed) // 4]
        for i in employed:
            room = cut - idx[i] - 1
            start = idx[i] + int(rng.integers(30, max(31, min(540, room))))
            if i in trial_first:
                t0 = idx[i] + int(rng.integers(7, max(8, start - idx[i] - 20)))
                rows.append({"client_id": ids[i], "start_date": from_ord([t0])[0],
                             "end_date": from_ord([min(start - 1, t0 + 90)])[0], "status": "work_trial",
                             "hours_per_week": 20.0, "monthly_wage_eur": None})
            job(ids[i], start, "competitive")
        for i in progressed:
            room = cut - idx[i] - 1
            start = idx[i] + int(rng.integers(14, max(15, min(540, room))))
            status = str(rng.choice(["study", "volunteer", "work_trial"], p=[0.45, 0.25, 0.30]))
            rows.append({"client_id": ids[i], "start_date": from_ord([start])[0],
                         "end_date": from_ord([min(cut, start + int(rng.integers(60, 300)))])[0], "status": status,
                         "hours_per_week": None, "monthly_wage_eur": None})
        # earlier jobs that ended before the index date (must not count as outcomes)
        for i in order[-max(3, len(order) // 8):]:
            s = idx[i] - int(rng.integers(500, 900))
            rows.append({"client_id": ids[i], "start_date": from_ord([s])[0],
                         "end_date": from_ord([idx[i] - int(rng.integers(60, 200))])[0], "status": "competitive",
                         "hours_per_week": 37.5, "monthly_wage_eur": 2300.0})
        # rehabilitation episodes (not progression by default)
        for i in order[len(order) // 2: len(order) // 2 + len(order) // 6]:
            s = idx[i] + int(rng.integers(30, 300))
            if s < cut:
                rows.append({"client_id": ids[i], "start_date": from_ord([s])[0],
                             "end_date": from_ord([min(cut, s + 120)])[0], "status": "rehabilitation",
                             "hours_per_week": None, "monthly_wage_eur": None})
    frame = pd.DataFrame(rows).sort_values(["client_id", "start_date", "status"], kind="mergesort")
    return frame.reset_index(drop=True)


def fidelity(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for when, total in FIDELITY:
        scores = rng.integers(3, 6, 25)
        while scores.sum() != total:
            i = int(rng.integers(0, 25))
            if scores.sum() > total and scores[i] > 1:
                scores[i] -= 1
            elif scores.sum() < total and scores[i] < 5:
                scores[i] += 1
        rows += [{"review_date": when, "item": k + 1, "score": int(s)} for k, s in enumerate(scores)]
    return pd.DataFrame(rows)


def intervention_costs() -> pd.DataFrame:
    return pd.DataFrame([{"model": MODEL, "item": i, "amount_eur": a, "year": y, "basis": b}
                         for i, a, y, b in INTERVENTION_COSTS])


def write(rng: np.random.Generator, out: Output) -> dict:
    cl = clients(rng)
    amp = _amplitude()
    sim = cl.assign(started=cl["index_date"].notna(),
                    anchor=[i if i is not None else r for i, r in zip(cl["index_date"], cl["referral_date"], strict=True)],
                    end=CUTOFF)
    visits = simulate_visits(rng, sim, streams(), amplitude=amp, tau=RTM_TAU, calibrate_frailty=True)
    emp = employment(rng, cl)
    fid = fidelity(rng)

    write_csv(cl, out.path(f"{MODEL}/clients.csv"), dialect="finnish")
    write_parquet(visits, out.path(f"{MODEL}/visits.parquet"))
    write_csv(emp, out.path(f"{MODEL}/employment.csv"), dialect="finnish")
    write_xlsx(fid, out.path(f"{MODEL}/fidelity.xlsx"), sheet="Fidelity")
    write_csv(intervention_costs(), out.path(f"{MODEL}/intervention_costs.csv"))
    return truth(cl, visits, emp, amp)


def truth(cl: pd.DataFrame, visits: pd.DataFrame, emp: pd.DataFrame, amp: float) -> dict:
    st = streams()
    psy = [s for s in st if s.service == "psychiatry" and s.professional in ("nurse", "psychologist", "physician")]

    def exp_sum(group: str, window: tuple[int, int], treated: bool, subset: list[Stream]) -> float:
        return sum(expected_visits(s, group, window, amplitude=amp, tau=RTM_TAU, treated=treated) for s in subset)

    rr_c = exp_sum("comparison", WINDOW_POST, False, psy) / exp_sum("comparison", WINDOW_PRE, False, psy)
    rr_i = exp_sum("intervention", WINDOW_POST, True, psy) / exp_sum("intervention", WINDOW_PRE, True, psy)
    pm = (WINDOW_PRE[1] - WINDOW_PRE[0] + 1) / PERSON_MONTH_DAYS
    rate_pre = exp_sum("intervention", WINDOW_PRE, True, psy) / pm

    # costs: per-client intervention cost + visits of every service in the post window
    per_client = sum(reference.to_cost_year(a, y, COST_YEAR) for _, a, y, b in INTERVENTION_COSTS) / N_AGREEMENTS
    visit_cost = {g: sum(expected_visits(s, g, WINDOW_POST, amplitude=amp, tau=RTM_TAU, treated=g == "intervention")
                         * mean_unit_cost(s, COST_YEAR) for s in st) for g in ("intervention", "comparison")}
    d_cost = per_client + visit_cost["intervention"] - visit_cost["comparison"]

    p1 = N_EMPLOYED / N_AGREEMENTS
    p0 = P_EMPLOYED_COMPARISON
    prog = (N_EMPLOYED + N_PROGRESSED) / N_AGREEMENTS
    comp = cl[(cl["group"] == "comparison")]
    emp_comp = emp[emp["client_id"].isin(comp["client_id"]) & emp["status"].isin(["competitive", "self_employed"])]
    merged = emp_comp.merge(comp[["client_id", "index_date"]], on="client_id")
    realised_c = int(merged.loc[merged["start_date"] >= merged["index_date"], "client_id"].nunique())
    fid_total = FIDELITY[-1][1]

    vis_f = "service = psychiatry, professional ∈ {nurse, psychologist, physician}"
    win = "pre window [-365, -1], post window [0, 364] days from the (pseudo-)index date"
    return {
        "parameters": {
            "referred": N_REFERRED, "agreements": N_AGREEMENTS, "comparison_clients": N_COMPARISON,
            "employed_competitive": N_EMPLOYED, "progressed_other": N_PROGRESSED,
            "work_trial_before_job": N_TRIAL_BEFORE_JOB, "smi": N_PSYCHOSIS + N_BIPOLAR,
            "smi_psychosis_F20_F25_F29": N_PSYCHOSIS, "smi_bipolar_F31_6_F31_9": N_BIPOLAR,
            "wait_referral_to_agreement_days": [180, 245],
            "index_dates": ["2022-02-01", "2024-09-30"],
            "p_employed_comparison": P_EMPLOYED_COMPARISON, "p_progressed_comparison": P_PROGRESSED_COMPARISON,
            "visit_rate_pre_per_client_month": PRE_RATE, "rtm_post_pre_ratio": RTM_RATIO,
            "rtm_shape": f"rate multiplier 1 + A·exp(d/τ) for day d < 0, A = {amp:.6f}, τ = {RTM_TAU:g} days; 1 from day 0",
            "visit_effect_rate_ratio": EFFECT, "frailty": "gamma, shape 2, per client, shared by all visit kinds; rescaled to mean exactly 1 in each "
                         "group (calibrate_frailty)",
            "streams": stream_rows(st),
            "fidelity_reviews": {d.isoformat(): t for d, t in FIDELITY},
            "intervention_cost_per_client_eur_2024": round(per_client, 2),
            "visit_cost_post_per_client_eur_2024": {k: round(v, 2) for k, v in visit_cost.items()},
        },
        "realised": {"comparison_employed": realised_c, "visits_rows": len(visits)},
        "headline": [
            H("visits", "rate_pre", "intervention", rate_pre, "visits_per_person_month",
               f"expected visits per person-month in the pre window ({vis_f}; {win})"),
            H("visits", "rate_ratio", "intervention", rr_i, "rate_ratio",
               f"population post/pre rate ratio of the generating model, intervention ({vis_f}; {win}); "
               "includes regression to the mean"),
            H("visits", "rate_ratio", "comparison", rr_c, "rate_ratio",
               f"population post/pre rate ratio, comparison = regression to the mean only ({vis_f}; {win})"),
            H("visits", "did_rate_ratio", "all", rr_i / rr_c, "rate_ratio",
               f"difference-in-differences rate ratio = the intervention's multiplicative effect on the rate ({vis_f})"),
            H("employment", "employment_rate", "intervention", p1, "proportion",
               "share with a competitive (open labour market) job starting after the agreement, until the cut-off; "
               "fixed by design: 25 / 73"),
            H("employment", "employment_rate", "comparison", p0, "proportion",
               "generating probability of a competitive job after the pseudo-index (binomial draws)",
               sample_value=realised_c / N_COMPARISON),
            H("employment", "risk_ratio", "all", p1 / p0, "ratio", "p_intervention / p_comparison",
              sample_value=p1 / (realised_c / N_COMPARISON)),
            H("employment", "risk_difference", "all", p1 - p0, "difference", "p_intervention − p_comparison",
              sample_value=p1 - realised_c / N_COMPARISON),
            H("employment", "progression_rate", "intervention", prog, "proportion",
               "share employed or progressed to study / volunteering / work trial after the agreement: 41 / 73"),
            H("fidelity", "fidelity_total", "all", fid_total, "score", "latest IPS-25 review total (of 125)"),
            H("costs", "incremental_cost", "all", d_cost, "eur",
               "expected per-client cost difference, intervention − comparison, in 2024 euros: intervention costs "
               f"(total-basis items ÷ {N_AGREEMENTS} agreement clients, moved with the price index) + visits of every "
               "service in the post window [0, 364] × example unit costs (most specific row, moved with the price index)"),
        ],
    }
