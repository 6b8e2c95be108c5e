"""Hunting one claim (one direction of a group): search, refine, simplify, confirm, amend.

1. *Search*: the budget less a fifth is split into units of about ``UNIT_SIZE`` evaluations,
   made lazily as they run (:func:`search_units`), each a search with its own derived seed
   (:mod:`verify.hunt.units`): most cases drawn by a sweep outside Hypothesis's engine
   (:mod:`verify.claims.sweep`), then the engine, which shrinks every counterexample the
   sweep meets and targets the worst residual from its closest calls.
2. *Refine*: the remaining fifth goes to Nelder-Mead from the ``TOP_K`` most promising cases
   that did not fail (:mod:`verify.hunt.refine`).
3. *Simplify and confirm*: the smallest counterexamples are simplified further
   (:mod:`verify.hunt.simplify`) and confirmed by :func:`verify.claims.runner.confirm` (off
   the regime boundaries, a tighter gap, resolved, a second engine). Only a confirmed one makes the claim
   ``refuted``; an unconfirmed one makes it ``inconclusive``, with the reason.
4. *Amend*: for a refuted claim, the narrowest supported extra hypothesis
   (:mod:`verify.hunt.amend`) is hunted in turn with the same budget; if that is refuted too,
   its counterexamples join the evidence and the next candidate is tried (up to
   ``MAX_AMENDMENTS``).

Statuses: ``refuted``, ``survived`` (no counterexample in the budget: the coverage and the
closest call say how hard it was pushed), ``inconclusive`` and ``interrupted``.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ..claims import Claim
from ..claims.hypotheses import unmet
from ..claims.runner import confirm, evaluate, why_unconfirmed
from ..claims.verdict import Outcome
from ..strategies import Case
from ..tolerances import Tolerances
from .amend import Candidate, rank
from .direction import DirectionResult, Settings, order, outside, stated
from .params import build, params_of
from .pool import Runner
from .progress import HuntProgress
from .refine import score
from .simplify import simplify
from .target import ClaimRef
from .units import ConclusionError, RefineUnit, SearchUnit, derive_seed, guarded

__all__ = ["DirectionResult", "Settings", "hunt_direction", "search_units"]

# units of 150 (a unit's sweep then solves larger blocks together, verify.solve.batch) are no
# faster: hunt() with budget 1500 in one process took 6.4 s against 6.3 s for hong-ling-nc1 and
# 59.5 s against 45.1 s for ce-ssetf-analogue:if (refuted: its larger units shrink larger
# counterexamples), measured with the second engine deferred (verify.claims.runner)
UNIT_SIZE = 50
TOP_K = 3
CONFIRM_TRIES = 3
MAX_AMENDMENTS = 3


def _confirm(claim: Claim, case: Case, tol: Tolerances) -> dict[str, Any]:
    try:
        return confirm(claim, case, tol)
    except KeyboardInterrupt:
        raise
    except Exception as error:  # a missing or failing second engine: inconclusive, say why
        first = str(error).splitlines()[0] if str(error) else ""
        return {"confirmed": False, "error": f"{type(error).__name__}: {first}"}


def _why_unconfirmed(conf: dict[str, Any]) -> str:
    if "error" in conf:
        return f"confirmation failed to run ({conf['error']})"
    return why_unconfirmed(conf)


def search_units(
    ref: ClaimRef, budget: int, seed: int, tol: Tolerances, database: str | None
) -> tuple[int, Iterator[SearchUnit]]:
    """The number of search units for ``budget`` evaluations, and the units themselves, made one
    at a time as the runner asks for them: ``budget`` 10^9 is 20 million units, which as a list
    took 3.8 GB and minutes before the first was evaluated. Unit i has ``budget // n`` evaluations
    (one more for the first ``budget % n``) and a seed derived from (seed, claim, i) alone."""
    n = max(1, math.ceil(budget / UNIT_SIZE))

    def units() -> Iterator[SearchUnit]:
        for i in range(n):
            size = budget // n + (1 if i < budget % n else 0)
            if size > 0:
                yield SearchUnit(
                    ref, i, derive_seed(seed, ref.key, "search", i), size, tol, database
                )

    return n, units()


def _most_promising(pool: list[Outcome], k: int) -> list[Outcome]:
    """The first ``k`` distinct cases of ``pool`` in the order (-score, :func:`order`).

    ``order`` needs a case's parameters and description (a rebuilt encoding, an SSETF fit):
    about 0.4 ms a case, seconds for a large hunt, while the workers wait. Its first three
    entries (K, N, d) and the score are cheap, so the pool is sorted by those and ``order`` is
    computed only inside the groups that tie on them, until ``k`` are found: the same cases, in
    the same order, as sorting the whole pool by (-score, order)."""

    def cheap(o: Outcome) -> tuple[float, int, int, int]:
        inst = o.case.instance
        return -score(o), inst.K, inst.N, inst.d

    top: list[Outcome] = []
    for _, group in itertools.groupby(sorted(pool, key=cheap), key=cheap):
        for o in sorted(group, key=order):
            if all(o.case.describe() != t.case.describe() for t in top):
                top.append(o)
            if len(top) == k:
                return top
    return top


def _search_and_refine(state: DirectionResult, runner: Runner, progress: HuntProgress) -> None:
    s, ref = state.settings, state.ref
    state.refine_budget = s.budget // 5 if s.budget >= 10 else 0
    state.search_budget = s.budget - state.refine_budget
    n, units = search_units(ref, state.search_budget, s.seed, s.tol, s.database)
    state.units = n
    state.absorb(runner.run(units, progress.outcome))
    if state.interrupted or state.errors or not state.refine_budget:
        return
    pool = [
        o
        for o, p in zip(state.outcomes, state.phases, strict=True)
        if p == "generate" and o.status in ("holds", "between", "vacuous")
    ]
    top = _most_promising(pool, TOP_K)
    if not top:
        return
    per = max(1, state.refine_budget // len(top))
    refine_units = [RefineUnit(ref, n + i, o.case, per, s.tol) for i, o in enumerate(top)]
    state.absorb(runner.run(refine_units, progress.outcome))


def _off_boundary(
    state: DirectionResult, claim: Claim, tol: Tolerances, progress: HuntProgress
) -> list[Outcome]:
    """Confirmed counterexamples near the unconfirmed ones, moved off the boundary they sit on.

    An unconfirmed counterexample usually sits exactly on a boundary (c equal to a singular
    value of the encoding, lambda_b at a threshold) where only the last digits decide; the
    same failure, if real, persists a little way off it. Up to ``CONFIRM_TRIES`` of them are
    moved in c (by -20% .. +25%) and in lambda_b (x10, and to infinity), and every move that
    fails for the exact engine is confirmed.
    """
    unconfirmed: list[Outcome] = []
    for o in sorted((o for o in state.outcomes if o.status == "unconfirmed"), key=order):
        if all(o.case.describe() != u.case.describe() for u in unconfirmed):
            unconfirmed.append(o)
    found: list[Outcome] = []
    for o in unconfirmed[:CONFIRM_TRIES]:
        p = params_of(o.case)
        moves = [p.with_(c=p.c * f) for f in (1.25, 1.1, 0.9, 0.8)]
        if 0 <= p.lambda_b < math.inf:
            moves += [p.with_(lambda_b=math.inf, lambda_b_mode="inf")]
            moves += [p.with_(lambda_b=max(p.lambda_b, 1e-3) * 10, lambda_b_mode="log")]
        for move in moves:
            case = build(move)
            if case is None or unmet(case.instance, claim.hypotheses, tol):
                continue
            try:
                outcome = evaluate(claim, case, tol, "exact")
            except ConclusionError:
                continue
            if outcome.status == "counterexample":
                conf = _confirm(claim, case, tol)
                if conf["confirmed"]:
                    outcome = replace(outcome, confirmation=conf)
                else:
                    outcome = replace(outcome, status="unconfirmed", confirmation=conf)
            state.outcomes.append(outcome)
            state.phases.append("off-boundary")
            progress.outcome(outcome)
            if outcome.confirmation and outcome.confirmation["confirmed"]:
                found.append(outcome)
                break
        if found:
            break
    return found


def _judge(state: DirectionResult, progress: HuntProgress) -> None:
    claim, tol = guarded(state.claim), state.settings.tol
    if state.errors:
        state.status, state.reason = "inconclusive", state.errors[0]
        return
    if not state.found:
        state.found.extend(_off_boundary(state, claim, tol, progress))
    finds: list[Outcome] = []
    for o in sorted(state.found, key=order):  # distinct instances, smallest first
        if all(o.case.describe() != f.case.describe() for f in finds):
            finds.append(o)
    for found in finds[:CONFIRM_TRIES]:
        simple, tried = simplify(claim, found, tol, on_outcome=progress.outcome)
        state.outcomes.extend(tried)
        state.phases.extend(["simplify"] * len(tried))
        conf = _confirm(claim, simple.case, tol)
        if not conf["confirmed"] and found.confirmation and found.confirmation["confirmed"]:
            # simplifying moved it back onto a boundary: keep the confirmed original
            simple, conf = found, found.confirmation
        state.confirm_attempts.append(
            {"describe": simple.case.describe(), "confirmed": conf["confirmed"]}
        )
        if state.counterexample is None or conf["confirmed"]:
            state.counterexample, state.confirmation = simple, conf
        if conf["confirmed"]:
            state.status = "refuted"
            state.reason = (
                f"certified counterexample, confirmed at the gap {conf['tight']['gap_tolerance']:.0e} "
                f"and by {conf['second']['engine']}: {simple.case.describe()}"
            )
            return
    counts = state.counts()
    if finds:
        state.status = "inconclusive"
        state.reason = (
            "counterexample(s) found but none survived confirmation: "
            + _why_unconfirmed(state.confirmation)
        )
    elif counts.get("unconfirmed"):
        bad = next(o for o in state.outcomes if o.status == "unconfirmed")
        state.status = "inconclusive"
        state.reason = (
            f"{counts['unconfirmed']} counterexample(s) for the exact engine that confirmation "
            f"did not reproduce, e.g. {bad.case.describe()}: {bad.reason}"
        )
    elif counts.get("uncertified"):
        bad = next(o for o in state.outcomes if o.status == "uncertified")
        state.status = "inconclusive"
        state.reason = f"{counts['uncertified']} solve(s) not certified, e.g. {bad.reason}"
    elif counts.get("between"):
        state.status = "inconclusive"
        state.reason = (
            f"{counts['between']} instance(s) with a residual between the tolerances "
            f"{tol.residual:.0e} and {tol.refute:.0e}"
        )
    elif not counts.get("holds"):
        state.status, state.reason = "inconclusive", "no instance satisfied the premise"
    else:
        closest = state.closest_call()
        worst = f"{closest.worst:.2e}" if closest is not None else "n/a"
        state.status = "survived"
        state.reason = (
            f"no counterexample in {len(state.outcomes)} certified instances "
            f"({counts.get('holds', 0)} where the claim applied); closest call: worst residual "
            f"{worst} (tolerance {tol.residual:.0e})"
        )
        if state.ref.relax and not outside(state):
            state.reason += (
                f"; but every instance drawn still satisfied {', '.join(state.ref.relax)}: the "
                "remaining hypotheses imply it, so the relaxation changes nothing"
            )


def _amend(state: DirectionResult, runner: Runner, progress: HuntProgress) -> None:
    claim, tol = state.claim, state.settings.tol
    evidence, generated = state.evidence(), state.generated()
    refuted: tuple[tuple[str, ...], ...] = ()
    attempts: list[dict[str, Any]] = []
    first_table: list[Candidate] | None = None
    sub_settings = replace(state.settings, amend=False)
    for _ in range(MAX_AMENDMENTS):
        table = rank(claim, evidence, generated, tol, refuted, state.ref.relax)
        first_table = first_table or table
        best = next((c for c in table if c.supported and c.names not in refuted), None)
        if best is None:
            break
        sub = hunt_direction(state.ref.amended(*best.names), sub_settings, runner, progress)
        state.amendment_results.append(sub)
        attempts.append(
            {
                "hypotheses": list(best.names),
                "statement": best.statement,
                "keeps": best.keeps,
                "claim": sub.claim.id,
                "status": sub.status,
                "reason": sub.reason,
            }
        )
        if sub.interrupted:
            state.interrupted = True
            break
        if sub.status != "refuted":
            break
        refuted += (best.names,)
        evidence = evidence + sub.evidence()
    candidates = [c.as_dict() for c in (first_table or [])]
    if not state.amendment_results:
        state.amendment = {
            "status": "none",
            "statement": "no candidate hypothesis excludes every counterexample",
            "candidates": candidates,
            "attempts": attempts,
        }
        return
    last = state.amendment_results[-1]
    state.amendment = {
        "id": last.claim.id,
        "hypotheses": attempts[-1]["hypotheses"],
        "restores": [h for h in attempts[-1]["hypotheses"] if h in state.ref.relax],
        "statement": stated(last.claim),
        "added": attempts[-1]["statement"],
        "keeps": attempts[-1]["keeps"],
        "status": last.status,
        "reason": last.reason,
        "candidates": candidates,
        "attempts": attempts,
        "hunts": [r.as_dict(timings=False) for r in state.amendment_results],
    }


def hunt_direction(
    ref: ClaimRef, settings: Settings, runner: Runner, progress: HuntProgress
) -> DirectionResult:
    """Hunt one claim: search, refine, simplify, confirm, and amend when refuted."""
    start = time.perf_counter()
    state = DirectionResult(ref, ref.load(), settings)
    progress.start(state.claim.id, settings.budget)
    try:
        _search_and_refine(state, runner, progress)
        if not state.interrupted:
            _judge(state, progress)
            if state.status == "refuted" and settings.amend:
                _amend(state, runner, progress)
    except KeyboardInterrupt:
        state.interrupted = True
    if state.interrupted and state.status not in ("refuted",):
        state.status = "interrupted"
        if state.counterexample is None and state.found:
            state.counterexample = sorted(state.found, key=order)[0]
        if state.counterexample is None:
            failing = [o for o in state.outcomes if o.status == "counterexample"]
            state.counterexample = min(failing, key=order) if failing else None
        seen = len(state.evidence())
        replay = (
            "the example database replays them first next run"
            if settings.database
            else "no example database was used"
        )
        state.reason = (
            f"interrupted after {len(state.outcomes)} instances; {seen} counterexample(s) "
            f"found so far (kept here, not confirmed; {replay})"
        )
    state.seconds = time.perf_counter() - start
    return state
