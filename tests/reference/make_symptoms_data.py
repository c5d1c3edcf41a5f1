"""Write the symptoms-shaped reference dataset (``data/symptoms_questionnaires.csv``,
``data/symptoms_clients.csv``) that ``symptoms.R`` and ``tests/test_symptoms.py`` share.

Run from the repository root (only when the dataset must change; rerun symptoms.R after):

    PYTHONPATH=$PWD/src python tests/reference/make_symptoms_data.py

The courses come from the terapiat_etulinjaan demo model
(:func:`evalkit.data.demo.terapiat_etulinjaan.simulate_courses`) with its own seed: 70
intervention clients with session-level PHQ-9 and GAD-7 (some items missing, some
dropouts after the first session) and 45 comparison clients with two questionnaires each
(no session number), dated 7 days apart per session.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.data.demo.terapiat_etulinjaan import simulate_courses

OUT = Path(__file__).resolve().parent / "data"
SEED = 20251201
N_INT, N_COMP = 70, 45


def rows(sim: dict, prefix: str, *, comparison: bool) -> list[dict]:
    out = []
    start = pd.Timestamp("2024-01-08")
    for r in range(len(sim["client"])):
        c, s = int(sim["client"][r]), int(sim["session"][r])
        day = start + pd.Timedelta(days=7 * int(s) + 3 * c)
        for inst, arr in (("PHQ-9", sim["phq"]), ("GAD-7", sim["gad"])):
            items = arr[r]
            row = {"client_id": f"{prefix}{c:03d}", "date": day.date().isoformat(), "instrument": inst,
                   "session": "" if comparison else s}
            for j in range(9):
                row[f"item_{j + 1}"] = (int(items[j]) if items[j] >= 0 else "") if j < len(items) else ""
            row["total"] = int(items.sum()) if (items >= 0).all() and r % 3 else ""
            out.append(row)
    return out


def main() -> None:
    rng = np.random.default_rng(SEED)
    si = simulate_courses(rng, N_INT, comparison=False)
    sc = simulate_courses(rng, N_COMP, comparison=True)
    q = pd.DataFrame(rows(si, "I", comparison=False) + rows(sc, "C", comparison=True))
    q.to_csv(OUT / "symptoms_questionnaires.csv", index=False, lineterminator="\n")
    clients = pd.DataFrame({"client_id": [f"I{i:03d}" for i in range(N_INT)] + [f"C{i:03d}" for i in range(N_COMP)],
                            "group": ["intervention"] * N_INT + ["comparison"] * N_COMP})
    clients.to_csv(OUT / "symptoms_clients.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    main()
