"""Count models for a person-period panel (käyntimäärät): visits before and after.

The panel has one row per client and period (``pre`` / ``post`` relative to the client's
own index date) with the number of visits and the days observed (exposure). Two models:

* :func:`poisson_panel` — the primary model: Poisson GLM, log link, offset
  ``log(exposure)``, covariance cluster-robust by client,
  ``log μ = β0 + β1·post (+ β2·intervention + β3·post×intervention)``. ``exp(β1)`` is the
  comparison group's post/pre rate ratio (the only group's, without a comparison group),
  ``exp(β1 + β3)`` the intervention group's, ``exp(β3)`` the difference-in-differences
  rate ratio. The unadjusted model also gives each group's rate per person-month
  (30.4375 days) in each period, from the same robust covariance.
* :func:`negbin_panel` — the sensitivity analysis: negative binomial (NB2,
  ``Var = μ + αμ²``) with α estimated by maximum likelihood (statsmodels' discrete
  ``NegativeBinomial``; ``GLM(family=NegativeBinomial())`` would fix α).

Both return a frozen :class:`CountModelResult`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

from ..errors import AnalysisError
from ._results import EstimatesMixin, StatEstimate, StatisticalWarning
from ._sandwich import CLUSTER_CORRECTIONS, ClusterCorrection, cluster_vcov

__all__ = [
    "PERSON_MONTH_DAYS",
    "ClusterCorrection",
    "CountModelResult",
    "NegBinCovariance",
    "negbin_panel",
    "poisson_panel",
]

#: Days in a person-month (365.25 / 12): rates are reported per person-month.
PERSON_MONTH_DAYS = 30.4375

NegBinCovariance = Literal["cluster", "model"]

_CORRECTION_FI = {"g": "G/(G−1)-korjaus", "g_n": "G/(G−1)·(n−1)/(n−k)-korjaus",
                  "none": "ei pienotoskorjausta"}
_SHOWN_ROWS = 5
#: Fewer clients than this draws a warning: cluster-robust errors are biased downwards with
#: few clusters (Cameron & Miller 2015, section VI).
MIN_CLIENTS_ADVISED = 30


@dataclass(frozen=True, slots=True)
class CountModelResult(EstimatesMixin):
    """Result of :func:`poisson_panel` or :func:`negbin_panel`.

    Attributes
    ----------
    estimates
        :class:`StatEstimate` rows. Poisson: ``rate_ratio`` per group, ``did_rate_ratio``
        (group ``all``) with a comparison group, and — unadjusted model only —
        ``rate_pre`` / ``rate_post`` per group (visits per person-month). Negative binomial:
        ``nb_rate_ratio`` per group and ``nb_did_rate_ratio``. ``se`` is on the log scale.
    coefficients
        Tidy table of the model coefficients (log scale): ``term``, ``estimate``, ``se``,
        ``z``, ``p_value``, ``ci_low``, ``ci_high``. Terms: ``(Intercept)``, ``post``,
        ``intervention``, ``post:intervention``, then covariates (``age``, ``sex[M]`` …).
    vcov
        Covariance of the coefficients used for every interval (terms × terms).
    family
        ``poisson`` or ``negbin``.
    alpha
        Estimated NB2 overdispersion α (``Var = μ + αμ²``; R's ``1/theta``), ``None`` for
        Poisson.
    covariance
        Which covariance was used, in words (R equivalent included).
    n_obs, n_clients
        Panel rows and distinct clients analysed.
    n_rows_zero_exposure
        Rows left out because their exposure was 0 days (and their count 0): they carry no
        information (μ = 0), but they are counted so the flow adds up.
    adjusted_for
        Covariate columns in the model (empty for the unadjusted model).
    groups
        Group labels analysed, comparison first when there are two.
    """

    title_fi: ClassVar[str] = "Käyntimäärät: lukumäärämalli"

    estimates: tuple[StatEstimate, ...]
    coefficients: pd.DataFrame
    vcov: pd.DataFrame
    family: Literal["poisson", "negbin"]
    alpha: float | None
    covariance: str
    n_obs: int
    n_clients: int
    n_rows_zero_exposure: int
    adjusted_for: tuple[str, ...]
    groups: tuple[str, ...]


# --------------------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------------------


def poisson_panel(
    panel: pd.DataFrame,
    *,
    client: str = "client_id",
    period: str = "period",
    group: str | None = "group",
    count: str = "visits",
    exposure: str = "exposure_days",
    pre: str = "pre",
    post: str = "post",
    intervention: str = "intervention",
    comparison: str = "comparison",
    covariates: Sequence[str] = (),
    correction: ClusterCorrection = "g",
    level: float = 0.95,
) -> CountModelResult:
    """Post/pre and difference-in-differences rate ratios from a Poisson GLM.

    Parameters
    ----------
    panel
        Person-period panel, one row per client × period (several rows per client ×
        period are allowed and simply add up in the likelihood). Not modified.
    client, period, group, count, exposure
        Column names: client id (the cluster), period label, group label, number of
        visits (non-negative integers) and days observed in the period (≥ 0).
        ``group=None`` analyses all rows as one group labelled ``all``.
    pre, post, intervention, comparison
        The labels used in the ``period`` and ``group`` columns. Only the groups present
        are analysed; with both, the DiD rate ratio is estimated.
    covariates
        Columns added to the model for an adjusted analysis. Numeric and boolean columns
        enter linearly; other columns are treatment-coded with the first level (sorted,
        or the category order of a pandas Categorical) as reference. With covariates the
        result has the rate ratios but no ``rate_pre`` / ``rate_post`` rows (a rate at a
        covariate profile is not the group's rate): take those from the unadjusted model.
    correction
        Small-sample factor of the cluster-robust covariance: ``"g"`` (default) multiplies
        by G/(G−1), G = number of clients — R ``sandwich::vcovCL(fit, cluster = ~client)``'s
        default for a glm (``type = "HC0", cadjust = TRUE``) and Stata's
        ``poisson …, vce(cluster)``; ``"g_n"`` also by (n−1)/(n−k) — ``vcovCL(type =
        "HC1")`` and statsmodels' ``cov_type="cluster"`` default; ``"none"`` — no factor,
        as ``geepack::geeglm(corstr = "independence")``.
    level
        Confidence level of the Wald intervals (normal quantile, as R's ``qnorm``).

    Returns
    -------
    CountModelResult
        See the class. Rate ratios and rates carry the number of clients they rest on.

    Raises
    ------
    ValueError
        A named column is missing or an option has an unknown value.
    AnalysisError
        The data cannot be analysed: missing or negative counts, exposure 0 with visits,
        a client in both groups, a group with no visits in a period, a covariate that is
        constant or collinear, a fit that does not converge, or a robust standard error
        of zero (too little variation between clients). The message names the column, the
        row (index label) and the value.

    Warns
    -----
    StatisticalWarning
        With fewer than 30 clients: cluster-robust errors are then too small.

    Notes
    -----
    The model is fitted by IRLS (statsmodels ``GLM``, tolerance 1e-12). The covariance is
    ``c·A⁻¹(Σ_g S_g S_g')A⁻¹`` with ``A = X'diag(μ)X`` and ``S_g`` the sum over client g's
    rows of ``x_i(y_i − μ_i)``; rates are ``exp(l'β)·30.4375`` with intervals
    ``exp(l'β ± z·√(l'Vl))·30.4375``. Row order does not matter: rows are put in a
    canonical order before fitting, so a permuted panel gives identical numbers.

    Checked against R 4.2 (``tests/reference/counts.R``): ``glm(visits ~ post * treat,
    family = poisson, offset = log(exposure_days))`` with ``sandwich::vcovCL(fit, cluster
    = ~client_id, type = "HC0" | "HC1", cadjust = TRUE | FALSE)`` and
    ``geepack::geeglm(..., corstr = "independence")``, with and without covariates and
    without a comparison group: estimates agree to 1e-6 and interval ends to 1 %
    (observed: about 1e-9). The ``"g_n"`` covariance also equals statsmodels'
    ``GLM.fit(cov_type="cluster")``.

    References
    ----------
    Cameron, A. C. & Miller, D. L. (2015). A practitioner's guide to cluster-robust
    inference. *Journal of Human Resources* 50(2), 317–372.
    """
    _check_level(level)
    if correction not in CLUSTER_CORRECTIONS:
        raise ValueError(f"correction must be one of {', '.join(CLUSTER_CORRECTIONS)}, got {correction!r}")
    data = _prepare(panel, client=client, period=period, group=group, count=count, exposure=exposure,
                    pre=pre, post=post, intervention=intervention, comparison=comparison,
                    covariates=covariates)
    beta, mu = _fit_poisson(data.y, data.X, data.offset, names=data.names)
    bread_inv = _inverse_information(data.X, mu, names=data.names)
    scores = data.X * (data.y - mu)[:, None]
    vcov = cluster_vcov(bread_inv, scores, data.cluster_codes, correction=correction)
    _warn_few_clusters(data.n_clients)
    covariance = f"klusterirobusti keskivirhe (asiakas, {_CORRECTION_FI[correction]})"
    method = _method("Poisson-regressio (log-linkki, offset log(altistus))", covariance, data.adjusted_for)
    estimates = _ratio_estimates(data, beta, vcov, level=level, method=method, prefix="")
    if not data.adjusted_for:
        estimates = _rate_estimates(data, beta, vcov, level=level, method=method) + estimates
    return CountModelResult(
        estimates=estimates, coefficients=_coef_table(data.names, beta, vcov, level),
        vcov=pd.DataFrame(vcov, index=list(data.names), columns=list(data.names)),
        family="poisson", alpha=None, covariance=f"{covariance}; {CLUSTER_CORRECTIONS[correction]}",
        n_obs=len(data.y), n_clients=data.n_clients, n_rows_zero_exposure=data.n_zero_exposure,
        adjusted_for=data.adjusted_for, groups=data.groups,
    )


def negbin_panel(
    panel: pd.DataFrame,
    *,
    client: str = "client_id",
    period: str = "period",
    group: str | None = "group",
    count: str = "visits",
    exposure: str = "exposure_days",
    pre: str = "pre",
    post: str = "post",
    intervention: str = "intervention",
    comparison: str = "comparison",
    covariates: Sequence[str] = (),
    cov: NegBinCovariance = "cluster",
    correction: ClusterCorrection = "g",
    level: float = 0.95,
) -> CountModelResult:
    """Negative binomial (NB2) rate ratios with α estimated: the sensitivity analysis.

    Parameters
    ----------
    panel, client, period, group, count, exposure, pre, post, intervention, comparison, covariates
        As in :func:`poisson_panel`.
    cov
        ``"cluster"`` (default): cluster-robust by client with the ``correction`` factor,
        like the primary model — the panel has two rows per client, whose correlation the
        NB variance function does not describe. ``"model"``: the model-based covariance
        ``(X'WX)⁻¹``, ``W = μ/(1+αμ)``, which is what ``summary(MASS::glm.nb(...))``
        reports.
    correction
        As in :func:`poisson_panel` (used with ``cov="cluster"``).
    level
        Confidence level of the Wald intervals.

    Returns
    -------
    CountModelResult
        ``nb_rate_ratio`` per group, ``nb_did_rate_ratio`` with a comparison group, and
        ``alpha``. No rate rows.

    Raises
    ------
    ValueError, AnalysisError
        As in :func:`poisson_panel`; also when the fit does not converge or α is not
        positive (no overdispersion: the Poisson model is then adequate).

    Notes
    -----
    The likelihood is maximised over (β, α) jointly by Newton's method (statsmodels
    ``NegativeBinomial(loglike_method="nb2", offset=log(exposure))``, started from a
    Poisson fit, falling back to BFGS then Newton). Both covariances treat α as known
    and use the expected information of β, ``A = X'WX``, as the bread, with scores
    ``x_i(y_i − μ_i)/(1 + αμ_i)`` — exactly what R's ``vcov()`` and
    ``sandwich::vcovCL()`` do for a ``glm.nb`` fit. (statsmodels' own covariance for this
    model uses the observed Hessian over (β, α), which differs in finite samples.) β and α
    are orthogonal in NB2, so ignoring α's uncertainty costs nothing asymptotically.

    Checked against R 4.2 (``tests/reference/negbin.R``): ``MASS::glm.nb(visits ~ post *
    treat + offset(log(exposure_days)))`` with ``vcov(fit)`` and ``sandwich::vcovCL(fit,
    cluster = ~client_id, type = "HC0", cadjust = TRUE)``, with and without covariates and
    without a comparison group: coefficients and α agree to 1e-6, interval ends to 1 %.

    References
    ----------
    Hilbe, J. M. (2011). *Negative Binomial Regression*, 2nd ed. Cambridge University Press.
    """
    _check_level(level)
    if cov not in ("cluster", "model"):
        raise ValueError(f"cov must be 'cluster' or 'model', got {cov!r}")
    if correction not in CLUSTER_CORRECTIONS:
        raise ValueError(f"correction must be one of {', '.join(CLUSTER_CORRECTIONS)}, got {correction!r}")
    data = _prepare(panel, client=client, period=period, group=group, count=count, exposure=exposure,
                    pre=pre, post=post, intervention=intervention, comparison=comparison,
                    covariates=covariates)
    beta, alpha = _fit_negbin(data.y, data.X, data.offset, names=data.names)
    mu = np.exp(data.X @ beta + data.offset)
    weight = mu / (1.0 + alpha * mu)
    bread_inv = _inverse_information(data.X, weight, names=data.names)
    if cov == "cluster":
        scores = data.X * ((data.y - mu) / (1.0 + alpha * mu))[:, None]
        vcov = cluster_vcov(bread_inv, scores, data.cluster_codes, correction=correction)
        _warn_few_clusters(data.n_clients)
        covariance = f"klusterirobusti keskivirhe (asiakas, {_CORRECTION_FI[correction]})"
        covariance_long = f"{covariance}; {CLUSTER_CORRECTIONS[correction]}"
    else:
        vcov = bread_inv
        covariance = "mallipohjainen keskivirhe"
        covariance_long = f"{covariance}; model-based (X'WX)^-1, as vcov(MASS::glm.nb(...))"
    method = _method("negatiivinen binomiregressio (NB2, α estimoitu, offset log(altistus))",
                     covariance, data.adjusted_for)
    estimates = _ratio_estimates(data, beta, vcov, level=level, method=method, prefix="nb_")
    return CountModelResult(
        estimates=estimates, coefficients=_coef_table(data.names, beta, vcov, level),
        vcov=pd.DataFrame(vcov, index=list(data.names), columns=list(data.names)),
        family="negbin", alpha=float(alpha), covariance=covariance_long, n_obs=len(data.y),
        n_clients=data.n_clients, n_rows_zero_exposure=data.n_zero_exposure,
        adjusted_for=data.adjusted_for, groups=data.groups,
    )


# --------------------------------------------------------------------------------------
# preparation and validation
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Panel:
    y: np.ndarray
    X: np.ndarray
    offset: np.ndarray
    names: tuple[str, ...]
    post: np.ndarray  # bool
    group_values: np.ndarray  # group label per row
    client_values: np.ndarray
    cluster_codes: np.ndarray
    groups: tuple[str, ...]
    n_clients: int
    n_zero_exposure: int
    adjusted_for: tuple[str, ...]


def _fail(frame: pd.DataFrame, column: str, mask: np.ndarray, rule: str) -> None:
    """Raise an AnalysisError naming the first offending rows of ``column``."""
    idx = np.flatnonzero(mask)
    shown = ", ".join(f"row {frame.index[i]!r}: {frame[column].iloc[i]!r}" for i in idx[:_SHOWN_ROWS])
    more = f" (and {len(idx) - _SHOWN_ROWS} more)" if len(idx) > _SHOWN_ROWS else ""
    raise AnalysisError(f"panel, column '{column}': {rule} — {len(idx)} row(s): {shown}{more}")


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")


def _prepare(panel: pd.DataFrame, *, client: str, period: str, group: str | None, count: str,
             exposure: str, pre: str, post: str, intervention: str, comparison: str,
             covariates: Sequence[str]) -> _Panel:
    if not isinstance(panel, pd.DataFrame):
        raise ValueError(f"panel must be a pandas DataFrame, got {type(panel).__name__}")
    if isinstance(covariates, str):
        covariates = (covariates,)
    covariates = tuple(covariates)
    wanted = [client, period, count, exposure, *([group] if group is not None else []), *covariates]
    missing = [c for c in wanted if c not in panel.columns]
    if missing:
        raise ValueError(f"panel has no column(s) {', '.join(map(repr, missing))}; "
                         f"columns are: {', '.join(map(str, panel.columns))}")
    reserved = {client, period, count, exposure, group}
    clash = [c for c in covariates if c in reserved]
    if clash or len(set(covariates)) != len(covariates):
        raise ValueError(f"covariates must be distinct and not the model's own columns: {covariates}")
    if len({pre, post}) != 2 or len({intervention, comparison}) != 2:
        raise ValueError("the two period labels and the two group labels must differ")

    df = panel.loc[:, list(dict.fromkeys(wanted))]
    for col in (client, period, count, exposure, *([group] if group else []), *covariates):
        na = df[col].isna().to_numpy()
        if na.any():
            _fail(df, col, na, "missing value")

    periods = df[period].astype(str).to_numpy()
    bad = ~np.isin(periods, [pre, post])
    if bad.any():
        _fail(df, period, bad, f"period must be '{pre}' or '{post}'")
    if group is None:
        groups_col = np.full(len(df), "all", dtype=object)
    else:
        groups_col = df[group].astype(str).to_numpy(dtype=object)
        bad = ~np.isin(groups_col, [intervention, comparison])
        if bad.any():
            _fail(df, group, bad, f"group must be '{intervention}' or '{comparison}'")

    y = pd.to_numeric(df[count], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(y) | (y < 0) | (y != np.round(y))
    if bad.any():
        _fail(df, count, bad, "count must be a non-negative integer")
    expo = pd.to_numeric(df[exposure], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(expo) | (expo < 0)
    if bad.any():
        _fail(df, exposure, bad, "exposure must be a non-negative number of days")
    bad = (expo == 0) & (y > 0)
    if bad.any():
        _fail(df, exposure, bad, "exposure is 0 days but the row has visits")

    clients = df[client].astype(str).to_numpy(dtype=object)
    if group is not None:
        per_client = pd.Series(groups_col).groupby(clients, sort=False).nunique()
        if (per_client > 1).any():
            two = set(per_client.index[per_client > 1])
            mask = np.isin(clients, np.array(sorted(two), dtype=object))
            _fail(df, client, mask, "a client is in both groups")

    keep = expo > 0
    n_zero = int((~keep).sum())
    work = pd.DataFrame({"_client": clients, "_period": np.where(periods == post, 1, 0),
                         "_group": groups_col, "_y": y, "_expo": expo})
    for c in covariates:
        work[c] = df[c].to_numpy()
    work = work.loc[keep]
    # canonical row order: the same rows in any order give identical numbers
    work = work.sort_values(["_client", "_period", "_group", "_y", "_expo", *covariates],
                            kind="mergesort", ignore_index=True)
    if work.empty:
        raise AnalysisError("panel: no rows with positive exposure")

    present = set(work["_group"])
    groups = tuple(g for g in (comparison, intervention, "all") if g in present)
    post_arr = work["_period"].to_numpy() == 1
    g_arr = work["_group"].to_numpy(dtype=object)
    y_arr = work["_y"].to_numpy(dtype=float)
    for g in groups:
        for p_label, p_mask in ((pre, ~post_arr), (post, post_arr)):
            cell = (g_arr == g) & p_mask
            if not cell.any():
                raise AnalysisError(f"panel: group '{g}' has no rows with positive exposure in "
                                    f"period '{p_label}'; the post/pre comparison needs both periods")
            if y_arr[cell].sum() == 0:
                raise AnalysisError(f"panel: group '{g}' has no visits in period '{p_label}'; "
                                    "the rate ratio cannot be estimated (it would be 0 or infinite)")

    cols = [np.ones(len(work)), post_arr.astype(float)]
    names = ["(Intercept)", "post"]
    if len(groups) == 2:
        is_int = (g_arr == intervention).astype(float)
        cols += [is_int, is_int * post_arr]
        names += ["intervention", "post:intervention"]
    for c in covariates:
        block, block_names = _covariate_columns(work[c], c)
        cols += block
        names += block_names
    X = np.column_stack(cols)
    rank = np.linalg.matrix_rank(X)
    if rank < X.shape[1]:
        raise AnalysisError("panel: the model's columns are collinear (a covariate is constant, "
                            f"or duplicates group or period): {', '.join(names)}")
    codes, uniques = pd.factorize(work["_client"], sort=True)
    return _Panel(y=y_arr, X=X, offset=np.log(work["_expo"].to_numpy(dtype=float)), names=tuple(names),
                  post=post_arr, group_values=g_arr, client_values=work["_client"].to_numpy(dtype=object),
                  cluster_codes=codes.astype(np.intp), groups=groups, n_clients=len(uniques),
                  n_zero_exposure=n_zero, adjusted_for=covariates)


def _covariate_columns(values: pd.Series, name: str) -> tuple[list[np.ndarray], list[str]]:
    if pd.api.types.is_bool_dtype(values):
        return [values.to_numpy(dtype=float)], [name]
    if pd.api.types.is_numeric_dtype(values):
        return [values.to_numpy(dtype=float)], [name]
    if isinstance(values.dtype, pd.CategoricalDtype):
        levels = [lv for lv in values.cat.categories if (values == lv).any()]
    else:
        levels = sorted(values.astype(str).unique())
    text = values.astype(str).to_numpy(dtype=object)
    if len(levels) < 2:
        raise AnalysisError(f"panel, column '{name}': covariate has a single value "
                            f"({levels[0] if levels else '–'}); leave it out")
    out = [(text == str(lv)).astype(float) for lv in levels[1:]]
    return out, [f"{name}[{lv}]" for lv in levels[1:]]


# --------------------------------------------------------------------------------------
# fitting
# --------------------------------------------------------------------------------------


def _fit_poisson(y: np.ndarray, X: np.ndarray, offset: np.ndarray, *,
                 names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = GLM(y, X, family=families.Poisson(), offset=offset).fit(tol=1e-12, maxiter=200)
    beta = np.asarray(res.params, dtype=float)
    if not getattr(res, "converged", True) or not np.all(np.isfinite(beta)):
        raise AnalysisError(f"Poisson model did not converge (terms: {', '.join(names)}); "
                            "check for covariate levels without visits")
    mu = np.exp(X @ beta + offset)
    return beta, mu


def _fit_negbin(y: np.ndarray, X: np.ndarray, offset: np.ndarray, *,
                names: Sequence[str]) -> tuple[np.ndarray, float]:
    model = NegativeBinomial(y, X, loglike_method="nb2", offset=offset)
    params = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for attempt in ("newton", "bfgs"):
            try:
                if attempt == "newton":
                    res = model.fit(method="newton", maxiter=200, tol=1e-10, disp=False)
                else:
                    pre = model.fit(method="bfgs", maxiter=2000, disp=False)
                    res = model.fit(start_params=np.asarray(pre.params), method="newton", maxiter=200,
                                    tol=1e-10, disp=False)
            except (np.linalg.LinAlgError, ValueError, OverflowError, RuntimeError):
                continue
            cand = np.asarray(res.params, dtype=float)
            ok = (res.mle_retvals.get("converged", False) and np.all(np.isfinite(cand))
                  and cand[-1] > 0
                  and np.max(np.abs(model.score(cand))) <= 1e-6 * max(1.0, len(y)))
            if ok:
                params = cand
                break
    if params is None:
        raise AnalysisError("negative binomial model did not converge or found no overdispersion "
                            f"(α ≤ 0; terms: {', '.join(names)}); report the Poisson model alone")
    return params[:-1], float(params[-1])


def _inverse_information(X: np.ndarray, weight: np.ndarray, *, names: Sequence[str]) -> np.ndarray:
    info = X.T @ (X * weight[:, None])
    try:
        inv = np.linalg.inv(info)
    except np.linalg.LinAlgError as exc:
        raise AnalysisError(f"information matrix is singular (terms: {', '.join(names)})") from exc
    return (inv + inv.T) / 2.0


# --------------------------------------------------------------------------------------
# estimates
# --------------------------------------------------------------------------------------


def _warn_few_clusters(n_clients: int) -> None:
    if n_clients < MIN_CLIENTS_ADVISED:
        warnings.warn(f"cluster-robust standard errors from {n_clients} clients tend to be too small "
                      f"(fewer than {MIN_CLIENTS_ADVISED}); read the intervals with caution",
                      StatisticalWarning, stacklevel=3)


def _method(model: str, covariance: str, adjusted_for: Sequence[str]) -> str:
    text = f"{model}; {covariance}"
    if adjusted_for:
        text += f"; vakioitu: {', '.join(adjusted_for)}"
    return text


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2.0))


def _log_linear(indicator: str, group: str, weights: dict[str, float], names: Sequence[str],
                beta: np.ndarray, vcov: np.ndarray, *, n: int, unit: str, method: str, level: float,
                scale: float = 1.0) -> StatEstimate:
    l = np.array([weights.get(nm, 0.0) for nm in names])  # noqa: E741
    est = float(l @ beta)
    var = float(l @ vcov @ l)
    if not np.isfinite(var) or var <= 1e-14 * max(1.0, est * est):
        raise AnalysisError(f"{indicator} ({group}): the standard error is zero or undefined — the "
                            f"data vary too little between clients (n = {n}) for a robust interval")
    se = float(np.sqrt(var))
    z = _z(level)
    return StatEstimate(indicator=indicator, group=group, estimate=scale * np.exp(est), se=se,
                        ci_low=scale * np.exp(est - z * se), ci_high=scale * np.exp(est + z * se),
                        n=n, unit=unit, method=method, se_scale="log")


def _clients(data: _Panel, mask: np.ndarray) -> int:
    return len(pd.unique(data.client_values[mask]))


def _ratio_estimates(data: _Panel, beta: np.ndarray, vcov: np.ndarray, *, level: float, method: str,
                     prefix: str) -> tuple[StatEstimate, ...]:
    out = []
    two = len(data.groups) == 2
    for g in data.groups:
        weights = {"post": 1.0}
        if two and g != data.groups[0]:  # groups[0] is the comparison group (reference)
            weights["post:intervention"] = 1.0
        out.append(_log_linear(f"{prefix}rate_ratio", g, weights, data.names, beta, vcov,
                               n=_clients(data, data.group_values == g), unit="rate_ratio",
                               method=method, level=level))
    if two:
        out.append(_log_linear(f"{prefix}did_rate_ratio", "all", {"post:intervention": 1.0}, data.names,
                               beta, vcov, n=data.n_clients, unit="rate_ratio", method=method,
                               level=level))
    return tuple(out)


def _rate_estimates(data: _Panel, beta: np.ndarray, vcov: np.ndarray, *, level: float,
                    method: str) -> tuple[StatEstimate, ...]:
    out = []
    two = len(data.groups) == 2
    for g in data.groups:
        is_int = two and g != data.groups[0]
        for label, is_post in (("rate_pre", False), ("rate_post", True)):
            weights = {"(Intercept)": 1.0}
            if is_post:
                weights["post"] = 1.0
            if is_int:
                weights["intervention"] = 1.0
                if is_post:
                    weights["post:intervention"] = 1.0
            mask = (data.group_values == g) & (data.post == is_post)
            out.append(_log_linear(label, g, weights, data.names, beta, vcov, n=_clients(data, mask),
                                   unit="visits_per_person_month", method=method, level=level,
                                   scale=PERSON_MONTH_DAYS))
    return tuple(out)


def _coef_table(names: Sequence[str], beta: np.ndarray, vcov: np.ndarray, level: float) -> pd.DataFrame:
    se = np.sqrt(np.clip(np.diag(vcov), 0.0, None))
    z = _z(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        zstat = beta / se
    return pd.DataFrame({
        "term": list(names), "estimate": beta, "se": se, "z": zstat,
        "p_value": 2.0 * stats.norm.sf(np.abs(zstat)),
        "ci_low": beta - z * se, "ci_high": beta + z * se,
    })
