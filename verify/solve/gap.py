r"""The duality gap of the UFM for any convex loss (:mod:`verify.losses`), from (W, H, b) alone.

For :math:`d \ge K` the UFM's minimum equals that of the convex problem

.. math::

    F^\star = \min_{Z, b}\ L(Z + b1^\top) + \mu\|Z\|_* + \tfrac{\lambda_b}{2}\|b\|^2,
    \qquad L(X) = \tfrac1N\textstyle\sum_i l(x_i, y_i),\ \mu = \sqrt{\lambda_W\lambda_H}

(:math:`\min_{WH = Z}\tfrac{\lambda_W}{2}\|W\|^2 + \tfrac{\lambda_H}{2}\|H\|^2 = \mu\|Z\|_*`
does not involve the loss). With :math:`L^*(G) = \tfrac1N\sum_i l^*(Ng_i, y_i)` its dual is

.. math::

    D(G) = -L^*(G) - \tfrac{1}{2\lambda_b}\|G1\|^2 \quad\text{s.t.}\quad \|G\|_2 \le \mu

(no last term for :math:`\lambda_b = \infty`; for :math:`\lambda_b = 0` it is the constraint
:math:`G1 = 0`), and :math:`f(W, H, b) - D(G) \ge f - \min f \ge 0` for every feasible G.
The dual points tried are built from the gradients :math:`u_i = \nabla l(x_i, y_i)` at
:math:`X = WH + b1^\top` (:math:`G = U/N` is the dual solution at a minimiser): U itself
(:math:`0 < \lambda_b`), U centred by the loss (:meth:`~verify.losses.Loss.centre`,
:math:`\lambda_b < \infty`), each brought into the ball by scaling
(:math:`t = \min(1, \mu N/\|U\|_2)`, which keeps every loss's conjugate finite) and by
clipping its singular values at :math:`\mu N` (kept only where the conjugate stays finite);
the best finite value is the dual.

Distances, from the gap plus its rounding (``slack``), for every loss: the bias,
:math:`\|b - b^\star\| \le \sqrt{2\,\mathrm{slack}/\lambda_b}` (:math:`0<\lambda_b<\infty`: F is
:math:`\lambda_b`-strongly convex in b); the within-class scatter,
:math:`\sum_i\|h_i - \bar h_{y_i}\|^2 \le 2\,\mathrm{slack}/\lambda_H` (replacing H by its class
means lowers the loss, Jensen, and the penalty by exactly :math:`\tfrac{\lambda_H}{2}` times the
scatter); and the loss gradient at the minimiser, which is unique: :math:`l^*` is
:math:`1/L_l`-strongly convex (:math:`L_l` = ``loss.smoothness``), so D is
:math:`N/L_l`-strongly concave and :math:`\|U_{\rm dual} - U^\star\|_F \le \sqrt{2L_lN\,\mathrm{slack}}`,
hence :math:`\|\nabla l(X) - U^\star\|_F` is at most that plus :math:`\|U_{\rm dual} - \nabla l(X)\|_F`
(for cross-entropy: the softmax probabilities of a minimiser are certified to that distance).
Only a strongly convex loss (m = ``loss.strong_convexity`` > 0) bounds the logits,
:math:`\|X - X^\star\|_F \le \sqrt{2N\,\mathrm{slack}/m}`; cross-entropy is not strongly convex
(its Hessian vanishes along 1 and degenerates as softmax(x) nears a vertex), so its certificate
bounds no distance in Z: the key ``"Z = WH"`` is absent, not infinite.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.linalg import lapack as _lapack

from ..instance import Instance
from ..losses import Loss
from ..tolerances import Tolerances
from .bounds import DistanceBounds

__all__ = [
    "DualBound",
    "class_constant",
    "class_gradients",
    "dual_bound",
    "gradients",
    "loss_gap_parts",
    "loss_objective",
]

_TINY = np.finfo(np.float64).tiny
_BLOCK_BYTES = 1 << 23


@dataclass(frozen=True)
class DualBound:
    """The best dual value found, ``||U||_2 / (mu N)`` of the raw gradients, and the distance
    ``||U_dual - U||_F`` of the dual point kept from the gradients (for the gradient bound)."""

    value: float
    ratio: float
    moved: float
    point: str


def svd(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``numpy.linalg.svd(X, full_matrices=False)`` by LAPACK's dgesdd called directly (for the
    K x K matrices of the reduced problem numpy's wrapper costs more than the factorisation);
    numpy's when LAPACK reports a failure."""
    U, s, Vt, info = _lapack.dgesdd(X, compute_uv=1, full_matrices=0)
    if info != 0:
        return np.linalg.svd(X, full_matrices=False)
    return U, s, Vt


def nuclear_norm(X: np.ndarray) -> float:
    """The sum of the singular values of X (dgesdd directly, as :func:`svd`)."""
    s, info = _lapack.dgesdd(X, compute_uv=0)[1::2]
    if info != 0:
        s = np.linalg.svd(X, compute_uv=False)
    return float(s.sum())


