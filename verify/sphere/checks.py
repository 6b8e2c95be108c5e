r"""Numeric predicates of the sphere claims: named residuals, refutations certified in high precision.

A point's loss is exact once the point is feasible (:mod:`verify.sphere.exact`), so a claimed
optimum is refuted by *any* feasible point below it: the residual "no feasible point below"
is the certain gap, (claimed - error) - (found + error), from the high-precision evaluation of
both, relative to max(1, |claimed|). It is computed in high precision only when the float64
values say the point is below (otherwise it is 0 up to rounding).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np

from ..claims import Context, Residuals
from .bounds import bound, nc_point
from .certify import Point, Witness, problem_point, record, simplex_etf_point
from .claim import problem
from .exact import ExactValue, exact_loss
from .frames import etf_gram
from .model import SphereProblem
from .reduction import check_lift, lift, reduced_weights
from .solve import LocalSearch, local_search

__all__ = ["below", "bound_attained_and_not_beaten", "seed_of"]

#: a float64 value this far (relative) below a claimed optimum is re-evaluated in high precision
SUSPECT = 1e-12
#: random starts of the local search inside a claim check (kept small: checks run per instance)
CLAIM_STARTS = 3
#: iterations of a local search inside a claim check: at small tau the landscape is flat to
#: e^{-2/tau} and descent crawls; any feasible point is valid evidence of "not below", so the
#: search is cut short rather than run to stationarity there
CLAIM_ITER = 300


def seed_of(p: SphereProblem) -> int:
    """A seed fixed by the problem (crc32: the same in every process, unlike hash())."""
    return zlib.crc32(repr((p.loss, p.counts, p.d, round(p.tau, 12))).encode()) or 1


def below(
    p: SphereProblem,
    point: LocalSearch,
    claimed: float,
    claimed_exact: ExactValue,
    claimed_point: Point,
) -> float:
    """How far the feasible point lies certainly below ``claimed`` (relative), 0 if not below.

    ``claimed_exact`` is the claimed optimum in high precision, the loss at ``claimed_point``;
    a point found below it is recorded (:func:`verify.sphere.certify.record`) for the
    confirmation to re-evaluate both independently."""
    scale = max(1.0, abs(claimed))
    if claimed - point.value <= SUSPECT * scale:
        return 0.0
    if point.reduced:
        labels, m = reduced_weights(p)
        found = exact_loss(p.loss, point.W, point.H, labels, m, p.tau)
    else:
        found = exact_loss(p.loss, point.W, point.H, p.labels, None, p.tau)
    gap = float(found.below(claimed_exact))
    if gap > 0:
        found_point = problem_point(p, point.W, point.H, point.reduced)
        record(Witness(p.loss, p.tau, found_point, claimed_point))
    return max(0.0, gap) / scale


def bound_attained_and_not_beaten(ctx: Context, loss: str) -> Residuals:
    """The proved bound at this instance: NC attains it (high precision), and local search on
    all N features finds no feasible point below it."""
    p = problem(ctx, loss)
    K, n = p.K, p.counts[0]
    b = bound(loss, K, n, p.tau)
    W, H = nc_point(K, p.counts, p.d)
    at_nc = exact_loss(loss, W if p.has_prototypes else None, H, p.labels, None, p.tau)
    scale = max(1.0, abs(b))
    found = local_search(
        p, CLAIM_STARTS, seed_of(p), reduced=False, hessian=False, max_iter=CLAIM_ITER
    )
    return {
        "L(NC) = bound (attained, 50 digits)": abs(float(at_nc.value) - b) / scale,
        "no feasible point below the bound (local search, all N features)": below(
            p, found, b, at_nc, simplex_etf_point(p.counts)
        ),
    }


def reduction_exact(ctx: Context, loss: str) -> Residuals:
    """The class-structured reduction at a random point: reduced value = full value at the lift."""
    p = problem(ctx, loss)
    rng = np.random.default_rng(seed_of(p))
    W = rng.normal(size=(p.K, p.d))
    G = rng.normal(size=(p.K, p.d))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    G /= np.linalg.norm(G, axis=1, keepdims=True)
    c = check_lift(p, W if p.has_prototypes else None, G)
    out = {"reduced = full at the lift (float64)": c.relative}
    if c.exact_relative is not None:
        out["reduced = full at the lift (50 digits)"] = c.exact_relative
    return out


def etf_residual(X: np.ndarray) -> float:
    """||G(X) - G_ETF||_F / ||G_ETF||_F for unit rows X."""
    K = X.shape[0]
    E = etf_gram(K)
    return float(np.linalg.norm(X @ X.T - E) / np.linalg.norm(E))


__all__ += ["etf_residual", "lift", "reduction_exact"]


def optimum_conclusion(loss: str) -> Callable[[Context], Residuals]:
    """The conclusion of "NC is the global optimum of ``loss``" at one instance."""

    def conclusion(ctx: Context) -> Residuals:
        return {**bound_attained_and_not_beaten(ctx, loss), **reduction_exact(ctx, loss)}

    conclusion.__qualname__ = f"optimum_conclusion({loss!r})"
    return conclusion


__all__ += ["optimum_conclusion"]
