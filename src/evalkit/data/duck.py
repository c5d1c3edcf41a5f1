"""DuckDB connections that keep row-level data private.

An in-memory DuckDB database spills to ``.tmp`` in the *current working directory* when a
query needs more memory than it has — for a papermill run that is ``notebooks/`` inside
the repository, where row-level visit data would then lie on disk (and could be
committed). Every connection evalkit opens spills instead into one private temporary
directory per process (mode 0700, removed at exit), and shows no progress bar (it would
garble the runner's own).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import duckdb

__all__ = ["connect", "spill_dir"]

_SPILL: Path | None = None


def spill_dir() -> Path:
    """This process's private spill directory (created on first use)."""
    global _SPILL
    if _SPILL is None or not _SPILL.is_dir():
        _SPILL = Path(tempfile.mkdtemp(prefix="evalkit-duckdb-"))
        atexit.register(shutil.rmtree, _SPILL, ignore_errors=True)
    return _SPILL


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection spilling only to :func:`spill_dir`."""
    con = duckdb.connect(config={"temp_directory": str(spill_dir())})
    try:
        con.execute("SET enable_progress_bar = false")  # a session option, not a connect-time one
    except duckdb.Error:
        pass  # inside a Jupyter kernel without ipywidgets DuckDB refuses the setting (and draws no bar)
    return con
