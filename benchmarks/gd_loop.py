r"""Gradient descent on the non-convex UFM, timed to a target accuracy.

The same update rule as :mod:`verify.solve.gd` (the ``gd`` engine): full-batch gradient descent
on (W, H, b) with a fixed step,

.. math::

    W \leftarrow W - \eta\,(R H^\top/N + \lambda_W W),\quad
    H \leftarrow H - \eta\,(W^\top R/N + \lambda_H H),\quad
    b \leftarrow b - \eta\,(R1/N + \lambda_b b),

with :math:`R = WH + b1^\top - Y` (b fixed at 0 when lambda_b = inf); for another loss R is
the loss gradient at the logits :math:`WH + b1^\top`, as in the ``gd`` engine. Here the stopping rule is
the benchmark's: every ``check_every`` iterations the objective (from the R the gradient needs
anyway, so checking is nearly free) is compared with the certified optimum, and the clock stops
the first time the relative error is at most ``target``, or when the time limit is reached.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from verify.instance import Instance
from verify.losses import MSE
from verify.solve.gd import default_step, initial_point


def run_gd(
    instance: Instance,
    fstar: float,
    *,
    target: float = 1e-8,
    limit: float = 120.0,
    seed: int = 0,
    step: float | None = None,
    check_every: int = 10,
) -> dict[str, Any]:
    """Run GD until the relative objective error to ``fstar`` is <= ``target`` or ``limit`` s."""
    eta = default_step(instance) if step is None else float(step)
    W, H, b = (np.array(x, dtype=np.float64) for x in initial_point(instance, seed))
    Y, N = instance.Y, instance.N
    loss = None if isinstance(instance.loss, MSE) else instance.loss
    lw, lh, lb = instance.lambda_W, instance.lambda_H, instance.lambda_b
    bias = not math.isinf(lb)
    scale = max(abs(fstar), np.finfo(float).tiny)
    best, error, iterations = math.inf, math.inf, 0
    start = time.perf_counter()
    with np.errstate(all="ignore"):  # a divergent step shows as a non-finite error, not a warning
        while True:
            R = W @ H
            R += b[:, None]
            if loss is None:
                R -= Y
            else:  # cross-entropy etc.: R is the loss gradient at the logits
                fit, R = loss.value_and_gradient(R, Y)
            if iterations % check_every == 0:
                data = 0.5 * float(np.vdot(R, R)) if loss is None else float(fit.sum())
                f = data / N
                f += 0.5 * lw * float(np.vdot(W, W)) + 0.5 * lh * float(np.vdot(H, H))
                if bias:
                    f += 0.5 * lb * float(b @ b)
                error = abs(f - fstar) / scale
                elapsed = time.perf_counter() - start
                if math.isfinite(error):
                    best = min(best, error)
                if error <= target:
                    return {
                        "status": "reached",
                        "seconds": elapsed,
                        "iterations": iterations,
                        "relative_error": error,
                        "step": eta,
                    }
                if not math.isfinite(error) or elapsed > limit:
                    status = "diverged" if not math.isfinite(error) else "time limit"
                    return {
                        "status": status,
                        "seconds": elapsed,
                        "iterations": iterations,
                        "relative_error": best,
                        "step": eta,
                    }
            gW = R @ H.T
            gW *= 1.0 / N
            gW += lw * W
            gH = W.T @ R
            gH *= 1.0 / N
            gH += lh * H
            if bias:
                gb = R.sum(axis=1) / N + lb * b
                b -= eta * gb
            W -= eta * gW
            H -= eta * gH
            iterations += 1
