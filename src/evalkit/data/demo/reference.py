"""Example reference data: unit costs and a public-sector price index.

These are EXAMPLE values of a plausible size, not official figures. A region replaces them
with its own cost accounting or THL's "Terveyden- ja sosiaalihuollon yksikkökustannukset
Suomessa" series, and with Statistics Finland's price index of public expenditure.
The committed copies under ``data/reference/`` are written by :func:`write_reference`
(a test checks they match).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ._common import write_csv

__all__ = ["PRICE_INDEX", "UNIT_COSTS", "to_cost_year", "unit_cost", "write_reference"]

_SOURCE = "ESIMERKKIARVO – korvaa omalla kustannuslaskennalla tai THL:n yksikkökustannuksilla"

#: (service, professional, contact_type, unit_cost_eur, cost_year); '' = any
UNIT_COSTS: tuple[tuple[str, str, str, float, int], ...] = (
    ("psychiatry", "", "", 190.0, 2022),
    ("psychiatry", "physician", "", 310.0, 2022),
    ("psychiatry", "physician", "phone", 120.0, 2022),
    ("psychiatry", "nurse", "", 140.0, 2022),
    ("psychiatry", "nurse", "phone", 60.0, 2022),
    ("psychiatry", "psychologist", "", 165.0, 2022),
    ("psychiatry", "psychologist", "phone", 70.0, 2022),
    ("psychiatry", "social_worker", "", 120.0, 2022),
    ("primary_care", "", "", 95.0, 2023),
    ("primary_care", "physician", "", 135.0, 2023),
    ("primary_care", "physician", "phone", 55.0, 2023),
    ("primary_care", "nurse", "", 65.0, 2023),
    ("primary_care", "nurse", "phone", 30.0, 2023),
    ("primary_care", "physiotherapist", "", 75.0, 2023),
    ("emergency", "", "", 420.0, 2023),
    ("social_work", "", "", 95.0, 2023),
)

#: Example public-sector price index (2015 = 100), by year.
PRICE_INDEX: dict[int, float] = {2019: 104.9, 2020: 106.1, 2021: 108.6, 2022: 114.2, 2023: 119.3,
                                 2024: 122.0, 2025: 124.1}


def unit_cost(service: str, professional: str | None, contact_type: str | None) -> tuple[float, int]:
    """The most specific matching row (service must match; professional/contact_type match or are blank)."""
    best = None
    for s, p, c, eur, year in UNIT_COSTS:
        if s != service or (p and p != (professional or "")) or (c and c != (contact_type or "")):
            continue
        spec = (p != "") + (c != "")
        if best is None or spec > best[0]:
            best = (spec, eur, year)
    if best is None:
        raise KeyError(f"no unit cost for {service}/{professional}/{contact_type}")
    return best[1], best[2]


def to_cost_year(amount: float, year: int, cost_year: int) -> float:
    return amount * PRICE_INDEX[cost_year] / PRICE_INDEX[year]


def unit_costs_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [{"service": s, "professional": p or None, "contact_type": c or None, "unit_cost_eur": eur,
          "cost_year": y, "source": _SOURCE} for s, p, c, eur, y in UNIT_COSTS]
    )


def price_index_frame() -> pd.DataFrame:
    return pd.DataFrame({"year": list(PRICE_INDEX), "index": list(PRICE_INDEX.values())})


_README = """# Viitetiedot (ESIMERKKIARVOT) — reference data (EXAMPLE VALUES)

**Nämä luvut ovat esimerkkiarvoja demoaineistoa varten, eivät virallisia lukuja.**
These are example values for the demo data, not official figures.

* `unit_costs.csv` — yksikkökustannukset (service, professional, contact_type,
  unit_cost_eur, cost_year, source). Korvaa hyvinvointialueen omalla kustannuslaskennalla
  tai THL:n julkaisulla "Terveyden- ja sosiaalihuollon yksikkökustannukset Suomessa".
  Tyhjä professional/contact_type = mikä tahansa; tarkin täsmäävä rivi voittaa.
* `price_index.csv` — julkisten menojen hintaindeksi -tyyppinen esimerkki-indeksi
  (2015 = 100), suomalainen CSV-murre (`;`, desimaalipilkku). Korvaa Tilastokeskuksen
  julkisten menojen hintaindeksillä (kuntatalouden hintaindeksi / hyvinvointialueet).

Tiedostot kirjoittaa `evalkit.data.demo.reference.write_reference`; testi tarkistaa,
että tallennetut kopiot vastaavat koodin arvoja.
"""


def write_reference(root: Path) -> list[Path]:
    """Write ``unit_costs.csv``, ``price_index.csv`` and ``README.md`` under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    out = [write_csv(unit_costs_frame(), root / "unit_costs.csv"),
           write_csv(price_index_frame(), root / "price_index.csv", dialect="finnish")]
    (root / "README.md").write_bytes(_README.encode("utf-8"))
    return [*out, root / "README.md"]
