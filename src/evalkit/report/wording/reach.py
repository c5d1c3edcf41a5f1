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
        name = str(sub["label"].iloc[0]).lower().capitalize()
        with_target = sub[sub["target"].notna()]
        if len(with_target):
            met = with_target[with_target["actual"] >= with_target["target"]]["year"].tolist()
            last = with_target.iloc[-1]
            sentences.append(label(
                "phrases.reach.narrative_target", language, label=name, year=last["year"],
                actual=format_number(last["actual"], language=language),
                target=format_number(last["target"], language=language),
                achievement=format_percent_value(last["achievement"], language=language),
                met=len(met), years=len(with_target)))
        else:
            sentences.append(label(
                "phrases.reach.narrative_total", language, label=name,
                total=format_number(sub["actual"].sum(), language=language),
                first=sub["year"].iloc[0], last=sub["year"].iloc[-1]))
    return " ".join(sentences)


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
        f"{s.label} ({label(f'phrases.reach.kinds.{s.kind}', language)}; "
        f"{label(f'phrases.reach.aggregates.{s.aggregate}', language)})"
        for s in specs
    ]
    return label("phrases.reach.methods", language, indicators="; ".join(parts))
