r"""The commutative algebra spanned by the projectors :math:`I - J` and :math:`J`, for every K.

With :math:`J = 1_K 1_K^\top / K`, the matrices :math:`P_1 = I_K - J` and :math:`P_2 = J` are
complementary orthogonal projectors (:math:`P_1^2 = P_1`, :math:`P_2^2 = P_2`,
:math:`P_1P_2 = 0`, :math:`P_1 + P_2 = I`). Hence

.. math::  (x_1P_1 + y_1P_2)(x_2P_1 + y_2P_2) = x_1x_2P_1 + y_1y_2P_2,

and a :class:`Pair` ``(x, y)`` standing for :math:`xP_1 + yP_2` multiplies componentwise,
for *every* K. The element :math:`xP_1 + yP_2` is symmetric with eigenvalue x on
:math:`1^\perp` (multiplicity K-1) and y on :math:`\mathrm{span}(1)`, so a spectral function
acts componentwise (:meth:`Pair.apply`), and :math:`(xP_1 + yP_2)1_K = y\,1_K`.

:func:`algebra_steps` checks these rules with SymPy for a symbolic K, starting from
:math:`O_K^2 = K O_K` (``O_K = 1 1^T``, SymPy's ``OneMatrix``), so derivations that use pairs
carry their own justification.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sympy as sp

from .core import Step, algebra_step
from .symbols import K

__all__ = ["IJ", "J_PAIR", "ONE", "Pair", "algebra_steps"]


@dataclass(frozen=True)
class Pair:
    r"""The matrix :math:`x(I_K - J) + yJ` as the pair ``(x, y)``."""

    x: Any
    y: Any

    def __add__(self, other: Pair) -> Pair:
        return Pair(self.x + other.x, self.y + other.y)

    def __sub__(self, other: Pair) -> Pair:
        return Pair(self.x - other.x, self.y - other.y)

    def __mul__(self, other: Pair | Any) -> Pair:
        if isinstance(other, Pair):
            return Pair(self.x * other.x, self.y * other.y)
        return Pair(self.x * other, self.y * other)

    __rmul__ = __mul__

    def apply(self, f: Callable[[Any], Any]) -> Pair:
        """Spectral function: ``f`` of the eigenvalue on each eigenspace."""
        return Pair(f(self.x), f(self.y))

    def map(self, f: Callable[[Any], Any]) -> Pair:
        """Apply ``f`` (e.g. ``sp.simplify``) to both coordinates."""
        return Pair(f(self.x), f(self.y))

    def on_ones(self) -> Any:
        r"""The scalar s with :math:`(xP_1 + yP_2)1_K = s1_K` (it is y)."""
        return self.y

    def as_tuple(self) -> sp.Tuple:
        """As a SymPy ``Tuple`` (for ``expressions`` and :func:`compare`)."""
        return sp.Tuple(self.x, self.y)

    def coeffs_I_J(self) -> tuple[Any, Any]:
        r"""Coefficients ``(a, b)`` with :math:`xP_1 + yP_2 = aI + bJ`."""
        return self.x, self.y - self.x

    def explicit(self, k: int) -> sp.Matrix:
        """The explicit k x k matrix."""
        Jk = sp.ones(k, k) / k
        return self.x * (sp.eye(k) - Jk) + self.y * Jk


#: The identity, :math:`I - J` and :math:`J`.
ONE = Pair(sp.Integer(1), sp.Integer(1))
IJ = Pair(sp.Integer(1), sp.Integer(0))
J_PAIR = Pair(sp.Integer(0), sp.Integer(1))


def _from_I_O(a: Any, c: Any) -> Pair:
    r""":math:`aI + cO_K` (O = 1 1^T = K J) as a pair: x = a, y = a + Kc."""
    return Pair(a, a + K * c)


@lru_cache(maxsize=1)
def algebra_steps() -> tuple[Step, ...]:
    """The rules of the pair algebra, checked for a symbolic K."""
    O = sp.OneMatrix(K, K)
    one = sp.OneMatrix(K, 1)
    x1, y1, x2, y2 = sp.symbols("x_1 y_1 x_2 y_2")
    # Multiply in the basis {I, O} using O^2 = K O, then read off (I - J, J) coordinates.
    a1, c1 = x1, (y1 - x1) / K
    a2, c2 = x2, (y2 - x2) / K
    prod = _from_I_O(a1 * a2, a1 * c2 + c1 * a2 + K * c1 * c2)
    Px, Py = sp.symbols("x y")
    k3 = Pair(x1, y1).explicit(3) * Pair(x2, y2).explicit(3)
    return (
        algebra_step(
            "O_K O_K = K O_K for every K (O_K = 1 1^T; SymPy, symbolic K).", (O * O).doit(), K * O
        ),
        algebra_step("O_K 1_K = K 1_K for every K.", (O * one).doit(), K * one),
        algebra_step("O_K is symmetric, so every x(I-J) + yJ is symmetric.", O.T, O),
        algebra_step(
            "Product rule: (x1(I-J)+y1 J)(x2(I-J)+y2 J) = x1x2 (I-J) + y1y2 J "
            "(expanded in the basis {I, O_K} with O_K^2 = K O_K).",
            prod.as_tuple(),
            sp.Tuple(x1 * x2, y1 * y2),
        ),
        algebra_step(
            "(x(I-J) + yJ) 1_K = y 1_K, i.e. 1_K spans the y-eigenspace (via O_K 1_K = K 1_K).",
            _from_I_O(Px, (Py - Px) / K).y,
            Py,
        ),
        algebra_step(
            "Cross-check of the product rule on explicit 3 x 3 matrices.",
            k3,
            (Pair(x1, y1) * Pair(x2, y2)).explicit(3),
        ),
    )
