"""Confidence intervals for proportions, their differences and ratios, means and paired changes.

Every function returns one :class:`~evalkit.stats._results.StatEstimate` (estimate,
interval, ``n``, method in Finnish):

* :func:`wilson_interval` — a proportion ``x / n`` (Wilson score interval; ``numerator`` set).
* :func:`newcombe_difference` — ``p1 − p2`` of two independent proportions (Newcombe 1998,
  method 10: hybrid score interval from the two Wilson intervals).
* :func:`risk_ratio` — ``p1 / p2`` with the Katz log interval.
* :func:`mean_interval` — a mean with the t interval.
* :func:`paired_mean_change` — mean of ``after − before`` with the paired t interval.
* :func:`cohens_dz` — mean change / SD of the changes, exact interval by inverting the
  noncentral t distribution.
* :func:`standardized_mean_change` — mean change / SD(before) (raw-score standardisation,
  Becker 1988) with its large-sample interval.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
*JASA* 22, 209–212.
Newcombe, R. G. (1998). Interval estimation for the difference between independent
proportions: comparison of eleven methods. *Statistics in Medicine* 17, 873–890.
Katz, D., Baptista, J., Azen, S. P. & Pike, M. C. (1978). Obtaining confidence intervals for
the risk ratio in cohort studies. *Biometrics* 34, 469–474.
Becker, B. J. (1988). Synthesizing standardized mean-change measures. *British Journal of
Mathematical and Statistical Psychology* 41, 257–278.
Morris, S. B. (2000). Distribution of the standardized mean change effect size for
meta-analysis on repeated measures. *BJMSP* 53, 17–29.
Steiger, J. H. & Fouladi, R. T. (1997). Noncentrality interval estimation and the evaluation
of statistical models. In *What if there were no significance tests?*, 221–257.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats

from ..errors import AnalysisError
from ._checks import check_level, check_proportion_counts, numeric_array, same_length, z_value
from ._results import StatEstimate

__all__ = [
    "cohens_dz",
    "mean_interval",
    "newcombe_difference",
    "paired_mean_change",
    "risk_ratio",
    "standardized_mean_change",
    "wilson_interval",
]


def _wilson(x: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval = R ``prop.test(x, n, correct = FALSE)$conf.int``."""
    p = x / n
    denom = 1.0 + z * z / n
    centre = (p + z * z / (2.0 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n)) / denom
    low = 0.0 if x == 0 else max(0.0, centre - half)
    high = 1.0 if x == n else min(1.0, centre + half)
    return low, high


def _pct(level: float) -> str:
    return f"{level * 100:g} %"


def wilson_interval(x: int, n: int, *, level: float = 0.95, indicator: str = "proportion",
                    group: str = "all") -> StatEstimate:
    """Proportion ``x / n`` with the Wilson score interval.

    Parameters
    ----------
    x, n
        Count and denominator, whole numbers with ``0 ≤ x ≤ n`` and ``n ≥ 1``.
    level
        Confidence level.
    indicator, group
        Labels of the returned row.

    Returns
    -------
    StatEstimate
        ``unit="proportion"``, ``numerator=x``, ``n=n``, ``se = sqrt(p(1 − p)/n)``.

    Notes
    -----
    Equals R ``prop.test(x, n, correct = FALSE)$conf.int`` (checked in
    ``tests/reference/intervals.R``); exact 0 / 1 at ``x = 0`` / ``x = n``.
    """
    z = z_value(level)
    x, n = check_proportion_counts(x, n)
    low, high = _wilson(x, n, z)
    p = x / n
    return StatEstimate(indicator=indicator, group=group, estimate=p, se=math.sqrt(p * (1 - p) / n),
                        ci_low=low, ci_high=high, n=n, unit="proportion",
                        method=f"osuus, Wilsonin {_pct(level)} luottamusväli", numerator=x)


def newcombe_difference(x1: int, n1: int, x2: int, n2: int, *, level: float = 0.95,
                        indicator: str = "proportion_difference", group: str = "all") -> StatEstimate:
    """Difference of two independent proportions ``x1/n1 − x2/n2`` (Newcombe hybrid score).

    Notes
    -----
    Newcombe (1998) method 10: with Wilson limits ``(l1, u1)`` and ``(l2, u2)``,
    ``L = d − sqrt((p1 − l1)² + (u2 − p2)²)`` and ``U = d + sqrt((u1 − p1)² + (p2 − l2)²)``.
    Checked against the same formula on R's ``prop.test(correct = FALSE)`` limits
    (``tests/reference/intervals.R``, ten pairs) and against three published method-10
    values of Newcombe's Table II (examples a, b, d; four decimals).
    ``se`` is the Wald standard error ``sqrt(p1q1/n1 + p2q2/n2)`` (for information only);
    ``n = n1 + n2``.
    """
    z = z_value(level)
    x1, n1 = check_proportion_counts(x1, n1, "x1", "n1")
    x2, n2 = check_proportion_counts(x2, n2, "x2", "n2")
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = _wilson(x1, n1, z)
    l2, u2 = _wilson(x2, n2, z)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return StatEstimate(indicator=indicator, group=group, estimate=d, se=se, ci_low=low, ci_high=high,
                        n=n1 + n2, unit="difference",
                        method=f"osuuksien erotus, Newcomben hybridi-score-{_pct(level)} luottamusväli")


