"""Selecting claims from the registry in ``proofs/`` by id or group (``conjecture-ssetf``)."""

from __future__ import annotations

from ..errors import UnknownName
from .claim import Claim

__all__ = ["registry", "select"]


def registry() -> dict[str, Claim]:
    from proofs import REGISTRY

    return REGISTRY


def select(names: list[str] | tuple[str, ...] | None) -> list[Claim]:
    """Claims named by id or by group, in registry order; all of them for no names."""
    claims = registry()
    if not names:
        return list(claims.values())
    chosen: list[Claim] = []
    for name in names:
        matches = [c for c in claims.values() if name in (c.id, c.group)]
        if not matches:
            known = sorted(set(claims) | {c.group for c in claims.values()})
            raise UnknownName("claim", name, known)
        chosen.extend(m for m in matches if m not in chosen)
    return chosen
