"""Data contract: loading, validation, privacy guards and flow accounting.

The entry point is :func:`load_tables`; see ``../shared/data-contract.md`` for the tables.
"""

from __future__ import annotations

from .loaders import Dataset, TableFlow, load_tables

__all__ = ["Dataset", "TableFlow", "load_tables"]
