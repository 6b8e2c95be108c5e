r"""First-order residuals of a UFM point: the paper's optimality conditions (6)-(8) of Lemma
III.3 and the balance condition, as relative residuals (diagnostics beside a certificate, never
instead of it); for a loss other than MSE, the same conditions before b is eliminated
(:func:`loss_residuals`).
"""

from __future__ import annotations

import math

import numpy as np

from ..instance import Instance
from ..losses import MSE
from ..tolerances import DEFAULT, Tolerances
from .gap import gradients
from .passes import _float64, _residual_sums, _ResidualSums

__all__ = ["first_order_residuals", "loss_residuals"]

_TINY = np.finfo(np.float64).tiny


def _relative(residual: np.ndarray, *terms: float) -> float:
    scale = sum(terms)
    norm = float(np.linalg.norm(residual))
    return 0.0 if norm == 0.0 else norm / max(scale, _TINY)


def _relative_norm(norm: float, *terms: float) -> float:
    return 0.0 if norm == 0.0 else norm / max(sum(terms), _TINY)


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
    For any other loss: :func:`loss_residuals` (the conditions before b is
    eliminated, named ``stationarity W``, ``stationarity H``, ``stationarity b``, ``balance``).
    """
    W, H, b = _float64(W, H, b)
    if not isinstance(instance.loss, MSE):
        with np.errstate(over="ignore", invalid="ignore"):
            return loss_residuals(instance, W, H, b, tol)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported as inf or nan
        return _residuals(instance, W, b, _residual_sums(instance, W, H, b), tol)


def _residuals(
    instance: Instance, W: np.ndarray, b: np.ndarray, sums: _ResidualSums, tol: Tolerances
) -> dict[str, float]:
    N, g = instance.N, instance.gamma
    E1, h1 = sums.E1, sums.h1
    # E M_g H^T with E = b 1^T - R: b (H1)^T - R H^T - g/N (E1)(H1)^T, (K, d)
    EMHt = np.outer(b - g / N * E1, h1) - sums.RHt
    lw, lh = instance.lambda_W * N, instance.lambda_H * N
    sc, fl = instance.scales(), tol.floor
    res6 = _relative(
        EMHt - lw * W, float(np.linalg.norm(EMHt)), lw * float(np.linalg.norm(W)), fl * lw * sc["W"]
    )
    res7 = _relative_norm(
        math.sqrt(sums.r7), math.sqrt(sums.t2), lh * math.sqrt(sums.hh), fl * lh * sc["H"]
    )
    b_star = g / N * E1
    res8 = _relative(
        b - b_star, float(np.linalg.norm(b)), float(np.linalg.norm(b_star)), fl * sc["b"]
    )
    WtW, HHt = instance.lambda_W * (W.T @ W), instance.lambda_H * sums.HHt
    bal = _relative(
        WtW - HHt,
        float(np.linalg.norm(WtW)),
        float(np.linalg.norm(HHt)),
        fl * instance.lambda_W * sc["WtW"],
    )
    return {"(6)": res6, "(7)": res7, "(8)": res8, "balance": bal}


def _rel(residual: float, *terms: float) -> float:
    return 0.0 if residual == 0.0 else residual / max(sum(terms), _TINY)


def loss_residuals(
    instance: Instance, W: np.ndarray, H: np.ndarray, b: np.ndarray, tol: Tolerances
) -> dict[str, float]:
    r"""Relative residuals of the UFM's first-order conditions for any loss, with
    :math:`G = \nabla L(WH + b1^\top) = U/N`: ``stationarity W``
    :math:`GH^\top + \lambda_W W = 0`, ``stationarity H`` :math:`W^\top G + \lambda_H H = 0`,
    ``stationarity b`` :math:`G1 + \lambda_b b = 0` (absent for :math:`\lambda_b = \infty`) and
    ``balance`` :math:`\lambda_W W^\top W = \lambda_H HH^\top`; each over the norms of its terms
    (for G1 the bound :math:`\sqrt N\|G\|_F`, as G1 cancels at a minimiser) plus ``tol.floor`` times their natural scale (:meth:`Instance.scales`). (For MSE these are
    the paper's (6)-(8) before b is eliminated.)"""
    N, lw, lh = instance.N, instance.lambda_W, instance.lambda_H
    sc, fl = instance.scales(), tol.floor
    _, _, U = gradients(instance, W, H, b)
    GHt = (U @ H.T) / N
    WtG = (W.T @ U) / N
    out = {
        "stationarity W": _rel(
            float(np.linalg.norm(GHt + lw * W)),
            float(np.linalg.norm(GHt)),
            lw * float(np.linalg.norm(W)),
            fl * lw * sc["W"],
        ),
        "stationarity H": _rel(
            float(np.linalg.norm(WtG + lh * H)),
            float(np.linalg.norm(WtG)),
            lh * float(np.linalg.norm(H)),
            fl * lh * sc["H"],
        ),
    }
    if not math.isinf(instance.lambda_b):
        G1, lb = U.sum(axis=1) / N, instance.lambda_b
        out["stationarity b"] = _rel(
            float(np.linalg.norm(G1 + lb * b)),
            math.sqrt(N) * float(np.linalg.norm(U)) / N,  # ||G1|| <= sqrt(N) ||G||_F
            lb * float(np.linalg.norm(b)),
            fl * (1 + lb) * sc["b"],
        )
    WtW, HHt = lw * (W.T @ W), lh * (H @ H.T)
    out["balance"] = _rel(
        float(np.linalg.norm(WtW - HHt)),
        float(np.linalg.norm(WtW)),
        float(np.linalg.norm(HHt)),
        fl * lw * sc["WtW"],
    )
    return out
