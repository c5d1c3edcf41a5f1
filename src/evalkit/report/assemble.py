"""Assemble the final report (loppuraportti) from saved sections: DOCX, HTML and Markdown.

Sections are read from ``reports/<model>/sections/*.json``, model metadata from
``reports/<model>/run.json`` (written by ``evalkit run``). Numbers are formatted and
small cells suppressed here, at the point of output.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from ..results import RESULT_COLUMNS, Estimate, write_results
from .fmt import (
    format_date,
    format_estimate,
    format_interval,
    format_number,
    format_timestamp,
    format_value,
)
from .i18n import code_label, label, lookup
from .section import Section, load_section
from .suppress import SUPPRESSED_CELL, is_small, suppress_estimates, suppress_table, suppress_text
from .wording.common import causal_phrases, claim_for_summary

__all__ = ["Document", "assemble_report", "build_document", "combine_results", "load_model_runs", "params_sha256"]

FORMATS = ("docx", "html", "md")
#: table columns holding data-contract codes, shown as words of the catalogue's ``codes``
CODE_COLUMNS = ("service", "professional", "contact_type")
_DEFAULT_TITLE = "Loppuraportti: vaikuttavuuden arviointi"


# ---------------------------------------------------------------- document model
@dataclass
class Heading:
    level: int
    text: str
    anchor: str = ""


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
    #: per column: right-aligned numbers
    numeric: list[bool] = field(default_factory=list)
    #: columns holding counts of people (checked by the privacy audit)
    count_cols: list[int] = field(default_factory=list)
    style: str = "normal"  # normal | code (monospace cells: hashes)
    number: int = 0
    #: row index → heading of the group of rows starting there (a full-width row above it)
    groups: dict[int, str] = field(default_factory=dict)


@dataclass
class Figure:
    path: Path
    caption: str
    number: int = 0


@dataclass
class Document:
    title: str
    subtitle: str
    language: str
    elements: list[Any] = field(default_factory=list)
    audience: str = "public"
    min_cell: int = 5
    #: problems found while building (causal wording without a comparison design …)
    warnings: list[str] = field(default_factory=list)

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
    # report order: report.models of the params (region-wide), then the order of the run
    listed: list[str] = []
    for r in runs:
        listed = list(((r.meta.get("params") or {}).get("report") or {}).get("models") or [])
        if listed:
            break
    rank = {m: i for i, m in enumerate(listed)}
    runs.sort(key=lambda r: (rank.get(r.model, len(rank)), r.meta.get("order", 0), r.model))
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
_NUMERIC_ESTIMATE_COLS = (False, False, True, True, True, False)


def _group_text(group: str, language: str) -> str:
    return label(f"groups.{group}", language) if ":" not in group else group.split(":", 1)[1]


def indicator_label(indicator: str, language: str, labels: dict[str, str] | None = None,
                    labels_language: str | None = None) -> str:
    """The label of an indicator in the report ``language``.

    A section's own label (set by its notebook or params, written in the run's language
    ``labels_language``) is the most specific and wins in its own language; otherwise the
    catalogue's label, else the section's label, else the id.
    """
    own = (labels or {}).get(indicator)
    if own and (labels_language is None or labels_language == language):
        return own
    return lookup(f"indicators.{indicator}", language) or own or indicator


def _indicator_text(e: Estimate, language: str, labels: dict[str, str] | None = None,
                    labels_language: str | None = None) -> str:
    name = indicator_label(e.indicator, language, labels, labels_language)
    return name if e.group == "all" else f"{name} ({_group_text(e.group, language)})"


#: a key-figures table lists longer method descriptions under the table as M1, M2 …
_INLINE_METHOD_CHARS = 40


def _estimates_table(estimates: list[Estimate], language: str, caption: str, with_model: str | None = None,
                     labels: dict[str, str] | None = None, labels_language: str | None = None) -> Table:
    splits = {e.group.split(":", 1)[0] if ":" in e.group else "" for e in estimates}
    group_header = (lookup(f"columns.splits.{next(iter(splits))}", language) if len(splits) == 1 else None) \
        or label("columns.group", language)  # "Vuosi" over 2022, 2023 … rather than "Ryhmä"
    header = [label("columns.indicator", language), group_header,
              label("columns.estimate", language), label("columns.ci", language),
              label("columns.n", language), label("columns.method", language)]
    numeric = list(_NUMERIC_ESTIMATE_COLS)
    if with_model is not None:
        header.insert(0, label("report.model_column", language))
        numeric.insert(0, False)
    methods = list(dict.fromkeys(e.method for e in estimates))
    footnotes = any(len(m) > _INLINE_METHOD_CHARS for m in methods)
    no_icer = icer_not_meaningful(estimates)
    rows = []
    for e in estimates:
        hide_icer = no_icer and e.indicator == "icer"
        row = [
            indicator_label(e.indicator, language, labels, labels_language),
            _group_text(e.group, language),
            label("report.icer_not_meaningful_value", language) if hide_icer else
            format_estimate(e, language=language, with_interval=False),
            "" if e.suppressed or hide_icer else _interval_only(e, language),
            format_number(e.n, language=language) if e.n is not None else "–",
            f"M{methods.index(e.method) + 1}" if footnotes else e.method,
        ]
        if with_model is not None:
            row.insert(0, with_model)
        rows.append(row)
    note = ""
    if footnotes:
        note = label("report.methods_note", language) + " " + "; ".join(
            f"M{i}: {m}" for i, m in enumerate(methods, start=1))
    if no_icer and any(e.indicator == "icer" for e in estimates):
        note = (label("report.icer_not_meaningful", language) + (" " + note if note else "")).strip()
    n_col = header.index(label("columns.n", language))
    table = Table(caption=caption, header=header, rows=rows, numeric=numeric, count_cols=[n_col], note=note)
    group_col = 1 if with_model is None else 2
    only_all = all(e.group == "all" for e in estimates)
    return drop_empty_columns(table, [n_col - 1, n_col], always=[group_col] if only_all else [])


def drop_empty_columns(t: Table, candidates: list[int], *, always: list[int] | None = None) -> Table:
    """Remove the ``candidates`` columns whose every cell is empty or ``–`` (e.g. no intervals),
    and the ``always`` columns."""
    empty = [j for j in candidates if t.rows and all(str(r[j]).strip() in {"", "–"} for r in t.rows)]
    empty += [j for j in always or [] if j not in empty]
    if not empty:
        return t
    keep = [j for j in range(len(t.header)) if j not in empty]
    remap = {old: new for new, old in enumerate(keep)}
    return Table(caption=t.caption, header=[t.header[j] for j in keep], rows=[[r[j] for j in keep] for r in t.rows],
                 note=t.note, numeric=[t.numeric[j] for j in keep if j < len(t.numeric)],
                 count_cols=[remap[j] for j in t.count_cols if j in remap], style=t.style, groups=dict(t.groups))


def icer_not_meaningful(estimates: list[Estimate]) -> bool:
    """True when the estimates hold an incremental effect (ΔE) whose interval reaches zero
    (or is missing): a ratio ΔC / ΔE is then no meaningful number — it can be arbitrarily
    large or change sign — so the report replaces an ICER by a sentence saying so."""
    de = next((e for e in estimates if e.indicator == "incremental_effect" and e.group == "all"), None)
    if de is None or de.suppressed:
        return False
    return de.ci_low is None or de.ci_high is None or de.ci_low <= 0.0 <= de.ci_high


def _interval_only(e: Estimate, language: str) -> str:
    """The interval without its ``95 % LV`` prefix (the column header says it)."""
    if e.ci_low is None or e.ci_high is None:
        return ""
    return format_interval(e, language=language, with_label=False)


def _summary_table(runs: list[ModelRun], language: str, min_cell: int) -> Table | None:
    header = [label("columns.indicator", language), label("columns.estimate", language),
              label("columns.ci", language), label("columns.n", language), label("columns.interpretation", language)]
    rows: list[list[str]] = []
    groups: dict[int, str] = {}
    for run in runs:
        mc = run.meta.get("min_cell", min_cell)
        groups[len(rows)] = run.meta.get("name", run.model)  # the model heads its rows (a column took a fifth of the page)
        for s in run.sections:
            if s.status != "ok":
                continue
            shown = suppress_estimates(s.estimates, mc)
            claims = {(c.indicator, c.group): c for c in s.claims(language=language, min_cell=mc) if c is not None}
            no_icer = icer_not_meaningful(shown)
            for e in (x for x in shown if s.is_headline(x)):
                recorded = claims.get((e.indicator, e.group))
                if no_icer and e.indicator == "icer":
                    rows.append([_indicator_text(e, language, s.labels, s.language),
                                 label("report.icer_not_meaningful_value", language), "",
                                 format_number(e.n, language=language) if e.n is not None else "–",
                                 label("wording.short.icer_not_meaningful", language)])
                    continue
                rows.append([
                    _indicator_text(e, language, s.labels, s.language),
                    format_estimate(e, language=language, with_interval=False),
                    "" if e.suppressed else _interval_only(e, language),
                    format_number(e.n, language=language) if e.n is not None else "–",
                    claim_for_summary(e, recorded.to_dict() if recorded else None, language=language),
                ])
    if not rows:
        return None
    groups = {i: g for i, g in groups.items() if i < len(rows)}  # a model without headline rows gets no heading
    table = Table(caption=label("report.key_figures", language), header=header, rows=rows,
                  numeric=[False, True, True, True, False], count_cols=[3], groups=groups)
    return drop_empty_columns(table, [2, 3])


def _table_block(block: dict[str, Any], language: str, min_cell: int) -> Table:
    cols = block["columns"]
    rows = [list(r) for r in block["rows"]]
    keys = [c["key"] for c in cols]
    total_col = keys.index(block["total_col"]) if block.get("total_col") in keys else None
    hidden = suppress_table(rows, [j for j, c in enumerate(cols) if c.get("count")], min_cell,
                            total_row=block.get("total_row"), total_col=total_col)
    out = []
    for i, r in enumerate(rows):
        cells = []
        for j, c in enumerate(cols):
            v = r[j]
            if v == SUPPRESSED_CELL and c.get("unit", "text") != "text":  # hidden by the measure
                cells.append(_suppressed(language))
            elif hidden[i][j]:
                # a small count is "< 5"; a larger one hidden so that it cannot be worked out
                # (secondary suppression) is "suojattu" — "< 5" would misstate it
                small = isinstance(v, (int, float)) and is_small(v, min_cell)
                cells.append(f"< {min_cell}" if small else _suppressed(language))
            elif c.get("unit", "text") == "text" and c["key"] in CODE_COLUMNS and v is not None:
                cells.append(code_label(c["key"], str(v), language))
            elif c.get("unit", "text") == "text":
                cells.append("" if v is None else suppress_text(str(v), min_cell, suppressed_word=_suppressed(language)))
            elif c["unit"] == "date":
                cells.append(format_date(pd.Timestamp(v).date(), language=language) if v else "–")
            else:
                cells.append(format_value(v, c["unit"], language=language))
        out.append(cells)
    return Table(caption=block.get("title", ""), header=[c["label"] for c in cols], rows=out,
                 note=suppress_text(block.get("note", ""), min_cell, suppressed_word=_suppressed(language)),
                 numeric=[c.get("unit", "text") not in ("text", "date") for c in cols],
                 count_cols=[j for j, c in enumerate(cols) if c.get("count")])


def _suppressed(language: str) -> str:
    return label("report.suppressed_word", language)


def _flow_word(kind: str, key: str, language: str) -> str:
    """An input table's name or an exclusion reason id in the report language (a reason
    already written as words is kept)."""
    return (lookup(f"flow.{kind}.{key}", language) if "." not in key else None) or key


def _flow_table(flow: list[dict[str, Any]], language: str, *, audience: str, min_cell: int) -> Table:
    """Read → accepted → rejected → analysed (→ excluded from the analysis, by reason) per table.

    Rejected-row reasons are shown only internally; for a public audience small rejected and
    excluded counts are suppressed.
    """
    internal = audience == "internal"
    has_excluded = any(f.get("excluded") for f in flow)
    keys = ["table", "read", "accepted", "rejected", "analysed"] + (["excluded"] if has_excluded else [])
    header = [label(f"columns.{k}", language) for k in keys]
    if internal:
        header.append(label("columns.reasons", language))

    def count(x: Any) -> str:
        if x is None:
            return "–"
        if not internal and is_small(x, min_cell):
            return f"< {min_cell}"
        return format_number(x, language=language)

    rows = []
    for f in flow:
        rejected = f.get("rejected") or {}
        rej_total = sum(rejected.values()) if isinstance(rejected, dict) else rejected
        analysed = count(f.get("analysed"))
        unit = f.get("analysed_unit") or f.get("unit")
        if f.get("analysed") is not None and unit == "persons":
            analysed += " " + label("wording.unit_suffix.persons", language)
        row = [_flow_word("tables", str(f.get("table", "")), language), count(f.get("read")),
               count(f.get("accepted")), count(rej_total), analysed]
        if has_excluded:
            excluded = f.get("excluded") or {}
            row.append("; ".join(f"{_flow_word('reasons', k, language)}: {count(v)}" for k, v in excluded.items())
                       or "–")
        if internal:
            row.append("; ".join(f"{k}: {format_number(v, language=language)}" for k, v in rejected.items())
                       if isinstance(rejected, dict) else "")
        rows.append(row)
    numeric = [False, True, True, True, True] + ([False] if has_excluded else []) + ([False] if internal else [])
    return Table(caption=label("report.data_flow", language), header=header, rows=rows, numeric=numeric,
                 count_cols=[] if internal else [3])


def _section_elements(doc: Document, run: ModelRun, s: Section, *, language: str, audience: str,
                      min_cell: int) -> None:
    """Heading, key figures, text, tables, figures, methods and flow of one subsection."""
    doc.add(Heading(2, s.question or label(f"measures.{s.measure}", language)))
    if s.question:
        doc.add(Para(label(f"measures.{s.measure}", language), style="question"))
    if s.status != "ok":
        doc.add(Para(f"{label('report.failed_text', language)} {s.error or ''}", style="error"))
        return
    shown = suppress_estimates(s.estimates, min_cell)
    claims = iter(s.claims(language=language, min_cell=min_cell))  # one per finding block, in order
    hide = _suppressed(language)
    any_suppressed = any(e.suppressed for e in shown)
    if shown and not any(b["kind"] == "estimates" for b in s.blocks):
        chosen = [e for e in shown if s.is_headline(e)] or shown[:12]
        doc.add(_estimates_table(chosen, language, label("report.key_figures", language), labels=s.labels, labels_language=s.language))
    has_comparison = any(b.get("comparison") for b in s.blocks if b["kind"] == "finding")
    for b in s.blocks:
        kind = b["kind"]
        if kind == "paragraph":
            if b.get("role") in {"methods", "limitations", "appendix"}:
                continue
            text = suppress_text(b["text"], min_cell, suppressed_word=hide)
            if not has_comparison and b.get("role") == "narrative":
                for w in causal_phrases(text, language=language):
                    doc.warnings.append(f"{run.model}/{s.measure}: causal wording without a comparison design: '{w}'")
            doc.add(Para(text, style="note" if b.get("role") == "note" else "normal"))
        elif kind == "finding":
            c = next(claims, None)
            if c is not None and b.get("in_text", True):
                doc.add(Para(c.sentence))
        elif kind == "estimates":
            wanted = b.get("indicators") or list(dict.fromkeys(e.indicator for e in shown))
            chosen = [e for i in wanted for e in shown if e.indicator == i]
            doc.add(_estimates_table(chosen, language, b.get("title") or label("report.key_figures", language),
                                     labels=s.labels, labels_language=s.language))
        elif kind == "table":
            if not b.get("rows"):  # an empty table says so in one line instead of a bare header
                doc.add(Para(label("report.empty_table", language, caption=b.get("title", "")), style="note"))
                continue
            t = _table_block(b, language, min_cell)
            any_suppressed |= any(f"< {min_cell}" in c or c == _suppressed(language) for r in t.rows for c in r)
            doc.add(t)
        elif kind == "figure":
            if b.get("audience", "public") == "internal" and audience == "public":
                continue
            if audience == "public" and b.get("min_n") is not None and b["min_n"] < min_cell:
                doc.add(Para(label("report.figure_suppressed", language, caption=b.get("caption", ""),
                                   min_cell=min_cell), style="note"))
                continue
            doc.add(Figure(path=run.dir / b["path"], caption=suppress_text(b.get("caption", ""), min_cell,
                                                                          suppressed_word=hide)))
    if any_suppressed:
        doc.add(Para(label("report.suppressed_note", language, min_cell=min_cell), style="note"))
    methods = [b for b in s.blocks if b["kind"] == "paragraph" and b.get("role") in {"methods", "limitations"}]
    flow = s.flow
    if methods or flow:
        doc.add(Heading(3, label("report.methods", language)))
        for m in methods:
            doc.add(Para(suppress_text(m["text"], min_cell, suppressed_word=hide)))
        if flow:
            doc.add(_flow_table(flow, language, audience=audience, min_cell=min_cell))


def _methods_appendix(doc: Document, runs: list[ModelRun], *, language: str, min_cell: int) -> None:
    doc.add(Heading(1, label("report.methods_appendix", language)))
    doc.add(Para(label("report.methods_appendix_intro", language)))
    for run in runs:
        ok = [s for s in run.sections if s.status == "ok"]
        if not ok:
            continue
        doc.add(Heading(2, run.meta.get("name", run.model)))
        mc = run.meta.get("min_cell", min_cell)
        for s in ok:
            doc.add(Heading(3, label(f"measures.{s.measure}", language)))
            for b in s.blocks:
                if b["kind"] == "paragraph" and b.get("role") in {"methods", "limitations", "appendix"}:
                    doc.add(Para(suppress_text(b["text"], mc, suppressed_word=_suppressed(language))))
            methods: dict[str, list[str]] = {}
            for e in s.estimates:
                methods.setdefault(e.method, [])
                name = indicator_label(e.indicator, language, s.labels, s.language)
                if name not in methods[e.method]:
                    methods[e.method].append(name)
            if methods:
                doc.add(Table(caption=label("report.methods_table", language),
                              header=[label("columns.method", language), label("columns.indicators", language)],
                              rows=[[m, ", ".join(names)] for m, names in methods.items()]))


def params_sha256(params: dict[str, Any]) -> str:
    """SHA-256 of the params as used (canonical JSON: sorted keys, no whitespace)."""
    text = json.dumps(params, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _table_source_short(source: Any) -> Any:
    """A table source without its default options; just the path when nothing else is set."""
    from ..params import TableSource

    if not isinstance(source, dict):
        return source
    defaults = {k: (f.default_factory() if f.default_factory else f.default) for k, f in TableSource.model_fields.items()}
    rest = {k: v for k, v in source.items() if k == "path" or defaults.get(k, object()) != v}
    return rest["path"] if list(rest) == ["path"] else rest


def params_yaml(params: dict[str, Any]) -> str:
    """The params as used, as YAML: options of measures the model does not run are left out,
    and of the measures it runs only the options that differ from the schema's defaults
    (the SHA-256 in the same appendix covers everything)."""
    import yaml

    from ..params import MEASURES, Params

    run = set(params.get("measures", []))
    shown: dict[str, Any] = {}
    for key, value in params.items():
        if key in MEASURES:
            if key not in run or not isinstance(value, dict):
                continue
            field_ = Params.model_fields.get(key)
            default = field_.default_factory().model_dump(mode="json") if field_ and field_.default_factory else {}
            value = {k: v for k, v in value.items() if default.get(k, object()) != v}
            if not value:
                continue
        if key == "tables" and isinstance(value, dict):
            value = {t: _table_source_short(src) for t, src in value.items()}
        shown[key] = value
    return yaml.safe_dump(shown, allow_unicode=True, sort_keys=False, width=100).rstrip()


def _provenance_appendix(doc: Document, runs: list[ModelRun], *, language: str, audience: str,
                         min_cell: int, generated: str) -> None:
    doc.add(Heading(1, label("report.provenance_appendix", language)))
    doc.add(Para(label("report.provenance_intro", language)))
    doc.add(Table(
        caption=label("provenance.report", language),
        header=[label("columns.key", language), label("columns.value", language)],
        rows=[[label("provenance.generated", language), generated],
              [label("provenance.version", language), __version__],
              [label("provenance.language", language), language],
              [label("provenance.audience", language), label(f"provenance.audiences.{audience}", language)],
              [label("provenance.min_cell", language), str(min_cell)]],
    ))
    for run in runs:
        meta = run.meta
        doc.add(Heading(2, meta.get("name", run.model)))
        rows = [
            [label("provenance.version", language), str(meta.get("evalkit_version", ""))],
            [label("provenance.commit", language), str(meta.get("git_commit") or "–")],
            [label("provenance.params_file", language), Path(str(meta.get("params_file", ""))).name or "–"],
            [label("provenance.params_sha256", language), params_sha256(meta.get("params", {}))],
            [label("provenance.seed", language), str(meta.get("seed", ""))],
            [label("provenance.started", language), format_timestamp(meta.get("started"), language=language)],
            [label("provenance.run_date", language), format_timestamp(meta.get("finished"), language=language)],
            [label("provenance.duration", language),
             f"{format_number(meta.get('duration_s', 0), 1, language=language)} s"],
        ]
        doc.add(Table(caption=label("provenance.run", language),
                      header=[label("columns.key", language), label("columns.value", language)], rows=rows))
        inputs = meta.get("inputs", [])
        if inputs:
            doc.add(Table(caption=label("provenance.inputs", language),
                          header=[label("columns.table", language), label("columns.file", language),
                                  label("columns.sha256", language)],
                          rows=[[i["table"], i["file"], i["sha256"]] for i in inputs], style="code"))
        doc.add(Para(label("provenance.params", language) + ":", style="note"))
        doc.add(Para(params_yaml(meta.get("params", {})), style="code"))


def build_document(runs: list[ModelRun], *, language: str = "fi", title: str | None = None,
                   subtitle: str = "", audience: str | None = None, min_cell: int = 5,
                   generated: str | None = None) -> Document:
    """The report as a list of headings, paragraphs, tables and figures.

    ``audience`` (``public``/``internal``) overrides each model's params; ``public`` drops
    internal and small-group figures and rejected-row reasons. Small cells are suppressed
    in every table and in the text (``min_cell`` of each model's params).
    """
    doc = Document(title=title or label("report.title", language), subtitle=subtitle, language=language)
    audiences = {run.meta.get("audience", "public") for run in runs}
    doc_audience = audience or ("internal" if audiences == {"internal"} else "public")
    doc.audience = doc_audience
    doc.min_cell = max([run.meta.get("min_cell", min_cell) for run in runs] or [min_cell])

    doc.add(Heading(1, label("report.summary_heading", language)))
    doc.add(Para(label("report.summary_intro", language)))
    summary = _summary_table(runs, language, min_cell)
    if summary is not None:
        doc.add(summary)
        if any(label("wording.short.suppressed", language) == r[-1] for r in summary.rows):
            doc.add(Para(label("report.suppressed_note", language, min_cell=doc.min_cell), style="note"))

    for run in runs:
        mc = run.meta.get("min_cell", min_cell)
        aud = audience or run.meta.get("audience", "public")
        doc.add(Heading(1, run.meta.get("name", run.model)))
        if run.meta.get("description"):
            doc.add(Para(run.meta["description"]))
        if not run.sections:
            doc.add(Para(label("report.no_sections", language), style="note"))
        for s in run.sections:
            _section_elements(doc, run, s, language=language, audience=aud, min_cell=mc)

    _methods_appendix(doc, runs, language=language, min_cell=min_cell)
    _provenance_appendix(doc, runs, language=language, audience=doc_audience, min_cell=doc.min_cell,
                         generated=generated or format_timestamp(datetime.now().isoformat(timespec="seconds"),
                                                                   language=language))
    doc.add(Para(label("report.generated", language, version=__version__), style="note"))
    return doc


# ---------------------------------------------------------------- writers
def number_elements(doc: Document) -> None:
    """Number tables and figures in document order (``Taulukko 3.``, ``Kuvio 2.``)."""
    t = f = 0
    for el in doc.elements:
        if isinstance(el, Table) and el.caption:
            t += 1
            el.number = t
        elif isinstance(el, Figure):
            f += 1
            el.number = f


def _caption(el: Table | Figure, language: str) -> str:
    word = label("report.table" if isinstance(el, Table) else "report.figure", language)
    return f"{word} {el.number}. {el.caption}" if el.number else el.caption


def write_markdown(doc: Document, path: Path) -> None:
    number_elements(doc)
    lines = [f"# {doc.title}", ""]
    if doc.subtitle:
        lines += [doc.subtitle, ""]
    esc = lambda s: str(s).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    for el in doc.elements:
        if isinstance(el, Heading):
            lines += ["#" * (el.level + 1) + " " + el.text, ""]
        elif isinstance(el, Para):
            if el.style == "code":
                lines += ["```yaml", el.text, "```", ""]
            elif el.style in {"note", "question"}:
                lines += [f"*{el.text}*", ""]
            elif el.style == "error":
                lines += [f"> **{label('report.failed', doc.language)}:** {el.text}", ""]
            else:
                lines += [el.text, ""]
        elif isinstance(el, Table):
            if el.caption:
                lines += [f"**{_caption(el, doc.language)}**", ""]
            lines.append("| " + " | ".join(esc(h) for h in el.header) + " |")
            align = [(el.numeric[j] if j < len(el.numeric) else False) for j in range(len(el.header))]
            lines.append("|" + "|".join("---:" if a else "---" for a in align) + "|")
            for i, r in enumerate(el.rows):
                if i in el.groups:
                    lines.append(f"| **{esc(el.groups[i])}** |" + " |" * (len(el.header) - 1))
                lines.append("| " + " | ".join(esc(c) for c in r) + " |")
            lines.append("")
            if el.note:
                lines += [f"*{el.note}*", ""]
        elif isinstance(el, Figure):
            rel = el.path.relative_to(path.parent) if el.path.is_relative_to(path.parent) else el.path
            lines += [f"![{el.caption}]({rel.as_posix()})", "", f"*{_caption(el, doc.language)}*", ""]
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


def write_html(doc: Document, path: Path) -> None:
    """One self-contained HTML file: styles inline, figures as data URIs, a table of contents."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    number_elements(doc)
    env = Environment(loader=PackageLoader("evalkit.report", "templates"), autoescape=select_autoescape(["html", "j2"]))
    env.tests["instanceof"] = isinstance

    def _img(p: Path) -> str:
        return "data:image/png;base64," + base64.b64encode(p.read_bytes()).decode("ascii")

    def _img_width(p: Path) -> int:  # CSS pixels (96 per inch) of the figure's own size
        return round(figure_width_cm(p, max_cm=100) / 2.54 * 96)

    toc = []
    for i, el in enumerate(doc.elements):
        if isinstance(el, Heading) and el.level <= 2:
            el.anchor = f"s{i}"
            toc.append(el)
    html = env.get_template("report.html.j2").render(
        doc=doc, Heading=Heading, Para=Para, Table=Table, Figure=Figure, img=_img, img_width=_img_width,
        caption=_caption, toc=toc,
        toc_label=label("report.contents", doc.language), failed_label=label("report.failed", doc.language),
        missing_label=label("report.figure_missing", doc.language),
    )
    path.write_text(html, encoding="utf-8")


def _docx_setup(d, language: str) -> None:
    """A4, margins, body font and proofing language (so Word checks Finnish spelling)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    for sec in d.sections:
        sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
        sec.left_margin = sec.right_margin = Cm(2.2)
        sec.top_margin = sec.bottom_margin = Cm(2.0)
    lang = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}.get(language, language)
    normal = d.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    rpr = normal.element.get_or_add_rPr()
    el = rpr.find(qn("w:lang"))
    if el is None:
        el = OxmlElement("w:lang")
        rpr.append(el)
    el.set(qn("w:val"), lang)  # every style inherits from Normal


def _docx_cell(cell, text: str, *, bold: bool = False, right: bool = False, size: float = 9, mono: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    cell.text = ""
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    run = p.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    if mono:
        run.font.name = "Courier New"
        run.font.size = Pt(7)
    if right:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT


#: width of a character of 9 pt body text and of the bold 9 pt header (cm; DejaVu Sans measured
#: in the LibreOffice render: 0.25 for the header over-reserved, so text columns broke mid-word)
CHAR_CM, HEAD_CHAR_CM = 0.18, 0.2
#: digits are wider than the average letter (measured 0.2 cm at 9 pt): number columns use this
DIGIT_CM = 0.2
#: usable text width of the A4 page set in _docx_setup (21 cm − 2 × 2.2 cm)
_TEXT_WIDTH_CM = 16.6


#: header text of a crowded table is set this much smaller (9 pt → 7.2 pt), so long header words
#: ("Yhteydenottoja") do not squeeze the text columns until "2022" breaks as "202 2"
CROWDED_HEADER_SCALE = 0.8


def header_scale(el: Table, total: float = _TEXT_WIDTH_CM) -> float:
    """1.0, or CROWDED_HEADER_SCALE when the columns' minimum widths do not fit the page."""
    return 1.0 if sum(_minimum_widths(el, 1.0)) <= total else CROWDED_HEADER_SCALE


def _minimum_widths(el: Table, head_scale: float) -> list[float]:
    return [m for m, _d in _column_needs(el, head_scale)]


def _column_needs(el: Table, head_scale: float) -> list[tuple[float, float]]:
    """(minimum, desired) width of each column, cm."""
    n = len(el.header)
    numeric = [(el.numeric[j] if j < len(el.numeric) else False) for j in range(n)]
    out = []
    for j in range(n):
        mono = el.style == "code" and j == n - 1
        # cm per character of 9 pt body text / 7 pt mono, measured on the widest common substitute
        # (DejaVu Sans, which LibreOffice uses without Calibri; Calibri itself is narrower)
        per_char = 0.13 if mono else (DIGIT_CM if numeric[j] else CHAR_CM)
        cells = [str(r[j]) for r in el.rows]
        head_word = max((len(w) for w in str(el.header[j]).split()), default=1) * HEAD_CHAR_CM * head_scale
        if numeric[j]:  # a number never breaks (no-break spaces); an interval may after its dash
            need = max((len(p) for c in cells for p in _unbreakable(c)), default=0) * per_char
        else:
            need = min(max((len(w) for c in cells for w in c.split()), default=1), 64 if mono else 16) * per_char
        minimum = max(head_word, need) + 0.45  # + cell margins
        longest = max([len(str(el.header[j])), *(len(c) for c in cells)])
        out.append((minimum, max(min(longest, 60) * per_char * 0.85 + 0.45, minimum)))
    return out


def column_widths(el: Table, total: float = _TEXT_WIDTH_CM, head_scale: float = 1.0) -> list[float]:
    """Column widths (cm). A number column is as wide as its longest number (numbers never
    wrap); a text column at least as wide as its longest word (capped), so "Ryhmä" never
    breaks as "Ryh-mä"; the rest of the page width is shared in proportion to text length.
    When even the minimums do not fit, only the text columns give way."""
    n = len(el.header)
    numeric = [(el.numeric[j] if j < len(el.numeric) else False) for j in range(n)]
    needs = _column_needs(el, head_scale)
    minimum, desired = [m for m, _ in needs], [d for _, d in needs]
    base = sum(minimum)
    if base >= total:
        fixed = sum(m for m, num in zip(minimum, numeric, strict=True) if num)
        flexible = base - fixed
        scale = max(total - fixed, 0.3 * total) / flexible if flexible else 1.0
        widths = [m if num else m * scale for m, num in zip(minimum, numeric, strict=True)]
        return [w * min(1.0, total / sum(widths)) for w in widths]  # never wider than the page
    extra = sum(d - m for d, m in zip(desired, minimum, strict=True))
    if extra <= 0:
        return [m * total / base for m in minimum]
    share = min(1.0, (total - base) / extra)
    widths = [m + (d - m) * share for d, m in zip(desired, minimum, strict=True)]
    return [w * total / sum(widths) for w in widths]


def _unbreakable(cell: str) -> list[str]:
    """The pieces of a cell a line may not break inside: split at ordinary spaces (numbers
    use no-break spaces) and after an en dash (``17 270 €–148 252 €``)."""
    return [p for part in cell.split(" ") for p in part.replace("–", "–\n").split("\n") if p]


def _docx_shade(cell, fill: str) -> None:
    """Background colour of a table cell (hex RGB)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shade = OxmlElement("w:shd")
    shade.set(qn("w:val"), "clear")
    shade.set(qn("w:color"), "auto")
    shade.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shade)


def _docx_table(d, el: Table, language: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    if el.caption:
        cap = d.add_paragraph(_caption(el, language), style="Caption")
        cap.paragraph_format.keep_with_next = True
    t = d.add_table(rows=1, cols=len(el.header))
    t.style = "Table Grid"
    t.autofit = False
    head_scale = header_scale(el)
    widths = [Cm(w) for w in column_widths(el, head_scale=head_scale)]
    for col, w in zip(t.columns, widths, strict=True):
        col.width = w
    hdr = t.rows[0]
    trpr = hdr._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # header row repeats on each page
    repeat.set(qn("w:val"), "true")
    trpr.append(repeat)
    numeric = [(el.numeric[j] if j < len(el.numeric) else False) for j in range(len(el.header))]
    for j, h in enumerate(el.header):
        cell = hdr.cells[j]
        _docx_cell(cell, h, bold=True, right=numeric[j], size=9 * head_scale)
        cell.width = widths[j]
        _docx_shade(cell, "E8F1F4")
    for i, row in enumerate(el.rows):
        if i in el.groups:  # the group's heading: one merged, shaded cell across the table
            gcells = t.add_row().cells
            merged = gcells[0].merge(gcells[-1]) if len(gcells) > 1 else gcells[0]
            _docx_cell(merged, el.groups[i], bold=True)
            _docx_shade(merged, "F4F8F9")
        cells = t.add_row().cells
        for j, c in enumerate(row):
            _docx_cell(cells[j], str(c), right=numeric[j], mono=el.style == "code" and j == len(row) - 1)
            cells[j].width = widths[j]
    if el.note:
        p = d.add_paragraph()
        r = p.add_run(el.note)
        r.italic = True
    else:
        d.add_paragraph()


#: figures are saved at this resolution (Section.save)
FIGURE_DPI = 150


def figure_width_cm(path: Path, max_cm: float = 15.5) -> float:
    """The figure's own width (its pixels at FIGURE_DPI), capped at the text width: a figure
    drawn small keeps the font size it was designed with instead of being blown up."""
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return max_cm
    width_px = int.from_bytes(head[16:20], "big")  # PNG IHDR width
    return min(max_cm, width_px / FIGURE_DPI * 2.54)


def write_docx(doc: Document, path: Path) -> None:
    """Word file with real heading styles (Heading 1–3), Word tables and embedded figures,
    so a coordinator can paste sections into the funder's template."""
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    number_elements(doc)
    d = Docx()
    _docx_setup(d, doc.language)
    d.core_properties.title = doc.title
    d.core_properties.language = doc.language
    d.core_properties.author = "evalkit"
    d.add_heading(doc.title, level=0)
    if doc.subtitle:
        d.add_paragraph(doc.subtitle)
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
            _docx_table(d, el, doc.language)
        elif isinstance(el, Figure):
            if el.path.exists():
                d.add_picture(str(el.path), width=Cm(figure_width_cm(el.path)))
                d.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
                d.paragraphs[-1].paragraph_format.keep_with_next = True
            else:
                d.add_paragraph(label("report.figure_missing", doc.language), style="Caption")
            d.add_paragraph(_caption(el, doc.language), style="Caption")
    d.save(str(path))


def assemble_report(reports: str | Path, *, formats: list[str] | None = None, language: str | None = None,
                    audience: str | None = None, basename: str = "loppuraportti",
                    audit: bool = True) -> list[Path]:
    """Write ``loppuraportti.{docx,html,md}`` and the combined ``results.csv`` under ``reports``.

    With ``audit`` (default) the written files are scanned afterwards (see
    :mod:`evalkit.report.audit`); a leak raises :class:`~evalkit.errors.PrivacyError` and the
    leaking report files are removed.
    """
    reports = Path(reports)
    runs = load_model_runs(reports)
    combine_results(reports, runs)
    first = runs[0].meta if runs else {}
    language = language or first.get("language", "fi")
    report_opts = first.get("params", {}).get("report", {})
    formats = formats or report_opts.get("formats") or list(FORMATS)
    subtitle = " – ".join(x for x in (report_opts.get("organisation"), report_opts.get("project")) if x)
    min_cell = max([r.meta.get("min_cell", 5) for r in runs] or [5])
    title = report_opts.get("title")
    if title == _DEFAULT_TITLE:  # the schema's default follows the report language
        title = None
    doc = build_document(runs, language=language, title=title, subtitle=subtitle,
                         audience=audience, min_cell=min_cell)
    written = []
    writers = {"md": write_markdown, "html": write_html, "docx": write_docx}
    for fmt in formats:
        out = reports / f"{basename}.{fmt}"
        writers[fmt](doc, out)
        written.append(out)
    written.append(reports / "results.csv")
    (reports / f"{basename}.warnings.txt").unlink(missing_ok=True)
    if doc.warnings:
        (reports / f"{basename}.warnings.txt").write_text("\n".join(doc.warnings) + "\n", encoding="utf-8")
    if audit:
        from .audit import audit_outputs

        result = audit_outputs(reports, runs=runs, document=doc, files=written)
        result.raise_if_failed(remove=[p for p in written if p.suffix in {".docx", ".html", ".md"}])
    return written
