"""The ITS limitation sentence: the waiting and visits texts say when the monthly errors are
positively autocorrelated (``ItsResult.autocorrelated``) and stay silent when they are not."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from evalkit.measures.visits import visits
from evalkit.measures.waiting import waiting_times
from evalkit.report.wording import (
    visits_methods,
    visits_narrative,
    waiting_methods,
    waiting_narrative,
)
from evalkit.report.wording.its import its_autocorrelation_sentence
from evalkit.stats.its import segmented_regression

from .test_stats_its import ar1_share_series
from .test_waiting import OPTIONS, WAITS

GAUSSIAN = {"outcome": "share", "change": "2024-03", "family": "gaussian", "weights": "cases",
            "se": "conservative_ar1"}


@pytest.fixture(scope="module")
def waiting():
    return waiting_times(WAITS, **OPTIONS)


def test_waiting_text_without_autocorrelation(waiting) -> None:
    assert waiting.its is not None and not waiting.its.autocorrelated  # φ̂ < 0 on this series
    text = waiting_narrative(waiting)
    assert "samansuuntaisia" not in text and "liian kapea" not in text
    assert "AR(1)" in waiting_methods(waiting)  # the method is described either way


def test_waiting_text_with_autocorrelation(waiting) -> None:
    strong = segmented_regression(ar1_share_series(0.7, 1, binomial=False), **GAUSSIAN)
    assert strong.autocorrelated
    text = waiting_narrative(dataclasses.replace(waiting, its=strong))
    phi = f"{strong.ar1_phi:.2f}".replace(".", ",")
    assert f"AR(1)-kerroin φ = {phi}" in text and "liian kapea" in text
    assert text.index("vertailuryhmää") < text.index("samansuuntaisia")  # after the ITS sentence


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_sentence_in_every_language(language: str) -> None:
    strong = segmented_regression(ar1_share_series(0.7, 1, binomial=False), **GAUSSIAN)
    for measure in ("waiting", "visits"):
        text = its_autocorrelation_sentence(strong, measure, language=language)
        assert text and "{" not in text and "φ = " in text
        assert re.search(r"p (=|<) 0[.,]\d{3}", text)
    assert its_autocorrelation_sentence(None, "waiting", language=language) == ""
    none = segmented_regression(ar1_share_series(0.0, 2), **GAUSSIAN)
    assert not none.autocorrelated and its_autocorrelation_sentence(none, "visits", language=language) == ""


def _visits_result(rho: float, seed: int):
    """Visits of 40 clients over 36 months, ~300 a month, the monthly log-rate carrying AR(1)
    noise of coefficient ``rho`` (sd 0.08); a level change at 2024-01."""
    rng = np.random.default_rng(seed)
    months = pd.period_range("2022-01", "2024-12", freq="M")
    e = np.zeros(len(months))
    for i in range(1, len(months)):
        e[i] = rho * e[i - 1] + rng.normal(0, 0.08)
    rate = 300 * np.exp(e) * np.where(months >= pd.Period("2024-01", "M"), 0.8, 1.0)
    counts = rng.poisson(rate)
    dates = np.concatenate([m.start_time + pd.to_timedelta(rng.integers(0, 28, k), unit="D")
                            for m, k in zip(months, counts, strict=True)])
    ids = [f"c{i}" for i in range(40)]
    v = pd.DataFrame({"client_id": rng.choice(ids, len(dates)), "date": dates})
    c = pd.DataFrame({"client_id": ids, "index_date": pd.Timestamp("2023-03-01")
                      + pd.to_timedelta(rng.integers(0, 300, 40), unit="D")})
    return visits(v, c, seed=1, bootstrap_reps=200, data_start="2022-01-01", data_cutoff="2024-12-31",
                  its_change="2024-01-01", its_harmonics=0)


def test_visits_text_says_when_the_poisson_interval_is_not_corrected() -> None:
    strong = _visits_result(0.8, 3)
    assert strong.its.autocorrelated
    text = visits_narrative(strong)
    assert "Poisson-mallin luottamusväliä ei ole korjattu" in text and "liian kapea" in text
    assert "AR(1)-korjausta ei ole käytettävissä" in visits_methods(strong)
    independent = _visits_result(0.0, 4)
    assert not independent.its.autocorrelated
    text = visits_narrative(independent)
    assert "tasomuutos" in text and "samansuuntaisia" not in text
