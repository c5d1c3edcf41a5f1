"""Coverage study: do evalkit's 95 % intervals cover the truth 95 % of the time? (issue 11)

    PYTHONPATH=$PWD/src python benchmarks/coverage_study.py [--reps 500] [--only NAME ...] [--jobs N]

Each study simulates data from a known truth shaped like the evaluation it stands for
(sizes from seed 001 and the demo models), runs the library estimator exactly as a measure
calls it, and records whether the interval covers the truth. The table gives coverage with
its Monte Carlo standard error, bias, and the mean interval width; it is printed and written
to ``benchmarks/results/coverage.md``. Exit status 1 when a coverage falls outside 93–97 %
and the study has no documented reason (``KNOWN``).

The small version in CI is ``tests/test_coverage.py`` (few replicates, loose bounds).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, load, machine, run_line, write_table

TARGET = (0.93, 0.97)
MONTH = 30.4375


@dataclass(frozen=True)
class Study:
    """One interval estimator: ``simulate(rng) -> (estimate, ci_low, ci_high)`` and the truth."""

    name: str
    function: str
    design: str
    truth: float
    simulate: Callable[[np.random.Generator], tuple[float, float, float]]


# ----------------------------------------------------------------------------- designs
def _visit_panel(rng: np.random.Generator, groups: dict[str, tuple[int, float, float]]) -> pd.DataFrame:
    """Pre/post visit counts with gamma frailty (overdispersion) and censored follow-up.

    ``groups``: label → (clients, pre rate per person-month, post/pre rate ratio). Each
    client's frailty multiplies both periods, so the population rate ratio is the ratio
    given; follow-up after the index is uniform 180–364 days (censoring).
    """
    rows = []
    for label, (n, rate, ratio) in groups.items():
        frailty = rng.gamma(2.0, 0.5, size=n)  # mean 1, variance 0.5
        pre_days = np.full(n, 365.0)
        post_days = rng.integers(180, 365, size=n).astype(float)
        pre = rng.poisson(frailty * rate * pre_days / MONTH)
        post = rng.poisson(frailty * rate * ratio * post_days / MONTH)
        ids = [f"{label[0]}{i}" for i in range(n)]
        rows.append(pd.DataFrame({"client_id": ids, "group": label, "period": "pre",
                                  "visits": pre, "exposure_days": pre_days}))
        rows.append(pd.DataFrame({"client_id": ids, "group": label, "period": "post",
                                  "visits": post, "exposure_days": post_days}))
    return pd.concat(rows, ignore_index=True)


def _interval(e) -> tuple[float, float, float]:
    return float(e.estimate), float(e.ci_low), float(e.ci_high)


def sim_rate_ratio(rng):
    from evalkit.stats.counts import poisson_panel

    panel = _visit_panel(rng, {"intervention": (118, 1.55, 0.7)})
    return _interval(poisson_panel(panel, group=None).get("rate_ratio"))


def sim_did_rate_ratio(rng):
    from evalkit.stats.counts import poisson_panel

    panel = _visit_panel(rng, {"intervention": (118, 1.55, 0.6), "comparison": (150, 1.2, 0.8)})
    return _interval(poisson_panel(panel).get("did_rate_ratio"))


def sim_employment_rate(rng):
    from evalkit.stats.intervals import wilson_interval

    n = 73
    return _interval(wilson_interval(int(rng.binomial(n, 0.34)), n))


def sim_km_survival(rng):
    from evalkit.stats.survival import survival_at

    n = 118
    event_time = rng.exponential(300 / math.log(2), size=n)  # median 300 days
    censor = rng.uniform(100, 700, size=n)
    time_ = np.minimum(event_time, censor).round()
    time_ = np.maximum(time_, 1)
    event = (event_time <= censor).astype(int)
    return _interval(survival_at(time_, event, 180))


def sim_phq9_change(rng):
    from evalkit.stats.intervals import paired_mean_change

    n = 150
    before = rng.normal(16, 4, size=n)
    after = before + rng.normal(-6.5, 6, size=n)
    return _interval(paired_mean_change(before, after))


def sim_recovery_rate(rng):
    from evalkit.stats.intervals import wilson_interval

    n = 250
    return _interval(wilson_interval(int(rng.binomial(n, 0.5)), n))


def _cost_effect_data(rng) -> pd.DataFrame:
    """Right-skewed (lognormal) costs and 0/1 effects, two groups of 120."""
    frames = []
    for label, mean_cost, p in (("intervention", 6000.0, 0.34), ("comparison", 1250.0, 0.15)):
        sigma = 0.9
        mu = math.log(mean_cost) - sigma**2 / 2
        frames.append(pd.DataFrame({"group": label, "cost": rng.lognormal(mu, sigma, size=120),
                                    "effect": (rng.random(120) < p).astype(float)}))
    return pd.concat(frames, ignore_index=True)


WTP = 20_000.0


def _ce(rng):
    from evalkit.stats.bootstrap import bootstrap_cost_effect
    from evalkit.stats.costeffect import cost_effectiveness

    draws = bootstrap_cost_effect(_cost_effect_data(rng), seed=rng, reps=1000)
    return cost_effectiveness(draws, wtp=WTP, grid=[WTP])


def sim_incremental_cost(rng):
    return _interval(_ce(rng).get("incremental_cost"))


def sim_inmb(rng):
    return _interval(_ce(rng).get("inmb"))


def sim_its_level(rng):
    from evalkit.stats.its import segmented_regression

    months = pd.period_range("2022-01", periods=48, freq="M")
    t = np.arange(48)
    post = (t >= 24).astype(float)
    share = 0.55 + 0.002 * t + 0.15 * post + 0.006 * post * (t - 24) + 0.03 * np.sin(2 * np.pi * t / 12)
    cases = rng.integers(60, 120, size=48)
    within = rng.binomial(cases, np.clip(share, 0, 1))
    series = pd.DataFrame({"month": months, "share": within / cases, "cases": cases})
    res = segmented_regression(series, outcome="share", change="2024-01", family="gaussian",
                               weights="cases", harmonics=1)
    return _interval(res.get("its_level_change"))


def _waiting_its(rng, scenario: str):
    """The level change as ``measures.waiting`` reports it (``_its``: ``se="conservative_ar1"``,
    the largest of the Newey–West, lag-0 robust and AR(1)-model SE, t quantile) on a
    hoitotakuu-shaped series (``waiting_its_coverage.simulate``: 48 months, change in month 27,
    Poisson(175) cases a month, binomial shares; ``ar1``: plus AR(1) noise ρ = 0,5, sd 0,03 on
    the probability)."""
    from waiting_its_coverage import simulate

    from evalkit.measures.waiting import _its

    _fit, rows = _its(simulate(rng, scenario), pd.Timestamp("2024-03-01"), 7, (), 2, None, 0.95)
    e = next(x for x in rows if x.indicator == "its_level_change")
    return float(e.estimate), float(e.ci_low), float(e.ci_high)


def _waiting_its_rule(rng, scenario: str, se: str):
    """The same series and model as ``_waiting_its`` with another standard-error rule."""
    from waiting_its_coverage import simulate

    from evalkit.stats.its import segmented_regression

    res = segmented_regression(simulate(rng, scenario), outcome="share", change="2024-03", family="gaussian",
                               weights="determinable", harmonics=2, se=se)
    return _interval(res.get("its_level_change"))


def sim_waiting_its(rng):
    return _waiting_its(rng, "binomial")


def sim_waiting_its_ar1(rng):
    return _waiting_its(rng, "ar1")


def sim_waiting_its_ar1_nwhc(rng):
    return _waiting_its_rule(rng, "ar1", "conservative")


def sim_waiting_its_ar1_gls(rng):
    return _waiting_its_rule(rng, "ar1", "ar1")


def sim_waiting_its_gls(rng):
    return _waiting_its_rule(rng, "binomial", "ar1")


VISITS_ITS_RR = 0.85


def sim_visits_its(rng, ar1: float = 0.0):
    """Monthly visit counts as ``measures.visits`` fits them (Poisson segmented regression, two
    Fourier pairs, ``se="conservative"``): 48 months around 400 visits, trend
    +0,2 %/month, level change ×0,85 and slope change +0,4 %/month from month 25, seasonal
    amplitude 10 %, month-level gamma overdispersion (CV 10 %), independent months; with
    ``ar1`` > 0 the month-level noise is instead a stationary AR(1) on the log rate with that
    coefficient and marginal sd 0,1."""
    from evalkit.stats.its import segmented_regression

    t = np.arange(48)
    post = (t >= 24).astype(float)
    log_mu = (math.log(400) + 0.002 * t + math.log(VISITS_ITS_RR) * post + 0.004 * post * (t - 24)
              + 0.1 * np.sin(2 * np.pi * t / 12))
    if ar1:
        e = np.zeros(48)
        e[0] = rng.normal(0, 0.1)
        for i in range(1, 48):
            e[i] = ar1 * e[i - 1] + rng.normal(0, 0.1 * math.sqrt(1 - ar1**2))
        visits = rng.poisson(np.exp(log_mu + e - 0.005))
    else:
        visits = rng.poisson(np.exp(log_mu) * rng.gamma(100.0, 0.01, size=48))
    series = pd.DataFrame({"month": pd.period_range("2022-01", periods=48, freq="M"), "visits": visits})
    res = segmented_regression(series, outcome="visits", change="2024-01", harmonics=2, se="conservative")
    return _interval(res.get("its_level_change"))


def sim_visits_its_ar1(rng):
    return sim_visits_its(rng, ar1=0.5)


#: population value of the demo's ANCOVA group effect: ``terapiat_etulinjaan.symptom_truth()``
#: (Monte Carlo, seed 977, 200 000 clients per group) = TRUTH.yaml's headline value; computing it
#: takes seconds, so it is written here and ``tests/test_coverage.py`` checks it against the
#: generated TRUTH.yaml.
ANCOVA_DEMO_TRUTH = -5.094891


def sim_ancova_demo(rng):
    """The PHQ-9 ANCOVA group effect as ``measures.symptoms`` computes it (``stats.linear.ancova``,
    last ~ group + first, paired clients of both groups) on data drawn by the terapiat_etulinjaan
    demo generator (362 starters, 220 comparison clients; ``ancova_coverage.demo_sample``)."""
    from ancova_coverage import demo_sample

    from evalkit.stats.linear import ancova

    post, pre, group = demo_sample(rng)
    return _interval(ancova(post, pre, group, reference="comparison"))


STUDIES: tuple[Study, ...] = (
    Study("rate_ratio", "stats.counts.poisson_panel", "118 asiakasta, gamma-frailty, jälkiseuranta 180–364 pv",
          0.7, sim_rate_ratio),
    Study("did_rate_ratio", "stats.counts.poisson_panel", "118 + 150 asiakasta, RR 0,6 vs 0,8",
          0.75, sim_did_rate_ratio),
    Study("employment_rate", "stats.intervals.wilson_interval", "n = 73, p = 0,34", 0.34, sim_employment_rate),
    Study("km_survival_180d", "stats.survival.survival_at", "n = 118, eksponentiaalinen, mediaani 300 pv, "
          "sensurointi U(100, 700)", math.exp(-180 * math.log(2) / 300), sim_km_survival),
    Study("phq9_mean_change", "stats.intervals.paired_mean_change", "n = 150, muutos N(−6,5; 6)",
          -6.5, sim_phq9_change),
    Study("recovery_rate", "stats.intervals.wilson_interval", "n = 250, p = 0,5", 0.5, sim_recovery_rate),
    Study("phq9_ancova_group_effect", "measures.symptoms → stats.linear.ancova", "terapiat_etulinjaan-"
          "demogeneraattori: 362 + 220 asiakasta, parilliset ≈ 304 + 195, jäännöshajonta 4,7 vs 5,0",
          ANCOVA_DEMO_TRUTH, sim_ancova_demo),
    Study("incremental_cost", "stats.bootstrap.bootstrap_cost_effect", "2 × 120 asiakasta, log-normaalit "
          "kustannukset (6 000 € vs 1 250 €), 1 000 bootstrap-otosta", 4750.0, sim_incremental_cost),
    Study("inmb", "stats.costeffect.cost_effectiveness", "kuten yllä, vaikutus 0,34 vs 0,15, λ = 20 000 €",
          WTP * (0.34 - 0.15) - 4750.0, sim_inmb),
    Study("its_level_change", "measures.waiting → stats.its.segmented_regression(se='conservative_ar1')",
          "48 kk, muutos kk 27, hoitotakuuosuus, binomivaihtelu; suurin NW/HC/AR(1)-keskivirhe, t-jakauma",
          0.98 * 0.15, sim_waiting_its),
    Study("its_level_change_ar1", "measures.waiting → stats.its.segmented_regression(se='conservative_ar1')",
          "kuten yllä + AR(1)-vaihtelu (ρ = 0,5, sd 0,03) kuukausiosuudessa", 0.98 * 0.15, sim_waiting_its_ar1),
    Study("its_level_change_ar1_nwhc", "stats.its.segmented_regression(se='conservative')",
          "kuten yllä (AR(1)); aiempi sääntö: suurempi NW/HC-keskivirhe, t-jakauma", 0.98 * 0.15,
          sim_waiting_its_ar1_nwhc),
    Study("its_level_change_ar1_gls", "stats.its.segmented_regression(se='ar1')",
          "kuten yllä (AR(1)); GLS AR(1)-virheillä (REML), mallipohjainen keskivirhe, t-jakauma", 0.98 * 0.15,
          sim_waiting_its_ar1_gls),
    Study("its_level_change_gls", "stats.its.segmented_regression(se='ar1')",
          "48 kk, hoitotakuuosuus, binomivaihtelu (riippumattomat kuukaudet); GLS AR(1)-virheillä (REML)",
          0.98 * 0.15, sim_waiting_its_gls),
    Study("its_visits_level_rr", "measures.visits → stats.its.segmented_regression(se='conservative')",
          "48 kk, ~400 käyntiä/kk, Poisson, kuukausitason gamma-ylihajonta (CV 10 %), RR 0,85", VISITS_ITS_RR,
          sim_visits_its),
    Study("its_visits_level_rr_ar1", "measures.visits → stats.its.segmented_regression(se='conservative')",
          "kuten yllä, mutta kuukausitason vaihtelu AR(1) log-tasolla (ρ = 0,5, sd 0,1)", VISITS_ITS_RR,
          sim_visits_its_ar1),
    Study("its_level_change_nw", "stats.its.segmented_regression (se='newey_west', oletus)",
          "48 kk, muutos kk 25, osuus, pelkkä Newey–West, normaalijakauma", 0.15, sim_its_level),
)

#: studies whose coverage is known to fall outside 93–97 %, with the reason
KNOWN: dict[str, str] = {
    "its_level_change_nw": (
        "Not what any measure reports: the function's plain Newey–West option, kept to show why the "
        "measures use se='conservative'. Newey–West (Bartlett, 3 lags) standard errors are biased "
        "downward on short monthly series when a regressor is a step (the level change): on 48 months "
        "with independent errors the mean standard error is 0.022 against a sampling SD of 0.029, "
        "coverage 84–86 % (88–90 % with n/(n−k) and t)."
    ),
    "its_level_change_ar1": (
        "The waiting measure's rule since the AR(1) option (se='conservative_ar1': the largest of the "
        "Newey–West, lag-0 and AR(1)-model standard errors of the weighted least-squares estimate, t with "
        "n − k df) covers 0.926 on the same replicates where the previous rule covered 0.881 "
        "(its_level_change_ar1_nwhc: the previous rule on other replicates), just short of 93 % (MC se "
        "0.008). The noise here is AR(1) on the probability plus binomial sampling noise, i.e. ARMA(1,1) on "
        "the share: REML fits an AR(1) whose φ̂ is biased towards 0 on 48 months, and the GLS variance "
        "ignores the uncertainty of φ̂. The price on independent months is a wider interval "
        "(its_level_change: 0.968, mean width 0.097 against 0.952 and 0.090 with the previous rule). The "
        "waiting and visits reports say that the interval may be too narrow when the restricted "
        "likelihood-ratio test finds positive lag-1 autocorrelation (ItsResult.autocorrelated). Tried, not "
        "adopted: an AR(1) + white-noise (nugget) error model, REML over (φ, nugget) from the best point of a "
        "grid, with the same largest-of-three rule — prototype (500 + 300 replicates) 0.946–0.950 on this design "
        "but 0.970–0.977 on independent months (mean width +9 %), GLS with that model 0.932 / 0.958. Its "
        "restricted likelihood is multimodal on these series (a near-unit-root mode that absorbs the trend; "
        "on its_share.csv nlme::gls(corExp(form = ~ time, nugget = TRUE)) stops at nugget 0, φ 0.12, the "
        "prototype's grid at nugget 0.62, φ 0.97), so it has no external reference yet."
    ),
    "its_visits_level_rr_ar1": (
        "The visits measure's Poisson ITS when the monthly rate carries AR(1) noise: se='conservative' "
        "(larger of Newey–West and lag-0) is too narrow, like the waiting rule before the AR(1) option. No "
        "AR(1) GLS exists here for Poisson counts, so the visits report says, when the restricted "
        "likelihood-ratio test on the IRLS working response finds positive lag-1 autocorrelation "
        "(ItsResult.autocorrelated), that its interval was not corrected and may be too narrow. That check "
        "flagged 63 % of series of this design and 4 % of the independent design's (300 simulated each)."
    ),
    "its_level_change_ar1_nwhc": (
        "Not what any measure reports now: the previous waiting rule (larger of Newey–West and lag-0 SE, "
        "n/(n−k), t) on the AR(1) design, kept for comparison. 3-lag Newey–West on 48 months underestimates "
        "the long-run variance and the lag-0 SE ignores autocorrelation. Earlier prototypes on this design "
        "(500 replicates): Newey–West with leverage-corrected (HC3-type) scores 0.86, with fixed-b "
        "(Kiefer–Vogelsang) critical values 0.86, quasi-likelihood SE 0.85."
    ),
    "its_level_change_ar1_gls": (
        "Not what any measure reports: AR(1) GLS by REML alone (se='ar1'; nlme::gls(corAR1, "
        "varFixed(~1/cases)), model-based SE, t with n − k df). φ̂ is biased towards 0 on 48 months and the "
        "error is ARMA(1,1) rather than AR(1) (see its_level_change_ar1), so its interval is too narrow."
    ),
    "its_level_change_gls": (
        "Not what any measure reports: AR(1) GLS by REML alone on independent months. With φ free the "
        "model-based SE is a little too small on 48 months (the uncertainty of φ̂ is not carried), which is "
        "why the measure takes the largest of this and the Newey–West / lag-0 standard errors of the "
        "least-squares estimate instead of reporting GLS."
    ),
}


# ----------------------------------------------------------------------------- running
def _run_chunk(args: tuple[str, list[np.random.SeedSequence]]) -> list[tuple[float, float, float]]:
    import warnings

    name, seeds = args
    study = next(s for s in STUDIES if s.name == name)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for ss in seeds:
            out.append(study.simulate(np.random.default_rng(ss)))
    return out


def run_study(study: Study, reps: int, *, seed: int = 20251201, jobs: int = 1) -> dict:
    """Coverage, bias and width of one study over ``reps`` replicates (deterministic)."""
    base = np.random.SeedSequence([seed, sum(map(ord, study.name))])
    seeds = base.spawn(reps)
    chunks = [seeds[i::jobs] for i in range(jobs)]
    t0 = time.perf_counter()
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as ex:
            parts = list(ex.map(_run_chunk, [(study.name, c) for c in chunks]))
    else:
        parts = [_run_chunk((study.name, chunks[0]))]
    results = np.array([r for part in parts for r in part], dtype=float)
    est, lo, hi = results.T
    covered = (lo <= study.truth) & (study.truth <= hi)
    cov = float(covered.mean())
    return {
        "estimator": study.name,
        "function": study.function,
        "design": study.design,
        "truth": study.truth,
        "reps": reps,
        "coverage": cov,
        "mc_se": math.sqrt(cov * (1 - cov) / reps),
        "bias": float(est.mean() - study.truth),
        "mean_width": float((hi - lo).mean()),
        "seconds": time.perf_counter() - t0,
    }


def verdict(row: dict) -> str:
    if TARGET[0] <= row["coverage"] <= TARGET[1]:
        return "ok"
    return "tunnettu syy" if row["estimator"] in KNOWN else "EI OK"


def _table_row(r: dict) -> str:
    return (f"| {r['estimator']} | `{r['function']}` | {r['design']} | {r['truth']:.4g} | {r['reps']} | "
            f"{r['coverage']:.3f} | {r['mc_se']:.3f} | {r['bias']:.3g} | {r['mean_width']:.3g} | "
            f"{r['verdict']} | {r['seconds']:.0f} |")


def _merge_rows(path: Path, new: dict[str, str], run: str) -> tuple[list[str], dict[str, str]]:
    """``--update``: the existing table's header (with a line saying which rows this run
    rewrote) and its rows, the new ones replacing those of the same estimator."""
    head, header, old = [], [], {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() == "Known reasons:":
            break
        if line.startswith("| estimator") or line.startswith("|---"):
            header.append(line)
        elif line.startswith("| "):
            old[line.split("|")[1].strip()] = line
        else:
            head.append(line)
    while head and not head[-1].strip():
        head.pop()
    run_idx = max((i for i, ln in enumerate(head) if ln.startswith(("* Run:", "* Rows "))), default=len(head) - 1)
    rows_line = f"* Rows {', '.join(new)} rewritten by `--only … --update`: " + run.removeprefix("* Run: ")
    head.insert(run_idx + 1, rows_line)
    return [*head, "", *header], {**old, **new}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=500)
    parser.add_argument("--only", nargs="*", default=None, help="study names")
    parser.add_argument("--jobs", type=int, default=None, help="processes (default: cores)")
    parser.add_argument("--out", type=Path, default=None,
                        help="default results/coverage.md (not written with --only unless --out is given)")
    parser.add_argument("--update", action="store_true",
                        help="with --only: replace (or add) just these rows in results/coverage.md and keep the others")
    args = parser.parse_args(argv)
    import os

    jobs = args.jobs or len(os.sched_getaffinity(0))
    studies = [s for s in STUDIES if args.only is None or s.name in args.only]
    rows = []
    load0 = load()
    t_all = time.perf_counter()
    print(f"{'estimator':20s} {'truth':>10s} {'coverage':>9s} {'MC se':>6s} {'bias':>10s} {'width':>10s}  verdict")
    for s in studies:
        row = run_study(s, args.reps, jobs=jobs)
        row["verdict"] = verdict(row)
        rows.append(row)
        print(f"{s.name:20s} {s.truth:10.4g} {row['coverage']:9.3f} {row['mc_se']:6.3f} "
              f"{row['bias']:10.4g} {row['mean_width']:10.4g}  {row['verdict']}  ({row['seconds']:.0f} s)",
              flush=True)
    lines = [
        "# Coverage of evalkit's 95 % intervals",
        "",
        f"{args.reps} simulated replicates per estimator from a known truth; target coverage "
        f"{TARGET[0]:.0%}–{TARGET[1]:.0%}. Written by `make validate` "
        "(`benchmarks/coverage_study.py`).",
        "",
        f"* Machine: {machine()}",
        run_line(load0) + f"; {jobs} worker processes; {time.perf_counter() - t_all:.0f} s in all "
        "(*time*: wall seconds of each study)",
        "",
        "| estimator | function | design | truth | reps | coverage | MC se | bias | mean width | verdict | time (s) |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    table = {r["estimator"]: _table_row(r) for r in rows}
    if args.update:
        out = args.out or RESULTS / "coverage.md"
        lines, table = _merge_rows(out, table, run_line(load0) + f"; {jobs} worker processes")
    lines += [table[s.name] for s in STUDIES if s.name in table]
    notes = [f"* **{name}**: {why}" for name, why in KNOWN.items() if name in table]
    if notes:
        lines += ["", "Known reasons:", "", *notes]
    if args.only is None or args.out is not None or args.update:
        write_table(args.out or RESULTS / "coverage.md", lines)
    return 1 if any(r["verdict"] == "EI OK" for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
