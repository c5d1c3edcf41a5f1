"""Cost-effectiveness from paired bootstrap draws: ΔC, ΔE, ICER, INMB, CEAC, EVPI, quadrants.

The draws come from :func:`evalkit.stats.bootstrap.bootstrap_cost_effect` (paired
(cost, effect) resampling within each group); this module only summarises them, with the
formulas of R's BCEA (``bcea``: ``ib``, ``ceac``, ``evi``), dampack (``calculate_icers``:
dominance) and hesim (``cea_pw``):

* ΔC = C₁ − C₀, ΔE = E₁ − E₀ (intervention − comparison), point estimates from the
  original data, intervals the percentile intervals of the draws;
* ICER = ΔC / ΔE (undefined when ΔE = 0); it is never reported alone — the interval of
  ΔE decides whether it means anything;
* INMB(λ) = λ·ΔE − ΔC; CEAC(λ) = share of draws with INMB(λ) > 0 (BCEA: ``mean(ib > 0)``);
* EVPI(λ) = mean over draws of max_j NB_j − max_j of the mean NB_j with NB_j = λ·E_j − C_j
  (BCEA ``evi``); with two options this is ``mean(max(INMB, 0)) − max(mean(INMB), 0)``;
* quadrants of the cost-effectiveness plane: NE (more effective, more costly), SE (more
  effective, cheaper: dominant), SW (less effective, cheaper), NW (less effective, more
  costly: dominated), plus the share of draws exactly on an axis (ΔE = 0 or ΔC = 0, common
  with 0/1 effects and small groups).

All functions are pure and vectorised over draws and over the λ grid.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ._results import EstimatesMixin, StatEstimate
from .bootstrap import CostEffectDraws, percentile_interval

__all__ = [
    "QUADRANTS",
    "CostEffectivenessResult",
    "Dominance",
    "ceac",
    "cost_effectiveness",
    "dominance",
    "evpi",
    "icer",
    "icer_interval",
    "incremental_net_benefit",
    "quadrant_shares",
    "wtp_grid",
]

#: Quadrant keys in reporting order (``axis`` = a draw exactly on ΔE = 0 or ΔC = 0).
QUADRANTS: tuple[str, ...] = ("ne", "se", "sw", "nw", "axis")

#: Point-estimate position on the plane (dampack's status words, for two options):
#: ``dominant`` ΔC ≤ 0 and ΔE ≥ 0 (one strictly); ``dominated`` ΔC ≥ 0 and ΔE ≤ 0 (one
#: strictly); ``more_costly_more_effective`` (NE: the ICER is a price per extra outcome);
#: ``less_costly_less_effective`` (SW: the ICER is a saving per outcome forgone);
#: ``equal`` ΔC = ΔE = 0.
Dominance = Literal["dominant", "dominated", "more_costly_more_effective", "less_costly_less_effective",
                    "equal"]


def _arr(x, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"{name} must be a non-empty one-dimensional array of draws")
    if not np.all(np.isfinite(a)):
        raise AnalysisError(f"{name}: draws are not finite")
    return a


def _pair(delta_cost, delta_effect) -> tuple[np.ndarray, np.ndarray]:
    dc, de = _arr(delta_cost, "delta_cost"), _arr(delta_effect, "delta_effect")
    if dc.shape != de.shape:
        raise ValueError(f"delta_cost and delta_effect must have the same length ({dc.size} ≠ {de.size})")
    return dc, de


def wtp_grid(maximum: float, step: float, *, include: Sequence[float] = ()) -> np.ndarray:
    """λ grid ``0, step, …, maximum`` (inclusive), plus the values in ``include``, sorted."""
    if not (maximum > 0 and step > 0):
        raise ValueError(f"grid maximum and step must be positive, got {maximum!r}, {step!r}")
    k = int(math.floor(maximum / step + 1e-9))
    grid = np.arange(k + 1, dtype=float) * step
    return np.unique(np.concatenate([grid, np.asarray(list(include), dtype=float)]))


def icer(delta_cost: float, delta_effect: float) -> float:
    """ICER = ΔC / ΔE; ``nan`` when ΔE = 0 (BCEA: ``mean(delta_c) / mean(delta_e)``)."""
    dc, de = float(delta_cost), float(delta_effect)
    return dc / de if de != 0 else math.nan


def incremental_net_benefit(delta_cost, delta_effect, wtp) -> np.ndarray:
    """INMB = λ·ΔE − ΔC per draw: shape ``(B,)`` for a scalar λ, ``(B, K)`` for a grid of K."""
    dc, de = _pair(delta_cost, delta_effect)
    lam = np.asarray(wtp, dtype=float)
    if lam.ndim == 0:
        return float(lam) * de - dc
    return de[:, None] * lam[None, :] - dc[:, None]


def ceac(delta_cost, delta_effect, wtp) -> np.ndarray:
    """Acceptability curve: share of draws with INMB(λ) > 0 for each λ (BCEA ``ceac``).

    Returns an array shaped like ``wtp`` (a float for a scalar λ). Ties (INMB exactly 0)
    count as not cost-effective, as in BCEA's ``ib > 0``.
    """
    out = _prob_positive(incremental_net_benefit(delta_cost, delta_effect, wtp))
    return float(out) if np.ndim(wtp) == 0 else out


def _prob_positive(inb: np.ndarray) -> np.ndarray:
    return (inb > 0).mean(axis=0)


def _evpi(inb: np.ndarray) -> np.ndarray:
    out = np.maximum(inb, 0.0).mean(axis=0) - np.maximum(inb.mean(axis=0), 0.0)
    return np.maximum(out, 0.0)  # rounding can give −1e-13


def evpi(delta_cost, delta_effect, wtp) -> np.ndarray:
    """Expected value of perfect information per person, for each λ (BCEA ``evi``).

    With the comparison as reference (NB₀ = 0, NB₁ = INMB):
    EVPI(λ) = mean_b max(INMB_b, 0) − max(mean_b INMB_b, 0) ≥ 0.
    """
    out = _evpi(incremental_net_benefit(delta_cost, delta_effect, wtp))
    return float(out) if np.ndim(wtp) == 0 else out


def quadrant_shares(delta_cost, delta_effect) -> dict[str, float]:
    """Share of draws in each quadrant of the CE plane (keys of :data:`QUADRANTS`)."""
    dc, de = _pair(delta_cost, delta_effect)
    axis = (dc == 0) | (de == 0)
    off = ~axis
    return {
        "ne": float(np.mean(off & (de > 0) & (dc > 0))),
        "se": float(np.mean(off & (de > 0) & (dc < 0))),
        "sw": float(np.mean(off & (de < 0) & (dc < 0))),
        "nw": float(np.mean(off & (de < 0) & (dc > 0))),
        "axis": float(np.mean(axis)),
    }


def dominance(delta_cost: float, delta_effect: float) -> Dominance:
    """Where the point estimate lies (two options; dampack's dominance rule)."""
    dc, de = float(delta_cost), float(delta_effect)
    if dc == 0 and de == 0:
        return "equal"
    if dc <= 0 and de >= 0:
        return "dominant"
    if dc >= 0 and de <= 0:
        return "dominated"
    return "more_costly_more_effective" if de > 0 else "less_costly_less_effective"


def icer_interval(delta_cost, delta_effect, point_cost: float, point_effect: float, *,
                  level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of the ICER by angular ordering of the draws on the CE plane.

    Each draw's angle about the origin is measured from the direction of the point
    estimate (ΔC₀, ΔE₀); the ``(1 ∓ level)/2`` quantiles of these angles give two rays,
    and their slopes are the ICER limits — the λ values where the acceptability curve
    passes (1 − level)/2 and (1 + level)/2 (Fenwick, O'Brien & Briggs 2004). If either ray
    leaves the half-plane of the point estimate (the cloud crosses ΔE = 0 at that level),
    the interval is undefined and ``(nan, nan)`` is returned: report ΔC and ΔE instead.

    Returns ``(low, high)`` with ``low ≤ high``.
    """
    dc, de = _pair(delta_cost, delta_effect)
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    if point_effect == 0:
        return math.nan, math.nan
    sign = 1.0 if point_effect > 0 else -1.0
    # rotate so that the point estimate's half-plane is ΔE > 0; there ICER = tan(angle)
    theta0 = math.atan2(sign * point_cost, sign * point_effect)  # in (−π/2, π/2)
    theta = np.arctan2(sign * dc, sign * de)
    rel = np.mod(theta - theta0 + np.pi, 2 * np.pi) - np.pi  # in [−π, π)
    lo, hi = np.quantile(rel, [(1 - level) / 2, (1 + level) / 2])
    a_lo, a_hi = theta0 + lo, theta0 + hi
    half = np.pi / 2
    if not (-half < a_lo < half and -half < a_hi < half):
        return math.nan, math.nan
    return float(np.tan(a_lo)), float(np.tan(a_hi))


@dataclass(frozen=True, slots=True)
class CostEffectivenessResult(EstimatesMixin):
    """Incremental analysis of an intervention against a comparison, from bootstrap draws.

    Attributes
    ----------
    estimates
        Rows (``prob_cost_effective`` and the quadrant shares are shares of bootstrap draws,
        unit ``probability``, not proportions of people): ``incremental_cost``, ``incremental_effect``, ``icer``, ``inmb``,
        ``prob_cost_effective``, ``evpi_per_person`` and ``quadrant_<ne|se|sw|nw|axis>_share``
        (group ``all``); ``mean_cost`` and ``mean_effect`` per group.
    wtp
        The single λ the ``inmb``/``prob_cost_effective``/``evpi_per_person`` rows use.
    curve
        One row per λ of the grid: ``wtp``, ``inmb``, ``inmb_low``, ``inmb_high``,
        ``prob_cost_effective`` (the CEAC), ``evpi_per_person``.
    quadrants
        Share of draws per quadrant (:data:`QUADRANTS`).
    dominance
        Position of the point estimate (:data:`Dominance`).
    delta_cost, delta_effect
        The paired draws of ΔC and ΔE (read-only; group means, not individual data).
    n_intervention, n_comparison, reps, level
        Clients per group, draws and interval level.
    """

    estimates: tuple[StatEstimate, ...]
    wtp: float
    curve: pd.DataFrame = field(repr=False)
    quadrants: dict[str, float] = field(repr=False)
    dominance: Dominance
    delta_cost: np.ndarray = field(repr=False)
    delta_effect: np.ndarray = field(repr=False)
    n_intervention: int
    n_comparison: int
    reps: int
    level: float
    title_fi = "Kustannusvaikuttavuus: lisäkustannus ja lisävaikutus"

    @property
    def icer_defined(self) -> bool:
        """Whether the ICER's interval exists (the draws stay on one side of ΔE = 0)."""
        e = self.get("icer")
        return not (math.isnan(e.ci_low) or math.isnan(e.ci_high))


def cost_effectiveness(
    draws: CostEffectDraws,
    *,
    wtp: float,
    grid: Sequence[float] | np.ndarray | None = None,
    intervention: str = "intervention",
    comparison: str = "comparison",
    level: float = 0.95,
    effect_unit: str = "difference",
) -> CostEffectivenessResult:
    """ΔC, ΔE, ICER, INMB, probability cost-effective, EVPI, CEAC and quadrant shares.

    Parameters
    ----------
    draws
        Paired bootstrap draws of each group's mean cost and effect
        (:func:`~evalkit.stats.bootstrap.bootstrap_cost_effect`).
    wtp
        Willingness to pay per unit of effect (λ, €) for the single-λ rows.
    grid
        λ values of the CEAC/EVPI curve (default ``wtp_grid(100 000, 1 000)``); ``wtp`` is
        always added.
    intervention, comparison
        Group labels in ``draws``.
    level
        Interval level.
    effect_unit
        Unit of ΔE in results.csv (``difference`` for a difference in proportions).

    Notes
    -----
    Checked against a base-R implementation of BCEA's formulas
    (``tests/reference/costeffect.R``) on a fixed set of committed draws.
    """
    if wtp < 0:
        raise ValueError(f"wtp must be ≥ 0, got {wtp!r}")
    dc, de = draws.incremental(intervention, comparison)
    ji, jc = draws.groups.index(intervention), draws.groups.index(comparison)
    dc0 = draws.observed_cost[ji] - draws.observed_cost[jc]
    de0 = draws.observed_effect[ji] - draws.observed_effect[jc]
    n_total = draws.n[ji] + draws.n[jc]
    lam_grid = wtp_grid(100_000.0, 1_000.0, include=[wtp]) if grid is None else \
        np.unique(np.concatenate([np.asarray(grid, dtype=float), [float(wtp)]]))
    inb = incremental_net_benefit(dc, de, lam_grid)
    q = np.quantile(inb, [(1 - level) / 2, (1 + level) / 2], axis=0)
    curve = pd.DataFrame({
        "wtp": lam_grid,
        "inmb": lam_grid * de0 - dc0,
        "inmb_low": q[0],
        "inmb_high": q[1],
        "prob_cost_effective": _prob_positive(inb),
        "evpi_per_person": _evpi(inb),
    })
    at = curve.loc[curve["wtp"] == float(wtp)].iloc[0]
    method = f"{draws.method}; {int(level * 100)} %:n persentiiliväli"

    def boot_row(indicator: str, point: float, x: np.ndarray, unit: str, group: str = "all",
                 n: int = n_total) -> StatEstimate:
        lo, hi = percentile_interval(x, level=level)
        return StatEstimate(indicator=indicator, group=group, estimate=float(point), se=float(np.std(x, ddof=1)),
                            ci_low=lo, ci_high=hi, n=n, unit=unit, method=method)

    ilo, ihi = icer_interval(dc, de, dc0, de0, level=level)
    rows = [
        boot_row("incremental_cost", dc0, dc, "eur"),
        boot_row("incremental_effect", de0, de, effect_unit),
        StatEstimate(indicator="icer", group="all", estimate=icer(dc0, de0), se=math.nan, ci_low=ilo,
                     ci_high=ihi, n=n_total, unit="eur_per_outcome",
                     method=f"{draws.method}; kulmajärjestetty persentiiliväli (määrittelemätön, jos "
                            "ΔE:n otokset ovat nollan molemmin puolin)"),
        StatEstimate(indicator="inmb", group="all", estimate=float(at["inmb"]),
                     se=float(np.std(wtp * de - dc, ddof=1)), ci_low=float(at["inmb_low"]),
                     ci_high=float(at["inmb_high"]), n=n_total, unit="eur",
                     method=f"{method}; λ = {_eur(wtp)} / tulos"),
        StatEstimate(indicator="prob_cost_effective", group="all", estimate=float(at["prob_cost_effective"]),
                     se=math.nan, ci_low=math.nan, ci_high=math.nan, n=n_total, unit="probability",
                     method=f"osuus bootstrap-otoksista, joissa INMB > 0 ({draws.reps} otosta); λ = {_eur(wtp)}"),
        StatEstimate(indicator="evpi_per_person", group="all", estimate=float(at["evpi_per_person"]),
                     se=math.nan, ci_low=math.nan, ci_high=math.nan, n=n_total, unit="eur",
                     method=f"täydellisen tiedon odotusarvo henkeä kohden ({draws.reps} otosta); λ = {_eur(wtp)}"),
    ]
    shares = quadrant_shares(dc, de)
    for key in QUADRANTS:
        rows.append(StatEstimate(indicator=f"quadrant_{key}_share", group="all", estimate=shares[key],
                                 se=math.nan, ci_low=math.nan, ci_high=math.nan, n=n_total, unit="probability",
                                 method=f"osuus bootstrap-otoksista ({draws.reps} otosta)"))
    for g, j in ((intervention, ji), (comparison, jc)):
        rows.append(boot_row("mean_cost", draws.observed_cost[j], draws.mean_cost[:, j], "eur", g, draws.n[j]))
        rows.append(boot_row("mean_effect", draws.observed_effect[j], draws.mean_effect[:, j], effect_unit, g,
                             draws.n[j]))
    return CostEffectivenessResult(
        estimates=tuple(rows), wtp=float(wtp), curve=curve, quadrants=shares, dominance=dominance(dc0, de0),
        delta_cost=dc, delta_effect=de, n_intervention=draws.n[ji], n_comparison=draws.n[jc],
        reps=draws.reps, level=level,
    )


def _eur(x: float) -> str:
    """Euros as the Finnish method texts write them: ``20 000 €`` (no-break spaces)."""
    from ..report.fmt import format_money

    return format_money(x)
