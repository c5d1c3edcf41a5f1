"""Report labels: no raw ids, service codes or table names where a reader expects words."""

from __future__ import annotations

import pytest

from evalkit.report.assemble import _flow_table, _summary_table, _table_block, indicator_label
from evalkit.report.fmt import format_value
from evalkit.report.wording.common import claim_for_summary
from evalkit.results import Estimate

VISITS_IDS = ["clients", "rate_pre", "rate_post", "rate_ratio", "did_rate_ratio", "nb_rate_ratio",
              "nb_did_rate_ratio", "pretrend_rate_ratio", "pretrend_did_rate_ratio", "mean_change",
              "mean_change_difference"]
WAITING_IDS = ["cases", "still_waiting", "median_days", "p90_days", "share_within_limit", "share_within_90_days",
               "its_level_change", "its_slope_change"]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("indicator", VISITS_IDS + WAITING_IDS)
def test_visits_and_waiting_indicators_have_words(indicator: str, language: str) -> None:
    text = indicator_label(indicator, language)
    assert text != indicator and "_" not in text


def test_a_notebooks_own_label_wins_in_its_language_only() -> None:
    own = {"its_level_change": "Tasomuutos 7 vrk:n kuluessa hoidettujen osuudessa", "local_x": "Paikallinen"}
    assert indicator_label("its_level_change", "fi", own, "fi") == own["its_level_change"]
    assert indicator_label("its_level_change", "en", own, "fi") == "Level change in the share treated within the limit"
    assert indicator_label("local_x", "sv", own, "fi") == "Paikallinen"  # no catalogue word: the own label
    assert indicator_label("unknown_id", "fi") == "unknown_id"


@pytest.mark.parametrize(("language", "clients", "reason"), [
    ("fi", "asiakkaat", "ei aloittanut (ei aloituspäivää): 45"),
    ("sv", "klienter", "inledde inte (inget startdatum): 45"),
    ("en", "clients", "did not start (no index date): 45"),
])
def test_data_flow_names_tables_and_reasons_in_words(language: str, clients: str, reason: str) -> None:
    flow = [{"table": "clients", "read": 268, "accepted": 268, "rejected": {}, "analysed": 223,
             "analysed_unit": "persons", "excluded": {"no_index_date": 45}},
            {"table": "intervention_costs", "read": 12, "accepted": 12, "rejected": {}, "analysed": None,
             "excluded": {"alkoi ennen aloituspäivää": 27}}]
    t = _flow_table(flow, language, audience="public", min_cell=5)
    assert t.rows[0][0] == clients and t.rows[0][-1] == reason
    assert "_" not in t.rows[1][0]
    assert t.rows[1][-1] == "alkoi ennen aloituspäivää: 27"  # a reason written as words is kept


def test_service_codes_in_tables_become_words() -> None:
    block = {"columns": [{"key": "service", "label": "Palvelu", "unit": "text"},
                         {"key": "site", "label": "Toimipiste", "unit": "text"},
                         {"key": "cases", "label": "Yhteydenottoja", "unit": "cases", "count": True}],
             "rows": [["primary_care", "Kannus", 375], ["kaikki", "kaikki", 3595]], "title": "Odotusajat"}
    t = _table_block(block, "fi", 5)
    assert t.rows[0][:2] == ["perusterveydenhuolto", "Kannus"]
    assert t.rows[1][0] == "kaikki"  # not a code: as it is
    assert _table_block(block, "sv", 5).rows[0][0] == "primärvård"


def test_a_whole_number_score_has_no_decimals() -> None:
    assert format_value(108.0, "score") == "108"
    assert format_value(-6.04, "points") == "−6,0"  # a mean change keeps its decimal; the minus sign (U+2212)
    assert format_value(-6.04, "points", language="en") == "-6.0"  # English writes the hyphen


def test_a_fidelity_score_is_descriptive_in_the_summary() -> None:
    """A fidelity total is a level on a 25–125 scale, not a change from 0 ("havaittu kasvu")."""
    e = Estimate("fidelity_total", 108.0, "score", "IPS-25-kokonaispisteet (25–125)")
    assert claim_for_summary(e, None, language="fi") == "kuvaileva tunnusluku"


