"""The final report from saved sections: structure, formats, languages, disclosure control,
the privacy audit (with a probe fixture that plants small counts and client ids) and provenance.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from evalkit.errors import PrivacyError
from evalkit.report.assemble import assemble_report, load_model_runs, params_sha256
from evalkit.report.audit import audit_outputs, audit_results, audit_text, client_ids, docx_text
from evalkit.report.section import Column, Section
from evalkit.report.suppress import find_small_counts, suppress_text
from evalkit.results import Estimate, estimates_frame, write_results

MIN_CELL = 5
IDS = [f"PRB-{i:05d}" for i in range(40)]
LEAKED_ID = IDS[17]


def _fig():
    fig, ax = plt.subplots(figsize=(4, 2.5))
    ax.bar([1, 2, 3], [10, 20, 15])
    plt.close(fig)
    return fig


def _estimates() -> list[Estimate]:
    return [
        Estimate("employment_rate", 3 / 40, "proportion", "Wilson", n=40, numerator=3, ci_low=0.03, ci_high=0.2),
        Estimate("clients", 40, "persons", "count"),
        Estimate("clients", 3, "persons", "count", group="sex:F"),
        Estimate("clients", 37, "persons", "count", group="sex:M"),
        Estimate("psy_rate_ratio", 0.95, "rate_ratio", "Poisson GLM", n=40, ci_low=0.80, ci_high=1.12),
        Estimate("phq9_change", -4.2, "points", "paired t", n=38, ci_low=-5.1, ci_high=-3.3),
    ]


def _probe_section(extra_paragraph: str | None = None) -> Section:
    sec = Section(model="probe", measure="employment", title="Työllistyminen",
                  question="Miten toimintamalli on edistänyt työllistymistä?")
    est = _estimates()
    sec.add_estimates(est, headline=["employment_rate", "psy_rate_ratio", ("phq9_change", "all")])
    sec.label_indicators({"psy_rate_ratio": "Psykiatrian käynnit, suhde", "phq9_change": "PHQ-9-muutos",
                          "clients": "Asiakkaat"})
    sec.key_figures()
    sec.finding(est[4], subject="Psykiatrian käyntien määrä")
    sec.finding(est[5], subject="PHQ-9-pistemäärä", down="laski")
    sec.finding(est[0], subject="Työllistyneiden osuus", level=True)
    sec.paragraph("Työllistyi 3 / 40 asiakasta (n = 4); 2 henkilöä jätti palvelun.")
    sec.paragraph("Toimintamalli vähensi käyntejä.")  # causal without a comparison design → warning
    if extra_paragraph:
        sec.paragraph(extra_paragraph)
    import pandas as pd

    sec.table(pd.DataFrame({"status": ["työ", "opiskelu", "muu", "yhteensä"], "n": [3, 20, 17, 40]}),
              [Column("status", "Tila"), Column("n", "Henkilöitä", "persons", count=True)],
              title="Tilanne seurannan lopussa", total_row=3)
    sec.figure(_fig(), "Julkinen kuvio")
    sec.figure(_fig(), "Yksilötason kuvio", individual=True)
    sec.figure(_fig(), "Pienten ryhmien kuvio", min_n=3)
    sec.methods("Osuudet Wilsonin välein.", limitations="Ei vertailuryhmää.", full="Menetelmät kokonaisuudessaan.")
    sec.add_flow([{"table": "clients", "file": "clients.csv", "read": 42, "accepted": 40,
                   "rejected": {"päivämäärä ei kelpaa": 2}, "analysed": 37, "analysed_unit": "persons",
                   "excluded": {"ei aloituspäivää": 3}}])
    return sec


def make_probe_reports(root: Path, *, extra_paragraph: str | None = None, audience: str = "public",
                       language: str = "fi") -> Path:
    """A reports directory with one model, as `evalkit run` would leave it (no notebooks run)."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "clients.csv").write_text("client_id,index_date\n" + "".join(f"{i},2024-01-01\n" for i in IDS),
                                      encoding="utf-8")
    sha = hashlib.sha256((data / "clients.csv").read_bytes()).hexdigest()
    reports = root / "reports"
    model_dir = reports / "probe"
    sec = _probe_section(extra_paragraph)
    sec.save(model_dir)
    from evalkit.report.suppress import suppress_estimates

    write_results(estimates_frame(suppress_estimates(sec.estimates, MIN_CELL), model="probe", measure="employment"),
                  model_dir / "results.csv")
    params = {"model": "probe", "name": "Koetoimintamalli", "language": language, "measures": ["employment"],
              "min_cell": MIN_CELL, "audience": audience, "tables": {"clients": {"path": "clients.csv"}},
              "report": {"title": "Loppuraportti: vaikuttavuuden arviointi", "formats": ["docx", "html", "md"]}}
    meta = {"model": "probe", "name": "Koetoimintamalli", "description": "Koekuvaus.", "order": 0,
            "language": language, "audience": audience, "min_cell": MIN_CELL, "seed": 1, "measures": ["employment"],
            "params_file": "params/probe.yaml", "params": params, "data_root": str(data),
            "inputs": [{"table": "clients", "file": "clients.csv", "sha256": sha}], "evalkit_version": "0.1.0",
            "git_commit": "abc", "started": "2025-02-20T10:00:00", "finished": "2025-02-20T10:01:00",
            "duration_s": 60.0}
    (model_dir / "run.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return reports


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> Path:
    reports = make_probe_reports(tmp_path_factory.mktemp("probe"))
    assemble_report(reports)
    return reports


# ---------------------------------------------------------------- structure and content
def test_structure_and_disclosure_in_markdown(probe: Path) -> None:
    md = (probe / "loppuraportti.md").read_text(encoding="utf-8")
    heads = [line for line in md.splitlines() if line.startswith("#")]
    assert heads[:4] == ["# Loppuraportti: vaikuttavuuden arviointi", "## Yhteenveto keskeisistä tuloksista",
                         "## Koetoimintamalli", "### Miten toimintamalli on edistänyt työllistymistä?"]
    assert "#### Menetelmät ja rajoitukset" in heads
    assert heads[-3:-1] == ["## Liite: Menetelmät", "### Koetoimintamalli"] or "## Liite: Menetelmät" in heads
    assert "## Liite: Aineistot ja ajon tiedot" in heads
    # small counts never appear; the text, tables and estimates say they are suppressed
    assert find_small_counts(md, MIN_CELL) == []
    assert "3 / 40" not in md and "| 3 |" not in md and "| 17 |" not in md  # 17 = 40 − 20 − 3 (secondary)
    assert "Työllistyi suojattu asiakasta (n < 5); < 5 henkilöä jätti palvelun." in md
    assert "(suojattu)" in md and "Alle 5 henkilön solut on suojattu" in md
    # evidence-aware findings rendered at output
    assert "Psykiatrian käyntien määrä: muutosta ei voitu osoittaa (suhde 0,95" in md
    assert "PHQ-9-pistemäärä laski (muutos −4,2 pistettä" in md and "havaittu ilman vertailuryhmää" in md
    assert "Työllistyneiden osuus: luku on suojattu" in md


def test_summary_repeats_the_sections_evidence(probe: Path) -> None:
    md = (probe / "loppuraportti.md").read_text(encoding="utf-8")
    summary = md.split("## Koetoimintamalli")[0].splitlines()
    # the model heads its rows (a full-width group row), it is not repeated in a column
    head = summary.index("| **Koetoimintamalli** | | | | |")
    rows = [line for line in summary[head + 1:] if line.startswith("| ")]
    assert len(rows) == 3 and not any("Koetoimintamalli" in r for r in rows)
    html = (probe / "loppuraportti.html").read_text(encoding="utf-8")
    assert '<tr class="group"><th colspan="5" scope="colgroup">Koetoimintamalli</th></tr>' in html
    assert rows[0].endswith("| suojattu |")
    assert "Psykiatrian käynnit, suhde" in rows[1] and rows[1].endswith("| muutosta ei voitu osoittaa |")
    assert "| 0,80–1,12 |" in rows[1]  # the column header says "95 %:n luottamusväli"
    assert rows[2].endswith("| havaittu väheneminen (ei vertailuryhmää) |")


def test_public_audience_hides_internal_and_small_group_figures(probe: Path) -> None:
    html = (probe / "loppuraportti.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 1
    assert "Yksilötason kuvio" not in html
    assert "Pienten ryhmien kuvio" in html and "alle 5 henkilön ryhmiä" in html  # replaced by a note
    assert "päivämäärä ei kelpaa" not in html  # rejected-row reasons are internal
    assert "<td class=\"num\">&lt; 5</td>" in html  # 2 rejected rows
    assert "<td class=\"num\">37 henkilöä</td><td>ei aloituspäivää: &lt; 5</td>" in html


def test_internal_audience_shows_them(tmp_path) -> None:
    reports = make_probe_reports(tmp_path, audience="internal")
    assemble_report(reports, formats=["html"])
    html = (reports / "loppuraportti.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 3  # individual-level and small-group figures too
    assert "päivämäärä ei kelpaa: 2" in html


def test_causal_wording_without_comparison_is_flagged(probe: Path) -> None:
    warnings = (probe / "loppuraportti.warnings.txt").read_text(encoding="utf-8")
    assert "probe/employment: causal wording without a comparison design: 'vähensi'" in warnings


def test_docx_has_real_headings_tables_and_figures(probe: Path) -> None:
    import docx

    d = docx.Document(str(probe / "loppuraportti.docx"))
    styles = [p.style.name for p in d.paragraphs]
    assert styles[0] == "Title"
    assert {"Heading 1", "Heading 2", "Heading 3", "Caption"} <= set(styles)
    assert len(d.tables) >= 6
    assert len(d.inline_shapes) == 1
    summary = d.tables[0]
    assert summary.rows[0].cells[0].text == "Tunnusluku"
    group = summary.rows[1]  # the model's heading row: one cell merged across the table
    assert [c.text for c in group.cells] == ["Koetoimintamalli"] * len(summary.columns)
    assert len(group._tr.tc_lst) == 1
    text = docx_text(probe / "loppuraportti.docx")
    assert "Taulukko 1. Keskeiset tunnusluvut" in text and "Kuvio 1. Julkinen kuvio" in text
    with zipfile.ZipFile(probe / "loppuraportti.docx") as z:
        assert 'w:val="fi-FI"' in z.read("word/styles.xml").decode()


def test_html_is_one_self_contained_file(probe: Path) -> None:
    import re

    html = (probe / "loppuraportti.html").read_text(encoding="utf-8")
    sources = re.findall(r'(?:src|href)="([^"#][^"]*)"', html)
    assert all(s.startswith("data:") for s in sources), sources
    assert '<nav class="toc">' in html and 'lang="fi"' in html


@pytest.mark.parametrize(("language", "summary", "methods"), [
    ("sv", "Sammanfattning av de viktigaste resultaten", "Metoder och begränsningar"),
    ("en", "Summary of key results", "Methods and limitations"),
])
def test_language_switch_changes_headings_and_labels(tmp_path, language: str, summary: str, methods: str) -> None:
    reports = make_probe_reports(tmp_path, language=language)
    assemble_report(reports, formats=["md"])
    md = (reports / "loppuraportti.md").read_text(encoding="utf-8")
    assert f"## {summary}" in md and f"#### {methods}" in md
    assert "Yhteenveto" not in md and "Menetelmät ja rajoitukset" not in md
    assert ("0,95" if language == "sv" else "0.95") in md  # babel number formats


def test_provenance_appendix(probe: Path) -> None:
    md = (probe / "loppuraportti.md").read_text(encoding="utf-8")
    meta = json.loads((probe / "probe" / "run.json").read_text(encoding="utf-8"))
    assert params_sha256(meta["params"]) in md
    assert meta["inputs"][0]["sha256"] in md
    assert "| Git-versio | abc |" in md and "| Satunnaislukusiemen | 1 |" in md
    assert "| Ajo päättyi | 20.2.2025 10.01.00 |" in md  # babel date-time


# ---------------------------------------------------------------- the privacy audit
def test_audit_passes_on_the_probe_report(probe: Path) -> None:
    result = audit_outputs(probe)
    assert result.ok, [str(p) for p in result.problems]
    assert result.ids_checked == len(IDS)
    assert {"loppuraportti.md", "loppuraportti.html", "loppuraportti.docx", "probe/results.csv"} <= set(result.checked)


def test_audit_fails_the_run_when_a_client_id_leaks(tmp_path) -> None:
    reports = make_probe_reports(tmp_path, extra_paragraph=f"Esimerkkiasiakas {LEAKED_ID} työllistyi.")
    with pytest.raises(PrivacyError) as err:
        assemble_report(reports)
    assert "identifier(s) of the input data" in str(err.value)
    assert LEAKED_ID not in str(err.value)  # the message never repeats the value
    assert not [p for p in reports.glob("loppuraportti.*") if p.suffix in {".docx", ".html", ".md"}]  # removed


def test_audit_finds_small_counts_planted_in_outputs(probe: Path, tmp_path) -> None:
    leaky = tmp_path / "leaky"
    leaky.mkdir()
    (leaky / "loppuraportti.md").write_text("Työllistyi 3 / 40 asiakasta.\n\nn = 2\n", encoding="utf-8")
    nb = {"cells": [{"cell_type": "code", "source": "", "outputs": [
        {"output_type": "stream", "name": "stdout", "text": [f"{LEAKED_ID}\n"]}]}], "metadata": {}, "nbformat": 4,
        "nbformat_minor": 5}
    (leaky / "probe" / "notebooks").mkdir(parents=True)
    (leaky / "probe" / "notebooks" / "employment.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    runs = load_model_runs(probe)
    result = audit_outputs(leaky, runs=runs, ids=set(IDS), min_cell=MIN_CELL)
    rules = [(p.file, p.rule) for p in result.problems]
    assert ("loppuraportti.md", "count below min_cell=5 not marked as suppressed (fraction)") in rules
    assert ("loppuraportti.md", "count below min_cell=5 not marked as suppressed (n_equals)") in rules
    assert any(f.endswith("employment.ipynb") and "identifier" in r for f, r in rules)


def test_audit_of_results_rows() -> None:
    rows = [Estimate("clients", 3, "persons", "count"), Estimate("rate", 0.5, "proportion", "Wilson", n=4),
            Estimate("rate", 2 / 40, "proportion", "Wilson", n=40), Estimate("rate", 20 / 40, "proportion", "W", n=40)]
    problems = audit_results(estimates_frame(rows, model="m", measure="x"), min_cell=MIN_CELL, where="results.csv")
    assert [p.row for p in problems] == [2, 3, 4]


def test_client_ids_read_raw_from_the_inputs(probe: Path) -> None:
    assert client_ids(load_model_runs(probe)) == set(IDS)


def test_text_suppression() -> None:
    text = "3 / 40 työllistyi, 38 / 40 jatkoi, 12 / 40 opiskeli; n = 4; 1\xa0234 henkilöä; 12 003 henkilöä; vuodet 2024/2025"
    out = suppress_text(text, 5)
    assert out == "suojattu työllistyi, suojattu jatkoi, 12 / 40 opiskeli; n < 5; 1\xa0234 henkilöä; " \
                  "12 003 henkilöä; vuodet 2024/2025"
    assert find_small_counts(out, 5) == []
    assert audit_text("asiakkaat PRB-00001 ja PRB-00002", min_cell=5, ids={"PRB-00001"})[0].rule.startswith("1 identifier")


def test_docx_column_widths_keep_numbers_whole() -> None:
    from evalkit.report.assemble import Table, column_widths

    t = Table(caption="", header=["Toimintamalli", "Tunnusluku", "Arvo", "n", "Tulkinta"],
              rows=[["Työttömien työ- ja toimintakyvyn tuki " * 3, "x" * 80, "0,82", "1\xa0223", "havaittu " * 8]],
              numeric=[False, False, True, True, False])
    w = column_widths(t)
    assert sum(w) == pytest.approx(16.6, rel=0.01)
    from evalkit.report.assemble import DIGIT_CM, HEAD_CHAR_CM

    assert w[3] >= 5 * DIGIT_CM + 0.45 and w[2] >= 4 * HEAD_CHAR_CM + 0.45  # "1 223" whole; bold header "Arvo" whole


def test_docx_tables_never_run_past_the_page() -> None:
    """Seen in the demo report: 'Käynnit ja seuranta-aika ryhmittäin' (six columns, long bold
    headers) ran past the right margin, and the summary table broke 'Toimintamalli' as
    'Toiminta-malli' because whole intervals ('17 270 €–148 252 €') were kept on one line."""
    from evalkit.report.assemble import Table, column_widths

    visits = Table(caption="", header=["Ryhmä", "Jakso", "Asiakkaita", "Käyntejä", "Henkilökuukausia",
                                       "Käyntiä / henkilökuukausi"],
                   rows=[["vertailuryhmä", "aloituksen jälkeen", "150", "2\xa0093", "1\xa0799", "1,16"]],
                   numeric=[False, False, True, True, True, True])
    assert sum(column_widths(visits)) <= 16.6 + 1e-9
    summary = Table(caption="", header=["Toimintamalli", "Tunnusluku", "Arvo", "95 %:n luottamusväli", "n", "Tulkinta"],
                    rows=[["IPS – Sijoita ja valmenna", "Lisäkustannus lisätulosta kohden (ICER)", "31\xa0382\xa0€",
                           "17\xa0270\xa0€–148\xa0252\xa0€", "223", "kuvaileva tunnusluku"],
                          ["Hoitotakuu", "Hoitotakuun rajassa hoidettujen osuus", "66\xa0% (9\xa0296 / 14\xa0169)",
                           "65–66\xa0%", "14\xa0169", "kuvaileva tunnusluku"]],
                    numeric=[False, False, True, True, True, False])
    w = column_widths(summary)
    assert sum(w) <= 16.6 + 1e-9
    from evalkit.report.assemble import CHAR_CM, DIGIT_CM, HEAD_CHAR_CM

    assert w[0] >= len("Toimintamalli") * HEAD_CHAR_CM + 0.45 - 1e-9  # the bold header word fits whole
    assert w[3] >= len("148\xa0252\xa0€") * DIGIT_CM + 0.45 - 1e-9  # each half of the interval fits whole
    words = [max(len(x) for x in c.split()) * CHAR_CM + 0.45 for c in ("vertailuryhmä", "aloituksen jälkeen")]
    assert all(wj >= 0.98 * need for wj, need in zip(column_widths(visits)[:2], words, strict=True))


def test_a_crowded_docx_table_gets_smaller_headers_instead_of_broken_years() -> None:
    """Seen in the LibreOffice render of the waiting-times table: eight columns with long bold
    headers ('Yhteydenottoja') squeezed 'Jakso' until '2022' broke as '202 2'."""
    from evalkit.report.assemble import (
        CHAR_CM,
        CROWDED_HEADER_SCALE,
        Table,
        column_widths,
        header_scale,
    )

    t = Table(caption="", header=["Palvelu", "Toimipiste", "Jakso", "Yhteydenottoja", "Mediaani (vrk)",
                                  "90. persentiili (vrk)", "Rajassa hoidettu", "Hoidettu 90 vrk:ssa"],
              rows=[["perusterveydenhuolto", "Kokkola Kiviniitty", "2022", "3\xa0362", "7", "26", "66\xa0%", "99\xa0%"],
                    ["kaikki", "kaikki", "kaikki", "14\xa0229", "7", "26", "66\xa0%", "99\xa0%"]],
              numeric=[False, False, False, True, True, True, True, True])
    assert header_scale(t) == CROWDED_HEADER_SCALE
    w = column_widths(t, head_scale=header_scale(t))
    assert sum(w) <= 16.6 + 1e-9
    assert w[2] >= 0.9 * (len("kaikki") * CHAR_CM + 0.45) and w[1] >= 0.9 * (len("Kiviniitty") * CHAR_CM + 0.45)
    roomy = Table(caption="", header=["Tunnusluku", "Arvo"], rows=[["Odotusajan mediaani", "7"]], numeric=[False, True])
    assert header_scale(roomy) == 1.0
