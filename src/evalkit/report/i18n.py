"""Label catalogues of the report: Finnish, Swedish, English.

Each language is a folder ``locales/<language>/`` of YAML files merged together:
``common.yaml`` holds the report's own words, ``<measure>.yaml`` a measure's indicator
labels and phrases.

Missing keys fall back to Finnish, then to the key itself, so a new indicator never breaks a
report; ``tests/test_i18n.py`` checks that the catalogues have the same keys.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["catalogue", "code_label", "label", "lookup"]


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


@cache
def catalogue(language: str) -> dict[str, Any]:
    """All labels of one language (empty when the language has no folder)."""
    folder = resources.files("evalkit.report").joinpath("locales", language)
    merged: dict[str, Any] = {}
    if not folder.is_dir():
        return merged
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: (f.name != "common.yaml", f.name))
    for f in files:
        merged = _deep_merge(merged, yaml.safe_load(f.read_text("utf-8")) or {})
    return merged


def label(key: str, language: str = "fi", **fmt: Any) -> str:
    """``label('measures.visits') → 'Käyntimäärät'``; ``fmt`` fills ``{placeholders}``; a key
    no catalogue holds is shown as its last part."""
    text = lookup(key, language)
    if text is None:
        return key.rsplit(".", 1)[-1]
    return text.format(**fmt) if fmt else text


def lookup(key: str, language: str = "fi") -> str | None:
    """The label of ``key`` in ``language``, else Finnish, else ``None`` (no fallback to the key)."""
    for lang in (language, "fi"):
        node: Any = catalogue(lang)
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                break
        if isinstance(node, str):
            return node
    return None


def code_label(family: str, value: str, language: str = "fi") -> str:
    """A data-contract code as a report word: ``code_label('service', 'primary_care') →
    'perusterveydenhuolto'``; a code the catalogue does not know is shown as it is."""
    if "." in str(value):
        return str(value)
    return lookup(f"codes.{family}.{value}", language) or str(value)