def eigh(S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``numpy.linalg.eigh(S)`` of a symmetric S by LAPACK's dsyevd called directly."""
    e, E, info = _lapack.dsyevd(S, compute_v=1, lower=1)
    if info != 0:
        return np.linalg.eigh(S)
    return e, E


def class_constant(instance: Instance, H: np.ndarray) -> np.ndarray | None:
    """The class columns (d, K) of H if every column of H equals, bit for bit, the first column
    of its class (samples are ordered by class), else None.

    Then :math:`WH + b1^\top` has exactly K distinct columns and, as :math:`Y = \bar YC` by
    construction of the instance, every sum over samples of the certificate is a sum over
    classes weighted by the counts: the same numbers as the full pass, to rounding. This is a
    check of the returned H, not an assumption about it (any other H takes the full pass)."""
    counts = instance.counts
    if max(counts) == 1:
        return H  # every class is one column: nothing to check, nothing to save
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    first = H[:, starts]
    for k, (a, n) in enumerate(zip(starts.tolist(), counts, strict=True)):
        if n > 1 and not (H[:, a + 1 : a + n] == first[:, k : k + 1]).all():
            return None
    return first


def class_gradients(
    instance: Instance, W: np.ndarray, Hbar: np.ndarray, b: np.ndarray
) -> tuple[float, float, np.ndarray, np.ndarray]:
    r""":func:`gradients` of a point whose H has class columns ``Hbar`` (d, K)
    (:func:`class_constant`): the loss sum, :math:`\|H\|_F^2`, the K distinct gradient columns
    (K, K) and the counts as weights."""
    n = np.asarray(instance.counts, dtype=np.float64)
    X = W @ Hbar
    X += b[:, None]
    value, U = instance.loss.value_and_gradient(X, instance.encoding)
    return float(value @ n), float(np.einsum("ij,ij->j", Hbar, Hbar) @ n), U, n


def gradients(
    instance: Instance, W: np.ndarray, H: np.ndarray, b: np.ndarray
) -> tuple[float, float, np.ndarray]:
    r"""One blocked pass over the columns: :math:`\sum_i l(x_i, y_i)`, :math:`\|H\|_F^2` and the
    gradients U = :math:`\nabla l(X)`, (K, N), at :math:`X = WH + b1^\top`."""
    loss, Y, N, K, d = instance.loss, instance.Y, instance.N, instance.K, H.shape[0]
    block = min(N, max(64, _BLOCK_BYTES // (8 * (K + d))))
    U = np.empty((K, N))
    total = hh = 0.0
    for start in range(0, N, block):
        stop = min(start + block, N)
        Hb = H[:, start:stop]
        X = W @ Hb
        X += b[:, None]
        value, U[:, start:stop] = loss.value_and_gradient(X, Y[:, start:stop])
        total += float(value.sum())
        hh += float(np.vdot(Hb, Hb))
    return total, hh, U


def _value(
    loss: Loss, U: np.ndarray, Y: np.ndarray, w: np.ndarray, N: int, lambda_b: float
) -> float:
    conj = loss.conjugate(U, Y)
    if not np.all(np.isfinite(conj)):
        return -math.inf
    value = -float(conj @ w) / N
    if 0 < lambda_b < math.inf:
        g1 = (U @ w) / N
        value -= 0.5 / lambda_b * float(g1 @ g1)
    return value


def dual_bound(
    loss: Loss,
    U: np.ndarray,
    Y: np.ndarray,
    weights: np.ndarray,
    N: int,
    mu: float,
    lambda_b: float,
    enough: float = -math.inf,
) -> DualBound:
    """The dual of the module docstring at the points built from gradient columns ``U`` (K, B)
    with ``weights`` (B,): B = N columns of weight 1 (the certificate), or the K classes
    weighted by their counts (the exact engine's reduced problem). The points are tried in the
    order gradient, centred gradient, each scaled then clipped, and the search stops at the
    first dual value >= ``enough`` (the certificate passes the value that certifies: each
    further point costs a pass over the data; by default all are tried)."""
    unit = bool(np.all(weights == 1.0))
    candidates: list[tuple[str, Callable[[], np.ndarray]]] = []
    if lambda_b > 0:
        candidates.append(("gradient", lambda: U))
    if lambda_b < math.inf:
        candidates.append(("centred gradient", lambda: loss.centre(U, Y, weights)))
    best: tuple[float, str, np.ndarray | None] = (-math.inf, "none", None)
    ratio = math.nan
    for name, make in candidates:
        if best[2] is not None and best[0] >= enough:
            break
        V = make()
        if not np.all(np.isfinite(V)):
            continue
        e, E = eigh(V @ V.T if unit else (V * weights) @ V.T)
        e = np.clip(e, 0.0, None)
        r = math.sqrt(float(e[-1])) / (mu * N)
        if name == "gradient" or math.isnan(ratio):
            ratio = r
        for clipped in (False, True) if r > 1.0 else (False,):
            if best[2] is not None and best[0] >= enough:
                break
            if clipped:  # singular values clipped at mu N: moves only the overshooting directions
                root = np.sqrt(e)
                f = np.ones_like(e)
                over = root > mu * N
                f[over] = mu * N / root[over]
                point = ((E * f) @ E.T) @ V
            else:
                point = V / r if r > 1.0 else V
            value = _value(loss, point, Y, weights, N, lambda_b)
            if value > best[0]:
                best = (value, f"{name}, {'clipped' if clipped else 'scaled'}", point)
    top, chosen, kept = best
    if kept is None:
        return DualBound(-math.inf, ratio, math.nan, chosen)
    D = kept - U
    moved = float(np.linalg.norm(D)) if unit else float(np.sqrt((D * D).sum(axis=0) @ weights))
    return DualBound(top, ratio, moved, chosen)


def loss_gap_parts(
    instance: Instance, W: np.ndarray, H: np.ndarray, b: np.ndarray, tol: Tolerances
) -> dict[str, Any]:
    """Primal, dual, gap and distance bounds of (W, H, b) for a non-MSE loss (module docstring)."""
    loss, N = instance.loss, instance.N
    Hbar = class_constant(instance, H)
    if Hbar is not None:  # K distinct columns: sums over samples are sums over classes
        total, hh, U, weights = class_gradients(instance, W, Hbar, b)
        Y = instance.encoding
    else:
        total, hh, U = gradients(instance, W, H, b)
        weights, Y = np.ones(N), instance.Y
    primal = (
        total / N + 0.5 * instance.lambda_W * float(np.vdot(W, W)) + 0.5 * instance.lambda_H * hh
    )
    if math.isinf(instance.lambda_b):
        primal = primal if not np.any(b) else math.inf
    else:
        primal += 0.5 * instance.lambda_b * float(b @ b)
    # stop at the first dual point that certifies at a 100 times stricter gap
    enough = primal - tol.gap / 100 * abs(primal) if math.isfinite(primal) else math.inf
    dual = dual_bound(loss, U, Y, weights, N, instance.mu, instance.lambda_b, enough)
    gap = primal - dual.value
    relative_gap = 0.0 if gap <= 0 else gap / max(abs(primal), _TINY)
    slack = max(gap, 0.0) + 16 * np.finfo(np.float64).eps * (abs(primal) + abs(dual.value))
    bounds = DistanceBounds(
        X=math.sqrt(2 * N * slack / loss.strong_convexity) if loss.strong_convexity > 0 else None,
        b=math.sqrt(2 * slack / instance.lambda_b) if 0 < instance.lambda_b < math.inf else None,
        scatter=math.sqrt(2 * slack / instance.lambda_H),
        gradient=math.sqrt(2 * loss.smoothness * N * slack) + dual.moved,
    )
    return {
        "primal": primal,
        "dual": dual.value,
        "gap": gap,
        "relative_gap": relative_gap,
        "ratio": dual.ratio,
        "bounds": bounds,
        "dual_point": dual.point,
        "passes": "per class (H class-constant)" if Hbar is not None else "full data",
    }


def uniqueness_note(instance: Instance) -> str:
    """What the certificate says is and is not unique at a minimiser of this instance."""
    loss = instance.loss
    parts = [
        "W, H: unique only up to an orthogonal map of the feature space given Z = WH",
        "the loss gradient at WH + b1^T is unique (bounded above)",
    ]
    if loss.strong_convexity > 0:
        parts.append("X = WH + b1^T is unique (bounded above)")
    else:
        parts.append(
            f"Z = WH: no distance bound ({loss.name} is not strongly convex); the class "
            "means are exact only through the within-class scatter bound"
        )
    if math.isinf(instance.lambda_b):
        parts.append("b = 0 (bias-free)")
    elif instance.lambda_b > 0:
        parts.append("b is unique (bounded above)")
    elif loss.shift_invariant:
        parts.append(
            "b is NOT unique: b + t1 is a minimiser for every real t (lambda_b = 0 and the loss "
            "is invariant to adding t1 to the logits); only b - mean(b)1 is meaningful"
        )
    else:
        parts.append("b: no distance bound (lambda_b = 0)")
    return "; ".join(parts)


def loss_objective(instance: Instance, W: np.ndarray, H: np.ndarray, b: np.ndarray) -> float:
    """The UFM objective f(W, H, b) with the instance's loss (+inf for b != 0 when bias-free)."""
    Hbar = class_constant(instance, H)
    if Hbar is not None:
        total, hh = class_gradients(instance, W, Hbar, b)[:2]
    else:
        total, hh, _ = gradients(instance, W, H, b)
    value = total / instance.N + 0.5 * instance.lambda_W * float(np.vdot(W, W))
    value += 0.5 * instance.lambda_H * hh
    if math.isinf(instance.lambda_b):
        return value if not np.any(b) else math.inf
    return value + 0.5 * instance.lambda_b * float(b @ b)
