"""Params: region-wide ``defaults.yaml`` merged with one file per operating model.

>>> p = load_params("params/ips.yaml")          # doctest: +SKIP
>>> p.visits.pre_window
(-365, -1)

Every problem is reported as one line naming the file and the key path, e.g.
``params/ips.yaml: visits.pre_window: expected two integers, got "12kk"``.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import ParamsError
from .common import MEASURES, TABLES
from .schema import REQUIRED_TABLES, Params, TableSource

__all__ = [
    "MEASURES",
    "REQUIRED_TABLES",
    "TABLES",
    "Params",
    "TableSource",
    "find_defaults",
    "load_params",
    "params_json",
    "read_yaml",
]

Provenance = dict[tuple[str, ...], str]


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates stay text and the schema parses them,
    so ``2024-13-01`` gets a clear message instead of a crash. A key given twice in one
    mapping is an error (plain YAML silently keeps the last one, so an edited value could
    be overridden by a forgotten line further down)."""

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    line = first.setdefault(key, key_node.start_mark.line)
                except TypeError:  # unhashable key: SafeLoader reports it
                    continue
                if line != key_node.start_mark.line:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key '{key}' given twice (first on line {line + 1})", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path, *, shown: str | None = None) -> dict[str, Any]:
    """Read a YAML mapping; syntax errors become a ParamsError naming file and line."""
    shown = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParamsError(f"{shown}: file not found") from None
    except UnicodeDecodeError as exc:
        raise ParamsError(f"{shown}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        kind = "" if isinstance(exc, yaml.constructor.ConstructorError) else "YAML syntax error: "
        raise ParamsError(f"{shown}: {where}{kind}{problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParamsError(f"{shown}: expected a mapping of keys at the top level")
    return data


def _merge(base: dict, over: dict, prov: Provenance, file: str, prefix: tuple[str, ...] = ()) -> dict:
    """Deep-merge ``over`` into a copy of ``base``; record which file set each key."""
    out = dict(base)
    for key, value in over.items():
        path = (*prefix, str(key))
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            prov[path] = file
            out[key] = _merge(out[key], value, prov, file, path)
        else:
            out[key] = value
            for p in [p for p in prov if p[: len(path)] == path]:
                del prov[p]
            _record(value, prov, file, path)
    return out


def _record(value: Any, prov: Provenance, file: str, path: tuple[str, ...]) -> None:
    prov[path] = file
    if isinstance(value, dict):
        for k, v in value.items():
            _record(v, prov, file, (*path, str(k)))


def _shown_path(path: Path) -> str:
    """Path as a user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def find_defaults(params_file: Path) -> Path | None:
    """``defaults.yaml`` next to the params file, else the project's ``params/defaults.yaml``."""
    sibling = params_file.parent / "defaults.yaml"
    if sibling.is_file() and sibling.resolve() != params_file.resolve():
        return sibling
    from ..paths import project_root

    root = project_root()
    if root is not None and (root / "params" / "defaults.yaml").is_file():
        return root / "params" / "defaults.yaml"
    return None


def load_params(
    params_file: str | Path,
    *,
    defaults_file: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> Params:
    """Load and validate one model's params, merged over the region-wide defaults.

    ``defaults_file`` defaults to :func:`find_defaults`. ``overrides`` (e.g. from a notebook)
    are applied last. Raises :class:`~evalkit.errors.ParamsError` listing every problem.
    """
    params_file = Path(params_file)
    shown = _shown_path(params_file)
    defaults_path = Path(defaults_file) if defaults_file is not None else find_defaults(params_file)
    prov: Provenance = {}
    merged: dict[str, Any] = {}
    if defaults_path is not None:
        merged = _merge(merged, read_yaml(defaults_path, shown=_shown_path(defaults_path)), prov,
                        _shown_path(defaults_path))
    merged = _merge(merged, read_yaml(params_file, shown=shown), prov, shown)
    if overrides:
        merged = _merge(merged, overrides, prov, "overrides")
    if "model" not in merged and not re.fullmatch(r"[a-z][a-z0-9_]*", params_file.stem):
        raise ParamsError(f"{shown}: model: the file name '{params_file.stem}' is used as the model id, which must "
                          "be lower-case letters, digits and _ (e.g. ips_2025.yaml); rename the file or set "
                          "'model: <id>' in it")
    merged.setdefault("model", params_file.stem)
    if merged.get("model") != params_file.stem and params_file.stem != "params":
        prov.setdefault(("model",), shown)
    try:
        return Params.model_validate(merged)
    except ValidationError as exc:
        raise ParamsError([_describe(err, prov, shown) for err in exc.errors()]) from None


def params_json(params: Params) -> str:
    """Canonical JSON of params as used (sorted keys) — for provenance and cache keys."""
    return json.dumps(params.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)


# ---------------------------------------------------------------------------- error text


def _describe(err: dict[str, Any], prov: Provenance, default_file: str) -> str:
    loc = tuple(str(p) for p in err["loc"])
    file = default_file
    for n in range(len(loc), 0, -1):
        if loc[:n] in prov:
            file = prov[loc[:n]]
            break
    key = _key_path(err["loc"]) or "(top level)"
    return f"{file}: {key}: {_message(err, loc)}"


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _got(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _message(err: dict[str, Any], loc: tuple[str, ...]) -> str:
    kind = err["type"]
    given = err.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        hint = difflib.get_close_matches(loc[-1], allowed, n=1)
        text = "unknown key"
        if hint:
            text += f" (did you mean '{hint[0]}'?)"
        elif allowed:
            text += f" (allowed: {', '.join(sorted(allowed))})"
        return text
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"expected one of {expected}, got {_got(given)}"
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return f"expected an integer, got {_got(given)}"
    if kind in {"float_parsing", "float_type"}:
        return f"expected a number, got {_got(given)}"
    if kind in {"bool_parsing", "bool_type"}:
        return f"expected true or false, got {_got(given)}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"expected a date (YYYY-MM-DD), got {_got(given)}"
    if kind in {"list_type", "tuple_type"}:
        return f"expected a list, got {_got(given)}"
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return f"expected a mapping of keys, got {_got(given)}"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    msg = str(err["msg"])
    msg = msg[0].lower() + msg[1:] if msg else msg
    return f"{msg}, got {_got(given)}"


def _allowed_keys(loc: tuple[str, ...]) -> list[str]:
    """Field names allowed at ``loc`` in the schema (empty when not a model)."""
    tp: Any = Params
    for part in loc:
        tp = _step(tp, part)
        if tp is None:
            return []
    model = _as_model(tp)
    return list(model.model_fields) if model is not None else []


def _as_model(tp: Any) -> type[BaseModel] | None:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    if get_origin(tp) is not None and get_origin(tp) not in (dict, list, tuple):
        for arg in get_args(tp):  # Optional[Model], Annotated[Model, ...]
            m = _as_model(arg)
            if m is not None:
                return m
    return None


def _step(tp: Any, part: str) -> Any:
    """The annotation one key (or list index) below ``tp``."""
    model = _as_model(tp)
    if model is not None:
        field = model.model_fields.get(part)
        return field.annotation if field is not None else None
    for candidate in [tp, *get_args(tp)]:
        o = get_origin(candidate)
        if o is dict:
            return get_args(candidate)[1]
        if o in (list, tuple):
            return get_args(candidate)[0]
    return None