def test_fidelity_estimates_use_the_score_unit_and_finnish_words() -> None:
    import pandas as pd

    from evalkit.measures.fidelity import IPS25_ITEMS, fidelity_reviews

    rows = [{"review_date": d, "item": i, "score": s} for d, s in (("2023-03-15", 3), ("2024-09-18", 4))
            for i in range(1, len(IPS25_ITEMS) + 1)]
    res = fidelity_reviews(pd.DataFrame(rows))
    total = res.get("fidelity_total", "all")
    assert total.unit == "score" and format_value(total.estimate, total.unit) == "100"
    band = res.get("fidelity_band", "all")
    assert "good" not in band.method and "hyvä" in band.method and "18.9.2024" in band.method
    assert "2024-09-18" not in res.get("fidelity_change", "all").method


def test_summary_table_has_no_raw_ids(tmp_path) -> None:
    from evalkit.report.assemble import load_model_runs
    from tests.test_report_assembly import make_probe_reports

    reports = make_probe_reports(tmp_path)
    t = _summary_table(load_model_runs(reports), "fi", 5)
    assert t is not None
    assert not [r[1] for r in t.rows if "_" in r[1]]


def _visits_result(**censored):
    from datetime import date
    from types import SimpleNamespace

    settings = {"filters": {"service": ["psychiatry"], "professional": ["nurse", "physician"]},
                "data_start": date(2021, 1, 1), "data_start_inferred": False, "washout": 0,
                "pre_window": (-365, -1), "post_window": (0, 364), "data_cutoff": date(2025, 12, 31),
                "bootstrap_reps": 2000}
    return SimpleNamespace(settings=settings, censored=censored, has_comparison=False, notes=())


def test_visits_methods_name_the_selected_visits_in_words() -> None:
    from evalkit.report.wording.visits import visits_methods

    text = visits_methods(_visits_result())
    assert "Käynnit (palvelu: psykiatria; ammattiryhmä: sairaanhoitaja, lääkäri)" in text
    assert "psychiatry" not in text and "nurse" not in text


@pytest.mark.parametrize(("pre", "post", "expected", "absent"), [
    (0, 3, "Seurantajakso oli seurannan päättymisen tai poimintapäivän vuoksi lyhyempi alle 5 asiakkaalla;",
     "Esijakso"),
    (12, 0, "Esijakso oli aineiston alun vuoksi lyhyempi 12 asiakkaalla;", "Seurantajakso"),
    (12, 7, "Esijakso oli aineiston alun vuoksi lyhyempi 12 asiakkaalla ja seurantajakso seurannan", "0 asiakkaalla"),
])
def test_visits_limitations_mention_only_periods_cut_short(pre: int, post: int, expected: str, absent: str) -> None:
    from evalkit.report.wording.visits import visits_limitations

    text = visits_limitations(_visits_result(pre_by_data_start=pre, post_by_followup=post))
    assert expected in text and absent not in text and "lyhyempi 0 " not in text


def test_axis_ticks_are_printed_exactly() -> None:
    """Seen in the demo: EVPI ticks 2.5, 5, 7.5 printed as 2, 5, 8 and visit rates 1.25, 1.75
    as 1,2 and 1,8."""
    import matplotlib.pyplot as plt

    from evalkit.report.figures.common import locale_axis, tick_decimals

    assert tick_decimals([0, 2.5, 5, 7.5]) == 1
    assert tick_decimals([0, 0.25, 0.5], minimum=1) == 2
    assert tick_decimals([0, 1000, 2000]) == 0
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1.8])
    ax.set_yticks([0, 0.25, 1.75])
    locale_axis(ax, decimals=1)
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0,00", "0,25", "1,75"]
    plt.close(fig)


