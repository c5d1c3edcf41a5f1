"""Terapiat etulinjaan — brief front-line therapies with session-level PHQ-9 and GAD-7.

About 400 referrals; those who start (index date = first session) attend 2–8 sessions or
drop out after the first; PHQ-9 and GAD-7 items are recorded at every session (some
questionnaires miss an item). A comparison group (usual care) answers both questionnaires
at the pseudo-index date and 8–14 weeks later. Psychiatric visits fall after therapy by a
known factor beyond regression to the mean. Symptom truths are population values of the
generating model computed on a large Monte Carlo population with a fixed seed
(independent of the demo seed), using the NHS Talking Therapies rules in
``docs``/domain reference.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from . import reference
from ._common import (
    CUTOFF,
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
    write_csv,
    write_parquet,
)

MODEL = "terapiat_etulinjaan"
N_REFERRED, N_STARTED, N_COMPARISON = 400, 362, 220
COST_YEAR = 2024
PER_SESSION_EUR, PER_SESSION_YEAR = 128.0, 2024
TRAINING_EUR, TRAINING_YEAR = 0.0, 2023
RTM_RATIO, RTM_TAU, EFFECT = 0.85, 75.0, 0.70
WINDOW_PRE, WINDOW_POST = (-365, -1), (0, 364)
MC_SEED, MC_N = 977, 200_000

#: symptom model (PHQ-9 latent total scale; GAD-7 follows with correlation)
SYM = {
    "phq0_mean": 15.0, "phq0_sd": 4.5, "gad0_mean": 11.5, "gad0_sd": 3.8, "rho0": 0.6,
    "change_mean": -8.3, "change_sd": 5.0, "gad_change_slope": 0.72, "gad_change_sd": 2.6,
    "progress_base": 0.6, "sessions_to_full": 5, "session_noise_sd": 1.4, "item_noise_sd": 0.45,
    "comparison_change_mean": -1.6, "comparison_change_sd": 4.5,
    "p_dropout_after_first": 0.15, "sessions": [2, 3, 4, 5, 6, 7, 8],
    "sessions_p": [0.10, 0.12, 0.16, 0.18, 0.18, 0.14, 0.12], "p_missing_item": 0.03,
}

def H(*args, **kwargs) -> dict:
    return headline_row(MODEL, *args, **kwargs)


_PHQ_OFF = np.array([0.25, 0.3, 0.25, 0.35, 0.05, -0.1, -0.2, -0.3, -0.6])
_GAD_OFF = np.array([0.2, 0.15, 0.25, 0.0, -0.25, 0.05, -0.4])


def streams() -> list[Stream]:
    ct = {"visit": 0.7, "phone": 0.3}
    r = {"nurse": 0.20, "psychologist": 0.06, "physician": 0.09}
    out = [Stream("psychiatry", p, {"intervention": v, "comparison": v}, rtm=True, effect=EFFECT, contact_types=ct)
           for p, v in r.items()]
    out += [Stream("primary_care", "nurse", {"intervention": 0.45, "comparison": 0.45}, rtm=False,
                   contact_types={"visit": 0.6, "phone": 0.4}),
            Stream("primary_care", "physician", {"intervention": 0.30, "comparison": 0.30}, rtm=False)]
    return out


# ------------------------------------------------------------------ symptoms
def _normal(rng: np.random.Generator, mean: float, sd: float, size: int | tuple[int, ...]) -> np.ndarray:
    """Normal draws whose realised mean and SD equal ``mean`` and ``sd`` exactly (moment matching)."""
    z = rng.standard_normal(size)
    if z.size > 1:
        z = (z - z.mean()) / z.std()
    return mean + sd * z


def _plain_normal(rng: np.random.Generator, mean: float, sd: float, size: int | tuple[int, ...]) -> np.ndarray:
    return rng.normal(mean, sd, size)


def _allocate(rng: np.random.Generator, values: np.ndarray, p: np.ndarray, n: int) -> np.ndarray:
    """``n`` values in random order whose counts are ``n · p`` rounded by the largest remainder
    (exact allocation instead of a multinomial draw)."""
    raw = n * np.asarray(p, float)
    counts = np.floor(raw).astype(int)
    counts[np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]] += 1
    return rng.permutation(np.repeat(values, counts))


def _items(rng: np.random.Generator, latent: np.ndarray, offsets: np.ndarray, normal=_plain_normal) -> np.ndarray:
    k = len(offsets)
    m = latent[:, None] / k + offsets[None, :] + normal(rng, 0.0, SYM["item_noise_sd"], (len(latent), k))
    return np.clip(np.rint(m), 0, 3).astype(int)


def simulate_courses(rng: np.random.Generator, n: int, *, comparison: bool, matched: bool = False
                     ) -> dict[str, np.ndarray]:
    """Latent courses of n clients → item arrays per (client, session) for both instruments.

    ``matched=False`` draws a random sample of the symptom model (the Monte Carlo population
    and the coverage studies, ``benchmarks/``). ``matched=True`` is how the demo clients are
    drawn: session counts and drop-outs are allocated exactly (``_allocate``) and every normal
    draw is moment-matched (``_normal``; the change separately among clients who drop out after
    the first session and those who continue, so the paired courses carry the generating mean
    change). With plain draws the ≈ 300 paired demo courses wander up to 2.5 standard errors
    from the population (the shipped seed's ANCOVA group effect did: −3.99 against −5.09), so a
    correct 95 % interval could miss the truth the demo is meant to show; matching removes that
    sampling error by design, as the ips model's exact 25 / 73 allocation does for its counts.
    What remains random is the item rounding and the missing items.

    Returns ``client`` (0..n-1), ``session`` (1..K; comparison 0 and 1), ``phq`` (rows × 9),
    ``gad`` (rows × 7) with −1 for a missing item.
    """
    normal = _normal if matched else _plain_normal
    z1, z2 = normal(rng, 0.0, 1.0, n), normal(rng, 0.0, 1.0, n)
    rho = SYM["rho0"]
    phq0 = SYM["phq0_mean"] + SYM["phq0_sd"] * z1
    gad0 = SYM["gad0_mean"] + SYM["gad0_sd"] * (rho * z1 + np.sqrt(1 - rho**2) * z2)
    if comparison:
        d = normal(rng, SYM["comparison_change_mean"], SYM["comparison_change_sd"], n)
        k = np.full(n, 2)
    elif matched:
        k = _allocate(rng, np.array(SYM["sessions"]), np.array(SYM["sessions_p"]), n)
        p_drop = SYM["p_dropout_after_first"]
        k = np.where(_allocate(rng, np.array([True, False]), np.array([p_drop, 1 - p_drop]), n), 1, k)
        d = np.empty(n)
        for part in (k >= 2, k < 2):
            d[part] = normal(rng, SYM["change_mean"], SYM["change_sd"], int(part.sum()))
    else:
        d = normal(rng, SYM["change_mean"], SYM["change_sd"], n)
        k = rng.choice(np.array(SYM["sessions"]), n, p=np.array(SYM["sessions_p"]))
        k = np.where(rng.random(n) < SYM["p_dropout_after_first"], 1, k)
    dg = SYM["gad_change_slope"] * d + normal(rng, 0.0, SYM["gad_change_sd"], n)
    client = np.repeat(np.arange(n), k)
    session = np.concatenate([np.arange(1, kk + 1) for kk in k]) if n else np.zeros(0, int)
    if comparison:
        frac = (session - 1).astype(float)
        session = session - 1
    else:
        b, full = SYM["progress_base"], SYM["sessions_to_full"]
        frac = np.minimum(1.0, (1 - b ** (session - 1)) / (1 - b ** (full - 1)))
    noise = SYM["session_noise_sd"]
    lp = phq0[client] + d[client] * frac + normal(rng, 0.0, noise, len(client))
    lg = gad0[client] + dg[client] * frac + normal(rng, 0.0, noise * 0.8, len(client))
    phq = _items(rng, lp, _PHQ_OFF, normal)
    gad = _items(rng, lg, _GAD_OFF, normal)
    for arr in (phq, gad):
        miss = rng.random(len(client)) < SYM["p_missing_item"]
        cols = rng.integers(0, arr.shape[1], len(client))
        arr[miss, cols[miss]] = -1
    return {"client": client, "session": session, "phq": phq, "gad": gad, "sessions": k}


def course_outcomes(sim: dict[str, np.ndarray], n: int) -> pd.DataFrame:
    """Per client: sessions, first/last complete PHQ-9 and GAD-7 totals, and the NHS indicators."""
    frame = pd.DataFrame({"client": sim["client"], "session": sim["session"]})
    for name, arr in (("phq", sim["phq"]), ("gad", sim["gad"])):
        ok = (arr >= 0).all(axis=1)
        frame[name] = np.where(ok, arr.sum(axis=1), np.nan)
    g = frame.groupby("client", sort=True)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    out["sessions"] = g.size()
    for name in ("phq", "gad"):
        valid = frame.dropna(subset=[name])
        gv = valid.groupby("client", sort=True)[name]
        out[f"{name}_first"] = gv.first()
        out[f"{name}_last"] = gv.last()
        out[f"{name}_n"] = gv.size()
    out = out.fillna({"phq_n": 0, "gad_n": 0})
    out["finished"] = out["sessions"] >= 2
    out["paired"] = out["finished"] & (out["phq_n"] >= 2) & (out["gad_n"] >= 2)
    dp = out["phq_last"] - out["phq_first"]
    dg = out["gad_last"] - out["gad_first"]
    case_first = (out["phq_first"] >= 10) | (out["gad_first"] >= 8)
    case_last = (out["phq_last"] >= 10) | (out["gad_last"] >= 8)
    deterior = (dp >= 6) | (dg >= 4)
    out["case_first"] = case_first
    out["recovered"] = case_first & ~case_last
    out["reliable_improvement"] = ((dp <= -6) | (dg <= -4)) & ~deterior
    out["reliable_deterioration"] = deterior
    out["phq_change"] = dp
    return out


def symptom_truth() -> dict[str, float]:
    """Population values on a Monte Carlo population (fixed seed, independent of the demo seed)."""
    rng = np.random.default_rng(MC_SEED)
    oi = course_outcomes(simulate_courses(rng, MC_N, comparison=False), MC_N)
    oc = course_outcomes(simulate_courses(rng, MC_N, comparison=True), MC_N)
    return symptom_statistics(oi, oc)


def symptom_statistics(oi: pd.DataFrame, oc: pd.DataFrame) -> dict[str, float]:
    """The headline symptom statistics of intervention and comparison ``course_outcomes``: on the
    Monte Carlo population they are the population values, on the demo clients the sample values."""
    pi = oi[oi["paired"]]
    pc = oc[oc["paired"]]
    recovery = pi.loc[pi["case_first"], "recovered"].mean()
    ri = pi["reliable_improvement"].mean()
    change = pi["phq_change"].mean()
    # ANCOVA population coefficient: last PHQ-9 on first PHQ-9 + group (paired clients of both groups)
    y = np.concatenate([pi["phq_last"], pc["phq_last"]])
    x = np.concatenate([pi["phq_first"], pc["phq_first"]])
    grp = np.concatenate([np.ones(len(pi)), np.zeros(len(pc))])
    X = np.column_stack([np.ones_like(x), x, grp])
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    return {"recovery_rate": float(recovery), "reliable_improvement_rate": float(ri),
            "phq9_mean_change": float(change), "ancova_group_effect": float(beta[2]),
            "comparison_phq9_mean_change": float(pc["phq_change"].mean()),
            "mean_sessions_started": float(oi["sessions"].mean()),
            "share_finished": float(oi["finished"].mean())}


def _questionnaire_rows(sim: dict[str, np.ndarray], ids: list[str], dates: list[list[date]], *,
                        first_session: int = 1) -> pd.DataFrame:
    """Rows of the questionnaires table; session ``s`` is dated ``dates[client][s − first_session]``
    (the comparison group's occasions are 0 and 1: baseline and follow-up)."""
    rows = []
    for r in range(len(sim["client"])):
        c, s = int(sim["client"][r]), int(sim["session"][r])
        d = dates[c][s - first_session]
        for inst, arr in (("PHQ-9", sim["phq"]), ("GAD-7", sim["gad"])):
            items = arr[r]
            row = {"client_id": ids[c], "date": d, "instrument": inst, "session": s}
            for j in range(9):
                row[f"item_{j + 1}"] = (int(items[j]) if items[j] >= 0 else None) if j < len(items) else None
            row["total"] = int(items.sum()) if (items >= 0).all() else None
            rows.append(row)
    return pd.DataFrame(rows)


def write(rng: np.random.Generator, out: Output) -> dict:
    n_all = N_REFERRED + N_COMPARISON
    ids = client_ids(rng, "TE", n_all)
    idx = random_dates(rng, date(2022, 6, 1), date(2024, 12, 31), N_STARTED)
    never = random_dates(rng, date(2022, 6, 1), date(2024, 12, 31), N_REFERRED - N_STARTED)
    cidx = random_dates(rng, date(2022, 6, 1), date(2024, 12, 31), N_COMPARISON)
    ref = np.concatenate([idx - rng.integers(7, 45, N_STARTED), never])
    sim_i = simulate_courses(rng, N_STARTED, comparison=False, matched=True)
    sim_c = simulate_courses(rng, N_COMPARISON, comparison=True, matched=True)
    gaps = [np.cumsum(np.concatenate([[0], rng.integers(7, 15, int(k) - 1)])) for k in sim_i["sessions"]]
    end = [from_ord([i + g[-1]])[0] for i, g in zip(idx, gaps, strict=True)]
    cl = pd.DataFrame({
        "client_id": ids,
        "model": MODEL,
        "group": ["intervention"] * N_REFERRED + ["comparison"] * N_COMPARISON,
        "referral_date": from_ord(ref) + [None] * N_COMPARISON,
        "index_date": from_ord(idx) + [None] * (N_REFERRED - N_STARTED) + from_ord(cidx),
        "end_date": end + [None] * (n_all - N_STARTED),
        "birth_year": rng.integers(1960, 2007, n_all),
        "sex": rng.choice(["F", "M", "other"], n_all, p=[0.66, 0.33, 0.01]),
        "municipality": municipalities(rng, n_all),
    })
    dates_i = [from_ord(i + g) for i, g in zip(idx, gaps, strict=True)]
    q_i = _questionnaire_rows(sim_i, ids[:N_STARTED], dates_i)
    fu = cidx + rng.integers(56, 99, N_COMPARISON)
    dates_c = [from_ord([a, b]) for a, b in zip(cidx, fu, strict=True)]
    q_c = _questionnaire_rows(sim_c, ids[N_REFERRED:], dates_c, first_session=0)
    q_c["session"] = None
    quest = pd.concat([q_i, q_c], ignore_index=True)

    amp = rtm_amplitude(RTM_RATIO, RTM_TAU, WINDOW_PRE)
    sim = cl.assign(started=cl["index_date"].notna(),
                    anchor=[i if i is not None else r for i, r in zip(cl["index_date"], cl["referral_date"], strict=True)],
                    end=CUTOFF)
    visits = simulate_visits(rng, sim, streams(), amplitude=amp, tau=RTM_TAU)
    costs = pd.DataFrame([{"model": MODEL, "item": "Terapiaistunto (terapeutin työaika, esimerkki)",
                           "amount_eur": PER_SESSION_EUR, "year": PER_SESSION_YEAR, "basis": "per_session"}])

    write_csv(cl, out.path(f"{MODEL}/clients.csv"))
    write_csv(quest, out.path(f"{MODEL}/questionnaires.csv"), dialect="finnish", encoding="utf-8-sig")
    write_parquet(visits, out.path(f"{MODEL}/visits.parquet"))
    write_csv(costs, out.path(f"{MODEL}/intervention_costs.csv"), dialect="finnish")
    sample = symptom_statistics(course_outcomes(sim_i, N_STARTED), course_outcomes(sim_c, N_COMPARISON))
    return _truth(amp, len(visits), sim_i, sample)


def _truth(amp: float, n_visits: int, sim_i: dict, sample: dict[str, float]) -> dict:
    st = streams()
    psy = [s for s in st if s.service == "psychiatry"]

    def e(group: str, window: tuple[int, int], treated: bool, subset: list[Stream]) -> float:
        return sum(expected_visits(s, group, window, amplitude=amp, tau=RTM_TAU, treated=treated) for s in subset)

    rr_c = e("comparison", WINDOW_POST, False, psy) / e("comparison", WINDOW_PRE, False, psy)
    rr_i = e("intervention", WINDOW_POST, True, psy) / e("intervention", WINDOW_PRE, True, psy)
    sym = symptom_truth()

    vc = {g: sum(expected_visits(s, g, WINDOW_POST, amplitude=amp, tau=RTM_TAU, treated=g == "intervention") * mean_unit_cost(s, COST_YEAR)
                 for s in st) for g in ("intervention", "comparison")}
    therapy = sym["mean_sessions_started"] * reference.to_cost_year(PER_SESSION_EUR, PER_SESSION_YEAR, COST_YEAR)
    d_cost = therapy + vc["intervention"] - vc["comparison"]
    vf = "service = psychiatry (all professionals); pre [-365, -1], post [0, 364] days from the (pseudo-)index date"
    nhs = ("finished course = ≥ 2 sessions; paired = ≥ 2 complete PHQ-9 and ≥ 2 complete GAD-7 scores "
           "(max_missing_items 0), first and last complete score; ")
    return {
        "parameters": {
            "referred": N_REFERRED, "started": N_STARTED, "comparison_clients": N_COMPARISON,
            "symptom_model": SYM, "phq9_item_offsets": _PHQ_OFF.tolist(), "gad7_item_offsets": _GAD_OFF.tolist(),
            "monte_carlo": {"seed": MC_SEED, "clients_per_group": MC_N},
            "demo_sampling": "session counts and drop-outs allocated exactly (largest remainder of n · p); normal "
                             "draws moment-matched (realised mean and SD = the parameters; the change separately "
                             "for drop-outs and continuers); item rounding and missing items random. The Monte "
                             "Carlo population uses plain random draws.",
            "rtm_post_pre_ratio": RTM_RATIO, "rtm_tau_days": RTM_TAU, "rtm_amplitude": round(amp, 6),
            "visit_effect_rate_ratio": EFFECT,
            "streams": stream_rows(st),
            "per_session_eur": PER_SESSION_EUR, "per_session_year": PER_SESSION_YEAR,
            "population_values": {k: round(v, 4) for k, v in sym.items()},
            "therapy_cost_per_started_client_eur_2024": round(therapy, 2),
            "visit_cost_post_per_client_eur_2024": {k: round(v, 2) for k, v in vc.items()},
        },
        "realised": {"visits_rows": n_visits, "questionnaires_rows": int(2 * len(sim_i["client"])),
                     "dropouts_after_first": int((sim_i["sessions"] == 1).sum()),
                     "sample_values": {k: round(v, 4) for k, v in sample.items()}},
        "headline": [
            H("symptoms", "recovery_rate", "intervention", sym["recovery_rate"], "proportion",
               nhs + "recovered / paired courses at caseness at the first score (PHQ-9 ≥ 10 or GAD-7 ≥ 8); "
               "population value (Monte Carlo)", sample_value=sample["recovery_rate"]),
            H("symptoms", "reliable_improvement_rate", "intervention", sym["reliable_improvement_rate"], "proportion",
               nhs + "PHQ-9 −6 or GAD-7 −4 without reliable deterioration / paired courses",
               sample_value=sample["reliable_improvement_rate"]),
            H("symptoms", "phq9_mean_change", "intervention", sym["phq9_mean_change"], "points",
               nhs + "mean of last − first PHQ-9 total", sample_value=sample["phq9_mean_change"]),
            H("symptoms", "phq9_ancova_group_effect", "all", sym["ancova_group_effect"], "points",
               "population least-squares coefficient of group (intervention vs comparison) in last PHQ-9 ~ first "
               "PHQ-9 + group, paired clients of both groups (Monte Carlo); sample_value: the same least squares on "
               "the demo clients", sample_value=sample["ancova_group_effect"]),
            H("visits", "rate_ratio", "intervention", rr_i, "rate_ratio",
               f"population post/pre rate ratio, includes regression to the mean ({vf})"),
            H("visits", "rate_ratio", "comparison", rr_c, "rate_ratio",
               f"population post/pre rate ratio = regression to the mean only ({vf})"),
            H("visits", "did_rate_ratio", "all", rr_i / rr_c, "rate_ratio",
               f"difference-in-differences rate ratio = the therapy's effect on the rate ({vf})"),
            H("costs", "incremental_cost", "all", d_cost, "eur",
               "expected per-client cost difference, intervention (started) − comparison, 2024 euros: sessions × "
               "per-session cost + visits of every service in the post window [0, 364] × example unit costs"),
        ],
    }
