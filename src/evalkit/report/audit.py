"""Privacy audit of the rendered outputs: the last line of disclosure control.

Suppression happens where each table, figure and sentence is produced; this audit reads
what was actually written — ``loppuraportti.{docx,html,md}``, ``results.csv`` (combined and
per model) and the executed notebooks — and fails the run when it finds

* an identifier from the inputs (``client_id``/``case_id`` of the clients and waits tables),
* a count of people below ``min_cell`` written in text (``3 / 40``, ``n = 4``, ``3 henkilöä``)
  or in a count column of a report table, that is not marked as suppressed,
* a results row that rests on fewer than ``min_cell`` people and is not marked suppressed.

``evalkit report`` runs it after writing (``assemble_report(audit=True)``) and removes the
report files when it fails. The messages name the file and place, never the leaked value.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataProblem, PrivacyError
from .suppress import find_small_counts, is_small

__all__ = ["AuditResult", "audit_outputs", "audit_text", "client_ids", "output_texts"]

#: identifier columns whose values must never appear in an output
ID_COLUMNS = ("client_id", "case_id")
#: tables read for identifiers (every client is in ``clients``; ``waits`` may have its own)
ID_TABLES = ("clients", "waits")
#: identifiers shorter than this are not searched for (they collide with ordinary numbers)
MIN_ID_LENGTH = 4

_TOKEN = re.compile(r"[\w\-./]+")
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")


@dataclass
class AuditResult:
    """Problems found (one line each: file, place, rule) and the files checked."""

    problems: list[DataProblem] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    ids_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_if_failed(self, remove: Sequence[Path] = ()) -> None:
        """Raise :class:`~evalkit.errors.PrivacyError` (after deleting ``remove``) on any problem."""
        if self.ok:
            return
        for p in remove:
            Path(p).unlink(missing_ok=True)
        head = DataProblem(file="privacy audit", rule=f"{len(self.problems)} problem(s); the report files were removed. "
                           "Fix the text or tables that produced them (locations below):")
        raise PrivacyError([head, *self.problems])


# ---------------------------------------------------------------- reading outputs
class _Text(HTMLParser):
    """Visible text of an HTML document, one chunk per element (scripts and styles skipped)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in {"alt", "title"} and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(_DATA_URI.sub("", html))
    return "\n".join(parser.parts)


