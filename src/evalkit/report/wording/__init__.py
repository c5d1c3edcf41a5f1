"""Evidence-aware report text generated from results (never typed per model).

One module per measure (``wording.reach``, ``wording.visits`` …); shared rules and phrases
live in ``wording.common``.
"""

from .reach import reach_narrative
from .visits import visits_limitations, visits_methods, visits_narrative

__all__ = ["reach_narrative", "visits_limitations", "visits_methods", "visits_narrative"]
