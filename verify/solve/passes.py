r"""The MSE certificate's passes over the data: one blocked pass over the columns of (Y, H).

The duality gap (:mod:`verify.solve.mse_dual`) needs :math:`\|R\|^2`, :math:`RR^\top`,
:math:`\langle R, Y\rangle` and a few sums of :math:`R = WH + b1^\top - Y`; the first-order residuals
(:mod:`verify.solve.residuals`) a pass of their own. Both form R block by block, as its
definition reads, and never a K x N temporary.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..instance import Instance
from ..losses import MSE

__all__ = ["ufm_objective"]


# Columns per block of the single pass over (Y, H): about 8 MiB of float64 per block, so the
# K x block residual and the d x block products stay in cache and no K x N temporary is made,
# while the blocks stay few (each BLAS call synchronises its threads).
_BLOCK_BYTES = 1 << 23


@dataclass(frozen=True)
class _GapSums:
    r"""What the duality gap needs from (Y, W, H, b), gathered in one pass over the columns.

    With :math:`R = WH + b1^\top - Y`: ``rr`` = :math:`\|R\|_F^2`, ``hh`` = :math:`\|H\|_F^2`;
    the rest (``None`` when only the objective was asked for): ``RRt`` = :math:`RR^\top`,
    ``ry`` = :math:`\langle R, Y\rangle`, ``r1`` = :math:`R1`, ``y1`` = :math:`Y1`,
    ``h1`` = :math:`H1`, ``RCt`` = :math:`RC^\top` (the sum of R's columns in each class, so
    that :math:`YR^\top = \bar Y (RC^\top)^\top`, as :math:`Y = \bar Y C`).
    """

    rr: float
    hh: float
    RRt: np.ndarray | None = None
    ry: float = 0.0
    r1: np.ndarray | None = None
    y1: np.ndarray | None = None
    h1: np.ndarray | None = None
    RCt: np.ndarray | None = None


def _float64(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(x, dtype=np.float64) for x in arrays)


def _residual_blocks(
    instance: Instance, W: np.ndarray, H: np.ndarray, b: np.ndarray
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    r"""Blocks :math:`(H_B, Y_B, R_B)` of the columns, :math:`R_B = W H_B + b1^\top - Y_B`.

    R is formed as its definition reads, never by an expansion such as
    :math:`\|R\|^2 = \|WH\|^2 - 2\langle WH, Y\rangle + \ldots` that would lose a small
    residual to cancellation. ``R_B`` is a view of one reused buffer: use it before the next block.
    """
    Y, N, K, d = instance.Y, instance.N, instance.K, H.shape[0]
    block = min(N, max(64, _BLOCK_BYTES // (8 * (K + d))))
    buffer = np.empty(K * block)
    bias = b[:, None]
    for start in range(0, N, block):
        stop = min(start + block, N)
        Hb, Yb = H[:, start:stop], Y[:, start:stop]
        R = buffer[: K * (stop - start)].reshape(K, stop - start)
        np.matmul(W, Hb, out=R)
        R += bias
        R -= Yb
        yield Hb, Yb, R


def _gap_sums(
    instance: Instance, W: np.ndarray, H: np.ndarray, b: np.ndarray, *, gram: bool = True
) -> _GapSums:
    r"""One blocked pass over the columns of Y and H (:func:`_residual_blocks`); see
    :class:`_GapSums`. In units of one :math:`YY^\top` (:math:`K^2N/2` multiply-adds, d = K)
    it costs 3: :math:`WH` (2) and :math:`RR^\top` (1); the other sums are O(KN) while the
    block is in cache.
    """
    K, d = instance.K, H.shape[0]
    rr = hh = ry = 0.0
    RRt, r1, y1, h1 = np.zeros((K, K)), np.zeros(K), np.zeros(K), np.zeros(d)
    RCt = np.zeros((K, K))
    bounds = np.cumsum((0, *instance.counts))  # class k holds columns bounds[k]:bounds[k+1]
    start = 0
    for Hb, Yb, R in _residual_blocks(instance, W, H, b):
        hh += float(np.vdot(Hb, Hb))
        if not gram:
            rr += float(np.vdot(R, R))
            continue
        RRt += R @ R.T
        ry += float(np.vdot(R, Yb))
        r1 += R.sum(axis=1)
        y1 += Yb.sum(axis=1)
        h1 += Hb.sum(axis=1)
        # class sums of this block (columns are ordered by class): O(K x block)
        stop = start + R.shape[1]
        first = int(np.searchsorted(bounds, start, side="right")) - 1
        last = int(np.searchsorted(bounds, stop, side="left"))  # classes first..last-1 meet it
        cuts = np.maximum(bounds[first:last], start) - start
        RCt[:, first:last] += np.add.reduceat(R, cuts, axis=1)
        start = stop
    if not gram:
        return _GapSums(rr=rr, hh=hh)
    return _GapSums(rr=float(np.trace(RRt)), hh=hh, RRt=RRt, ry=ry, r1=r1, y1=y1, h1=h1, RCt=RCt)


@dataclass(frozen=True)
class _ResidualSums:
    r"""What the first-order residuals need, from a pass of their own (:func:`_residual_sums`).

    With :math:`E = Y - WH = b1^\top - R`: ``E1`` = :math:`E1`, ``h1`` = :math:`H1`,
    ``hh`` = :math:`\|H\|_F^2`, ``RHt`` and ``HHt`` the products,
    ``t2`` = :math:`\|W^\top E M_\gamma\|_F^2` and ``r7`` = :math:`\|W^\top E M_\gamma - \lambda_H N H\|_F^2`.
    """

    E1: np.ndarray
    h1: np.ndarray
    hh: float
    RHt: np.ndarray
    HHt: np.ndarray
    t2: float
    r7: float


def _residual_sums(
    instance: Instance, W: np.ndarray, H: np.ndarray, b: np.ndarray
) -> _ResidualSums:
    r"""One blocked pass over (Y, H) for the residuals of (6)-(8) and the balance condition.

    As in :func:`_gap_sums`, R and the residual of (7) are formed as their definitions read, block
    by block (:func:`_residual_blocks`). It costs 7 units of :math:`YY^\top`: R (2), :math:`RH^\top` (2), :math:`HH^\top` (1)
    and :math:`W^\top R` (2), more than twice the gap's pass, which is why a certificate computes
    it only when its residuals are read.
    """
    Y, N, K, d = instance.Y, instance.N, instance.K, H.shape[0]
    g, lh = instance.gamma, instance.lambda_H * N
    y1 = Y.sum(axis=1)
    h1 = H.sum(axis=1)
    E1 = y1 - W @ h1  # (Y - WH) 1
    # W^T E M_g = v 1^T - W^T R with v = W^T (b - g/N E1), which vanishes at a minimiser by (8)
    v = (W.T @ (b - g / N * E1))[:, None]
    t2 = r7 = 0.0
    RHt, HHt = np.zeros((K, d)), np.zeros((d, d))
    for Hb, _, R in _residual_blocks(instance, W, H, b):
        RHt += R @ Hb.T
        HHt += Hb @ Hb.T
        # (7): W^T E M_g - lambda_H N H = -(W^T R - v 1^T + lambda_H N H), on this block
        T = W.T @ R
        T -= v
        t2 += float(np.vdot(T, T))
        T += lh * Hb
        r7 += float(np.vdot(T, T))
    return _ResidualSums(E1=E1, h1=h1, hh=float(np.trace(HHt)), RHt=RHt, HHt=HHt, t2=t2, r7=r7)


def _objective(instance: Instance, W: np.ndarray, b: np.ndarray, sums: _GapSums) -> float:
    value = 0.5 / instance.N * sums.rr
    value += 0.5 * instance.lambda_W * float(np.vdot(W, W))
    value += 0.5 * instance.lambda_H * sums.hh
    if math.isinf(instance.lambda_b):
        return value if not np.any(b) else math.inf
    return value + 0.5 * instance.lambda_b * float(b @ b)


def ufm_objective(instance: Instance, W: np.ndarray, H: np.ndarray, b: np.ndarray) -> float:
    """The UFM objective f(W, H, b) of docs/CLAIMS.md (with the instance's loss); +inf for
    b != 0 in the bias-free UFM."""
    W, H, b = _float64(W, H, b)
    if not isinstance(instance.loss, MSE):
        from .gap import loss_objective

        return loss_objective(instance, W, H, b)
    return _objective(instance, W, b, _gap_sums(instance, W, H, b, gram=False))
