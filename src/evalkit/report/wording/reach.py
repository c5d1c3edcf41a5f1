"""Report text of the reach measure."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ...params.reach import IndicatorSpec
from ..fmt import format_number, format_percent_value
from ..i18n import label

__all__ = ["reach_labels", "reach_methods", "reach_narrative", "reach_subject"]


def reach_narrative(table: pd.DataFrame, *, language: str = "fi") -> str:
    """One sentence per indicator on its latest year with a target, plus the period total."""
    sentences = []
    for _ind, sub in table.groupby("indicator", sort=False):
        label = str(sub["label"].iloc[0]).lower()
        with_target = sub[sub["target"].notna()]
        if len(with_target):
            met = with_target[with_target["actual"] >= with_target["target"]]["year"].tolist()
            last = with_target.iloc[-1]
            sentences.append(
                f"{label.capitalize()}: vuonna {last['year']} toteuma oli {format_number(last['actual'], language=language)} "
                f"tavoitteen ollessa {format_number(last['target'], language=language)} "
                f"({format_percent_value(last['achievement'], language=language)} tavoitteesta). "
                f"Tavoite saavutettiin {len(met)} vuotena {len(with_target)}:stä."
            )
        else:
            total = sub["actual"].sum()
            sentences.append(
                f"{label.capitalize()}: yhteensä {format_number(total, language=language)} "
                f"vuosina {sub['year'].iloc[0]}–{sub['year'].iloc[-1]}."
            )
    return " ".join(sentences)


_AGGREGATE = {"sum": "vuoden jaksojen summa", "max": "vuoden suurin arvo", "last": "vuoden viimeinen arvo"}
_KIND = {"people": "eri henkilöitä", "visits": "käyntejä", "groups": "ryhmiä", "referrals": "ohjauksia",
         "other": "muita suoritteita"}


def reach_labels(specs: Sequence[IndicatorSpec], *, language: str = "fi") -> dict[str, str]:
    """Report labels of the reach indicators (``<id>_actual``, ``_target``, ``_achievement``)."""
    out = {}
    for s in specs:
        out[f"{s.id}_actual"] = s.label
        out[f"{s.id}_target"] = label("phrases.reach.target_label", language, label=s.label)
        out[f"{s.id}_achievement"] = label("phrases.reach.achievement_label", language, label=s.label)
    return out


def reach_subject(table: pd.DataFrame, e, *, language: str = "fi") -> str:
    """Sentence subject for an achievement estimate: ``'Käynnissä olevat ryhmät, toteuma tavoitteesta vuonna 2025'``."""
    indicator = e.indicator.removesuffix("_achievement")
    sub = table[table["indicator"] == indicator]
    name = str(sub["label"].iloc[0]) if len(sub) else indicator
    year = e.group.split(":", 1)[1] if ":" in e.group else ""
    if year:
        return label("phrases.reach.achievement_subject_year", language, label=name, year=year)
    return label("phrases.reach.achievement_subject", language, label=name)


def reach_methods(specs: Sequence[IndicatorSpec], *, language: str = "fi") -> str:
    """The methods appendix paragraph: what each indicator counts and how a year is formed."""
    parts = [
        f"{s.label} ({_KIND[s.kind]}; {_AGGREGATE[s.aggregate]})" for s in specs
    ]
    return ("Tavoittavuutta kuvataan hankkeen toimintatilastoista vuositasolla. Tunnusluvut: "
            + "; ".join(parts) + ". Toteumaa verrataan hankesuunnitelman vuositavoitteeseen (toteuma / tavoite). "
            "Eri henkilöitä ja käyntejä ei lasketa yhteen: käyntimäärä ei kerro tavoitettujen ihmisten määrää. "
            "Luvut ovat koko toiminnan kattavia rekisterilukuja, joten niille ei esitetä otantaan perustuvia "
            "luottamusvälejä.")
