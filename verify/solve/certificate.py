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
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from ..instance import Instance
from ..losses import MSE
from ..tolerances import DEFAULT, Tolerances

__all__ = ["Certificate", "certify", "first_order_residuals", "ufm_objective"]

_TINY = np.finfo(np.float64).tiny


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
    """The UFM objective f(W, H, b) of docs/CLAIMS.md; +inf for b != 0 in the bias-free UFM."""
    W, H, b = _float64(W, H, b)
    return _objective(instance, W, b, _gap_sums(instance, W, H, b, gram=False))


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
    For any other loss: :func:`verify.solve.gap.loss_residuals` (the conditions before b is
    eliminated, named ``stationarity W``, ``stationarity H``, ``stationarity b``, ``balance``).
    """
    W, H, b = _float64(W, H, b)
    if not isinstance(instance.loss, MSE):
        from .gap import loss_residuals

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


@dataclass(frozen=True)
class Certificate:
    """Evidence that (W, H, b) is a global minimiser, piece by piece.

    ``certified`` is true when the relative duality gap is at most ``tolerances.gap``; otherwise
    ``reason`` says why not. The first-order residuals are reported beside the gap, never
    instead of it; they are diagnostics, not part of the proof, and cost more than twice the gap's
    pass over the data, so they are computed from ``point`` when first read.
    """

    primal: float
    dual: float
    gap: float
    relative_gap: float
    dual_feasibility: (
        float  # ||Lambda||_2 / mu before scaling (<= 1 means the raw residual was feasible)
    )
    distance_bounds: dict[str, float]
    engine: str
    tolerances: Tolerances
    certified: bool
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    uniqueness: str = ""  # what is and is not unique at a minimiser (non-MSE losses; "" for MSE)
    point: tuple[Instance, np.ndarray, np.ndarray, np.ndarray] | None = field(
        default=None, repr=False, compare=False
    )  # the certified (instance, W, H, b); None when it was not finite

    @cached_property
    def residuals(self) -> dict[str, float]:
        """:func:`first_order_residuals` of the certified point ({} when it was not finite)."""
        if self.point is None:
            return {}
        return first_order_residuals(*self.point, self.tolerances)

    def as_dict(self) -> dict[str, Any]:
        data = {
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
        if self.uniqueness:
            data["uniqueness"] = self.uniqueness
        return data


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


def _z_bound(instance: Instance, W: np.ndarray, sums: _GapSums, bounds: dict[str, float]) -> float:
    r"""A bound on :math:`\|Z - Z^\star\|_F` from the bound :math:`\delta` on :math:`X = Z + b1^\top`.

    :math:`\lambda_b = \infty`: b = 0, so :math:`\delta`. :math:`0 < \lambda_b < \infty`:
    :math:`\delta + \sqrt N \|b - b^\star\|`. :math:`\lambda_b = 0`: the minimiser has
    :math:`Z^\star 1 = 0` (Theorem III.4a: it solves the centred bias-free problem), so
    :math:`\|Z - Z^\star\| \le \|(X - X^\star)(I - J)\| + \|Z J\| \le \delta + \|Z1\|/\sqrt N`.
    """
    delta, N = bounds["X = WH + b1^T"], instance.N
    if math.isinf(instance.lambda_b):
        return delta
    if instance.lambda_b > 0:
        return delta + math.sqrt(N) * bounds["b"]
    assert sums.h1 is not None
    return delta + float(np.linalg.norm(W @ sums.h1)) / math.sqrt(N)


def certify(
    instance: Instance,
    W: np.ndarray,
    H: np.ndarray,
    b: np.ndarray,
    engine: str,
    tol: Tolerances = DEFAULT,
    details: dict[str, Any] | None = None,
) -> Certificate:
    """Certify (W, H, b) for ``instance`` from scratch: primal, dual, gap, distance bounds
    (the residuals follow on request, :attr:`Certificate.residuals`).

    Only the returned matrices are used, never how they were computed, so the same function
    certifies every engine.
    """
    W, H, b = _float64(W, H, b)
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
            engine,
            tol,
            False,
            "the solution has NaN or infinite entries",
            details or {},
        )
    # a finite point can still overflow (entries near 1e200): the result is then not finite and
    # not certified (below), which is the answer, so numpy's warnings about it are not needed
    with np.errstate(over="ignore", invalid="ignore"):
        return _certify(instance, W, H, b, engine, tol, details)


def _certify(
    instance: Instance,
    W: np.ndarray,
    H: np.ndarray,
    b: np.ndarray,
    engine: str,
    tol: Tolerances,
    details: dict[str, Any] | None,
) -> Certificate:
    uniqueness = ""
    if isinstance(instance.loss, MSE):
        primal, dual, gap, relative_gap, ratio, bounds = _mse_parts(instance, W, H, b)
    else:
        from .gap import loss_gap_parts, uniqueness_note

        parts = loss_gap_parts(instance, W, H, b, tol)
        primal, dual, gap = parts["primal"], parts["dual"], parts["gap"]
        relative_gap, ratio, bounds = parts["relative_gap"], parts["ratio"], parts["bounds"]
        uniqueness = uniqueness_note(instance)
    # a certificate with any non-finite quantity proves nothing (a dual of +inf would make the
    # gap -inf and the relative gap 0), so it is never certified
    quantities = {"primal": primal, "dual": dual, "gap": gap, "relative gap": relative_gap}
    quantities.update({f"the bound on {k}": v for k, v in bounds.items()})
    quantities["||Lambda||_2 / mu"] = ratio
    nonfinite = [k for k, v in quantities.items() if not math.isfinite(v)]
    certified = not nonfinite and relative_gap <= tol.gap
    if certified:
        reason = ""
    elif math.isinf(instance.lambda_b) and np.any(b):
        reason = "b != 0 in the bias-free UFM (lambda_b = inf)"
    elif nonfinite:
        reason = (
            f"the certificate is not finite ({nonfinite[0]} = {quantities[nonfinite[0]]}"
            + (f", and {len(nonfinite) - 1} more" if len(nonfinite) > 1 else "")
            + "): the point's entries or their products overflow float64"
        )
    else:
        reason = f"relative duality gap {relative_gap:.2e} exceeds the tolerance gap={tol.gap:.0e}"
    return Certificate(
        primal,
        dual,
        gap,
        relative_gap,
        ratio,
        bounds,
        engine,
        tol,
        certified,
        reason,
        details or {},
        uniqueness,
        (instance, W, H, b),
    )


def _mse_parts(
    instance: Instance, W: np.ndarray, H: np.ndarray, b: np.ndarray
) -> tuple[float, float, float, float, float, dict[str, float]]:
    """Primal, dual, gap, relative gap, ||Lambda||_2/mu and distance bounds for MSE."""
    N = instance.N
    sums = _gap_sums(instance, W, H, b)
    primal = _objective(instance, W, b, sums)
    dual, ratio = _dual_point(instance, sums)
    gap = primal - dual
    relative_gap = 0.0 if gap <= 0 else gap / max(abs(primal), _TINY)
    # the computed gap is itself rounded: the distance bounds use the gap plus its rounding
    slack = max(gap, 0.0) + 16 * np.finfo(np.float64).eps * (abs(primal) + abs(dual))
    bounds = {
        "X = WH + b1^T": math.sqrt(2 * N * slack),
        "within-class scatter": math.sqrt(2 * slack / instance.lambda_H),
    }
    if 0 < instance.lambda_b < math.inf:
        bounds["b"] = math.sqrt(2 * slack / instance.lambda_b)
    bounds["Z = WH"] = _z_bound(instance, W, sums, bounds)
    return primal, dual, gap, relative_gap, ratio, bounds
