"""Helpers for data-contract tests: params for a throw-away model and file writers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from evalkit.params import Params

CLIENTS = "client_id,group,index_date,birth_year\nA1,intervention,2024-02-01,1980\nA2,comparison,2024-03-15,1975\n"
VISITS = "client_id,date,service,n\nA1,2024-02-03,psychiatry,1\nA2,2024-02-04,primary_care,2\n"


def make_params(tables: dict[str, Any], **over: Any) -> Params:
    """Params of model ``testi`` whose ``tables`` are given (clients + visits always exist so
    the schema's 'visits' measure is satisfied; tests load only the tables they name)."""
    t = {"clients": "clients.csv", "visits": "visits.csv", **tables}
    data = {"model": "testi", "name": "Testi", "data_start": "2021-01-01", "data_cutoff": "2025-12-31",
            "measures": ["visits"], "tables": t, **over}
    return Params.model_validate(data)


def write(root: Path, name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
    p = root / name
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_bytes(text.encode(encoding))
    return p


def base_files(root: Path, clients: str = CLIENTS, visits: str = VISITS) -> None:
    write(root, "clients.csv", clients)
    write(root, "visits.csv", visits)


def to_finnish(text: str, *, encoding: str = "cp1252", bom: bool = False) -> bytes:
    """International CSV text → Finnish Excel dialect (';', decimal comma, d.m.yyyy)."""
    import re

    out = []
    for line in text.splitlines():
        cells = line.split(",")
        conv = []
        for c in cells:
            m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", c)
            if m:
                c = f"{int(m.group(3))}.{int(m.group(2))}.{m.group(1)}"
            elif re.fullmatch(r"-?\d+\.\d+", c):
                c = c.replace(".", ",")
            conv.append(f'"{c}"' if ";" in c else c)
        out.append(";".join(conv))
    body = ("\r\n".join(out) + "\r\n").encode(encoding)
    return (b"\xef\xbb\xbf" if bom else b"") + body


def frame_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True)
