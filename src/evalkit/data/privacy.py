"""Privacy guards: refuse personal identity codes, names and addresses; keyed pseudonymisation.

Messages name the file, row and column but never echo the offending value.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import DataProblem, ParamsError, PrivacyError
from .hetu import _SIGNS, find_hetu

__all__ = ["check_column_names", "pseudonym", "pseudonymise_key", "scan_values", "sensitive_column"]

_SENSITIVE = {
    "hetu", "henkilotunnus", "sotu", "ssn", "personnummer", "socialsecuritynumber", "personal_id",
    "nimi", "etunimi", "sukunimi", "etunimet", "name", "firstname", "first_name", "lastname", "last_name",
    "surname", "fullname", "full_name", "namn",
    "osoite", "lahiosoite", "katuosoite", "postiosoite", "kotiosoite", "address", "street", "adress",
    "puhelin", "puhelinnumero", "phone", "email", "sahkoposti",
}
_FOLD = str.maketrans("äöåé", "aoae")
_NAME_LIKE = re.compile(r"^[A-ZÅÄÖÉÜ][a-zåäöéü'\-]+(\s+[A-ZÅÄÖÉÜ][a-zåäöéü'\-]+)+$")
_PREFILTER = re.compile(rf"\d{{6}}[{_SIGNS}]\d{{3}}[0-9A-Za-z]", re.IGNORECASE)

PRIVACY_HINT = ("remove it from the extract, list the column under drop_columns:, or pseudonymise "
                "identifiers (pseudonymise: in params)")


def sensitive_column(name: str) -> bool:
    """True when a column name says it holds a personal identity code, name or address."""
    folded = name.lower().translate(_FOLD).strip()
    if folded in _SENSITIVE or folded.replace(" ", "_") in _SENSITIVE:
        return True
    tokens = [t for t in re.split(r"[^a-z0-9]+", folded) if t]
    return any(t in _SENSITIVE for t in tokens)


def check_column_names(columns: Iterable[str], *, kept: set[str], file: str) -> None:
    """Refuse sensitive-looking columns that the params neither rename nor drop."""
    bad = [c for c in columns if c not in kept and sensitive_column(c)]
    if bad:
        raise PrivacyError([DataProblem(
            file=file, row=1, column=c,
            rule="the column name suggests personal identity codes, names or contact details; "
            "list it under drop_columns: in the table's params (or rename it onto a contract column)")
            for c in bad])


def scan_values(values: pd.Series, rows: np.ndarray, *, file: str, column: str, identifier: bool) -> None:
    """Raise :class:`PrivacyError` when any value contains a valid henkilötunnus (any column)
    or, in an identifier column, looks like a person's name."""
    text = values.dropna().astype(str)
    if text.empty:
        return
    problems: list[DataProblem] = []
    cand = text[text.str.contains(_PREFILTER)]
    hits = [i for i, v in cand.items() if find_hetu(v) is not None]
    if hits:
        pos = values.index.get_indexer(hits)
        problems.append(DataProblem(
            file=file, row=int(rows[pos[0]]), column=column,
            rule=f"looks like a Finnish personal identity code (henkilötunnus; {len(hits)} row(s), "
            f"value not shown); {PRIVACY_HINT}"))
    if identifier:
        names = text[text.str.match(_NAME_LIKE)]
        if len(names):
            pos = values.index.get_indexer(names.index[:1])
            problems.append(DataProblem(
                file=file, row=int(rows[pos[0]]), column=column,
                rule=f"looks like a person's name ({len(names)} row(s), value not shown); identifiers "
                "must be pseudonymous codes"))
    if problems:
        raise PrivacyError(problems)


def pseudonymise_key(env_name: str) -> bytes:
    key = os.environ.get(env_name)
    if not key:
        raise ParamsError(f"pseudonymise.key_env: environment variable {env_name} is not set (it must hold "
                          "the secret pseudonymisation key)")
    return key.encode("utf-8")


def pseudonym(key: bytes, value: str) -> str:
    """Keyed pseudonym of one identifier: the first 20 hex digits of HMAC-SHA256."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:20]


def pseudonymise_series(values: pd.Series, key: bytes) -> pd.Series:
    uniq = values.dropna().unique()
    mapping = {v: pseudonym(key, str(v)) for v in uniq}
    return values.map(mapping).astype(object).where(values.notna(), None)
