"""Shared fixtures: the project root, demo data and a scratch reports directory."""

from __future__ import annotations

import os
import subprocess
import sys
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


def run_cli(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the ``evalkit`` command in a subprocess (as a user would)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "evalkit", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=900)
