"""Report sentences about the interrupted time series' residual autocorrelation, shared by
the waiting-times and visits wording.

``ItsResult.autocorrelated`` (one-sided restricted likelihood-ratio test of an AR(1)
error, 5 %) decides whether the sentence appears; the words come from the catalogues
(``waiting.its.*`` in ``locales/<language>/waiting.yaml``, ``visits.its.*`` in
``visits.yaml``).
"""

from __future__ import annotations

from ..fmt import format_number
from ..i18n import label

__all__ = ["its_autocorrelation_sentence"]

#: coverage of the waiting measure's 95 % interval on the AR(1) design of
#: ``benchmarks/coverage_study.py`` (row ``its_level_change_ar1``, 1000 replicates)
AR1_DESIGN_COVERAGE = 0.926


def _p_value(p: float, language: str) -> str:
    if p < 0.001:
        return "< " + format_number(0.001, 3, language=language)
    return "= " + format_number(p, 3, language=language)


def its_autocorrelation_sentence(its, measure: str, *, language: str = "fi") -> str:
    """The limitation sentence for ``its`` (an ``ItsResult``) when its monthly errors are
    positively autocorrelated, else ``""``. ``measure``: ``"waiting"`` (Gaussian shares, the
    interval includes the AR(1) standard error) or ``"visits"`` (Poisson counts, not
    corrected)."""
    if its is None or not its.autocorrelated:
        return ""
    phi = format_number(its.ar1_phi, 2, language=language)
    p = _p_value(its.ar1_p_value, language)
    if measure == "waiting":
        cov = format_number(AR1_DESIGN_COVERAGE * 100, 0, language=language)
        return label("waiting.its.autocorrelated", language, phi=phi, p=p, coverage=cov)
    return label("visits.its.autocorrelated", language, phi=phi, p=p)
