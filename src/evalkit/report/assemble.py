"""Assemble the final report (loppuraportti) from saved sections: DOCX, HTML and Markdown.

Sections are read from ``reports/<model>/sections/*.json``, model metadata from
``reports/<model>/run.json`` (written by ``evalkit run``). Numbers are formatted and
small cells suppressed here, at the point of output.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..results import RESULT_COLUMNS, Estimate, write_results
from .fmt import format_date, format_estimate, format_interval, format_number, format_value
from .i18n import label
from .section import Section, load_section
from .suppress import suppress_column, suppress_estimates

__all__ = ["Document", "assemble_report", "build_document", "combine_results", "load_model_runs"]

FORMATS = ("docx", "html", "md")


# ---------------------------------------------------------------- document model
@dataclass
class Heading:
    level: int
    text: str


@dataclass
class Para:
    text: str
    style: str = "normal"  # normal | note | error | question


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass
class Figure:
    path: Path
    caption: str


@dataclass
class Document:
    title: str
    subtitle: str
    language: str
    elements: list[Any] = field(default_factory=list)

    def add(self, el: Any) -> None:
        self.elements.append(el)


# ---------------------------------------------------------------- inputs
@dataclass
class ModelRun:
    model: str
    dir: Path
    meta: dict[str, Any]
    sections: list[Section]


def load_model_runs(reports: Path) -> list[ModelRun]:
    """Every model directory under ``reports`` with a ``run.json``, in run order."""
    runs = []
    for meta_path in sorted(reports.glob("*/run.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        model_dir = meta_path.parent
        order = {m: i for i, m in enumerate(meta.get("measures", []))}
        sections = [load_section(p) for p in sorted((model_dir / "sections").glob("*.json"))]
        sections = [s for s in sections if s.measure in order]
        sections.sort(key=lambda s: order.get(s.measure, 99))
        runs.append(ModelRun(model=meta["model"], dir=model_dir, meta=meta, sections=sections))
    runs.sort(key=lambda r: (r.meta.get("order", 0), r.model))
    return runs


def combine_results(reports: Path, runs: list[ModelRun] | None = None) -> pd.DataFrame:
    """Concatenate ``reports/<model>/results.csv`` into ``reports/results.csv``."""
    runs = runs if runs is not None else load_model_runs(reports)
    frames = [pd.read_csv(r.dir / "results.csv", dtype={"n": "Int64"}) for r in runs if (r.dir / "results.csv").exists()]
    if frames:
        frame = pd.concat(frames, ignore_index=True)
        frame["suppressed"] = frame["suppressed"].astype(str).str.lower().eq("true")
    else:
        frame = pd.DataFrame(columns=list(RESULT_COLUMNS))
    write_results(frame, reports / "results.csv")
    return frame


# ---------------------------------------------------------------- building
def _estimates_table(estimates: list[Estimate], language: str, caption: str, with_model: str | None = None) -> Table:
    header = [label("columns.indicator", language), label("columns.group", language),
              label("columns.estimate", language), label("columns.ci", language),
              label("columns.n", language), label("columns.method", language)]
    if with_model is not None:
        header.insert(0, label("report.model_column", language))
    rows = []
    for e in estimates:
        row = [
            label(f"indicators.{e.indicator}", language),
            label(f"groups.{e.group}", language) if ":" not in e.group else e.group.split(":", 1)[1],
            format_estimate(e, language=language, with_interval=False),
            "" if e.suppressed else format_interval(e, language=language),
            format_number(e.n, language=language) if e.n is not None else "–",
            e.method,
        ]
        if with_model is not None:
            row.insert(0, with_model)
        rows.append(row)
    return Table(caption=caption, header=header, rows=rows)


def _table_block(block: dict[str, Any], language: str, min_cell: int) -> Table:
    cols = block["columns"]
    rows = [list(r) for r in block["rows"]]
    hidden = [[False] * len(cols) for _ in rows]
    for j, c in enumerate(cols):
        if c.get("count"):
            flags = suppress_column([r[j] for r in rows], min_cell, total_index=block.get("total_row"))
            for i, f in enumerate(flags):
                hidden[i][j] = f
    out = []
    for i, r in enumerate(rows):
        cells = []
        for j, c in enumerate(cols):
            v = r[j]
            if hidden[i][j]:
                cells.append(f"< {min_cell}")
            elif c.get("unit", "text") == "text":
                cells.append("" if v is None else str(v))
            elif c["unit"] == "date":
                cells.append(format_date(pd.Timestamp(v).date(), language=language) if v else "–")
            else:
                cells.append(format_value(v, c["unit"], language=language))
        out.append(cells)
    return Table(caption=block.get("title", ""), header=[c["label"] for c in cols], rows=out,
                 note=block.get("note", ""))


def _flow_table(flow: list[dict[str, Any]], language: str) -> Table:
    header = [label(f"columns.{k}", language) for k in ("table", "read", "accepted", "rejected", "analysed")]
    rows = []
    for f in flow:
        rejected = f.get("rejected") or {}
        rej_total = sum(rejected.values()) if isinstance(rejected, dict) else rejected
        rows.append([
            str(f.get("table", "")),
            format_number(f.get("read"), language=language),
            format_number(f.get("accepted"), language=language),
            format_number(rej_total, language=language),
            format_number(f.get("analysed"), language=language) if f.get("analysed") is not None else "–",
        ])
    return Table(caption=label("report.data_flow", language), header=header, rows=rows)


def build_document(runs: list[ModelRun], *, language: str = "fi", title: str | None = None,
                   subtitle: str = "", audience: str = "public", min_cell: int = 5) -> Document:
    """The report as a list of headings, paragraphs, tables and figures."""
    doc = Document(title=title or label("report.summary_heading", language), subtitle=subtitle, language=language)

    # summary of headline indicators across models
    doc.add(Heading(1, label("report.summary_heading", language)))
    doc.add(Para(label("report.summary_intro", language)))
    summary_rows: list[list[str]] = []
    header: list[str] = []
    for run in runs:
        mc = run.meta.get("min_cell", min_cell)
        for s in run.sections:
            heads = [e for e in suppress_estimates(s.estimates, mc) if e.indicator in s.headline]
            if heads:
                t = _estimates_table(heads, language, "", with_model=run.meta.get("name", run.model))
                header = t.header
                summary_rows.extend(t.rows)
    if summary_rows:
        doc.add(Table(caption=label("report.key_figures", language), header=header, rows=summary_rows))

    for run in runs:
        mc = run.meta.get("min_cell", min_cell)
        aud = run.meta.get("audience", audience)
        doc.add(Heading(1, run.meta.get("name", run.model)))
        if run.meta.get("description"):
            doc.add(Para(run.meta["description"]))
        if not run.sections:
            doc.add(Para(label("report.no_sections", language), style="note"))
        for s in run.sections:
            doc.add(Heading(2, s.question or s.title))
            if s.question:
                doc.add(Para(s.title, style="question"))
            if s.status != "ok":
                doc.add(Para(f"{label('report.failed_text', language)} {s.error or ''}", style="error"))
                continue
            shown = suppress_estimates(s.estimates, mc)
            any_suppressed = any(e.suppressed for e in shown)
            for b in s.blocks:
                kind = b["kind"]
                if kind == "paragraph":
                    if b.get("role") in {"methods", "limitations"}:
                        continue
                    doc.add(Para(b["text"], style="note" if b.get("role") == "note" else "normal"))
                elif kind == "estimates":
                    wanted = b.get("indicators") or [e.indicator for e in shown]
                    chosen = [e for i in wanted for e in shown if e.indicator == i]
                    doc.add(_estimates_table(chosen, language, b.get("title") or label("report.key_figures", language)))
                elif kind == "table":
                    t = _table_block(b, language, mc)
                    any_suppressed |= any(f"< {mc}" in c for r in t.rows for c in r)
                    doc.add(t)
                elif kind == "figure":
                    if b.get("audience", "public") == "internal" and aud == "public":
                        continue
                    doc.add(Figure(path=run.dir / b["path"], caption=b.get("caption", "")))
            if any_suppressed:
                doc.add(Para(label("report.suppressed_note", language, min_cell=mc), style="note"))
            methods = [b["text"] for b in s.blocks if b["kind"] == "paragraph" and b.get("role") in {"methods", "limitations"}]
            if methods or s.flow:
                doc.add(Heading(3, label("report.methods", language)))
                for m in methods:
                    doc.add(Para(m))
                if s.flow:
                    doc.add(_flow_table(s.flow, language))

    # provenance appendix
    doc.add(Heading(1, label("report.provenance_appendix", language)))
    for run in runs:
        meta = run.meta
        doc.add(Heading(2, meta.get("name", run.model)))
        rows = [
            [label("provenance.version", language), str(meta.get("evalkit_version", ""))],
            [label("provenance.commit", language), str(meta.get("git_commit") or "–")],
            [label("provenance.run_date", language), str(meta.get("finished", ""))[:19].replace("T", " ")],
            [label("provenance.duration", language), f"{format_number(meta.get('duration_s', 0), 1, language=language)} s"],
            [label("provenance.seed", language), str(meta.get("seed", ""))],
        ]
        doc.add(Table(caption=label("provenance.version", language), header=[label("columns.key", language), label("columns.value", language)], rows=rows))
        inputs = meta.get("inputs", [])
        if inputs:
            doc.add(Table(caption=label("provenance.inputs", language),
                          header=[label("columns.table", language), label("columns.file", language), label("columns.sha256", language)],
                          rows=[[i["table"], i["file"], i["sha256"]] for i in inputs]))
        doc.add(Para(label("provenance.params", language) + ":", style="note"))
        doc.add(Para(json.dumps(meta.get("params", {}), ensure_ascii=False, indent=1, sort_keys=True), style="code"))
    doc.add(Para(label("report.generated", language, version=__version__), style="note"))
    return doc


# ---------------------------------------------------------------- writers
def write_markdown(doc: Document, path: Path) -> None:
    lines = [f"# {doc.title}", ""]
    if doc.subtitle:
        lines += [doc.subtitle, ""]
    fig_n = 0
    for el in doc.elements:
        if isinstance(el, Heading):
            lines += ["#" * (el.level + 1) + " " + el.text, ""]
        elif isinstance(el, Para):
            if el.style == "code":
                lines += ["```json", el.text, "```", ""]
            elif el.style in {"note", "question"}:
                lines += [f"*{el.text}*", ""]
            elif el.style == "error":
                lines += [f"> **{label('report.failed', doc.language)}:** {el.text}", ""]
            else:
                lines += [el.text, ""]
        elif isinstance(el, Table):
            if el.caption:
                lines += [f"**{el.caption}**", ""]
            esc = lambda s: str(s).replace("|", "\\|").replace("\n", " ")  # noqa: E731
            lines.append("| " + " | ".join(esc(h) for h in el.header) + " |")
            lines.append("|" + "|".join("---" for _ in el.header) + "|")
            for r in el.rows:
                lines.append("| " + " | ".join(esc(c) for c in r) + " |")
            lines.append("")
            if el.note:
                lines += [f"*{el.note}*", ""]
        elif isinstance(el, Figure):
            fig_n += 1
            rel = el.path.relative_to(path.parent) if el.path.is_relative_to(path.parent) else el.path
            lines += [f"![{el.caption}]({rel.as_posix()})", "", f"*{label('report.figure', doc.language)} {fig_n}. {el.caption}*", ""]
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


def write_html(doc: Document, path: Path) -> None:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("evalkit.report", "templates"), autoescape=select_autoescape(["html", "j2"]))
    env.tests["instanceof"] = isinstance

    def _img(p: Path) -> str:
        return "data:image/png;base64," + base64.b64encode(p.read_bytes()).decode("ascii")

    html = env.get_template("report.html.j2").render(
        doc=doc, Heading=Heading, Para=Para, Table=Table, Figure=Figure, img=_img,
        figure_label=label("report.figure", doc.language), failed_label=label("report.failed", doc.language),
    )
    path.write_text(html, encoding="utf-8")


def write_docx(doc: Document, path: Path) -> None:
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    d = Docx()
    d.core_properties.title = doc.title
    d.core_properties.language = doc.language
    d.add_heading(doc.title, level=0)
    if doc.subtitle:
        d.add_paragraph(doc.subtitle)
    fig_n = 0
    for el in doc.elements:
        if isinstance(el, Heading):
            d.add_heading(el.text, level=min(el.level, 9))
        elif isinstance(el, Para):
            if el.style == "code":
                p = d.add_paragraph()
                run = p.add_run(el.text)
                run.font.name = "Courier New"
                run.font.size = Pt(7)
            else:
                p = d.add_paragraph(el.text)
                if el.style in {"note", "question"}:
                    for r in p.runs:
                        r.italic = True
                if el.style == "error":
                    for r in p.runs:
                        r.bold = True
        elif isinstance(el, Table):
            if el.caption:
                cap = d.add_paragraph(el.caption, style="Caption")
                cap.paragraph_format.keep_with_next = True
            t = d.add_table(rows=1, cols=len(el.header))
            t.style = "Table Grid"
            for j, h in enumerate(el.header):
                cell = t.rows[0].cells[j]
                cell.text = h
                for r in cell.paragraphs[0].runs:
                    r.bold = True
            for row in el.rows:
                cells = t.add_row().cells
                for j, c in enumerate(row):
                    cells[j].text = str(c)
            if el.note:
                d.add_paragraph(el.note).runs[0].italic = True
        elif isinstance(el, Figure):
            fig_n += 1
            if el.path.exists():
                d.add_picture(str(el.path), width=Cm(15))
                d.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            d.add_paragraph(f"{label('report.figure', doc.language)} {fig_n}. {el.caption}", style="Caption")
    d.save(str(path))


def assemble_report(reports: str | Path, *, formats: list[str] | None = None, language: str | None = None,
                    basename: str = "loppuraportti") -> list[Path]:
    """Write ``loppuraportti.{docx,html,md}`` and the combined ``results.csv`` under ``reports``."""
    reports = Path(reports)
    runs = load_model_runs(reports)
    combine_results(reports, runs)
    first = runs[0].meta if runs else {}
    language = language or first.get("language", "fi")
    report_opts = first.get("params", {}).get("report", {})
    formats = formats or report_opts.get("formats") or list(FORMATS)
    subtitle = " – ".join(x for x in (report_opts.get("organisation"), report_opts.get("project")) if x)
    doc = build_document(runs, language=language, title=report_opts.get("title"), subtitle=subtitle)
    written = []
    writers = {"md": write_markdown, "html": write_html, "docx": write_docx}
    for fmt in formats:
        out = reports / f"{basename}.{fmt}"
        writers[fmt](doc, out)
        written.append(out)
    written.append(reports / "results.csv")
    return written
