"""What installed packages give the library: entry points, read on first need.

A package of claims declares, in its ``pyproject.toml``, a mapping from claim id to claim
(group ``nc_verify.claims``), the modules whose import registers their derivations (group
``nc_verify.derivations``) and its planted false claims, by id (group ``nc_verify.planted``);
this project's own are ``proofs:REGISTRY``, ``proofs:MODULES`` and ``proofs.planted:CLAIMS``.
The library imports no claim module by name: it reads what it is given.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

from .errors import VerifyError

__all__ = ["CLAIMS", "DERIVATIONS", "PLANTED", "load"]

CLAIMS = "nc_verify.claims"
DERIVATIONS = "nc_verify.derivations"
PLANTED = "nc_verify.planted"


def load(group: str) -> list[tuple[str, Any]]:
    """(name, loaded object) of every entry point of ``group``, by name; an error if none."""
    found = sorted(entry_points(group=group), key=lambda ep: ep.name)
    if not found:
        raise VerifyError(
            f"nothing is registered under the entry-point group {group!r}: install nc-verify "
            "with its claims (`pip install -e .` in the repository)"
        )
    return [(ep.name, ep.load()) for ep in found]
