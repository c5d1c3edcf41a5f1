"""Report text of the reach measure."""

from __future__ import annotations

import pandas as pd

from ..fmt import format_number, format_percent_value

__all__ = ["reach_narrative"]


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
