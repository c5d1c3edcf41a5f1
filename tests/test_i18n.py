"""Label catalogues: Finnish, Swedish and English hold the same report keys and placeholders."""

from __future__ import annotations

import ast
import re
from pathlib import Path

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


# ------------------------------------------------ the wording modules' keys (report/wording/*.py)
WORDING = Path(__file__).resolve().parents[1] / "src" / "evalkit" / "report" / "wording"


def _key_forms(node: ast.AST) -> list[str]:
    """The strings a key expression can take: ``f"limitations.{'a' if c else 'b'}"`` →
    ``limitations.a``, ``limitations.b``; a part the code computes becomes ``*``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _key_forms(node.body) + _key_forms(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [a + b for a in _key_forms(node.left) for b in _key_forms(node.right)]
    if isinstance(node, ast.JoinedStr):
        out = [""]
        for v in node.values:
            forms = [v.value] if isinstance(v, ast.Constant) else (_key_forms(v.value) or ["*"])
            out = [o + f for o in out for f in forms]
        return out
    return ["*"]


def wording_keys() -> dict[str, list[str]]:
    """Module → the catalogue keys its ``label()``, ``lookup()`` and ``_t()`` calls name (``_t``
    adds the module's own prefix, read from its definition)."""
    found: dict[str, list[str]] = {}
    for path in sorted(WORDING.glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        prefix = next((_key_forms(n.value.args[0])[0].split("*")[0]  # def _t(key, …): return label(f"phrases.x.{key}", …)
                       for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name == "_t"
                       for n in ast.walk(f) if isinstance(n, ast.Return) and isinstance(n.value, ast.Call)), None)
        keys = []
        for n in ast.walk(tree):
            if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.args):
                continue
            if n.func.id in ("label", "lookup") and not (isinstance(n.args[0], ast.JoinedStr) and prefix
                                                        and _key_forms(n.args[0])[0].startswith(prefix + "*")):
                keys += _key_forms(n.args[0])
            elif n.func.id == "_t" and prefix:
                keys += [prefix + k for k in _key_forms(n.args[0])]
        found[path.stem] = keys
    return found


def test_every_key_the_wording_names_is_in_the_catalogues() -> None:
    """A sentence key mistyped in ``report/wording/*.py`` would fall back to the key itself
    (``'followup'``) in every language; each key the code can form exists in Finnish, and so
    (test above) in Swedish and English. A part the code computes (``*``) must match some key."""
    fi = _flat(catalogue("fi"))
    keys = wording_keys()
    assert len(keys["employment"]) > 30 and len(keys["costs"]) > 40  # the scan sees the modules' calls
    missing = {}
    for module, names in keys.items():
        for k in names:
            if k == "*":  # a key handed in by the caller (Note.of(key)): checked where it is written
                continue
            pattern = re.compile(re.escape(k).replace(r"\*", r"[^.]+") + r"$")
            if not any(pattern.match(f) for f in fi):
                missing.setdefault(module, []).append(k)
    assert missing == {}


def test_every_note_key_a_measure_writes_is_in_the_catalogues() -> None:
    """``Note.of("phrases.visits.notes.nb_failed")`` in a measure module names its catalogue key."""
    fi = _flat(catalogue("fi"))
    measures = Path(__file__).resolve().parents[1] / "src" / "evalkit" / "measures"
    keys = [n.args[0].value for p in measures.glob("*.py") for n in ast.walk(ast.parse(p.read_text("utf-8")))
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "of"
            and isinstance(n.func.value, ast.Name) and n.func.value.id == "Note"
            and n.args and isinstance(n.args[0], ast.Constant)]
    assert len(keys) >= 5
    assert [k for k in keys if k not in fi] == []
