r"""The ``exact`` engine: the convex reformulation solved to machine precision.

For fixed b the optimal :math:`Z` is singular value thresholding of :math:`A = Y - b1^\top` at
:math:`\tau = N\mu`. Eliminating Z leaves a smooth, convex problem in :math:`b \in \mathbb{R}^K`,

.. math::

    \varphi(b) = \frac{1}{N}\,\mathrm{env}_\tau(Y - b1^\top) + \frac{\lambda_b}{2}\|b\|^2,
    \qquad \mathrm{env}_\tau(A) = \sum_i \tfrac12\min(\sigma_i,\tau)^2 + \tau(\sigma_i-\tau)_+,

whose stationarity condition is (8) of Lemma III.3 in the form
:math:`\lambda_b N b = \Pi_\tau(Y - b1^\top)\,1` (:math:`\Pi_\tau` clips singular values at
:math:`\tau`). The singular values of A depend on b only through the K x K matrix

.. math::  A A^\top = Y_c Y_c^\top + N (m - b)(m - b)^\top, \qquad m = Y1/N,\ Y_c = Y - m1^\top,

so each iteration costs :math:`O(K^3)`; and as :math:`Y = \bar Y C` has K distinct columns,
:math:`Y_cY_c^\top = \sum_k n_k(\bar y_k - m)(\bar y_k - m)^\top` costs :math:`O(K^3)` too. We run a
semismooth Newton method from the neutral start b = 0 with the exact generalised Jacobian of
the thresholding (the divided-difference formula for spectral operators of rectangular
matrices) and a backtracking line search on :math:`\varphi`. The one pass over the data is
the output :math:`H = P(Y - b1^\top)`, formed column by column from Y: nothing here computes
class means of the features or assumes the minimiser has any class structure. The answer is
certified afterwards from (W, H, b) alone by :mod:`verify.solve.certificate`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..instance import Instance
from ..losses import MSE
from ..tolerances import Tolerances

__all__ = ["estimated_seconds", "solve_exact"]

_EPS = np.finfo(np.float64).eps


def _block(N: int, rows: int) -> int:
    """Columns per block of a pass over a (rows, N) array: about 8 MiB, so a block stays in cache."""
    return min(N, max(64, (1 << 23) // (8 * rows)))


def _spectrum(Gc: np.ndarray, r: np.ndarray, N: int) -> tuple[np.ndarray, np.ndarray]:
    s, U = np.linalg.eigh(Gc + N * np.outer(r, r))
    return np.sqrt(np.clip(s, 0.0, None)), U


def _envelope(sigma: np.ndarray, tau: float) -> float:
    clipped = np.minimum(sigma, tau)
    return float(0.5 * clipped @ clipped + tau * np.clip(sigma - tau, 0.0, None).sum())


def _jacobian(sigma: np.ndarray, U: np.ndarray, w: np.ndarray, tau: float) -> np.ndarray:
    r"""D of :math:`r \mapsto \mathrm{SVT}_\tau(A)1/N` where :math:`A = Y_c + r1^\top`, as U M U^T.

    ``w = U^T a`` with :math:`a = \sqrt N r`. Terms that would divide by a zero singular value
    are combined analytically (derivation in ``tests/test_engines.py``).
    """
    act = sigma > tau
    ia, ii = np.flatnonzero(act), np.flatnonzero(~act)
    K = sigma.size
    M = np.zeros((K, K))
    sa, si = sigma[ia], sigma[ii]
    g = sa - tau
    q = w[ia] / sa
    if ia.size:
        pair = sa[:, None] + sa[None, :]
        M[np.ix_(ia, ia)] = tau * np.outer(q, q) / pair
        diag = (1.0 - tau / pair) @ (q * q) + g / sa * (1.0 - q @ q)
        if ii.size:
            diff = sa[:, None] ** 2 - si[None, :] ** 2  # > 0
            diag += g / sa * ((w[ii] ** 2)[None, :] / diff).sum(axis=1)
            off = (g * q)[:, None] * w[ii][None, :] / diff
            M[np.ix_(ia, ii)] = off
            M[np.ix_(ii, ia)] = off.T
            M[ii, ii] = ((g * w[ia] ** 2 / sa)[:, None] / diff).sum(axis=0)
        M[ia, ia] += diag  # the q q^T block above holds part of the diagonal too
    return U @ M @ U.T


def _newton_bias(
    Gc: np.ndarray, m: np.ndarray, N: int, tau: float, lambda_b: float, max_iter: int = 100
) -> tuple[np.ndarray, dict[str, Any]]:
    """The minimiser b of phi by semismooth Newton from b = 0, with the solver's diagnostics."""
    b, details, _ = _newton_bias_spectrum(Gc, m, N, tau, lambda_b, max_iter)
    return b, details


