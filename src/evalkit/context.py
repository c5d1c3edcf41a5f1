"""What a measure notebook needs: params, validated data and a section to fill.

A notebook's first cells are::

    model = "ips"          # parameters cell (papermill injects the real values)
    params_file = None
    data_root = None
    out_dir = None

    ctx = evalkit.open_model(model, measure="visits", params_file=params_file,
                             data_root=data_root, out_dir=out_dir)
    data = ctx.load()

Run interactively (``out_dir = None``) nothing is written; under ``evalkit run`` the
section and its figures are saved to ``reports/<model>/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .data import Dataset, load_tables
from .params import REQUIRED_TABLES, Params, load_params
from .paths import data_root as default_data_root
from .paths import params_dir
from .report.i18n import label
from .report.section import Column, Section

__all__ = ["ModelContext", "open_model"]


@dataclass
class ModelContext:
    """Params, data root and output directory of one (model × measure) run."""

    params: Params
    measure: str
    data_root: Path
    out_dir: Path | None
    _section: Section | None = field(default=None, repr=False)
    _data: Dataset | None = field(default=None, repr=False)

    @property
    def language(self) -> str:
        return self.params.language

    def text(self, key: str, **fmt: object) -> str:
        """A notebook's own words (table titles, column labels, captions, notes) in the
        report language: ``notebook.<measure>.<key>`` of the label catalogues
        (``report/locales/<language>/<measure>.yaml``), formatted with ``fmt``. Notebooks hold
        no Finnish literals, so ``language: sv`` / ``en`` changes them without code changes."""
        return label(f"notebook.{self.measure}.{key}", self.language, **fmt)

    def column(self, key: str, unit: str = "text", *, count: bool = False, label_key: str | None = None,
               **fmt: object) -> Column:
        """A table column headed by the notebook's catalogue word (``columns.<key>``, or
        ``label_key``): ``ctx.column("clients", "persons", count=True)``."""
        return Column(key, self.text(label_key or f"columns.{key}", **fmt), unit, count)

    def load(self, tables: list[str] | None = None) -> Dataset:
        """Load and validate the tables this measure needs (and any optional ones configured)."""
        wanted = tables if tables is not None else [t for t in self.params.tables if t in _tables_for(self.measure)]
        rejects = self.out_dir / "rejects" if self.out_dir is not None else None
        self._data = load_tables(self.params, self.data_root, wanted, rejects_dir=rejects)
        return self._data

    def section(self) -> Section:
        """The report section of this run (created once).

        Its data flow is read from the loaded data when the section is saved, not when it is
        created, so ``data.set_analysed(...)`` after this call is included.
        """
        if self._section is None:
            self._section = Section(
                model=self.params.model,
                measure=self.measure,
                title=label(f"measures.{self.measure}", self.language),
                question=self.params.questions.get(self.measure),  # type: ignore[call-overload]
                language=self.language,
                flow_source=self._current_flow,
            )
        return self._section

    def _current_flow(self) -> list:
        return list(self._data.flow) if self._data is not None else []

    def save(self) -> Path | None:
        """Write the section (and figures) when running under ``evalkit run``."""
        if self.out_dir is None or self._section is None:
            return None
        return self._section.save(self.out_dir)


#: tables each measure reads when present, beyond the required ones
OPTIONAL_TABLES: dict[str, tuple[str, ...]] = {
    "visits": (),
    "employment": ("fidelity",),
    "symptoms": ("visits",),
    "costs": ("employment", "questionnaires", "intervention_costs"),
    "reach": ("clients", "visits"),
    "waiting": (),
}


def _tables_for(measure: str) -> tuple[str, ...]:
    return REQUIRED_TABLES[measure] + OPTIONAL_TABLES.get(measure, ())


def open_model(
    model: str,
    *,
    measure: str,
    params_file: str | Path | None = None,
    data_root: str | Path | None = None,
    out_dir: str | Path | None = None,
) -> ModelContext:
    """Context for one measure notebook; defaults find ``params/<model>.yaml`` and ``data/``."""
    pfile = Path(params_file) if params_file else params_dir() / f"{model}.yaml"
    params = load_params(pfile)
    if out_dir:  # a published run: displayed results follow disclosure control too
        from .report.suppress import set_display_min_cell

        set_display_min_cell(params.min_cell)
    return ModelContext(
        params=params,
        measure=measure,
        data_root=Path(data_root) if data_root else default_data_root(),
        out_dir=Path(out_dir) if out_dir else None,
    )
