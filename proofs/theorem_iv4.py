r"""Theorem IV.4: self-duality up to rotation (NC3') for any encoding, balanced data.

:math:`W^\top W = \kappa^2 \bar H \bar H^\top` with :math:`\kappa = \sqrt{\lambda_H n / \lambda_W}`,
equivalently :math:`W^\top = \kappa \bar H Q^\top` for an orthogonal Q.

Proof replay (:func:`derive`). With (6): :math:`E_6 = YM_\gamma H^\top - WHM_\gamma H^\top -
\lambda_W NW = 0` and (7): :math:`E_7 = W^\top YM_\gamma - W^\top WHM_\gamma - \lambda_H NH = 0`,

.. math:: W^\top E_6 - E_7H^\top = \lambda_H N HH^\top - \lambda_W N W^\top W,

so :math:`\lambda_W W^\top W = \lambda_H HH^\top`; then :math:`H = \bar HC`, :math:`CC^\top = nI`
give :math:`W^\top W = \kappa^2\bar H\bar H^\top`, :math:`\kappa^2 = \lambda_H n/\lambda_W`.
The paper multiplies "(6) by W^T on the right and (7) by Hbar^T on the left"; those products
are K x K and K x N and cannot be subtracted: the sides are swapped (W^T on the left of (6),
H^T on the right of (7)). With imbalanced counts the same steps give
:math:`\lambda_W W^\top W = \lambda_H \bar H\,\mathrm{diag}(n_k)\bar H^\top` instead; relaxing
``balanced`` takes n = N/K and also reports the best kappa and Q (Procrustes).
``python -m proofs.theorem_iv4`` prints :math:`\kappa^2\bar H\bar H^\top`, with the derived
:math:`\kappa`, beside the certified :math:`W^\top W`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp
from sympy.matrices.expressions.kronecker import KroneckerProduct, combine_kronecker

from verify.claims import Claim, Context, Residuals
from verify.claims.residuals import frobenius_gap
from verify.geometry import procrustes_nc3prime
from verify.symbolic import Derivation, algebra_step, numeric_step, register
from verify.symbolic.matrices import class_assignment, mgamma, sym_matrix
from verify.symbolic.symbols import K, lambda_b, lambda_H, lambda_W, n

__all__ = ["CLAIM", "derive", "theory"]


@register("theorem-IV.4")
@lru_cache(maxsize=1)
def derive() -> Derivation:
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


def conclusion(ctx: Context) -> Residuals:
    inst, s = ctx.instance, ctx.solution
    n = inst.n or inst.N / inst.K
    kappa2 = inst.lambda_H * n / inst.lambda_W
    Hbar = s.Hbar
    return {
        "W^T W = kappa^2 Hbar Hbar^T, kappa^2 = lambda_H n / lambda_W": frobenius_gap(
            s.W.T @ s.W, kappa2 * Hbar @ Hbar.T, ctx.floor("WtW")
        ),
        "W^T = kappa Hbar Q^T for some Q, kappa (Procrustes)": procrustes_nc3prime(
            s.W, Hbar
        ).residual,
    }


CLAIM = Claim(
    id="theorem-IV.4",
    title="NC3' (self-duality up to rotation) for any encoding",
    statement=r"$W^\top W = \kappa^2\bar H\bar H^\top$, $\kappa = \sqrt{\lambda_H n/\lambda_W}$",
    reference="Theorem IV.4, arXiv 2606.00344",
    hypotheses=("balanced",),
    conclusion=conclusion,
    derivation="theorem-IV.4",
)


def theory(ctx: Context) -> dict[str, tuple[object, object]]:
    """kappa^2 Hbar Hbar^T, with kappa lambdified from the replay, beside the certified W^T W."""
    inst, s = ctx.instance, ctx.solution
    kappa = sp.lambdify((n, lambda_W, lambda_H), derive().expressions["kappa"], "numpy")
    k_ = float(kappa(inst.n or inst.N / inst.K, inst.lambda_W, inst.lambda_H))
    return {"W^T W = kappa^2 Hbar Hbar^T": (k_**2 * s.Hbar @ s.Hbar.T, s.W.T @ s.W)}


def main() -> None:
    """A random encoding, balanced (K = 3, n = 2), with a regularised bias."""
    from verify import Instance
    from verify.claims.beside import print_beside

    Ybar = np.random.default_rng(0).standard_normal((3, 3))
    print_beside(CLAIM, Instance(Ybar, (2, 2, 2), 3, 0.02, 0.02, 1.0), theory)


if __name__ == "__main__":
    main()
