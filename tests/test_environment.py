"""environment.yml (conda) and pyproject.toml (pip) must agree on runtime packages."""

from __future__ import annotations

import re
import tomllib

import yaml

from .conftest import ROOT

# conda-forge names that differ from PyPI names
CONDA_TO_PYPI = {"python-duckdb": "duckdb"}


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ ;\[]", spec.strip(), maxsplit=1)[0].lower()


def test_environment_yml_mirrors_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_runtime = {_name(d) for d in project["dependencies"]}
    pip_extra = {_name(d) for deps in project["optional-dependencies"].values() for d in deps}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {CONDA_TO_PYPI.get(_name(d), _name(d)) for d in env["dependencies"] if isinstance(d, str)}
    conda -= {"python", "pip"}
    assert pip_runtime - conda == set(), "runtime packages missing from environment.yml"
    assert conda - pip_runtime - pip_extra == set(), "environment.yml lists packages pyproject does not"


def test_constraints_pin_every_runtime_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = {
        _name(line).replace("_", "-")
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line and not line.startswith("#")
    }
    wanted = {_name(d).replace("_", "-") for d in project["dependencies"]}
    assert wanted - pinned == set()
