r"""Proposition IV.3: rotating the labels rotates the classifier, not the features.

For any encoding, counts and orthogonal Q, the global minimisers for labels QY are exactly
:math:`(QW, H, Qb)` for the minimisers (W, H, b) for labels Y.

Proof replay (:func:`derive`): :math:`f(QW, H, Qb; QY) = f(W, H, b; Y)` for a rotation and a
reflection (K = 2) and a Cayley transform (K = 3), and the change of variables is invertible;
that the minimisers then correspond is logic, not an identity. Minimisers are unique up to an
orthogonal map of the feature space (``verify.solve.factor``), so the check compares what that
freedom leaves fixed: :math:`WH`, b, the minimum and the Gram :math:`H^\top H`, each between
the certified solution for QY and the transformed one for Y. ``python -m
proofs.proposition_iv3`` prints :math:`Qb` and :math:`QWH` beside the certified solution for QY.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from verify.claims import Claim, Context, Residuals, relative
from verify.claims.residuals import frobenius_gap, gram_gap
from verify.symbolic import Derivation, algebra_step, numeric_step, register
from verify.symbolic.matrices import fro2, ones, sym_matrix, sym_vector, ufm_objective
from verify.symbolic.symbols import lambda_b, lambda_H, lambda_W

__all__ = ["CLAIM", "derive", "theory"]


def _cayley(p: sp.Matrix) -> sp.Matrix:
    r"""Orthogonal :math:`Q = (I - S)(I + S)^{-1}` from a 3x3 skew-symmetric S."""
    S = sp.Matrix([[0, -p[2], p[1]], [p[2], 0, -p[0]], [-p[1], p[0], 0]])
    return ((sp.eye(3) - S) * (sp.eye(3) + S).inv()).applyfunc(sp.cancel)


@register("proposition-IV.3")
@lru_cache(maxsize=1)
def derive() -> Derivation:
    """Proposition IV.3: rotating the labels rotates (W, b) and leaves H unchanged."""
    th = sp.Symbol("theta", real=True)
    cs, sn = sp.cos(th), sp.sin(th)
    rot, refl = sp.Matrix([[cs, -sn], [sn, cs]]), sp.Matrix([[cs, sn], [sn, -cs]])
    lams = (lambda_W, lambda_H, lambda_b)
    steps = []
    for k, name, Q in (
        (2, "rotation R(theta)", rot),
        (2, "reflection", refl),
        (3, "Cayley transform (I - S)(I + S)^-1", _cayley(sym_vector("p", 3))),
    ):
        W, H, b, Y = sym_matrix("w", k, 2), sym_matrix("h", 2, 2), sym_vector("b", k), \
            sym_matrix("y", k, 2)  # fmt: skip
        steps += [
            algebra_step(f"K = {k}, Q = {name}: Q^T Q = I.", Q.T * Q, sp.eye(k)),
            algebra_step(f"K = {k}, Q = {name}: residual Q W H + Q b 1^T - Q Y = "
                         "Q (W H + b 1^T - Y).", Q * W * H + Q * b * ones(2).T - Q * Y,
                         Q * (W * H + b * ones(2).T - Y)),
            algebra_step(f"K = {k}, Q = {name}: f(QW, H, Qb; QY) = f(W, H, b; Y).",
                         ufm_objective(Q * W, H, Q * b, Q * Y, *lams),
                         ufm_objective(W, H, b, Y, *lams)),
        ]  # fmt: skip
    X = sym_matrix("x", 3, 2)
    Q3 = _cayley(sym_vector("p", 3))
    steps += [
        algebra_step("||Q X||_F^2 = ||X||_F^2 (Cayley Q, 3 x 2 X).", fro2(Q3 * X), fro2(X)),
        algebra_step("The change of variables is invertible: Q^T (Q W) = W.", Q3.T * (Q3 * X), X),
        numeric_step("Hence the minimisers for QY are exactly (QW*, H*, Qb*).", sp.Symbol("argmin"),
                     sp.Symbol("Q*argmin"), "set-level consequence of invariance + bijection; "
                     "logic, not an identity"),
    ]  # fmt: skip
    return Derivation("proposition-IV.3", "Orthogonal label transforms rotate (W, b), keep H",
                      {"rotation": rot, "reflection": refl}, tuple(steps))  # fmt: skip


def conclusion(ctx: Context) -> Residuals:
    Q = ctx.case.Q
    assert Q is not None
    s = ctx.solution
    t = ctx.solve(ctx.instance.replace(encoding=Q @ ctx.instance.encoding))
    return {
        "W_Q H_Q = Q W H": frobenius_gap(t.Z, Q @ s.Z, ctx.floor("Z")),
        "b_Q = Q b": frobenius_gap(t.b, Q @ s.b, ctx.floor("b")),
        "same minimum": relative(
            abs(t.objective - s.objective), abs(s.objective), abs(t.objective)
        ),
        "H_Q^T H_Q = H^T H": gram_gap(t.H, s.H, ctx.floor("HHt")),
    }


CLAIM = Claim(
    id="proposition-IV.3",
    title="Orthogonal label transformations act on W and b only",
    statement=r"minimisers for $QY$ are $(QW, H, Qb)$",
    reference="Proposition IV.3, arXiv 2606.00344",
    hypotheses=(),
    conclusion=conclusion,
    derivation="proposition-IV.3",
    with_Q=True,
)


def theory(ctx: Context) -> dict[str, tuple[object, object]]:
    """(Qb, QWH) from the solution for Y beside the certified solution for QY."""
    Q = ctx.case.Q
    assert Q is not None
    s = ctx.solution
    t = ctx.solve(ctx.instance.replace(encoding=Q @ ctx.instance.encoding))
    return {"b_Q = Q b": (Q @ s.b, t.b), "W_Q H_Q = Q W H (first 3 columns)": (
        (Q @ s.Z)[:, :3], t.Z[:, :3])}  # fmt: skip


def main() -> None:
    """Label smoothing, imbalanced, rotated by a fixed orthogonal Q (QR of a seeded matrix)."""
    from verify import Instance
    from verify.claims.beside import print_beside
    from verify.encodings import label_smoothing
    from verify.strategies import Case

    Q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((3, 3)))
    inst = Instance(label_smoothing(3, 0.2), (1, 2, 3), 3, 0.02, 0.02, 0.5)
    print_beside(CLAIM, Case(inst, Q=Q), theory)


if __name__ == "__main__":
    main()
