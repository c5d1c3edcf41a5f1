"""evalkit.measures.waiting: against an independent R implementation (``tests/reference/waiting.R``)
and hand-computed cases.

Data: ``tests/reference/data/waits.csv`` (two sites, contacts 2021–2024, cut-off 2024-12-31,
limit 14 days before 2023 and 7 days from 2023, change 2023-04). Expected:
``expected/waiting.csv`` and ``expected/waiting_monthly.csv`` (R 4.2.2, survival 3.5.3,
sandwich 3.0.2).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from evalkit.errors import AnalysisError
from evalkit.measures.waiting import waiting_times
from evalkit.report.wording import waiting_methods, waiting_narrative

from .conftest import ROOT

# --- tolerances ----------------------------------------------------------------------------
#: Medians and percentiles are event times: exact.
ATOL_DAYS = 0.0
#: Shares and Wilson limits: closed form on both sides.
RTOL_SHARE = 1e-10
#: ITS: same least squares and sandwich; R writes 15 digits.
RTOL_ITS = 1e-7

REF = ROOT / "tests" / "reference"
WAITS = pd.read_csv(REF / "data" / "waits.csv", dtype=str, keep_default_na=False)
R = pd.read_csv(REF / "expected" / "waiting.csv")
R_MONTHLY = pd.read_csv(REF / "expected" / "waiting_monthly.csv")
LIMITS = [{"valid_from": date(2021, 1, 1), "days": 14}, {"valid_from": date(2023, 1, 1), "days": 7}]
OPTIONS = dict(cutoff=date(2024, 12, 31), limits=LIMITS, by=["site"], period="year", change_date="2023-04-01",
               its_limit_days=7, min_cell=5)
GROUP = {"all": "all", "site:Keskusta": "site:Keskusta", "site:Kylä": "site:Kylä",
         **{f"year:{y}": f"year:{y}" for y in range(2021, 2025)}}


@pytest.fixture(scope="module")
def res():
    return waiting_times(WAITS, **OPTIONS)


def _r(quantity: str, group: str) -> pd.Series:
    return R[(R["quantity"] == quantity) & (R["group"] == group)].iloc[0]


@pytest.mark.parametrize("group", list(GROUP))
def test_km_median_and_p90_match_survfit(res, group: str) -> None:
    # R: survfit(Surv(days, treated) ~ 1): summary(fit)$table median / 0.95LCL / 0.95UCL and
    #    quantile(fit, probs = 0.9)
    for q in ("median_days", "p90_days"):
        want, got = _r(q, group), res.get(q, GROUP[group])
        for a, b in ((got.estimate, want["estimate"]), (got.ci_low, want["ci_low"]),
                     (got.ci_high, want["ci_high"])):
            assert (a is None and np.isnan(b)) or a == pytest.approx(b, abs=ATOL_DAYS), (q, group)
        assert got.n == want["n"]


@pytest.mark.parametrize("group", list(GROUP))
def test_share_within_limit_matches_r(res, group: str) -> None:
    # R: among contacts with cut-off − contact ≥ limit: treated & days ≤ limit;
    #    prop.test(x, n, correct = FALSE)$conf.int
    want, got = _r("share_within_limit", group), res.get("share_within_limit", GROUP[group])
    assert (got.numerator, got.n) == (want["numerator"], want["n"])
    assert (got.estimate, got.ci_low, got.ci_high) == pytest.approx(
        (want["estimate"], want["ci_low"], want["ci_high"]), rel=RTOL_SHARE)
    still, want_still = res.get("still_waiting", GROUP[group]), _r("still_waiting", group)["estimate"]
    if 0 < want_still < 5:  # a count of 1–4 cases is suppressed (min_cell = 5)
        assert still.suppressed and still.estimate is None
    else:
        assert still.estimate == want_still
    assert res.get("cases", GROUP[group]).estimate == _r("cases", group)["estimate"]


def test_its_matches_glm_with_same_terms(res) -> None:
    # R: glm(share ~ time + post + time_after + sin1 + cos1 + sin2 + cos2, weights = determinable);
    #    se = max(NeweyWest(lag = 3, adjust = TRUE), NeweyWest(lag = 0, adjust = TRUE)); qt(0.975, n − k)
    got_series = res.its_series.assign(month=lambda d: d["month"].astype(str)).reset_index(drop=True)
    pd.testing.assert_frame_equal(got_series, R_MONTHLY, check_dtype=False, rtol=1e-12)
    for ind in ("its_level_change", "its_slope_change"):
        want, got = _r(ind, "all"), res.get(ind)
        assert (got.estimate, got.ci_low, got.ci_high) == pytest.approx(
            (want["estimate"], want["ci_low"], want["ci_high"]), rel=RTOL_ITS, abs=1e-12)
        assert got.n == 48


def test_still_waiting_past_limit_is_not_within_and_recent_contacts_are_left_out() -> None:
    waits = pd.DataFrame({
        "case_id": ["a", "b", "c", "d", "e", "f"],
        "service": "s",
        "contact_date": ["2024-01-02", "2024-01-02", "2024-01-05", "2024-12-01", "2024-12-28", "2024-12-29"],
        "event_date": ["2024-01-05", "2024-01-20", None, None, "2024-12-30", None],
    })
    r = waiting_times(waits, cutoff="2024-12-31", limits=[("2020-01-01", 7)], min_cell=1)
    share = r.get("share_within_limit", "all")
    # a within (3 d), b not (18 d), c and d still waiting past 7 d → not within;
    # e (treated in 2 d) and f contacted < 7 d before the cut-off: not yet determinable, left out
    assert (share.numerator, share.n) == (1, 4)
    assert r.get("still_waiting", "all").estimate == 3
    assert r.get("cases", "all").estimate == 6


def test_event_after_cutoff_is_still_waiting_and_counted() -> None:
    waits = pd.DataFrame({"service": "s", "contact_date": ["2024-12-01"] * 6,
                          "event_date": ["2024-12-03"] * 5 + ["2025-01-10"]})
    r = waiting_times(waits, cutoff=date(2024, 12, 31), limits=[("2020-01-01", 14)], min_cell=1)
    assert r.get("still_waiting", "all").estimate == 1
    assert any("katkaisupäivän jälkeen" in f["step"] and f["n"] == 1 for f in r.flow)


def test_finnish_dates_are_read() -> None:
    waits = pd.DataFrame({"service": "s", "contact_date": ["2.1.2024", "2024-01-03"] * 3,
                          "event_date": ["9.1.2024", ""] * 3})
    r = waiting_times(waits, cutoff="2024-01-31", min_cell=1)
    assert r.get("cases", "all").estimate == 6
    assert r.get("median_days", "all").estimate == 7


def test_bad_input_is_named() -> None:
    waits = pd.DataFrame({"case_id": ["x1", "x2"], "service": "s", "contact_date": ["2024-01-02", "1/2/2024"],
                          "event_date": ["2024-01-05", ""]})
    with pytest.raises(AnalysisError, match=r"case x2 \(row 3\): '1/2/2024'"):
        waiting_times(waits, cutoff="2024-12-31")
    waits.loc[1, "contact_date"] = "2024-01-10"
    waits.loc[0, "event_date"] = "2023-12-31"
    with pytest.raises(AnalysisError, match="event_date before contact_date.*case x1"):
        waiting_times(waits, cutoff="2024-12-31")
    with pytest.raises(ValueError, match="no column 'site'"):
        waiting_times(waits, cutoff="2024-12-31", by=["site"])
    with pytest.raises(ValueError, match="period must be one of"):
        waiting_times(waits, cutoff="2024-12-31", period="week")


def test_small_site_suppressed_with_its_figures(res) -> None:
    small = WAITS[(WAITS["site"] == "Kylä") & WAITS["contact_date"].str.startswith("2024-12")]
    r = waiting_times(pd.concat([WAITS[WAITS["site"] == "Keskusta"], small]), cutoff=date(2024, 12, 31),
                      limits=LIMITS, by=["site"], period="month", min_cell=5)
    rows = r.to_frame()
    tiny = rows[rows["group"] == "site:Kylä|month:2024-12"]
    assert len(small) < 5 and tiny["suppressed"].all() and tiny["estimate"].isna().all()
    shown = r.table[~r.table["suppressed"]]
    assert (shown["cases"].dropna() >= 5).all()
    m = r.monthly
    assert (m.loc[~m["suppressed"], "determinable"] >= 5).all()


def test_row_order_does_not_matter(res) -> None:
    shuffled = WAITS.sample(frac=1.0, random_state=3)
    other = waiting_times(shuffled, **OPTIONS)
    pd.testing.assert_frame_equal(other.to_frame(), res.to_frame())


def test_wording_follows_evidence(res) -> None:
    text = waiting_narrative(res)
    lvl = res.get("its_level_change")
    assert "havaittiin tasomuutos" in text if lvl.ci_low > 0 else "ei voitu osoittaa" in text
    assert "vertailuryhmää" in text and "vaikutti" not in text
    assert "Kaplan–Meier" in waiting_methods(res)


def test_methods_state_the_min_cell_in_use(res) -> None:
    # the sentence said "Alle viiden" whatever min_cell the params set
    assert "Alle 5 tapauksen solut on peitetty." in waiting_methods(res)
    assert "Alle 10 tapauksen solut on peitetty." in waiting_methods(res, min_cell=10)
    assert "färre än 10 fall" in waiting_methods(res, min_cell=10, language="sv")


def test_hoitotakuu_demo_truth_inside_interval(demo_data) -> None:
    # Issue 9 acceptance: the true ITS level (and slope) change of the demo data lies inside
    # the reported 95 % interval; the yearly care-guarantee figures are all present.
    import evalkit
    from evalkit.data.demo import read_truth
    from evalkit.measures.waiting import options_from_params

    ctx = evalkit.open_model("hoitotakuu", measure="waiting", data_root=demo_data)
    res = evalkit.waiting_times(ctx.load().waits, **options_from_params(ctx.params))
    truth = read_truth(demo_data / "demo" / "TRUTH.yaml")["by_key"]
    for ind in ("its_level_change", "its_slope_change"):
        true = truth[("hoitotakuu", "waiting", ind, "all")]["value"]
        e = res.get(ind)
        assert e.ci_low <= true <= e.ci_high, (ind, true, e)
    for year in ("2022", "2023", "2024", "2025"):
        assert res.get("median_days", f"year:{year}").estimate is not None


def test_suppressed_share_is_marked_suppressed_in_the_report_table(tmp_path) -> None:
    """Seen in the report: a share hidden because fewer than 5 waited longer than 90 days was
    '–' in the waiting-times table, which reads as missing; the report's other tables write
    'suojattu' (and the section ends with the suppression footnote)."""
    from evalkit.report.assemble import ModelRun, Para, Table, build_document
    from evalkit.report.section import Column, Section

    years = {"2022": [3] * 18 + [100] * 2, "2023": [5] * 10 + [95] * 10, "2024": [5] * 15 + [95] * 15}
    waits = pd.DataFrame([(f"{y}-02-01", d) for y, days in years.items() for d in days],
                         columns=["contact_date", "days"]).assign(service="s")
    waits["event_date"] = (pd.to_datetime(waits["contact_date"]) + pd.to_timedelta(waits["days"], unit="D")).astype(str)
    r = waiting_times(waits, cutoff="2024-12-31", extra_limits_days=[90], min_cell=5)
    hidden = {y: r.get("share_within_90_days", f"year:{y}").suppressed for y in years}
    assert hidden == {"2022": True, "2023": True, "2024": False}    # 2 over 90 days; 2023 secondary
    cols = [Column("period", "Jakso"), Column("cases", "Yhteydenottoja", "cases", count=True),
            Column("median_days", "Mediaani", "days"), Column("share_within_90_days", "90 vrk", "proportion")]
    sec = Section(model="m", measure="waiting", title="Odotusajat").table(r.display_table(), cols, title="Odotusajat")
    doc = build_document([ModelRun(model="m", dir=tmp_path, meta={"name": "M"}, sections=[sec])])
    table = next(e for e in doc.elements if isinstance(e, Table) and e.caption == "Odotusajat")
    assert {row[0]: row[3] for row in table.rows} == {"2022": "suojattu", "2023": "suojattu", "2024": "50\xa0%",
                                                      "kaikki": "61\xa0%"}
    notes = [e.text for e in doc.elements if isinstance(e, Para) and e.style == "note"]
    assert any("merkitty ”suojattu”" in n for n in notes)
    t = r.table                                                          # the result table keeps numbers
    assert t["share_within_90_days"].dtype == "float64"
    assert t["share_within_90_days"].isna().equals(t["share_within_90_days_suppressed"])
