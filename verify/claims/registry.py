"""The claims the library is given, and selecting them by id or group (``conjecture-ssetf``).

The library imports no claim module itself: every installed package of claims declares a
mapping from claim id to :class:`Claim` under the entry-point group ``nc_verify.claims``
(:mod:`verify.plugins`; this project's is ``proofs:REGISTRY``), read on first use.
"""

from __future__ import annotations

from functools import cache

from .. import plugins
from ..errors import UnknownName, VerifyError
from .claim import Claim

__all__ = ["registry", "select"]


@cache
def registry() -> dict[str, Claim]:
    """Every registered claim by id, in each package's order (packages by entry-point name)."""
    claims: dict[str, Claim] = {}
    source: dict[str, str] = {}
    for package, given in plugins.load(plugins.CLAIMS):
        for claim_id, claim in given.items():
            if claims.setdefault(claim_id, claim) is not claim:
                raise VerifyError(
                    f"claim id {claim_id!r} is registered by both {source[claim_id]} and "
                    f"{package}: every claim needs an id of its own"
                )
            source.setdefault(claim_id, package)
    return claims


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