def docx_text(path: Path) -> str:
    """Text of every paragraph and table cell of a .docx (one line per paragraph)."""
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    paras = re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S)
    return "\n".join("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) for p in paras)


def notebook_text(path: Path) -> str:
    """Outputs of an executed notebook (text, HTML as text, streams, errors); images skipped."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    parts: list[str] = []
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            if out.get("output_type") == "stream":
                parts.append("".join(out.get("text", "")))
            elif out.get("output_type") == "error":
                parts.append(f"{out.get('ename', '')}: {out.get('evalue', '')}")
                parts.extend(out.get("traceback", []))
            data = out.get("data", {})
            if "text/html" in data:
                parts.append(html_text("".join(data["text/html"])))
            elif "text/plain" in data:
                parts.append("".join(data["text/plain"]))
            if "text/markdown" in data:
                parts.append("".join(data["text/markdown"]))
    return "\n".join(parts)


def output_texts(reports: Path, files: Iterable[Path] | None = None) -> dict[Path, str]:
    """The text of every output under ``reports`` that is meant to be shared."""
    reports = Path(reports)
    paths = list(files) if files is not None else [
        *sorted(reports.glob("*.docx")), *sorted(reports.glob("*.html")), *sorted(reports.glob("*.md")),
        *sorted(reports.glob("*.csv")),
    ]
    paths += sorted(reports.glob("*/results.csv")) + sorted(reports.glob("*/notebooks/*.ipynb"))
    out: dict[Path, str] = {}
    for p in dict.fromkeys(paths):
        if not p.exists():
            continue
        if p.suffix == ".docx":
            out[p] = docx_text(p)
        elif p.suffix == ".html":
            out[p] = html_text(p.read_text(encoding="utf-8"))
        elif p.suffix == ".ipynb":
            out[p] = notebook_text(p)
        else:
            out[p] = p.read_text(encoding="utf-8")
    return out


# ---------------------------------------------------------------- identifiers
def client_ids(runs: Iterable[Any]) -> set[str]:
    """Identifiers of every input (``ID_TABLES`` × ``ID_COLUMNS``) of the models run, read raw
    from the files listed in each ``run.json`` (so rejected rows count too)."""
    from ..data.read import read_raw
    from ..errors import DataError
    from ..params.schema import TableSource

    ids: set[str] = set()
    for run in runs:
        meta = run.meta
        root = Path(meta.get("data_root") or ".")
        tables = (meta.get("params") or {}).get("tables") or {}
        for entry in meta.get("inputs", []):
            if entry.get("table") not in ID_TABLES:
                continue
            path = Path(entry["file"])
            path = path if path.is_absolute() else root / path
            if not path.exists():
                continue
            source = TableSource.model_validate(tables.get(entry["table"], {"path": str(path)}))
            try:
                frame = read_raw(source, path, str(path)).frame.rename(columns=source.columns)
            except DataError:  # unreadable inputs were reported by `evalkit run`; nothing to match
                continue
            for col in ID_COLUMNS:
                if col in frame:
                    ids.update(str(v).strip() for v in frame[col].dropna())
    return {i for i in ids if i}


def _searchable(ids: Iterable[str]) -> set[str]:
    return {i for i in ids if len(i) >= MIN_ID_LENGTH and not (i.isdigit() and len(i) <= 4)}


# ---------------------------------------------------------------- checks
def audit_text(text: str, *, min_cell: int, ids: set[str] | frozenset[str] = frozenset(), where: str = "",
               counts: bool = True) -> list[DataProblem]:
    """Problems in one output's text: identifiers from the inputs and (``counts``) small counts."""
    problems: list[DataProblem] = []
    if ids:
        tokens = set(_TOKEN.findall(text)) | set(re.findall(r"[\w\-]+", text))
        leaked = tokens & ids
        if leaked:
            problems.append(DataProblem(file=where, rule=f"{len(leaked)} identifier(s) of the input data appear in the output"))
    for hit in find_small_counts(text, min_cell) if counts else []:
        line = text.count("\n", 0, hit.start) + 1
        problems.append(DataProblem(file=where, row=line,
                                    rule=f"count below min_cell={min_cell} not marked as suppressed ({hit.kind})"))
    return problems


def audit_results(frame: pd.DataFrame, *, min_cell: int, where: str) -> list[DataProblem]:
    """results.csv rows resting on fewer than ``min_cell`` people must be marked suppressed."""
    problems = []
    for i, r in enumerate(frame.to_dict("records"), start=2):
        if bool(r.get("suppressed")) and str(r.get("suppressed")).lower() != "false":
            if pd.notna(r.get("estimate")):
                problems.append(DataProblem(file=where, row=i, column="estimate", rule="suppressed row still has a value"))
            continue
        n, est, unit = r.get("n"), r.get("estimate"), r.get("unit")
        small = False
        if unit in {"persons", "visits"} and pd.notna(est):
            small = is_small(float(est), min_cell)
        elif unit == "proportion" and pd.notna(n) and pd.notna(est):
            x = round(float(est) * int(n))
            small = int(n) < min_cell or is_small(x, min_cell) or is_small(int(n) - x, min_cell)
        elif pd.notna(n):
            small = int(n) < min_cell
        if small:
            problems.append(DataProblem(file=where, row=i, column="estimate",
                                        rule=f"rests on fewer than min_cell={min_cell} people but is not suppressed"))
    return problems


def audit_document(document: Any, *, min_cell: int) -> list[DataProblem]:
    """Count columns of every table of the built document (before rendering)."""
    from .assemble import Table

    problems = []
    for el in document.elements:
        if not isinstance(el, Table):
            continue
        for i, row in enumerate(el.rows, start=1):
            for j in el.count_cols:
                cell = str(row[j]).replace("\xa0", "").replace("\u202f", "").replace(" ", "")
                if cell.isdigit() and is_small(int(cell), min_cell):
                    problems.append(DataProblem(file=f"table '{el.caption}'", row=i, column=el.header[j],
                                                rule=f"count below min_cell={min_cell} not suppressed"))
    return problems


def audit_outputs(reports: str | Path, *, runs: Sequence[Any] | None = None, document: Any = None,
                  files: Iterable[Path] | None = None, ids: set[str] | None = None,
                  min_cell: int | None = None) -> AuditResult:
    """Scan every shared output under ``reports``; see the module docstring."""
    from .assemble import load_model_runs

    reports = Path(reports)
    runs = list(runs) if runs is not None else load_model_runs(reports)
    k = min_cell or max([r.meta.get("min_cell", 5) for r in runs] or [5])
    result = AuditResult()
    all_ids = _searchable(ids if ids is not None else client_ids(runs))
    result.ids_checked = len(all_ids)
    if document is not None:
        result.problems += audit_document(document, min_cell=k)
    for path, text in output_texts(reports, files).items():
        where = str(path.relative_to(reports) if path.is_relative_to(reports) else path)
        result.checked.append(where)
        if path.suffix == ".csv" and path.name == "results.csv":
            frame = pd.read_csv(path, dtype={"n": "Int64"})
            result.problems += audit_results(frame, min_cell=k, where=where)
            result.problems += audit_text(text, min_cell=k, ids=all_ids, where=where, counts=False)
        else:
            result.problems += audit_text(text, min_cell=k, ids=all_ids, where=where)
    return result
