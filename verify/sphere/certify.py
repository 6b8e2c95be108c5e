r"""Verdicts for sphere claims outside the UFM runner: certified refutation and local-search support.

:func:`judge` evaluates a :class:`~verify.sphere.claim.SphereClaim` at its corners and at
``examples`` drawn cases (the claim's strategy, seeded). A counterexample's residual is already a
certified gap (:mod:`verify.sphere.checks`: high-precision values of a feasible point and of the
claimed optimum); *confirmation* re-evaluates the same case independently at
``Tolerances.sphere_digits + 30`` digits and must find it still above ``refute``. With no
counterexample the verdict is ``supported`` (local search only) or ``inconclusive``. The UFM
runner's confirmation (:func:`verify.claims.confirm`) re-solves a UFM, which a sphere claim has
not; this is its sphere counterpart.
"""

from __future__ import annotations

import time

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed

from ..claims import Claim, evaluate
from ..claims.verdict import Outcome, Verdict, VerdictStatus
from ..strategies import Case
from ..tolerances import DEFAULT, Tolerances
from .exact import precision

__all__ = ["judge"]


def _cases(claim: Claim, examples: int, seed: int) -> list[Case]:
    drawn: list[Case] = []

    @hypothesis_seed(seed)
    @settings(max_examples=examples, database=None, deadline=None, derandomize=False,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(claim.cases())
    def collect(case: Case) -> None:
        drawn.append(case)

    collect()
    return drawn


def judge(claim: Claim, examples: int = 10, seed: int = 0, tol: Tolerances = DEFAULT) -> Verdict:
    start = time.perf_counter()
    outcomes: list[Outcome] = []
    found: Outcome | None = None
    confirmation: dict[str, object] = {}
    for case in [*claim.corners(), *_cases(claim, examples, seed)]:
        o = evaluate(claim, case, tol)
        outcomes.append(o)
        if o.status == "counterexample":
            with precision(tol.sphere_digits + 30):
                again = evaluate(claim, case, tol)
            confirmed = again.status == "counterexample" and again.worst >= tol.refute
            confirmation = {
                "confirmed": confirmed,
                "digits": tol.sphere_digits + 30,
                "worst_residual": again.worst,
                "status": again.status,
            }
            if confirmed:
                found = o
                break
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    judged = [o for o in outcomes if o.residuals]
    worst = max(judged, key=lambda o: o.worst) if judged else None
    if found is not None:
        status = VerdictStatus.REFUTED
        reason = f"certified counterexample: {found.case.describe()}"
    elif set(counts) <= {"holds"} and counts:
        status = VerdictStatus.SUPPORTED
        reason = f"local search only: no counterexample in {counts['holds']} instances"
    else:
        status = VerdictStatus.INCONCLUSIVE
        reason = f"outcomes {counts}"
    return Verdict(claim.id, status, tol, counts, worst, found, confirmation, {}, (), reason,
                   time.perf_counter() - start, examples, seed, {})  # fmt: skip