def risk_ratio(x1: int, n1: int, x2: int, n2: int, *, level: float = 0.95, indicator: str = "risk_ratio",
               group: str = "all") -> StatEstimate:
    """Ratio of two independent proportions ``(x1/n1) / (x2/n2)`` with the Katz log interval.

    Notes
    -----
    ``se(log RR) = sqrt(1/x1 − 1/n1 + 1/x2 − 1/n2)``; interval ``exp(log RR ± z·se)``
    (Katz et al. 1978). Equals R ``metafor::escalc(measure = "RR", ai = x1, n1i = n1,
    ci = x2, n2i = n2, add = 0)`` (``tests/reference/intervals.R``).

    Raises
    ------
    AnalysisError
        ``x1`` or ``x2`` is 0: the log ratio and its standard error are undefined.
    """
    z = z_value(level)
    x1, n1 = check_proportion_counts(x1, n1, "x1", "n1")
    x2, n2 = check_proportion_counts(x2, n2, "x2", "n2")
    if x1 == 0 or x2 == 0:
        raise AnalysisError(f"risk ratio with x1 = {x1}, x2 = {x2}: a zero count makes the ratio's "
                            "log interval undefined; report the difference (newcombe_difference) instead")
    rr = (x1 / n1) / (x2 / n2)
    se = math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
    return StatEstimate(indicator=indicator, group=group, estimate=rr, se=se,
                        ci_low=math.exp(math.log(rr) - z * se), ci_high=math.exp(math.log(rr) + z * se),
                        n=n1 + n2, unit="ratio", se_scale="log",
                        method=f"riskisuhde, Katzin log-{_pct(level)} luottamusväli")


def mean_interval(values: object, *, level: float = 0.95, indicator: str = "mean", group: str = "all",
                  unit: str = "points") -> StatEstimate:
    """Mean with the t interval (R ``t.test(values)$conf.int``); ``n`` ≥ 2 values."""
    check_level(level)
    y = numeric_array(values, "values", min_n=2)
    n = len(y)
    m = float(np.mean(y))
    se = float(np.std(y, ddof=1) / math.sqrt(n))
    t = float(stats.t.ppf(0.5 + level / 2, n - 1))
    return StatEstimate(indicator=indicator, group=group, estimate=m, se=se, ci_low=m - t * se,
                        ci_high=m + t * se, n=n, unit=unit,
                        method=f"keskiarvo, t-jakaumaan perustuva {_pct(level)} luottamusväli")


def _pairs(before: object, after: object) -> tuple[np.ndarray, np.ndarray]:
    b = numeric_array(before, "before", min_n=2)
    a = numeric_array(after, "after", min_n=2)
    same_length(before=b, after=a)
    return b, a


def paired_mean_change(before: object, after: object, *, level: float = 0.95,
                       indicator: str = "mean_change", group: str = "all",
                       unit: str = "points") -> StatEstimate:
    """Mean of ``after − before`` with the paired t interval.

    Equals R ``t.test(after, before, paired = TRUE)``; ``n`` = pairs (≥ 2).
    """
    check_level(level)
    b, a = _pairs(before, after)
    est = mean_interval(a - b, level=level, indicator=indicator, group=group, unit=unit)
    return StatEstimate(indicator=indicator, group=group, estimate=est.estimate, se=est.se,
                        ci_low=est.ci_low, ci_high=est.ci_high, n=est.n, unit=unit,
                        method=f"keskimääräinen muutos (jälkeen − ennen), parittainen t-testi, "
                               f"{_pct(level)} luottamusväli")


def _nct_ncp(t_obs: float, df: int, prob: float) -> float:
    """The noncentrality ``λ`` with ``P(T_df,λ ≤ t_obs) = prob`` (decreasing in λ)."""
    def f(ncp: float) -> float:
        return float(stats.nct.cdf(t_obs, df, ncp)) - prob

    # The root lies within about z·sqrt(1 + t²/(2 df)) of t_obs; step out one unit at a time
    # (scipy's nct.cdf can return NaN far in the tails, so no wide brackets).
    step = max(1.0, abs(t_obs) / math.sqrt(2.0 * df))
    lo, hi = t_obs - step, t_obs + step
    for _ in range(200):
        if f(lo) >= 0:
            break
        lo -= step
    for _ in range(200):
        if f(hi) <= 0:
            break
        hi += step
    return float(optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-12, maxiter=500))


