"""Residuals shared by several claims; each is relative, scale-free and 0 when exact."""

from __future__ import annotations

import math

import numpy as np

from ..geometry import centring
from ..instance import Instance
from .claim import Context, relative

__all__ = [
    "centred_means_nonzero",
    "frobenius_gap",
    "gram_gap",
    "hbar_nonzero",
    "nc1_scatter",
    "objective_below_zero_points",
    "shape_fit",
]


def frobenius_gap(A: np.ndarray, B: np.ndarray, floor: float = 0.0) -> float:
    """||A - B||_F / (||A||_F + ||B||_F + floor)."""
    return relative(
        float(np.linalg.norm(A - B)), float(np.linalg.norm(A)), float(np.linalg.norm(B)), floor
    )


def gram_gap(A: np.ndarray, B: np.ndarray, floor: float = 0.0) -> float:
    """||A^T A - B^T B||_F relative, computed through the small d x d products

    ||A^T A - B^T B||_F^2 = ||A A^T||^2 - 2 ||A B^T||^2 + ||B B^T||^2, so the N x N Grams of two
    feature matrices A, B (d, N) are compared without forming them.
    """
    aa, ab, bb = (float(np.linalg.norm(X) ** 2) for X in (A @ A.T, A @ B.T, B @ B.T))
    diff = max(aa - 2 * ab + bb, 0.0) ** 0.5
    return relative(diff, aa**0.5, bb**0.5, floor)


def nc1_scatter(instance: Instance, H: np.ndarray, floor: float = 0.0) -> float:
    r"""NC1 as a residual: :math:`\|H - \bar H C\|_F / (\|H\|_F + \text{floor})` (0 for H = 0)."""
    Hbar = instance.class_means(H)
    return relative(
        float(np.linalg.norm(H - Hbar[:, instance.labels])), float(np.linalg.norm(H)), floor
    )


def shape_fit(G: np.ndarray, S: np.ndarray, floor: float = 0.0) -> tuple[float, float]:
    """Best alpha with G ~ alpha S (least squares) and the relative residual; residual 1 when
    alpha <= 0, since the claims that use it require alpha > 0."""
    alpha = float(np.vdot(G, S) / np.vdot(S, S))
    if alpha <= 0:
        return alpha, 1.0
    return alpha, relative(float(np.linalg.norm(G - alpha * S)), float(np.linalg.norm(G)), floor)


def hbar_nonzero(ctx: Context) -> dict[str, float]:
    r"""A premise: 0 when the certificate proves the minimiser's :math:`Z = WH` non-zero, 1 when
    it cannot (Z within its certified bound of 0).

    At the zero minimiser (c >= 1 for one-hot labels) the class means are 0: the limit
    alpha -> 0 of SSETFs, not an SSETF by Definition III.1, a degenerate case the claims using
    this premise are not about. A solver with a loose gap returns a Z of the size of its error
    bound whose *shape* is noise, so the question is only asked where the certificate proves
    Z != 0.
    """
    s = ctx.solution
    bound = s.certificate.distance_bounds.Z
    if bound is None:  # a loss that bounds no distance in Z (cross-entropy)
        return {"Hbar != 0 (certified)": objective_below_zero_points(ctx)}
    size = float(np.linalg.norm(s.Z))
    return {"Hbar != 0 (certified)": 0.0 if size > bound else 1.0}


def objective_below_zero_points(ctx: Context) -> float:
    r"""0 when the certified objective is below that of every point with Z = 0, else 1: then no
    minimiser has Z = 0 (used where the certificate bounds no distance in Z, as cross-entropy's).

    :math:`F_0 = \min_b L(b1^\top) + \frac{\lambda_b}{2}\|b\|^2` does not depend on
    :math:`\lambda_W, \lambda_H` once :math:`\mu \ge \|\nabla L\|_2`, which is at most
    :math:`\sqrt{2/N} \le \sqrt 2` for cross-entropy (gradient columns p - y of norm <= sqrt 2);
    its certified lower bound is the dual of a solve with :math:`\lambda_W = \lambda_H = 2`.
    "Below" by more than ``Tolerances.gap`` relative: at the zero minimiser both values are
    :math:`F_0` to rounding."""
    inst, s = ctx.instance, ctx.solution
    zero = ctx.solve(inst.replace(lambda_W=2.0, lambda_H=2.0))
    F0_low = zero.certificate.dual
    return 0.0 if s.certificate.primal < F0_low - ctx.tol.gap * abs(F0_low) else 1.0


