"""A Swedish and an English report of the demo: the body text follows ``language``.

The demo params of three models (ips, terapiat_etulinjaan, hoitotakuu — every measure's
wording) are copied with ``language: sv`` / ``en`` and run end to end; the narrative, methods
and limitations paragraphs that the measures' wording wrote (``report/wording/*.py``, sentences
from ``phrases.*`` in the catalogues) must hold no Finnish sentence. Words a user types into
params (indicator labels) are the user's, so the copies give them in the report language.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT, run_cli

pytestmark = pytest.mark.e2e

#: model → the measures run (every wording module is covered) and, for reach, labels in each language
MODELS = {
    "ips": ["visits", "employment", "costs"],
    "terapiat_etulinjaan": ["symptoms", "costs"],
    "hoitotakuu": ["waiting", "reach"],
}
REACH_LABELS = {"sv": {"contacts": "Kontakter (icke-brådskande vård)", "sites_new_access_model": "Hälsostationer med "
                       "den nya mottagningsmodellen"},
                "en": {"contacts": "Contacts (non-urgent care)", "sites_new_access_model": "Health centres with the "
                       "new appointment model"}}

#: Finnish words of the report's body text (the wording modules' sentences), none of them Swedish or English
FINNISH = re.compile(
    r"\b(?:asiakka\w*|asiakas\w*|käyn\w*|toimintamalli\w*|havait\w*|luottamusväl\w*|vertailuryhm\w*|"
    r"osoitta\w*|muutos\w*|muuttu\w*|seuranna\w*|seuranta\w*|aloitu\w*|kustannu\w*|osuus|osuude\w*|"
    r"työllisty\w*|pistee\w*|pistettä|päivää|vuorokau\w*|hoitotakuu\w*|odotusa\w*|mediaani|tavoitte\w*|"
    r"toteuma|tilasto\w*|osallistuj\w*|henkilö\w*|määrä\w*|joten|koska|ei|eikä|eivät|voi|oli|ovat|kohden|"
    r"jälkeen|ennen|ilman|LV)\b",
    re.IGNORECASE,
)


@pytest.fixture(scope="module", params=["sv", "en"])
def translated(request, demo_data: Path, tmp_path_factory) -> tuple[str, Path]:
    """(language, reports directory) of the demo models run and reported in ``language``."""
    language = request.param
    folder = tmp_path_factory.mktemp(f"params_{language}")
    files = []
    for model, measures in MODELS.items():
        params = yaml.safe_load((ROOT / "params" / f"{model}.yaml").read_text(encoding="utf-8"))
        params.update(model=model, language=language, measures=measures)  # model: the demo tables' own id
        for ind in params.get("reach", {}).get("indicators", []):
            ind["label"] = REACH_LABELS[language][ind["id"]]
        path = folder / f"{model}_{language}.yaml"
        path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False), encoding="utf-8")
        files += ["--params", str(path)]
    out = tmp_path_factory.mktemp(f"reports_{language}")
    run = run_cli("run", *files, "--data", str(demo_data), "--out", str(out), "--quiet")
    assert run.returncode == 0, run.stderr
    report = run_cli("report", "--out", str(out), "--format", "md", "--language", language)
    assert report.returncode == 0, report.stderr
    return language, out


def _paragraphs(out: Path) -> dict[tuple[str, str, str], str]:
    """(model, measure, role) → the text of the wording's paragraphs in each section."""
    found = {}
    for f in sorted(out.glob("*/sections/*.json")):
        section = json.loads(f.read_text(encoding="utf-8"))
        for i, b in enumerate(section["blocks"]):
            if b.get("kind") == "paragraph" and b.get("role") in ("narrative", "methods", "limitations"):
                found[(section["model"], section["measure"], f"{b['role']}.{i}")] = str(b["text"])
    return found


def test_body_text_has_no_finnish_sentences(translated) -> None:
    language, out = translated
    paragraphs = _paragraphs(out)
    measures = {m for _, m, _ in paragraphs}
    assert measures == {m for ms in MODELS.values() for m in ms}  # every measure wrote its paragraphs
    finnish = {k: FINNISH.findall(text) for k, text in paragraphs.items() if FINNISH.search(text)}
    assert finnish == {}
    if language == "en":  # no Finnish letters at all in English text
        assert {k: t for k, t in paragraphs.items() if re.search(r"[äöÄÖåÅ]", t)} == {}


def test_report_carries_the_translated_paragraphs(translated) -> None:
    language, out = translated
    md = (out / "loppuraportti.md").read_text(encoding="utf-8")
    ci = {"sv": "95 % KI", "en": "95% CI"}[language]
    assert ci in md and "95 % LV" not in md
    caveat = {"sv": "regression mot medelvärdet", "en": "regression to the mean"}[language]
    assert caveat in md.lower()  # the visits limitations open with the regression-to-the-mean caveat
