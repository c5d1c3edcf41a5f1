"""Where things live: the project root, params, data and reports directories."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_root", "params_dir", "project_root", "reports_dir"]


def project_root(start: Path | None = None) -> Path | None:
    """The evalkit project directory: ``$EVALKIT_HOME``, else the nearest ancestor of the
    working directory (or of this package, for an editable install) holding ``params/defaults.yaml``."""
    env = os.environ.get("EVALKIT_HOME")
    if env:
        return Path(env).resolve()
    candidates = [start or Path.cwd(), Path(__file__).resolve().parent]
    for base in candidates:
        for d in [base.resolve(), *base.resolve().parents]:
            if (d / "params" / "defaults.yaml").is_file():
                return d
    return None


def _under_root(name: str) -> Path:
    root = project_root()
    return (root / name) if root is not None else Path(name).resolve()


def params_dir() -> Path:
    return _under_root("params")


def data_root() -> Path:
    return _under_root("data")


def reports_dir() -> Path:
    return _under_root("reports")
