"""A final simplification pass over a counterexample: fewer classes, smaller counts, d = K,
rounder numbers, each kept only if the instance still satisfies the claim's hypotheses and
the claim still fails there (certified).

Hypothesis has already shrunk what its search found; this pass also simplifies what the local
optimiser found (which Hypothesis never saw) and rounds the numbers Hypothesis leaves long
(``lambda_W = 0.499999``). Moves are tried in a fixed order and the pass is greedy, so it is
deterministic and each accepted move makes the instance strictly simpler.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from functools import reduce

from ..claims import Claim, unmet
from ..claims.runner import evaluate
from ..claims.verdict import Outcome
from ..tolerances import Tolerances
from .params import Params, build, params_of
from .units import ConclusionError

__all__ = ["simplify", "size"]


def _round(x: float, digits: int) -> float:
    return float(f"{x:.{digits}g}")


def _digits(x: float) -> int:
    """Significant digits of the shortest repr of x (0.5 -> 1, 0.9999989999999997 -> 16)."""
    mantissa = repr(float(x)).lower().split("e")[0]
    return max(len(mantissa.replace("-", "").replace(".", "").strip("0")), 1)


def size(outcome: Outcome) -> tuple[int, int, int, int]:
    """How big an instance is, compared lexicographically: K, N, d, the digits of its numbers."""
    inst = outcome.case.instance
    p = params_of(outcome.case)
    numbers = [p.c, p.ratio, *p.scalars.values()]
    if 0 < p.lambda_b < math.inf:
        numbers.append(p.lambda_b)
    digits = sum(_digits(x) for x in numbers)
    return inst.K, inst.N, inst.d, digits


def _moves(p: Params) -> Iterator[Params]:
    K, counts = p.K, p.counts
    if K > 2 and p.encoding is None:
        yield p.with_(K=K - 1, counts=counts[: K - 1], rank=min(p.rank, K - 2))
    balanced = len(set(counts)) == 1
    if balanced and counts[0] > 1:
        for n in sorted({1, counts[0] // 2}):
            yield p.with_(counts=(n,) * K)
    elif not balanced:
        g = reduce(math.gcd, counts)
        if g > 1:
            yield p.with_(counts=tuple(n // g for n in counts))
        ranks = {n: i + 1 for i, n in enumerate(sorted(set(counts)))}
        small = tuple(ranks[n] for n in counts)
        if sum(small) < sum(counts):
            yield p.with_(counts=small)
    if p.d_extra:
        yield p.with_(d_extra=0)
    half = _round(p.c / 2, 1)
    if half != p.c:
        yield p.with_(c=half)
    for digits in range(1, 7):
        for name in ("c", "ratio"):
            value = getattr(p, name)
            rounded = _round(value, digits)
            if rounded != value:
                yield p.with_(**{name: rounded})
        if 0 < p.lambda_b < math.inf:
            rounded = _round(p.lambda_b, digits)
            if rounded != p.lambda_b:
                yield p.with_(lambda_b=rounded, lambda_b_mode="rounded")
        for key, value in sorted(p.scalars.items()):
            rounded = _round(value, digits)
            if rounded != value:
                yield p.with_(scalars={**p.scalars, key: rounded})


def simplify(
    claim: Claim,
    outcome: Outcome,
    tol: Tolerances,
    budget: int = 60,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> tuple[Outcome, list[Outcome]]:
    """The simplest counterexample reachable from ``outcome`` by the moves, and every outcome
    evaluated on the way (at most ``budget``)."""
    current, tried = outcome, list[Outcome]()
    improved = True
    while improved and len(tried) < budget:
        improved = False
        for p in _moves(params_of(current.case)):
            if len(tried) >= budget:
                break
            case = build(p)
            if case is None or unmet(case.instance, claim.hypotheses, tol):
                continue
            try:
                candidate = evaluate(claim, case, tol, "exact")
            except ConclusionError:
                continue
            tried.append(candidate)
            if on_outcome is not None:
                on_outcome(candidate)
            if (
                candidate.status == "counterexample"
                and math.isfinite(candidate.worst)
                and size(candidate) < size(current)
            ):
                current, improved = candidate, True
                break
    return current, tried