@pytest.mark.parametrize(("language", "header"), [("fi", "Vuosi"), ("sv", "År"), ("en", "Year")])
def test_key_figures_of_yearly_groups_are_headed_year(language: str, header: str) -> None:
    from evalkit.report.assemble import _estimates_table

    est = [Estimate("groups_running_achievement", v, "proportion", "toteuma / tavoite", group=f"year:{y}")
           for y, v in ((2024, 1.2), (2025, 0.92))]
    t = _estimates_table(est, language, "Keskeiset tunnusluvut")
    assert t.header[1] == header and [r[1] for r in t.rows] == ["2024", "2025"]
    mixed = _estimates_table([*est, Estimate("x", 1.0, "ratio", "m", group="intervention")], language, "K")
    assert mixed.header[1] not in {"Vuosi", "År", "Year"}


def test_cost_per_outcome_method_names_the_outcome_in_words() -> None:
    from evalkit.measures.costs import _outcome_words

    assert _outcome_words("employed") == "työllistyminen avoimille työmarkkinoille"  # not "(employed)"
    assert _outcome_words("local_outcome") == "local_outcome"  # unknown ids shown as they are


@pytest.mark.parametrize(("language", "value", "interval"), [
    ("fi", "11,6\xa0%\u2011yks.", "7,7–15,5\xa0%\u2011yks."), ("sv", "11,6\xa0procentenh.", "7,7–15,5\xa0procentenh."),
    ("en", "11.6\xa0pp", "7.7–15.5\xa0pp")])
def test_a_difference_of_shares_is_shown_in_percentage_points(language: str, value: str, interval: str) -> None:
    """Seen in the summary: 'Tasomuutos … 0,12' beside '66 %' while the text said 11,6 prosenttiyksikköä."""
    from evalkit.report.fmt import format_interval

    e = Estimate("its_level_change", 0.116, "proportion_difference", "ITS", n=48, ci_low=0.077, ci_high=0.155)
    assert format_value(e.estimate, e.unit, language=language) == value
    assert format_interval(e, language=language, with_label=False) == interval


@pytest.mark.parametrize(("language", "words"), [("fi", "kiinteä, ei otantavaihtelua"),
                                                 ("sv", "fast, ingen urvalsvariation"),
                                                 ("en", "fixed, no sampling variation")])
def test_a_fixed_value_shows_no_interval(language: str, words: str, tmp_path) -> None:
    """Seen in the report: 'Toimintamallin kustannus asiakasta kohden | 5 140 € | 5 140 €–5 140 €' for a
    cost divided equally over the clients. A Kaplan–Meier median of whole days with the real
    interval 7–7 keeps it: the equal ends alone do not mean the value has no sampling variation."""
    from evalkit.report.assemble import ModelRun, _estimates_table
    from evalkit.report.fmt import format_estimate, format_interval
    from evalkit.report.section import Section, load_section

    cost = Estimate("intervention_cost_per_client", 5140.21, "eur", "kokonaiskustannus / asiakkaat", n=73,
                    ci_low=5140.21, ci_high=5140.21, group="intervention", fixed=True)
    median = Estimate("median_days", 7.0, "days", "Kaplan–Meier", n=14229, ci_low=7.0, ci_high=7.0)
    assert format_interval(cost, language=language) == words
    assert format_estimate(cost, language=language).endswith(f" ({words})")
    assert format_interval(median, language=language, with_label=False) == "7–7"
    table = _estimates_table([cost, median], language, "K")
    assert [r[3] for r in table.rows] == [words, "7–7"]
    saved = Section(model="m", measure="costs", title="Kustannukset").add_estimates(
        [cost], headline=["intervention_cost_per_client"]).save(tmp_path)
    section = load_section(saved)                                    # the report reads the sections back
    assert section.estimates == [cost]
    summary = _summary_table([ModelRun(model="m", dir=tmp_path, meta={"name": "M"}, sections=[section])], language, 5)
    assert summary.rows[0][2] == words and "–" not in summary.rows[0][2]
    with pytest.raises(ValueError, match="fixed value's interval"):
        cost.with_(ci_low=5000.0)
