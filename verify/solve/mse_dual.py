r"""The MSE certificate: the Fenchel dual of the convex reformulation and its distance bounds.

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
:math:`\Lambda 1 = 0` when :math:`\lambda_b = 0`, and brought into the spectral-norm ball two
ways, the better dual value kept (both are lower bounds): scaled, :math:`\Lambda/\max(1,
\|\Lambda\|_2/\mu)`, and projected, its singular values clipped at :math:`\mu`. Scaling shrinks
every direction by the violation of the largest singular value, a first-order loss: on the
README's example CVXPY (Clarabel, default tolerances) returns a residual whose spectral norm
overshoots :math:`\mu` by 1.1e-9, and the scaled point leaves a relative gap of 2.0e-10, the
clipped one 1.8e-16 (it moves only the directions that overshoot).

Strong convexity of the loss in :math:`X = Z + b1^\top` turns the gap into distances:
:math:`\|X - X^\star\|_F \le \sqrt{2N\,\mathrm{gap}}` and, for :math:`0<\lambda_b<\infty`,
:math:`\|b - b^\star\| \le \sqrt{2\,\mathrm{gap}/\lambda_b}`. Jensen's inequality (the proof of
Theorem IV.1) bounds the within-class scatter: :math:`\sum_i\|h_i - \bar h_{y_i}\|^2 \le 2\,\mathrm{gap}/\lambda_H`.
"""

from __future__ import annotations

import math

import numpy as np

from ..instance import Instance
from .bounds import DistanceBounds
from .passes import _gap_sums, _GapSums, _objective

__all__ = ["mse_parts"]

_TINY = np.finfo(np.float64).tiny


def _dual_point(instance: Instance, sums: _GapSums) -> tuple[float, float]:
    r"""The dual's value at the residual brought into the ball, and the unscaled ||Lambda||_2 / mu.

    :math:`\Lambda = -R/N` (centred, :math:`\tilde R = R - R11^\top/N`, when :math:`\lambda_b = 0`),
    brought into :math:`\|\Lambda\|_2 \le \mu` two ways, the larger value kept: scaled,
    :math:`s\Lambda` with :math:`s = \min(1, \mu/\|\Lambda\|_2)`, and projected,
    :math:`M\Lambda` with :math:`M = U \operatorname{diag}(\min(1, \mu N/\sqrt{e_i})) U^\top` from
    :math:`\tilde R\tilde R^\top = U \operatorname{diag}(e) U^\top` (its singular values clipped at
    :math:`\mu`). Both are K x K computations on the products of :class:`_GapSums`:
    :math:`\langle M\Lambda, Y\rangle = -\langle M, Y\tilde R^\top\rangle/N`,
    :math:`\|M\Lambda\|^2 = \langle M^2, \tilde R\tilde R^\top\rangle/N^2` and
    :math:`M\Lambda 1 = -M\tilde R1/N`.

    For :math:`0 < \lambda_b < \infty` the centred residual is tried as well (any
    :math:`\Lambda` in the ball is dual feasible, and a centred one pays no
    :math:`\|\Lambda 1\|^2/(2\lambda_b)`): at a minimiser :math:`\Lambda 1 = \lambda_b b`, so for a
    small :math:`\lambda_b` the rounding of :math:`R1` (1e-17), squared and divided by
    :math:`\lambda_b = 10^{-30}`, swamped the uncentred point's value (a relative gap of 6.5).
    """
    assert sums.RRt is not None and sums.r1 is not None and sums.y1 is not None
    assert sums.RCt is not None
    N, lambda_b = instance.N, instance.lambda_b
    r1, y1 = sums.r1, sums.y1
    YRt = instance.encoding @ sums.RCt.T  # Y R^T = Ybar (R C^T)^T
    centred = (
        sums.RRt - np.outer(r1, r1) / N,
        max(sums.rr - float(r1 @ r1) / N, 0.0),
        sums.ry - float(r1 @ y1) / N,
        YRt - np.outer(y1, r1) / N,
    )
    if lambda_b == 0:  # feasibility: Lambda 1 = 0
        return _dual_value(instance, *centred, None)
    value, ratio = _dual_value(instance, sums.RRt, sums.rr, sums.ry, YRt, r1)
    if lambda_b < math.inf:
        value = max(value, _dual_value(instance, *centred, None)[0])
    return value, ratio


