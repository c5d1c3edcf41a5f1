"""Helpers shared by the demo-data generators: deterministic writers, ids, visit simulation.

Every writer produces byte-identical files for identical frames: fixed line endings, no
timestamps (Excel zip entries and document properties are pinned, Parquet is written
without pandas/arrow schema metadata).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CUTOFF", "DATA_START", "DEMO_SEED", "PERSON_MONTH_DAYS", "MUNICIPALITIES", "Output", "Stream",
    "add_days", "child_rng", "headline_row", "stream_rows", "client_ids", "rtm_amplitude", "rtm_profile", "simulate_visits",
    "window_sum", "write_csv", "write_parquet", "write_xlsx",
]

#: Seed of the shipped demo data (``evalkit demo-data`` without ``--seed``).
DEMO_SEED = 20250234
DATA_START = date(2021, 1, 1)
CUTOFF = date(2025, 12, 31)
PERSON_MONTH_DAYS = 30.4375
#: Soite's municipalities (weights roughly by population); "Lestijärvi" exercises cp1252.
MUNICIPALITIES = ("Kokkola", "Kannus", "Kaustinen", "Veteli", "Toholampi", "Perho", "Halsua", "Lestijärvi")
_MUNI_P = np.array([0.62, 0.075, 0.06, 0.045, 0.045, 0.035, 0.02, 0.015])
_MUNI_P = _MUNI_P / _MUNI_P.sum()

_EPOCH = date(1970, 1, 1)


def child_rng(seed: int, name: str) -> np.random.Generator:
    """An independent generator per model (adding a model never changes another's data)."""
    key = [ord(c) for c in name]
    return np.random.default_rng(np.random.SeedSequence([seed, *key]))


def add_days(d: date, days: int | float) -> date:
    return d + timedelta(days=int(days))


def to_ord(d: date) -> int:
    return (d - _EPOCH).days


def from_ord(values: np.ndarray | Sequence[int]) -> list[date]:
    return [_EPOCH + timedelta(days=int(v)) for v in values]


def client_ids(rng: np.random.Generator, prefix: str, n: int) -> list[str]:
    """Pseudonymous ids like ``IPS-4K7Q2`` (letters and digits; never a henkilötunnus shape)."""
    alphabet = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"))
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        code = prefix + "-" + "".join(rng.choice(alphabet, 5))
        if code not in seen:
            seen.add(code)
            out.append(code)
    return out


def municipalities(rng: np.random.Generator, n: int) -> list[str]:
    return list(rng.choice(np.array(MUNICIPALITIES), n, p=_MUNI_P))


def random_dates(rng: np.random.Generator, start: date, end: date, n: int) -> np.ndarray:
    """n uniformly random day ordinals in [start, end]."""
    return rng.integers(to_ord(start), to_ord(end) + 1, n)


# ------------------------------------------------------------------ visits
def rtm_profile(days: np.ndarray, amplitude: float, tau: float) -> np.ndarray:
    """Regression-to-the-mean multiplier: ``1 + A·exp(d/τ)`` before the index day (d < 0), 1 after."""
    days = np.asarray(days, dtype=float)
    return np.where(days < 0, 1.0 + amplitude * np.exp(np.minimum(days, 0) / tau), 1.0)


def window_sum(lo: int, hi: int, amplitude: float, tau: float) -> float:
    """Σ of the RTM profile over days lo..hi (inclusive)."""
    return float(rtm_profile(np.arange(lo, hi + 1), amplitude, tau).sum())


def rtm_amplitude(post_pre_ratio: float, tau: float, pre: tuple[int, int] = (-365, -1)) -> float:
    """Amplitude A such that (flat post window of equal length) / (pre window) = ``post_pre_ratio``."""
    lo, hi = pre
    length = hi - lo + 1
    s = float(np.exp(np.arange(lo, hi + 1) / tau).sum())
    return (length / post_pre_ratio - length) / s


@dataclass(frozen=True)
class Stream:
    """One kind of visit: its coding, monthly base rate per group, RTM and effect."""

    service: str
    professional: str | None
    rate: dict[str, float]  # visits per person-month by group (before the RTM multiplier)
    rtm: bool = True
    effect: float = 1.0  # rate multiplier after the index date, intervention group only
    contact_types: dict[str, float] = field(default_factory=lambda: {"visit": 1.0})


def simulate_visits(
    rng: np.random.Generator,
    clients: pd.DataFrame,
    streams: Sequence[Stream],
    *,
    amplitude: float,
    tau: float,
    span: tuple[int, int] = (-730, 547),
    frailty_shape: float = 2.0,
    data_start: date = DATA_START,
    calibrate_frailty: bool = False,
) -> pd.DataFrame:
    """Daily Poisson visits of every client over ``span`` days around the (pseudo-)index date.

    ``clients`` needs ``client_id``, ``group``, ``anchor`` (index date, or the referral date for
    clients who never started) and ``end`` (last observed day). Each client has a gamma
    frailty (mean 1) shared by all streams, so the expected counts stay analytic.
    ``calibrate_frailty`` rescales the drawn frailties so that their mean is exactly 1 in each
    group (started and not started apart): a model calibrated to a published rate (ips: 1.55
    visits per client-month, 73 clients) then shows that rate up to Poisson noise, instead of
    carrying the ≈ 8 % standard error of 73 gamma draws.
    """
    frailty = rng.gamma(frailty_shape, 1.0 / frailty_shape, len(clients))
    if calibrate_frailty:
        keys = clients["group"].astype(str) + "/" + clients["started"].astype(str)
        frailty = frailty / pd.Series(frailty).groupby(keys.to_numpy()).transform("mean").to_numpy()
    lo_all, hi_all = span
    offsets = np.arange(lo_all, hi_all + 1)
    parts = []
    started = clients["started"].to_numpy(bool)
    anchors = np.array([to_ord(d) for d in clients["anchor"]])
    ends = np.array([to_ord(d) for d in clients["end"]])
    groups = clients["group"].to_numpy()
    start_ord = to_ord(data_start)
    for s in streams:
        base = np.array([s.rate[g] for g in groups]) / PERSON_MONTH_DAYS * frailty
        prof = rtm_profile(offsets, amplitude, tau) if s.rtm else np.ones(len(offsets))
        lam = base[:, None] * prof[None, :]
        if s.effect != 1.0:
            eff = np.where((groups == "intervention") & started, s.effect, 1.0)
            lam = lam * np.where(offsets[None, :] >= 0, eff[:, None], 1.0)
        day = anchors[:, None] + offsets[None, :]
        observed = (day >= start_ord) & (day <= ends[:, None])
        counts = rng.poisson(np.where(observed, lam, 0.0))
        ci, di = np.nonzero(counts)
        reps = counts[ci, di]
        ci, di = np.repeat(ci, reps), np.repeat(di, reps)
        ct_names = list(s.contact_types)
        ct = rng.choice(np.array(ct_names), len(ci), p=np.array([s.contact_types[c] for c in ct_names]))
        parts.append(pd.DataFrame({
            "client_id": clients["client_id"].to_numpy()[ci],
            "date": (anchors[ci] + offsets[di]),
            "service": s.service,
            "professional": s.professional if s.professional is not None else "",
            "contact_type": ct,
        }))
    out = pd.concat(parts, ignore_index=True)
    out = out.sort_values(["client_id", "date", "service", "professional", "contact_type"], kind="mergesort")
    out["date"] = from_ord(out["date"].to_numpy())
    out["professional"] = out["professional"].replace("", None)
    return out.reset_index(drop=True)


def expected_visits(stream: Stream, group: str, window: tuple[int, int], *, amplitude: float, tau: float,
                    treated: bool) -> float:
    """Expected visits of one stream for a fully observed client over a window (days, inclusive)."""
    lo, hi = window
    days = np.arange(lo, hi + 1)
    prof = rtm_profile(days, amplitude, tau) if stream.rtm else np.ones(len(days))
    eff = np.where((days >= 0) & treated, stream.effect, 1.0)
    return float((stream.rate[group] / PERSON_MONTH_DAYS * prof * eff).sum())


def headline_row(model: str, measure: str, indicator: str, group: str, value: float, unit: str,
                 estimand: str, *, sample_value: float | None = None) -> dict:
    """One ``headline:`` row of the truth file.

    ``model``, ``measure``, ``indicator`` and ``group`` are the stable ids of the matching
    row of the pipeline's ``results.csv``. ``value`` is the true value of the estimand (a
    population value of the generating model, or fixed by design); ``sample_value``, where
    given, is the same statistic computed by the generator's own rules on the realised demo
    sample — what the estimate must reproduce, and what tells sampling error from a faulty
    estimator when the interval misses ``value``.
    """
    row = {"model": model, "measure": measure, "indicator": indicator, "group": group,
           "value": _round(value), "unit": unit, "estimand": estimand}
    if sample_value is not None:
        row["sample_value"] = _round(sample_value)
    return row


def _round(value: float) -> float:
    """4 decimals, but at least 6 significant digits (a slope of 0.00588 keeps its digits)."""
    v = float(value)
    if v == 0 or not np.isfinite(v):
        return v
    return round(v, max(4, 5 - int(np.floor(np.log10(abs(v))))))


def stream_rows(streams: Sequence[Stream]) -> list[dict]:
    return [{"service": s.service, "professional": s.professional, "rate_per_month": s.rate, "rtm": s.rtm,
             "effect": s.effect, "contact_types": s.contact_types} for s in streams]


def mean_unit_cost(stream: Stream, cost_year: int) -> float:
    """Expected unit cost of one visit of a stream (over its contact types), in ``cost_year`` euros."""
    from . import reference

    return sum(p * reference.to_cost_year(*reference.unit_cost(stream.service, stream.professional, ct), cost_year)
               for ct, p in stream.contact_types.items())


# ------------------------------------------------------------------ writers
@dataclass
class Output:
    """Collects written files."""

    root: Path
    written: list[Path] = field(default_factory=list)

    def path(self, rel: str) -> Path:
        p = self.root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        self.written.append(p)
        return p


def _fmt_date_fi(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
        return ""
    return f"{v.day}.{v.month}.{v.year}"


def _fmt_num_fi(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float | np.floating):
        return repr(round(float(v), 6)).replace(".", ",").removesuffix(",0")
    return str(v)


def write_csv(frame: pd.DataFrame, path: Path, *, dialect: str = "international",
              encoding: str | None = None) -> Path:
    """CSV in the international dialect (``,``, ``.``, ISO dates, UTF-8) or the Finnish Excel
    export dialect (``;``, decimal comma, ``d.m.yyyy``, cp1252 by default, CRLF)."""
    frame = frame.copy()
    if dialect == "finnish":
        for col in frame.columns:
            vals = frame[col].tolist()
            if any(isinstance(v, date) for v in vals):
                frame[col] = [_fmt_date_fi(v) for v in vals]
            else:
                frame[col] = [_fmt_num_fi(v) for v in vals]
        text = frame.to_csv(sep=";", index=False, lineterminator="\r\n")
        path.write_bytes(text.encode(encoding or "cp1252"))
    else:
        for col in frame.columns:
            vals = frame[col].tolist()
            if any(isinstance(v, date) for v in vals):
                frame[col] = [v.isoformat() if isinstance(v, date) else "" for v in vals]
        text = frame.to_csv(sep=",", index=False, lineterminator="\n")
        path.write_bytes(text.encode(encoding or "utf-8"))
    return path


_FIXED_ZIP_TIME = (2025, 1, 1, 0, 0, 0)


def write_xlsx(frame: pd.DataFrame, path: Path, *, sheet: str = "Sheet1") -> Path:
    """Excel workbook with pinned timestamps (zip entry times and document properties)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        frame.to_excel(xw, index=False, sheet_name=sheet)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms)",
                              rb"\g<1>2025-01-01T00:00:00Z\g<3>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, data)
    path.write_bytes(out.getvalue())
    return path


def write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    """Parquet without schema metadata (no pandas/arrow version strings); dates as date32."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd", write_statistics=True, store_schema=False)
    return path
