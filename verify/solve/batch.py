r"""Many small non-MSE instances solved at once: the ``exact`` engine's method, vectorised.

A hunt solves thousands of instances with K <= 5, and for each the reduced problem of
:mod:`verify.solve.reduced` has at most 2K^2 + K = 55 unknowns: the engine's time goes to
Python's dispatch of a few hundred numpy calls on tiny arrays, not to arithmetic. Here the
instances of one (K, loss, bias or not) are stacked and the same steps run on the stack: the
same FISTA warm start (stacked SVDs for the singular value thresholding), then the same damped
Newton on the factors :math:`X = AB^\top` (stacked Jacobians, Hessians from the loss's
column-wise :meth:`~verify.losses.Loss.hessian`, stacked Cholesky tests and solves, a backtracking
line search per instance), each instance leaving the stack when it has converged.

What changes is the stopping rule: the sequential engine asks its reduced duality gap (a dual
bound, a few hundred microseconds) after each step once the gradient is small, which stacked
would cost more than the steps. Here an instance stops when its gradient norm is at most
``GRADIENT``, or is below 1e-6 and stalls (three steps without halving it: its rounding floor),
or a step fails, and the gap is asked once, afterwards, of the full certificate. (The Newton
decrement would not do: the gap's dual part grows with the gradient, not with its square.) Nothing here is trusted: every answer is certified by
:func:`verify.solve.certify` on the full data from (W, H, b) alone, and one whose relative gap is
above the sequential engine's own target (``tol.gap / 100``, so the same margin below the
certificate's tolerance) is not returned: the caller solves that instance the ordinary way.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.linalg import lapack

from ..instance import Instance
from ..losses import MSE, Loss
from ..tolerances import DEFAULT, Tolerances
from .certificate import certify
from .reduced import _pattern, finish

__all__ = ["BATCH_MAX_K", "GRADIENT", "batchable", "solve_many"]

#: stacked only up to this K: above it an instance's own arithmetic outweighs the dispatch saved
BATCH_MAX_K = 8
#: an instance stops when its gradient norm is at most this (or at its rounding floor)
GRADIENT = 1e-13

_EPS = np.finfo(np.float64).eps
_WARM = 5  # FISTA steps before Newton, as the sequential engine (solve_reduced's warm_iter)
_MAX_NEWTON = 40


def batchable(instance: Instance) -> bool:
    """Whether :func:`solve_many` solves ``instance`` (else it returns None for it)."""
    loss = instance.loss
    return not isinstance(loss, MSE) and loss.has_hessian and 2 <= instance.K <= BATCH_MAX_K


def solve_many(instances: Sequence[Instance], tol: Tolerances = DEFAULT) -> list[Any]:
    """Certified :class:`~verify.solve.Solution` objects (engine ``exact``) for ``instances``, in
    order; None where an instance is not :func:`batchable` or its stacked solve did not reach
    the engine's target gap (solve those with :func:`verify.solve.solve`)."""
    from . import Solution

    out: list[Any] = [None] * len(instances)
    groups: dict[tuple[int, int, bool], list[int]] = defaultdict(list)
    for i, inst in enumerate(instances):
        if batchable(inst):
            groups[(inst.K, id(inst.loss), math.isinf(inst.lambda_b))].append(i)
    for index in groups.values():
        start = time.perf_counter()
        stack = [instances[i] for i in index]
        try:  # an instance that overflows or fails is judged by its certificate below
            with np.errstate(all="ignore"):
                X, b, info = _solve_stack(stack)
        except (np.linalg.LinAlgError, ValueError):  # a stacked SVD that did not converge
            continue  # the whole group is left to the caller
        share = (time.perf_counter() - start) / len(index)
        for j, i in enumerate(index):
            begin = time.perf_counter()
            inst = instances[i]
            details: dict[str, Any] = {
                "method": "FISTA then Newton on the reduced K x K problem, "
                f"{len(index)} instances stacked",
                "iterations": _WARM,
                "newton_iterations": int(info["iterations"][j]),
                "newton_stalled": bool(info["stalled"][j]),
                "batch": len(index),
            }
            W, H, bias, details = finish(inst, X[j], b[j], details)
            certificate = certify(inst, W, H, bias, "exact", tol, details)
            # the engine's own acceptance (solve_reduced): its target, or 10 times inside the
            # certificate's tolerance where the Newton steps stalled at their rounding floor
            limit = tol.gap / (10 if details["newton_stalled"] else 100)
            if certificate.certified and certificate.relative_gap <= limit:
                seconds = share + time.perf_counter() - begin
                out[i] = Solution(inst, W, H, bias, certificate, seconds, details)
    return out