def _dual_value(
    instance: Instance,
    RRt: np.ndarray,
    rr: float,
    ry: float,
    YRt: np.ndarray,
    r1: np.ndarray | None,
) -> tuple[float, float]:
    """The better of the scaled and projected points of :func:`_dual_point` for the residual
    whose products are given, and its ||Lambda||_2 / mu; ``r1`` None for a centred residual (no
    penalty on Lambda 1) or in the bias-free UFM."""
    N, mu, lambda_b = instance.N, instance.mu, instance.lambda_b
    if not (np.all(np.isfinite(RRt)) and np.all(np.isfinite(YRt)) and math.isfinite(ry)):
        return math.nan, math.nan  # overflow: no dual point (eigh would raise)
    e, U = np.linalg.eigh(RRt)
    e = np.clip(e, 0.0, None)
    spectral = math.sqrt(float(e[-1])) / N
    ratio = spectral / mu
    penalised = r1 is not None and 0 < lambda_b < math.inf

    # scaled: Lambda = -scale R / N
    scale = 1.0 / ratio if ratio > 1.0 else 1.0
    scaled = -scale * ry / N - 0.5 * scale * scale * rr / N
    if penalised:
        assert r1 is not None
        L1 = -scale / N * r1
        scaled -= 0.5 / lambda_b * float(L1 @ L1)

    # projected: Lambda = -M R / N, singular values sqrt(e)/N clipped at mu
    root = np.sqrt(e)
    f = np.ones_like(e)
    over = root > mu * N
    f[over] = mu * N / root[over]
    M = (U * f) @ U.T
    projected = -float(np.vdot(M, YRt)) / N - 0.5 * float((f * f) @ e) / N
    if penalised:
        assert r1 is not None
        L1 = -(M @ r1) / N
        projected -= 0.5 / lambda_b * float(L1 @ L1)
    return max(scaled, projected), ratio


def _z_bound(
    instance: Instance, W: np.ndarray, sums: _GapSums, delta: float, b_bound: float | None
) -> float:
    r"""A bound on :math:`\|Z - Z^\star\|_F` from the bound :math:`\delta` on :math:`X = Z + b1^\top`.

    :math:`\lambda_b = \infty`: b = 0, so :math:`\delta`. :math:`0 < \lambda_b < \infty`:
    :math:`\delta + \sqrt N \|b - b^\star\|`. :math:`\lambda_b = 0`: the minimiser has
    :math:`Z^\star 1 = 0` (Theorem III.4a: it solves the centred bias-free problem), so
    :math:`\|Z - Z^\star\| \le \|(X - X^\star)(I - J)\| + \|Z J\| \le \delta + \|Z1\|/\sqrt N`.
    """
    N = instance.N
    if math.isinf(instance.lambda_b):
        return delta
    if instance.lambda_b > 0:
        assert b_bound is not None
        return delta + math.sqrt(N) * b_bound
    assert sums.h1 is not None
    return delta + float(np.linalg.norm(W @ sums.h1)) / math.sqrt(N)


def mse_parts(
    instance: Instance, W: np.ndarray, H: np.ndarray, b: np.ndarray
) -> tuple[float, float, float, float, float, DistanceBounds]:
    """Primal, dual, gap, relative gap, ||Lambda||_2/mu and distance bounds for MSE."""
    N = instance.N
    sums = _gap_sums(instance, W, H, b)
    primal = _objective(instance, W, b, sums)
    dual, ratio = _dual_point(instance, sums)
    gap = primal - dual
    relative_gap = 0.0 if gap <= 0 else gap / max(abs(primal), _TINY)
    # the computed gap is itself rounded: the distance bounds use the gap plus its rounding
    slack = max(gap, 0.0) + 16 * np.finfo(np.float64).eps * (abs(primal) + abs(dual))
    X = math.sqrt(2 * N * slack)
    b_bound = math.sqrt(2 * slack / instance.lambda_b) if 0 < instance.lambda_b < math.inf else None
    bounds = DistanceBounds(
        X=X,
        Z=_z_bound(instance, W, sums, X, b_bound),
        b=b_bound,
        scatter=math.sqrt(2 * slack / instance.lambda_H),
    )
    return primal, dual, gap, relative_gap, ratio, bounds
