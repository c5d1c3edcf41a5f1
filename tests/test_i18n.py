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
def test_catalogues_have_the_same_keys(language: str) -> None:
    """Every key of the Finnish catalogue — report words, indicator labels of every measure
    (visits, employment, fidelity, symptoms, costs, reach, waiting), codes, data-flow words —
    exists in Swedish and English, and no other key does."""
    fi = _flat(catalogue("fi"))
    other = _flat(catalogue(language))
    assert sorted(set(fi) - set(other)) == []
    assert sorted(set(other) - set(fi)) == []
    for key, text in fi.items():  # same {placeholders}
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", other[key])), key


def test_missing_keys_fall_back_to_finnish_then_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from evalkit.report import i18n

    assert label("report.summary_heading", "en") == "Summary of key results"
    only_fi = {"fi": {"indicators": {"new_one": "Uusi tunnusluku"}}, "en": {"indicators": {}}}
    monkeypatch.setattr(i18n, "catalogue", lambda lang: only_fi.get(lang, {}))
    assert i18n.label("indicators.new_one", "en") == "Uusi tunnusluku"
    assert i18n.lookup("indicators.new_one", "en") == "Uusi tunnusluku"
    assert i18n.label("indicators.no_such_indicator", "sv") == "no_such_indicator"
    assert i18n.lookup("indicators.no_such_indicator", "sv") is None


@pytest.mark.parametrize(("language", "expected"), [("fi", "perusterveydenhuolto"), ("sv", "primärvård"),
                                                    ("en", "primary care")])
def test_data_contract_codes_become_words(language: str, expected: str) -> None:
    from evalkit.report.i18n import code_label

    assert code_label("service", "primary_care", language) == expected
    assert code_label("service", "ZZ_local_code", language) == "ZZ_local_code"  # unknown: shown as is
    assert code_label("professional", "F31.6", language) == "F31.6"


def test_notebook_words_come_from_the_catalogue_of_the_measure_in_the_report_language(monkeypatch) -> None:
    import evalkit.context as context

    asked = []
    monkeypatch.setattr(context, "label", lambda key, language, **fmt: asked.append((key, language, fmt)) or "x")
    params = type("P", (), {"language": "sv"})()
    ctx = context.ModelContext(params=params, measure="visits", data_root=None, out_dir=None)  # type: ignore[arg-type]
    assert ctx.text("groups_table.title", year=2024) == "x"
    assert asked == [("notebook.visits.groups_table.title", "sv", {"year": 2024})]


def test_a_notebook_column_is_headed_by_its_catalogue_word(monkeypatch) -> None:
    import evalkit.context as context

    monkeypatch.setattr(context, "label", lambda key, language, **fmt: f"{language}:{key}:{fmt}")
    params = type("P", (), {"language": "en"})()
    ctx = context.ModelContext(params=params, measure="visits", data_root=None, out_dir=None)  # type: ignore[arg-type]
    col = ctx.column("clients", "persons", count=True)
    assert (col.key, col.label, col.unit, col.count) == ("clients", "en:notebook.visits.columns.clients:{}", "persons", True)
    assert ctx.column("x", label_key="table.x", days=7).label == "en:notebook.visits.table.x:{'days': 7}"
