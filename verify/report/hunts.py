"""Reading the hunts' JSON (``<out>/hunts/<slug>.json``, written by ``verify hunt``), tolerantly.

A hunt file is a dict with at least ``claim``, ``status``, ``relaxed``, ``budget``, ``seed``,
``counterexample``, ``closest_call``, ``amendment`` and ``tried`` (per-instance records with
residuals). Records are read defensively: an instance is either ``record["instance"]`` or the
record itself, in the form of :meth:`verify.instance.Instance.to_dict`; anything unreadable is
shown as JSON rather than dropped silently.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ..instance import Instance

__all__ = [
    "load_hunts",
    "record_instance",
    "tried_records",
    "worst_residual",
]


def load_hunts(out: Path) -> list[dict[str, Any]]:
    """Every ``<out>/hunts/*.json`` as a dict with ``slug`` (the file stem) added; files that are
    not JSON objects are reported with ``status = "unreadable"``."""
    hunts = []
    for path in sorted((out / "hunts").glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            data = {"status": "unreadable", "error": str(error)}
        if not isinstance(data, dict):
            data = {"status": "unreadable", "error": "not a JSON object"}
        hunts.append({**data, "slug": path.stem, "json": f"hunts/{path.name}"})
    return hunts


def record_instance(record: Any) -> Instance | None:
    """The instance a hunt record describes, or None when it describes none readably."""
    if not isinstance(record, dict):
        return None
    data = record.get("instance", record)
    if not (isinstance(data, dict) and "encoding" in data and "counts" in data):
        return None
    try:
        return Instance.from_dict(data)
    except (KeyError, TypeError, ValueError):
        return None


def worst_residual(record: Any) -> float | None:
    """The largest finite-or-infinite numeric residual of a record (``None`` if it has none)."""
    residuals = record.get("residuals") if isinstance(record, dict) else None
    if not isinstance(residuals, dict):
        return None
    values = []
    for v in residuals.values():
        if isinstance(v, int | float) and not math.isnan(v):
            values.append(float(v))
        elif v in ("inf", "Infinity"):
            values.append(math.inf)
    return max(values, default=None)


def tried_records(hunt: dict[str, Any]) -> list[Any]:
    """The hunt's ``tried`` list (empty if absent or not a list)."""
    tried = hunt.get("tried")
    return tried if isinstance(tried, list) else []
