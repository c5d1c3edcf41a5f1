"""Report sections: what one (model × measure) notebook contributes to the final report.

A notebook builds a :class:`Section` from library results and saves it under
``reports/<model>/sections/<measure>.json`` (figures beside it). ``evalkit report`` reads
the saved sections; it formats numbers and applies disclosure control when it renders, so a
section stores raw values with their units.

Block kinds (``Section.blocks``, in order):

* ``paragraph`` — ``text`` with a ``role``: ``narrative``, ``methods``, ``limitations``, ``note``
  or ``appendix`` (methods in full: printed in the report's methods appendix, not in the section);
* ``finding`` — an evidence-aware sentence about one estimate (:meth:`Section.finding`): stored
  as the estimate's key plus the wording options and rendered at output from the *suppressed*
  estimate, so the text follows disclosure control and the summary table repeats its evidence
  level (never more);
* ``estimates`` — a key-figures table of the section's estimates (``indicators`` selects,
  in order; empty = all), ``title``;
* ``table`` — ``title``, ``columns`` (``key``, ``label``, ``unit``, ``count``), ``rows``
  (raw values) and ``note``; columns with ``count: true`` are subject to small-cell
  suppression, ``total_row`` marks a row holding column totals and ``total_col`` the key of a
  column holding row totals (for secondary suppression);
* ``figure`` — ``path`` (relative to the model's report directory), ``caption``,
  ``audience`` (``public`` or ``internal``: internal figures never reach a public report),
  ``min_n`` (the smallest group the figure shows: below ``min_cell`` a public report replaces
  the figure by a note) and ``individual`` (individual-level points: internal only).

The data flow is read from the loaded :class:`~evalkit.data.Dataset` when the section is
saved (``flow_source``), so ``data.set_analysed(...)`` calls made after ``ctx.section()``
show up; rows added with :meth:`Section.add_flow` take precedence.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ..results import Estimate

__all__ = ["SECTION_VERSION", "Column", "Section", "load_section"]

SECTION_VERSION = 1

Role = Literal["narrative", "methods", "limitations", "note", "appendix"]
Audience = Literal["public", "internal"]
ROLES: tuple[str, ...] = Role.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: ``unit`` is a results unit (see ``evalkit.results.UNITS``) or
    ``text``/``date``; ``count=True`` marks counts of people subject to suppression."""

    key: str
    label: str
    unit: str = "text"
    count: bool = False


def _jsonable(x: Any) -> Any:
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return None
    if isinstance(x, (date, datetime, pd.Timestamp)):
        return x.isoformat()[:10]
    if x is pd.NA or x is pd.NaT:
        return None
    if hasattr(x, "item"):  # numpy scalar
        return _jsonable(x.item())
    return x


