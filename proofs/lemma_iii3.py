r"""Lemma III.3: first-order conditions of the UFM with a regularised bias.

For any encoding and any class counts, every global minimiser satisfies, with
:math:`\gamma = 1/(1+\lambda_b)` and :math:`M_\gamma = I_N - \gamma 1 1^\top / N`,

.. math::

    Y M_\gamma H^\top = W H M_\gamma H^\top + \lambda_W N W, \quad
    W^\top Y M_\gamma = W^\top W H M_\gamma + \lambda_H N H, \quad
    b = \tfrac{\gamma}{N}(Y - WH) 1_N.

Proof replay (:func:`derive`, below): SymPy differentiates the objective (entry-wise and by
matrix calculus), solves for b and substitutes; the step "a global minimiser is a stationary
point" is not algebra. Numeric check: the relative residuals of (6)-(8) at
certified global minimisers, for any encoding, counts and lambda_b in [0, inf].

**The replay.** The objective (2), with :math:`N` samples,

.. math::
    f(W, H, b) = \frac{1}{2N}\|WH + b1_N^\top - Y\|_F^2 + \frac{\lambda_W}{2}\|W\|_F^2
                 + \frac{\lambda_H}{2}\|H\|_F^2 + \frac{\lambda_b}{2}\|b\|_2^2,

has gradients (derived twice: entry-wise by ``sympy.diff`` on explicit 2x2 / 2x3 symbolic
matrices, and by SymPy's matrix calculus on ``MatrixSymbol`` traces; both are compared with
the textbook formulas)

.. math::
    \nabla_W f = \tfrac1N R H^\top + \lambda_W W,\quad
    \nabla_H f = \tfrac1N W^\top R + \lambda_H H,\quad
    \nabla_b f = \tfrac1N R 1_N + \lambda_b b,\qquad R = WH + b1_N^\top - Y.

The Hessian in b is :math:`(1+\lambda_b)I`, so f is strictly convex in b for every
:math:`\lambda_b \ge 0`; :math:`\nabla_b f = 0` gives (8)
:math:`b = \frac{\gamma}{N}(Y - WH)1_N`, :math:`\gamma = 1/(1+\lambda_b)`. Substituting it,
:math:`R = (WH - Y)M_\gamma` with :math:`M_\gamma = I_N - \gamma 1_N1_N^\top/N`, and
:math:`N\nabla_W f = 0`, :math:`N\nabla_H f = 0` are exactly (6) and (7):

.. math::
    YM_\gamma H^\top - WHM_\gamma H^\top - \lambda_W N W = 0,\qquad
    W^\top Y M_\gamma - W^\top W H M_\gamma - \lambda_H N H = 0.

``gradients_numeric`` evaluates the SymPy-derived matrix formulas (lambdified);
``fd_check`` compares them with central finite differences.

``python -m proofs.lemma_iii3`` prints both sides of (6)-(8) at a certified solution.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp

from verify.claims import Claim, Context, Residuals
from verify.symbolic import Derivation, algebra_step, numeric_step, register
from verify.symbolic.matrices import mgamma, ones, sym_matrix, sym_vector, ufm_objective
from verify.symbolic.symbols import K, lambda_b, lambda_H, lambda_W
from verify.tolerances import DEFAULT

__all__ = ["CLAIM", "derive", "fd_check", "gradients_numeric", "objective_numeric", "theory"]


# --------------------------------------------------------------------------- the replay
#: Generic dimensions of the matrix-calculus forms.
d = sp.Symbol("d", positive=True, integer=True)
N = sp.Symbol("N", positive=True, integer=True)


def _matrix_calculus(Kd: Any, dd: Any, Nd: Any) -> tuple[tuple[sp.Basic, ...], list[sp.Basic]]:
    r"""Gradients by SymPy's matrix calculus: :math:`\partial/\partial X\,\mathrm{tr}(\cdot)`.

    (SymPy 1.14 returns 0 for the derivative of a *sum* of traces in different variables, so
    each trace term is differentiated separately and the results added.)
    """
    W = sp.MatrixSymbol("W", Kd, dd)
    H = sp.MatrixSymbol("H", dd, Nd)
    b = sp.MatrixSymbol("b", Kd, 1)
    Y = sp.MatrixSymbol("Y", Kd, Nd)
    one = sp.MatrixSymbol("one_N", Nd, 1)
    R = W * H + b * one.T - Y
    terms = [(1 / (2 * N), R.T * R), (lambda_W / 2, W.T * W), (lambda_H / 2, H.T * H),
             (lambda_b / 2, b.T * b)]  # fmt: skip
    grads: list[sp.Basic] = []
    for X in (W, H, b):
        g: sp.Basic = sp.ZeroMatrix(*X.shape)
        for coeff, M in terms:
            if M.has(X):
                g = g + coeff * sp.trace(M).diff(X)
        grads.append(g)
    return (W, H, b, Y, one), grads


def _steps_and_expressions() -> tuple[tuple[Any, ...], dict[str, sp.Basic]]:
    k, dk, nk = 2, 2, 3
    W, H, b, Y = (
        sym_matrix("w", k, dk),
        sym_matrix("h", dk, nk),
        sym_vector("b", k),
        sym_matrix("y", k, nk),
    )
    f = ufm_objective(W, H, b, Y, lambda_W, lambda_H, lambda_b)
    # (a) entry-wise derivatives of the explicit scalar objective
    gW_a = W.applyfunc(lambda w: sp.diff(f, w))
    gH_a = H.applyfunc(lambda h: sp.diff(f, h))
    gb_a = b.applyfunc(lambda v: sp.diff(f, v))
    # (b) SymPy matrix calculus at the same sizes, then made explicit
    (Ws, Hs, bs, Ys, ones_s), grads_b = _matrix_calculus(k, dk, nk)
    explicit = {Ws: W, Hs: H, bs: b, Ys: Y, ones_s: ones(nk), N: nk}
    gW_b, gH_b, gb_b = (sp.Matrix(g.subs(explicit).doit()) for g in grads_b)
    # textbook formulas
    R = W * H + b * ones(nk).T - Y
    gW_t = R * H.T / nk + lambda_W * W
    gH_t = W.T * R / nk + lambda_H * H
    gb_t = R * ones(nk) / nk + lambda_b * b

    g = 1 / (1 + lambda_b)
    b8 = g / nk * (Y - W * H) * ones(nk)
    sol = sp.solve(list(gb_a), list(b), dict=True)
    b_solved = sp.Matrix([sol[0][v] for v in b]) if len(sol) == 1 else sp.zeros(k, 1)
    at_b = dict(zip(b, b_solved, strict=True))
    M = mgamma(nk, g)
    eq6 = Y * M * H.T - W * H * M * H.T - lambda_W * nk * W
    eq7 = W.T * Y * M - W.T * W * H * M - lambda_H * nk * H
    sizes = f"(K, d, N) = ({k}, {dk}, {nk}), independent symbolic entries"
    steps = (
        algebra_step(f"grad_W: entry-wise sympy.diff == SymPy matrix calculus, {sizes}.",
                     gW_a, gW_b),
        algebra_step("grad_H: entry-wise == matrix calculus.", gH_a, gH_b),
        algebra_step("grad_b: entry-wise == matrix calculus.", gb_a, gb_b),
        algebra_step("grad_W == (1/N)(WH + b1^T - Y)H^T + lambda_W W.", gW_a, gW_t),
        algebra_step("grad_H == (1/N)W^T(WH + b1^T - Y) + lambda_H H.", gH_a, gH_t),
        algebra_step("grad_b == (1/N)(WH + b1^T - Y)1_N + lambda_b b.", gb_a, gb_t),
        algebra_step(
            "Hessian of f in b is (1 + lambda_b) I: f is strictly convex in b for every "
            "lambda_b >= 0 (the paper's 'strictly convex and coercive in b').",
            sp.hessian(f, list(b)), (1 + lambda_b) * sp.eye(k)),
        algebra_step("sympy.solve(grad_b = 0, b) has one solution, (8): "
                     "b = gamma/N (Y - WH) 1_N with gamma = 1/(1 + lambda_b).",
                     b_solved if len(sol) == 1 else sp.Integer(len(sol)), b8),
        algebra_step("N grad_W at b = (8) equals -[Y M_g H^T - W H M_g H^T - lambda_W N W], "
                     "so grad_W = 0 is (6).", (nk * gW_a).subs(at_b), -eq6),
        algebra_step("N grad_H at b = (8) equals -[W^T Y M_g - W^T W H M_g - lambda_H N H], "
                     "so grad_H = 0 is (7).", (nk * gH_a).subs(at_b), -eq7),
        numeric_step(
            "Any global minimiser satisfies the first-order conditions grad f = 0.",
            sp.Symbol("grad_f(W*, H*, b*)"), sp.Integer(0),
            "Fermat's rule (f is a polynomial, hence differentiable, and the problem is "
            "unconstrained): an analytic argument, not an identity; the numeric layer checks "
            "stationarity at certified minimisers."),
    )  # fmt: skip
    (Wg, Hg, _, Yg, oneg), grads = _matrix_calculus(K, d, N)
    gam = 1 / (1 + lambda_b)
    Mg = sp.Identity(N) - gam * oneg * oneg.T / N
    expressions: dict[str, sp.Basic] = {
        "grad_W": grads[0],
        "grad_H": grads[1],
        "grad_b": grads[2],
        "gamma": gam,
        "b_star": gam / N * (Yg - Wg * Hg) * oneg,
        "M_gamma": Mg,
        "eq6": Yg * Mg * Hg.T - Wg * Hg * Mg * Hg.T - lambda_W * N * Wg,
        "eq7": Wg.T * Yg * Mg - Wg.T * Wg * Hg * Mg - lambda_H * N * Hg,
    }
    return steps, expressions


@register("lemma-III.3")
@lru_cache(maxsize=1)
def derive() -> Derivation:
    """Replay Lemma III.3 (see the module docstring)."""
    steps, expressions = _steps_and_expressions()
    return Derivation(
        "lemma-III.3",
        "First-order optimality conditions (6)-(8) of the UFM with bias",
        expressions,
        steps,
    )


@lru_cache(maxsize=1)
def _lambdified() -> Any:
    args, grads = _matrix_calculus(K, d, N)
    return sp.lambdify((*args, N, lambda_W, lambda_H, lambda_b), grads, "numpy")


def gradients_numeric(
    W: np.ndarray,
    H: np.ndarray,
    b: np.ndarray,
    Y: np.ndarray,
    lambda_W: float,
    lambda_H: float,
    lambda_b: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients ``(grad_W (K,d), grad_H (d,N), grad_b (K,))`` from the derived formulas."""
    Nn = H.shape[1]
    bcol = np.asarray(b, dtype=np.float64).reshape(-1, 1)
    gW, gH, gb = _lambdified()(
        np.asarray(W, dtype=np.float64), np.asarray(H, dtype=np.float64), bcol,
        np.asarray(Y, dtype=np.float64), np.ones((Nn, 1)), float(Nn),
        float(lambda_W), float(lambda_H), float(lambda_b),
    )  # fmt: skip
    return np.asarray(gW), np.asarray(gH), np.asarray(gb).reshape(-1)


