"""Evidence-aware report text generated from results (never typed per model).

One module per measure (``wording.reach``, ``wording.visits`` …); shared rules and phrases
live in ``wording.common``.
"""

from .common import Claim, causal_phrases, change_claim, evidence_level, level_claim
from .costs import costs_limitations, costs_methods, costs_narrative
from .employment import (
    employment_limitations,
    employment_methods,
    employment_narrative,
    fidelity_item_label,
    fidelity_narrative,
)
from .reach import reach_labels, reach_methods, reach_narrative, reach_subject
from .symptoms import symptoms_limitations, symptoms_methods, symptoms_narrative
from .visits import visits_limitations, visits_methods, visits_narrative
from .waiting import waiting_methods, waiting_narrative

__all__ = [
    "Claim",
    "causal_phrases",
    "change_claim",
    "costs_limitations",
    "costs_methods",
    "costs_narrative",
    "employment_limitations",
    "employment_methods",
    "employment_narrative",
    "evidence_level",
    "fidelity_item_label",
    "fidelity_narrative",
    "level_claim",
    "reach_labels",
    "reach_methods",
    "reach_narrative",
    "reach_subject",
    "symptoms_limitations",
    "symptoms_methods",
    "symptoms_narrative",
    "visits_limitations",
    "visits_methods",
    "visits_narrative",
    "waiting_methods",
    "waiting_narrative",
]
