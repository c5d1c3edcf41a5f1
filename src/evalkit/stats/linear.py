"""Linear models for continuous outcomes (symptom scores, functioning, hours).

* :func:`ancova` — group difference in the follow-up score adjusted for the baseline score
  (OLS ``post ~ group + pre``), the standard analysis of a pre/post comparison-group design.
* :func:`mixed_model_change` — change in a repeatedly measured score from the baseline
  occasion to a follow-up occasion, with a random intercept per client (linear mixed model,
  REML), which uses clients whose follow-up is missing too.

Checked against R ``lm`` and ``lme4::lmer`` in ``tests/reference/linear.R``.

References
----------
Vickers, A. J. & Altman, D. G. (2001). Analysing controlled trials with baseline and follow
up measurements. *BMJ* 323, 1123–1124.
Bates, D., Mächler, M., Bolker, B. & Walker, S. (2015). Fitting linear mixed-effects models
using lme4. *Journal of Statistical Software* 67(1).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import AnalysisError
from ._checks import check_level, numeric_array, same_length, two_groups, z_value
from ._results import StatEstimate

__all__ = ["ancova", "mixed_model_change"]


def ancova(post: object, pre: object, group: object, *, reference: object | None = None,
           level: float = 0.95, indicator: str = "adjusted_difference", label: str = "all",
           unit: str = "points") -> StatEstimate:
    """Difference in ``post`` between the groups, adjusted for ``pre`` (ANCOVA).

    Parameters
    ----------
    post, pre
        Follow-up and baseline values, one per client (same order).
    group
        Two-level group; the estimate is (other group) − ``reference``. Default reference:
        0 / ``False`` for 0/1 or boolean groups, else ``"comparison"``.
    label
        The ``group`` field of the returned row.

    Returns
    -------
    StatEstimate
        The group coefficient with its t interval (``n − 3`` df); ``n`` = clients.

    Notes
    -----
    statsmodels ``OLS`` = R ``lm(post ~ group + pre)`` with ``confint(fit)``
    (``tests/reference/linear.R``).
    """
    import statsmodels.api as sm

    check_level(level)
    y = numeric_array(post, "post", min_n=4)
    x = numeric_array(pre, "pre", min_n=4)
    codes, ref, other = two_groups(group, "group", reference)
    n = same_length(post=y, pre=x, group=codes)
    X = np.column_stack([np.ones(n), codes, x])
    if np.linalg.matrix_rank(X) < 3:
        raise AnalysisError("ancova: group and baseline are collinear (e.g. a constant baseline)")
    res = sm.OLS(y, X).fit()
    b, se = float(res.params[1]), float(res.bse[1])
    t = float(stats.t.ppf(0.5 + level / 2, res.df_resid))
    return StatEstimate(indicator=indicator, group=label, estimate=b, se=se, ci_low=b - t * se,
                        ci_high=b + t * se, n=n, unit=unit,
                        method=f"kovarianssianalyysi (ANCOVA): seurantamittaus ~ ryhmä + lähtötaso, "
                               f"{other} vs. {ref}; {level * 100:g} %:n t-luottamusväli")


def mixed_model_change(frame: pd.DataFrame, *, client: str, time: str, score: str,
                       baseline: object | None = None, followup: object | None = None,
                       level: float = 0.95, indicator: str = "mean_change", group: str = "all",
                       unit: str = "points") -> StatEstimate:
    """Mean change of ``score`` from ``baseline`` to ``followup`` in a random-intercept model.

    Parameters
    ----------
    frame
        Long data, one row per client × measurement occasion; not modified.
    client, time, score
        Column names: client id, measurement occasion (numbers or labels), score.
    baseline, followup
        Occasions to compare; default the first and the last in sorted order. Every
        occasion gets its own fixed effect (``score ~ factor(time)``).

    Returns
    -------
    StatEstimate
        The fixed effect of ``followup`` against ``baseline`` with a Wald (normal)
        interval; ``n`` = clients.

    Notes
    -----
    statsmodels ``MixedLM`` fitted by REML = R ``lme4::lmer(score ~ factor(time) +
    (1 | client), REML = TRUE)`` with ``confint(fit, method = "Wald")``
    (``tests/reference/linear.R``).

    Raises
    ------
    ValueError
        A column is missing or an occasion is not in the data.
    AnalysisError
        Missing scores, a duplicated client × occasion, fewer than two occasions, or no
        convergence.
    """
    from statsmodels.regression.mixed_linear_model import MixedLM

    z = z_value(level)
    if not isinstance(frame, pd.DataFrame):
        raise ValueError("frame must be a pandas DataFrame in long format")
    missing = [c for c in (client, time, score) if c not in frame.columns]
    if missing:
        raise ValueError(f"frame has no column(s) {', '.join(map(repr, missing))}; columns are: "
                         f"{', '.join(map(str, frame.columns))}")
    df = frame.loc[:, [client, time, score]].copy()
    for c in (client, time):
        if df[c].isna().any():
            raise AnalysisError(f"column '{c}': {int(df[c].isna().sum())} missing value(s)")
    y = numeric_array(df[score], f"column '{score}'", min_n=3)
    dup = df.duplicated([client, time])
    if dup.any():
        raise AnalysisError(f"columns '{client}', '{time}': {int(dup.sum())} client × occasion "
                            "combination(s) appear more than once")
    levels = sorted(df[time].unique().tolist())
    if len(levels) < 2:
        raise AnalysisError(f"column '{time}': at least two measurement occasions are needed, found {levels}")
    baseline = levels[0] if baseline is None else baseline
    followup = levels[-1] if followup is None else followup
    for name, v in (("baseline", baseline), ("followup", followup)):
        if v not in levels:
            raise ValueError(f"{name} must be one of {', '.join(map(repr, levels))}, got {v!r}")
    if baseline == followup:
        raise ValueError("baseline and followup must be different occasions")
    others = [v for v in levels if v != baseline]
    X = np.column_stack([np.ones(len(df))] + [(df[time] == v).to_numpy(dtype=float) for v in others])
    groups = df[client].astype(str).to_numpy()
    n_clients = len(np.unique(groups))
    if n_clients < 3:
        raise AnalysisError(f"column '{client}': {n_clients} client(s); a mixed model needs more")
    res = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # one optimiser at a time: statsmodels gives up on the whole list when lbfgs hits a
        # singular step (seen with two occasions and a small random-intercept variance)
        for method in ("lbfgs", "bfgs", "powell"):
            try:
                res = MixedLM(y, X, groups=groups).fit(reml=True, method=method)
            except (np.linalg.LinAlgError, ValueError):
                continue
            if getattr(res, "converged", True):
                break
    if res is None:
        raise AnalysisError("mixed_model_change: the mixed model could not be fitted (singular at every optimiser)")
    j = 1 + others.index(followup)
    b = float(res.fe_params[j])
    se = float(np.sqrt(_gls_vcov(X, groups, float(res.scale), float(np.asarray(res.cov_re)[0, 0]))[j, j]))
    if not getattr(res, "converged", True) or not (np.isfinite(b) and np.isfinite(se)):
        raise AnalysisError("mixed_model_change: the mixed model did not converge")
    return StatEstimate(indicator=indicator, group=group, estimate=b, se=se, ci_low=b - z * se,
                        ci_high=b + z * se, n=n_clients, unit=unit,
                        method=f"lineaarinen sekamalli (satunnainen vakio asiakkaittain, REML), muutos "
                               f"{baseline} → {followup}; {level * 100:g} %:n Wald-luottamusväli")



def _gls_vcov(X: np.ndarray, groups: np.ndarray, sigma2: float, tau2: float) -> np.ndarray:
    """``(X' V⁻¹ X)⁻¹`` for a random-intercept model, ``V_i = σ² I + τ² J`` per client — the
    fixed-effect covariance R's ``vcov(lmer_fit)`` reports (statsmodels' ``bse_fe`` comes from
    the joint Hessian, which under REML differs in the fourth digit)."""
    codes, inverse = np.unique(groups, return_inverse=True)
    k = X.shape[1]
    sums = np.zeros((len(codes), k))
    np.add.at(sums, inverse, X)
    sizes = np.bincount(inverse, minlength=len(codes)).astype(float)
    shrink = tau2 / (sigma2 + sizes * tau2)
    info = (X.T @ X - (sums * shrink[:, None]).T @ sums) / sigma2
    return np.linalg.inv(info)
