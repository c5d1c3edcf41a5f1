"""evalkit — reproducible impact evaluation of operating models (toimintamallit).

The public API: load params, load and validate data, compute measures, write report
sections. Everything else is internal.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._version import __version__
from .errors import AnalysisError, DataError, EvalkitError, ParamsError, PrivacyError

if TYPE_CHECKING:  # the real imports, for type checkers and IDEs
    from .context import ModelContext, open_model
    from .data import Dataset, load_tables
    from .measures.costs import CostsResult, costs
    from .measures.employment import EmploymentResult, client_outcomes, employment_outcomes
    from .measures.fidelity import FidelityResult, fidelity_reviews
    from .measures.reach import ReachResult, reach
    from .measures.symptoms import SymptomsResult, symptoms
    from .measures.visits import VisitsResult, visits
    from .measures.waiting import WaitingResult, waiting_times
    from .params import Params, load_params
    from .report.section import Column, Section
    from .results import RESULT_COLUMNS, Estimate, MeasureResult

#: public name → module that defines it. Imported on first use (PEP 562), so that
#: ``evalkit`` on the command line does not pay for pandas/scipy/statsmodels when a
#: command (``evalkit run`` with everything cached, ``evalkit list``) does not need them.
_LAZY = {
    "ModelContext": ".context",
    "open_model": ".context",
    "Dataset": ".data",
    "load_tables": ".data",
    "CostsResult": ".measures.costs",
    "costs": ".measures.costs",
    "EmploymentResult": ".measures.employment",
    "client_outcomes": ".measures.employment",
    "employment_outcomes": ".measures.employment",
    "FidelityResult": ".measures.fidelity",
    "fidelity_reviews": ".measures.fidelity",
    "ReachResult": ".measures.reach",
    "reach": ".measures.reach",
    "SymptomsResult": ".measures.symptoms",
    "symptoms": ".measures.symptoms",
    "VisitsResult": ".measures.visits",
    "visits": ".measures.visits",
    "WaitingResult": ".measures.waiting",
    "waiting_times": ".measures.waiting",
    "Params": ".params",
    "load_params": ".params",
    "Column": ".report.section",
    "Section": ".report.section",
    "RESULT_COLUMNS": ".results",
    "Estimate": ".results",
    "MeasureResult": ".results",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "RESULT_COLUMNS",
    "AnalysisError",
    "Column",
    "CostsResult",
    "DataError",
    "EmploymentResult",
    "Dataset",
    "Estimate",
    "EvalkitError",
    "FidelityResult",
    "MeasureResult",
    "ModelContext",
    "Params",
    "ParamsError",
    "PrivacyError",
    "ReachResult",
    "VisitsResult",
    "Section",
    "SymptomsResult",
    "WaitingResult",
    "__version__",
    "client_outcomes",
    "costs",
    "employment_outcomes",
    "fidelity_reviews",
    "load_params",
    "load_tables",
    "open_model",
    "reach",
    "symptoms",
    "visits",
    "waiting_times",
]
