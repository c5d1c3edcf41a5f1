"""Demo data: deterministic files, the truth file, and seed 001's aggregate figures.

The aggregate IPS figures are fixed by design (seed 001 section 3: 118 referred, 73
agreements, 25 open-labour-market jobs, 16 other progression, 28 SMI, fidelity 108/125);
the pre-period visit rate 1.55 per client-month is a generating parameter checked here
against the realised sample with a tolerance for sampling noise.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from evalkit.data import load_tables
from evalkit.data.demo import DEMO_SEED, MODELS, read_truth, write_demo_data
from evalkit.data.demo.reference import write_reference
from evalkit.params import load_params
from evalkit.run import plan_jobs

from .conftest import ROOT

#: relative tolerance of the realised IPS pre-period visit rate against the generating 1.55:
#: the frailties are calibrated to mean 1 (simulate_visits(calibrate_frailty=True)), so only
#: Poisson noise remains (≈ 1 350 visits: SD ≈ 3 %)
PRE_RATE_RTOL = 0.06


def _digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_writes_byte_identical_files(tmp_path: Path, demo_data: Path) -> None:
    write_demo_data(tmp_path / "demo")
    assert _digests(tmp_path) == _digests(demo_data)


def test_another_seed_changes_the_samples_but_not_the_design(tmp_path: Path, demo_data: Path) -> None:
    write_demo_data(tmp_path / "demo", seed=DEMO_SEED + 1, models=["ips"])
    a = pd.read_parquet(tmp_path / "demo/ips/visits.parquet")
    b = pd.read_parquet(demo_data / "demo/ips/visits.parquet")
    assert len(a) != len(b) or not a.equals(b)
    t = read_truth(tmp_path / "demo/TRUTH.yaml")["by_key"]
    assert t[("ips", "employment", "employment_rate", "intervention")]["value"] == pytest.approx(25 / 73, abs=1e-4)


def test_committed_reference_data_match_the_generator(tmp_path: Path) -> None:
    write_reference(tmp_path)
    assert _digests(tmp_path) == _digests(ROOT / "data" / "reference")


def test_truth_file_covers_every_model_with_stated_estimands(demo_data: Path) -> None:
    truth = read_truth(demo_data / "demo/TRUTH.yaml")
    assert truth["seed"] == DEMO_SEED
    assert {h["model"] for h in truth["headline"]} == set(MODELS)
    for h in truth["headline"]:
        assert {"model", "measure", "indicator", "group", "value", "unit", "estimand"} <= set(h)
        assert set(h) <= {"model", "measure", "indicator", "group", "value", "unit", "estimand", "sample_value"}
        assert len(h["estimand"]) > 20
    key = truth["by_key"]
    assert key[("ips", "visits", "did_rate_ratio", "all")]["value"] == pytest.approx(0.8)
    assert key[("ips", "visits", "rate_ratio", "comparison")]["value"] == pytest.approx(0.769)
    assert key[("ips", "visits", "rate_ratio", "intervention")]["value"] == pytest.approx(0.8 * 0.769, abs=1e-4)
    assert key[("terapiat_etulinjaan", "visits", "did_rate_ratio", "all")]["value"] == pytest.approx(0.7)
    assert key[("tyottomien_tyokyky", "visits", "rate_ratio", "intervention")]["value"] == pytest.approx(0.69)
    assert key[("hyvinvointilahete", "visits", "rate_ratio", "intervention")]["value"] == pytest.approx(0.82)
    # a very long wait (2 %) overrides the within-7-days draw: the share moves by 0.98 × 0.15
    assert key[("hoitotakuu", "waiting", "its_level_change", "all")]["value"] == pytest.approx(0.98 * 0.15)
    assert key[("hoitotakuu", "waiting", "its_slope_change", "all")]["value"] == pytest.approx(0.98 * 0.006)


def test_every_model_params_file_loads_its_demo_tables(demo_data: Path) -> None:
    for model in MODELS:
        params = load_params(ROOT / "params" / f"{model}.yaml")
        ds = load_tables(params, demo_data)
        assert set(ds.tables) == set(params.tables), model
        assert all(len(t) > 0 for t in ds.tables.values()), model


def test_ips_reproduces_seed_001_aggregates(demo_data: Path) -> None:
    d = demo_data / "demo/ips"
    cl = pd.read_csv(d / "clients.csv", sep=";", encoding="cp1252", dtype=str)
    for col in ("referral_date", "index_date"):
        cl[col] = pd.to_datetime(cl[col], format="%d.%m.%Y")
    ints = cl[cl["group"] == "intervention"]
    started = ints[ints["index_date"].notna()]
    assert len(ints) == 118 and len(started) == 73
    assert 140 <= (cl["group"] == "comparison").sum() <= 160
    wait = (started["index_date"] - started["referral_date"]).dt.days
    assert wait.between(180, 245).all()  # 6–8 months
    smi = started["diagnoses"].str.contains(r"F2[0-5]|F29|F31\.[6-9]", regex=True)
    assert smi.sum() == 28
    assert started["diagnoses"].str.contains(r"F31\.[6-9]", regex=True).sum() == 5

    emp = pd.read_csv(d / "employment.csv", sep=";", encoding="cp1252", dtype=str)
    emp["start_date"] = pd.to_datetime(emp["start_date"], format="%d.%m.%Y")
    emp = emp.merge(started[["client_id", "index_date"]], on="client_id")
    after = emp[emp["start_date"] >= emp["index_date"]]
    employed = set(after.loc[after["status"].isin(["competitive", "self_employed"]), "client_id"])
    progressed = set(after.loc[after["status"].isin(["study", "volunteer", "work_trial"]), "client_id"])
    assert len(employed) == 25
    assert len(progressed - employed) == 16
    assert len(progressed & employed) == 8  # work trial before the job (seed 001)

    fid = pd.read_excel(d / "fidelity.xlsx")
    totals = fid.groupby("review_date")["score"].sum().sort_index()
    assert totals.iloc[-1] == 108 and fid["score"].between(1, 5).all()
    assert (fid.groupby("review_date")["item"].nunique() == 25).all()

    vis = pd.read_parquet(d / "visits.parquet")
    vis = vis[(vis["service"] == "psychiatry") & vis["professional"].isin(["nurse", "psychologist", "physician"])]
    vis = vis.merge(started[["client_id", "index_date"]], on="client_id")
    day = (pd.to_datetime(vis["date"]) - vis["index_date"]).dt.days
    pre_rate = day.between(-365, -1).sum() / (73 * 365 / 30.4375)
    assert pre_rate == pytest.approx(1.55, rel=PRE_RATE_RTOL)


def test_formats_are_mixed_and_finnish_csv_is_cp1252(demo_data: Path) -> None:
    files = [p for p in (demo_data / "demo").rglob("*") if p.is_file()]
    assert {p.suffix for p in files} >= {".csv", ".xlsx", ".parquet", ".yaml"}
    raw = (demo_data / "demo/hoitotakuu/waits.csv").read_bytes()
    assert b"Lestij\xe4rvi" in raw and b";" in raw.splitlines()[0]  # cp1252 ä, Finnish separator
    price = (demo_data / "reference/price_index.csv").read_text(encoding="cp1252")
    assert "," in price.splitlines()[1]  # decimal comma


def test_hoitotakuu_has_cases_still_waiting_at_the_cutoff(demo_data: Path) -> None:
    w = pd.read_csv(demo_data / "demo/hoitotakuu/waits.csv", sep=";", encoding="cp1252", dtype=str)
    assert w["event_date"].isna().sum() > 0
    assert w["site"].nunique() == 10


def test_runner_skips_measures_without_a_notebook(tmp_path: Path) -> None:
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    (nbdir / "visits.ipynb").write_text("{}", encoding="utf-8")
    skipped: list[tuple[str, str]] = []
    jobs = plan_jobs([ROOT / "params/ips.yaml"], data_root=tmp_path, reports_dir=tmp_path / "r",
                     notebooks_dir=nbdir, skipped=skipped)
    assert [j.measure for j in jobs] == ["visits"]
    assert skipped == [("ips", "employment"), ("ips", "costs")]


def test_terapiat_demo_draws_are_moment_matched_and_exactly_allocated() -> None:
    # The demo clients carry the generating means and spreads exactly (TRUTH.yaml
    # demo_sampling); the Monte Carlo population and the coverage studies keep plain draws.
    import numpy as np

    from evalkit.data.demo import terapiat_etulinjaan as te

    rng = np.random.default_rng(1)
    x = te._normal(rng, -8.3, 5.0, 301)
    assert x.mean() == pytest.approx(-8.3, abs=1e-12) and x.std() == pytest.approx(5.0, abs=1e-12)
    plain = te._plain_normal(np.random.default_rng(1), -8.3, 5.0, 301)
    assert abs(plain.mean() + 8.3) > 1e-6                              # a plain draw is not matched
    values = te._allocate(rng, np.array(te.SYM["sessions"]), np.array(te.SYM["sessions_p"]), 362)
    expected = np.array(te.SYM["sessions_p"]) * 362
    counts = np.array([(values == k).sum() for k in te.SYM["sessions"]])
    assert counts.sum() == 362 and np.abs(counts - expected).max() < 1  # largest remainder
    sim = te.simulate_courses(np.random.default_rng(2), te.N_STARTED, comparison=False, matched=True)
    assert (sim["sessions"] == 1).sum() == round(te.SYM["p_dropout_after_first"] * te.N_STARTED)
    # (the plain path's population value is pinned by tests/test_coverage.py: ANCOVA_DEMO_TRUTH)


def test_tyottomien_outcomes_are_allocated_exactly(demo_data: Path) -> None:
    truth = read_truth(demo_data / "demo" / "TRUTH.yaml")
    real = truth["models"]["tyottomien_tyokyky"]["realised"]
    n = real["clients"]
    assert real["employed_365d"] == round(0.19 * n) and real["progressed_365d"] == round(0.68 * n)


def test_any_seed_writes_hoitotakuu_even_with_an_empty_site_month(tmp_path: Path) -> None:
    # Lestijärvi has 6 contacts a month (Poisson): some seeds draw a month without any, and
    # the generator crashed there (IndexError) — `evalkit demo-data --seed 7` failed.
    write_demo_data(tmp_path / "demo", seed=7, models=["hoitotakuu"])
    waits = pd.read_csv(tmp_path / "demo/hoitotakuu/waits.csv", sep=";", encoding="cp1252", dtype=str)
    months = pd.to_datetime(waits["contact_date"], format="%d.%m.%Y").dt.to_period("M")
    per_site = waits.assign(month=months).groupby(["site", "month"]).size().unstack(fill_value=0)
    assert (per_site == 0).any(axis=None)  # the case the fix is for is in this sample