def cohens_dz(before: object, after: object, *, level: float = 0.95, indicator: str = "cohens_dz",
              group: str = "all") -> StatEstimate:
    """Cohen's d_z: mean of ``after − before`` divided by the SD of the differences.

    Notes
    -----
    ``t = d_z·sqrt(n)`` follows a noncentral t with ``n − 1`` df and noncentrality
    ``δ·sqrt(n)``; the interval inverts it (Steiger & Fouladi 1997): ``λ_low`` solves
    ``P(T ≤ t; λ) = (1 + level)/2`` and ``λ_high`` solves ``… = (1 − level)/2``, each divided
    by ``sqrt(n)``. Checked against the same inversion with R's ``pt(t, df, ncp)`` and
    ``uniroot`` (``tests/reference/intervals.R``). ``se`` is the large-sample
    ``sqrt(1/n + d²/(2n))`` (for information only). No small-sample bias correction.

    Raises
    ------
    AnalysisError
        All differences are equal (SD 0): the effect size is undefined.
    """
    check_level(level)
    b, a = _pairs(before, after)
    diff = a - b
    n = len(diff)
    sd = float(np.std(diff, ddof=1))
    if not sd > 0:
        raise AnalysisError("cohens_dz: every after − before difference is the same, so their standard "
                            "deviation is 0 and d_z is undefined")
    dz = float(np.mean(diff)) / sd
    t_obs = dz * math.sqrt(n)
    low = _nct_ncp(t_obs, n - 1, 0.5 + level / 2) / math.sqrt(n)
    high = _nct_ncp(t_obs, n - 1, 0.5 - level / 2) / math.sqrt(n)
    return StatEstimate(indicator=indicator, group=group, estimate=dz, se=math.sqrt(1 / n + dz * dz / (2 * n)),
                        ci_low=low, ci_high=high, n=n, unit="effect_size",
                        method=f"Cohenin d_z (muutos / muutosten keskihajonta), {_pct(level)} luottamusväli "
                               "epäkeskisestä t-jakaumasta")


def standardized_mean_change(before: object, after: object, *, level: float = 0.95,
                             bias_correction: bool = False, indicator: str = "standardized_mean_change",
                             group: str = "all") -> StatEstimate:
    """Mean change standardised by the baseline SD: ``(mean(after) − mean(before)) / SD(before)``.

    Parameters
    ----------
    bias_correction
        Multiply by Hedges' exact ``c(m) = Γ(m/2) / (sqrt(m/2) Γ((m − 1)/2))``, ``m = n − 1``
        (≈ ``1 − 3/(4m − 1)``; what ``metafor::escalc(measure = "SMCR")`` reports). Off by default: the plain ratio is
        what the report describes as "muutos perustason keskihajonnan yksikköinä".

    Notes
    -----
    Raw-score (baseline-SD) standardisation, Becker (1988). Large-sample variance
    (Becker 1988, eq. 13; Morris 2000; metafor ``escalc(measure = "SMCR")``, ``vtype = "LS"``)::

        var(d) = 2(1 − r)/n + d² / (2n)

    with ``r`` the Pearson correlation of before and after; interval ``d ± z·sqrt(var)``.
    Checked against ``metafor::escalc(measure = "SMCR", m1i = mean(after), m2i =
    mean(before), sd1i = sd(before), ni = n, ri = cor(before, after))``
    (``tests/reference/intervals.R``).

    Raises
    ------
    AnalysisError
        All baseline values are equal (SD 0).
    """
    z = z_value(level)
    b, a = _pairs(before, after)
    n = len(b)
    sd_b = float(np.std(b, ddof=1))
    if not sd_b > 0:
        raise AnalysisError("standardized_mean_change: every baseline value is the same, so the baseline "
                            "standard deviation is 0 and the standardised change is undefined")
    sd_a = float(np.std(a, ddof=1))
    r = float(np.corrcoef(b, a)[0, 1]) if sd_a > 0 else 0.0
    d = (float(np.mean(a)) - float(np.mean(b))) / sd_b
    if bias_correction:
        m = n - 1
        d *= math.exp(math.lgamma(m / 2) - math.log(math.sqrt(m / 2)) - math.lgamma((m - 1) / 2))
    se = math.sqrt(2.0 * (1.0 - r) / n + d * d / (2.0 * n))
    corr = ", Hedgesin korjaus" if bias_correction else ""
    return StatEstimate(indicator=indicator, group=group, estimate=d, se=se, ci_low=d - z * se,
                        ci_high=d + z * se, n=n, unit="effect_size",
                        method=f"standardoitu keskimuutos (muutos / lähtötason keskihajonta{corr}), "
                               f"Beckerin {_pct(level)} luottamusväli")
