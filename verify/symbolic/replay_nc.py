r"""Proof replays for Section IV: variability collapse (Thm IV.1) and NC3' (Thm IV.4).

**Theorem IV.1.** Per class, :math:`\sum_i\|h_i\|^2 - n\|\bar h\|^2 = \sum_i\|h_i - \bar h\|^2`
and :math:`\sum_i\|Wh_i + b - y\|^2 - n\|W\bar h + b - y\|^2 = \sum_i\|W(h_i - \bar h)\|^2`, so
replacing every feature by its class mean changes the objective by exactly

.. math:: f(W, H, b) - f(W, \bar H C, b) = \frac{1}{2N}\sum_{k,i}\|W(h_{k,i} - \bar h_k)\|^2
          + \frac{\lambda_H}{2}\sum_{k,i}\|h_{k,i} - \bar h_k\|^2 \ \ge 0,

with equality iff :math:`H = \bar H C` (:math:`\lambda_H > 0`). The identities are algebra; the
inequalities (10), (11) and the conclusion are not.

**Theorem IV.4.** With (6): :math:`E_6 = YM_\gamma H^\top - WHM_\gamma H^\top - \lambda_W NW = 0`
and (7): :math:`E_7 = W^\top YM_\gamma - W^\top WHM_\gamma - \lambda_H NH = 0`,

.. math:: W^\top E_6 - E_7H^\top = \lambda_H N HH^\top - \lambda_W N W^\top W,

so :math:`\lambda_W W^\top W = \lambda_H HH^\top`; then :math:`H = \bar HC`, :math:`CC^\top = nI`
give :math:`W^\top W = \kappa^2\bar H\bar H^\top`, :math:`\kappa^2 = \lambda_H n/\lambda_W`.
The paper multiplies "(6) by W^T on the right and (7) by Hbar^T on the left"; those products
are K x K and K x N and cannot be subtracted: the sides are swapped (W^T on the left of (6),
H^T on the right of (7)).
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp
from sympy.matrices.expressions.kronecker import KroneckerProduct, combine_kronecker

from .core import Derivation, algebra_step, numeric_step
from .matrices import class_assignment, fro2, mgamma, sym_matrix, sym_vector, ufm_objective
from .symbols import K, lambda_b, lambda_H, lambda_W, n

__all__ = ["derive_theorem_iv1", "derive_theorem_iv4"]


def _sum_sq(vectors: list[sp.Matrix]) -> sp.Expr:
    return sp.Add(*[fro2(v) for v in vectors])


@lru_cache(maxsize=1)
def derive_theorem_iv1() -> Derivation:
    """Theorem IV.1 (NC1): the identities behind (10) and (11), any counts."""
    dk, k = 2, 2
    steps = []
    for nk in (3, 2):
        h = [sym_vector(f"h{i}", dk) for i in range(1, nk + 1)]
        hbar = sum(h, sp.zeros(dk, 1)) / nk
        W, b, y = sym_matrix("w", k, dk), sym_vector("b", k), sym_vector("y", k)
        steps += [
            algebra_step(f"(10), n_k = {nk}, d = {dk}: sum_i ||h_i||^2 - n_k ||hbar||^2 = "
                         "sum_i ||h_i - hbar||^2.", _sum_sq(h) - nk * fro2(hbar),
                         _sum_sq([v - hbar for v in h])),
            algebra_step(f"(11), n_k = {nk}: sum_i ||W h_i + b - y||^2 - n_k ||W hbar + b - y||^2 "
                         "= sum_i ||W (h_i - hbar)||^2.",
                         _sum_sq([W * v + b - y for v in h]) - nk * fro2(W * hbar + b - y),
                         _sum_sq([W * (v - hbar) for v in h])),
        ]  # fmt: skip
    counts = [2, 3]  # imbalanced on purpose: the proof never uses n_k = n
    C = class_assignment(counts)
    H, W, b = sym_matrix("h", dk, sum(counts)), sym_matrix("w", k, dk), sym_vector("b", k)
    Y = sym_matrix("ybar", k, k) * C
    Hbar = H * C.T * sp.diag(*[sp.Rational(1, m) for m in counts])
    dev = H - Hbar * C
    lams = (lambda_W, lambda_H, lambda_b)
    steps += [
        algebra_step(f"Whole objective, counts {counts}, arbitrary encoding Ybar: f(W,H,b) - "
                     "f(W, Hbar C, b) = (1/2N) sum ||W(h - hbar)||^2 + lambda_H/2 sum "
                     "||h - hbar||^2.", ufm_objective(W, H, b, Y, *lams)
                     - ufm_objective(W, Hbar * C, b, Y, *lams),
                     fro2(W * dev) / (2 * sum(counts)) + lambda_H / 2 * fro2(dev)),
        numeric_step("Jensen (10), (11): the sums of squares are >= 0.", sp.Symbol("sum_sq"),
                     sp.Integer(0), "an inequality, not an identity"),
        numeric_step("Hence every minimiser has H = Hbar C (equality iff h_{k,i} = hbar_k, as "
                     "lambda_H > 0).", sp.Symbol("H"), sp.Symbol("Hbar*C"),
                     "strictness argument on a sum of squares; not an identity"),
    ]  # fmt: skip
    return Derivation(
        "theorem-IV.1", "Variability collapse (NC1) for any encoding", {}, tuple(steps),
        ("The proof of Theorem IV.1 is per class and never uses balancedness; the replay "
         "checks the key identity for counts (2, 3), so NC1 holds for imbalanced data too "
         "(as the text before the theorem says, while the statement assumes balance).",),
    )  # fmt: skip


@lru_cache(maxsize=1)
def derive_theorem_iv4() -> Derivation:
    """Theorem IV.4 (NC3'): W^T W = (lambda_H n / lambda_W) Hbar Hbar^T."""
    k, dk, nn = 2, 2, 2
    N = k * nn
    W, H, Y = sym_matrix("w", k, dk), sym_matrix("h", dk, N), sym_matrix("y", k, N)
    Hbar = sym_matrix("Hb", dk, k)
    M = mgamma(N, 1 / (1 + lambda_b))
    E6 = Y * M * H.T - W * H * M * H.T - lambda_W * N * W
    E7 = W.T * Y * M - W.T * W * H * M - lambda_H * N * H
    target = lambda_H * N * H * H.T - lambda_W * N * W.T * W
    literal = ((E6 * W.T).shape, (Hbar.T * E7).shape)
    d = sp.Symbol("d", positive=True, integer=True)
    Hb = sp.MatrixSymbol("Hbar", d, K)
    C = KroneckerProduct(sp.Identity(K), sp.OneMatrix(1, n))
    kappa = sp.sqrt(lambda_H * n / lambda_W)
    finding = (
        f"Proof of Theorem IV.4: 'multiply (6) by W^T on the right and (7) by Hbar^T on the "
        f"left' gives products of shapes {literal[0]} (K x K) and {literal[1]} (K x N), which "
        "cannot be subtracted. The working multiplication is W^T on the LEFT of (6) and H^T "
        "(not Hbar^T) on the RIGHT of (7) (or the transposed pair (6)^T W, H (7)^T)."
    )
    steps = (
        algebra_step(f"{finding} Check, (K, d, N) = ({k}, {dk}, {N}): W^T(6) - (7)H^T = "
                     "lambda_H N H H^T - lambda_W N W^T W.", W.T * E6 - E7 * H.T, target),
        algebra_step("Transposed reading: (6)^T W - H (7)^T gives the same.",
                     E6.T * W - H * E7.T, target),
        numeric_step("(6) and (7) hold at a minimiser (Lemma III.3), so lambda_W W^T W = "
                     "lambda_H H H^T; and H = Hbar C by Theorem IV.1 (NC1).", sp.Symbol("H"),
                     sp.Symbol("Hbar*C"), "uses optimality and NC1, which are not identities"),
        algebra_step("H = Hbar C and C C^T = n I (symbolic K, n, d): H H^T = n Hbar Hbar^T.",
                     combine_kronecker(Hb * C * (Hb * C).T).doit(), n * Hb * Hb.T),
        algebra_step("Explicit cross-check (K, n, d) = (2, 2, 2).",
                     Hbar * class_assignment([nn] * k) * (Hbar * class_assignment([nn] * k)).T,
                     nn * Hbar * Hbar.T),
        algebra_step("W^T W = (lambda_H/lambda_W) n Hbar Hbar^T = kappa^2 Hbar Hbar^T with "
                     "kappa = sqrt(lambda_H n / lambda_W).", kappa**2, lambda_H * n / lambda_W),
        numeric_step("W^T W = kappa^2 Hbar Hbar^T iff W^T = kappa Hbar Q^T for an orthogonal Q.",
                     sp.Symbol("W^T"), sp.Symbol("kappa*Hbar*Q^T"),
                     "existence of Q (polar decomposition); not an identity"),
    )  # fmt: skip
    return Derivation("theorem-IV.4", "Self-duality up to rotation (NC3')",
                      {"kappa": kappa, "kappa_squared": kappa**2}, steps, (finding,))  # fmt: skip
