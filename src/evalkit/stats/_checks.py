"""Argument checks shared by the interval, survival and linear-model modules (private).

Option mistakes (a level outside (0, 1), arrays of different lengths, n = 0) raise
``ValueError``; bad values inside the data (missing, negative times, events other than
0/1) raise :class:`evalkit.errors.AnalysisError` naming the position and the value.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import AnalysisError


def check_level(level: float) -> float:
    if isinstance(level, bool) or not isinstance(level, numbers.Real) or not 0.0 < float(level) < 1.0:
        raise ValueError(f"level must be a number strictly between 0 and 1 (e.g. 0.95), got {level!r}")
    return float(level)


def z_value(level: float) -> float:
    return float(stats.norm.ppf(0.5 + check_level(level) / 2.0))


def check_count(value: object, name: str, *, minimum: int = 0) -> int:
    """A whole number ≥ ``minimum`` (ints, integral floats and numpy integers accepted)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    f = float(value)
    if not np.isfinite(f) or f != round(f) or f < minimum:
        raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    return int(round(f))


def check_proportion_counts(x: object, n: object, xname: str = "x", nname: str = "n") -> tuple[int, int]:
    nn = check_count(n, nname, minimum=1)
    xx = check_count(x, xname, minimum=0)
    if xx > nn:
        raise ValueError(f"{xname} must be between 0 and {nname} = {nn}, got {xx}")
    return xx, nn


def _show(values: np.ndarray, bad: np.ndarray) -> str:
    idx = np.flatnonzero(bad)
    shown = ", ".join(f"position {i}: {values[i]!r}" for i in idx[:5])
    more = f" (and {len(idx) - 5} more)" if len(idx) > 5 else ""
    return f"{len(idx)} value(s) — {shown}{more}"


def numeric_array(values: object, name: str, *, min_n: int = 1, nonnegative: bool = False) -> np.ndarray:
    """A 1-d float array of finite values (a Series, list or array)."""
    raw = np.asarray(values.to_numpy() if isinstance(values, pd.Series | pd.Index) else values, dtype=object)
    if raw.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {raw.shape}")
    if len(raw) < min_n:
        raise ValueError(f"{name} needs at least {min_n} value(s), got {len(raw)}")
    out = pd.to_numeric(pd.Series(raw), errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(out)
    if bad.any():
        raise AnalysisError(f"{name}: missing or non-numeric {_show(raw, bad)}; "
                            "remove or fill them first (and report how many)")
    if nonnegative:
        neg = out < 0
        if neg.any():
            raise AnalysisError(f"{name}: negative {_show(raw, neg)}")
    return out


def event_array(values: object, name: str = "event") -> np.ndarray:
    """Event indicators as a 0/1 float array (bools, 0/1 numbers)."""
    raw = np.asarray(values.to_numpy() if isinstance(values, pd.Series | pd.Index) else values, dtype=object)
    out = pd.to_numeric(pd.Series(raw).map(lambda v: int(v) if isinstance(v, bool | np.bool_) else v),
                        errors="coerce").to_numpy(dtype=float)
    bad = ~np.isin(out, (0.0, 1.0))
    if bad.any():
        raise AnalysisError(f"{name}: must be 0 (censored) or 1 (event), got {_show(raw, bad)}")
    return out


def same_length(**arrays: np.ndarray) -> int:
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError("arrays must have the same length: "
                         + ", ".join(f"{k} has {v}" for k, v in lengths.items()))
    return next(iter(lengths.values()))


def two_groups(values: object, name: str, reference: object | None) -> tuple[np.ndarray, object, object]:
    """Code a two-level group as 0 (reference) / 1; returns (codes, reference, other).

    Without ``reference``: ``False``/``0`` for booleans and 0/1, ``"comparison"`` when that
    label is present; otherwise the caller must say.
    """
    s = pd.Series(np.asarray(values.to_numpy() if isinstance(values, pd.Series | pd.Index) else values,
                             dtype=object))
    if s.isna().any():
        raise AnalysisError(f"{name}: missing {_show(s.to_numpy(), s.isna().to_numpy())}")
    levels = list(dict.fromkeys(s.tolist()))
    if len(levels) != 2:
        raise AnalysisError(f"{name} must have exactly two levels, found {len(levels)}: "
                            f"{', '.join(map(repr, sorted(levels, key=str)[:10]))}")
    if reference is None:
        as_set = set(levels)
        if as_set <= {0, 1}:  # includes True/False
            reference = next(v for v in levels if v == 0)
        elif "comparison" in as_set:
            reference = "comparison"
        else:
            raise ValueError(f"{name} has levels {sorted(map(repr, levels))}: pass reference= "
                             "(one of them) to say which is the reference group")
    if reference not in levels:
        raise ValueError(f"reference must be one of {', '.join(map(repr, levels))}, got {reference!r}")
    other = next(v for v in levels if v != reference)
    return (s != reference).to_numpy(dtype=float), reference, other
