"""Seeded, vectorised non-parametric bootstrap, and the Wilcoxon signed-rank test.

* :func:`bootstrap_mean` — percentile interval of a mean (e.g. the mean per-client change
  in the monthly visit rate).
* :func:`bootstrap_mean_difference` — percentile interval of the difference of two
  independent means (each sample resampled on its own).
* :func:`bootstrap_cost_effect` — paired (cost, effect) bootstrap within each group: the
  draws of the mean cost and mean effect per group that ΔC, ΔE, ICER, INMB, the CEAC and
  EVPI are computed from.
* :func:`wilcoxon_signed_rank` — paired test with R's ``wilcox.test`` rules made explicit.

Randomness comes only from the ``seed`` argument (an int or a ``numpy.random.Generator``).
Resampling is done in chunks of at most ``max_elements`` indices, so memory stays bounded
(peak about 16 bytes × ``max_elements``: the indices and one gathered column) whatever the
number of draws; the chunk size does not change the draws. The data are put in a canonical order first, so
the same values in another row order give the same draws.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import AnalysisError
from ._results import StatEstimate, StatisticalWarning

__all__ = [
    "DEFAULT_MAX_ELEMENTS",
    "BootstrapResult",
    "CostEffectDraws",
    "WilcoxonResult",
    "bootstrap_cost_effect",
    "bootstrap_mean",
    "bootstrap_mean_difference",
    "percentile_interval",
    "wilcoxon_signed_rank",
]

#: Largest number of resampling indices held in memory at once (1 Mi: 8 MiB of int64 indices,
#: about 16 MiB at peak with the gathered values). Larger chunks are not faster
#: (benchmarks/results/bootstrap.md).
DEFAULT_MAX_ELEMENTS = 1 << 20

Seed = int | np.random.Generator
Alternative = Literal["two-sided", "less", "greater"]


@dataclass(frozen=True, slots=True)
class BootstrapResult:
    """A statistic with its percentile bootstrap interval.

    Attributes
    ----------
    estimate
        The statistic on the original data (mean, or difference of means).
    ci_low, ci_high
        The ``(1 − level)/2`` and ``(1 + level)/2`` quantiles of the draws.
    se
        Standard deviation of the draws (bootstrap standard error).
    n
        Observations (both samples together for a difference).
    reps, level
        Number of draws and the confidence level.
    draws
        The bootstrap draws (read-only array of length ``reps``).
    method
        Method in Finnish.
    """

    estimate: float
    ci_low: float
    ci_high: float
    se: float
    n: int
    reps: int
    level: float
    draws: np.ndarray
    method: str

    def to_stat_estimate(self, indicator: str, *, group: str = "all",
                         unit: str = "difference") -> StatEstimate:
        """The interval as a :class:`StatEstimate` row (``se`` on the identity scale)."""
        return StatEstimate(indicator=indicator, group=group, estimate=self.estimate, se=self.se,
                            ci_low=self.ci_low, ci_high=self.ci_high, n=self.n, unit=unit,
                            method=self.method, se_scale="identity")


@dataclass(frozen=True, slots=True)
class CostEffectDraws:
    """Bootstrap draws of the mean cost and mean effect of each group.

    Attributes
    ----------
    groups
        Group labels, sorted; column ``j`` of the draw arrays belongs to ``groups[j]``.
    n
        Clients per group, aligned with ``groups``.
    mean_cost, mean_effect
        Read-only arrays of shape ``(reps, len(groups))``. Row ``b`` of both comes from the
        same resample of clients, so cost and effect stay paired.
    observed_cost, observed_effect
        Means on the original data, aligned with ``groups``.
    reps
        Number of draws.
    method
        Method in Finnish.
    """

    groups: tuple[str, ...]
    n: tuple[int, ...]
    mean_cost: np.ndarray
    mean_effect: np.ndarray
    observed_cost: tuple[float, ...]
    observed_effect: tuple[float, ...]
    reps: int
    method: str

    def _j(self, group: str) -> int:
        try:
            return self.groups.index(group)
        except ValueError:
            raise KeyError(f"no group {group!r}; groups are {', '.join(self.groups)}") from None

    def cost(self, group: str) -> np.ndarray:
        """Draws of the mean cost of ``group``."""
        return self.mean_cost[:, self._j(group)]

    def effect(self, group: str) -> np.ndarray:
        """Draws of the mean effect of ``group``."""
        return self.mean_effect[:, self._j(group)]

    def incremental(self, intervention: str = "intervention",
                    comparison: str = "comparison") -> tuple[np.ndarray, np.ndarray]:
        """Draws of ΔC and ΔE (intervention − comparison), paired draw by draw."""
        return (self.cost(intervention) - self.cost(comparison),
                self.effect(intervention) - self.effect(comparison))

    def draws_frame(self) -> pd.DataFrame:
        """Long table: ``draw``, ``group``, ``mean_cost``, ``mean_effect``."""
        g = len(self.groups)
        return pd.DataFrame({
            "draw": np.repeat(np.arange(self.reps), g),
            "group": np.tile(np.array(self.groups, dtype=object), self.reps),
            "mean_cost": self.mean_cost.reshape(-1),
            "mean_effect": self.mean_effect.reshape(-1),
        })


@dataclass(frozen=True, slots=True)
class WilcoxonResult:
    """Wilcoxon signed-rank test of paired differences.

    Attributes
    ----------
    statistic
        R's ``V``: the sum of the ranks of the positive differences.
    p_value
        p-value for ``alternative``.
    n
        Pairs used (non-zero differences).
    n_zero
        Pairs dropped because their difference is zero.
    ties
        Whether absolute differences are tied (average ranks were used).
    exact
        Whether the exact null distribution was used (else the normal approximation).
    correct
        Whether the continuity correction was applied (normal approximation only).
    alternative
        ``two-sided``, ``less`` or ``greater`` (location of ``x − y`` against 0).
    method
        Method in Finnish.
    """

    statistic: float
    p_value: float
    n: int
    n_zero: int
    ties: bool
    exact: bool
    correct: bool
    alternative: str
    method: str


# --------------------------------------------------------------------------------------
# bootstrap
# --------------------------------------------------------------------------------------


def percentile_interval(draws: np.ndarray, *, level: float = 0.95) -> tuple[float, float]:
    """The ``(1 − level)/2`` and ``(1 + level)/2`` quantiles of ``draws``.

    Quantiles are numpy's default ``linear`` interpolation (R's ``quantile(type = 7)``).
    ``boot::boot.ci(type = "perc")`` interpolates order statistics on the normal scale
    instead; the two differ by far less than the Monte Carlo error of the draws.
    """
    _check_level(level)
    values = np.asarray(draws, dtype=float)
    if values.size == 0 or not np.all(np.isfinite(values)):
        raise AnalysisError("bootstrap draws are empty or not finite")
    lo, hi = np.quantile(values, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return float(lo), float(hi)


def bootstrap_mean(
    x: Sequence[float] | np.ndarray | pd.Series,
    *,
    seed: Seed,
    reps: int = 2000,
    level: float = 0.95,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
) -> BootstrapResult:
    """Percentile bootstrap interval of the mean of ``x``.

    Parameters
    ----------
    x
        Observations (e.g. each client's change in monthly visit rate); no missing values.
    seed
        An int (a fresh ``numpy.random.default_rng(seed)``) or a Generator (its stream is
        consumed). Same seed and data → identical draws.
    reps
        Number of bootstrap draws.
    level
        Confidence level.
    max_elements
        Largest number of resampling indices generated at once (memory bound).

    Returns
    -------
    BootstrapResult

    Notes
    -----
    Each draw is the mean of ``n`` values sampled with replacement from ``x``. Checked
    against R 4.2 ``boot::boot(x, function(d, i) mean(d[i]), R = 1e5)`` with
    ``boot.ci(type = "perc")`` (``tests/reference/bootstrap.R``): interval ends agree
    within Monte Carlo error (tests/test_stats_bootstrap.py states the tolerance), and
    the draws' mean and standard deviation agree with their exact values x̄ and
    ``sqrt(Σ(x − x̄)²/n²)``.
    """
    values = _values(x, "x")
    rng = _rng(seed)
    _check_common(reps, level, max_elements)
    draws = _resampled_means(rng, np.sort(values)[:, None], reps, max_elements)[:, 0]
    lo, hi = percentile_interval(draws, level=level)
    return BootstrapResult(estimate=float(values.mean()), ci_low=lo, ci_high=hi,
                           se=float(draws.std(ddof=1)), n=len(values), reps=reps, level=level,
                           draws=_frozen(draws),
                           method=f"bootstrap-persentiiliväli ({reps} otosta)")


def bootstrap_mean_difference(
    x: Sequence[float] | np.ndarray | pd.Series,
    y: Sequence[float] | np.ndarray | pd.Series,
    *,
    seed: Seed,
    reps: int = 2000,
    level: float = 0.95,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
) -> BootstrapResult:
    """Percentile bootstrap interval of ``mean(x) − mean(y)`` for independent samples.

    Each sample is resampled on its own (stratified bootstrap): ``x`` first, then ``y``,
    from the same Generator. Other parameters as in :func:`bootstrap_mean`.

    Notes
    -----
    Checked against R 4.2 ``boot::boot(d, statistic, R = 1e5, strata = group)`` with
    ``boot.ci(type = "perc")`` (``tests/reference/bootstrap.R``) within Monte Carlo error.
    """
    xv, yv = _values(x, "x"), _values(y, "y")
    rng = _rng(seed)
    _check_common(reps, level, max_elements)
    dx = _resampled_means(rng, np.sort(xv)[:, None], reps, max_elements)[:, 0]
    dy = _resampled_means(rng, np.sort(yv)[:, None], reps, max_elements)[:, 0]
    draws = dx - dy
    lo, hi = percentile_interval(draws, level=level)
    return BootstrapResult(estimate=float(xv.mean() - yv.mean()), ci_low=lo, ci_high=hi,
                           se=float(draws.std(ddof=1)), n=len(xv) + len(yv), reps=reps, level=level,
                           draws=_frozen(draws),
                           method=f"bootstrap-persentiiliväli, ryhmittäin ({reps} otosta)")


def bootstrap_cost_effect(
    data: pd.DataFrame,
    *,
    seed: Seed,
    cost: str = "cost",
    effect: str = "effect",
    group: str = "group",
    reps: int = 5000,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
) -> CostEffectDraws:
    """Paired bootstrap of (cost, effect) within each group.

    Parameters
    ----------
    data
        One row per client with ``cost``, ``effect`` and ``group`` columns; not modified.
        No missing values.
    seed
        Int or Generator; groups are drawn one after another in sorted label order.
    cost, effect, group
        Column names.
    reps
        Number of draws (issue 8 default: 5 000).
    max_elements
        Memory bound, as in :func:`bootstrap_mean`.

    Returns
    -------
    CostEffectDraws
        Draws of each group's mean cost and mean effect. ΔC, ΔE come from
        :meth:`CostEffectDraws.incremental`; INMB(λ) = λ·ΔE − ΔC draw by draw.

    Notes
    -----
    Within each group, each draw samples ``n_g`` clients with replacement and averages
    *both* their costs and effects, so the joint distribution of (ΔC, ΔE) keeps the
    within-person correlation (Briggs, Wonderling & Mooney 1997). Checked against R 4.2
    ``boot::boot(d, statistic, R = 1e5, strata = group)`` returning both groups' mean cost
    and effect (``tests/reference/bootstrap.R``): percentile intervals of ΔC, ΔE and
    INMB(20 000 €), the correlation of ΔC and ΔE, and the share of draws in the NE
    quadrant agree within Monte Carlo error.

    References
    ----------
    Briggs, A. H., Wonderling, D. E. & Mooney, C. Z. (1997). Pulling cost-effectiveness
    analysis up by its bootstraps: a non-parametric approach to confidence interval
    estimation. *Health Economics* 6(4), 327–340.
    """
    missing = [c for c in (cost, effect, group) if c not in data.columns]
    if missing:
        raise ValueError(f"data has no column(s) {', '.join(map(repr, missing))}; "
                         f"columns are: {', '.join(map(str, data.columns))}")
    rng = _rng(seed)
    _check_common(reps, 0.95, max_elements)
    na = data[group].isna().to_numpy()
    if na.any():
        raise AnalysisError(f"data, column '{group}': {int(na.sum())} missing group label(s)")
    labels = data[group].astype(str).to_numpy(dtype=object)
    c_all = _values(data[cost], cost, allow_short=True)
    e_all = _values(data[effect], effect, allow_short=True)
    groups = tuple(sorted(set(labels)))
    means_c = np.empty((reps, len(groups)))
    means_e = np.empty((reps, len(groups)))
    sizes, obs_c, obs_e = [], [], []
    for j, g in enumerate(groups):
        mask = labels == g
        c, e = c_all[mask], e_all[mask]
        if len(c) < 2:
            raise AnalysisError(f"group '{g}' has {len(c)} client(s); the bootstrap needs at least 2")
        order = np.lexsort((e, c))  # canonical order: by cost, then effect
        pairs = np.column_stack([c[order], e[order]])
        draws = _resampled_means(rng, pairs, reps, max_elements)
        means_c[:, j], means_e[:, j] = draws[:, 0], draws[:, 1]
        sizes.append(int(mask.sum()))
        obs_c.append(float(c.mean()))
        obs_e.append(float(e.mean()))
    return CostEffectDraws(groups=groups, n=tuple(sizes), mean_cost=_frozen(means_c),
                           mean_effect=_frozen(means_e), observed_cost=tuple(obs_c),
                           observed_effect=tuple(obs_e), reps=reps,
                           method=f"parittainen bootstrap (kustannus, vaikutus) ryhmittäin ({reps} otosta)")


def _resampled_means(rng: np.random.Generator, columns: np.ndarray, reps: int,
                     max_elements: int) -> np.ndarray:
    """``reps × m`` array: means of the ``m`` columns over resampled rows (shared indices)."""
    n, m = columns.shape
    rows_per_chunk = max(1, max_elements // n)
    out = np.empty((reps, m))
    cols = [np.ascontiguousarray(columns[:, j]) for j in range(m)]
    for start in range(0, reps, rows_per_chunk):
        b = min(rows_per_chunk, reps - start)
        idx = rng.integers(0, n, size=(b, n))
        for j in range(m):
            out[start:start + b, j] = cols[j][idx].mean(axis=1)
    return out


def _values(x, name: str, *, allow_short: bool = False) -> np.ndarray:
    values = pd.to_numeric(pd.Series(x), errors="coerce").to_numpy(dtype=float) \
        if not isinstance(x, np.ndarray) else np.asarray(x, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    bad = ~np.isfinite(values)
    if bad.any():
        raise AnalysisError(f"{name}: {int(bad.sum())} missing or non-numeric value(s); drop them "
                            "(and count them) before bootstrapping")
    if not allow_short and len(values) < 2:
        raise AnalysisError(f"{name}: {len(values)} observation(s); the bootstrap needs at least 2")
    return values


def _rng(seed: Seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValueError(f"seed must be an int or a numpy Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")


def _check_common(reps: int, level: float, max_elements: int) -> None:
    if not isinstance(reps, int | np.integer) or reps < 2:
        raise ValueError(f"reps must be an integer ≥ 2, got {reps!r}")
    _check_level(level)
    if not isinstance(max_elements, int | np.integer) or max_elements < 1:
        raise ValueError(f"max_elements must be a positive integer, got {max_elements!r}")


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


# --------------------------------------------------------------------------------------
# Wilcoxon signed-rank
# --------------------------------------------------------------------------------------


def wilcoxon_signed_rank(
    x: Sequence[float] | np.ndarray | pd.Series,
    y: Sequence[float] | np.ndarray | pd.Series | None = None,
    *,
    alternative: Alternative = "two-sided",
    exact: bool | None = None,
    correct: bool = True,
) -> WilcoxonResult:
    """Wilcoxon signed-rank test of ``x − y`` (or of ``x``) against 0, as R computes it.

    Parameters
    ----------
    x, y
        Paired values (e.g. post and pre monthly visit rate per client); the test is on
        ``x − y``. With ``y=None``, ``x`` holds the differences.
    alternative
        ``"two-sided"``, ``"less"`` (differences tend to be negative) or ``"greater"``.
    exact
        ``None`` (R's default): exact p-value when fewer than 50 non-zero differences;
        ``True`` / ``False`` force it. As in R, the exact distribution is used only when
        there are no ties and no zero differences; otherwise the normal approximation is
        used (with a :class:`StatisticalWarning` if ``exact=True`` was asked for).
    correct
        Continuity correction of the normal approximation (R's default ``True``).

    Returns
    -------
    WilcoxonResult
        ``statistic`` is R's ``V`` (sum of the ranks of the positive differences).

    Notes
    -----
    Zero differences are dropped before ranking (R; scipy ``zero_method="wilcox"``); tied
    absolute differences get average ranks and the normal approximation's variance is
    reduced by ``Σ(t³ − t)/48``. The p-value is computed by ``scipy.stats.wilcoxon`` with
    ``method`` and ``correction`` set explicitly from these rules. Checked against R 4.2
    ``wilcox.test(after, before, paired = TRUE, exact = NULL | FALSE, correct = TRUE |
    FALSE, alternative = ...)`` on four data sets (exact regime, ties and zeros, small
    with ties, n ≥ 50; ``tests/reference/bootstrap.R``): V equal, p-values to 1e-10.
    """
    if alternative not in ("two-sided", "less", "greater"):
        raise ValueError(f"alternative must be 'two-sided', 'less' or 'greater', got {alternative!r}")
    xv = np.asarray(pd.to_numeric(pd.Series(x), errors="coerce"), dtype=float)
    if y is None:
        d = xv
    else:
        yv = np.asarray(pd.to_numeric(pd.Series(y), errors="coerce"), dtype=float)
        if len(xv) != len(yv):
            raise ValueError(f"x and y must have the same length ({len(xv)} ≠ {len(yv)})")
        d = xv - yv
    bad = ~np.isfinite(d)
    if bad.any():
        raise AnalysisError(f"wilcoxon: {int(bad.sum())} pair(s) with a missing value; drop them "
                            "(and count them) before testing")
    zero = d == 0
    nz = d[~zero]
    n = len(nz)
    if n == 0:
        raise AnalysisError("wilcoxon: every difference is zero; there is nothing to test")
    ranks = stats.rankdata(np.abs(nz))
    statistic = float(ranks[nz > 0].sum())
    ties = bool(len(np.unique(ranks)) < n)
    wanted_exact = (n < 50) if exact is None else bool(exact)
    use_exact = wanted_exact and not ties and not zero.any()
    if exact is True and not use_exact:
        warnings.warn("wilcoxon: the exact p-value cannot be computed with ties or zero differences; "
                      "the normal approximation was used (as R does)", StatisticalWarning, stacklevel=2)
    res = stats.wilcoxon(nz, alternative=alternative, method="exact" if use_exact else "approx",
                         correction=bool(correct), zero_method="wilcox")
    if use_exact:
        method = "Wilcoxonin merkittyjen sijalukujen testi (tarkka)"
    else:
        method = ("Wilcoxonin merkittyjen sijalukujen testi (normaaliapproksimaatio"
                  + (", jatkuvuuskorjaus" if correct else "") + ")")
    return WilcoxonResult(statistic=statistic, p_value=float(res.pvalue), n=n, n_zero=int(zero.sum()),
                          ties=ties, exact=use_exact, correct=bool(correct) and not use_exact,
                          alternative=alternative, method=method)