class _Stack:
    """The reduced problems of m instances of one K, loss and bias mode, as stacked arrays."""

    def __init__(self, instances: Sequence[Instance]) -> None:
        first = instances[0]
        self.m, self.K = len(instances), first.K
        self.loss: Loss = first.loss
        self.bias = not math.isinf(first.lambda_b)
        n = np.array([inst.counts for inst in instances], dtype=np.float64)
        N = n.sum(axis=1)
        self.omega = n / N[:, None]  # (m, K)
        self.root = np.sqrt(self.omega)
        self.w = np.array([inst.mu for inst in instances]) * np.sqrt(N)  # of ||X||_*
        self.lb = np.array([inst.lambda_b if self.bias else 0.0 for inst in instances])
        self.Y = np.stack([inst.encoding for inst in instances])  # (m, K, K)
        self.Y_columns = _columns(self.Y)

    def at(self, rows: np.ndarray) -> _Stack:
        """The sub-stack of ``rows``."""
        sub = object.__new__(_Stack)
        sub.__dict__.update(self.__dict__)
        sub.m = len(rows)
        for name in ("omega", "root", "w", "lb", "Y"):
            setattr(sub, name, getattr(self, name)[rows])
        sub.Y_columns = _columns(sub.Y)
        return sub

    def loss_at(self, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-class losses (m, K) and their gradients (m, K, K) at stacked logits (m, K, K):
        the loss sees the m K columns side by side."""
        m, K = Z.shape[0], self.K
        values, G = self.loss.value_and_gradient(_columns(Z), self.Y_columns)
        return values.reshape(m, K), G.reshape(K, m, K).transpose(1, 0, 2)

    def hessian_at(self, Z: np.ndarray) -> np.ndarray:
        """omega_k times the loss's Hessian at column k, (m, k, i, j)."""
        m, K = Z.shape[0], self.K
        H = self.loss.hessian(_columns(Z), self.Y_columns)
        return H.reshape(m, K, K, K) * self.omega[:, :, None, None]


def _columns(A: np.ndarray) -> np.ndarray:
    """Stacked (m, K, K) matrices as the K x mK matrix of their columns side by side."""
    m, K = A.shape[0], A.shape[1]
    return A.transpose(1, 0, 2).reshape(K, m * K)


def _fista(p: _Stack) -> tuple[np.ndarray, np.ndarray]:
    """``_WARM`` steps of :func:`verify.solve.reduced._fista` from 0, on the stack."""
    m, K = p.m, p.K
    step = 1.0 / (p.loss.smoothness * (2.0 if p.bias else 1.0))
    X, b = np.zeros((m, K, K)), np.zeros((m, K))
    Xm, bm, theta = X, b, np.ones(m)
    for _ in range(_WARM):
        _, G = p.loss_at(Xm / p.root[:, None, :] + bm[:, :, None])
        U, s, Vt = np.linalg.svd(Xm - step * G * p.root[:, None, :])
        s = np.maximum(s - step * p.w[:, None], 0.0)
        X_new = (U * s[:, None, :]) @ Vt
        if p.bias:
            gb = np.einsum("mik,mk->mi", G, p.omega)
            b_new = (bm - step * gb) / (1.0 + step * p.lb[:, None])
        else:
            b_new = bm
        along = np.einsum("mij,mij->m", Xm - X_new, X_new - X)
        along += np.einsum("mi,mi->m", bm - b_new, b_new - b)
        restart = along > 0
        theta_new = np.where(restart, 1.0, 0.5 * (1 + np.sqrt(1 + 4 * theta * theta)))
        beta = np.where(restart, 0.0, (theta - 1) / theta_new)
        Xm = X_new + beta[:, None, None] * (X_new - X)
        bm = b_new + beta[:, None] * (b_new - b)
        X, b, theta = X_new, b_new, theta_new
    return X, b


def _solve_stack(
    instances: Sequence[Instance],
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Stacked FISTA warm start and damped Newton (:func:`verify.solve.reduced._newton`, with
    the stopping rule of the module docstring): X (m, K, K), b (m, K) and per-instance counts."""
    p = _Stack(instances)
    m, K = p.m, p.K
    X, b = _fista(p)
    iterations, stalled = np.zeros(m, dtype=int), np.zeros(m, dtype=bool)
    U, sv, Vt = np.linalg.svd(X)
    A = U * np.sqrt(sv)[:, None, :]
    B = Vt.transpose(0, 2, 1) * np.sqrt(sv)[:, None, :]
    pat = _pattern(K, True, p.bias)
    nA, nv = pat.nA, pat.nv
    history = np.full((m, _MAX_NEWTON + 1), np.inf)
    best, best_A, best_B, best_b = np.full(m, np.inf), A.copy(), B.copy(), b.copy()
    live = np.arange(m)  # the instances still iterating
    for it in range(_MAX_NEWTON):
        if not live.size:
            break
        q = p.at(live)
        A_, B_, b_ = A[live], B[live], b[live]
        phi, Z, G = _objective(q, A_, B_, b_)
        Gt = G * q.root[:, None, :]
        parts = [
            (Gt @ B_ + q.w[:, None, None] * A_).reshape(len(live), -1),
            (Gt.transpose(0, 2, 1) @ A_ + q.w[:, None, None] * B_).reshape(len(live), -1),
        ]
        if p.bias:
            parts.append(np.einsum("mik,mk->mi", G, q.omega) + q.lb[:, None] * b_)
        g = np.concatenate(parts, axis=1)
        gnorm = np.linalg.norm(g, axis=1)
        history[live, it] = gnorm
        better = gnorm < best[live]
        rows = live[better]
        best[rows], best_A[rows], best_B[rows], best_b[rows] = (
            gnorm[better],
            A_[better],
            B_[better],
            b_[better],
        )
        # three steps without halving the gradient, or a step that made it larger: its rounding
        # floor (a step there moves along the nearly flat directions, the orbit and 1)
        floor = ~better
        if it >= 3:
            floor |= gnorm > 0.5 * history[live, it - 3 : it].min(axis=1)
        done = (gnorm <= GRADIENT) | ((gnorm < 1e-6) & floor)
        stalled[live[done & floor]] = True
        # the Hessian: Gauss-Newton part J^T diag(omega_k l''_k) J, the A-B coupling, the shifts
        J = np.zeros((len(live), K * K, nv))
        Jf = J.reshape(len(live), -1)
        if p.bias:
            Jf[:, pat.at_b] = 1.0
        inv_root = 1.0 / q.root[:, pat.kk]
        Jf[:, pat.at_A] = B_.reshape(len(live), -1)[:, pat.B_index] * inv_root
        Jf[:, pat.at_B] = A_.reshape(len(live), -1)[:, pat.A_index] * inv_root
        M = q.hessian_at(Z)
        MJ = np.matmul(M, J.reshape(len(live), K, K, nv)).reshape(len(live), K * K, nv)
        Hm = J.transpose(0, 2, 1) @ MJ
        Hf = Hm.reshape(len(live), -1)
        coupling = Gt.reshape(len(live), -1)[:, pat.coupling]
        Hf[:, pat.at_AB] += coupling
        Hf[:, pat.at_BA] += coupling
        shift = np.empty((len(live), nv))
        shift[:, : 2 * nA] = q.w[:, None]
        shift[:, 2 * nA :] = q.lb[:, None]
        Hf[:, :: nv + 1] += shift + np.minimum(gnorm, 1.0)[:, None]  # with the damping
        step = _steps(Hm, g, np.minimum(gnorm, 1.0))
        failed = np.isnan(step).any(axis=1)
        slope = np.einsum("mi,mi->m", g, np.nan_to_num(step))
        go = ~done & ~failed  # a failed instance leaves where it is
        t = _line_search(q, A_, B_, b_, phi, step, slope, go, nA)
        moved = go & (t > 0)
        rows = live[moved]
        dA = step[moved, :nA].reshape(-1, K, K)
        dB = step[moved, nA : 2 * nA].reshape(-1, K, K)
        tm = t[moved]
        A[rows] = A_[moved] + tm[:, None, None] * dA
        B[rows] = B_[moved] + tm[:, None, None] * dB
        if p.bias:
            b[rows] = b_[moved] + tm[:, None] * step[moved, 2 * nA :]
        iterations[rows] += 1
        leave = done | failed | (go & (t == 0))
        live = live[~leave]
    # each instance's measured point of least gradient (at the iteration limit: before the last step)
    X = best_A @ best_B.transpose(0, 2, 1)
    return X, best_b, {"iterations": iterations, "stalled": stalled}


def _objective(
    p: _Stack, A: np.ndarray, B: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """phi (m,), the logits (m, K, K) and the loss's gradients there, at (A, B, b)."""
    Z = A @ B.transpose(0, 2, 1)
    Z /= p.root[:, None, :]
    Z += b[:, :, None]
    values, G = p.loss_at(Z)
    phi = np.einsum("mk,mk->m", values, p.omega)
    phi += 0.5 * p.w * (np.einsum("mij,mij->m", A, A) + np.einsum("mij,mij->m", B, B))
    if p.bias:
        phi += 0.5 * p.lb * np.einsum("mi,mi->m", b, b)
    return phi, Z, G


def _steps(Hd: np.ndarray, g: np.ndarray, damping: np.ndarray) -> np.ndarray:
    """Solutions of Hd step = -g, Hd positive definite (a Cholesky factor exists); where it is
    not, the damping is raised tenfold up to 8 times, as the sequential engine does (NaN: no
    step)."""
    try:
        np.linalg.cholesky(Hd)  # positive definite, all of them (the usual case)
        return np.linalg.solve(Hd, -g[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        pass
    out = np.full(g.shape, np.nan)
    nv = g.shape[1]
    for i in range(len(g)):
        extra, Hi = 0.0, Hd[i]
        for _ in range(8):
            H = Hi.copy()
            H.reshape(-1)[:: nv + 1] += extra
            step, info = lapack.dposv(H, -g[i])[1:]
            if info == 0:
                out[i] = step
                break
            extra = max(10 * (damping[i] + extra), 1e-8) - damping[i]
    return out


def _line_search(
    p: _Stack,
    A: np.ndarray,
    B: np.ndarray,
    b: np.ndarray,
    phi: np.ndarray,
    step: np.ndarray,
    slope: np.ndarray,
    go: np.ndarray,
    nA: int,
) -> np.ndarray:
    """Armijo backtracking per instance (or no change measurable in float64): the accepted
    step length of each instance in ``go``, 0 where none down to 1e-10 was accepted."""
    m, K = A.shape[0], A.shape[1]
    t = np.where(go, 1.0, 0.0)
    todo = np.flatnonzero(go)
    dA = np.nan_to_num(step[:, :nA]).reshape(m, K, K)
    dB = np.nan_to_num(step[:, nA : 2 * nA]).reshape(m, K, K)
    db = np.nan_to_num(step[:, 2 * nA :]) if p.bias else None
    while todo.size:
        tt = t[todo]
        b_t = b[todo] + tt[:, None] * db[todo] if db is not None else b[todo]
        phi_t = _objective(
            p.at(todo),
            A[todo] + tt[:, None, None] * dA[todo],
            B[todo] + tt[:, None, None] * dB[todo],
            b_t,
        )[0]
        ok = (phi_t <= phi[todo] + 1e-4 * tt * slope[todo]) | (
            np.abs(phi_t - phi[todo]) <= 4 * _EPS * np.abs(phi[todo])
        )
        t[todo[~ok]] *= 0.5
        gave_up = ~ok & (t[todo] < 1e-10)
        t[todo[gave_up]] = 0.0
        todo = todo[~ok & ~gave_up]
    return t
