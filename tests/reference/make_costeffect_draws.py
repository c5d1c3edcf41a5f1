"""Write the fixed cost-effectiveness draws that ``costeffect.R`` and the tests share.

Run from the repository root (only when the draws must change; the CSV is committed):

    PYTHONPATH=$PWD/src python tests/reference/make_costeffect_draws.py

Three sets of paired draws of each group's mean cost and mean effect
(``data/costeffect_draws.csv``: set, draw, cost_comparison, cost_intervention,
effect_comparison, effect_intervention; full precision) plus the point estimates
(``data/costeffect_points.csv``):

* ``boot`` — ``bootstrap_cost_effect(cost_effect.csv, seed=8, reps=2000)``: the intervention
  is cheaper and more effective in most draws (SE and NE quadrants);
* ``crossing`` — bivariate normal draws whose ΔE crosses zero (ICER interval undefined,
  EVPI clearly positive near the ICER);
* ``northeast`` — bivariate normal draws in the NE quadrant (a finite ICER interval).

The R script recomputes ICER, INMB, CEAC, EVPI, quadrant shares and the angular ICER
interval from exactly these draws, so the comparison has no Monte Carlo error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.stats.bootstrap import bootstrap_cost_effect

HERE = Path(__file__).resolve().parent
SEED = 20261201


def _normal_set(rng: np.random.Generator, name: str, n: int, c0: float, e0: float, dc: float, de: float,
                sd_c: float, sd_e: float, rho: float) -> tuple[pd.DataFrame, dict]:
    cov = [[sd_c**2, rho * sd_c * sd_e], [rho * sd_c * sd_e, sd_e**2]]
    d = rng.multivariate_normal([dc, de], cov, size=n)
    base_c = rng.normal(c0, 0.1 * sd_c, size=n)
    base_e = rng.normal(e0, 0.1 * sd_e, size=n)
    frame = pd.DataFrame({"set": name, "draw": np.arange(1, n + 1), "cost_comparison": base_c,
                          "cost_intervention": base_c + d[:, 0], "effect_comparison": base_e,
                          "effect_intervention": base_e + d[:, 1]})
    point = {"set": name, "cost_comparison": c0, "cost_intervention": c0 + dc, "effect_comparison": e0,
             "effect_intervention": e0 + de}
    return frame, point


def main() -> None:
    ce = pd.read_csv(HERE / "data" / "cost_effect.csv")
    draws = bootstrap_cost_effect(ce, seed=8, reps=2000)
    j = {g: i for i, g in enumerate(draws.groups)}
    frames = [pd.DataFrame({
        "set": "boot", "draw": np.arange(1, draws.reps + 1),
        "cost_comparison": draws.cost("comparison"), "cost_intervention": draws.cost("intervention"),
        "effect_comparison": draws.effect("comparison"), "effect_intervention": draws.effect("intervention"),
    })]
    points = [{"set": "boot", "cost_comparison": draws.observed_cost[j["comparison"]],
               "cost_intervention": draws.observed_cost[j["intervention"]],
               "effect_comparison": draws.observed_effect[j["comparison"]],
               "effect_intervention": draws.observed_effect[j["intervention"]]}]
    rng = np.random.default_rng(SEED)
    for args in (("crossing", 1500, 5200.0, 0.25, 900.0, 0.04, 700.0, 0.05, 0.3),
                 ("northeast", 1500, 6100.0, 0.23, 4700.0, 0.12, 800.0, 0.035, 0.2)):
        f, p = _normal_set(rng, *args)
        frames.append(f)
        points.append(p)
    out = pd.concat(frames, ignore_index=True)
    out.to_csv(HERE / "data" / "costeffect_draws.csv", index=False, lineterminator="\n", float_format="%.17g")
    pd.DataFrame(points).to_csv(HERE / "data" / "costeffect_points.csv", index=False, lineterminator="\n",
                                float_format="%.17g")
    print(f"wrote {len(out)} draws")


if __name__ == "__main__":
    main()
