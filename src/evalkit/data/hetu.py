"""Finnish personal identity codes (henkilötunnus, hetu): recognise them so they are refused.

A hetu is ``DDMMYYCZZZQ``: birth date, century sign, individual number and a check
character. Century signs (Population Information Act, from 2023): ``+`` 1800s;
``-``, ``Y``, ``X``, ``W``, ``V``, ``U`` 1900s; ``A``, ``B``, ``C``, ``D``, ``E``, ``F`` 2000s.
The check character is ``"0123456789ABCDEFHJKLMNPRSTUVWXY"[int(DDMMYYZZZ) % 31]``.

Only codes with a valid date *and* a valid check character count, so ordinary codes that
happen to have the same shape are not false alarms (1 in 31 random strings of that shape
would pass the check character alone; the date check removes most of those too).
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["CENTURY", "CHECK_CHARS", "check_char", "find_hetu", "hetu_candidate_sql", "is_hetu"]

CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY: dict[str, int] = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900,
                           "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000}
_SIGNS = "".join(re.escape(s) for s in CENTURY)
# not preceded or followed by another letter/digit, so longer codes do not match inside
_PATTERN = re.compile(rf"(?<![0-9A-Za-z])(\d{{6}})([{_SIGNS}])(\d{{3}})([0-9A-Za-z])(?![0-9A-Za-z])")


def check_char(ddmmyy: str, individual: str) -> str:
    """The check character of a hetu with birth date ``ddmmyy`` and individual number ``zzz``."""
    return CHECK_CHARS[int(ddmmyy + individual) % 31]


def _valid(ddmmyy: str, sign: str, individual: str, control: str) -> bool:
    if control.upper() != check_char(ddmmyy, individual):
        return False
    if individual in ("000", "001"):
        return False
    try:
        date(CENTURY[sign.upper()] + int(ddmmyy[4:6]), int(ddmmyy[2:4]), int(ddmmyy[0:2]))
    except ValueError:
        return False
    return True


def is_hetu(text: str) -> bool:
    """True when ``text`` (stripped) is exactly one valid henkilötunnus."""
    m = _PATTERN.fullmatch(str(text).strip().upper())
    return bool(m) and _valid(*m.groups())


def find_hetu(text: object) -> tuple[int, int] | None:
    """Span of the first valid henkilötunnus inside ``text`` (e.g. free text), or ``None``."""
    if text is None:
        return None
    s = str(text)
    for m in _PATTERN.finditer(s.upper()):
        if _valid(*m.groups()):
            return m.span()
    return None


def hetu_candidate_sql(column: str) -> str:
    """A DuckDB boolean expression true for every value of ``column`` that *may* contain a valid
    hetu (a necessary condition of :func:`find_hetu`: at least 11 bytes and the hetu shape, any
    letter case). Cheap enough for a filter over millions of rows: the length test runs first, so
    the regular expression only sees long values; :func:`find_hetu` decides on the candidates."""
    c = '"' + column.replace('"', '""') + '"'
    return f"(strlen({c}) >= 11 AND regexp_matches({c}, '[0-9]{{6}}[{_SIGNS}][0-9]{{3}}[0-9A-Z]', 'i'))"