def objective_numeric(
    W: np.ndarray,
    H: np.ndarray,
    b: np.ndarray,
    Y: np.ndarray,
    lambda_W: float,
    lambda_H: float,
    lambda_b: float,
) -> float:
    """The UFM objective (2) in float64."""
    Nn = H.shape[1]
    R = W @ H + np.reshape(b, (-1, 1)) - Y
    return float(
        np.sum(R**2) / (2 * Nn)
        + lambda_W / 2 * np.sum(W**2)
        + lambda_H / 2 * np.sum(H**2)
        + lambda_b / 2 * np.sum(np.asarray(b) ** 2)
    )


def fd_check(seed: int, shape: tuple[int, int, int] = (3, 4, 5)) -> float:
    """Largest relative error between the derived gradients and central finite differences.

    W, H, b, Y and the lambdas are drawn from ``np.random.default_rng(seed)``; the step is
    ``tolerances.DEFAULT.fd_step`` relative to each entry's magnitude.
    """
    rng = np.random.default_rng(seed)
    k, dk, nk = shape
    blocks = [rng.standard_normal((k, dk)), rng.standard_normal((dk, nk)), rng.standard_normal(k)]
    Y = rng.standard_normal((k, nk))
    lW, lH, lb = (float(x) for x in rng.uniform(0.05, 1.0, size=3))

    def objective(parts: list[np.ndarray]) -> float:
        return objective_numeric(parts[0], parts[1], parts[2], Y, lW, lH, lb)

    exact = gradients_numeric(blocks[0], blocks[1], blocks[2], Y, lW, lH, lb)
    worst = 0.0
    for i, X in enumerate(blocks):
        fd = np.zeros_like(X)
        for idx in np.ndindex(X.shape):
            h = DEFAULT.fd_step * max(1.0, float(abs(X[idx])))
            values = []
            for sign in (1.0, -1.0):
                moved = [B.copy() for B in blocks]
                moved[i][idx] += sign * h
                values.append(objective(moved))
            fd[idx] = (values[0] - values[1]) / (2 * h)
        worst = max(worst, float(np.linalg.norm(fd - exact[i]) / np.linalg.norm(exact[i])))
    return worst