@dataclass
class Section:
    """Content of one measure's subsection for one operating model."""

    model: str
    measure: str
    title: str
    question: str | None = None
    status: Literal["ok", "failed"] = "ok"
    error: str | None = None
    blocks: list[dict[str, Any]] = field(default_factory=list)
    estimates: list[Estimate] = field(default_factory=list)
    flow: list[dict[str, Any]] = field(default_factory=list)
    headline: list[str] = field(default_factory=list)
    language: str = "fi"
    #: report labels of this section's indicators (override the locale catalogue)
    labels: dict[str, str] = field(default_factory=dict)
    _figures: int = 0
    #: called at save time when no flow was added explicitly (set by ``ModelContext``)
    flow_source: Callable[[], Iterable[Any]] | None = field(default=None, repr=False, compare=False)

    # -------------------------------------------------------------- building
    def paragraph(self, text: Any, role: Role = "narrative") -> Section:
        """Add text; ``text`` may be a wording ``Claim`` (its sentence is used)."""
        if role not in ROLES:
            raise ValueError(f"paragraph role must be one of {', '.join(ROLES)}, got {role!r}")
        text = getattr(text, "sentence", text)
        self.blocks.append({"kind": "paragraph", "role": role, "text": str(text)})
        return self

    def key_figures(self, indicators: list[str] | None = None, title: str | None = None) -> Section:
        """Key-figures table of the section's estimates (``indicators`` selects and orders;
        ``title`` defaults to the report language's "Keskeiset tunnusluvut")."""
        self.blocks.append({"kind": "estimates", "title": title or "", "indicators": indicators or []})
        return self

    def table(
        self,
        frame: pd.DataFrame,
        columns: list[Column],
        *,
        title: str,
        note: str = "",
        total_row: int | None = None,
        total_col: str | None = None,
    ) -> Section:
        """Add a table of raw values; ``columns`` say how to label, format and protect them.

        ``total_row`` (row index) / ``total_col`` (column key): the row / column holding totals,
        so that secondary suppression keeps a hidden count from being worked out by subtraction.
        """
        missing = [c.key for c in columns if c.key not in frame.columns]
        if missing:
            raise KeyError(f"table '{title}': no column(s) {missing}")
        if total_col is not None and total_col not in [c.key for c in columns]:
            raise KeyError(f"table '{title}': total_col {total_col!r} is not one of its columns")
        rows = [[_jsonable(v) for v in rec] for rec in frame[[c.key for c in columns]].itertuples(index=False)]
        self.blocks.append(
            {
                "kind": "table",
                "title": title,
                "columns": [asdict(c) for c in columns],
                "rows": rows,
                "note": note,
                "total_row": total_row,
                "total_col": total_col,
            }
        )
        return self

    def figure(self, fig, caption: str, *, audience: Audience = "public", min_n: int | None = None,
               individual: bool = False) -> Section:
        """Add a matplotlib figure; it is written as PNG when the section is saved.

        ``min_n``: the smallest number of people behind any bar, point or curve shown (a
        public report drops the figure when it is below ``min_cell``); ``individual=True``:
        the figure shows individual people (internal audience only).
        """
        if audience not in ("public", "internal"):
            raise ValueError(f"figure '{caption}': audience must be 'public' or 'internal', got {audience!r}")
        self._figures += 1
        name = f"{self.measure}_{self._figures}.png"
        self.blocks.append({"kind": "figure", "path": f"figures/{name}", "caption": caption,
                            "audience": "internal" if individual else audience,
                            "min_n": None if min_n is None else int(min_n), "_fig": fig})
        return self

    def finding(
        self,
        estimate: Estimate,
        *,
        subject: str,
        null: float | None = None,
        comparison: bool = False,
        up: str | None = None,
        down: str | None = None,
        level: bool = False,
        in_text: bool = True,
    ) -> Section:
        """Add an evidence-aware sentence about ``estimate`` (see ``report.wording.common``).

        ``level=True`` describes a level (a rate, a median) instead of a change. The sentence
        is rendered again at output from the suppressed estimate; ``comparison=True`` only
        when the estimate compares the model's clients with a comparison group. The
        estimate is added to the section's estimates if it is not there yet.
        ``in_text=False`` records the evidence for the summary table without printing the
        sentence (when the measure's own narrative already covers the estimate).
        """
        if not any(e.indicator == estimate.indicator and e.group == estimate.group for e in self.estimates):
            self.estimates.append(estimate)
        opts = {"subject": subject, "null": null, "comparison": bool(comparison), "up": up, "down": down,
                "level": bool(level), "in_text": bool(in_text)}
        self.blocks.append({"kind": "finding", "indicator": estimate.indicator, "group": estimate.group, **opts})
        return self

    def methods(self, text: str, *, limitations: str | None = None, full: str | None = None) -> Section:
        """Methods (and limitations) paragraph of the subsection; ``full`` goes to the methods appendix."""
        self.paragraph(text, role="methods")
        if limitations:
            self.paragraph(limitations, role="limitations")
        if full:
            self.paragraph(full, role="appendix")
        return self

    def add_estimates(self, estimates, *, headline: list[Any] | None = None) -> Section:
        """Result rows of the section; ``headline`` indicators open the report's summary table.

        A headline entry is an indicator id (all its groups) or an ``(indicator, group)``
        pair (one row, e.g. ``("groups_running_achievement", "year:2025")``).
        """
        self.estimates.extend(estimates)
        for h in headline or []:
            key = h if isinstance(h, str) else f"{h[0]}|{h[1]}"
            if key not in self.headline:
                self.headline.append(key)
        return self

    def label_indicators(self, labels: dict[str, str]) -> Section:
        """Report labels of indicators (``{indicator id: label}``) when the catalogue has none
        (e.g. reach indicators named in params)."""
        self.labels.update(labels)
        return self

    def is_headline(self, e: Estimate) -> bool:
        return e.indicator in self.headline or f"{e.indicator}|{e.group}" in self.headline

    def add_flow(self, flow) -> Section:
        """Data flow rows (read → accepted → rejected → analysed) of each input table."""
        self.flow.extend(_flow_rows(flow))
        return self

    def claims(self, language: str | None = None, min_cell: int | None = None) -> list[Any]:
        """The :class:`~evalkit.report.wording.common.Claim` of every finding (suppressed when
        ``min_cell`` is given), in order; ``None`` for a finding whose estimate is missing."""
        from .suppress import suppress_estimates

        lang = language or self.language
        shown = suppress_estimates(self.estimates, min_cell) if min_cell else list(self.estimates)
        return [finding_claim(b, shown, lang) for b in self.blocks if b["kind"] == "finding"]

    def _repr_html_(self) -> str:
        """A preview of the section in a notebook (text and tables; no suppression applied)."""
        import html as _html

        claims = iter(self.claims())
        parts = [f"<h3>{_html.escape(self.question or self.title)}</h3>"]
        for b in self.blocks:
            if b["kind"] == "paragraph":
                parts.append(f"<p><em>[{b['role']}]</em> {_html.escape(b['text'])}</p>")
            elif b["kind"] == "finding":
                c = next(claims, None)
                if c is not None:
                    parts.append(f"<p><em>[{c.evidence}]</em> {_html.escape(c.sentence)}</p>")
            elif b["kind"] == "table":
                parts.append(f"<p><em>[taulukko]</em> {_html.escape(b['title'])}: {len(b['rows'])} riviä</p>")
            elif b["kind"] == "figure":
                parts.append(f"<p><em>[kuvio, {b['audience']}]</em> {_html.escape(b['caption'])}</p>")
            elif b["kind"] == "estimates":
                parts.append(f"<p><em>[tunnusluvut]</em> {_html.escape(b['title'])}</p>")
        return "\n".join(parts)

    # -------------------------------------------------------------- saving
    def to_dict(self) -> dict[str, Any]:
        blocks = [{k: v for k, v in b.items() if not k.startswith("_")} for b in self.blocks]
        return {
            "version": SECTION_VERSION,
            "model": self.model,
            "measure": self.measure,
            "title": self.title,
            "question": self.question,
            "status": self.status,
            "error": self.error,
            "blocks": blocks,
            "estimates": [{k: _jsonable(v) for k, v in asdict(e).items()} for e in self.estimates],
            "flow": self.current_flow(),
            "headline": self.headline,
            "language": self.language,
            "labels": self.labels,
        }

    def current_flow(self) -> list[dict[str, Any]]:
        """Flow rows added explicitly, else those of ``flow_source`` read now."""
        if self.flow or self.flow_source is None:
            return list(self.flow)
        return _flow_rows(self.flow_source() or [])

    def save(self, model_dir: str | Path) -> Path:
        """Write ``sections/<measure>.json`` and its figures under ``model_dir``."""
        import matplotlib

        model_dir = Path(model_dir)
        (model_dir / "sections").mkdir(parents=True, exist_ok=True)
        for b in self.blocks:
            fig = b.get("_fig")
            if fig is not None:
                target = model_dir / b["path"]
                target.parent.mkdir(parents=True, exist_ok=True)
                with matplotlib.rc_context({"svg.hashsalt": "evalkit"}):
                    fig.savefig(target, dpi=150, bbox_inches="tight", metadata={"Software": None})
        path = model_dir / "sections" / f"{self.measure}.json"
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1, sort_keys=False) + "\n",
                        encoding="utf-8")
        return path