def centred_means_nonzero(ctx: Context) -> dict[str, float]:
    r"""A premise: 0 when the certificate proves :math:`\bar H^\star (I - J) \ne 0` for the
    minimiser, 1 when it cannot.

    The class means of :math:`Z = WH` are :math:`\bar Z = Z C^\top D^{-1}` (D = diag(n)), and
    :math:`\|C^\top D^{-1}\|_2 = 1/\sqrt{n_{\min}}`, so the certified bound
    :math:`\|Z - Z^\star\|_F \le \delta` gives
    :math:`\|\bar Z(I - J) - \bar Z^\star(I - J)\|_F \le \delta/\sqrt{n_{\min}}`. When the
    computed :math:`\bar Z(I - J) = W \bar H (I - J)` is larger than that, the minimiser's is
    not zero, hence neither is :math:`\bar H^\star(I - J)`. Otherwise (e.g. exactly at
    :math:`c = \alpha`, where the centred means vanish) the computed centred means are of the size
    of the solver's error and their *shape* is rounding noise, so a claim about their shape has
    nothing to say there.
    """
    s, inst = ctx.solution, ctx.instance
    dZ = s.certificate.distance_bounds.Z
    if dZ is None:  # a loss that bounds no distance in Z (cross-entropy)
        return {"Hbar (I - J) != 0 (certified)": _logits_not_constant(ctx)}
    centred = s.W @ s.Hbar @ centring(inst.K)
    bound = dZ / math.sqrt(min(inst.counts))
    size = float(np.linalg.norm(centred))
    return {"Hbar (I - J) != 0 (certified)": 0.0 if size > bound else 1.0}


def _logits_not_constant(ctx: Context) -> float:
    r"""0 when the certificate proves that no minimiser has :math:`\bar Z^\star(I - J) = 0`
    (cross-entropy, whose certificate bounds no distance in Z), else 1.

    Every minimiser has class-constant features (the certificate's within-class scatter bound
    is 0 at a minimiser), so :math:`\bar Z^\star(I - J) = 0` means every column of
    :math:`X^\star = Z^\star + b^\star 1^\top` is the same x, and then the cross-entropy
    gradients are :math:`u^\star_i = s_i\,\mathrm{softmax}(x) - y_i` (:math:`s_i = 1^\top y_i`):
    :math:`U^\star + Y = p\,s^\top` for one p. The loss gradient at a minimiser is unique and
    the certificate bounds :math:`\|U - U^\star\|_F \le \delta` for the computed
    gradients U (``distance_bounds.gradient``, from the strong concavity of the dual, valid
    for every loss). So if :math:`\min_p \|U + Y - p\,s^\top\|_F > \delta` (plus rounding),
    :math:`\bar Z^\star(I - J) \ne 0` at every minimiser, hence
    :math:`\bar H^\star(I - J) \ne 0`. Otherwise (the minimiser's logits may be the same for
    every class, as in the zero-minimiser regime) the premise is not proved: 1.

    Only for cross-entropy (the form :math:`s\,\mathrm{softmax}(x) - y` of its gradient is
    what links equal logits to equal gradients); another loss without a bound on Z raises
    ``ValueError`` saying so, which the runner reports as inconclusive."""
    from ..losses import CrossEntropy
    from ..solve.gap import class_constant, class_gradients, gradients

    s, inst = ctx.solution, ctx.instance
    delta = s.certificate.distance_bounds.gradient
    if not isinstance(inst.loss, CrossEntropy) or delta is None:
        raise ValueError(
            f"the premise Hbar (I - J) != 0 needs a distance bound on Z or, for cross-entropy, on "
            f"the loss gradient; the {inst.loss.name} certificate gives neither"
        )
    Hbar = class_constant(inst, s.H)
    if Hbar is not None:  # K distinct columns, weighted by the counts
        _, _, U, weights = class_gradients(inst, s.W, Hbar, s.b)
        Y = inst.encoding
    else:
        _, _, U = gradients(inst, s.W, s.H, s.b)
        Y, weights = inst.Y, np.ones(inst.N)
    Q = U + Y
    sums = Y.sum(axis=0)
    p = (Q * (weights * sums)).sum(axis=1) / float(weights @ (sums * sums))
    R = Q - p[:, None] * sums[None, :]
    distance = math.sqrt(float((R * R).sum(axis=0) @ weights))
    size = math.sqrt(float((Q * Q).sum(axis=0) @ weights))
    rounding = 16 * np.finfo(np.float64).eps * math.sqrt(inst.K * inst.N) * size
    return 0.0 if distance > delta + rounding else 1.0
