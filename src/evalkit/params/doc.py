"""Render the params schema as a Markdown key reference (``evalkit params-doc``)."""

from __future__ import annotations

import typing
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from .schema import Params

__all__ = ["params_reference"]


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is typing.Literal:
        return " / ".join(f"`{a}`" for a in get_args(tp))
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return " or ".join(_type_name(a) for a in get_args(tp) if a is not type(None)) + " (optional)"
    if origin in (list, tuple):
        args = [a for a in get_args(tp) if a is not Ellipsis]
        inner = ", ".join(_type_name(a) for a in args)
        return f"list of {inner}" if origin is list else f"[{inner}]"
    if origin is dict:
        k, v = get_args(tp)
        return f"mapping {_type_name(k)} → {_type_name(v)}"
    if origin is typing.Annotated:
        return _type_name(get_args(tp)[0])
    if isinstance(tp, type):
        if issubclass(tp, BaseModel):
            return f"section `{tp.__name__}`"
        return {"str": "text", "int": "integer", "float": "number", "bool": "true/false", "date": "date (YYYY-MM-DD)"}.get(tp.__name__, tp.__name__)
    return str(tp)


def _default(field: Any) -> str:
    if field.default is not PydanticUndefined:
        d = field.default
    elif field.default_factory is not None:
        try:
            d = field.default_factory()
        except TypeError:
            return ""
    else:
        return "**required**"
    if isinstance(d, BaseModel):
        return "(section defaults)"
    return f"`{d!r}`" if d not in (None, "", [], {}) else ("—" if d is None else f"`{d!r}`")


def _models(tp: Any) -> list[type[BaseModel]]:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    return [m for a in get_args(tp) for m in _models(a)]


def params_reference() -> str:
    """Markdown tables of every key, section by section, generated from the schema."""
    out = ["# Params reference", "",
           "Generated from the schema by `evalkit params-doc`; do not edit by hand.",
           "`params/defaults.yaml` holds region-wide values; `params/<model>.yaml` overrides and adds.",
           "Unknown keys are errors.", ""]
    seen: set[str] = set()
    queue: list[tuple[str, type[BaseModel]]] = [("", Params)]
    while queue:
        prefix, model = queue.pop(0)
        if model.__name__ in seen:
            continue
        seen.add(model.__name__)
        title = prefix or "top level"
        out += [f"## `{title}` ({model.__name__})", "", (model.__doc__ or "").strip().splitlines()[0], "",
                "| key | type | default | meaning |", "|---|---|---|---|"]
        for name, field in model.model_fields.items():
            out.append(f"| `{name}` | {_type_name(field.annotation)} | {_default(field)} | {field.description or ''} |")
            for sub in _models(field.annotation):
                queue.append((f"{prefix}.{name}" if prefix else name, sub))
        out.append("")
    return "\n".join(out)
