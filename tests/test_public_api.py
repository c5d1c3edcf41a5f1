"""The public API: every exported name resolves, and importing evalkit stays light."""

from __future__ import annotations

import subprocess
import sys

import evalkit


def test_every_exported_name_resolves() -> None:
    missing = [n for n in evalkit.__all__ if getattr(evalkit, n, None) is None]
    assert missing == []
    assert sorted(dir(evalkit)) == sorted(evalkit.__all__)


def test_unknown_attribute_is_an_attribute_error() -> None:
    try:
        evalkit.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_command_line_import_does_not_load_the_numeric_stack() -> None:
    # `evalkit run` with every notebook cached and `evalkit list` must start fast: the
    # package and its CLI import pandas, scipy and statsmodels only when a measure needs them
    code = ("import sys, evalkit, evalkit.cli; "
            "print(sorted(m for m in ('pandas', 'scipy', 'statsmodels', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
