"""Check a claim: draw instances with Hypothesis, solve with certificates, judge, confirm.

Hypothesis drives the search: ``target()`` pushes towards large residuals and a counterexample
is shrunk to the smallest instance that still fails. A counterexample is *confirmed* before the
claim is called refuted: re-solved at the gap ``Tolerances.confirm_gap`` and by a second engine (CVXPY on
small instances, gradient descent otherwise), it must still fail far above the tolerance.
While Hypothesis shrinks, the second engine waits for the final replay of the shrunk case
(:func:`run_search`'s ``deferring``); what a search returns is always confirmed in full.

The hook for claims about another model (the sphere model, :mod:`verify.sphere.claim`): a claim
with a method ``confirm_counterexample(case, tol)`` is confirmed by it instead (it returns a
mapping with ``confirmed`` and ``why``, the one-line reason); one with
``regime_coverage(outcomes, tol)`` says itself which regimes its outcomes reached (the mapping
:func:`coverage` returns). A claim without them, every UFM claim, is judged as before.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import math
import numbers
import time
import unittest
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, Verbosity, given, settings, target
from hypothesis import seed as hypothesis_seed
from hypothesis.control import current_build_context
from hypothesis.database import ExampleDatabase
from hypothesis.errors import Flaky

from .. import regimes
from ..errors import UnknownName
from ..solve import Solution, certify
from ..solve.batch import solve_many
from ..solve.precise import GD_PRECISE, PRECISE
from ..strategies import Case
from ..tolerances import DEFAULT, Tolerances
from . import resolution
from .claim import Claim, Context, PredicateError, Uncertified
from .determinism import deterministic_generation
from .exact import exact_zero_bias, zero_is_the_minimiser
from .hypotheses import unmet
from .sweep import Seeds, draws
from .verdict import Outcome, Verdict

__all__ = ["check", "confirm", "coverage", "evaluate", "replay", "screen", "why_unconfirmed"]

SWEEP_SHARE = 0.8  # of a sweeping search's examples, drawn outside the engine (verify.claims.sweep)
SWEEP_SEEDS = 5  # the closest calls of a sweep that Hypothesis's target phase climbs from
SWEEP_BLOCK = 100  # cases a sweep draws and solves together (verify.solve.batch)
# inside Hypothesis's engine, confirm only the counterexample it shrank to with the second engine
# (run_search's ``deferring``); False confirms every counterexample in full, as before
DEFER_SECOND = True


def evaluate(
    claim: Claim,
    case: Case,
    tol: Tolerances = DEFAULT,
    engine: str = "exact",
    options: dict[str, Any] | None = None,
    solution: Solution | None = None,
    capture: list[Solution] | None = None,
    ahead: Solution | None = None,
) -> Outcome:
    """The claim at one case: solve (certified, ``options`` to the engine), premise, conclusion, status.

    ``solution`` stands in for the case's solve (a probe of :mod:`verify.claims.resolution`);
    ``ahead`` is a certified solve of the case's instance made beforehand (a sweep's block),
    used if the claim asks for that instance's solution;
    ``capture``, if given, receives the solutions the claim used.
    A premise or conclusion that raises, or returns anything but a non-empty mapping of names to
    finite numbers >= 0, makes the outcome ``malformed``: the claim is broken there, not false.
    """
    missing = unmet(case.instance, claim.hypotheses, tol)
    if missing:
        raise AssertionError(f"strategy drew an instance violating {missing}: {case.describe()}")
    ctx = Context(
        case, tol, engine, capture if capture is not None else [], dict(options or {}), ahead
    )
    if solution is not None:
        ctx.solutions.append(solution)
    premise = None
    try:
        if claim.premise is not None:
            premise = _checked(claim.premise(ctx), "premise")
        if premise is not None and max(premise.values()) > tol.residual:
            return Outcome(case, "vacuous", {}, premise, _gaps(ctx), "the premise does not hold")
        residuals = _checked(claim.conclusion(ctx), "conclusion")
    except Uncertified as error:
        return Outcome(case, "uncertified", {}, premise, _gaps(ctx), str(error))
    except Malformed as error:
        return Outcome(case, "malformed", {}, premise, _gaps(ctx), str(error))
    except (KeyboardInterrupt, _Found, PredicateError):
        raise
    except Exception as error:  # a predicate's own bug: the claim is broken here, say where
        first = str(error).splitlines()[0] if str(error) else ""
        reason = f"the claim raised {type(error).__name__}: {first}"
        return Outcome(case, "malformed", {}, premise, _gaps(ctx), reason)
    worst = max(residuals.values())
    if worst >= tol.refute:
        status = "counterexample"
    elif worst <= tol.residual:
        status = "holds"
    else:
        status = "between"
    return Outcome(case, status, residuals, premise, _gaps(ctx))


class Malformed(Exception):
    """A premise or conclusion that did not return named finite residuals >= 0."""


def _checked(value: Any, part: str) -> dict[str, float]:
    if not isinstance(value, Mapping) or not value:
        shown = "an empty mapping" if isinstance(value, Mapping) else type(value).__name__
        raise Malformed(f"the {part} returned {shown}; it must return named residuals")
    out: dict[str, float] = {}
    for name, x in value.items():
        if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x) or x < 0:
            raise Malformed(
                f"the {part}'s residual {name!r} is {x!r}; a residual is a finite number >= 0"
            )
        out[str(name)] = float(x)
    return out


def _gaps(ctx: Context) -> tuple[float, ...]:
    return tuple(s.certificate.relative_gap for s in ctx.solutions)


class _Found(Exception):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.status)
        self.outcome = outcome


def confirm(claim: Claim, case: Case, tol: Tolerances = DEFAULT) -> dict[str, Any]:
    """Re-check a counterexample: off every regime boundary, at the gap ``confirm_gap``, resolved by
    that certificate (:mod:`verify.claims.resolution`), and with a second, independent engine.

    Confirmed only when all four hold, the last as: the second engine reproduces the
    counterexample, or, where its own point is too close to the claim's boundary to judge (its
    certified ball holds counterexamples), it corroborates by placing the exact engine's point
    inside that ball; an engine that contradicts (certified, no counterexample in its ball) stops
    confirmation. Within ``tol.boundary`` of a singular level or of the lambda_b threshold the
    answer depends on how the instance's own numbers round (c = alpha computed as
    alpha (1 - 1e-16)), so such a counterexample is confirmed only when exact arithmetic
    decides it: when the instance's own numbers (rationals, as every float is) make (0, 0, b*)
    the unique minimiser (:mod:`verify.claims.exact`), the claim is judged there instead.

    A claim with its own ``confirm_counterexample`` is confirmed by it (the module docstring).
    """
    record, own = _screen(claim, case, tol)
    if record["confirmed"] is not None:
        return record
    return _second(claim, case, tol, record, own)


def screen(claim: Claim, case: Case, tol: Tolerances = DEFAULT) -> dict[str, Any]:
    """The part of :func:`confirm` that the exact engine decides: off the boundaries, at the gap
    ``confirm_gap``, resolved. ``confirmed`` is False when that part fails, True when it decides
    alone (exact arithmetic on a boundary, a claim's own confirmation), and None when only the
    second engine, which costs a hundred times more, is left to run."""
    return _screen(claim, case, tol)[0]


def _screen(claim: Claim, case: Case, tol: Tolerances) -> tuple[dict[str, Any], Solution | None]:
    own = getattr(claim, "confirm_counterexample", None)
    if own is not None:
        return dict(own(case, tol)), None
    distance = regimes.boundary_distance(case.instance)
    on_boundary = distance <= tol.boundary
    tight_ctx: list[Solution] = []
    tight = evaluate(claim, case, tol.tighter(), "exact", capture=tight_ctx)
    resolution = _resolution(claim, case, tol, tight, tight_ctx)
    record = {
        "boundary": {"distance": distance, "tolerance": tol.boundary, "on_boundary": on_boundary},
        "tight": {
            "engine": "exact",
            "gap_tolerance": tol.confirm_gap,
            "status": tight.status,
            "worst_residual": tight.worst,
            "relative_gaps": list(tight.gaps),
        },
        "resolution": resolution,
    }
    if on_boundary:
        exact = _exact_zero(claim, case, tol)
        if exact is not None:  # decided in rational arithmetic: no engine can change it
            decided = {"confirmed": exact["verdict"] == "reproduced", **record, "second": exact}
            return decided, None
    skipped = {"engine": "none", "status": "not run", "worst_residual": math.nan}
    if on_boundary or not resolution["resolved"]:  # no second engine can change the answer
        return {"confirmed": False, **record, "second": {**skipped, "reason": ""}}, None
    pending = {**skipped, "reason": "the second engine runs on the counterexample a search returns"}
    return {"confirmed": None, **record, "second": pending}, _own(tight_ctx, case)


def _second(
    claim: Claim, case: Case, tol: Tolerances, record: dict[str, Any], own: Solution | None
) -> dict[str, Any]:
    """:func:`confirm`'s last condition: a second, independent engine on a screened case."""
    record = {k: v for k, v in record.items() if k not in ("confirmed", "second")}
    # cvxpy (Clarabel at its tightest settings) where its semidefinite cone of size K + N is
    # cheap (its time grows like (K + N)^5: 0.1 s at 30, 3 s at 66, minutes at 166); gradient
    # descent beyond, or when Clarabel stops short of OPTIMAL at those settings
    seconds: list[tuple[str, dict[str, Any]]] = [("gd", GD_PRECISE)]
    if tol.cvxpy_cone >= case.instance.K + case.instance.N:
        seconds.insert(0, ("cvxpy", PRECISE))
    # A second engine reproduces the counterexample, contradicts it (certified, and no point of
    # its own certified ball is a counterexample), or is ambiguous: its own point is within its
    # error of the claim's boundary (a tiny Z whose shape is its solver's noise). An ambiguous
    # engine still corroborates when the exact engine's certified point lies inside its ball
    # (||Z - Z'|| within the sum of both bounds): they agree on the minimiser, and only the
    # shape of noise is undecided. The next engine is asked until one reproduces or contradicts.
    loose = replace(tol, gap=tol.cross_gap)
    corroborated: list[str] = []
    verdict = "not reproduced"
    for second, options in seconds:
        used: list[Solution] = []
        other = evaluate(claim, case, loose, second, options, capture=used)
        if other.status == "counterexample":
            verdict = "reproduced"
            break
        if other.status == "uncertified":
            continue
        theirs = _own(used, case)
        if not _ball_fails(claim, case, loose, used):
            verdict = "contradicted"
            break
        if own is not None and theirs is not None and _inside(own, theirs):
            corroborated.append(second)
    confirmed = verdict == "reproduced" or (verdict == "not reproduced" and bool(corroborated))
    return {
        "confirmed": confirmed,
        **record,
        "second": {
            "engine": second,
            "gap_tolerance": tol.cross_gap,
            "status": other.status,
            "worst_residual": other.worst,
            "relative_gaps": list(other.gaps),
            "reason": other.reason,
            "verdict": verdict,
            "corroborated_by": corroborated,
        },
    }


def _exact_zero(claim: Claim, case: Case, tol: Tolerances) -> dict[str, Any] | None:
    """On a boundary, the claim at the zero minimiser when exact arithmetic proves (0, 0, b*)
    is the unique minimiser (:mod:`verify.claims.exact`); None when it does not."""
    inst = case.instance
    if not zero_is_the_minimiser(inst):
        return None
    b = np.array([float(x) for x in exact_zero_bias(inst)])
    W, H = np.zeros((inst.K, inst.d)), np.zeros((inst.d, inst.N))
    point = Solution(inst, W, H, b, certify(inst, W, H, b, "exact arithmetic", tol), 0.0)
    outcome = evaluate(claim, case, tol, solution=point)
    return {
        "engine": "exact arithmetic",
        "gap_tolerance": 0.0,
        "status": outcome.status,
        "worst_residual": outcome.worst,
        "relative_gaps": list(outcome.gaps),
        "reason": "(0, 0, b*) is the unique minimiser, by a KKT check in rational arithmetic",
        "verdict": "reproduced" if outcome.status == "counterexample" else "contradicted",
        "corroborated_by": [],
    }


def _own(solved: list[Solution], case: Case) -> Solution | None:
    """The solution of the case's own instance among those a claim used, if it solved it."""
    return next((s for s in solved if s.instance is case.instance), None)


def _inside(mine: Solution, theirs: Solution) -> bool:
    """Whether the two certified points are within the sum of their bounds on Z and on b (never,
    when a certificate bounds no distance in Z)."""
    mine_Z, theirs_Z = mine.certificate.distance_bounds.Z, theirs.certificate.distance_bounds.Z
    if mine_Z is None or theirs_Z is None:
        return False
    bounds = mine_Z + theirs_Z
    b_bounds = resolution.b_bound(mine) + resolution.b_bound(theirs)
    return (
        float(np.linalg.norm(mine.Z - theirs.Z)) <= bounds
        and float(np.linalg.norm(mine.b - theirs.b)) <= b_bounds
    )


def _resolution(
    claim: Claim, case: Case, tol: Tolerances, tight: Outcome, solved: list[Solution]
) -> dict[str, Any]:
    """Probe the tight certificate's ball: does the counterexample stay one everywhere tried?"""
    if tight.status != "counterexample":
        return {"resolved": False, "reason": f"the tight solve says {tight.status}", "probes": 0}
    own = _own(solved, case)
    if own is None:  # the claim never solved its own instance: nothing to resolve
        return {"resolved": True, "reason": "the claim does not use the solution", "probes": 0}
    r, change, tried = tight.worst, 0.0, 0
    for name, probe in resolution.probes(case, own, tol.probe_pairs):
        tried += 1
        at = evaluate(claim, case, tol.tighter(), "exact", solution=probe)
        if at.status != "counterexample":
            return {
                "resolved": False,
                "reason": f"at {name} (inside the certified bounds) the outcome is {at.status}",
                "probes": tried,
            }
        change = max(change, abs(at.worst - r))
    if not tried:  # no ball to probe (a certificate with no distance bound in Z)
        return {
            "resolved": True,
            "reason": "the certificate bounds no distance in Z: nothing to probe, the second "
            "engine must reproduce the counterexample",
            "probes": 0,
        }
    resolved = r - change >= tol.refute
    moved = f"{change:.1e}" if change > tol.residual else f"≤ {tol.residual:.0e}"  # else rounding
    reason = f"worst residual {r:.2e} moves by at most {moved} inside the certified bounds" + (
        "" if resolved else f", which could take it below refute={tol.refute:.0e}"
    )
    return {"resolved": resolved, "reason": reason, "probes": tried, "change": change}


def _ball_fails(claim: Claim, case: Case, tol: Tolerances, solved: list[Solution]) -> bool:
    """Whether some probe of the certified ball around the case's solution is a counterexample."""
    own = _own(solved, case)
    return own is not None and any(
        evaluate(claim, case, tol, "exact", solution=probe).status == "counterexample"
        for _, probe in resolution.probes(case, own, tol.probe_pairs)
    )


def why_unconfirmed(confirmation: dict[str, Any]) -> str:
    """Why a counterexample was not confirmed, in one line."""
    if "why" in confirmation:  # a claim's own confirmation says it itself
        return str(confirmation["why"])
    tight, second = confirmation["tight"], confirmation["second"]
    boundary, resolved = confirmation["boundary"], confirmation["resolution"]
    why = []
    if boundary["on_boundary"] and second["engine"] != "exact arithmetic":
        why.append(
            f"it lies {boundary['distance']:.1e} (relative) from a regime boundary, within "
            f"boundary={boundary['tolerance']:.0e}, where rounding of the instance decides"
        )
    if tight["status"] == "counterexample" and not resolved["resolved"]:
        why.append(f"not resolved by the certificate: {resolved['reason']}")
    text = (
        f"exact at gap {tight['gap_tolerance']:.0e} says {tight['status']} "
        f"(worst {tight['worst_residual']:.2e}), {second['engine']} says {second['status']} "
        f"(worst {second['worst_residual']:.2e})"
    )
    if second.get("reason"):
        text += f": {second['reason']}"
    return "; ".join([*why, text])


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
    corners: bool = True,
    sweep: bool = False,
) -> Outcome | None:
    """The claim's deterministic corners, then a Hypothesis search over its cases; returns the
    smaller of the first corner that fails (confirmed) and the shrunk counterexample, if any.

    With ``sweep`` (what a hunt does) the first ``SWEEP_SHARE`` of the examples are drawn from
    the same strategy outside Hypothesis's engine (:mod:`verify.claims.sweep`, half the cost of
    a draw) and the engine takes over from them: the first that fails is replayed and
    shrunk by it, or else the rest of the examples go to its target phase, climbing from the
    ``SWEEP_SEEDS`` largest residuals; with none above ``tol.residual`` to climb the sweep
    draws them all.

    With ``confirmed_only`` an instance fails the search only when :func:`confirm` reproduces
    it (its ``confirmation`` is attached), so Hypothesis shrinks towards the smallest
    *confirmed* counterexample: shrinking favours exact boundaries (c = alpha, c = 1) where
    only the last digits decide, and a find there that a second engine cannot reproduce is
    recorded as ``unconfirmed`` and the search goes on. With a ``database``, the
    counterexamples it holds are replayed first (``Phase.reuse``, before the corners) and new
    ones are saved to it;
    ``on_outcome`` is called after every evaluated instance. Hypothesis's target phase climbs
    the worst residual, rounded to 3 significant digits and only above ``tol.residual``: below
    it a residual is rounding (1.3e-8 with one BLAS kernel, 3e-16 with another, same instance),
    which must not steer the search.
    """
    phases = [Phase.explicit, Phase.generate, Phase.target] + ([Phase.shrink] if shrink else [])
    # Inside Hypothesis's engine the second engine is deferred to the final replay of what it
    # shrank (``deferred``), but for the repeat of a run whose final replay it rejected;
    # ``held`` keeps a deferred run's outcomes until it ends (see ``deferring``)
    deferred = confirmed_only and DEFER_SECOND
    held: list[Outcome] | None = None

    def searcher(
        phases: list[Phase], seeds: tuple[bytes, ...] = (), max_examples: int = examples
    ) -> Callable[[], None]:
        # @settings outermost: @seed alone would also set database=None
        test = settings(
            max_examples=max_examples,
            database=Seeds(seeds, database) if seeds else database,
            derandomize=False,  # the seed decides, whatever profile is loaded (CI's derandomises)
            deadline=None,
            phases=phases,
            verbosity=Verbosity.quiet,
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
            print_blob=False,
        )(hypothesis_seed(seed)(given(claim.cases())(search)))
        return lambda: deferring(test)

    def deferring(test: Callable[[], None]) -> None:
        """Run ``test`` with the second engine deferred, and again without if that fails.

        Shrinking meets dozens of counterexamples, and the second engine (CVXPY, gradient
        descent) costs a hundred times the rest of a confirmation (0.4-1 s against 10 ms): so
        each is only screened (:func:`screen`: exact engine, tight gap, resolved, off the
        boundaries) and the one Hypothesis shrank to is confirmed in full when it replays it
        last. If that fails, Hypothesis says its test is flaky, and the run is repeated from
        the same seed confirming every counterexample in full: what this search always did,
        shrinking towards the smallest *confirmed* counterexample. (A screened counterexample
        the second engine would reject, met on the way, can change the path: the result is
        still confirmed in full.) Either way the outcomes of the run reach ``outcomes`` (and
        ``on_outcome``) when it ends, those of a failed first run never."""
        nonlocal deferred, held
        if not deferred:
            test()
            return
        held = []
        try:
            test()
        except Flaky:
            held.clear()
            deferred = False
            test()
        finally:
            kept, held, deferred = held, None, True
            for outcome in kept:
                record(outcome)

    def search(case: Case) -> None:
        outcome = judge(case, final=current_build_context().is_final)
        if climbs(outcome):
            target(float(f"{outcome.worst:.3g}"), label="worst residual")
        if outcome.status == "counterexample":
            raise _Found(outcome)

    def climbs(outcome: Outcome) -> bool:
        # an unconfirmed residual is not trusted, so it does not steer the search either
        trusted = outcome.status != "unconfirmed"
        return bool(trusted and outcome.residuals and outcome.worst > tol.residual)

    def judge(case: Case, ahead: Solution | None = None, final: bool = True) -> Outcome:
        outcome = evaluate(claim, case, tol, engine, ahead=ahead)
        if outcome.status == "counterexample" and confirmed_only:
            later = deferred and not final
            confirmation = screen(claim, case, tol) if later else confirm(claim, case, tol)
            if confirmation["confirmed"] or (later and confirmation["confirmed"] is None):
                outcome = replace(outcome, confirmation=confirmation)
            else:
                reason = "not reproduced: " + why_unconfirmed(confirmation)
                outcome = replace(
                    outcome, status="unconfirmed", reason=reason, confirmation=confirmation
                )
        if held is not None:
            held.append(outcome)
        else:
            record(outcome)
        return outcome

    def record(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    corner = None
    try:
        with deterministic_generation():  # a seed means the same search in every process
            if database is not None:  # what an earlier run found is replayed before anything
                _replay(searcher([Phase.reuse]))
            for case in claim.corners() if corners else ():
                if judge(case).status == "counterexample":
                    corner = outcomes[-1]
                    break
            if not sweep:
                searcher(phases)()
            else:
                failed = _sweep(
                    claim, examples, seed, tol, engine, shrink, phases, searcher, judge, climbs
                )
                if failed is not None:
                    return failed if corner is None or _size(failed) < _size(corner) else corner
    except _Found as found:
        # a corner is not shrunk: keep whichever counterexample is smaller
        if corner is None or _size(found.outcome) < _size(corner):
            return found.outcome
    return corner


def _sweep(
    claim: Claim,
    examples: int,
    seed: int,
    tol: Tolerances,
    engine: str,
    shrink: bool,
    phases: list[Phase],
    searcher: Callable[..., Callable[[], None]],
    judge: Callable[[Case, Solution | None, bool], Outcome],
    climbs: Callable[[Outcome], bool],
) -> Outcome | None:
    """The sweep of :func:`run_search`; raises ``_Found`` with what the engine shrank, or
    returns a swept counterexample that the engine's replay did not reproduce."""
    share = max(1, int(SWEEP_SHARE * examples))
    close: list[tuple[float, int, bytes]] = []  # (residual, order drawn, choices), largest first
    drawn, stream = 0, draws(claim.cases(), seed)
    block: collections.deque[tuple[Case, bytes, Solution | None]] = collections.deque()
    while drawn < examples and not (drawn >= share and close):
        if not block:  # the next block of the sweep, drawn and solved together
            size = min(SWEEP_BLOCK, (share if drawn < share else examples) - drawn)
            block.extend(_solved_ahead(list(itertools.islice(stream, size)), tol, engine))
        if not block:  # the strategy rejects everything: the engine says why, or searches
            if not drawn:
                searcher(phases)()
            break
        case, choices, ahead = block.popleft()
        drawn += 1
        # a counterexample that is to be shrunk meets the second engine when shrinking ends
        outcome = judge(case, ahead, not shrink)
        if outcome.status == "counterexample":
            if shrink:
                _replay(searcher([Phase.reuse, Phase.shrink], (choices,)))
            # not shrunk (or the replay did not fail): keep it as drawn, confirmed in full
            conf = outcome.confirmation
            if conf is None or conf["confirmed"]:
                return outcome
            full = confirm(claim, case, tol)
            if full["confirmed"]:
                return replace(outcome, confirmation=full)
            continue  # not reproduced: not trusted, so not climbed from either (``climbs``)
        if climbs(outcome):
            close = sorted([*close, (-outcome.worst, drawn, choices)])[:SWEEP_SEEDS]
    if close and drawn < examples:
        climb = [Phase.reuse, Phase.target] + ([Phase.shrink] if shrink else [])
        _replay(searcher(climb, tuple(c for _, _, c in close), examples - drawn + len(close)))
    return None


def _solved_ahead(
    drawn: list[tuple[Case, bytes]], tol: Tolerances, engine: str
) -> list[tuple[Case, bytes, Solution | None]]:
    """The drawn cases with their instances solved together (:func:`verify.solve.batch.solve_many`:
    the exact engine's method, stacked; certified like any solve), None where that does not apply
    (another engine, MSE, a larger K, a stacked solve short of the engine's target gap): the
    claim then solves the case itself, as it always does."""
    if engine != "exact" or not drawn:
        return [(case, choices, None) for case, choices in drawn]
    solved = solve_many([case.instance for case, _ in drawn], tol)
    return [(case, choices, s) for (case, choices), s in zip(drawn, solved, strict=True)]


def _replay(search: Callable[[], None]) -> None:
    """Run a search that starts from its database (the reuse phase, no generation).

    With nothing there to replay (an empty example database: every first hunt) Hypothesis runs
    no test case and raises ``unittest.SkipTest`` ("told to run no test cases"), which here
    means only that: before this, a first ``verify hunt`` with its default database stopped
    with that traceback, and the test of the database was skipped instead of failing."""
    with contextlib.suppress(unittest.SkipTest):
        search()


def _size(outcome: Outcome) -> tuple[int, int, int]:
    inst = outcome.case.instance
    return inst.K, inst.N, inst.d


def check(
    claim: Claim,
    examples: int = 50,
    seed: int = 0,
    tol: Tolerances = DEFAULT,
    engine: str = "exact",
    shrink: bool = True,
) -> Verdict:
    """Symbolic part, then the corners and the numeric search, then the verdict with its evidence.

    ``verified`` needs certified instances in every regime the hypotheses allow; ``proved``
    also needs every proof step to be algebra that SymPy reduced symbolically. A failed or
    missing proof step, a malformed residual, an unconfirmed counterexample, an uncertified
    solve, a residual between the tolerances or a regime not reached make it ``inconclusive``,
    and the reason says which.
    """
    start = time.perf_counter()
    symbolic = replay(claim)
    outcomes: list[Outcome] = []
    found = run_search(claim, examples, seed, tol, engine, outcomes, shrink=shrink)
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    judged = [o for o in outcomes if o.residuals]
    # below the tolerance a residual is the machine's rounding: the first such one stands for all
    worst = (
        max(judged, key=lambda o: o.worst if o.worst > tol.residual else 0.0) if judged else None
    )
    gaps = tuple(g for o in outcomes for g in o.gaps)
    reached = coverage(claim, outcomes, tol)
    confirmation: dict[str, Any] = {}

    def first(status: str) -> Outcome:
        return next(o for o in outcomes if o.status == status)

    if found is not None:
        assert found.confirmation is not None and found.confirmation["confirmed"]
        confirmation = found.confirmation
        status, reason = "refuted", f"certified counterexample: {found.case.describe()}"
    elif symbolic.get("error") or symbolic.get("failed"):
        status = "inconclusive"
        reason = symbolic.get("error") or f"a proof step fails: {symbolic['failed'][0]}"
    elif counts.get("malformed"):
        bad = first("malformed")
        status = "inconclusive"
        reason = f"{counts['malformed']} malformed outcome(s): {bad.reason} ({bad.case.describe()})"
    elif counts.get("unconfirmed"):
        bad = first("unconfirmed")
        status = "inconclusive"
        reason = (
            f"{counts['unconfirmed']} counterexample(s) for the exact engine that confirmation "
            f"did not reproduce, e.g. {bad.case.describe()}: {bad.reason}"
        )
    elif counts.get("uncertified"):
        status = "inconclusive"
        reason = (
            f"{counts['uncertified']} solve(s) not certified, e.g. {first('uncertified').reason}"
        )
    elif counts.get("between"):
        status = "inconclusive"
        reason = (
            f"{counts['between']} instance(s) with a residual between the tolerances "
            f"{tol.residual:.0e} and {tol.refute:.0e}"
        )
    elif not counts.get("holds"):
        status, reason = "inconclusive", "no instance satisfied the premise"
    elif reached["missing"]:
        status = "inconclusive"
        reason = "regimes the hypotheses allow but the search never reached: " + ", ".join(
            reached["missing"]
        )
    elif symbolic.get("complete"):
        status, reason = "proved", "every step of the proof replay is algebra SymPy reduced"
    else:
        status = "verified"
        reason = (
            f"no counterexample in {counts.get('holds', 0)} certified instances, "
            f"{reached['reached']}/{reached['allowed']} regimes"
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
        reached,
    )


_REACHED = ("holds", "counterexample", "unconfirmed", "between", "vacuous")


def coverage(claim: Claim, outcomes: list[Outcome], tol: Tolerances) -> dict[str, Any]:
    """Which of the regimes the claim's hypotheses allow its certified instances reached (the
    claim's own ``regime_coverage``, if it has one)."""
    own = getattr(claim, "regime_coverage", None)
    if own is not None:
        return dict(own(outcomes, tol))
    allowed = regimes.allowed(claim.hypotheses, claim.max_K)
    per: dict[str, dict[str, int]] = {
        f"{axis}: {v}": {"judged": 0, "vacuous": 0}
        for axis, values in allowed.items()
        for v in values
    }
    reached = []
    for o in outcomes:
        if o.status not in _REACHED:
            continue
        labels = regimes.label(o.case.instance, tol)
        reached.append(labels)
        for axis, value in labels.items():
            cell = per.setdefault(f"{axis}: {value}", {"judged": 0, "vacuous": 0})
            cell["vacuous" if o.status == "vacuous" else "judged"] += 1
    n_reached, n_allowed, missing = regimes.coverage(reached, allowed)
    only_vacuous = [k for k, cell in per.items() if cell["vacuous"] and not cell["judged"]]
    return {
        "reached": n_reached,
        "allowed": n_allowed,
        "missing": missing,
        "premise_never_held": only_vacuous,
        "regimes": per,
    }


def replay(claim: Claim) -> dict[str, Any]:
    """The claim's proof replay, step by step: which hold, how, and which fail."""
    if claim.derivation is None:
        return {}
    from ..symbolic import derivation

    name = claim.derivation
    try:
        d = derivation(name)
    except UnknownName:
        return {"derivation": name, "error": f"no derivation named {name!r}"}
    except Exception as error:  # a derivation that cannot be built proves nothing
        return {
            "derivation": name,
            "error": f"the derivation raised {type(error).__name__}: {error}",
        }
    algebra = [s for s in d.steps if s.kind == "algebra"]
    lemmas = [s for s in d.steps if s.kind == "lemma"]
    numeric = [s for s in d.steps if s.kind == "numeric"]
    failed = [
        f"step {i} ({s.description})" + (f": {s.counterexample}" if s.counterexample else "")
        for i, s in enumerate(d.steps, 1)
        if s.kind in ("algebra", "lemma") and not s.holds
    ]
    symbolic_only = all(s.method == "symbolic" for s in algebra)
    return {
        "derivation": name,
        "algebra_steps": len(algebra),
        "algebra_holding": sum(1 for s in algebra if s.holds),
        "algebra_by_random_points": sum(1 for s in algebra if s.method != "symbolic"),
        "lemmas": [s.lhs for s in lemmas],
        "numeric_steps": [s.description for s in numeric],
        "failed": failed,
        "proved": bool(algebra) and not failed,
        "complete": bool(algebra) and not failed and not numeric and symbolic_only,
    }
