r"""Gradient descent on the non-convex UFM, timed to a target accuracy.

The ``gd`` engine's own loop (:func:`verify.solve.gd.descend`): full-batch gradient descent
on (W, H, b) with a fixed step,

.. math::

    W \leftarrow W - \eta\,(R H^\top/N + \lambda_W W),\quad
    H \leftarrow H - \eta\,(W^\top R/N + \lambda_H H),\quad
    b \leftarrow b - \eta\,(R1/N + \lambda_b b),

with :math:`R = WH + b1^\top - Y` (b fixed at 0 when lambda_b = inf); for another loss R is
the loss gradient at the logits :math:`WH + b1^\top`, as in the ``gd`` engine. Only the stopping rule is
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
from verify.solve.gd import default_step, descend, initial_point


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
    scale = max(abs(fstar), np.finfo(float).tiny)
    best, error, elapsed = math.inf, math.inf, 0.0
    start = time.perf_counter()

    def check(iteration: int, f: float, gradient_norm: float) -> str | None:
        nonlocal best, error, elapsed
        error = abs(f - fstar) / scale
        elapsed = time.perf_counter() - start
        if math.isfinite(error):
            best = min(best, error)
        if error <= target:
            return "reached"
        if not math.isfinite(error):
            return "diverged"
        return "time limit" if elapsed > limit else None

    status, iterations = descend(
        instance, (W, H, b), eta, check, check_every=check_every, max_iter=2**62
    )
    return {
        "status": status,
        "seconds": elapsed,
        "iterations": iterations,
        "relative_error": error if status == "reached" else best,
        "step": eta,
    }
