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
restart for a few steps and then, for a loss with :meth:`~verify.losses.Loss.hessian` and
K <= ``NEWTON_MAX_K``, damped Newton on the smooth factored problem (:func:`_newton`: X = AB^T,
quadratic convergence, typically 2-6 steps); above that size FISTA alone, with Newton on b alone
when FISTA's X is exactly 0. Either stops when the reduced problem's own relative duality gap
(the dual of :func:`verify.solve.gap.dual_bound` on the K class columns weighted by the counts,
which equals the full problem's at class-structured points) is below ``tol.gap / 100``, or, when
that gap's rounding floor is above it (tiny objectives), stalls 10 (Newton) or 2 (FISTA) times
inside ``tol.gap``.

Then :math:`\bar Z D^{1/2} = U\Sigma V^\top` gives the balanced factors
:math:`W = sU\Sigma^{1/2}U^\top` and :math:`H = \bar H C` with
:math:`\bar H = s^{-1}U\Sigma^{1/2}V^\top D^{-1/2}`, :math:`s = (\lambda_H/\lambda_W)^{1/4}`.
So this engine *assumes* class structure of its answer (H = H̄C by construction): a claim must
not take NC1 from its H. NC1 holds for every certified point anyway, to within the
certificate's within-class scatter bound, which needs no engine. The answer is certified
afterwards on the full data from (W, H, b) alone by :func:`verify.solve.certify`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from scipy.linalg import lapack

from ..instance import Instance
from ..tolerances import Tolerances
from .gap import dual_bound, nuclear_norm, svd

__all__ = ["finish", "reduced_gap", "solve_reduced"]

_EPS = np.finfo(np.float64).eps


def _svt(X: np.ndarray, tau: float) -> tuple[np.ndarray, float]:
    """Singular value thresholding of X at tau, and the nuclear norm of the result."""
    U, s, Vt = svd(X)
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

    def smooth_gradient(self, X: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The gradient of the smooth part in X and in b."""
        G = self.loss.gradient(self.logits(X, b), self.Y)
        gX = G * self.root
        gb = G @ self.omega if self.bias else np.zeros_like(b)
        return gX, gb


def reduced_gap(
    problem: _Reduced,
    X: np.ndarray,
    b: np.ndarray,
    nuclear: float,
    at: tuple[np.ndarray, np.ndarray] | None = None,
) -> float:
    """Relative duality gap of the reduced problem at (X, b); ``at``: the per-class losses and
    their gradients at ``problem.logits(X, b)`` when the caller has them (Newton does)."""
    if at is None:
        at = problem.loss.value_and_gradient(problem.logits(X, b), problem.Y)
    values, U = at
    primal = float(values @ problem.omega) + problem.weight * nuclear
    if problem.bias:
        primal += 0.5 * problem.lambda_b * float(b @ b)
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
    start: tuple[np.ndarray, np.ndarray] | None = None,
    stall_below: float = 1e-13,
) -> tuple[np.ndarray, np.ndarray, float, dict[str, Any]]:
    K = problem.Y.shape[0]
    L = problem.loss.smoothness * (2.0 if problem.bias else 1.0)
    step = 1.0 / L
    X, b = (np.zeros((K, K)), np.zeros(K)) if start is None else start
    nuclear = nuclear_norm(X) if start is not None else 0.0
    Xm, bm, theta = X, b, 1.0
    history: list[float] = []
    gap, iterations = math.inf, 0
    while iterations < max_iter:
        gX, gb = problem.smooth_gradient(Xm, bm)
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
            stalled = len(history) > 20 and gap >= 0.9 * history[-21] and gap < stall_below
            if gap <= target or stalled:
                break
    details = {"iterations": iterations, "reduced_gap": gap, "gap_history": history[-10:]}
    return X, b, nuclear, details


#: Newton on the factors (A, B) only up to this K (2K^2 + K unknowns, a dense Hessian); above
#: it, Newton on b alone where first-order steps found X = 0 (the zero-minimiser regime)
NEWTON_MAX_K = 16


class _Pattern(NamedTuple):
    """Where the nonzero entries of the factored problem's Jacobian and Hessian sit (flat
    indices), for one (K, bias): the same for every instance, so built once."""

    nA: int
    nv: int
    at_A: np.ndarray
    at_B: np.ndarray
    at_b: np.ndarray
    at_AB: np.ndarray
    at_BA: np.ndarray
    coupling: np.ndarray
    B_index: np.ndarray
    A_index: np.ndarray
    kk: np.ndarray


@functools.lru_cache(maxsize=64)
def _pattern(K: int, factors: bool, bias: bool) -> _Pattern:
    idx = np.arange(K)
    nA = K * K if factors else 0
    nv = 2 * nA + (K if bias else 0)
    # The Jacobian J (K*K rows: logit i of class column k, nv columns: A, B, b) is sparse with a
    # fixed pattern; its nonzero entries are written by flat index each iteration:
    # dz_k[i] / dA[i, j] = B[k, j] / root_k, dz_k[i] / dB[k, j] = A[i, j] / root_k, dz_k[i] / db_i = 1
    kk, ii, jj = (a.ravel() for a in np.meshgrid(idx, idx, idx, indexing="ij"))
    row = (kk * K + ii) * nv
    at_b = (idx[:, None] * K + idx[None, :]).ravel() * nv + 2 * nA + np.tile(idx, K)
    # d^2 <Gt, A B^T> / dA[i, j] dB[k, j] = Gt[i, k], at these flat indices of the Hessian
    arrays = (
        row + ii * K + jj,
        row + nA + kk * K + jj,
        at_b if bias else idx[:0],
        (ii * K + jj) * nv + nA + kk * K + jj,
        (nA + kk * K + jj) * nv + ii * K + jj,
        ii * K + kk,  # into Gt (i, k)
        kk * K + jj,  # into B (k, j)
        ii * K + jj,  # into A (i, j)
        kk,
    )
    for a in arrays:
        a.setflags(write=False)
    return _Pattern(nA, nv, *arrays)


def _newton(
    problem: _Reduced,
    X: np.ndarray,
    b: np.ndarray,
    target: float,
    max_iter: int = 40,
    factors: bool = True,
) -> tuple[np.ndarray, np.ndarray, float, dict[str, Any]]:
    r"""Damped Newton on the smooth factored problem, from (X, b).

    With :math:`X = AB^\top` (A, B: K x K, so no rank is assumed) the reduced problem's
    :math:`w\|X\|_*` is :math:`\min_{AB^\top = X} \tfrac w2(\|A\|_F^2 + \|B\|_F^2)`, so

    .. math::

        \phi(A, B, b) = \sum_k \omega_k\, l\big((AB^\top)_k/\sqrt{\omega_k} + b,\ \bar y_k\big)
        + \tfrac w2(\|A\|_F^2 + \|B\|_F^2) + \tfrac{\lambda_b}{2}\|b\|^2

    has the reduced problem's minimum. Every stationary point of :math:`\phi` is balanced
    (:math:`A^\top A = B^\top B`, from :math:`A^\top\nabla_A\phi = (\nabla_B\phi)^\top B`), one
    with A of full rank is a global minimiser (then :math:`-\nabla L = wUV^\top`, a subgradient
    condition of the convex problem) and so is a rank-deficient one with a positive semidefinite
    Hessian; directions that add a zero singular value have curvature at least
    :math:`w - \|\nabla L\|_2 > 0` when strict complementarity holds, so a minimiser of lower rank
    is reached quadratically too. The Hessian is singular along the orbit
    :math:`(A\Omega, B\Omega)`, :math:`\Omega` skew, and along b + t1 for a shift-invariant loss
    with :math:`\lambda_b = 0`; the gradient is orthogonal to both, and the step solves the
    system damped by :math:`\|\nabla\phi\|` (Levenberg-Marquardt), which keeps the quadratic
    rate under such degeneracy. Armijo backtracking; the iteration stops when the reduced
    problem's duality gap (:func:`reduced_gap`) is below ``target``, or when a step fails.
    ``factors=False``: A = B = 0 stay fixed and only b moves (the zero-minimiser regime, any K).
    Nothing here is trusted: the answer is certified afterwards on the full data."""
    loss, Y = problem.loss, problem.Y
    K = Y.shape[0]
    root, omega, w = problem.root, problem.omega, problem.weight
    bias, lb = problem.bias, problem.lambda_b
    if factors:
        U, sv, Vt = svd(X)
        A, B = U * np.sqrt(sv), Vt.T * np.sqrt(sv)
    else:
        A = B = np.zeros((K, K))
    pattern = _pattern(K, factors, bias)
    nA, nv = pattern.nA, pattern.nv
    if nv == 0:
        return X, b, nuclear_norm(X), {"newton_iterations": 0}
    shift = np.full(nv, w)
    shift[2 * nA :] = lb if bias else 0.0
    if factors:
        J = np.zeros((K * K, nv))
        Jf = J.reshape(-1)  # a view: writes go to J
        Jf[pattern.at_b] = 1.0
        at_A, at_B, B_index, A_index = pattern.at_A, pattern.at_B, pattern.B_index, pattern.A_index
        at_AB, at_BA, coupling_index = pattern.at_AB, pattern.at_BA, pattern.coupling
        inv_root = 1.0 / root[pattern.kk]

    def objective(
        A: np.ndarray, B: np.ndarray, b: np.ndarray
    ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """phi, the logits, the per-class losses and their gradients at (A, B, b)."""
        Z = A @ B.T
        Z /= root
        Z += b[:, None]
        values, G = loss.value_and_gradient(Z, Y)
        value = float(values @ omega)
        value += 0.5 * w * (float(np.vdot(A, A)) + float(np.vdot(B, B)))
        return value + (0.5 * lb * float(b @ b) if bias else 0.0), Z, values, G

    def unpack(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        dA = v[:nA].reshape(K, K) if factors else A
        dB = v[nA : 2 * nA].reshape(K, K) if factors else B
        db = v[2 * nA :] if bias else np.zeros(K)
        return dA, dB, db

    phi, Z, values, G = objective(A, B, b)
    gap, iterations, history = math.inf, 0, []
    nuclear, fresh = 0.0, False  # fresh: gap and nuclear are those of the current point
    stalled = False
    while iterations < max_iter:
        Gt = G * root
        parts = []
        if factors:
            parts += [(Gt @ B + w * A).ravel(), (Gt.T @ A + w * B).ravel()]
        if bias:
            parts.append(G @ omega + lb * b)
        g = np.concatenate(parts)
        gnorm = float(np.linalg.norm(g))
        history.append(gnorm)
        if gnorm < 1e-6 or iterations == max_iter - 1:
            Xc = A @ B.T if factors else np.zeros((K, K))
            nuclear = nuclear_norm(Xc) if factors else 0.0
            # Z, values and G are those of problem.logits(Xc, b), bit for bit
            gap, fresh = reduced_gap(problem, Xc, b, nuclear, (values, G)), True
            if gap <= target or gnorm == 0.0:
                break
            # three steps without halving the gradient: its rounding floor (Newton converges
            # quadratically above it); the gap there is as small as float64 makes it
            if len(history) >= 4 and gnorm > 0.5 * min(history[-4:-1]):
                stalled = True
                break
        # Hessian: Gauss-Newton part J^T diag(omega_k l''_k) J, the A-B coupling by G, the shifts
        M = loss.hessian(Z, Y) * omega[:, None, None]  # (k, i, j)
        if factors:
            Jf[at_A] = B.ravel()[B_index] * inv_root
            Jf[at_B] = A.ravel()[A_index] * inv_root
        if factors:
            Hm = J.T @ np.matmul(M, J.reshape(K, K, nv)).reshape(K * K, nv)
        else:  # b alone: dz_k / db = I for every class
            Hm = M.sum(axis=0)
        Hf = Hm.reshape(-1)  # a view
        if factors:
            coupling = Gt.ravel()[coupling_index]
            Hf[at_AB] += coupling
            Hf[at_BA] += coupling
        Hf[:: nv + 1] += shift  # the diagonal, as a strided view
        damping = min(gnorm, 1.0)
        step = None
        for _ in range(8):
            Hd = Hm.copy()
            Hd.reshape(-1)[:: nv + 1] += damping
            step, info = lapack.dposv(Hd, -g)[1:]  # Cholesky; info > 0: not positive definite
            if info == 0:
                break
            step, damping = None, max(10 * damping, 1e-8)
        if step is None:
            break
        dA, dB, db = unpack(step)
        slope = float(g @ step)
        t, accepted = 1.0, False
        while t >= 1e-10:
            A_t = A + t * dA if factors else A
            B_t = B + t * dB if factors else B
            b_t = b + t * db if bias else b
            phi_t, Z_t, values_t, G_t = objective(A_t, B_t, b_t)
            # Armijo, or no change measurable in float64 (the gap check above then decides)
            if phi_t <= phi + 1e-4 * t * slope or abs(phi_t - phi) <= 4 * _EPS * abs(phi):
                accepted = True
                break
            t *= 0.5
        if not accepted:
            break
        A, B, b, phi, Z, values, G = A_t, B_t, b_t, phi_t, Z_t, values_t, G_t
        iterations, fresh = iterations + 1, False
    Xc = A @ B.T if factors else np.zeros((K, K))
    if not fresh:  # the gap of the point returned (Z, values, G are its, as above)
        nuclear = nuclear_norm(Xc) if factors else 0.0
        gap = reduced_gap(problem, Xc, b, nuclear, (values, G))
    return (
        Xc,
        b,
        nuclear,
        {
            "newton_iterations": iterations,
            "newton_gap": gap,
            "newton_stalled": stalled,
            "gradient_history": history[-6:],
        },
    )


def solve_reduced(
    instance: Instance,
    tol: Tolerances,
    *,
    progress: Callable[[str], None] | None = None,
    max_iter: int = 200_000,
    check_every: int = 10,
    warm_iter: int = 5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    """Global minimiser (W, H, b) of the UFM with the instance's (non-MSE) loss."""
    problem = _Reduced(instance)
    target = tol.gap / 100
    K = instance.K
    if not problem.loss.has_hessian:
        X, b, _, details = _fista(problem, target, max_iter, check_every, progress)
    else:
        X, b, _, details = _fista(problem, target, warm_iter, check_every, progress)
        rounds, done = 0, details["reduced_gap"] <= target
        while not done and rounds < 4 and details["iterations"] < max_iter:
            rounds += 1
            factors = K <= NEWTON_MAX_K
            if factors or not np.any(X):
                Xn, bn, _, info = _newton(problem, X, b, target, factors=factors)
                details["newton_iterations"] = (
                    details.get("newton_iterations", 0) + info["newton_iterations"]
                )
                if info["newton_gap"] <= details["reduced_gap"]:
                    X, b, details["reduced_gap"] = Xn, bn, info["newton_gap"]
                done = details["reduced_gap"] <= target
                # a Newton round that ends above target but 10 times inside the certificate's
                # tolerance stopped at its rounding floor (tiny objectives: the gap's own
                # rounding is above target) or near it: first-order steps would not do better
                if not done and details["reduced_gap"] <= tol.gap / 10:
                    done, details["stalled"] = True, info["newton_stalled"]
            if not done:  # first-order steps from the best point so far, then Newton again
                more = (
                    max_iter - details["iterations"]
                    if rounds == 4 or not factors
                    else warm_iter * 4
                )
                X, b, _, again = _fista(
                    problem, target, more, check_every, progress, (X, b), tol.gap / 2
                )
                details["iterations"] += again["iterations"]
                details["reduced_gap"] = again["reduced_gap"]
                details["gap_history"] = again["gap_history"]
                done = details["reduced_gap"] <= target
        details["newton_rounds"] = rounds
    return finish(instance, X, b, details, progress)


def finish(
    instance: Instance,
    X: np.ndarray,
    b: np.ndarray,
    details: dict[str, Any],
    progress: Callable[[str], None] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    """(W, H, b) on the full data from a solution (X, b) of the reduced problem (the module
    docstring's balanced factors); ``details`` gains the rank and the singular values."""
    bias = not math.isinf(instance.lambda_b)
    if bias and instance.lambda_b > 0 and instance.loss.shift_invariant:
        # the loss does not see b + t1 (every column's logits shift alike), so 1^T b = 0 at every
        # minimiser and removing the mean lowers lambda_b/2 ||b||^2 at no cost: it takes away the
        # rounding the Newton solves leave along 1, which their conditioning 1/lambda_b amplifies
        b = b - b.mean()
    K, d, N = instance.K, instance.d, instance.N
    n = np.asarray(instance.counts, dtype=np.float64)
    Xt = X * math.sqrt(N)  # Zbar D^{1/2}
    U, sigma, Vt = svd(Xt)
    snap = 32 * _EPS * max(float(sigma.max(initial=0.0)), 1.0)
    act = sigma > snap
    Ua, sa, Va = U[:, act], sigma[act], Vt[act]
    s = (instance.lambda_H / instance.lambda_W) ** 0.25
    root = np.sqrt(sa)
    W = np.zeros((K, d))
    W[:, :K] = s * (Ua * root) @ Ua.T
    Hbar = np.zeros((d, K))
    Hbar[:K] = ((Ua * (root / s)) @ Va) / np.sqrt(n)
    H = np.repeat(Hbar, instance.counts, axis=1)
    details.update(
        rank=int(act.sum()),
        singular_values=sigma.tolist(),
        class_structured=True,
    )
    details.setdefault(
        "method",
        "FISTA then Newton on the reduced K x K problem"
        if details.get("newton_iterations")
        else "FISTA on the reduced K x K problem",
    )
    if progress is not None:
        progress(f"exact ({instance.loss.name}): {details['iterations']} iterations")
    return W, H, (b if bias else np.zeros(K)), details