def load_section(path: str | Path) -> Section:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    estimates = [Estimate(**e) for e in data.get("estimates", [])]
    return Section(
        model=data["model"],
        measure=data["measure"],
        title=data["title"],
        question=data.get("question"),
        status=data.get("status", "ok"),
        error=data.get("error"),
        blocks=data.get("blocks", []),
        estimates=estimates,
        flow=data.get("flow", []),
        headline=data.get("headline", []),
        language=data.get("language", "fi"),
        labels=data.get("labels", {}),
    )


def finding_claim(block: dict[str, Any], estimates: list[Estimate], language: str) -> Any:
    """The Claim of one ``finding`` block, from ``estimates`` (already suppressed), or None."""
    from .wording.common import change_claim, level_claim

    e = next((x for x in estimates if x.indicator == block["indicator"] and x.group == block["group"]), None)
    if e is None:
        return None
    if block.get("level"):
        return level_claim(e, subject=block["subject"], language=language)
    return change_claim(e, subject=block["subject"], null=block.get("null"), comparison=block.get("comparison", False),
                        up=block.get("up"), down=block.get("down"), language=language)


def _flow_rows(flow: Iterable[Any]) -> list[dict[str, Any]]:
    rows = []
    for f in flow:
        d = asdict(f) if hasattr(f, "__dataclass_fields__") else dict(f)
        rows.append({k: ({kk: _jsonable(vv) for kk, vv in v.items()} if isinstance(v, dict) else _jsonable(v))
                     for k, v in d.items()})
    return rows
