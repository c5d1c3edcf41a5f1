"""Date columns handed to a measure.

The loaders (:mod:`evalkit.data`) already return ``datetime64[ns]`` for the contract's date
columns; these helpers cover a table a user builds by hand in a notebook, where a date may
still be text. Text is read as ISO (``2024-01-31``) or Finnish ``d.m.yyyy`` (``31.1.2024``)
and nothing else: no month-first guessing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AnalysisError

__all__ = ["checked_dates", "read_dates"]

_BLANK = ("", "NaT", "None", "nan", "<NA>")
_SHOWN = 5


def read_dates(raw: pd.Series, *, required: bool = False) -> tuple[pd.Series, pd.Series]:
    """``raw`` as dates normalised to midnight, and a mask of the rows that are wrong.

    A datetime column passes through (normalised); text is read as ISO or ``d.m.yyyy``.
    Wrong rows: a value that is present but not such a date, and, if ``required``, an empty
    one (``None``, NaN, NaT or blank text). Wrong rows are ``NaT`` in the dates.
    """
    if pd.api.types.is_datetime64_any_dtype(raw):
        parsed = raw
    else:
        text = raw.astype("string").str.strip()
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
        parsed = parsed.fillna(pd.to_datetime(text, format="%d.%m.%Y", errors="coerce"))
    blank = raw.isna() | raw.astype(str).str.strip().isin(_BLANK)
    bad = parsed.isna() & ~blank
    if required:
        bad = bad | blank
    dates = parsed.dt.normalize()
    if not isinstance(dates.dtype, pd.DatetimeTZDtype):
        dates = dates.astype("datetime64[ns]")
    return dates, bad


def checked_dates(df: pd.DataFrame, column: str, *, table: str, required: bool = False,
                  id_column: str = "client_id", id_label: str = "client") -> pd.Series:
    """``df[column]`` read by :func:`read_dates`; a wrong row is an :class:`AnalysisError`
    naming the table, column, how many rows, and the first five by id, row (header = row 1)
    and value, e.g. ``waits, column 'contact_date': missing or unreadable date — 1 row(s):
    case x2 (row 3): '1/2/2024'``. Without ``id_column`` in ``df`` the id is ``?``.
    A column ``df`` does not have is all ``NaT``, or an error if ``required``."""
    if column not in df.columns:
        if required:
            raise AnalysisError(f"{table}: missing column '{column}'")
        return pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    dates, bad = read_dates(df[column], required=required)
    if bad.any():
        idx = np.flatnonzero(bad.to_numpy())
        ids = df[id_column].astype(str).to_numpy() if id_column in df else np.full(len(df), "?")
        raw = df[column]
        shown = ", ".join(f"{id_label} {ids[i]} (row {i + 2}): {raw.iloc[i]!r}" for i in idx[:_SHOWN])
        more = f" (and {len(idx) - _SHOWN} more)" if len(idx) > _SHOWN else ""
        what = "missing or unreadable date" if required else "unreadable date"
        raise AnalysisError(f"{table}, column '{column}': {what} — {len(idx)} row(s): {shown}{more}")
    return dates
