r"""First-order residuals of a UFM point, as a typed record (:class:`FirstOrder`): stationarity
in W, in H and in the bias, and the balance condition, each a relative residual (diagnostics
beside a certificate, never instead of it). For MSE the bias is eliminated first, the form in
which Lemma III.3 of arXiv 2606.00344 states them (its (6)-(8); the paper's numbering lives with
that claim, ``proofs/lemma_iii3.py``); for any other loss they are the gradient's blocks
(:func:`loss_residuals`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..instance import Instance
from ..losses import MSE
from ..tolerances import DEFAULT, Tolerances
from .gap import gradients
from .passes import _float64, _residual_sums, _ResidualSums
from .record import Record

__all__ = ["FirstOrder", "first_order_residuals", "loss_residuals"]

_TINY = np.finfo(np.float64).tiny


@dataclass(frozen=True)
class FirstOrder(Record):
    r"""Relative residuals of the first-order conditions at a point (0: satisfied exactly).

    ``W``, ``H``: stationarity in W and in H; ``b``: in the bias (None where b is fixed at 0,
    lambda_b = inf, under a loss other than MSE); ``balance``:
    :math:`\lambda_W W^\top W = \lambda_H HH^\top`. ``bias_eliminated`` says which form: MSE's,
    with b eliminated (Lemma III.3's), or the gradient's blocks. As a mapping it reads
    ``stationarity W``, ``stationarity H``, ``stationarity b`` (when present), ``balance``.
    """

    W: float
    H: float
    b: float | None
    balance: float
    bias_eliminated: bool

    def _items(self) -> dict[str, float]:
        out = {"stationarity W": self.W, "stationarity H": self.H}
        if self.b is not None:
            out["stationarity b"] = self.b
        return out | {"balance": self.balance}


def _relative(residual: np.ndarray, *terms: float) -> float:
    scale = sum(terms)
    norm = float(np.linalg.norm(residual))
    return 0.0 if norm == 0.0 else norm / max(scale, _TINY)


def _relative_norm(norm: float, *terms: float) -> float:
    return 0.0 if norm == 0.0 else norm / max(sum(terms), _TINY)


def first_order_residuals(
    instance: Instance, W: np.ndarray, H: np.ndarray, b: np.ndarray, tol: Tolerances = DEFAULT
) -> FirstOrder:
    r"""Relative residuals of the first-order conditions with the bias eliminated (Lemma III.3's
    form) and of the balance condition :math:`\lambda_W W^\top W = \lambda_H H H^\top` that
    every minimiser satisfies.

    Each residual is :math:`\|\text{lhs} - \text{rhs}\|_F` over the sum of the norms of the terms
    plus ``tol.floor`` times the term's natural scale (:meth:`Instance.scales`).
    With :math:`E = Y - WH` and :math:`M_\gamma = I - \gamma 11^\top/N`: in W
    :math:`E M_\gamma H^\top = \lambda_W N W`, in H :math:`W^\top E M_\gamma = \lambda_H N H`,
    in b :math:`b = \tfrac{\gamma}{N} E 1`.
    For any other loss: :func:`loss_residuals` (the conditions before b is eliminated).
    """
    W, H, b = _float64(W, H, b)
    if not isinstance(instance.loss, MSE):
        with np.errstate(over="ignore", invalid="ignore"):
            return loss_residuals(instance, W, H, b, tol)
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported as inf or nan
        return _residuals(instance, W, b, _residual_sums(instance, W, H, b), tol)


def _residuals(
    instance: Instance, W: np.ndarray, b: np.ndarray, sums: _ResidualSums, tol: Tolerances
) -> FirstOrder:
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
    return FirstOrder(res6, res7, res8, bal, bias_eliminated=True)


def _rel(residual: float, *terms: float) -> float:
    return 0.0 if residual == 0.0 else residual / max(sum(terms), _TINY)


def loss_residuals(
    instance: Instance, W: np.ndarray, H: np.ndarray, b: np.ndarray, tol: Tolerances
) -> FirstOrder:
    r"""Relative residuals of the UFM's first-order conditions for any loss, with
    :math:`G = \nabla L(WH + b1^\top) = U/N`: ``stationarity W``
    :math:`GH^\top + \lambda_W W = 0`, ``stationarity H`` :math:`W^\top G + \lambda_H H = 0`,
    ``stationarity b`` :math:`G1 + \lambda_b b = 0` (absent for :math:`\lambda_b = \infty`) and
    ``balance`` :math:`\lambda_W W^\top W = \lambda_H HH^\top`; each over the norms of its terms
    (for G1 the bound :math:`\sqrt N\|G\|_F`, as G1 cancels at a minimiser) plus ``tol.floor`` times their natural scale (:meth:`Instance.scales`). (For MSE these are
    the conditions before b is eliminated.)"""
    N, lw, lh = instance.N, instance.lambda_W, instance.lambda_H
    sc, fl = instance.scales(), tol.floor
    _, _, U = gradients(instance, W, H, b)
    GHt = (U @ H.T) / N
    WtG = (W.T @ U) / N
    res_W = _rel(
        float(np.linalg.norm(GHt + lw * W)),
        float(np.linalg.norm(GHt)),
        lw * float(np.linalg.norm(W)),
        fl * lw * sc["W"],
    )
    res_H = _rel(
        float(np.linalg.norm(WtG + lh * H)),
        float(np.linalg.norm(WtG)),
        lh * float(np.linalg.norm(H)),
        fl * lh * sc["H"],
    )
    res_b = None
    if not math.isinf(instance.lambda_b):
        G1, lb = U.sum(axis=1) / N, instance.lambda_b
        res_b = _rel(
            float(np.linalg.norm(G1 + lb * b)),
            math.sqrt(N) * float(np.linalg.norm(U)) / N,  # ||G1|| <= sqrt(N) ||G||_F
            lb * float(np.linalg.norm(b)),
            fl * (1 + lb) * sc["b"],
        )
    WtW, HHt = lw * (W.T @ W), lh * (H @ H.T)
    balance = _rel(
        float(np.linalg.norm(WtW - HHt)),
        float(np.linalg.norm(WtW)),
        float(np.linalg.norm(HHt)),
        fl * lw * sc["WtW"],
    )
    return FirstOrder(res_W, res_H, res_b, balance, bias_eliminated=False)
