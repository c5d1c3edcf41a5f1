"""evalkit — reproducible impact evaluation of operating models (toimintamallit).

The public API: load params, load and validate data, compute measures, write report
sections. Everything else is internal.
"""

from __future__ import annotations

from ._version import __version__
from .context import ModelContext, open_model
from .data import Dataset, load_tables
from .errors import AnalysisError, DataError, EvalkitError, ParamsError, PrivacyError
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
