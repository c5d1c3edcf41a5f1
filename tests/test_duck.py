"""DuckDB connections spill row-level data only into a private temporary directory."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from evalkit.data.duck import connect, spill_dir


def test_connections_spill_to_a_private_temp_dir_not_the_working_directory() -> None:
    con = connect()
    temp = Path(con.execute("SELECT current_setting('temp_directory')").fetchone()[0])
    assert temp == spill_dir()
    assert temp.is_relative_to(Path(tempfile.gettempdir()))  # not '.tmp' under the cwd
    assert stat.S_IMODE(os.stat(temp).st_mode) == 0o700
    assert con.execute("SELECT current_setting('enable_progress_bar')").fetchone()[0] is False


def test_a_query_over_the_memory_limit_spills_there(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    con = connect()
    con.execute("SET memory_limit = '64MB'; SET threads = 1; SET preserve_insertion_order = false")
    n = con.execute("SELECT count(*) FROM (SELECT i, md5(i::VARCHAR) AS h FROM range(3000000) t(i) ORDER BY h)"
                    ).fetchone()[0]
    assert n == 3_000_000
    assert not (tmp_path / ".tmp").exists()  # DuckDB's default spill place for an in-memory database
