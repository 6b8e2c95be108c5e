r"""Is a counterexample larger than what its certificate can resolve?

A certified solve does not give the minimiser :math:`(Z^\star, b^\star)`, only a point within
its distance bounds: :math:`\|Z - Z^\star\|_F \le \delta_Z` and :math:`\|b - b^\star\| \le \delta_b`.
A residual computed at the point speaks for the minimiser only if it barely moves inside that
ball. :func:`probes` are points of the ball a minimiser could be:

- the point with its smallest singular values dropped, as many as fit in :math:`\delta_Z`
  (a rank decided by rounding), and :math:`Z = 0` when :math:`\|Z\| \le \delta_Z`;
- :math:`b = 0` when :math:`\|b\| \le \delta_b`;
- antithetic random pairs :math:`Z \pm \delta_Z E`, :math:`b \pm \delta_b e` with
  :math:`\|E\|_F = \|e\| = 1` and :math:`E = U_r G V_r^\top` inside the span of Z's own
  singular vectors, so that a residual which grows one way shrinks the other.

What is not tried: new directions of Z smaller than :math:`\delta_Z` that the point lacks. The
features are square roots of Z (:mod:`verify.solve.factor`), so such a direction would appear in
H at size :math:`\sqrt{\delta_Z}`, which no float64 certificate resolves; whether the shape of
the features near a change of rank counts as collapsed is decided there by the claim's own rank
tolerance (e.g. ``Tolerances.rank`` in :func:`verify.geometry.ssetf_fit`), and the boundary
rule of :func:`verify.claims.runner.confirm` keeps counterexamples off the rank changes.

Each probe is factorised canonically (:func:`verify.solve.factor.balanced_factors`) and the
claim is evaluated there. The counterexample is *resolved* when every probe is still a
counterexample and the largest change :math:`\Delta` of the worst residual leaves it above the
refutation level: :math:`r - \Delta \ge` ``refute``. This is a necessary check (the ball is not
searched exhaustively), so a resolved counterexample still needs the second engine.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from ..solve import Solution
from ..solve.factor import balanced_factors
from ..strategies import Case

__all__ = ["b_bound", "probes"]


def b_bound(solution: Solution) -> float:
    r"""A bound on :math:`\|b - b^\star\|`: the certificate's for :math:`0 < \lambda_b < \infty`;
    0 for the bias-free UFM; for :math:`\lambda_b = 0`, where :math:`b^\star = X^\star 1/N`
    (:math:`Z^\star 1 = 0`, Theorem III.4(a)), :math:`\delta_X/\sqrt N + \|Z1\|/N`."""
    inst, bounds = solution.instance, solution.certificate.distance_bounds
    if math.isinf(inst.lambda_b):
        return 0.0
    if inst.lambda_b > 0:
        assert bounds.b is not None  # every certificate bounds b for 0 < lambda_b < inf
        return bounds.b
    if bounds.X is None:
        raise ValueError(f"the {inst.loss.name} certificate bounds no distance in X = WH + b1^T")
    N = inst.N
    return bounds.X / math.sqrt(N) + float(np.linalg.norm(solution.Z.sum(axis=1))) / N


def _as_solution(solution: Solution, Z: np.ndarray, b: np.ndarray, name: str) -> Solution:
    W, H = balanced_factors(solution.instance, Z)
    details = {**solution.details, "probe": name}
    return Solution(solution.instance, W, H, b, solution.certificate, 0.0, details)


def probes(case: Case, solution: Solution, pairs: int) -> Iterator[tuple[str, Solution]]:
    """Named points of the certified ball around ``solution`` (see the module's docstring), with
    ``pairs`` antithetic random pairs (``Tolerances.probe_pairs``). A certificate that bounds no
    distance in Z (a loss that is not strongly convex: cross-entropy) has no ball to probe, so
    there are none: such a counterexample rests on the tight solve and the second engine."""
    dZ = solution.certificate.distance_bounds.Z
    if dZ is None:
        return
    Z, b = solution.Z, solution.b
    db = b_bound(solution)
    U, sigma, Vt = np.linalg.svd(Z, full_matrices=False)
    tail = np.sqrt(np.cumsum(sigma[::-1] ** 2))[::-1]  # tail[i] = ||sigma[i:]||
    keep = int(np.sum(tail > dZ))
    tiny = np.finfo(float).eps * max(Z.shape) * sigma.max(initial=0.0)  # rounding, not a value
    if keep < len(sigma) and (sigma[keep:] > tiny).any():
        yield (
            f"the {len(sigma) - keep} smallest singular values of Z dropped",
            _as_solution(solution, (U[:, :keep] * sigma[:keep]) @ Vt[:keep], b, "truncated"),
        )
    b_size = float(np.linalg.norm(b))
    if np.finfo(float).eps * max(1.0, float(np.abs(Z).max(initial=0.0))) < b_size <= db:
        yield "b = 0", _as_solution(solution, Z, np.zeros_like(b), "b = 0")
    rank = int(np.sum(sigma > tiny))
    rng = np.random.default_rng(0)
    for i in range(pairs):
        E = (U[:, :rank] @ rng.standard_normal((rank, rank))) @ Vt[:rank]
        e = rng.standard_normal(b.shape)
        E *= dZ / max(float(np.linalg.norm(E)), np.finfo(float).tiny)
        e *= db / max(float(np.linalg.norm(e)), np.finfo(float).tiny)
        for sign in (1, -1):
            name = f"random point {2 * i + (sign < 0) + 1} at the certified distance"
            yield name, _as_solution(solution, Z + sign * E, b + sign * e, "random")
