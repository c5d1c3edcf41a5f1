"""Synthetic demo data for six operating models, with known truth.

``write_demo_data(out, seed=DEMO_SEED)`` writes each model's tables under ``out/<model>/``
(mixed formats: Finnish-dialect CSV in cp1252, international CSV, Excel, Parquet), the
example reference data (unit costs, price index) under ``out/../reference/`` and
``out/TRUTH.yaml``: every generating parameter and the true value of each headline
estimate (``headline:`` rows keyed by the results.csv ids model, measure, indicator and
group, each with its estimand stated, and where the generator can compute it the
``sample_value`` of the realised sample). The same seed writes byte-identical files. Each model draws from its own
random stream (``SeedSequence([seed, model])``), so the models are independent.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from ..._version import __version__
from . import (
    hoitotakuu,
    hyvinvointilahete,
    ips,
    matalan_kynnyksen_ryhmat,
    terapiat_etulinjaan,
    tyottomien_tyokyky,
)
from ._common import CUTOFF, DATA_START, DEMO_SEED, Output, child_rng
from .reference import write_reference

__all__ = ["DEMO_SEED", "MODELS", "read_truth", "write_demo_data"]

#: model id → generator module (each has ``write(rng, out) -> truth dict``)
MODELS = {
    "ips": ips,
    "terapiat_etulinjaan": terapiat_etulinjaan,
    "tyottomien_tyokyky": tyottomien_tyokyky,
    "hyvinvointilahete": hyvinvointilahete,
    "matalan_kynnyksen_ryhmat": matalan_kynnyksen_ryhmat,
    "hoitotakuu": hoitotakuu,
}


def write_demo_data(
    out: Path,
    *,
    seed: int = DEMO_SEED,
    params_dir: Path | None = None,
    reference_dir: Path | None = None,
    models: list[str] | None = None,
) -> list[Path]:
    """Write the demo data of ``models`` (default: all six) under ``out``; return the files written.

    ``reference_dir`` (default ``out.parent / "reference"``) receives the example unit costs
    and price index the cost measures read. ``params_dir``, when given, receives copies of the
    project's ``params/<model>.yaml`` files for the demo models.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    writer = Output(out)
    truths: dict[str, dict] = {}
    headline: list[dict] = []
    for name in models or list(MODELS):
        t = MODELS[name].write(child_rng(seed, name), writer)
        headline.extend(t.pop("headline"))
        truths[name] = t
    written = list(writer.written)
    written += write_reference(Path(reference_dir) if reference_dir else out.parent / "reference")
    doc = {
        "about": ("Truth of the evalkit demo data: every generating parameter and the true value of each "
                  "headline estimate. Headline rows are keyed by the stable ids of the pipeline's results.csv "
                  "(model, measure, indicator, group). 'value' is a property of the generating model (population "
                  "value), not of this sample, unless the estimand says 'fixed by design'; the 95 % interval of "
                  "the estimate should contain it. 'sample_value', where given, is the same statistic computed "
                  "by the generator's own rules on this sample: the estimate must reproduce it. The generators "
                  "allocate outcome counts exactly and match the moments of latent draws where a plain random "
                  "sample could land far from the population value (see each model's parameters), so for the "
                  "default seed every interval contains its value."),
        "generator": f"evalkit {__version__} (evalkit.data.demo)",
        "seed": seed,
        "data_start": DATA_START.isoformat(),
        "data_cutoff": CUTOFF.isoformat(),
        "headline": headline,
        "models": truths,
    }
    truth = out / "TRUTH.yaml"
    truth.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
    written.append(truth)
    if params_dir is not None:
        from ...paths import params_dir as project_params

        params_dir = Path(params_dir)
        params_dir.mkdir(parents=True, exist_ok=True)
        for name in [*(models or list(MODELS)), "defaults"]:
            src = project_params() / f"{name}.yaml"
            if src.is_file():
                written.append(Path(shutil.copyfile(src, params_dir / src.name)))
    return written


def read_truth(path: Path) -> dict:
    """The truth file as a dict; ``headline`` rows keyed by (model, measure, indicator, group)."""
    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    doc["by_key"] = {(h["model"], h["measure"], h["indicator"], h["group"]): h for h in doc["headline"]}
    return doc
