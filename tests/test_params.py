"""Params: merging, validation and one-line error messages naming file and key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from evalkit.errors import ParamsError
from evalkit.params import load_params
from evalkit.params.doc import params_reference

from .conftest import ROOT, run_cli

DEFAULTS = "language: fi\nmin_cell: 5\ndata_cutoff: 2025-12-31\n"


def write(tmp: Path, name: str, text: str) -> Path:
    p = tmp / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


@pytest.fixture()
def pdir(tmp_path: Path) -> Path:
    write(tmp_path, "defaults.yaml", DEFAULTS)
    return tmp_path


def test_every_committed_params_file_is_valid() -> None:
    files = [p for p in (ROOT / "params").glob("*.yaml") if p.stem != "defaults"]
    assert files
    for f in files:
        p = load_params(f)
        assert p.model == f.stem


def test_model_file_overrides_defaults_and_defaults_fill_in(pdir: Path) -> None:
    f = write(pdir, "m.yaml", "name: M\nmeasures: [reach]\nmin_cell: 10\ntables: {indicators: x.csv}\n")
    p = load_params(f)
    assert p.min_cell == 10  # model wins
    assert p.language == "fi" and str(p.data_cutoff) == "2025-12-31"  # from defaults
    assert p.model == "m"  # from the file name
    assert p.tables["indicators"].path == "x.csv"  # string shorthand


def test_window_error_message_names_file_and_key(pdir: Path) -> None:
    f = write(pdir, "ips.yaml", """\
        name: IPS
        measures: [reach]
        tables: {indicators: x.csv}
        visits:
          pre_window: "12kk"
        """)
    with pytest.raises(ParamsError) as err:
        load_params(f)
    assert err.value.problems == [f'{f}: visits.pre_window: expected two integers, got "12kk"']


def test_unknown_key_suggests_the_right_one(pdir: Path) -> None:
    f = write(pdir, "m.yaml", "name: M\nmeasures: [reach]\ntables: {indicators: {path: x.csv, colums: {}}}\n")
    with pytest.raises(ParamsError) as err:
        load_params(f)
    assert err.value.problems == [f"{f}: tables.indicators.colums: unknown key (did you mean 'columns'?)"]


def test_error_in_defaults_names_the_defaults_file(tmp_path: Path) -> None:
    d = write(tmp_path, "defaults.yaml", DEFAULTS + "min_cel: 3\n")
    f = write(tmp_path, "m.yaml", "name: M\nmeasures: [reach]\ntables: {indicators: x.csv}\n")
    with pytest.raises(ParamsError) as err:
        load_params(f)
    assert err.value.problems == [f"{d}: min_cel: unknown key (did you mean 'min_cell'?)"]


def test_bad_date_and_bad_choice_and_missing_table(pdir: Path) -> None:
    f = write(pdir, "m.yaml", """\
        name: M
        measures: [visits, nope]
        data_cutoff: 2024-13-01
        """)
    with pytest.raises(ParamsError) as err:
        load_params(f)
    text = str(err.value)
    assert f'{f}: data_cutoff: expected a date (YYYY-MM-DD), got "2024-13-01"' in text
    assert f"{f}: measures[1]: expected one of" in text and '"nope"' in text


def test_measure_without_its_table_is_an_error(pdir: Path) -> None:
    f = write(pdir, "m.yaml", "name: M\nmeasures: [visits]\ntables: {clients: c.csv}\n")
    with pytest.raises(ParamsError, match="measure 'visits' needs table 'visits'"):
        load_params(f)


def test_yaml_syntax_error_names_the_line(pdir: Path) -> None:
    f = write(pdir, "m.yaml", "name: M\nmeasures: [reach\n")
    with pytest.raises(ParamsError, match=r"m.yaml: line \d+: YAML syntax error"):
        load_params(f)


def test_a_key_given_twice_is_an_error_naming_both_lines(pdir: Path) -> None:
    # plain YAML keeps the last value silently: an edited pre_window would be overridden by
    # a forgotten line below it
    f = write(pdir, "m.yaml", "name: M\nmeasures: [reach]\nvisits:\n  pre_window: [-90, -1]\n  pre_window: [-365, -1]\n")
    with pytest.raises(ParamsError) as err:
        load_params(f)
    assert str(err.value) == f"{f}: line 5: key 'pre_window' given twice (first on line 4)"


def test_same_key_in_different_mappings_and_merge_keys_are_fine(pdir: Path) -> None:
    f = write(pdir, "m.yaml", """\
        name: M
        measures: [reach]
        tables: {indicators: x.csv}
        base: &b {a: 1}
        reach: {targets: {}}
        """)
    from evalkit.params import read_yaml

    data = read_yaml(f)
    assert data["reach"] == {"targets": {}} and data["base"] == {"a": 1}
    g = write(pdir, "g.yaml", "x: &a {k: 1, j: 2}\ny:\n  <<: *a\n  k: 3\n")
    assert read_yaml(g)["y"] == {"k": 3, "j": 2}


def test_file_name_that_cannot_be_a_model_id_says_so(pdir: Path) -> None:
    f = write(pdir, "ips-2025.yaml", "name: M\nmeasures: [reach]\ntables: {indicators: x.csv}\n")
    with pytest.raises(ParamsError, match=r"ips-2025.yaml: model: the file name 'ips-2025' is used as the model id"):
        load_params(f)
    g = write(pdir, "ips-2026.yaml", "model: ips_2026\nname: M\nmeasures: [reach]\ntables: {indicators: x.csv}\n")
    assert load_params(g).model == "ips_2026"


def test_the_same_model_twice_is_a_usage_error(tmp_path: Path) -> None:
    # `evalkit run ips --params elsewhere/ips.yaml` ran both files into reports/ips/, the later over the earlier
    other = tmp_path / "ips.yaml"
    other.write_text((ROOT / "params" / "ips.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "defaults.yaml").write_text((ROOT / "params" / "defaults.yaml").read_text(encoding="utf-8"),
                                            encoding="utf-8")
    res = run_cli("run", "ips", "--params", str(other), "--out", str(tmp_path / "out"))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "model 'ips' is already given by" in res.stderr and not (tmp_path / "out").exists()


def test_cli_exits_2_with_one_clear_line_and_no_traceback(pdir: Path) -> None:
    f = write(pdir, "m.yaml", "name: M\nmeasures: [reach]\ntables: {indicators: x.csv}\nreach: {indicatorz: []}\n")
    res = run_cli("run", "--params", str(f), "--out", str(pdir / "out"))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert lines == [f"evalkit: {f}: reach.indicatorz: unknown key (did you mean 'indicators'?)"]


def test_params_reference_documents_every_key() -> None:
    text = params_reference()
    for key in ("pre_window", "min_cell", "on_invalid_rows", "employment_statuses", "wtp", "columns"):
        assert f"`{key}`" in text


def test_committed_params_reference_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "params.md").read_text(encoding="utf-8")
    assert committed == params_reference(), "docs/params.md is stale: run `make docs`"
