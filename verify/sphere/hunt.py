r"""The imbalance hunt: the optimum against the ratio majority/minority, per loss.

Counts :math:`(r n, n, \dots, n)`: class 0 the majority. At each ratio r the class-structured
reduction is searched from many starts (its optimum lifts to a feasible point of all N samples,
:mod:`verify.sphere.reduction`), and compared with NC on the simplex ETF, the balanced optimum:
``certified_below_etf`` > 0 is a certified refutation of "the ETF stays optimal" (both values in
50 digits). The prototype Gram (the class features' for SupCon) of the best point is recorded;
``minority_cosine`` is the mean cosine between the prototypes of the minority classes (between
the two prototypes when K = 2), -1/(K-1) at the ETF: its rise with r is minority collapse.

The reduction is checked at every row, not assumed: ``full_problem`` holds the Riemannian
gradient norm and Hessian spectrum of the loss over all N features at the lifted point, and
``lift_critical`` says whether it is first- and second-order critical there (a reduced minimum
that is a saddle of the full problem, one that splitting a class would lower, fails it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tolerances import DEFAULT
from .certify import simplex_etf_point
from .checks import below
from .exact import exact_loss
from .frames import simplex_etf
from .model import SphereProblem
from .reduction import check_critical_lift
from .solve import local_search, local_search_many

__all__ = ["imbalance_hunt", "minority_cosine"]


def minority_cosine(G: np.ndarray) -> float:
    K = G.shape[0]
    if K == 2:
        return float(G[0, 1])
    minority = G[1:, 1:]
    return float(minority[np.triu_indices(K - 1, 1)].mean())


def imbalance_hunt(
    loss: str,
    K: int,
    n: int,
    d: int,
    tau: float,
    ratios: tuple[int, ...] = (1, 2, 5, 10, 20),
    starts: int = 10,
    seed: int = 0,
    hessian: bool = False,
) -> dict[str, Any]:
    problems = [SphereProblem(loss, (r * n, *(n,) * (K - 1)), d, tau) for r in ratios]
    for p in problems:
        p.require_simplex_room()
    # every ratio's starts in one batch (the counts are per-start multiplicities); one at a time
    # when the Hessian is wanted
    searches = (
        [local_search(p, starts, seed, reduced=True, hessian=True) for p in problems]
        if hessian
        else local_search_many(problems, starts, seed)
    )
    rows = []
    for r, p, found in zip(ratios, problems, searches, strict=True):
        E = simplex_etf(K, d)
        etf = exact_loss(loss, E if p.has_prototypes else None, E, np.arange(K),
                         np.array(p.counts), tau)  # fmt: skip
        full = check_critical_lift(p, found.W, found.H)
        X = found.W if found.W is not None else found.H
        G = X @ X.T
        rows.append(
            {
                "ratio": r,
                "counts": list(p.counts),
                "best": found.value,
                "etf": float(etf.value),
                "certified_below_etf": below(
                    p, found, float(etf.value), etf, simplex_etf_point(p.counts)
                ),
                "gradient_norm": found.gradient_norm,
                # the reduction checked, not assumed: the lift on the full problem (all N
                # features) is first- and second-order critical there
                "full_problem": full.as_dict(),
                "lift_critical": full.holds(DEFAULT.sphere_gradient, DEFAULT.sphere_hessian),
                "hessian_min": found.hessian_min,
                "gram": G.tolist(),
                "minority_cosine": minority_cosine(G),
                "feature_prototype_cosines": None
                if found.W is None
                else np.sum(found.W * found.H, axis=1).tolist(),
            }
        )
    return {"loss": loss, "K": K, "n": n, "d": d, "tau": tau, "starts": starts, "seed": seed,
            "rows": rows}  # fmt: skip
