"""Sandwich covariance matrices for GLM-type estimating equations (private).

Both functions take the inverse "bread" ``A⁻¹ = (X'WX)⁻¹`` (the inverse expected
information of the coefficients) and the per-observation score contributions
``s_i = x_i·w_i·r_i`` (``n × k``; for a log-link Poisson ``s_i = x_i (y_i − μ_i)``), and
return ``A⁻¹ M A⁻¹`` times a small-sample factor. They are written to reproduce
R's ``sandwich`` package: ``vcovCL`` (via ``meatCL``) and ``NeweyWest`` (via ``meatHAC``)
with ``bread.glm`` / ``estfun.glm``, in which the GLM dispersion cancels.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

__all__ = ["CLUSTER_CORRECTIONS", "ClusterCorrection", "cluster_vcov", "hac_vcov",
           "newey_west_default_lags"]

ClusterCorrection = Literal["g", "g_n", "none"]

#: Small-sample factors of the cluster-robust covariance and their R / statsmodels names.
CLUSTER_CORRECTIONS: dict[str, str] = {
    "g": "G/(G−1): sandwich::vcovCL(type = 'HC0', cadjust = TRUE), vcovCL's default for glm",
    "g_n": "G/(G−1)·(n−1)/(n−k): vcovCL(type = 'HC1', cadjust = TRUE), statsmodels cov_type='cluster'",
    "none": "none: vcovCL(type = 'HC0', cadjust = FALSE), geepack::geeglm independence 'san.se'",
}


def cluster_vcov(bread_inv: np.ndarray, scores: np.ndarray, cluster_codes: np.ndarray, *,
                 correction: ClusterCorrection) -> np.ndarray:
    """Cluster-robust covariance ``c · A⁻¹ (Σ_g S_g S_g') A⁻¹``.

    ``cluster_codes`` are integer codes 0 … G−1 (one per row); ``S_g`` is the sum of the
    scores of cluster ``g``. The factor ``c`` is ``G/(G−1)`` (``"g"``),
    ``G/(G−1)·(n−1)/(n−k)`` (``"g_n"``) or 1 (``"none"``).
    """
    if correction not in CLUSTER_CORRECTIONS:
        raise ValueError(f"correction must be one of {', '.join(CLUSTER_CORRECTIONS)}, got {correction!r}")
    n, k = scores.shape
    n_clusters = int(cluster_codes.max()) + 1
    summed = np.column_stack([np.bincount(cluster_codes, weights=scores[:, j], minlength=n_clusters)
                              for j in range(k)])
    meat = summed.T @ summed
    vcov = bread_inv @ meat @ bread_inv
    factor = 1.0
    if correction in ("g", "g_n"):
        factor *= n_clusters / (n_clusters - 1.0)
    if correction == "g_n":
        factor *= (n - 1.0) / (n - k)
    return _symmetric(factor * vcov)


def hac_vcov(bread_inv: np.ndarray, scores: np.ndarray, *, lags: int, adjust: bool) -> np.ndarray:
    """Newey–West covariance with Bartlett weights ``1 − l/(L+1)``, ``l = 0 … L``.

    Rows of ``scores`` must be in time order. No prewhitening. ``adjust`` multiplies by
    ``n/(n−k)`` (``NeweyWest(adjust = TRUE)``).
    """
    n, k = scores.shape
    meat = scores.T @ scores
    for lag in range(1, lags + 1):
        if lag >= n:
            break
        weight = 1.0 - lag / (lags + 1.0)
        gamma = scores[:-lag].T @ scores[lag:]
        meat = meat + weight * (gamma + gamma.T)
    vcov = bread_inv @ meat @ bread_inv
    if adjust:
        vcov = vcov * (n / (n - k))
    return _symmetric(vcov)


def newey_west_default_lags(n: int) -> int:
    """Rule of thumb ``floor(4·(n/100)^(2/9))`` (Newey & West 1994), as in statsmodels."""
    return int(np.floor(4.0 * (n / 100.0) ** (2.0 / 9.0)))


def _symmetric(m: np.ndarray) -> np.ndarray:
    return (m + m.T) / 2.0
