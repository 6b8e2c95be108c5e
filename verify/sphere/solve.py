r"""Local search on the product of spheres, with its evidence: many starts, a second-order check.

The method is our own Riemannian gradient descent, batched over the random starts (one numpy
call evaluates every start), with Barzilai-Borwein steps and an Armijo backtracking safeguard;
the retraction normalises each row, the Riemannian gradient projects each row's Euclidean
gradient on its tangent space, :math:`\operatorname{grad} f(x) = (I - xx^\top)\nabla f(x)`.
Why not pymanopt: these problems are small and many (a hunt solves thousands of them), and
pymanopt's solvers run one start at a time through an autodiff backend, so its per-iteration
overhead alone would exceed our target of 50 instances (x 10 starts) per second; the gradients
here are analytic and tested against finite differences, and the batched iteration is ~60 lines.

A hunt's search (:func:`local_search_many`) follows a few descent steps with a batched
Riemannian Newton phase whose Hessians are in closed form (:mod:`verify.sphere.hessian`, tested
against finite differences), one per start and iteration.

At the best point the Riemannian Hessian
:math:`\operatorname{Hess} f(x)[v] = (I - xx^\top)\,\nabla^2 f(x) v - (x^\top \nabla f(x))\, v`
(row by row) is assembled in an orthonormal tangent basis from central differences of the
Euclidean gradient, and its spectrum recorded: a local minimum has it positive semidefinite (the
rotations of R^d give zero eigenvalues). That check uses the gradient alone, not the closed-form
Hessian that steered the search. Local search never proves a global minimum; a claim resting on
it alone is ``supported``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.linalg import lapack

from ..solve.threads import one_blas_thread
from ..tolerances import DEFAULT, Tolerances
from .hessian import tangent_hessian
from .losses import value_and_grad
from .model import SphereProblem
from .reduction import reduced_weights

_cholesky_lo: Callable[..., np.ndarray] | None
try:  # the batched Cholesky gufunc behind numpy.linalg.cholesky (NaN where it fails)
    from numpy.linalg._umath_linalg import cholesky_lo as _gufunc

    _cholesky_lo = _gufunc
except ImportError:  # pragma: no cover - another numpy layout: one start at a time
    _cholesky_lo = None

__all__ = [
    "LocalSearch",
    "hessian_spectrum",
    "local_search",
    "local_search_many",
    "riemannian_gradient",
]

ARMIJO = 1e-4  # sufficient-decrease constant
MAX_ITER = 3000
BACKTRACKS = 12  # halvings of the BB step before a start counts as stuck at its rounding floor
HESSIAN_DENSE = 800  # tangent dimensions up to which the Hessian is built densely
HESSIAN_BATCH = 4e6  # array entries per batch of perturbed points in the dense Hessian
NEWTON_ITER = 40  # iterations of the Newton phase of a hunt's search
NEWTON_WARMUP = 10  # gradient-descent iterations before it
NEWTON_RADIUS = 0.5  # the largest Newton step (Frobenius norm over all rows)
NEWTON_FLOOR = 1e-6  # the damping of the Newton step, relative to the largest |entry|
NEWTON_SHIFTS = 40  # 4-fold growths of the shift: 4^40 NEWTON_FLOOR exceeds any finite spectrum
ROUNDING = 1e-14  # a value change below this (relative) is rounding, not an increase
FD_STEP = 1e-5  # step of the central differences of the gradient (relative to unit rows)


def _normalise(X: np.ndarray) -> np.ndarray:
    return X / np.linalg.norm(X, axis=-1, keepdims=True)


def riemannian_gradient(X: np.ndarray, G: np.ndarray) -> np.ndarray:
    """Row by row, the Euclidean gradient G projected on the tangent space at the unit row X."""
    return G - np.sum(G * X, axis=-1, keepdims=True) * X


@dataclass(frozen=True)
class LocalSearch:
    """The result of a multi-start local search."""

    problem: SphereProblem
    W: np.ndarray | None  # (K, d) or None (SupCon)
    H: np.ndarray  # (rows, d): N features, or K class features when ``reduced``
    value: float
    gradient_norm: float
    values: tuple[float, ...]  # the final value of every start
    iterations: int
    reduced: bool
    hessian_min: float | None = None  # smallest Riemannian Hessian eigenvalue
    hessian_max: float | None = None
    hessian_zero: int | None = None  # eigenvalues within tolerance of 0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def second_order(self) -> bool | None:
        """Whether the Hessian is positive semidefinite at the best point (None: not checked)."""
        if self.hessian_min is None or self.hessian_max is None:
            return None
        return self.hessian_min >= -DEFAULT.sphere_hessian * max(1.0, abs(self.hessian_max))

    def as_dict(self) -> dict[str, Any]:
        return {
            "problem": self.problem.to_dict(),
            "reduced": self.reduced,
            "value": self.value,
            "gradient_norm": self.gradient_norm,
            "values": list(self.values),
            "iterations": self.iterations,
            "hessian_min": self.hessian_min,
            "hessian_max": self.hessian_max,
            "hessian_zero": self.hessian_zero,
            "second_order": self.second_order,
            "W": None if self.W is None else self.W.tolist(),
            "H": self.H.tolist(),
        }


class _Objective:
    """f(X) on stacked rows X = [W; H] (or H alone), batched over a leading axis.

    ``m`` is one set of multiplicities (M,) or one per start (starts, M); ``sel`` picks the
    starts a batch holds (a subset, or each start repeated) when they are per start."""

    def __init__(self, problem: SphereProblem, reduced: bool) -> None:
        self.problem = problem
        self.K = problem.K if problem.has_prototypes else 0
        if reduced:
            self.labels, self.m = reduced_weights(problem)
        else:
            self.labels, self.m = problem.labels, np.ones(problem.N)

    def __call__(
        self, X: np.ndarray, sel: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        K = self.K
        W = X[..., :K, :] if K else None
        m = self.m[sel] if sel is not None and self.m.ndim == 2 else self.m
        v, gW, gH = value_and_grad(self.problem.loss, W, X[..., K:, :], self.labels, m,
                                   self.problem.tau)  # fmt: skip
        G = gH if gW is None else np.concatenate([gW, gH], axis=-2)
        return v, G

    def hessian(self, X: np.ndarray, sel: np.ndarray | None, B: np.ndarray) -> np.ndarray:
        """The Riemannian Hessians at the points X (a, rows, d) in the tangent bases B, closed
        form (:func:`verify.sphere.hessian.tangent_hessian`), (a, D, D)."""
        K = self.K
        W = X[..., :K, :] if K else None
        m = self.m[sel] if sel is not None and self.m.ndim == 2 else self.m
        return tangent_hessian(self.problem.loss, W, X[..., K:, :], self.labels, m,
                               self.problem.tau, B)  # fmt: skip

    def rows(self) -> int:
        return self.K + len(self.labels)


def _descend(
    f: _Objective, X: np.ndarray, tol: float, max_iter: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Batched Riemannian gradient descent with BB steps and Armijo backtracking.

    A start leaves the batch when its gradient norm is at most ``tol`` or when its line search
    finds no decrease (its value's rounding floor: the point is kept, its gradient norm says
    how stationary it is); only the starts still searching are evaluated."""
    v, G = f(X)
    R = riemannian_gradient(X, G)
    step = np.full(X.shape[0], 1.0)
    done = np.zeros(X.shape[0], dtype=bool)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        norms = np.sqrt(np.sum(R * R, axis=(-2, -1)))
        done |= norms <= tol
        idx = np.flatnonzero(~done)
        if not idx.size:
            break
        Xa, va, Ra, t = X[idx], v[idx], R[idx], step[idx].copy()
        sq = norms[idx] ** 2
        todo = np.ones(idx.size, dtype=bool)
        Xn, vn, Gn = Xa.copy(), va.copy(), G[idx].copy()
        for _ in range(BACKTRACKS):
            sub = np.flatnonzero(todo)
            trial = _normalise(Xa[sub] - t[sub, None, None] * Ra[sub])
            vt, Gt = f(trial, idx[sub])
            ok = (vt <= va[sub] - ARMIJO * t[sub] * sq[sub]) & (vt < va[sub])
            hit = sub[ok]
            Xn[hit], vn[hit], Gn[hit] = trial[ok], vt[ok], Gt[ok]
            todo[hit] = False
            if not todo.any():
                break
            t = np.where(todo, t * 0.5, t)
        Rn = riemannian_gradient(Xn, Gn)
        s, y = Xn - Xa, Rn - Ra
        sy = np.abs(np.sum(s * y, axis=(-2, -1)))
        ss = np.sum(s * s, axis=(-2, -1))
        bb = np.where(sy > 0, ss / np.where(sy > 0, sy, 1.0), 1.0)
        step[idx] = np.where(todo, step[idx], np.clip(bb, 1e-8, 1e4))
        X[idx], v[idx], G[idx], R[idx] = Xn, vn, Gn, Rn
        done[idx[todo]] = True  # no decrease from its step and every halving: its floor
    return X, v, R, it


