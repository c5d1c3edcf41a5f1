"""Result rows shared by the count-model, ITS and bootstrap modules (private).

:class:`StatEstimate` is one estimate with its interval, ``n`` and method; a result object
holding a tuple of them gets ``get()``, ``to_frame()``, a Finnish ``summary()`` and
``_repr_html_()`` from :class:`EstimatesMixin`. ``to_estimates()`` turns the rows into
:class:`evalkit.results.Estimate` rows for ``results.csv``.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from ..results import Estimate

__all__ = ["EstimatesMixin", "StatEstimate", "StatisticalWarning"]


class StatisticalWarning(UserWarning):
    """A result could be computed but is fragile; the message says how to make it sound."""


@dataclass(frozen=True, slots=True)
class StatEstimate:
    """One estimate.

    Attributes
    ----------
    indicator
        Stable snake_case id (``rate_ratio``, ``did_rate_ratio``, ``its_level_change`` …).
    group
        ``all``, ``intervention``, ``comparison`` or another group label.
    estimate, ci_low, ci_high
        Point estimate and interval ends on the reporting scale (ratios exponentiated).
    se
        Standard error on the scale named by ``se_scale`` (``log`` for ratios and rates:
        the interval is ``exp(log estimate ± z·se)``; ``identity`` otherwise).
    n
        Number of units the estimate rests on (clients, months, pairs).
    unit
        A key of :data:`evalkit.results.UNITS`.
    method
        Short method description in Finnish.
    se_scale
        ``log`` or ``identity`` (see ``se``).
    numerator
        For a proportion of counts: the count (``n`` is the denominator), so the report
        can show ``25 / 73`` and suppress small cells; ``None`` otherwise.
    """

    indicator: str
    group: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    unit: str
    method: str
    se_scale: Literal["log", "identity"] = "identity"
    numerator: int | None = None

    def to_estimate(self) -> Estimate:
        """The row as :class:`evalkit.results.Estimate` (``results.csv`` contract)."""
        return Estimate(indicator=self.indicator, estimate=_float(self.estimate), unit=self.unit,
                        method=self.method, n=int(self.n), ci_low=_float(self.ci_low),
                        ci_high=_float(self.ci_high), group=self.group,
                        numerator=None if self.numerator is None else int(self.numerator))


def _float(x: float) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


FRAME_COLUMNS = ("indicator", "group", "estimate", "se", "se_scale", "ci_low", "ci_high", "n",
                 "unit", "method")


class EstimatesMixin:
    """``get``, ``to_frame``, ``summary`` and ``_repr_html_`` over ``self.estimates``."""

    __slots__ = ()
    estimates: tuple[StatEstimate, ...]
    title_fi: str = ""

    def get(self, indicator: str, group: str | None = None) -> StatEstimate:
        """The estimate of ``indicator`` for ``group`` (the only one when ``group`` is None)."""
        hits = [e for e in self.estimates
                if e.indicator == indicator and (group is None or e.group == group)]
        if len(hits) == 1:
            return hits[0]
        have = ", ".join(f"{e.indicator} [{e.group}]" for e in self.estimates)
        what = "no" if not hits else "more than one"
        raise KeyError(f"{what} estimate '{indicator}' for group {group!r}; available: {have}")

    def to_frame(self) -> pd.DataFrame:
        """One tidy row per estimate: indicator, group, estimate, se, se_scale, ci_low,
        ci_high, n, unit, method."""
        frame = pd.DataFrame([{c: getattr(e, c) for c in FRAME_COLUMNS} for e in self.estimates],
                             columns=list(FRAME_COLUMNS))
        for c in ("estimate", "se", "ci_low", "ci_high"):
            frame[c] = frame[c].astype("float64")
        frame["n"] = frame["n"].astype("int64")
        return frame

    def to_estimates(self) -> tuple[Estimate, ...]:
        """The rows as :class:`evalkit.results.Estimate` objects."""
        return tuple(e.to_estimate() for e in self.estimates)

    def summary(self, language: str = "fi") -> str:
        """Plain-text summary (Finnish by default): one line per estimate with its interval."""
        from ..report.fmt import format_estimate

        methods = list(dict.fromkeys(e.method for e in self.estimates))
        lines = [self.title_fi]
        if len(methods) == 1:
            lines.append(f"Menetelmä: {methods[0]}")
        for e in self.estimates:
            group = "" if e.group == "all" else f" [{e.group}]"
            text = format_estimate(e.to_estimate(), language=language)
            tail = "" if len(methods) == 1 else f"; {e.method}"
            lines.append(f"- {e.indicator}{group}: {text}; n = {e.n}{tail}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from ..report.fmt import format_estimate, format_interval

        head = "".join(f"<th>{h}</th>" for h in
                       ("indikaattori", "ryhmä", "estimaatti", "95 % LV", "n", "menetelmä"))
        rows = []
        for e in self.estimates:
            est = e.to_estimate()
            cells = (e.indicator, e.group, format_estimate(est, with_interval=False),
                     format_interval(est), e.n, e.method)
            rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
        return (f"<div><strong>{html.escape(self.title_fi)}</strong><table><thead><tr>{head}"
                f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")
