"""Time-to-event estimates: Kaplan–Meier curve, its quantiles and values, Cox hazard ratio.

Built for waiting times (time = days from referral to treatment, event = treated,
censored = still waiting at the cut-off) and for times to employment or to a first visit.

* :func:`kaplan_meier` — the curve as a DataFrame, with R ``survfit``'s defaults
  (Greenwood variance, ``conf.type = "log"`` interval).
* :func:`median_survival`, :func:`survival_quantile` — as R ``print.survfit`` /
  ``quantile.survfit`` (including their rule for flat stretches of the curve).
* :func:`survival_at`, :func:`cumulative_incidence_at` — ``S(t)`` and ``1 − S(t)`` with
  their intervals, as R ``summary(fit, times = t)``.
* :func:`cox_hazard_ratio` — hazard ratio of a two-level group (statsmodels ``PHReg``,
  Efron ties, as R ``coxph``'s default).

All are checked against R ``survival`` 3.5 in ``tests/reference/survival.R``.

References
----------
Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from incomplete observations.
*JASA* 53, 457–481.
Therneau, T. M. & Grambsch, P. M. (2000). *Modeling Survival Data: Extending the Cox
Model.* Springer.
Brookmeyer, R. & Crowley, J. (1982). A confidence interval for the median survival time.
*Biometrics* 38, 29–41.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ._checks import event_array, numeric_array, same_length, two_groups, z_value
from ._results import StatEstimate

__all__ = [
    "KM_COLUMNS",
    "cox_hazard_ratio",
    "cumulative_incidence_at",
    "kaplan_meier",
    "median_survival",
    "survival_at",
    "survival_quantile",
]

#: Columns of :func:`kaplan_meier`'s frame.
KM_COLUMNS = ("time", "n_risk", "n_event", "n_censor", "surv", "ci_low", "ci_high")

#: R ``quantile.survfit``'s tolerance for "the curve equals p" (``sqrt(.Machine$double.eps)``).
_QUANTILE_TOL = math.sqrt(np.finfo(float).eps)


def _time_event(time: object, event: object) -> tuple[np.ndarray, np.ndarray]:
    t = numeric_array(time, "time", min_n=1, nonnegative=True)
    e = event_array(event, "event")
    same_length(time=t, event=e)
    return t, e


def kaplan_meier(time: object, event: object, *, level: float = 0.95) -> pd.DataFrame:
    """Kaplan–Meier estimate of the survival curve ``S(t)`` (the share still "surviving" —
    e.g. still waiting — after ``t``).

    Parameters
    ----------
    time
        Follow-up times (non-negative, finite): time to the event, or to censoring.
    event
        1 (or ``True``) = the event happened at ``time``; 0 = censored at ``time``.
    level
        Confidence level of the pointwise interval.

    Returns
    -------
    pandas.DataFrame
        One row per distinct time (events and censorings), sorted: ``time``, ``n_risk``,
        ``n_event``, ``n_censor``, ``surv``, ``ci_low``, ``ci_high``. Where ``surv`` is 0
        the interval is NaN (as in R).

    Notes
    -----
    R ``survfit(Surv(time, event) ~ 1)`` defaults: the standard error of ``log S`` is
    Greenwood's ``sqrt(Σ d/(n(n − d)))``, the interval is ``exp(log S ± z·se)`` with the
    upper end capped at 1 (``conf.type = "log"``). Row order does not matter.
    """
    z = z_value(level)
    t, e = _time_event(time, event)
    frame = pd.DataFrame({"time": t, "event": e})
    grouped = frame.groupby("time", sort=True)["event"]
    times = grouped.size().index.to_numpy(dtype=float)
    n_obs = grouped.size().to_numpy(dtype=np.int64)
    n_event = grouped.sum().to_numpy().astype(np.int64)
    n_censor = n_obs - n_event
    n_risk = len(t) - np.concatenate([[0], np.cumsum(n_obs)[:-1]])
    surv = np.cumprod((n_risk - n_event) / n_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        increments = np.where(n_event > 0, n_event / (n_risk * (n_risk - n_event).astype(float)), 0.0)
        se = np.sqrt(np.cumsum(increments))
        positive = surv > 0
        low = np.where(positive, np.exp(np.log(surv) - z * se), np.nan)
        high = np.where(positive, np.minimum(np.exp(np.log(surv) + z * se), 1.0), np.nan)
    return pd.DataFrame({"time": times, "n_risk": n_risk.astype(np.int64), "n_event": n_event,
                         "n_censor": n_censor.astype(np.int64), "surv": surv, "ci_low": low,
                         "ci_high": high}, columns=list(KM_COLUMNS))


def _findq(times: np.ndarray, curve: np.ndarray, p: float) -> float:
    """R ``survival:::findq``: the time where ``1 − curve`` first reaches ``p``; the midpoint
    of a flat stretch when the curve sits exactly (within tolerance) at ``1 − p``."""
    tol = _QUANTILE_TOL
    x = np.concatenate([[0.0], times])
    y = np.concatenate([[0.0], 1.0 - curve])
    if np.all(np.isnan(y)) or np.nanmax(y) < p:
        return math.nan
    xmax = x[-1]
    # drop repeated values of y (keeping the first), as duplicated() does; NaN repeats too
    keep = ~pd.Series(y).duplicated().to_numpy()
    x, y = x[keep], y[keep]
    finite = ~np.isnan(y)
    idx = np.arange(len(y))[finite]
    yf = y[finite]

    def first_at_least(shift: float) -> float:
        hits = np.flatnonzero(yf + shift >= p)
        return math.nan if len(hits) == 0 else float(idx[hits[0]])

    i1, i2 = first_at_least(tol), first_at_least(-tol)
    x1 = x[int(i1)] if not math.isnan(i1) else math.nan
    x2 = x[int(i2)] if not math.isnan(i2) else math.nan
    quant = (x1 + x2) / 2.0
    if not np.isnan(y[-1]) and abs(p - y[-1]) < tol and not math.isnan(i1):
        quant = (x1 + xmax) / 2.0
    return quant


def _check_q(q: float) -> float:
    if isinstance(q, bool) or not isinstance(q, int | float | np.floating) or not 0.0 < float(q) < 1.0:
        raise ValueError(f"q must be a probability strictly between 0 and 1 (0.5 = median, 0.9 = "
                         f"90th percentile), got {q!r}")
    return float(q)


def survival_quantile(time: object, event: object, q: float, *, level: float = 0.95,
                      indicator: str | None = None, group: str = "all", unit: str = "days") -> StatEstimate:
    """Time by which a share ``q`` of the cases have had the event (R ``quantile(fit, probs = q)``).

    For waiting times, ``q = 0.5`` is the median wait and ``q = 0.9`` the 90th percentile:
    the time when the Kaplan–Meier curve first drops to ``1 − q`` or below. The interval
    ends are the same quantile of the curve's interval ends (Brookmeyer & Crowley 1982, as
    R does); an end the curve never reaches is NaN (R ``NA``). The estimate itself is NaN
    when the curve does not reach ``1 − q`` (too many still censored).

    ``n`` is the number of cases; ``se`` is NaN (not defined for this interval).
    """
    q = _check_q(q)
    curve = kaplan_meier(time, event, level=level)
    times = curve["time"].to_numpy()
    est = _findq(times, curve["surv"].to_numpy(), q)
    low = _findq(times, curve["ci_low"].to_numpy(), q)
    high = _findq(times, curve["ci_high"].to_numpy(), q)
    name = indicator or ("median_time" if q == 0.5 else f"p{q * 100:g}_time".replace(".", "_"))
    what = "mediaani" if q == 0.5 else f"{q * 100:g}. persentiili"
    return StatEstimate(indicator=name, group=group, estimate=est, se=math.nan, ci_low=low, ci_high=high,
                        n=int(curve["n_risk"].iloc[0]), unit=unit,
                        method=f"Kaplan–Meier-{what}; keskeneräiset sensuroitu; "
                               f"{level * 100:g} %:n luottamusväli log-muunnoksella (Brookmeyer–Crowley)")


def _minmin(times: np.ndarray, curve: np.ndarray) -> float:
    """R ``print.survfit``'s median rule (``survival:::survmean``, ``minmin``): the first time
    the curve is ≤ 0.5; if it sits exactly at 0.5 there and drops lower later, the midpoint
    of that time and the first time it is below 0.5."""
    tol = _QUANTILE_TOL
    keep = ~np.isnan(curve) & (curve < 0.5 + tol)
    if not keep.any():
        return math.nan
    x, y = times[keep], curve[keep]
    if abs(y[0] - 0.5) < tol and (y < y[0]).any():
        return float((x[0] + x[np.flatnonzero(y < y[0])[0]]) / 2.0)
    return float(x[0])


def median_survival(time: object, event: object, *, level: float = 0.95, indicator: str = "median_time",
                    group: str = "all", unit: str = "days") -> StatEstimate:
    """Median time to the event with its interval, exactly as R ``print(survfit(...))`` shows it.

    The first time the Kaplan–Meier curve is ≤ 0.5 (the midpoint up to the next lower step
    when it sits exactly at 0.5); the interval ends apply the same rule to the interval's
    lower and upper curves (Brookmeyer & Crowley 1982). NaN (R ``NA``) where a curve never
    reaches 0.5. R's ``quantile(fit, 0.5)`` differs from ``print`` only when the curve ends
    exactly at 0.5 (see :func:`survival_quantile`).

    ``n`` is the number of cases; ``se`` is NaN.
    """
    curve = kaplan_meier(time, event, level=level)
    times = curve["time"].to_numpy()
    est, low, high = (_minmin(times, curve[c].to_numpy()) for c in ("surv", "ci_low", "ci_high"))
    return StatEstimate(indicator=indicator, group=group, estimate=est, se=math.nan, ci_low=low, ci_high=high,
                        n=int(curve["n_risk"].iloc[0]), unit=unit,
                        method=f"Kaplan–Meier-mediaani; keskeneräiset sensuroitu; {level * 100:g} %:n "
                               "luottamusväli log-muunnoksella (Brookmeyer–Crowley)")


def _at(curve: pd.DataFrame, t: float) -> tuple[float, float, float, float]:
    """(surv, Greenwood se of log S, ci_low, ci_high) at ``t``: the last row with ``time ≤ t``."""
    rows = curve.loc[curve["time"] <= t]
    if rows.empty:
        return 1.0, 0.0, 1.0, 1.0
    last = rows.iloc[-1]
    d, n = rows["n_event"].to_numpy(dtype=float), rows["n_risk"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = float(np.sum(np.where(d > 0, d / (n * (n - d)), 0.0)))
    s = float(last["surv"])
    return s, (math.sqrt(var) if s > 0 else math.nan), float(last["ci_low"]), float(last["ci_high"])


def _check_t(t: float, curve: pd.DataFrame) -> float:
    if isinstance(t, bool) or not isinstance(t, int | float | np.integer | np.floating) or not np.isfinite(t) \
            or t < 0:
        raise ValueError(f"t must be a non-negative finite time, got {t!r}")
    last = curve.iloc[-1]
    if t > float(last["time"]) and float(last["surv"]) > 0:
        raise AnalysisError(f"the curve is not estimated at t = {t:g}: follow-up ends at "
                            f"{float(last['time']):g} with {int(last['n_censor'])} case(s) censored; "
                            "choose an earlier t")
    return float(t)


def survival_at(time: object, event: object, t: float, *, level: float = 0.95,
                indicator: str = "survival", group: str = "all") -> StatEstimate:
    """``S(t)``: share without the event after ``t`` (e.g. still waiting), with its interval.

    As R ``summary(survfit(...), times = t)``: the curve's value at the last time ≤ ``t``
    (1 before the first time). ``se`` is that of ``log S`` (``se_scale="log"``); ``n`` is
    the number of cases.

    Raises
    ------
    AnalysisError
        ``t`` lies beyond the last observed time and the curve has not reached 0.
    """
    curve = kaplan_meier(time, event, level=level)
    t = _check_t(t, curve)
    s, se, low, high = _at(curve, t)
    return StatEstimate(indicator=indicator, group=group, estimate=s, se=se, ci_low=low, ci_high=high,
                        n=int(curve["n_risk"].iloc[0]), unit="proportion", se_scale="log",
                        method=f"Kaplan–Meier-estimaatti ajassa {t:g}; {level * 100:g} %:n luottamusväli "
                               "log-muunnoksella (Greenwood)")


def cumulative_incidence_at(time: object, event: object, t: float, *, level: float = 0.95,
                            indicator: str = "cumulative_incidence", group: str = "all") -> StatEstimate:
    """``1 − S(t)``: share with the event by ``t`` (e.g. treated within ``t`` days).

    The interval is ``(1 − upper, 1 − lower)`` of :func:`survival_at`; ``se`` is that of
    ``log S`` (``se_scale="log"`` refers to the survival scale).
    """
    s = survival_at(time, event, t, level=level, indicator=indicator, group=group)
    return StatEstimate(indicator=indicator, group=group, estimate=1.0 - s.estimate, se=s.se,
                        ci_low=1.0 - s.ci_high, ci_high=1.0 - s.ci_low, n=s.n, unit="proportion",
                        se_scale="log",
                        method=f"kumulatiivinen osuus 1 − S(t) Kaplan–Meier-estimaatista ajassa {t:g}; "
                               f"{level * 100:g} %:n luottamusväli log-muunnoksella (Greenwood)")


def cox_hazard_ratio(time: object, event: object, group: object, *, covariates: pd.DataFrame | None = None,
                     reference: object | None = None, level: float = 0.95, indicator: str = "hazard_ratio",
                     label: str = "all") -> StatEstimate:
    """Hazard ratio of the non-reference group against ``reference`` (Cox model, Efron ties).

    Parameters
    ----------
    time, event
        As in :func:`kaplan_meier`.
    group
        Two-level group per case. The reference is ``reference`` if given, else 0 /
        ``False`` for 0/1 or boolean groups, else ``"comparison"``.
    covariates
        Optional adjustment covariates, one row per case in the same order (numeric
        columns enter as they are; text / categorical columns as indicator columns, first
        level dropped).
    label
        The ``group`` field of the returned row.

    Returns
    -------
    StatEstimate
        ``unit="hazard_ratio"``, ``se`` on the log scale, Wald interval
        ``exp(β ± z·se)``; ``n`` cases.

    Notes
    -----
    statsmodels ``PHReg(ties="efron")`` = R ``coxph(Surv(time, event) ~ group [+ covs])``
    (``tests/reference/survival.R``).
    """
    from statsmodels.duration.hazard_regression import PHReg

    z = z_value(level)
    t, e = _time_event(time, event)
    codes, ref, other = two_groups(group, "group", reference)
    same_length(time=t, group=codes)
    columns = [codes]
    names = ["group"]
    if covariates is not None:
        if not isinstance(covariates, pd.DataFrame):
            raise ValueError("covariates must be a pandas DataFrame (one row per case) or None")
        if len(covariates) != len(t):
            raise ValueError(f"covariates has {len(covariates)} rows but time has {len(t)}")
        if covariates.isna().any().any():
            bad = covariates.columns[covariates.isna().any()].tolist()
            raise AnalysisError(f"covariates: missing values in column(s) {', '.join(map(repr, bad))}")
        dummies = pd.get_dummies(covariates.reset_index(drop=True), drop_first=True, dtype=float)
        columns += [dummies[c].to_numpy(dtype=float) for c in dummies.columns]
        names += list(map(str, dummies.columns))
    X = np.column_stack(columns)
    if e.sum() == 0:
        raise AnalysisError("cox_hazard_ratio: no events, so no hazard ratio can be estimated")
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise AnalysisError(f"cox_hazard_ratio: the terms are collinear ({', '.join(names)})")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = PHReg(t, X, status=e, ties="efron").fit(gtol=1e-10, maxiter=200)
    b = float(np.asarray(res.params)[0])
    se = float(np.asarray(res.bse)[0])
    if not (np.isfinite(b) and np.isfinite(se)):
        raise AnalysisError("cox_hazard_ratio: the model did not converge (e.g. no events in one group)")
    adj = f"; vakioitu: {', '.join(names[1:])}" if len(names) > 1 else ""
    return StatEstimate(indicator=indicator, group=label, estimate=math.exp(b), se=se,
                        ci_low=math.exp(b - z * se), ci_high=math.exp(b + z * se), n=len(t),
                        unit="hazard_ratio", se_scale="log",
                        method=f"Coxin suhteellisten vaarojen malli (Efronin sidokset), {other} vs. {ref}"
                               f"{adj}; {level * 100:g} %:n Wald-luottamusväli")
