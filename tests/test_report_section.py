"""Section API: backward compatible, flow read at save time, findings stored for output."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import evalkit
from evalkit.report.section import Column, Section, load_section
from evalkit.results import Estimate


def test_existing_api_keeps_working(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, _ax = plt.subplots()
    sec = Section(model="m", measure="visits", title="Käyntimäärät")
    e = Estimate("psy_rate_ratio", 0.8, "rate_ratio", "Poisson GLM", n=50, ci_low=0.7, ci_high=0.9)
    (sec.add_estimates([e], headline=["psy_rate_ratio"])
        .key_figures(["psy_rate_ratio"], title="Tunnusluvut")
        .paragraph("Teksti.")
        .paragraph("Menetelmä.", role="methods")
        .table(pd.DataFrame({"a": ["x"], "n": [10]}), [Column("a", "A"), Column("n", "N", "persons", True)], title="T")
        .figure(fig, "Kuvio", audience="internal")
        .add_flow([{"table": "visits", "read": 10, "accepted": 10, "rejected": {}}]))
    path = sec.save(tmp_path)
    back = load_section(path)
    assert [b["kind"] for b in back.blocks] == ["estimates", "paragraph", "paragraph", "table", "figure"]
    assert back.flow[0]["read"] == 10 and back.headline == ["psy_rate_ratio"]
    assert (tmp_path / "figures" / "visits_1.png").exists()
    with pytest.raises(ValueError, match="role"):
        sec.paragraph("x", role="conclusion")  # type: ignore[arg-type]


def test_findings_are_stored_as_options_and_rendered_from_estimates(tmp_path: Path) -> None:
    sec = Section(model="m", measure="visits", title="Käyntimäärät")
    e = Estimate("psy_rate_ratio", 0.8, "rate_ratio", "Poisson GLM", n=50, ci_low=0.7, ci_high=0.9)
    sec.finding(e, subject="Käyntien määrä", comparison=True)
    assert sec.estimates == [e]  # added once
    back = load_section(sec.save(tmp_path))
    [claim] = back.claims()
    assert claim.evidence == "demonstrated" and claim.sentence.startswith("Käyntien määrä väheni vertailuryhmään")
    assert "<em>[demonstrated]</em>" in back._repr_html_()


def test_flow_is_read_when_the_section_is_saved(demo_data: Path, root: Path, tmp_path: Path) -> None:
    ctx = evalkit.open_model("matalan_kynnyksen_ryhmat", measure="reach", data_root=demo_data,
                             params_file=root / "params" / "matalan_kynnyksen_ryhmat.yaml")
    sec = ctx.section()  # created before the data are loaded …
    data = ctx.load()
    data.set_analysed("indicators", 7, {"ei tavoitetta": 3})  # … and the analysed count set afterwards
    ctx.out_dir = tmp_path
    saved = json.loads(ctx.save().read_text(encoding="utf-8"))
    assert sec is ctx.section()
    assert saved["flow"][0]["table"] == "indicators" and saved["flow"][0]["analysed"] == 7
    assert saved["flow"][0]["excluded"] == {"ei tavoitetta": 3}
