"""Locale-aware formatting of numbers, percentages, money and dates (babel).

Finnish by default: ``1,55``, ``34 %``, ``12 345 €``, ``20.2.2025``. Rounding happens here,
only when rendering; results keep full precision.
"""

from __future__ import annotations

import math
import re
from datetime import date
from functools import cache

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal, format_percent

from .i18n import label

__all__ = [
    "LOCALES",
    "format_date",
    "format_estimate",
    "format_interval",
    "format_number",
    "format_or_list",
    "format_percent_value",
    "format_timestamp",
    "format_value",
]

LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}

#: decimals shown per unit
_DECIMALS = {
    "visits_per_person_month": 2,
    "visits_per_month": 2,
    "rate_ratio": 2,
    "ratio": 2,
    "hazard_ratio": 2,
    "effect_size": 2,
    "difference": 2,
    "points": 1,
    "score": 0,
    "days": 0,
    "weeks": 1,
    "hours_per_week": 1,
    "persons": 0,
    "count": 0,
    "level": 0,
    "visits": 0,
    "cases": 0,
    "eur": 0,
    "eur_per_outcome": 0,
}

_CI_LABEL = {"fi": "95 % LV", "sv": "95 % KI", "en": "95% CI"}
#: percentage points, the display unit of a difference of two shares (``proportion_difference``)
_PP = {"fi": "%\u2011yks.", "sv": "procentenh.", "en": "pp"}  # U+2011: no line break inside "%-yks."
_SUPPRESSED = {"fi": "suojattu", "sv": "skyddad", "en": "suppressed"}


def _loc(language: str) -> str:
    return LOCALES.get(language, language)


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


@cache
def _minus_sign(language: str) -> str:
    """The locale's minus sign: U+2212 in Finnish and Swedish (CLDR), the hyphen in English."""
    return str(Locale.parse(_loc(language)).number_symbols["latn"]["minusSign"])


def _signed(text: str, language: str) -> str:
    """Babel writes the hyphen for a custom pattern; a Finnish or Swedish text wants its minus
    sign (−6,7, not -6,7)."""
    return _minus_sign(language) + text[1:] if text.startswith("-") else text


def format_number(x: float | int | None, decimals: int = 0, *, language: str = "fi") -> str:
    """``12345.678 → '12 345,68'`` (decimals=2) in Finnish; negative ``−6,7``."""
    if _missing(x):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return _signed(format_decimal(x, format=pattern, locale=_loc(language)), language)


def format_or_list(items: list[str], *, language: str = "fi") -> str:
    """Alternatives joined as the language does: ``['opiskeluun', 'kuntoutukseen', 'työkokeiluun']``
    → ``'opiskeluun, kuntoutukseen tai työkokeiluun'`` (Babel's ``or`` list pattern)."""
    return format_list(list(items), style="or", locale=_loc(language))


def format_percent_value(x: float | None, decimals: int = 0, *, language: str = "fi") -> str:
    """A proportion as a percentage: ``0.3425 → '34 %'``."""
    if _missing(x):
        return "–"
    return _signed(format_percent(x, format=_percent_pattern(language, decimals), locale=_loc(language)), language)


@cache
def _percent_pattern(language: str, decimals: int) -> str:
    """The locale's own percent pattern (``#,##0\xa0%`` in Finnish) with ``decimals`` places."""
    pattern = Locale.parse(_loc(language)).percent_formats[None].pattern
    return pattern.replace("#,##0", "#,##0" + ("." + "0" * decimals if decimals > 0 else ""), 1)


def format_money(x: float | None, *, language: str = "fi", decimals: int = 0) -> str:
    """Euros in the locale's own currency pattern: ``'12\xa0345\xa0€'`` in Finnish."""
    if _missing(x):
        return "–"
    return _signed(format_currency(x, "EUR", format=_currency_pattern(language, decimals), locale=_loc(language),
                                   currency_digits=False), language)


@cache
def _currency_pattern(language: str, decimals: int) -> str:
    pattern = Locale.parse(_loc(language)).currency_formats["standard"].pattern.split(";")[0]
    return pattern.replace("#,##0.00", "#,##0" + ("." + "0" * decimals if decimals > 0 else ""), 1)


def format_date(d: date | None, *, language: str = "fi") -> str:
    if d is None:
        return "–"
    # Finnish and Finland-Swedish 14.9.2022 (sv_FI's CLDR short form is 2022-09-14); English
    # "14 Sept 2022" (the short 14/09/2022 reads like a fraction)
    fmt = {"fi": "d.M.yyyy", "sv": "d.M.yyyy", "en": "medium"}.get(language, "short")
    return _babel_date(d, format=fmt, locale=_loc(language))


def format_timestamp(iso: str | None, *, language: str = "fi") -> str:
    """An ISO timestamp in the locale's medium form: ``'1.12.2026 klo 11.06.52'`` in Finnish."""
    if not iso:
        return "–"
    from datetime import datetime

    from babel.dates import format_datetime

    return format_datetime(datetime.fromisoformat(str(iso)), format="medium", locale=_loc(language))


def format_value(x: float | None, unit: str, *, language: str = "fi") -> str:
    """One value in its unit's display form."""
    if unit in {"proportion", "probability"}:
        return format_percent_value(x, language=language)
    if unit in {"eur", "eur_per_outcome"}:
        return format_money(x, language=language)
    if unit == "proportion_difference":  # 0.116 → '11,6 %-yks.'
        return "–" if _missing(x) else \
            f"{format_number(100 * x, 1, language=language)}\xa0{_PP.get(language, 'pp')}"
    return format_number(x, _DECIMALS.get(unit, 2), language=language)


def format_interval(e, *, language: str = "fi", with_label: bool = True) -> str:
    """``'95 % LV 24–45 %'`` for an Estimate with an interval, else ``''``
    (``with_label=False``: ``'24–45 %'``, for a column headed "95 %:n luottamusväli").

    A ``fixed`` Estimate (the same value in every sample) has no interval to show:
    ``'kiinteä, ei otantavaihtelua'`` instead of ``'5 140 €–5 140 €'``."""
    if getattr(e, "fixed", False):
        return label("report.no_sampling_variation", language)
    if _missing(e.ci_low) or _missing(e.ci_high):
        return ""
    lo = format_value(e.ci_low, e.unit, language=language)
    hi = format_value(e.ci_high, e.unit, language=language)
    if e.unit == "proportion":
        lo = re.sub(r"[\s\xa0\u202f]*%", "", lo)
    elif e.unit == "proportion_difference":
        lo = lo.rsplit("\xa0", 1)[0]
    sep = " – " if (lo.startswith("-") or hi.startswith("-") or "−" in lo + hi) else "–"
    return f"{_CI_LABEL.get(language, '95% CI')} {lo}{sep}{hi}" if with_label else f"{lo}{sep}{hi}"


def format_estimate(e, *, language: str = "fi", with_interval: bool = True) -> str:
    """An Estimate as text: ``'34 % (25 / 73; 95 % LV 24–45 %)'``."""
    if e.suppressed:
        return f"({_SUPPRESSED.get(language, 'suppressed')})"
    text = format_value(e.estimate, e.unit, language=language)
    extras = []
    if e.unit == "proportion" and e.numerator is not None and e.n is not None:
        extras.append(f"{format_number(e.numerator, language=language)} / {format_number(e.n, language=language)}")
    if with_interval:
        ci = format_interval(e, language=language)
        if ci:
            extras.append(ci)
    return f"{text} ({'; '.join(extras)})" if extras else text
