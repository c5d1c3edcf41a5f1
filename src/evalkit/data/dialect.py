"""CSV dialect detection: encoding, separator, decimal mark and date format.

International files use ``,`` / ``.`` / ISO dates; Finnish Excel exports use ``;`` / ``,`` /
``d.m.yyyy`` and are often cp1252 (or UTF-8 with a BOM). Every choice is *detected* from
the file; when the evidence is ambiguous the loader stops and names the params key that
settles it (``encoding``, ``separator``, ``decimal``, ``date_format``) instead of guessing.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError, DataProblem

__all__ = [
    "DATE_FORMATS",
    "Dialect",
    "detect_date_format",
    "detect_decimal",
    "detect_encoding",
    "detect_separator",
    "normalise_date_format",
]

SEPARATORS = (",", ";", "\t", "|")

#: date formats recognised automatically: name -> (regex of one value, strptime format)
DATE_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "iso": (re.compile(r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$"), "%Y-%m-%d"),
    "fi": (re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}( \d{1,2}[:.]\d{2}([:.]\d{2})?)?$"), "%d.%m.%Y"),
    "dmy_slash": (re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$"), "%d/%m/%Y"),
    "mdy_slash": (re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$"), "%m/%d/%Y"),
}
_TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2}$")
_EXAMPLE = {"%Y-%m-%d": "2024-12-31", "%d.%m.%Y": "31.12.2024", "%d/%m/%Y": "31/12/2024",
            "%m/%d/%Y": "12/31/2024"}


@dataclass(frozen=True)
class Dialect:
    """How one CSV file is written (detected or taken from params)."""

    encoding: str
    separator: str
    decimal: str
    date_format: str

    def describe(self) -> str:
        sep = {"\t": "tab"}.get(self.separator, self.separator)
        return f"encoding {self.encoding}, separator '{sep}', decimal '{self.decimal}', dates {self.date_format}"


def example_date(fmt: str) -> str:
    return _EXAMPLE.get(fmt, fmt)


def normalise_date_format(fmt: str) -> str:
    """Params may say ``iso``, ``fi``/``d.m.yyyy`` or give a strptime format."""
    aliases = {"iso": "%Y-%m-%d", "yyyy-mm-dd": "%Y-%m-%d", "fi": "%d.%m.%Y", "d.m.yyyy": "%d.%m.%Y",
               "dd.mm.yyyy": "%d.%m.%Y", "d/m/yyyy": "%d/%m/%Y", "m/d/yyyy": "%m/%d/%Y"}
    return aliases.get(fmt.strip().lower(), fmt)


# ------------------------------------------------------------------ encoding
def detect_encoding(path: Path, *, sample_bytes: int | None = None, shown: str | None = None) -> str:
    """``utf-8-sig`` (BOM), ``utf-16`` (BOM), ``utf-8`` or ``cp1252``.

    The whole file is checked unless ``sample_bytes`` limits it. Bytes that are not UTF-8
    mean a Windows/Excel code page: cp1252 (a superset of latin-1's printable characters).
    A file that is neither (bytes undefined in cp1252) is a structural error.
    """
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            enc = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        else:
            enc = "utf-8"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8-sig" if enc == "utf-8-sig" else "utf-8")()
        read = 0
        offset = 0
        try:
            while True:
                chunk = fh.read(1 << 24)
                if not chunk:
                    decoder.decode(b"", final=True)
                    break
                decoder.decode(chunk)
                offset += len(chunk)
                read += len(chunk)
                if sample_bytes is not None and read >= sample_bytes:
                    break
        except UnicodeDecodeError as exc:
            if enc == "utf-8-sig":  # a BOM promises UTF-8: a broken byte after it is an error
                raise DataError([DataProblem(
                    file=shown or str(path),
                    rule=f"starts with a UTF-8 byte-order mark but byte {offset + exc.start} is not UTF-8; "
                    "save the file again as UTF-8, or set encoding: in the table's params")]) from None
            fh.seek(0)
            sample = fh.read(sample_bytes or -1)
            bad = [b for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) if bytes([b]) in sample]
            if bad:
                raise DataError([DataProblem(
                    file=shown or str(path),
                    rule="is neither UTF-8 nor Windows-1252 text; set encoding: in the table's params "
                    "(e.g. encoding: latin-1)")]) from None
            return "cp1252"
    return enc


# ------------------------------------------------------------------ separator
def _count_outside_quotes(line: str, ch: str) -> int:
    n, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == ch and not quoted:
            n += 1
    return n


def detect_separator(text: str, file: str) -> str:
    """The separator: the candidate that appears in the header and splits every sampled
    line into the same number of fields. Ambiguity is an error naming ``separator:``."""
    lines = [ln for ln in text.splitlines()[:200] if ln.strip()]
    if not lines:
        raise DataError([DataProblem(file=file, rule="the file is empty (no header row)")])
    header = lines[0]
    consistent = []
    in_header = []
    for sep in SEPARATORS:
        k = _count_outside_quotes(header, sep)
        if k == 0:
            continue
        in_header.append(sep)
        if all(_count_outside_quotes(ln, sep) == k for ln in lines[1:]):
            consistent.append(sep)
    if len(consistent) == 1:
        return consistent[0]
    if not in_header:
        return ","  # a single column
    if len(in_header) == 1:
        return in_header[0]  # ragged rows are reported row by row later
    shown = " or ".join(f"'{s}'" if s != "\t" else "tab" for s in (consistent or in_header))
    raise DataError([DataProblem(
        file=file, row=1,
        rule=f"cannot tell the column separator ({shown} both fit); set separator: in the table's params")])


# ------------------------------------------------------------------ located values
#: a value to sniff: plain text, or ``(text, row, column)`` so an ambiguity can be shown in the file,
#: or ``(text, row, column, n)``: the value held by ``n`` cells, ``row`` the first of them
Sniffed = str | tuple[str, int | None, str | None] | tuple[str, int | None, str | None, int]


def _located(values: Iterable[Sniffed]) -> Iterator[tuple[str, int | None, str | None, int]]:
    for v in values:
        if isinstance(v, tuple):
            yield str(v[0]).strip(), v[1], v[2], (v[3] if len(v) > 3 else 1)
        else:
            yield str(v).strip(), None, None, 1


def _examples(file: str, examples: dict[str, tuple[str, int | None, str | None]], kinds: Iterable[str],
              rule: str) -> DataError:
    """One problem per kind, each pointing at the first value of that kind."""
    problems = []
    for k in kinds:
        value, row, column = examples[k]
        problems.append(DataProblem(file=file, row=row, column=column, value=value,
                                    rule=f"{rule} (this value: {_KIND_LABEL.get(k, k)})"))
    return DataError(problems)


# ------------------------------------------------------------------ decimal mark
_DOT = re.compile(r"^[-+]?\d+\.\d+$")
_COMMA = re.compile(r"^[-+]?\d+,\d+$")


def detect_decimal(values: Iterable[Sniffed], *, separator: str, file: str) -> str:
    """``','`` when numbers are written ``1,5``, ``'.'`` when ``1.5``; both → error naming
    an example of each."""
    counts: Counter[str] = Counter()
    examples: dict[str, tuple[str, int | None, str | None]] = {}
    for v, row, column, n in _located(values):
        kind = "." if _DOT.match(v) else "," if _COMMA.match(v) else None
        if kind is not None:
            counts[kind] += n
            examples.setdefault(kind, (v, row, column))
    if counts["."] and counts[","]:
        raise _examples(file, examples, [",", "."],
                        f"numbers use both decimal marks ({counts[',']} with ',' and {counts['.']} with '.'); "
                        "set decimal: in the table's params")
    if counts[","]:
        return ","
    if counts["."]:
        return "."
    return "," if separator == ";" else "."


# ------------------------------------------------------------------ dates
_KIND_LABEL = {"%Y-%m-%d": "yyyy-mm-dd", "%d.%m.%Y": "d.m.yyyy", "slash": "d/m/yyyy or m/d/yyyy",
               "yy": "two-digit year", ",": "decimal comma", ".": "decimal point"}


def detect_date_format(values: Iterable[Sniffed], *, file: str) -> str:
    """strptime format of the date columns. The most common recognised form wins; values in
    another form are then reported row by row. d/m vs m/d that the data cannot settle, and
    two-digit years, are errors naming ``date_format:`` and an example value."""
    counts: Counter[str] = Counter()
    examples: dict[str, tuple[str, int | None, str | None]] = {}
    slash: list[str] = []
    for v, row, column, n in _located(values):
        if not v:
            continue
        if DATE_FORMATS["iso"][0].match(v):
            kind = "%Y-%m-%d"
        elif DATE_FORMATS["fi"][0].match(v):
            kind = "%d.%m.%Y"
        elif DATE_FORMATS["dmy_slash"][0].match(v):
            kind = "slash"
            slash.append(v)
        elif _TWO_DIGIT_YEAR.match(v):
            kind = "yy"
        else:
            continue
        counts[kind] += n
        examples.setdefault(kind, (v, row, column))
    if not counts:
        return "%Y-%m-%d"
    best, n = counts.most_common(1)[0]
    tied = sorted(k for k, c in counts.items() if c == n)
    if len(tied) > 1:
        kinds = ", ".join(_KIND_LABEL.get(k, k) for k in tied)
        raise _examples(file, examples, tied, f"dates are written in several formats equally often ({kinds}); "
                        "set date_format: in the table's params")
    if best == "yy":
        raise _examples(file, examples, ["yy"], "dates have two-digit years (e.g. 1.2.24); export four-digit "
                        "years or set date_format: in the table's params (e.g. '%d.%m.%y')")
    if best == "slash":
        first = any(int(v.split("/")[0]) > 12 for v in slash)
        second = any(int(v.split("/")[1]) > 12 for v in slash)
        if first and not second:
            return "%d/%m/%Y"
        if second and not first:
            return "%m/%d/%Y"
        raise _examples(file, examples, ["slash"], "dates like 1/2/2024 could be day/month or month/day; set "
                        "date_format: in the table's params ('%d/%m/%Y' or '%m/%d/%Y')")
    return best


def read_text_sample(path: Path, encoding: str, n_bytes: int = 1 << 20) -> str:
    """The first ``n_bytes`` of a text file, cut at the last complete line."""
    with path.open("rb") as fh:
        raw = fh.read(n_bytes)
        more = fh.read(1) != b""
    text = raw.decode(encoding, errors="replace")
    if more and "\n" in text:
        text = text[: text.rfind("\n") + 1]
    return text


def sample_records(text: str, separator: str, limit: int = 5000) -> list[list[str]]:
    """Parsed records of a text sample (header first)."""
    out = []
    for i, rec in enumerate(csv.reader(io.StringIO(text), delimiter=separator)):
        if i > limit:
            break
        out.append(rec)
    return out
