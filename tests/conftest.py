"""Shared fixtures: the project root, demo data and the pipeline run on the demo data."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory) -> Path:
    """Data root holding freshly generated demo data (``<root>/demo/<model>/…``)."""
    out = tmp_path_factory.mktemp("data")
    from evalkit.data.demo import write_demo_data

    write_demo_data(out / "demo")
    return out


@pytest.fixture(scope="session")
def pipeline(demo_data: Path, tmp_path_factory) -> dict:
    """`evalkit run` + `evalkit report` on the demo data, once per test session (shared by the
    end-to-end tests and the truth-recovered test): ``out`` holds ``results.csv`` and the report."""
    out = tmp_path_factory.mktemp("reports")
    t0 = time.perf_counter()
    first = run_cli("run", "--data", str(demo_data), "--out", str(out), "--quiet")
    cold = time.perf_counter() - t0
    report = run_cli("report", "--out", str(out))
    return {"out": out, "first": first, "report": report, "cold": cold, "data": demo_data}


def run_cli(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the ``evalkit`` command in a subprocess (as a user would)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "evalkit", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=900)
