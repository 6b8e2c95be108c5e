"""Check a claim: draw instances with Hypothesis, solve with certificates, judge, confirm.

Hypothesis drives the search: ``target()`` pushes towards large residuals and a counterexample
is shrunk to the smallest instance that still fails. A counterexample is *confirmed* before the
claim is called refuted: re-solved with a 100x tighter gap and by a second engine (CVXPY on
small instances, gradient descent otherwise), it must still fail far above the tolerance.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings, target
from hypothesis import seed as hypothesis_seed
from hypothesis.database import ExampleDatabase

from ..errors import UnknownName
from ..solve.precise import GD_PRECISE, PRECISE
from ..strategies import Case
from ..tolerances import DEFAULT, Tolerances
from .claim import Claim, Context, Uncertified
from .determinism import deterministic_generation
from .hypotheses import unmet
from .verdict import Outcome, Verdict

__all__ = ["check", "confirm", "evaluate"]

# residuals at or below this are rounding noise: Hypothesis's target phase would hill-climb on
# noise (thousands of draws for nothing), so only larger residuals are targeted
TARGET_NOISE = 1e-12
# largest semidefinite cone (K + N) that confirmation hands to cvxpy
CVXPY_CONE = 40


def evaluate(
    claim: Claim,
    case: Case,
    tol: Tolerances = DEFAULT,
    engine: str = "exact",
    options: dict[str, Any] | None = None,
) -> Outcome:
    """The claim at one case: solve (certified, ``options`` to the engine), premise, conclusion, status."""
    missing = unmet(case.instance, claim.hypotheses, tol)
    if missing:
        raise AssertionError(f"strategy drew an instance violating {missing}: {case.describe()}")
    ctx = Context(case, tol, engine, options=dict(options or {}))
    premise = None
    try:
        if claim.premise is not None:
            premise = claim.premise(ctx)
        if premise is not None and max(premise.values(), default=0.0) > tol.residual:
            return Outcome(case, "vacuous", {}, premise, _gaps(ctx), "the premise does not hold")
        residuals = claim.conclusion(ctx)
    except Uncertified as error:
        return Outcome(case, "uncertified", {}, premise, _gaps(ctx), str(error))
    worst = max(residuals.values(), default=0.0)
    if not math.isfinite(worst) or worst >= tol.refute:
        status = "counterexample"
    elif worst <= tol.residual:
        status = "holds"
    else:
        status = "between"
    return Outcome(case, status, residuals, premise, _gaps(ctx))


def _gaps(ctx: Context) -> tuple[float, ...]:
    return tuple(s.certificate.relative_gap for s in ctx.solutions)


class _Found(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.status)
        self.outcome = outcome


def confirm(claim: Claim, case: Case, tol: Tolerances = DEFAULT) -> dict[str, Any]:
    """Re-check a counterexample at a 100x tighter gap and with a second, independent engine."""
    tight = evaluate(claim, case, tol.tighter(100.0), "exact")
    # cvxpy (Clarabel at its tightest settings) where its semidefinite cone of size K + N is
    # cheap (its time grows like (K + N)^5: 0.1 s at 30, 3 s at 66, minutes at 166); gradient
    # descent beyond, or when Clarabel stops short of OPTIMAL at those settings
    seconds: list[tuple[str, dict[str, Any]]] = [("gd", GD_PRECISE)]
    if case.instance.K + case.instance.N <= CVXPY_CONE:
        seconds.insert(0, ("cvxpy", PRECISE))
    loose = replace(tol, gap=tol.cross_gap)
    for second, options in seconds:
        other = evaluate(claim, case, loose, second, options)
        if other.status != "uncertified":
            break
    confirmed = tight.status == "counterexample" and other.status == "counterexample"
    return {
        "confirmed": confirmed,
        "tight": {
            "engine": "exact",
            "gap_tolerance": tol.gap / 100,
            "status": tight.status,
            "worst_residual": tight.worst,
            "relative_gaps": list(tight.gaps),
        },
        "second": {
            "engine": second,
            "gap_tolerance": tol.cross_gap,
            "status": other.status,
            "worst_residual": other.worst,
            "relative_gaps": list(other.gaps),
            "reason": other.reason,
        },
    }


def _disagreement(confirmation: dict[str, Any]) -> str:
    tight, second = confirmation["tight"], confirmation["second"]
    text = (
        f"exact at gap {tight['gap_tolerance']:.0e} says {tight['status']} "
        f"(worst {tight['worst_residual']:.2e}), {second['engine']} says {second['status']} "
        f"(worst {second['worst_residual']:.2e})"
    )
    return text + (f": {second['reason']}" if second.get("reason") else "")


def run_search(
    claim: Claim,
    examples: int,
    seed: int,
    tol: Tolerances,
    engine: str,
    outcomes: list[Outcome],
    shrink: bool = True,
    database: ExampleDatabase | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    confirmed_only: bool = True,
) -> Outcome | None:
    """Hypothesis search over the claim's cases; returns the shrunk counterexample, if any.

    With ``confirmed_only`` an instance fails the search only when :func:`confirm` reproduces
    it (its ``confirmation`` is attached), so Hypothesis shrinks towards the smallest
    *confirmed* counterexample: shrinking favours exact boundaries (c = alpha, c = 1) where
    only the last digits decide, and a find there that a second engine cannot reproduce is
    recorded as ``unconfirmed`` and the search goes on. With a ``database``, the
    counterexamples it holds are replayed first (``Phase.reuse``) and new ones are saved to it;
    ``on_outcome`` is called after every evaluated instance.
    """
    phases = [Phase.explicit, Phase.generate, Phase.target] + ([Phase.shrink] if shrink else [])
    if database is not None:
        phases.insert(0, Phase.reuse)

    # @settings outermost: @seed alone would also set database=None
    @settings(
        max_examples=examples,
        database=database,
        derandomize=False,  # the seed decides, whatever profile is loaded (CI's derandomises)
        deadline=None,
        phases=phases,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        print_blob=False,
    )
    @hypothesis_seed(seed)
    @given(claim.cases())
    def search(case: Case) -> None:
        outcome = evaluate(claim, case, tol, engine)
        if outcome.status == "counterexample" and confirmed_only:
            confirmation = confirm(claim, case, tol)
            if confirmation["confirmed"]:
                outcome = replace(outcome, confirmation=confirmation)
            else:
                reason = "not reproduced: " + _disagreement(confirmation)
                outcome = replace(
                    outcome, status="unconfirmed", reason=reason, confirmation=confirmation
                )
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
        # an unconfirmed residual is not trusted, so it does not steer the search either
        trusted = outcome.status != "unconfirmed"
        if trusted and outcome.residuals and TARGET_NOISE < outcome.worst < math.inf:
            target(outcome.worst, label="worst residual")
        if outcome.status == "counterexample":
            raise _Found(outcome)

    try:
        with deterministic_generation():  # a seed means the same search in every process
            search()
    except _Found as found:
        return found.outcome
    return None


def check(
    claim: Claim,
    examples: int = 50,
    seed: int = 0,
    tol: Tolerances = DEFAULT,
    engine: str = "exact",
) -> Verdict:
    """Symbolic part, then numeric search, then the verdict with its evidence."""
    start = time.perf_counter()
    symbolic = _symbolic(claim)
    outcomes: list[Outcome] = []
    found = run_search(claim, examples, seed, tol, engine, outcomes)
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    judged = [o for o in outcomes if o.residuals]
    worst = max(judged, key=lambda o: o.worst) if judged else None
    gaps = tuple(g for o in outcomes for g in o.gaps)
    confirmation: dict[str, Any] = {}
    if found is not None:
        assert found.confirmation is not None and found.confirmation["confirmed"]
        confirmation = found.confirmation
        status, reason = "refuted", f"certified counterexample: {found.case.describe()}"
    elif counts.get("unconfirmed"):
        bad = next(o for o in outcomes if o.status == "unconfirmed")
        status = "inconclusive"
        reason = (
            f"{counts['unconfirmed']} counterexample(s) for the exact engine that confirmation "
            f"did not reproduce, e.g. {bad.case.describe()}: {bad.reason}"
        )
    elif counts.get("uncertified"):
        bad = next(o for o in outcomes if o.status == "uncertified")
        status, reason = (
            "inconclusive",
            f"{counts['uncertified']} solve(s) not certified, e.g. {bad.reason}",
        )
    elif counts.get("between"):
        status = "inconclusive"
        reason = (
            f"{counts['between']} instance(s) with a residual between the tolerances "
            f"{tol.residual:.0e} and {tol.refute:.0e}"
        )
    elif not counts.get("holds"):
        status, reason = "inconclusive", "no instance satisfied the premise"
    elif symbolic.get("complete"):
        status, reason = "proved", "every step of the proof replay is checked algebra"
    else:
        status, reason = (
            "verified",
            f"no counterexample in {counts.get('holds', 0)} certified instances",
        )
    return Verdict(
        claim.id,
        status,
        tol,
        counts,
        worst,
        found,
        confirmation,
        symbolic,
        gaps,
        reason,
        time.perf_counter() - start,
        examples,
        seed,
    )


def _symbolic(claim: Claim) -> dict[str, Any]:
    if claim.derivation is None:
        return {}
    from ..symbolic import derivation

    try:
        d = derivation(claim.derivation)
    except UnknownName:
        return {"error": f"no derivation named {claim.derivation!r}"}
    algebra = [s for s in d.steps if s.kind == "algebra"]
    numeric = [s for s in d.steps if s.kind != "algebra"]
    return {
        "derivation": claim.derivation,
        "algebra_steps": len(algebra),
        "algebra_holding": sum(1 for s in algebra if s.holds),
        "numeric_steps": [s.description for s in numeric],
        "proved": bool(d.proved),
        "complete": bool(d.proved) and not numeric,
    }
