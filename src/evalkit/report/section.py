"""Report sections: what one (model × measure) notebook contributes to the final report.

A notebook builds a :class:`Section` from library results and saves it under
``reports/<model>/sections/<measure>.json`` (figures beside it). ``evalkit report`` reads
the saved sections; it formats numbers and applies disclosure control when it renders, so a
section stores raw values with their units.

Block kinds (``Section.blocks``, in order):

* ``paragraph`` — ``text`` with a ``role``: ``narrative``, ``methods``, ``limitations`` or ``note``;
* ``estimates`` — a key-figures table of the section's estimates (``indicators`` selects,
  in order; empty = all), ``title``;
* ``table`` — ``title``, ``columns`` (``key``, ``label``, ``unit``, ``count``), ``rows``
  (raw values) and ``note``; columns with ``count: true`` are subject to small-cell
  suppression, ``total_row`` marks a row holding column totals (for secondary suppression);
* ``figure`` — ``path`` (relative to the model's report directory), ``caption``,
  ``audience`` (``public`` or ``internal``: internal figures never reach a public report).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from ..results import Estimate

__all__ = ["SECTION_VERSION", "Column", "Section", "load_section"]

SECTION_VERSION = 1

Role = Literal["narrative", "methods", "limitations", "note"]


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
    _figures: int = 0

    # -------------------------------------------------------------- building
    def paragraph(self, text: str, role: Role = "narrative") -> Section:
        self.blocks.append({"kind": "paragraph", "role": role, "text": text})
        return self

    def key_figures(self, indicators: list[str] | None = None, title: str = "Keskeiset tunnusluvut") -> Section:
        self.blocks.append({"kind": "estimates", "title": title, "indicators": indicators or []})
        return self

    def table(
        self,
        frame: pd.DataFrame,
        columns: list[Column],
        *,
        title: str,
        note: str = "",
        total_row: int | None = None,
    ) -> Section:
        """Add a table of raw values; ``columns`` say how to label, format and protect them."""
        missing = [c.key for c in columns if c.key not in frame.columns]
        if missing:
            raise KeyError(f"table '{title}': no column(s) {missing}")
        rows = [[_jsonable(v) for v in rec] for rec in frame[[c.key for c in columns]].itertuples(index=False)]
        self.blocks.append(
            {
                "kind": "table",
                "title": title,
                "columns": [asdict(c) for c in columns],
                "rows": rows,
                "note": note,
                "total_row": total_row,
            }
        )
        return self

    def figure(self, fig, caption: str, *, audience: Literal["public", "internal"] = "public") -> Section:
        """Add a matplotlib figure; it is written as PNG when the section is saved."""
        self._figures += 1
        name = f"{self.measure}_{self._figures}.png"
        self.blocks.append({"kind": "figure", "path": f"figures/{name}", "caption": caption,
                            "audience": audience, "_fig": fig})
        return self

    def add_estimates(self, estimates, *, headline: list[str] | None = None) -> Section:
        """Result rows of the section; ``headline`` indicators open the report's summary table."""
        self.estimates.extend(estimates)
        if headline:
            self.headline.extend(h for h in headline if h not in self.headline)
        return self

    def add_flow(self, flow) -> Section:
        """Data flow rows (read → accepted → rejected → analysed) of each input table."""
        for f in flow:
            self.flow.append({k: _jsonable(v) for k, v in (asdict(f) if hasattr(f, "__dataclass_fields__") else dict(f)).items()})
        return self

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
            "flow": self.flow,
            "headline": self.headline,
        }

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
    )
