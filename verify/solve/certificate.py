r"""Certificates of global optimality for the UFM.

For :math:`d \ge K` the UFM's minimum equals that of the convex problem

.. math::

    F^\star = \min_{Z, b}\ \frac{1}{2N}\|Z + b 1^\top - Y\|_F^2 + \mu\|Z\|_*
              + \frac{\lambda_b}{2}\|b\|^2, \qquad \mu = \sqrt{\lambda_W\lambda_H},

because :math:`\min_{WH=Z} \tfrac{\lambda_W}{2}\|W\|_F^2 + \tfrac{\lambda_H}{2}\|H\|_F^2 = \mu\|Z\|_*`.
Its Fenchel dual is

.. math::

    D(\Lambda) = \langle \Lambda, Y\rangle - \frac{N}{2}\|\Lambda\|_F^2
                 - \frac{1}{2\lambda_b}\|\Lambda 1\|^2
    \quad\text{s.t.}\quad \|\Lambda\|_2 \le \mu

(the last term is absent for :math:`\lambda_b=\infty` and becomes the constraint
:math:`\Lambda 1 = 0` for :math:`\lambda_b = 0`). Weak duality gives, for any feasible
:math:`\Lambda` and any :math:`(W, H, b)`,

.. math::  f(W, H, b) - D(\Lambda) \ \ge\ f(W, H, b) - \min f \ \ge 0,

so the gap certifies :math:`(W, H, b)` as an approximate *global* minimiser of the non-convex
UFM itself, whatever produced it. The dual point is built from the residual
:math:`\Lambda = (Y - WH - b1^\top)/N` (its value at the optimum), projected to
:math:`\Lambda 1 = 0` when :math:`\lambda_b = 0` and scaled into the spectral-norm ball.

Strong convexity of the loss in :math:`X = Z + b1^\top` turns the gap into distances:
:math:`\|X - X^\star\|_F \le \sqrt{2N\,\mathrm{gap}}` and, for :math:`0<\lambda_b<\infty`,
:math:`\|b - b^\star\| \le \sqrt{2\,\mathrm{gap}/\lambda_b}`. Jensen's inequality (the proof of
Theorem IV.1) bounds the within-class scatter: :math:`\sum_i\|h_i - \bar h_{y_i}\|^2 \le 2\,\mathrm{gap}/\lambda_H`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..instance import Instance
from ..tolerances import DEFAULT, Tolerances

__all__ = ["Certificate", "certify", "first_order_residuals", "ufm_objective"]

_TINY = np.finfo(np.float64).tiny


def ufm_objective(instance: Instance, W: np.ndarray, H: np.ndarray, b: np.ndarray) -> float:
    """The UFM objective f(W, H, b) of CLAIMS.md; +inf for b != 0 in the bias-free UFM."""
    Y, N = instance.Y, instance.N
    R = W @ H + b[:, None] - Y
    value = 0.5 / N * float(np.vdot(R, R))
    value += 0.5 * instance.lambda_W * float(np.vdot(W, W))
    value += 0.5 * instance.lambda_H * float(np.vdot(H, H))
    if math.isinf(instance.lambda_b):
        return value if not np.any(b) else math.inf
    return value + 0.5 * instance.lambda_b * float(b @ b)


def _relative(residual: np.ndarray, *terms: float) -> float:
    scale = sum(terms)
    norm = float(np.linalg.norm(residual))
    return 0.0 if norm == 0.0 else norm / max(scale, _TINY)


def first_order_residuals(
    instance: Instance, W: np.ndarray, H: np.ndarray, b: np.ndarray, tol: Tolerances = DEFAULT
) -> dict[str, float]:
    r"""Relative residuals of the paper's optimality conditions (6)-(8) (Lemma III.3) and of the
    balance condition :math:`\lambda_W W^\top W = \lambda_H H H^\top` that every minimiser satisfies.

    Each residual is :math:`\|\text{lhs} - \text{rhs}\|_F` over the sum of the norms of the terms
    plus ``tol.floor`` times the term's natural scale (:meth:`Instance.scales`).
    With :math:`E = Y - WH` and :math:`M_\gamma = I - \gamma 11^\top/N`,
    (6) :math:`E M_\gamma H^\top = \lambda_W N W`, (7) :math:`W^\top E M_\gamma = \lambda_H N H`,
    (8) :math:`b = \tfrac{\gamma}{N} E 1`.
    """
    Y, N, g = instance.Y, instance.N, instance.gamma
    E = Y - W @ H
    E1 = E.sum(axis=1)
    H1 = H.sum(axis=1)
    EMHt = E @ H.T - g / N * np.outer(E1, H1)  # E M_g H^T, (K, d)
    WtEM = W.T @ E - g / N * np.outer(W.T @ E1, np.ones(N))  # W^T E M_g, (d, N)
    lw, lh = instance.lambda_W * N, instance.lambda_H * N
    sc, fl = instance.scales(), tol.floor
    res6 = _relative(
        EMHt - lw * W, float(np.linalg.norm(EMHt)), lw * float(np.linalg.norm(W)), fl * lw * sc["W"]
    )
    res7 = _relative(
        WtEM - lh * H, float(np.linalg.norm(WtEM)), lh * float(np.linalg.norm(H)), fl * lh * sc["H"]
    )
    b_star = g / N * E1
    res8 = _relative(
        b - b_star, float(np.linalg.norm(b)), float(np.linalg.norm(b_star)), fl * sc["b"]
    )
    WtW, HHt = instance.lambda_W * (W.T @ W), instance.lambda_H * (H @ H.T)
    bal = _relative(
        WtW - HHt,
        float(np.linalg.norm(WtW)),
        float(np.linalg.norm(HHt)),
        fl * instance.lambda_W * sc["WtW"],
    )
    return {"(6)": res6, "(7)": res7, "(8)": res8, "balance": bal}


@dataclass(frozen=True)
class Certificate:
    """Evidence that (W, H, b) is a global minimiser, piece by piece.

    ``certified`` is true when the relative duality gap is at most ``tolerances.gap``; otherwise
    ``reason`` says why not. Residuals are reported beside the gap, never instead of it.
    """

    primal: float
    dual: float
    gap: float
    relative_gap: float
    dual_feasibility: (
        float  # ||Lambda||_2 / mu before scaling (<= 1 means the raw residual was feasible)
    )
    residuals: dict[str, float]
    distance_bounds: dict[str, float]
    engine: str
    tolerances: Tolerances
    certified: bool
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "primal": self.primal,
            "dual": self.dual,
            "gap": self.gap,
            "relative_gap": self.relative_gap,
            "dual_feasibility": self.dual_feasibility,
            "residuals": dict(self.residuals),
            "distance_bounds": dict(self.distance_bounds),
            "engine": self.engine,
            "tolerances": self.tolerances.as_dict(),
            "certified": self.certified,
            "reason": self.reason,
        }


def _dual_point(
    instance: Instance, W: np.ndarray, H: np.ndarray, b: np.ndarray
) -> tuple[float, float]:
    """Value of the dual at the scaled residual, and the unscaled ||Lambda||_2 / mu."""
    Y, N, mu = instance.Y, instance.N, instance.mu
    L = (Y - W @ H - b[:, None]) / N
    if instance.lambda_b == 0:
        L = L - L.mean(axis=1, keepdims=True)  # feasibility: Lambda 1 = 0
    spectral = math.sqrt(max(float(np.linalg.eigvalsh(L @ L.T)[-1]), 0.0))
    ratio = spectral / mu
    if ratio > 1.0:
        L = L / ratio
    value = float(np.vdot(L, Y)) - 0.5 * N * float(np.vdot(L, L))
    if 0 < instance.lambda_b < math.inf:
        L1 = L.sum(axis=1)
        value -= 0.5 / instance.lambda_b * float(L1 @ L1)
    return value, ratio


def certify(
    instance: Instance,
    W: np.ndarray,
    H: np.ndarray,
    b: np.ndarray,
    engine: str,
    tol: Tolerances = DEFAULT,
    details: dict[str, Any] | None = None,
) -> Certificate:
    """Certify (W, H, b) for ``instance`` from scratch: primal, dual, gap, residuals, bounds.

    Only the returned matrices are used, never how they were computed, so the same function
    certifies every engine.
    """
    K, d, N = instance.K, instance.d, instance.N
    shapes = {"W": (W.shape, (K, d)), "H": (H.shape, (d, N)), "b": (b.shape, (K,))}
    for name, (got, want) in shapes.items():
        if got != want:
            raise ValueError(f"{name} has shape {got}, expected {want}")
    finite = all(np.all(np.isfinite(x)) for x in (W, H, b))
    if not finite:
        nan = math.nan
        return Certificate(
            nan,
            nan,
            nan,
            nan,
            nan,
            {},
            {},
            engine,
            tol,
            False,
            "the solution has NaN or infinite entries",
            details or {},
        )
    primal = ufm_objective(instance, W, H, b)
    dual, ratio = _dual_point(instance, W, H, b)
    gap = primal - dual
    relative_gap = 0.0 if gap <= 0 else gap / max(abs(primal), _TINY)
    residuals = first_order_residuals(instance, W, H, b, tol)
    slack = max(gap, 0.0)
    bounds = {
        "X = WH + b1^T": math.sqrt(2 * N * slack),
        "within-class scatter": math.sqrt(2 * slack / instance.lambda_H),
    }
    if 0 < instance.lambda_b < math.inf:
        bounds["b"] = math.sqrt(2 * slack / instance.lambda_b)
    certified = math.isfinite(primal) and relative_gap <= tol.gap
    if certified:
        reason = ""
    elif not math.isfinite(primal):
        reason = "b != 0 in the bias-free UFM (lambda_b = inf)"
    else:
        reason = f"relative duality gap {relative_gap:.2e} exceeds the tolerance gap={tol.gap:.0e}"
    return Certificate(
        primal,
        dual,
        gap,
        relative_gap,
        ratio,
        residuals,
        bounds,
        engine,
        tol,
        certified,
        reason,
        details or {},
    )
