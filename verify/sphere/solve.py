r"""Local search on the product of spheres, with its evidence: many starts, a second-order check.

The method is our own Riemannian gradient descent, batched over the random starts (one numpy
call evaluates every start), with Barzilai-Borwein steps and an Armijo backtracking safeguard;
the retraction normalises each row, the Riemannian gradient projects each row's Euclidean
gradient on its tangent space, :math:`\operatorname{grad} f(x) = (I - xx^\top)\nabla f(x)`.
Why not pymanopt: these problems are small and many (a hunt solves thousands of them), and
pymanopt's solvers run one start at a time through an autodiff backend, so its per-iteration
overhead alone would exceed our target of 50 instances (x 10 starts) per second; the gradients
here are analytic and tested against finite differences, and the batched iteration is ~60 lines.

At the best point the Riemannian Hessian
:math:`\operatorname{Hess} f(x)[v] = (I - xx^\top)\,\nabla^2 f(x) v - (x^\top \nabla f(x))\, v`
(row by row) is assembled in an orthonormal tangent basis from central differences of the
Euclidean gradient, and its spectrum recorded: a local minimum has it positive semidefinite (the
rotations of R^d give zero eigenvalues). Local search never proves a global minimum; a claim
resting on it alone is ``supported``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..tolerances import DEFAULT, Tolerances
from .losses import value_and_grad
from .model import SphereProblem
from .reduction import reduced_weights

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
    """f(X) on stacked rows X = [W; H] (or H alone), batched over a leading axis."""

    def __init__(self, problem: SphereProblem, reduced: bool) -> None:
        self.problem = problem
        self.K = problem.K if problem.has_prototypes else 0
        if reduced:
            self.labels, self.m = reduced_weights(problem)
        else:
            self.labels, self.m = problem.labels, np.ones(problem.N)

    def __call__(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        K = self.K
        W = X[..., :K, :] if K else None
        v, gW, gH = value_and_grad(self.problem.loss, W, X[..., K:, :], self.labels, self.m,
                                   self.problem.tau)  # fmt: skip
        G = gH if gW is None else np.concatenate([gW, gH], axis=-2)
        return v, G

    def rows(self) -> int:
        return self.K + len(self.labels)


def _descend(
    f: _Objective, X: np.ndarray, tol: float, max_iter: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Batched Riemannian gradient descent with BB steps and Armijo backtracking."""
    v, G = f(X)
    R = riemannian_gradient(X, G)
    step = np.full(X.shape[0], 1.0)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        norms = np.sqrt(np.sum(R * R, axis=(-2, -1)))
        active = norms > tol
        if not active.any():
            break
        sq = norms**2
        t = step.copy()
        todo = active.copy()
        Xn, vn, Gn = X.copy(), v.copy(), G.copy()
        for _ in range(BACKTRACKS):
            trial = _normalise(X - t[:, None, None] * R)
            vt, Gt = f(trial)
            ok = todo & (vt <= v - ARMIJO * t * sq) & (vt < v)
            Xn[ok], vn[ok], Gn[ok] = trial[ok], vt[ok], Gt[ok]
            todo &= ~ok
            if not todo.any():
                break
            t = np.where(todo, t * 0.5, t)
        # a start whose line search finds no decrease keeps its point: the value's rounding
        # floor is reached (its gradient norm, recorded, says how stationary it is)
        stuck = todo | ~active
        Rn = riemannian_gradient(Xn, Gn)
        s, y = Xn - X, Rn - R
        sy = np.abs(np.sum(s * y, axis=(-2, -1)))
        ss = np.sum(s * s, axis=(-2, -1))
        bb = np.where(sy > 0, ss / np.where(sy > 0, sy, 1.0), 1.0)
        step = np.where(active & ~stuck, np.clip(bb, 1e-8, 1e4), step)
        X, v, G, R = Xn, vn, Gn, Rn
        if stuck.all():
            break
    return X, v, R, it


def _tangent_basis(x: np.ndarray) -> np.ndarray:
    """An orthonormal basis (d - 1, d) of the tangent space at the unit vector x."""
    d = x.shape[0]
    Q, _ = np.linalg.qr(np.column_stack([x, np.eye(d)]))
    return Q[:, 1:d].T


def hessian_spectrum(f: _Objective, X: np.ndarray) -> np.ndarray:
    """Eigenvalues of the Riemannian Hessian at X (rows unit) in an orthonormal tangent basis;
    the smallest few only (Lanczos) beyond ``HESSIAN_DENSE`` tangent dimensions."""
    rows, d = X.shape
    bases = [_tangent_basis(x) for x in X]
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

    if dim <= HESSIAN_DENSE:
        Hm = np.column_stack([hv(e) for e in np.eye(dim)])
        return np.linalg.eigvalsh((Hm + Hm.T) / 2)
    from scipy.sparse.linalg import LinearOperator, eigsh

    op = LinearOperator((dim, dim), matvec=hv, dtype=float)
    small = eigsh(op, k=3, which="SA", return_eigenvectors=False, tol=1e-8)
    large = eigsh(op, k=1, which="LA", return_eigenvectors=False, tol=1e-6)
    return np.sort(np.concatenate([small, large]))


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


def local_search_many(
    problems: list[SphereProblem],
    starts: int | None = None,
    seed: int = 0,
    tol: Tolerances = DEFAULT,
    max_iter: int = MAX_ITER,
) -> list[LocalSearch]:
    """:func:`local_search` on the class-structured reduction of several problems at once, one
    batch for all their starts: they must share the loss, K, d and tau (an imbalance hunt's
    ratios), and differ only in the counts, which enter as per-start multiplicities. No
    Hessian (a hunt's instances are many); each problem's best start is returned."""
    starts = tol.sphere_starts if starts is None else starts
    first = problems[0]
    for p in problems:
        if (p.loss, p.K, p.d, p.tau) != (first.loss, first.K, first.d, first.tau):
            raise ValueError("local_search_many needs one loss, K, d and tau")
    f = _Objective(first, reduced=True)
    f.m = np.repeat(np.array([p.counts for p in problems], dtype=float), starts, axis=0)
    rng = np.random.default_rng(seed)
    X0 = _normalise(rng.normal(size=(len(problems) * starts, f.rows(), first.d)))
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
