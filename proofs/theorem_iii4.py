r"""Theorem III.4: the bias centres the labels, for any encoding and any counts.

(a) With :math:`\lambda_b = 0` the optimal bias is :math:`b = Y 1_N / N`, and the problem
equals the bias-free UFM with centred labels :math:`Y - Y 1 1^\top / N` (same minimum, same WH).
(b) If the labels are centred, :math:`Y 1_N = 0`, then b = 0 for every :math:`\lambda_b \ge 0`.

Proof replay (:func:`derive`, explicit K = 2, d = 2, N = 3 symbols): :math:`M_\gamma 1 =
(1-\gamma) 1` (symbolic N), multiply (7) by 1, then (8); invertibility of
:math:`(1-\gamma)W^\top W + \lambda_H N I` is positive definiteness, left to the numeric layer.
Numeric check: (a) solves both problems, each certified. ``python -m proofs.theorem_iii4``
prints :math:`b = Y1/N` at :math:`\lambda_b = 0` and b = 0 for centred labels beside the
certified biases.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import sympy as sp

from verify.claims import Claim, Context, Residuals, relative
from verify.claims.residuals import frobenius_gap
from verify.symbolic import Derivation, algebra_step, numeric_step, register
from verify.symbolic.matrices import mgamma, ones, sym_matrix, ufm_objective
from verify.symbolic.symbols import K, gamma, lambda_H, lambda_W

__all__ = ["CLAIM_A", "CLAIM_B", "derive", "theory"]


@register("theorem-III.4")
@lru_cache(maxsize=1)
def derive() -> Derivation:
    """Theorem III.4: the bias centres the labels (explicit K = 2, d = 2, N = 3 symbols)."""
    k, dk, nk = 2, 2, 3
    W, H, Y = sym_matrix("w", k, dk), sym_matrix("h", dk, nk), sym_matrix("y", k, nk)
    M, one = mgamma(nk, gamma), ones(nk)
    Ns = sp.Symbol("N", positive=True, integer=True)
    Msym = sp.Identity(Ns) - gamma * sp.OneMatrix(Ns, Ns) / Ns
    eq7 = W.T * Y * M - W.T * W * H * M - lambda_H * nk * H
    lhs7 = (1 - gamma) * W.T * Y * one
    centred = lambda X: X[:, :-1].row_join(-X[:, :-1] * ones(X.shape[1] - 1))  # noqa: E731
    Yc, H0 = centred(Y), centred(H)
    b8 = lambda Hm, Ym: gamma / nk * (Ym - W * Hm) * one  # noqa: E731
    Ycentre = Y - Y * one * one.T / nk
    steps = (
        algebra_step("M_gamma 1_N = (1 - gamma) 1_N (symbolic N).", Msym * sp.OneMatrix(Ns, 1),
                     (1 - gamma) * sp.OneMatrix(Ns, 1)),
        algebra_step("(7) times 1_N: W^T Y M_g 1 - W^T W H M_g 1 - lambda_H N H 1 = "
                     "(1-gamma) W^T Y 1 - ((1-gamma) W^T W + lambda_H N I_d) H 1.", eq7 * one,
                     lhs7 - ((1 - gamma) * W.T * W + lambda_H * nk * sp.eye(dk)) * H * one),
        algebra_step("lambda_b = 0 (gamma = 1): the left-hand side vanishes.", lhs7.subs(gamma, 1),
                     sp.zeros(dk, 1)),
        algebra_step("Y 1_N = 0 (last column of Y = minus the sum of the others): the left-hand "
                     "side vanishes.", (1 - gamma) * W.T * Yc * one, sp.zeros(dk, 1)),
        numeric_step("(1-gamma) W^T W + lambda_H N I_d is invertible, so H 1_N = 0. The paper "
                     "writes H 1_N = 0_K; H 1_N lies in R^d, so 0_d.", sp.Symbol("H*1_N"),
                     sp.Integer(0), "positive definiteness (0 <= 1-gamma < 1, W^T W PSD, "
                     "lambda_H N > 0): an inequality, not an identity"),
        algebra_step("With H 1_N = 0, (8) gives b = gamma/N Y 1_N.", b8(H0, Y),
                     gamma / nk * Y * one),
        algebra_step("lambda_b = 0: b = Y 1_N / N.", b8(H0, Y).subs(gamma, 1), Y * one / nk),
        algebra_step("lambda_b = 0: f(W, H, Y1/N; Y) equals the bias-free objective with centred "
                     "labels Y - Y 1 1^T / N.", ufm_objective(W, H, Y * one / nk, Y, lambda_W,
                     lambda_H, 0), ufm_objective(W, H, sp.zeros(k, 1), Ycentre, lambda_W,
                     lambda_H, 0)),
        algebra_step("Centred labels: b = gamma/N Y 1_N = 0 for every lambda_b.",
                     gamma / nk * Yc * one, sp.zeros(k, 1)),
    )  # fmt: skip
    return Derivation("theorem-III.4", "The bias centres the labels", {
        "b_lambda_b_0": sp.MatrixSymbol("Y", K, Ns) * sp.OneMatrix(Ns, 1) / Ns,
        "M_gamma_times_ones": (1 - gamma) * sp.OneMatrix(Ns, 1)}, steps,
        ("Proof of Theorem III.4 concludes 'H* 1_N = 0_K'; H* 1_N is in R^d (0_d).",))  # fmt: skip


def part_a(ctx: Context) -> Residuals:
    inst, s = ctx.instance, ctx.solution
    m = inst.Y.mean(axis=1)
    centred = inst.replace(encoding=inst.encoding - m[:, None], lambda_b=math.inf)
    t = ctx.solve(centred)
    return {
        "b = Y 1 / N": frobenius_gap(s.b, m, ctx.floor("b")),
        "same minimum as the bias-free UFM with centred labels": relative(
            abs(s.objective - t.objective), abs(s.objective), abs(t.objective)
        ),
        "same WH": frobenius_gap(s.Z, t.Z, ctx.floor("Z")),
    }


def part_b(ctx: Context) -> Residuals:
    inst, s = ctx.instance, ctx.solution
    scale = float(np.linalg.norm(inst.Y)) / math.sqrt(inst.N)  # rms label norm
    return {"b = 0": relative(float(np.linalg.norm(s.b)), scale, ctx.floor("b"))}


CLAIM_A = Claim(
    id="theorem-III.4(a)",
    title="Unregularised bias: b = Y1/N, and the problem is the bias-free UFM on centred labels",
    statement=r"$\lambda_b = 0 \Rightarrow b = \frac{1}{N} Y 1_N$ and the UFM equals the bias-free UFM with labels $Y - Y\frac{1 1^\top}{N}$",
    reference="Theorem III.4, first bullet, arXiv 2606.00344",
    hypotheses=("lambda_b_zero",),
    conclusion=part_a,
    derivation="theorem-III.4",
    group="theorem-III.4",
)

CLAIM_B = Claim(
    id="theorem-III.4(b)",
    title="Centred labels: b = 0 for every lambda_b",
    statement=r"$Y 1_N = 0 \Rightarrow b = 0$ for all $\lambda_b \ge 0$",
    reference="Theorem III.4, second bullet, arXiv 2606.00344",
    hypotheses=("labels_centred",),
    conclusion=part_b,
    derivation="theorem-III.4",
    group="theorem-III.4",
)


def theory(ctx: Context) -> dict[str, tuple[object, object]]:
    """The bias the theorem gives, gamma/N Y 1_N with H 1_N = 0 (Y 1/N at lambda_b = 0, 0 for
    centred labels), beside the certified one."""
    inst = ctx.instance
    gamma_ = 0.0 if math.isinf(inst.lambda_b) else 1 / (1 + inst.lambda_b)
    return {"b = gamma/N Y 1_N": (gamma_ * inst.Y.mean(axis=1), ctx.solution.b)}


def main() -> None:
    """(a) a random encoding, imbalanced, lambda_b = 0; (b) the same encoding centred, lambda_b = 1."""
    from verify import Instance
    from verify.claims.beside import print_beside

    inst = Instance(np.random.default_rng(0).standard_normal((3, 3)), (1, 2, 3), 3, 0.02, 0.02, 0)
    print_beside(CLAIM_A, inst, theory)
    m = inst.Y.mean(axis=1)
    print_beside(CLAIM_B, inst.replace(encoding=inst.encoding - m[:, None], lambda_b=1.0), theory)


if __name__ == "__main__":
    main()