def _tangent_bases(X: np.ndarray) -> np.ndarray:
    """Orthonormal bases (..., d - 1, d) of the tangent spaces at the unit rows X (..., d): rows
    2..d of the Householder reflection that maps e_1 to x (vectorised, no QR per row)."""
    d = X.shape[-1]
    u = X.copy()
    sign = np.where(X[..., 0] >= 0, 1.0, -1.0)
    u[..., 0] += sign  # u = x + sign(x_1) e_1, never 0 for a unit x
    Hh = np.eye(d) - 2 * u[..., :, None] * u[..., None, :] / np.sum(u * u, axis=-1)[..., None, None]
    return Hh[..., 1:, :]  # rows orthonormal and orthogonal to Hh[..., 0, :] = -sign x


def _batched_cholesky(A: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Lower Cholesky factors of a batch (a, D, D), NaN where a matrix is not positive definite
    (numpy's gufunc with the error callback off; :func:`numpy.linalg.cholesky` raises for the
    whole batch instead, so without the gufunc one start at a time), into ``out`` if given."""
    out = np.empty_like(A) if out is None else out
    if _cholesky_lo is not None:
        with np.errstate(invalid="ignore", over="ignore", divide="ignore", under="ignore"):
            return _cholesky_lo(A, out=out)
    for i in range(len(A)):
        chol, info = lapack.dpotrf(A[i], lower=1, clean=1)
        out[i] = chol if info == 0 else np.nan
    return out


def _newton_direction(
    Hs: np.ndarray, g: np.ndarray, hint: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """-(H + sigma I)^{-1} g per start, and the exponent k of its shift: sigma = ``NEWTON_FLOOR``
    times the largest |entry| times 4^k, the smallest such shift found that makes H + sigma I
    positive definite (its Cholesky factorisation succeeds): the Newton step near a minimum (the
    small shift damps the zero modes of the rotations), a Levenberg-Marquardt step, always a
    descent direction, where the Hessian is indefinite. Every start first tries k = 0; one that
    fails goes on from ``hint`` - 1 (its exponent at the previous iteration, if any: the search
    for a shift starts a quarter below the last one instead of at the floor) and grows 4-fold.
    Every start's factorisation is one batched call per shift."""
    a, D, _ = Hs.shape
    scale = np.maximum(1.0, np.max(np.abs(Hs), axis=(1, 2)))
    k = np.zeros(a)
    floor = NEWTON_FLOOR * scale
    diagonal = np.arange(D)
    # one work array for the shifted matrices and one for the factors, reused at every shift
    # (the batch's arrays are large enough that fresh ones cost their memory's page faults)
    trial = Hs.copy()
    trial[:, diagonal, diagonal] += floor[:, None]
    factors = np.empty_like(Hs)
    todo, grown = np.arange(a), False
    for _ in range(NEWTON_SHIFTS):  # positive definite once sigma exceeds -lambda_min
        chol = _batched_cholesky(trial[: todo.size], factors[: todo.size])
        failed = np.isnan(chol[:, 0, 0]) | np.isnan(chol[:, -1, -1])
        todo = todo[failed]
        if not todo.size:
            break
        if not grown and hint is not None:  # k = 0 failed: resume a quarter below the last shift
            k[todo] = np.maximum(hint[todo] - 1, 1)
        else:
            k[todo] += 1
        grown = True
        np.take(Hs, todo, axis=0, out=trial[: todo.size])
        trial[: todo.size, diagonal, diagonal] += (floor[todo] * 4.0 ** k[todo])[:, None]
    shifted = trial
    if grown:  # some shifts grew: the matrices that factorised
        shifted[...] = Hs
        shifted[:, diagonal, diagonal] += (floor * 4.0**k)[:, None]
    shifted[todo] = (floor[todo] * 4.0 ** k[todo])[:, None, None] * np.eye(D)  # none sufficed
    return -np.linalg.solve(shifted, g[..., None])[..., 0], k


def _newton(
    f: _Objective, X: np.ndarray, tol: float, max_iter: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Batched Riemannian Newton: at every iteration each start's Riemannian Hessian in its
    tangent bases, in closed form (:meth:`_Objective.hessian`), and the step
    -(H + sigma I)^{-1} g of :func:`_newton_direction`, capped at ``NEWTON_RADIUS``, retracted by
    normalising rows, with Armijo backtracking; where the values no longer resolve the decrease
    (rounding), a step is accepted when it lowers the gradient norm without raising the value
    beyond rounding. Near a non-degenerate minimum it converges quadratically, so a few
    iterations reach ``tol`` where gradient descent crawls. A start whose step finds no
    acceptable point at any halving ends there (as stationary as the arithmetic allows); the
    Hessian only preconditions the step, the acceptance tests are on the loss and its gradient."""
    v, G = f(X)
    R = riemannian_gradient(X, G)
    n, rows, d = X.shape
    done = np.zeros(n, dtype=bool)
    shift = np.zeros(n)  # each start's shift exponent at its last iteration
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        norms = np.sqrt(np.sum(R * R, axis=(-2, -1)))
        done |= norms <= tol
        idx = np.flatnonzero(~done)
        if not idx.size:
            break
        Xa, va, Ra = X[idx], v[idx], R[idx]
        B = _tangent_bases(Xa)  # (a, rows, d - 1, d)
        g = (B @ Ra[..., None]).reshape(idx.size, -1)  # the gradient in the tangent bases
        c, shift[idx] = _newton_direction(f.hessian(Xa, idx, B), g, shift[idx])
        c = c.reshape(idx.size, rows, d - 1)
        step = (c[..., None, :] @ B)[..., 0, :]
        size = np.sqrt(np.sum(step * step, axis=(-2, -1)))
        step *= np.minimum(1.0, NEWTON_RADIUS / np.maximum(size, 1e-300))[:, None, None]
        slope = np.sum(step * Ra, axis=(-2, -1))  # < 0: a descent direction
        t = np.ones(idx.size)
        todo = np.ones(idx.size, dtype=bool)
        Xn, vn, Gn = Xa.copy(), va.copy(), G[idx].copy()
        for _ in range(BACKTRACKS):
            sub = np.flatnonzero(todo)
            trial = _normalise(Xa[sub] + t[sub, None, None] * step[sub])
            vt, Gt = f(trial, idx[sub])
            Rt = riemannian_gradient(trial, Gt)
            armijo = vt <= va[sub] + ARMIJO * t[sub] * slope[sub]
            rounding = ROUNDING * np.maximum(1.0, np.abs(va[sub]))
            polish = (vt <= va[sub] + rounding) & (
                np.sqrt(np.sum(Rt * Rt, axis=(-2, -1))) < norms[idx[sub]]
            )
            ok = armijo | polish
            hit = sub[ok]
            Xn[hit], vn[hit], Gn[hit] = trial[ok], vt[ok], Gt[ok]
            todo[hit] = False
            if not todo.any():
                break
            t = np.where(todo, t * 0.5, t)
        X[idx], v[idx], G[idx] = Xn, vn, Gn
        R[idx] = riemannian_gradient(Xn, Gn)
        done[idx[todo]] = True  # no acceptable step at any halving: its floor
    return X, v, R, it


def hessian_spectrum(f: _Objective, X: np.ndarray) -> np.ndarray:
    """Eigenvalues of the Riemannian Hessian at X (rows unit) in an orthonormal tangent basis;
    the smallest few only (Lanczos) beyond ``HESSIAN_DENSE`` tangent dimensions."""
    rows, d = X.shape
    bases = _tangent_bases(X)  # (rows, d - 1, d)
    dim = rows * (d - 1)
    _, G = f(X)
    radial = np.sum(G * X, axis=1)  # x^T grad f(x), per row

    def hv(c: np.ndarray) -> np.ndarray:
        V = np.stack([c[r * (d - 1) : (r + 1) * (d - 1)] @ bases[r] for r in range(rows)])
        _, Gp = f(X + FD_STEP * V)
        _, Gm = f(X - FD_STEP * V)
        D = (Gp - Gm) / (2 * FD_STEP)
        out = riemannian_gradient(X, D) - radial[:, None] * V
        return np.concatenate([bases[r] @ out[r] for r in range(rows)])

    if dim <= HESSIAN_DENSE:  # every column at once: the perturbed points in batches
        B = bases
        V = np.zeros((dim, rows, d))
        for r in range(rows):
            V[r * (d - 1) : (r + 1) * (d - 1), r, :] = B[r]
        chunk = max(1, int(HESSIAN_BATCH // (2 * rows * max(rows, d, f.K))))
        cols = []
        for lo in range(0, dim, chunk):
            Vc = V[lo : lo + chunk]
            _, Gpm = f(np.concatenate([X + FD_STEP * Vc, X - FD_STEP * Vc]))
            Gp, Gm = Gpm[: len(Vc)], Gpm[len(Vc) :]
            out = riemannian_gradient(X, (Gp - Gm) / (2 * FD_STEP)) - radial[:, None] * Vc
            # coordinates in the bases, row by row: (rows, d - 1, d) @ (rows, d, c)
            coords = B @ np.transpose(out, (1, 2, 0))  # (rows, d - 1, c)
            cols.append(np.transpose(coords, (2, 0, 1)).reshape(len(Vc), dim))
        Hm = np.concatenate(cols).T  # column i: the Hessian applied to basis vector i
        return np.linalg.eigvalsh((Hm + Hm.T) / 2)
    from scipy.sparse.linalg import LinearOperator, eigsh

    op = LinearOperator((dim, dim), matvec=hv, dtype=float)
    small = eigsh(op, k=3, which="SA", return_eigenvectors=False, tol=1e-8)
    large = eigsh(op, k=1, which="LA", return_eigenvectors=False, tol=1e-6)
    return np.sort(np.concatenate([small, large]))


@one_blas_thread()  # small arrays: threads only wait for each other (verify.solve.threads)
def local_search(
    problem: SphereProblem,
    starts: int | None = None,
    seed: int = 0,
    reduced: bool = False,
    tol: Tolerances = DEFAULT,
    hessian: bool = True,
    init: np.ndarray | None = None,
    max_iter: int = MAX_ITER,
) -> LocalSearch:
    """Minimise the problem's loss from ``starts`` random points (uniform on the spheres).

    With ``reduced`` the search runs on the class-structured reduction (K class features of
    multiplicity n_k), whose points lift exactly (:mod:`verify.sphere.reduction`); otherwise on
    all N features. ``init`` (rows, d) adds one start of the caller's choosing.
    """
    starts = tol.sphere_starts if starts is None else starts
    f = _Objective(problem, reduced)
    rng = np.random.default_rng(seed)
    X0 = _normalise(rng.normal(size=(starts, f.rows(), problem.d)))
    if init is not None:
        X0 = np.concatenate([_normalise(np.asarray(init, dtype=float))[None], X0])
    X, v, R, iterations = _descend(f, X0, tol.sphere_gradient, max_iter)
    best = int(np.argmin(v))
    Xb = X[best]
    eig = hessian_spectrum(f, Xb) if hessian else None
    K = f.K
    scale = max(1.0, float(np.max(np.abs(eig)))) if eig is not None else 1.0
    return LocalSearch(
        problem,
        Xb[:K] if K else None,
        Xb[K:],
        float(v[best]),
        float(np.sqrt(np.sum(R[best] ** 2))),
        tuple(float(x) for x in v),
        iterations,
        reduced,
        None if eig is None else float(eig[0]),
        None if eig is None else float(eig[-1]),
        None if eig is None else int(np.sum(np.abs(eig) <= 1e-6 * scale)),
    )


@one_blas_thread()
def local_search_many(
    problems: list[SphereProblem],
    starts: int | None = None,
    seed: int = 0,
    tol: Tolerances = DEFAULT,
    max_iter: int = MAX_ITER,
    newton: bool = True,
) -> list[LocalSearch]:
    """:func:`local_search` on the class-structured reduction of several problems at once, one
    batch for all their starts: they must share the loss, K, d and tau (an imbalance hunt's
    ratios), and differ only in the counts, which enter as per-start multiplicities. With
    ``newton`` (the default) ``NEWTON_WARMUP`` descent steps are followed by the batched
    shifted Newton method (:func:`_newton`), else descent alone. No Hessian spectrum (a
    hunt's instances are many); each problem's best start is returned."""
    starts = tol.sphere_starts if starts is None else starts
    first = problems[0]
    for p in problems:
        if (p.loss, p.K, p.d, p.tau) != (first.loss, first.K, first.d, first.tau):
            raise ValueError("local_search_many needs one loss, K, d and tau")
    f = _Objective(first, reduced=True)
    f.m = np.repeat(np.array([p.counts for p in problems], dtype=float), starts, axis=0)
    rng = np.random.default_rng(seed)
    X0 = _normalise(rng.normal(size=(len(problems) * starts, f.rows(), first.d)))
    if newton:  # a few descent steps, then second order to the tolerance
        X, v, R, warm = _descend(f, X0, tol.sphere_gradient, min(NEWTON_WARMUP, max_iter))
        X, v, R, more = _newton(f, X, tol.sphere_gradient, NEWTON_ITER)
        iterations = warm + more
    else:
        X, v, R, iterations = _descend(f, X0, tol.sphere_gradient, max_iter)
    out = []
    K = f.K
    for i, p in enumerate(problems):
        block = slice(i * starts, (i + 1) * starts)
        best = i * starts + int(np.argmin(v[block]))
        Xb = X[best]
        out.append(
            LocalSearch(
                p,
                Xb[:K] if K else None,
                Xb[K:],
                float(v[best]),
                float(np.sqrt(np.sum(R[best] ** 2))),
                tuple(float(x) for x in v[block]),
                iterations,
                True,
            )
        )
    return out
