"""Domain errors. Every error says what to fix; the CLI prints ``str(err)`` without a traceback.

Exit codes used by the command line:

* 0 — everything ran;
* 1 — some analysis failed (the report says which and why);
* 2 — usage, parameter or data validation error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "EXIT_ANALYSIS_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "AnalysisError",
    "DataError",
    "DataProblem",
    "EvalkitError",
    "ParamsError",
    "PrivacyError",
]

EXIT_OK = 0
EXIT_ANALYSIS_FAILED = 1
EXIT_USAGE = 2


class EvalkitError(Exception):
    """Base class of evalkit's own errors; ``exit_code`` is what the CLI returns."""

    exit_code: int = EXIT_USAGE

    @property
    def public_message(self) -> str:
        """Message safe for a published report (no data values)."""
        return str(self)


class ParamsError(EvalkitError):
    """A params file is invalid. ``problems`` holds one line per problem:
    ``params/ips.yaml: visits.pre_window: expected two integers, got "12kk"``."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True, slots=True)
class DataProblem:
    """One problem found in an input table.

    ``row`` is the row number as the user sees it in the file (header = row 1), or ``None``
    when the problem concerns the whole file or a column.
    """

    file: str
    rule: str
    row: int | None = None
    column: str | None = None
    value: object = None
    table: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        if self.value is not None:
            parts.append(f"value {_quote(self.value)}")
        return ", ".join(parts) + f": {self.rule}"

    def public(self) -> str:
        """The problem without the offending value (for published outputs)."""
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts) + f": {self.rule}"


def _quote(value: object) -> str:
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f'"{text}"'


@dataclass(eq=False)
class DataError(EvalkitError):
    """Input data violate the data contract.

    Holds every problem found (``problems``); ``str()`` lists up to ``max_shown`` of them,
    one per line, each naming file, row, column and value.
    """

    problems: list[DataProblem] = field(default_factory=list)
    max_shown: int = 20
    exit_code: int = EXIT_USAGE

    def __post_init__(self) -> None:
        Exception.__init__(self, self._render(public=False))

    def _render(self, *, public: bool) -> str:
        shown = self.problems[: self.max_shown]
        lines = [p.public() if public else str(p) for p in shown]
        rest = len(self.problems) - len(shown)
        if rest > 0:
            lines.append(f"... and {rest} more problem(s) of the same kind")
        return "\n".join(lines) if lines else "invalid data"

    def __str__(self) -> str:
        return self._render(public=False)

    @property
    def public_message(self) -> str:
        return self._render(public=True)


class PrivacyError(DataError):
    """Input contains something that must not be processed (e.g. a henkilötunnus)."""


class AnalysisError(EvalkitError):
    """An analysis could not be computed from valid data (e.g. too few clients)."""

    exit_code = EXIT_ANALYSIS_FAILED
