"""Result rows and result objects — the ``results.csv`` contract.

Every measure returns a frozen result object whose ``to_frame()`` gives tidy rows with the
columns of :data:`RESULT_COLUMNS` (``model`` and ``measure`` are filled in when the rows are
written). Rates and shares are proportions (0–1); the report formats them as percentages.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, ClassVar

import pandas as pd

__all__ = [
    "RESULT_COLUMNS",
    "Estimate",
    "MeasureResult",
    "UNITS",
    "estimates_frame",
    "measure_of",
    "read_results",
    "write_results",
]

#: Column order of results.csv (UTF-8, dot decimal, one row per indicator × group).
RESULT_COLUMNS: tuple[str, ...] = (
    "model",
    "measure",
    "indicator",
    "group",
    "estimate",
    "ci_low",
    "ci_high",
    "n",
    "unit",
    "method",
    "suppressed",
)

#: Units used in results.csv, with Finnish display labels.
UNITS: dict[str, str] = {
    "proportion": "osuus",
    "probability": "todennäköisyys",  # a share of bootstrap draws (not of people)
    "persons": "henkilöä",
    "count": "lkm",
    "visits": "käyntiä",
    "cases": "tapausta",
    "visits_per_person_month": "käyntiä / henkilökuukausi",
    "rate_ratio": "suhde",
    "ratio": "suhde",
    "difference": "erotus",
    "hazard_ratio": "vaarasuhde",
    "days": "päivää",
    "weeks": "viikkoa",
    "hours_per_week": "tuntia / viikko",
    "points": "pistettä",
    "score": "pistettä",
    "proportion_difference": "prosenttiyksikköä",  # a difference of two shares (value 0.12 = 12 points)  # a whole-number scale score (sum of item scores, e.g. IPS-25 total)
    "effect_size": "efektikoko",
    "eur": "€",
    "eur_per_outcome": "€ / tulos",
    "visits_per_month": "käyntiä / kk",
    "level": "taso",
}


#: Indicator prefixes whose rows belong to another measure than the notebook that wrote them
#: (the employment notebook also scores IPS fidelity).
MEASURE_PREFIXES: dict[str, str] = {"fidelity_": "fidelity"}


def measure_of(indicator: str, default: str) -> str:
    """The results.csv ``measure`` of a row: ``fidelity`` for ``fidelity_*`` indicators, else ``default``."""
    return next((m for p, m in MEASURE_PREFIXES.items() if indicator.startswith(p)), default)


@dataclass(frozen=True, slots=True)
class Estimate:
    """One indicator for one group.

    ``n`` is the number of units the estimate rests on (for a proportion: its denominator);
    ``numerator`` is kept for proportions so the report can show ``25 / 73``.
    ``fixed``: the value is the same in every sample (e.g. a cost charged equally to every
    client), so its interval, if given, is the value itself; the report prints the value and
    says it has no sampling variation instead of an interval like ``5 140 €–5 140 €``. (A
    degenerate interval alone does not mean that: a Kaplan–Meier median of whole days can
    have the interval 7–7.) Not a results.csv column; the method text says it.
    """

    indicator: str
    estimate: float | None
    unit: str
    method: str
    n: int | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    group: str = "all"
    numerator: int | None = None
    suppressed: bool = False
    fixed: bool = False

    def __post_init__(self) -> None:
        if self.fixed and not all(c is None or c == self.estimate for c in (self.ci_low, self.ci_high)):
            raise ValueError(f"{self.indicator}: a fixed value's interval must be the value itself "
                             f"({self.ci_low}–{self.ci_high} around {self.estimate})")
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit '{self.unit}' (allowed: {', '.join(UNITS)})")
        if not self.indicator.replace("_", "").isalnum() or self.indicator != self.indicator.lower():
            raise ValueError(f"indicator must be snake_case: '{self.indicator}'")

    def with_(self, **changes: Any) -> Estimate:
        return replace(self, **changes)


def estimates_frame(rows: Iterable[Estimate], *, model: str = "", measure: str = "") -> pd.DataFrame:
    """Tidy DataFrame in :data:`RESULT_COLUMNS` order (plus ``numerator``)."""
    records = []
    for r in rows:
        d = asdict(r)
        d["model"], d["measure"] = model, measure
        records.append(d)
    cols = [*RESULT_COLUMNS, "numerator"]
    frame = pd.DataFrame.from_records(records, columns=cols)
    for c in ("estimate", "ci_low", "ci_high"):
        frame[c] = frame[c].astype("float64")
    for c in ("n", "numerator"):
        frame[c] = frame[c].astype("Int64")
    frame["suppressed"] = frame["suppressed"].astype(bool)
    return frame


@dataclass(frozen=True)
class MeasureResult:
    """Base of every measure's result object.

    Subclasses set ``measure`` and add their own fields (tables for figures, diagnostics);
    ``estimates`` are the rows that go to results.csv.
    """

    measure: ClassVar[str] = ""
    title_fi: ClassVar[str] = ""
    estimates: tuple[Estimate, ...] = field(default_factory=tuple)

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows: indicator, group, estimate, ci_low, ci_high, n, unit, method, suppressed."""
        return estimates_frame(self.estimates, measure=self.measure).drop(columns=["model"])

    def get(self, indicator: str, group: str = "all") -> Estimate:
        for e in self.estimates:
            if e.indicator == indicator and e.group == group:
                return e
        raise KeyError(f"{indicator} ({group})")

    def _displayed(self) -> list[Estimate]:
        """Estimates as displayed: small cells suppressed when a notebook runs under ``evalkit run``."""
        from .report.suppress import display_min_cell, suppress_estimates

        k = display_min_cell()
        return suppress_estimates(self.estimates, k) if k else list(self.estimates)

    def summary(self, language: str = "fi") -> str:
        """Plain-text summary in the report language (Finnish by default)."""
        from .report.fmt import format_estimate

        lines = [self.title_fi or self.measure]
        for e in self._displayed():
            group = "" if e.group == "all" else f" [{e.group}]"
            lines.append(f"- {e.indicator}{group}: {format_estimate(e, language=language)}")
        return "\n".join(lines)

    def headline(self, keys: Sequence[str | tuple[str, str]], *, min_cell: int, language: str = "fi") -> str:
        """The headline estimates as stable plain text, small cells always suppressed.

        ``keys`` are ``(indicator, group)`` pairs or bare indicators (every group of it, in
        result order); keys the result does not hold are skipped.
        Notebooks print this in their last cell (tagged ``headline``); the tests compare it
        with ``tests/expected/headlines/``, so a change in a demo headline figure (or in how
        it is formatted) fails them.
        """
        from .report.fmt import format_estimate, format_number
        from .report.suppress import suppress_estimates

        shown = suppress_estimates(self.estimates, min_cell)
        picked = [e for key in keys for e in shown
                  if (e.indicator == key if isinstance(key, str) else (e.indicator, e.group) == tuple(key))]
        lines = []
        for e in picked:
            group = "" if e.group == "all" else f" [{e.group}]"
            with_n = e.n is not None and not e.suppressed and not (e.unit == "proportion" and e.numerator is not None)
            n = f", n = {format_number(e.n, language=language)}" if with_n else ""
            lines.append(f"{e.indicator}{group}: {format_estimate(e, language=language)}{n}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from .report.fmt import format_estimate, format_interval, format_number

        rows = []
        for e in self._displayed():
            est = format_estimate(e, with_interval=False)
            ci = format_interval(e) if e.ci_low is not None else ""
            n = format_number(e.n) if e.n is not None else ""
            rows.append(
                "<tr>"
                + "".join(
                    f"<td>{html.escape(str(x))}</td>"
                    for x in (e.indicator, e.group, est, ci, n, e.method)
                )
                + "</tr>"
            )
        head = "".join(
            f"<th>{h}</th>" for h in ("indikaattori", "ryhmä", "estimaatti", "95 % LV", "n", "menetelmä")
        )
        title = html.escape(self.title_fi or self.measure)
        return (
            f"<div><strong>{title}</strong><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )


def _clean(x: Any) -> Any:
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return None
    return x


def write_results(frame: pd.DataFrame, path) -> None:
    """Write results rows as results.csv: contract columns only, UTF-8, dot decimal,
    full precision (``repr`` of floats), ``true``/``false``; deterministic byte for byte."""
    out = frame.loc[:, list(RESULT_COLUMNS)].copy()
    out["suppressed"] = out["suppressed"].map({True: "true", False: "false"})
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.10g")


def read_results(path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype={"n": "Int64"}, keep_default_na=True)
    frame["suppressed"] = frame["suppressed"].astype(str).str.lower().eq("true")
    return frame


def frame_rows(frame: pd.DataFrame) -> Sequence[dict[str, Any]]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]
