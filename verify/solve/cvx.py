r"""Engine ``cvxpy``: the convex reformulation through CVXPY with a named conic solver.

.. math::

    \min_{Z, b}\ \frac{1}{2N}\|Z + b 1^\top - Y\|_F^2 + \mu\|Z\|_* + \frac{\lambda_b}{2}\|b\|^2

on the full K x N problem (no reduction to class means); for another loss the first term is
:math:`\frac1N\sum_i l(z_i + b, y_i)` as the loss writes it in CVXPY (:meth:`Loss.cvxpy`;
cross-entropy: ``log_sum_exp`` by columns, exponential cones, as a user would write it), with :math:`b = 0` for
:math:`\lambda_b = \infty` and no penalty for :math:`\lambda_b = 0`. This is what a user would
write by hand, so it is both an independent cross-check of the exact engine and the peer the
benchmarks compare against. Only an ``OPTIMAL`` status is accepted (``OPTIMAL_INACCURATE`` is a
failure); the solver's own duality gap is ignored: :func:`verify.solve.certify` certifies the
recovered (W, H, b) from scratch. (W, H) come from :func:`verify.solve.factor.balanced_factors`.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import cvxpy as cp
import numpy as np

from ..errors import InvalidArgument, SolverFailure, UnknownName
from ..instance import Instance
from ..losses import MSE
from ..tolerances import Tolerances
from .factor import balanced_factors

__all__ = ["SOLVERS", "solve_cvxpy"]

# named conic solvers that handle the nuclear norm's semidefinite cone
SOLVERS = ("CLARABEL", "SCS")


def problem(instance: Instance) -> tuple[cp.Problem, cp.Variable, cp.Variable | None]:
    """The CVXPY problem in (Z, b) for ``instance``; b is ``None`` for the bias-free UFM."""
    K, N, Y = instance.K, instance.N, instance.Y
    Z = cp.Variable((K, N), name="Z")
    mu = instance.mu
    if math.isinf(instance.lambda_b):
        b = None
        fit = Z - Y
        penalty: cp.Expression | float = 0.0
    else:
        b = cp.Variable(K, name="b")
        fit = Z + cp.reshape(b, (K, 1), order="F") @ np.ones((1, N)) - Y
        penalty = 0.5 * instance.lambda_b * cp.sum_squares(b) if instance.lambda_b > 0 else 0.0
    if isinstance(instance.loss, MSE):
        data: cp.Expression = cp.sum_squares(fit) / (2 * N)
    else:
        X = fit + Y  # the logits Z + b 1^T
        data = instance.loss.cvxpy(X, Y) / N
    objective = data + mu * cp.normNuc(Z) + penalty
    return cp.Problem(cp.Minimize(objective)), Z, b


def solve_cvxpy(
    instance: Instance, tol: Tolerances, *, solver: str = "CLARABEL", **solver_options: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    """Global minimiser (W, H, b) from CVXPY with ``solver``; raises SolverFailure unless OPTIMAL."""
    name = solver.upper()
    if name not in SOLVERS:
        raise UnknownName("solver", solver, list(SOLVERS))
    if not isinstance(instance.loss, MSE) and not instance.loss.has_cvxpy:
        raise InvalidArgument(
            "engine", "cvxpy", f"the loss {instance.loss.name!r} has no CVXPY form (Loss.cvxpy)"
        )
    prob, Z, b = problem(instance)
    try:
        with warnings.catch_warnings():
            # CVXPY warns about solver accuracy; the status below and our certificate decide
            warnings.simplefilter("ignore")
            prob.solve(solver=name, **solver_options)
    except (cp.error.SolverError, ArithmeticError, MemoryError) as error:
        raise SolverFailure(f"{name}: {error}") from error
    if prob.status != cp.OPTIMAL or Z.value is None:
        raise SolverFailure(f"{name} returned status {prob.status!r}; only 'optimal' is accepted")
    z = np.asarray(Z.value, dtype=np.float64)
    bias = np.zeros(instance.K) if b is None else np.asarray(b.value, dtype=np.float64)
    W, H = balanced_factors(instance, z)
    stats = prob.solver_stats
    details = {
        "solver": name,
        "status": prob.status,
        "solver_objective": float(prob.value),
        "solver_seconds": stats.solve_time,
        "solver_iterations": stats.num_iters,
    }
    return W, H, bias, details