# --------------------------------------------------------------------------- the claim


def conclusion(ctx: Context) -> Residuals:
    """The certificate's first-order residuals (bias eliminated) under the paper's numbers."""
    r = ctx.solution.certificate.residuals
    if r is None or r.b is None:  # a point that was not finite satisfies nothing
        return {"(6)": math.inf, "(7)": math.inf, "(8)": math.inf}
    return {"(6)": r.W, "(7)": r.H, "(8)": r.b}


CLAIM = Claim(
    id="lemma-III.3",
    title="First-order optimality conditions (6)-(8)",
    statement=r"$YM_\gamma H^\top = WHM_\gamma H^\top + \lambda_W N W$, $W^\top Y M_\gamma = W^\top W H M_\gamma + \lambda_H N H$, $b = \frac{\gamma}{N}(Y - WH)1_N$",
    reference="Lemma III.3, arXiv 2606.00344",
    hypotheses=(),
    conclusion=conclusion,
    derivation="lemma-III.3",
)


def theory(ctx: Context) -> dict[str, tuple[object, object]]:
    """Both sides of (6), (7) and (8) at the certified solution, and the derived gradients there
    (:func:`gradients_numeric`, lambdified from the replay) beside 0."""
    inst, s = ctx.instance, ctx.solution
    N_, Y, W, H = inst.N, inst.Y, s.W, s.H
    g = 1 / (1 + inst.lambda_b)
    M = np.eye(N_) - g * np.ones((N_, N_)) / N_
    grads = gradients_numeric(W, H, s.b, Y, inst.lambda_W, inst.lambda_H, inst.lambda_b)
    return {
        "(6): Y M_g H^T = W H M_g H^T + lambda_W N W": (
            W @ H @ M @ H.T + inst.lambda_W * N_ * W,
            Y @ M @ H.T,
        ),
        "(7): W^T Y M_g = W^T W H M_g + lambda_H N H": (
            W.T @ W @ H @ M + inst.lambda_H * N_ * H,
            W.T @ Y @ M,
        ),
        "(8): b = gamma/N (Y - WH) 1_N": (g / N_ * (Y - W @ H) @ np.ones(N_), s.b),
        "grad_b f (derived) = 0": (np.zeros_like(grads[2]), grads[2]),
    }


def main() -> None:
    """An imbalanced instance with a random encoding and a regularised bias."""
    from verify import Instance
    from verify.claims.beside import print_beside

    Ybar = np.random.default_rng(0).standard_normal((3, 3))
    print_beside(CLAIM, Instance(Ybar, (1, 2, 3), 3, 0.02, 0.02, 0.5), theory)


if __name__ == "__main__":
    main()
