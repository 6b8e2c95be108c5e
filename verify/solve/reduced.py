r"""The ``exact`` engine for a non-MSE convex loss: the reduced K x K problem, then (W, H, b).

Averaging the columns of Z within each class does not increase the loss (Jensen, l convex)
nor the nuclear norm (:math:`\|ZP\|_* \le \|Z\|_*` for the orthogonal projection
:math:`P = C^\top D^{-1}C`, :math:`D = \mathrm{diag}(n)`), so the convex problem of
:mod:`verify.solve.gap` has a minimiser :math:`Z = \bar Z C`, and as
:math:`\|\bar Z C\|_* = \|\bar Z D^{1/2}\|_*` it reduces to K x K unknowns weighted by the counts:

.. math::

    \min_{X, b}\ \sum_k \omega_k\, l(x_k/\sqrt{\omega_k} + b,\ \bar y_k)
    + \mu\sqrt N\,\|X\|_* + \tfrac{\lambda_b}{2}\|b\|^2,
    \qquad X = \bar Z (D/N)^{1/2},\ \omega_k = n_k/N .

In these units the smooth part's gradient is :math:`(\sqrt{\omega_k}\,\nabla l_k)_k` in X and
:math:`\sum_k \omega_k \nabla l_k` in b, Lipschitz with constant :math:`2L_l` (:math:`L_l` the
loss's smoothness; :math:`L_l` alone when b = 0), whatever the counts. We run accelerated
proximal gradient (FISTA; prox of the nuclear norm = singular value thresholding of a K x K
matrix, prox of :math:`\tfrac{\lambda_b}{2}\|b\|^2` a shrinkage) with gradient-based adaptive
restart, and stop when the reduced problem's own relative duality gap (the dual of
:func:`verify.solve.gap.dual_bound` on the K class columns weighted by the counts, which equals
the full problem's at class-structured points) is below ``tol.gap / 100``.

Then :math:`\bar Z D^{1/2} = U\Sigma V^\top` gives the balanced factors
:math:`W = sU\Sigma^{1/2}U^\top` and :math:`H = \bar H C` with
:math:`\bar H = s^{-1}U\Sigma^{1/2}V^\top D^{-1/2}`, :math:`s = (\lambda_H/\lambda_W)^{1/4}`.
So this engine *assumes* class structure of its answer (H = H̄C by construction): a claim must
not take NC1 from its H. NC1 holds for every certified point anyway, to within the
certificate's within-class scatter bound, which needs no engine. The answer is certified
afterwards on the full data from (W, H, b) alone by :func:`verify.solve.certify`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..instance import Instance
from ..tolerances import Tolerances
from .gap import dual_bound

__all__ = ["reduced_gap", "solve_reduced"]

_EPS = np.finfo(np.float64).eps


def _svt(X: np.ndarray, tau: float) -> tuple[np.ndarray, float]:
    """Singular value thresholding of X at tau, and the nuclear norm of the result."""
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    s = np.maximum(s - tau, 0.0)
    return (U * s) @ Vt, float(s.sum())


class _Reduced:
    """The reduced problem of the module docstring for one instance."""

    def __init__(self, instance: Instance) -> None:
        self.instance, self.loss = instance, instance.loss
        self.Y = instance.encoding
        self.n = np.asarray(instance.counts, dtype=np.float64)
        self.N = instance.N
        self.omega = self.n / self.N
        self.root = np.sqrt(self.omega)
        self.weight = instance.mu * math.sqrt(self.N)  # of ||X||_*
        self.lambda_b = instance.lambda_b
        self.bias = not math.isinf(instance.lambda_b)

    def logits(self, X: np.ndarray, b: np.ndarray) -> np.ndarray:
        return X / self.root + b[:, None]  # columns zbar_k + b

    def smooth(self, X: np.ndarray, b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        value, G = self.loss.value_and_gradient(self.logits(X, b), self.Y)
        gX = G * self.root
        gb = G @ self.omega if self.bias else np.zeros_like(b)
        return float(value @ self.omega), gX, gb

    def primal(self, X: np.ndarray, b: np.ndarray, nuclear: float) -> float:
        value = float(self.loss.value(self.logits(X, b), self.Y) @ self.omega)
        penalty = 0.5 * self.lambda_b * float(b @ b) if self.bias else 0.0
        return value + self.weight * nuclear + penalty


def reduced_gap(problem: _Reduced, X: np.ndarray, b: np.ndarray, nuclear: float) -> float:
    """Relative duality gap of the reduced problem at (X, b)."""
    primal = problem.primal(X, b, nuclear)
    U = problem.loss.gradient(problem.logits(X, b), problem.Y)
    dual = dual_bound(
        problem.loss, U, problem.Y, problem.n, problem.N, problem.instance.mu, problem.lambda_b
    ).value
    gap = primal - dual
    return 0.0 if gap <= 0 else gap / max(abs(primal), np.finfo(float).tiny)


def _fista(
    problem: _Reduced,
    target: float,
    max_iter: int,
    check_every: int,
    progress: Callable[[str], None] | None,
) -> tuple[np.ndarray, np.ndarray, float, dict[str, Any]]:
    K = problem.Y.shape[0]
    L = problem.loss.smoothness * (2.0 if problem.bias else 1.0)
    step = 1.0 / L
    X = np.zeros((K, K))
    b = np.zeros(K)
    nuclear = 0.0
    Xm, bm, theta = X, b, 1.0
    history: list[float] = []
    gap, iterations = math.inf, 0
    while iterations < max_iter:
        _, gX, gb = problem.smooth(Xm, bm)
        X_new, nuclear = _svt(Xm - step * gX, step * problem.weight)
        b_new = (bm - step * gb) / (1.0 + step * problem.lambda_b) if problem.bias else bm
        # gradient-based restart (O'Donoghue & Candes): momentum against the prox step
        restart = float(np.vdot(Xm - X_new, X_new - X) + (bm - b_new) @ (b_new - b)) > 0
        theta_new = 1.0 if restart else 0.5 * (1 + math.sqrt(1 + 4 * theta * theta))
        beta = 0.0 if restart else (theta - 1) / theta_new
        Xm = X_new + beta * (X_new - X)
        bm = b_new + beta * (b_new - b)
        X, b, theta = X_new, b_new, theta_new
        iterations += 1
        if iterations % check_every == 0:
            gap = reduced_gap(problem, X, b, nuclear)
            history.append(gap)
            if progress is not None:
                progress(f"exact ({problem.loss.name}): iteration {iterations}, gap {gap:.1e}")
            stalled = len(history) > 20 and gap >= 0.9 * history[-21] and gap < 1e-13
            if gap <= target or stalled:
                break
    details = {"iterations": iterations, "reduced_gap": gap, "gap_history": history[-10:]}
    return X, b, nuclear, details


def solve_reduced(
    instance: Instance,
    tol: Tolerances,
    *,
    progress: Callable[[str], None] | None = None,
    max_iter: int = 200_000,
    check_every: int = 10,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    """Global minimiser (W, H, b) of the UFM with the instance's (non-MSE) loss."""
    problem = _Reduced(instance)
    X, b, _, details = _fista(problem, tol.gap / 100, max_iter, check_every, progress)
    K, d, N = instance.K, instance.d, instance.N
    Xt = X * math.sqrt(N)  # Zbar D^{1/2}
    U, sigma, Vt = np.linalg.svd(Xt)
    snap = 32 * _EPS * max(float(sigma.max(initial=0.0)), 1.0)
    act = sigma > snap
    Ua, sa, Va = U[:, act], sigma[act], Vt[act]
    s = (instance.lambda_H / instance.lambda_W) ** 0.25
    root = np.sqrt(sa)
    W = np.zeros((K, d))
    W[:, :K] = s * (Ua * root) @ Ua.T
    Hbar = np.zeros((d, K))
    Hbar[:K] = ((Ua * (root / s)) @ Va) / np.sqrt(problem.n)
    H = np.repeat(Hbar, instance.counts, axis=1)
    details.update(
        rank=int(act.sum()),
        singular_values=sigma.tolist(),
        class_structured=True,
        method="FISTA on the reduced K x K problem",
    )
    if progress is not None:
        progress(f"exact ({instance.loss.name}): {details['iterations']} iterations")
    del N
    return W, H, (b if problem.bias else np.zeros(K)), details
