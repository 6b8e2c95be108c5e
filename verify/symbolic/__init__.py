r"""The symbolic (SymPy) layer: each claim's proof replayed as checked algebra.

``DERIVATIONS`` maps claim ids (docs/CLAIMS.md) to functions returning a :class:`Derivation`; every
``"algebra"`` step is decided by SymPy when the derivation is built (results are cached).
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import UnknownName
from . import lemma_iii3, theorem_iii1
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
from .replay import (
    derive_corollary_iv2,
    derive_proposition_iii2,
    derive_proposition_iv3,
    derive_theorem_iii4,
    derive_theorem_iv1,
    derive_theorem_iv4,
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
    "lambda_H",
    "lambda_W",
    "lambda_b",
    "lemma_step",
    "n",
    "numeric_step",
    "register",
]

#: Claim id -> derive function, in the paper's order.
DERIVATIONS: dict[str, Callable[[], Derivation]] = {
    "theorem-III.1": theorem_iii1.derive,
    "proposition-III.2": derive_proposition_iii2,
    "lemma-III.3": lemma_iii3.derive,
    "theorem-III.4": derive_theorem_iii4,
    "theorem-IV.1": derive_theorem_iv1,
    "corollary-IV.2": derive_corollary_iv2,
    "proposition-IV.3": derive_proposition_iv3,
    "theorem-IV.4": derive_theorem_iv4,
}


def register(name: str) -> Callable[[Callable[[], Derivation]], Callable[[], Derivation]]:
    """Decorator: add a derive function to :data:`DERIVATIONS` under ``name`` (a proof module
    registers its own derivation beside its claim)."""

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


def derivation(claim_id: str) -> Derivation:
    """The derivation of ``claim_id``; raises :class:`~verify.errors.UnknownName` if none."""
    try:
        derive = DERIVATIONS[claim_id]
    except KeyError:
        raise UnknownName("claim", claim_id, list(DERIVATIONS)) from None
    return derive()
