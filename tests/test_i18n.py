"""Label catalogues: Finnish, Swedish and English hold the same report keys and placeholders."""

from __future__ import annotations

import re

import pytest

from evalkit.report.i18n import catalogue, label


def _flat(d: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = str(v)
    return out


@pytest.mark.parametrize("language", ["sv", "en"])
def test_catalogues_have_the_same_report_keys(language: str) -> None:
    fi = {k: v for k, v in _flat(catalogue("fi")).items() if not k.startswith("indicators.")}
    other = {k: v for k, v in _flat(catalogue(language)).items() if not k.startswith("indicators.")}
    assert sorted(set(fi) - set(other)) == []
    assert sorted(set(other) - set(fi)) == []
    for key, text in fi.items():  # same {placeholders}
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", other[key])), key


def test_missing_keys_fall_back_to_finnish_then_the_key() -> None:
    assert label("report.summary_heading", "en") == "Summary of key results"
    assert label("indicators.groups_running_actual", "en") == label("indicators.groups_running_actual", "fi")
    assert label("indicators.no_such_indicator", "sv") == "no_such_indicator"