def _newton_bias_spectrum(
    Gc: np.ndarray,
    m: np.ndarray,
    N: int,
    tau: float,
    lambda_b: float,
    max_iter: int = 100,
    progress: Callable[[str], None] | None = None,
) -> tuple[np.ndarray, dict[str, Any], tuple[np.ndarray, np.ndarray]]:
    """:func:`_newton_bias`, also returning the spectrum (sigma, U) of A A^T at the final b."""
    K = m.size
    b = np.zeros(K)

    def evaluate(b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        r = m - b
        sigma, U = _spectrum(Gc, r, N)
        phi = _envelope(sigma, tau) / N + 0.5 * lambda_b * float(b @ b)
        act = sigma > tau
        Ua = U[:, act]
        Tr = Ua @ ((sigma[act] - tau) / sigma[act] * (Ua.T @ r))
        grad = lambda_b * b - (r - Tr)
        return phi, grad, sigma, U

    phi, grad, sigma, U = evaluate(b)
    history = []
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        scale = float(np.linalg.norm(m)) + lambda_b * float(np.linalg.norm(b)) + _EPS
        gnorm = float(np.linalg.norm(grad))
        history.append(gnorm / scale)
        if progress is not None:
            progress(f"exact: Newton step {iterations} on the bias, gradient {gnorm / scale:.1e}")
        # converged, or stalled at the rounding floor (no halving of the gradient in 3 steps;
        # far from the floor a constant gradient means a flat stretch of phi, so go on)
        stalled = len(history) > 3 and history[-1] > 0.5 * history[-4] and history[-1] < 1e-12
        if gnorm <= 8 * _EPS * scale or stalled:
            break
        r = m - b
        J = (1.0 + lambda_b) * np.eye(K) - _jacobian(sigma, U, U.T @ (math.sqrt(N) * r), tau)
        J = 0.5 * (J + J.T)
        # regularised Newton: J is only semidefinite where the thresholding saturates
        # (lambda_b = 0 makes phi flat along such directions); rho -> 0 keeps it superlinear
        step = np.linalg.solve(J + gnorm * np.eye(K), -grad)
        t, accepted = 1.0, False
        while t >= 1e-12:
            trial = b + t * step
            phi_t, grad_t, sigma_t, U_t = evaluate(trial)
            if phi_t <= phi + 1e-4 * t * float(grad @ step) or np.linalg.norm(grad_t) < 0.5 * gnorm:
                accepted = True
                break
            t *= 0.5
        if not accepted:
            break
        b, phi, grad, sigma, U = trial, phi_t, grad_t, sigma_t, U_t
    return b, {"newton_iterations": iterations, "gradient_history": history}, (sigma, U)


def solve_exact(
    instance: Instance, tol: Tolerances, **options: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    """Global minimiser (W, H, b) of the UFM; see the module docstring for the method.

    The only option is ``progress``, a callable told each Newton step and the pass over the data.
    """
    progress = options.pop("progress", None)
    if not isinstance(instance.loss, MSE):
        from .reduced import solve_reduced

        return solve_reduced(instance, tol, progress=progress, **options)
    if options:
        raise TypeError(f"the exact engine takes no options, got {sorted(options)}")
    Y, N, K, d = instance.Y, instance.N, instance.K, instance.d
    tau = N * instance.mu
    # Y = Ybar C has only K distinct columns, so Gc = Yc Yc^T (Yc = Y - m 1^T) is the O(K^3)
    # sum over classes of n_k (ybar_k - m)(ybar_k - m)^T, not a pass over the data; this is a
    # fact about the data, not about the minimiser (H below is formed column by column from Y)
    counts = np.asarray(instance.counts, dtype=np.float64)
    m = instance.encoding @ counts / N
    centred = instance.encoding - m[:, None]
    Gc = (centred * counts) @ centred.T
    Gc = 0.5 * (Gc + Gc.T)
    details: dict[str, Any] = {}
    if math.isinf(instance.lambda_b):
        b = np.zeros(K)
        details["newton_iterations"] = 0
        if progress is not None:
            progress(f"exact: eigen-decomposition of the {K} x {K} Gram of the labels")
        sigma, U = _spectrum(Gc, m - b, N)
    else:
        if progress is not None:
            progress(f"exact: Newton on the bias, first step ({K} x {K} eigen-decompositions)")
        b, details, (sigma, U) = _newton_bias_spectrum(
            Gc, m, N, tau, instance.lambda_b, progress=progress
        )
    if progress is not None:
        progress(f"exact: features H, one pass over the {K} x {N} targets")
    # singular values within rounding of tau are thresholded to zero, not to sqrt(rounding)
    snap = 32 * _EPS * max(float(sigma.max(initial=0.0)), tau)
    act = sigma > tau + snap
    Ua, sa = U[:, act], sigma[act]
    root = np.sqrt(sa - tau)
    s = (instance.lambda_H / instance.lambda_W) ** 0.25
    W = np.zeros((K, d))
    W[:, :K] = s * (Ua * root) @ Ua.T
    # H = [P (Y - b 1^T); 0] with P = Ua diag(root / (s sa)) Ua^T, written block by block
    # straight into the zero-padded (d, N) array
    P = (Ua * (root / (s * sa))) @ Ua.T
    H = np.zeros((d, N))
    block = _block(N, K)
    buffer = np.empty(K * block)
    for start in range(0, N, block):
        stop = min(start + block, N)
        A = buffer[: K * (stop - start)].reshape(K, stop - start)
        np.subtract(Y[:, start:stop], b[:, None], out=A)
        np.matmul(P, A, out=H[:K, start:stop])
    details["rank"] = int(act.sum())
    details["singular_values"] = sigma[::-1].tolist()
    details["tau"] = tau
    return W, H, b, details


_rates: list[tuple[float, float]] = []  # (K^3 of eigh, multiply-adds of matmul) per second


def _measured_rates() -> tuple[float, float]:
    """This machine's speed at the engine's two kinds of work, the better of two timings after a
    warm-up (about 0.1 s in all): a 512 x 512 symmetric eigen-decomposition and a 512 x 512 by
    512 x 2048 product (smaller sizes run far below the speed of large ones)."""
    if not _rates:
        rng = np.random.default_rng(0)
        n = 512
        A = rng.standard_normal((n, n))
        A += A.T
        B = rng.standard_normal((n, 2048))
        np.linalg.eigh(A[:64, :64])  # warm-up: LAPACK and BLAS threads
        eig = mul = math.inf
        for _ in range(2):
            start = time.perf_counter()
            np.linalg.eigh(A)
            middle = time.perf_counter()
            A @ B
            eig, mul = min(eig, middle - start), min(mul, time.perf_counter() - middle)
        _rates.append((n**3 / max(eig, 1e-9), n * n * 2048 / max(mul, 1e-9)))
    return _rates[0]


def estimated_seconds(K: int, N: int, d: int, newton_steps: int = 6) -> float:
    """A rough estimate of the seconds to solve, certify and describe a (K, N, d) instance.

    Each Newton step costs about two K x K eigen-decompositions (the step and its line search)
    and the generalised Jacobian, :math:`O(K^3)`; then come passes over the K x N targets and
    the d x N features: H (K d N multiply-adds), the certificate's gap (3 units of
    :math:`K^2N/2`) and residuals (7), and the NC metrics (a few more), about 12 K d N in all;
    and the SVDs of the d x K class means. ``newton_steps`` is typical (5 to 20; up to 100 near
    a kink). The rates are measured once on this machine (:func:`_measured_rates`), so the
    estimate follows its load; it is good to a factor of a few, to warn, not to promise.
    """
    eig, mul = _measured_rates()
    K3 = float(K) ** 3
    return (
        newton_steps * 3 * K3 / eig
        + 12 * float(K) * d * N / mul
        + 2 * float(d) * K * min(d, K) / eig
    )
