r"""The symbolic (SymPy) layer: the machinery that replays a claim's proof as checked algebra.

The replays themselves live beside their claims in ``proofs/`` (the statement, the replayed
proof and the numeric check on one screen); each registers its derive function here with
:func:`register`. ``DERIVATIONS`` maps claim ids (docs/CLAIMS.md) to those functions; every
``"algebra"`` step is decided by SymPy when the derivation is built (results are cached).

The library never imports a claim module itself: :func:`derivation` (and :func:`derivations`)
load the modules that the installed claim packages declare (entry-point group
``nc_verify.derivations``, :mod:`verify.plugins`) on first need, so a name a proof module
registers is known wherever it is asked for.
"""

from __future__ import annotations

from collections.abc import Callable

from .. import plugins
from ..errors import UnknownName
from .core import (
    Derivation,
    Step,
    Verdict,
    algebra_step,
    check_equal,
    compare,
    lemma_step,
    numeric_step,
)
from .symbols import K, c, lambda_b, lambda_H, lambda_W, n

__all__ = [
    "DERIVATIONS",
    "Derivation",
    "K",
    "Step",
    "Verdict",
    "algebra_step",
    "c",
    "check_equal",
    "compare",
    "derivation",
    "derivations",
    "lambda_H",
    "lambda_W",
    "lambda_b",
    "lemma_step",
    "n",
    "numeric_step",
    "register",
]

#: Claim id -> derive function, in the order the proof modules registered them.
DERIVATIONS: dict[str, Callable[[], Derivation]] = {}


def register(name: str) -> Callable[[Callable[[], Derivation]], Callable[[], Derivation]]:
    """Decorator: add a derive function to :data:`DERIVATIONS` under ``name`` (a proof module
    registers its own derivation beside its claim, above the claim that names it)."""

    def add(derive: Callable[[], Derivation]) -> Callable[[], Derivation]:
        known = DERIVATIONS.get(name, derive)
        if _source(known) != _source(derive):  # the same code run again (as __main__) is fine
            raise ValueError(f"a derivation named {name!r} is registered already")
        DERIVATIONS[name] = derive
        return derive

    return add


def _source(f: Callable[[], Derivation]) -> tuple[str, str]:
    code = getattr(getattr(f, "__wrapped__", f), "__code__", None)
    return (code.co_filename if code else repr(f), getattr(f, "__qualname__", ""))


def _load_proofs() -> None:
    """Import the proof modules (each registers its derivation); lazily, never at import time.

    The modules, not the claims: a module still being imported (whose claim names a derivation
    another module registers) is taken as it stands instead of being read again.
    """
    plugins.load(plugins.DERIVATIONS)  # loading the modules registers their derivations


def derivations() -> dict[str, Callable[[], Derivation]]:
    """:data:`DERIVATIONS` with every proof module's derivation registered."""
    _load_proofs()
    return DERIVATIONS


def derivation(claim_id: str) -> Derivation:
    """The derivation of ``claim_id``; raises :class:`~verify.errors.UnknownName` if none (the
    proof modules are loaded first when the name is not registered yet)."""
    if claim_id not in DERIVATIONS:
        _load_proofs()
    try:
        derive = DERIVATIONS[claim_id]
    except KeyError:
        raise UnknownName("claim", claim_id, list(DERIVATIONS)) from None
    return derive()
