"""Synthetic demo data (walking-skeleton version: low-threshold groups only).

Deterministic: the same seed writes byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

__all__ = ["write_demo_data"]


def _groups(rng: np.random.Generator) -> pd.DataFrame:
    # 18 groups over the project; yearly targets 5 / 7 / 9 / 12 groups running (seed 002)
    rows = []
    running = {"2022": 4, "2023": 8, "2024": 11, "2025": 11}
    targets = {"2022": 5, "2023": 7, "2024": 9, "2025": 12}
    for year, n in running.items():
        rows.append({"indicator": "groups_running", "period": year, "value": n, "target": targets[year]})
        for q in range(1, 5):
            visits = int(rng.poisson(60 * n / 4 + 40))
            people = int(rng.poisson(12 * n / 4 + 8))
            rows.append({"indicator": "group_visits", "period": f"{year}Q{q}", "value": visits, "target": None})
            rows.append({"indicator": "group_participants", "period": f"{year}Q{q}", "value": people, "target": None})
    return pd.DataFrame(rows)


def write_demo_data(out: Path, *, seed: int = 20250220, params_dir: Path | None = None) -> list[Path]:
    rng = np.random.default_rng(seed)
    written: list[Path] = []
    d = out / "matalan_kynnyksen_ryhmat"
    d.mkdir(parents=True, exist_ok=True)
    ind = _groups(rng)
    p = d / "indicators.csv"
    # Finnish Excel dialect: ';' separator, UTF-8 with BOM
    ind.to_csv(p, sep=";", index=False, encoding="utf-8-sig", lineterminator="\n")
    written.append(p)
    truth = out / "TRUTH.yaml"
    truth.write_text(yaml.safe_dump({"seed": seed, "matalan_kynnyksen_ryhmat": {"targets": {"2022": 5, "2023": 7, "2024": 9, "2025": 12}}}, sort_keys=True), encoding="utf-8")
    written.append(truth)
    return written
