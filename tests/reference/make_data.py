"""Write the synthetic datasets the R reference scripts and the tests share.

Run from the repository root (only needed if the datasets themselves must change; the
CSVs are committed and the R scripts read them):

    PYTHONPATH=$PWD/src python tests/reference/make_data.py

Everything is drawn from ``numpy.random.default_rng(20240917)``, so the files are
reproducible byte for byte. After regenerating, rerun every R script (README.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parent / "data"
SEED = 20240917
DAYS_PER_MONTH = 30.4375


def panel(rng: np.random.Generator) -> pd.DataFrame:
    """Person-period panel: 260 intervention + 160 comparison clients, pre and post.

    Overdispersed on purpose: a client-level gamma frailty (variance 0.8, shared by both
    periods, so rows of one client are correlated) and a row-level gamma factor (variance
    0.5). True rate ratios: post/pre 0.90 in the comparison group, DiD 0.78.
    """
    n_int, n_cmp = 260, 160
    n = n_int + n_cmp
    client = np.array([f"K{i:04d}" for i in range(1, n + 1)])
    group = np.array(["intervention"] * n_int + ["comparison"] * n_cmp)
    rng.shuffle(group)
    age = rng.integers(18, 65, size=n)
    sex = rng.choice(np.array(["F", "M"]), size=n, p=[0.56, 0.44])
    frailty = rng.gamma(shape=1 / 0.8, scale=0.8, size=n)
    # pre-period: a full year for most, shorter when the data start later
    exp_pre = np.where(rng.random(n) < 0.1, rng.integers(90, 365, size=n), 365)
    # post-period: censored at follow-up end for about a third
    exp_post = np.where(rng.random(n) < 0.35, rng.integers(30, 365, size=n), 365)
    rows = []
    for period, exposure in (("pre", exp_pre), ("post", exp_post)):
        post = period == "post"
        is_int = group == "intervention"
        base = np.where(is_int, 1.6, 1.3) / DAYS_PER_MONTH
        log_mu = (
            np.log(base)
            + 0.012 * (age - 40)
            + np.where(sex == "M", np.log(0.85), 0.0)
            + (np.log(0.90) if post else 0.0)
            + (np.where(is_int, np.log(0.78), 0.0) if post else 0.0)
            + np.log(frailty)
            + np.log(exposure)
        )
        mu = np.exp(log_mu) * rng.gamma(shape=2.0, scale=0.5, size=n)
        count = rng.poisson(mu)
        rows.append(pd.DataFrame({
            "client_id": client, "period": period, "group": group, "visits": count,
            "exposure_days": exposure, "age": age, "sex": sex,
        }))
    out = pd.concat(rows, ignore_index=True)
    # a realistic file is not sorted by client: shuffle the rows
    return out.iloc[rng.permutation(len(out))].reset_index(drop=True)


def its_counts(rng: np.random.Generator) -> pd.DataFrame:
    """Monthly visit counts 2019-01 … 2024-12, change in 2022-09, population offset.

    Level change 0.85 (rate ratio), slope change −0.4 % a month, seasonal amplitude about
    10 %, AR(1) multiplicative noise (ρ = 0.5) so the errors are autocorrelated.
    """
    months = pd.period_range("2019-01", "2024-12", freq="M")
    t = np.arange(len(months))
    t0 = int(np.flatnonzero(months == pd.Period("2022-09", "M"))[0])
    post = (t >= t0).astype(float)
    cal = months.month.to_numpy()
    population = np.round(70_000 - 40 * t + rng.normal(0, 150, size=len(t))).astype(int)
    ar = np.zeros(len(t))
    for i in range(1, len(t)):
        ar[i] = 0.5 * ar[i - 1] + rng.normal(0, 0.05)
    log_rate = (
        np.log(40 / 1000) + 0.002 * t + np.log(0.85) * post - 0.004 * (t - t0) * post
        + 0.10 * np.cos(2 * np.pi * cal / 12) + 0.04 * np.sin(2 * np.pi * cal / 12) + ar
    )
    visits = rng.poisson(np.exp(log_rate) * population)
    return pd.DataFrame({"month": months.astype(str), "visits": visits, "population": population})


def its_share(rng: np.random.Generator) -> pd.DataFrame:
    """Monthly cases and cases treated within the limit, 2021-01 … 2024-12, change 2023-09."""
    months = pd.period_range("2021-01", "2024-12", freq="M")
    t = np.arange(len(months))
    t0 = int(np.flatnonzero(months == pd.Period("2023-09", "M"))[0])
    post = (t >= t0).astype(float)
    cal = months.month.to_numpy()
    cases = rng.integers(80, 220, size=len(t))
    ar = np.zeros(len(t))
    for i in range(1, len(t)):
        ar[i] = 0.6 * ar[i - 1] + rng.normal(0, 0.15)
    logit = 0.3 + 0.01 * t + 0.45 * post + 0.02 * (t - t0) * post - 0.3 * np.cos(2 * np.pi * cal / 12) + ar
    within = rng.binomial(cases, 1 / (1 + np.exp(-logit)))
    return pd.DataFrame({"month": months.astype(str), "cases": cases, "within_limit": within,
                         "share": within / cases})


def cost_effect(rng: np.random.Generator) -> pd.DataFrame:
    """Per-client cost (€, right-skewed) and effect (employed 0/1), 180 + 120 clients.

    Employed clients use fewer services, so cost and effect are correlated within group —
    a bootstrap that breaks the pairs gets the correlation of ΔC and ΔE wrong.
    """
    n_int, n_cmp = 180, 120
    group = np.array(["intervention"] * n_int + ["comparison"] * n_cmp)
    p = np.where(group == "intervention", 0.36, 0.20)
    effect = (rng.random(len(group)) < p).astype(int)
    mean_cost = np.where(group == "intervention", 4200.0, 3500.0) * np.where(effect == 1, 0.6, 1.15)
    cost = np.round(rng.gamma(shape=1.3, scale=mean_cost / 1.3), 2)
    return pd.DataFrame({"client_id": [f"B{i:04d}" for i in range(1, len(group) + 1)],
                         "group": group, "cost": cost, "effect": effect})


def wilcoxon_sets(rng: np.random.Generator) -> pd.DataFrame:
    """Paired before/after values in four regimes of R's ``wilcox.test``.

    * ``exact_small``: 20 pairs, continuous, no ties, no zero differences → exact p.
    * ``ties_zeros``: 60 pairs of monthly visit rates rounded to 0.5 → ties and zeros,
      normal approximation with continuity and tie correction.
    * ``small_ties``: 15 pairs with ties → R cannot use the exact test.
    * ``large``: 80 continuous pairs → n ≥ 50, normal approximation.
    """
    sets = []
    b = rng.gamma(2.0, 1.0, size=20)
    sets.append(("exact_small", b, b * rng.lognormal(-0.2, 0.4, size=20)))
    b = np.round(rng.gamma(2.0, 1.0, size=60) * 2) / 2
    a = np.round((b + rng.normal(-0.3, 0.8, size=60)).clip(0) * 2) / 2
    sets.append(("ties_zeros", b, a))
    b = rng.integers(0, 8, size=15).astype(float)
    sets.append(("small_ties", b, (b + rng.integers(-3, 3, size=15)).clip(0)))
    b = rng.normal(10, 3, size=80)
    sets.append(("large", b, b + rng.normal(-0.5, 2, size=80)))
    frames = [pd.DataFrame({"dataset": name, "before": np.round(x, 4), "after": np.round(y, 4)})
              for name, x, y in sets]
    return pd.concat(frames, ignore_index=True)


def paired_scores(rng: np.random.Generator) -> pd.DataFrame:
    """Baseline and follow-up scores of 90 intervention + 70 comparison clients.

    True ANCOVA group effect −2.5 points; the baseline-follow-up correlation is about 0.6.
    Scores are rounded to 0.5 so there are ties.
    """
    group = np.array(["intervention"] * 90 + ["comparison"] * 70)
    pre = rng.normal(20.0, 5.0, size=len(group))
    post = 6.0 + 0.65 * pre - 2.5 * (group == "intervention") + rng.normal(0.0, 4.0, size=len(group))
    return pd.DataFrame({"client_id": [f"P{i:04d}" for i in range(1, len(group) + 1)], "group": group,
                         "pre": np.round(pre * 2) / 2, "post": np.round(post * 2) / 2})


def survival_sets(rng: np.random.Generator) -> pd.DataFrame:
    """Time-to-event datasets for ``survival.R``.

    * ``waits``: 300 waiting times in whole days (ties), 25 % still waiting at the cut-off
      (censored), two groups (the intervention group is treated faster, HR ≈ 1.4) and age.
    * ``flat_half``: the curve sits exactly at 0.5 between two event times, so the median is
      the midpoint (R's rule).
    * ``last_half``: the curve ends exactly at 0.5 (last time censored).
    * ``not_reached``: heavy censoring, the median's upper limit is not reached.
    """
    n = 300
    group = np.where(rng.random(n) < 0.5, "intervention", "comparison")
    age = rng.integers(18, 80, size=n)
    rate = (1 / 60) * np.where(group == "intervention", 1.4, 1.0) * np.exp(0.005 * (age - 45))
    wait = np.ceil(rng.exponential(1 / rate))
    follow = rng.integers(20, 200, size=n)
    still = (rng.random(n) < 0.25) | (wait > follow)
    days = np.where(still, np.minimum(follow, wait), wait)
    out = [pd.DataFrame({"dataset": "waits", "group": group, "age": age, "days": days.astype(int),
                         "event": (~still).astype(int)})]
    fixed = {
        "flat_half": ([1, 2, 3, 4, 5, 7, 8, 9, 10, 11], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
        "last_half": ([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 0, 0]),
        "not_reached": ([3, 5, 5, 8, 10, 12, 14, 15, 20, 22, 25, 30], [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0]),
    }
    for name, (t, e) in fixed.items():
        out.append(pd.DataFrame({"dataset": name, "group": "all", "age": 0, "days": t, "event": e}))
    return pd.concat(out, ignore_index=True)


def longitudinal(rng: np.random.Generator) -> pd.DataFrame:
    """Scores of 120 clients at months 0, 6 and 12; about 20 % miss each follow-up.

    Random intercept SD 4, residual SD 3, true change −1.5 (month 6) and −3.0 (month 12).
    """
    rows = []
    for i in range(1, 121):
        u = rng.normal(0.0, 4.0)
        for month, effect in ((0, 0.0), (6, -1.5), (12, -3.0)):
            if month > 0 and rng.random() < 0.2:
                continue
            rows.append({"client_id": f"L{i:04d}", "month": month,
                         "score": round(25.0 + effect + u + rng.normal(0.0, 3.0), 2)})
    return pd.DataFrame(rows)


def waits(rng: np.random.Generator) -> pd.DataFrame:
    """Care-guarantee waits at two sites, contacts 2021-01 … 2024-12, cut-off 2024-12-31.

    P(treated within 7 days) rises by 0.12 at 2023-04 at both sites; a few very long
    waits; cases whose treatment would start after the cut-off are still waiting (empty
    ``event_date``). One site is small (so its cells get suppressed).
    """
    cutoff = pd.Timestamp("2024-12-31")
    rows = []
    months = pd.period_range("2021-01", "2024-12", freq="M")
    for site, volume in (("Keskusta", 26), ("Kylä", 4)):
        for t, month in enumerate(months):
            start = month.to_timestamp()
            for _ in range(rng.poisson(volume)):
                contact = start + pd.Timedelta(days=int(rng.integers(0, month.days_in_month)))
                p = 0.45 + 0.002 * t + (t >= 27) * 0.12
                wait = int(rng.integers(0, 8)) if rng.random() < p else 7 + int(rng.geometric(1 / 10))
                if rng.random() < 0.02:
                    wait = int(rng.integers(60, 150))
                event = contact + pd.Timedelta(days=wait)
                rows.append({"site": site, "contact_date": contact.date().isoformat(),
                             "event_date": "" if event > cutoff else event.date().isoformat()})
    out = pd.DataFrame(rows)
    out.insert(0, "case_id", [f"W{i:05d}" for i in range(1, len(out) + 1)])
    out.insert(1, "service", "primary_care")
    return out


def employment_sets(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """IPS-shaped clients and employment episodes, cut-off 2024-12-31.

    160 intervention + 140 comparison clients with an index date 2021-03 … 2024-11 (so many
    are still in coaching at the cut-off: censored), 40 referred intervention clients who
    never started (no index date), some with an own ``followup_end`` (moved away) — a few
    of those before the cut-off. Episodes: jobs after the index date (hazard higher in the
    intervention group; some on the index date itself), jobs that started *before* the
    index date (some still ongoing after it — not an outcome), overlapping and duplicated
    job episodes, jobs starting after the client's follow-up ended, study / volunteer /
    work-trial and rehabilitation episodes; hours and wages sometimes missing.
    """
    cutoff = pd.Timestamp("2024-12-31")
    lo, hi = pd.Timestamp("2021-03-01"), pd.Timestamp("2024-11-30")
    span = (hi - lo).days
    clients, eps = [], []

    def day(ts: pd.Timestamp) -> str:
        return ts.date().isoformat()

    def episode(cid: str, start: pd.Timestamp, length: int | None, status: str, hours: float | None,
                wage: float | None) -> None:
        end = "" if length is None else day(start + pd.Timedelta(days=length))
        eps.append({"client_id": cid, "start_date": day(start), "end_date": end, "status": status,
                    "hours_per_week": "" if hours is None else f"{hours:g}",
                    "monthly_wage_eur": "" if wage is None else f"{wage:g}"})

    k = 0
    for group, n, rate in (("intervention", 160, 1 / 260), ("comparison", 140, 1 / 900), ("never", 40, 0.0)):
        for _ in range(n):
            k += 1
            cid = f"E{k:04d}"
            if group == "never":
                clients.append({"client_id": cid, "group": "intervention",
                                "referral_date": day(lo + pd.Timedelta(days=int(rng.integers(0, span)))),
                                "index_date": "", "followup_end": ""})
                if rng.random() < 0.3:  # jobs of never-enrolled clients are not outcomes
                    episode(cid, lo + pd.Timedelta(days=int(rng.integers(0, span))), None, "competitive", 30, 2000)
                continue
            index = lo + pd.Timedelta(days=int(rng.integers(0, span)))
            own_end = ""
            if rng.random() < 0.12:  # moved away / died: follow-up ends before the cut-off
                own_end = day(min(cutoff, index + pd.Timedelta(days=int(rng.integers(20, 500)))))
            elif rng.random() < 0.05:  # followup_end after the cut-off: the cut-off wins
                own_end = "2025-03-31"
            clients.append({"client_id": cid, "group": group,
                            "referral_date": day(index - pd.Timedelta(days=int(rng.integers(30, 250)))),
                            "index_date": day(index), "followup_end": own_end})
            if rng.random() < 0.15:  # a job before the index date, some still ongoing after it
                s = index - pd.Timedelta(days=int(rng.integers(30, 900)))
                length = None if rng.random() < 0.4 else int(rng.integers(10, 700))
                episode(cid, s, length, str(rng.choice(["competitive", "self_employed"])), 37.5, 2400)
            t = int(rng.exponential(1 / rate)) if rate > 0 else 10**6
            if rng.random() < 0.04:
                t = 0  # job starts on the index date
            start = index + pd.Timedelta(days=t)
            if start <= cutoff + pd.Timedelta(days=60):  # may lie after the follow-up end: not counted
                hours = None if rng.random() < 0.1 else float(rng.choice([8, 12, 16, 20, 25, 30, 37.5]))
                wage = None if rng.random() < 0.15 else float(round(rng.uniform(500, 3000), -1))
                length = None if rng.random() < 0.45 else int(rng.integers(5, 500))
                status = "self_employed" if rng.random() < 0.1 else "competitive"
                episode(cid, start, length, status, hours, wage)
                u = rng.random()
                if u < 0.15:  # a second, overlapping job
                    s2 = start + pd.Timedelta(days=int(rng.integers(0, 60)))
                    episode(cid, s2, int(rng.integers(10, 200)), "competitive",
                            None if hours is None else 10.0, 900.0)
                elif u < 0.2:  # the same job recorded twice
                    eps.append(dict(eps[-1]))
                elif u < 0.35:  # a later job after a gap
                    s2 = start + pd.Timedelta(days=(length or 0) + int(rng.integers(20, 200)))
                    episode(cid, s2, None, "competitive", hours, wage)
            if rng.random() < 0.25:  # other progression (or rehabilitation, which is neither)
                s = index + pd.Timedelta(days=int(rng.integers(-60, 700)))
                status = str(rng.choice(["study", "volunteer", "work_trial", "rehabilitation", "other"]))
                episode(cid, s, int(rng.integers(20, 300)), status, None, None)
    cl = pd.DataFrame(clients)
    emp = pd.DataFrame(eps).sort_values(["client_id", "start_date", "status"], kind="mergesort")
    return cl, emp.reset_index(drop=True)


def main() -> None:
    rng = np.random.default_rng(SEED)
    OUT.mkdir(parents=True, exist_ok=True)
    tables = {
        "panel.csv": panel(rng),
        "its_counts.csv": its_counts(rng),
        "its_share.csv": its_share(rng),
        "cost_effect.csv": cost_effect(rng),
        "wilcoxon.csv": wilcoxon_sets(rng),
    }
    # intervals / survival / linear datasets: their own stream, so adding them left the files
    # above unchanged
    rng2 = np.random.default_rng(SEED + 1)
    tables["paired_scores.csv"] = paired_scores(rng2)
    tables["survival.csv"] = survival_sets(rng2)
    tables["longitudinal.csv"] = longitudinal(rng2)
    tables["waits.csv"] = waits(np.random.default_rng(SEED + 2))
    tables["employment_clients.csv"], tables["employment_episodes.csv"] = employment_sets(
        np.random.default_rng(SEED + 3))
    for name, frame in tables.items():
        frame.to_csv(OUT / name, index=False, lineterminator="\n", float_format="%.10g")
        print(f"wrote {OUT / name} ({len(frame)} rows)")


if __name__ == "__main__":
    main()
