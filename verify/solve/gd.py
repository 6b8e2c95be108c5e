r"""Engine ``gd``: full-batch gradient descent on the non-convex UFM, as the literature does it.

With :math:`R = WH + b1^\top - Y` (for a loss other than MSE, R is the loss gradient
:math:`\nabla l` at the logits :math:`WH + b1^\top`, column by column), a fixed step :math:`\eta` and a random start
(Gaussian W and per-sample Gaussian columns of H, scale ``init_scale``; b = 0):

.. math::

    W \leftarrow W - \eta\,(R H^\top/N + \lambda_W W),\quad
    H \leftarrow H - \eta\,(W^\top R/N + \lambda_H H),\quad
    b \leftarrow b - \eta\,(R1/N + \lambda_b b)

(b stays 0 for :math:`\lambda_b = \infty`). Nothing here assumes the answer: no NC1, no
balance, no closed form. The stopping rule is honest and reported in ``details["stop"]``:
``"stationary"`` when :math:`\|\nabla f\|_F \le` ``grad_tol`` :math:`\cdot\,\|\nabla f(x_0)\|_F`,
``"iteration limit"`` or ``"time limit"`` otherwise; a non-finite or exploding objective raises
:class:`~verify.errors.SolverFailure`. Whether the point reached is a *global* minimiser is
not this module's word: :func:`verify.solve.certify` decides it from the duality gap.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import SolverFailure
from ..instance import Instance
from ..losses import MSE
from ..tolerances import Tolerances

__all__ = ["default_step", "descend", "initial_point", "solve_gd"]


def default_step(instance: Instance) -> float:
    r"""A step :math:`1/L` from the curvature near a minimiser.

    At the balanced minimiser :math:`\|W\|_2^2 = s^2\sigma_1(Z)` and
    :math:`\|H\|_2^2 = \sigma_1(Z)/s^2` with :math:`s = (\lambda_H/\lambda_W)^{1/4}` and
    :math:`\sigma_1(Z) \le \sigma_1(Y)`, so the blocks' curvatures are at most
    :math:`\sigma_1(Y)s^{\mp 2}/N + \lambda_{W,H}` and :math:`1 + \lambda_b` for b.
    For another loss the data terms are multiplied by its smoothness :math:`L_l`, with
    :math:`\sigma_1(Y)` kept as the scale of Z (a heuristic there: a CE minimiser's logits can
    exceed it; pass ``step`` if the default diverges, which is reported, never hidden).
    """
    Y, N = instance.Y, instance.N
    sigma = math.sqrt(max(float(np.linalg.eigvalsh(Y @ Y.T)[-1]), 0.0))
    s2 = math.sqrt(instance.lambda_H / instance.lambda_W)
    smooth = instance.loss.smoothness
    L = max(
        smooth * sigma * s2 / N + instance.lambda_W, smooth * sigma / (s2 * N) + instance.lambda_H
    )
    if not math.isinf(instance.lambda_b):
        L = max(L, smooth + instance.lambda_b)
    return 1.0 / L


def initial_point(instance: Instance, seed: int, init_scale: float = 0.1) -> tuple[np.ndarray, ...]:
    """The random start (W, H, b) for ``seed``: Gaussian entries of scale ``init_scale``, b = 0."""
    rng = np.random.default_rng(seed)
    K, d, N = instance.K, instance.d, instance.N
    W = init_scale * rng.standard_normal((K, d))
    H = init_scale * rng.standard_normal((d, N))
    return W, H, np.zeros(K)


def descend(
    instance: Instance,
    point: tuple[np.ndarray, np.ndarray, np.ndarray],
    eta: float,
    check: Callable[[int, float, float], str | None],
    *,
    check_every: int,
    max_iter: int,
) -> tuple[str, int]:
    r"""The update rule of the module docstring, in place on ``point = (W, H, b)``.

    Every ``check_every`` iterations (from the first) ``check(iteration, f, gradient_norm)``
    sees the objective and :math:`\|\nabla f\|_F` at the current point, both from the R the
    gradient needs anyway; a string it returns stops the loop with that reason (it may also
    raise). Returns ``(stop, iterations)``, ``stop = "iteration limit"`` after ``max_iter``.
    One loop serves the engine and the benchmark (``benchmarks/gd_loop.py``), which differ only
    in when they stop.
    """
    W, H, b = point
    loss = None if isinstance(instance.loss, MSE) else instance.loss
    Y, N = instance.Y, instance.N
    lw, lh, lb = instance.lambda_W, instance.lambda_H, instance.lambda_b
    bias = not math.isinf(lb)
    iterations = 0
    with np.errstate(all="ignore"):  # divergence shows as a non-finite objective to check
        while iterations < max_iter:
            R = W @ H
            R += b[:, None]
            if loss is None:
                R -= Y
            else:  # R is the loss gradient at the logits; fit the loss's value beside it
                fit, R = loss.value_and_gradient(R, Y)
            gW = R @ H.T
            gW *= 1.0 / N
            gW += lw * W
            gH = W.T @ R
            gH *= 1.0 / N
            gH += lh * H
            gb = R.sum(axis=1) / N + lb * b if bias else np.zeros_like(b)
            if iterations % check_every == 0:
                norm = math.sqrt(float(np.vdot(gW, gW)) + float(np.vdot(gH, gH)) + float(gb @ gb))
                data = 0.5 * float(np.vdot(R, R)) if loss is None else float(fit.sum())
                f = data / N + 0.5 * lw * float(np.vdot(W, W))
                f += 0.5 * lh * float(np.vdot(H, H)) + (0.5 * lb * float(b @ b) if bias else 0.0)
                stop = check(iterations, f, norm)
                if stop is not None:
                    return stop, iterations
            W -= eta * gW
            H -= eta * gH
            if bias:
                b -= eta * gb
            iterations += 1
    return "iteration limit", iterations


def solve_gd(
    instance: Instance,
    tol: Tolerances,
    *,
    seed: int = 0,
    step: float | None = None,
    init_scale: float = 0.1,
    grad_tol: float = 1e-9,
    max_iter: int = 200_000,
    max_seconds: float = 60.0,
    check_every: int = 50,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    """Gradient descent from a random start; see the module docstring for the stopping rule."""
    eta = default_step(instance) if step is None else float(step)
    if not (eta > 0 and math.isfinite(eta)):
        raise SolverFailure(f"step={eta!r}: the step must be positive and finite")
    W, H, b = initial_point(instance, seed, init_scale)
    start = time.perf_counter()
    first, f0, norm = math.nan, math.inf, math.nan

    def check(iteration: int, f: float, gradient_norm: float) -> str | None:
        nonlocal first, f0, norm
        norm = gradient_norm
        if iteration == 0:
            first, f0 = norm, f
        if not (math.isfinite(f) and math.isfinite(norm)) or f > 1e6 * max(f0, 1.0):
            raise SolverFailure(
                f"gradient descent diverged at iteration {iteration} with step {eta:.3g}"
            )
        if norm <= grad_tol * first:
            return "stationary"
        if time.perf_counter() - start > max_seconds:
            return "time limit"
        return None

    stop, iterations = descend(
        instance, (W, H, b), eta, check, check_every=check_every, max_iter=max_iter
    )
    details = {
        "stop": stop,
        "iterations": iterations,
        "step": eta,
        "seed": seed,
        "gradient_norm": norm,
        "initial_gradient_norm": first,
    }
    return W, H, b, details
