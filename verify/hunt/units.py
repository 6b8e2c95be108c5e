"""Work units of a hunt: self-contained, picklable, deterministic given their seed.

A :class:`SearchUnit` runs searches (:func:`verify.claims.runner.run_search`: a sweep of cases
drawn outside Hypothesis's engine, then the engine, which targets the worst residual and shrinks
what fails) until its share of the budget is spent,
starting a fresh search with a derived seed after each shrunk counterexample so later rounds
look elsewhere. A :class:`RefineUnit` runs the local optimiser from one promising case. Units
depend only on their fields, so running them in one process, in a process pool or on a Dask
cluster gives the same results, merged by unit index.

Ctrl-C inside a unit ends it early with ``interrupted=True`` and every outcome evaluated so far,
counterexamples included; the caller writes what it has.
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from ..claims import Claim, Context, Residuals, Uncertified
from ..claims.claim import PredicateError
from ..claims.runner import run_search
from ..claims.verdict import Outcome
from ..strategies import Case
from ..tolerances import DEFAULT, Tolerances
from .target import ClaimRef

__all__ = [
    "ConclusionError",
    "RefineUnit",
    "SearchUnit",
    "UnitResult",
    "derive_seed",
    "guarded",
    "run_unit",
]

OnOutcome = Callable[[Outcome], None]


def derive_seed(*parts: object) -> int:
    """A 32-bit seed from ``parts`` (stable across processes and Python versions, unlike hash())."""
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big")


class KeyedDatabase(ExampleDatabase):
    """A view of a directory database whose keys are prefixed, so each search round of each
    claim keeps its own counterexamples (every round's test function has the same digest)."""

    def __init__(self, path: str, prefix: str) -> None:
        super().__init__()
        self._db = DirectoryBasedExampleDatabase(path)
        self._prefix = prefix.encode() + b"/"

    def _key(self, key: bytes) -> bytes:
        return self._prefix + key

    def save(self, key: bytes, value: bytes) -> None:
        self._db.save(self._key(key), value)

    def fetch(self, key: bytes) -> Iterable[bytes]:
        return self._db.fetch(self._key(key))

    def delete(self, key: bytes, value: bytes) -> None:
        self._db.delete(self._key(key), value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        self._db.move(self._key(src), self._key(dest), value)


@dataclass(frozen=True)
class SearchUnit:
    """``budget`` evaluations of search on ``ref`` from ``seed`` (swept, then Hypothesis)."""

    ref: ClaimRef
    index: int
    seed: int
    budget: int
    tol: Tolerances = DEFAULT
    database: str | None = None  # directory of a DirectoryBasedExampleDatabase
    max_finds: int = 3
    sweep: bool = True  # most cases drawn outside Hypothesis's engine (verify.claims.sweep)


@dataclass(frozen=True)
class RefineUnit:
    """Local optimisation of the worst residual from ``case``, with ``budget`` evaluations."""

    ref: ClaimRef
    index: int
    case: Case
    budget: int
    tol: Tolerances = DEFAULT


@dataclass
class UnitResult:
    """Everything a unit evaluated (with the phase of each), and the counterexamples it found."""

    kind: str
    index: int
    outcomes: list[Outcome] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    found: list[Outcome] = field(default_factory=list)
    first_counterexample_at: int | None = None
    interrupted: bool = False
    error: str = ""

    def record(self, outcome: Outcome, phase: str) -> None:
        self.outcomes.append(outcome)
        self.phases.append(phase)
        if outcome.status == "counterexample" and self.first_counterexample_at is None:
            self.first_counterexample_at = len(self.outcomes)


class ConclusionError(PredicateError):
    """The claim's premise or conclusion raised at an instance (it may be undefined there)."""


def _guard(
    predicate: Callable[[Context], Residuals] | None,
) -> Callable[[Context], Residuals] | None:
    if predicate is None:
        return None

    def guarded(ctx: Context) -> Residuals:
        try:
            return predicate(ctx)
        except (Uncertified, KeyboardInterrupt):
            raise
        except Exception as error:
            where = traceback.extract_tb(error.__traceback__)[-1]
            raise ConclusionError(
                f"evaluating the claim raised {type(error).__name__}"
                f"{': ' + str(error).splitlines()[0] if str(error) else ''} "
                f"({Path(where.filename).name}:{where.lineno}) at {ctx.case.describe()}; "
                "its statement may be undefined there"
            ) from None

    return guarded


def guarded(claim: Claim) -> Claim:
    """The claim with its premise and conclusion raising :class:`ConclusionError` (naming the
    instance) instead of whatever they raised."""
    conclusion = _guard(claim.conclusion)
    assert conclusion is not None
    return replace(claim, conclusion=conclusion, premise=_guard(claim.premise))


def _search(unit: SearchUnit, on_outcome: OnOutcome | None) -> UnitResult:
    claim = guarded(unit.ref.load())
    result = UnitResult("search", unit.index)
    remaining, round_ = unit.budget, 0
    try:
        while remaining > 0 and len(result.found) < unit.max_finds:
            shrinking = [False]

            def hook(outcome: Outcome, shrinking: list[bool] = shrinking) -> None:
                result.record(outcome, "shrink" if shrinking[0] else "generate")
                if outcome.status == "counterexample":
                    shrinking[0] = True
                if on_outcome is not None:
                    on_outcome(outcome)

            database = None
            if unit.database is not None:
                Path(unit.database).mkdir(parents=True, exist_ok=True)
                database = KeyedDatabase(
                    unit.database, f"{unit.ref.key}/unit{unit.index}/round{round_}"
                )
            before = len(result.outcomes)
            found = run_search(
                claim,
                remaining,
                derive_seed(unit.seed, round_),
                unit.tol,
                "exact",
                [],
                database=database,
                on_outcome=hook,
                corners=unit.index == 0 and round_ == 0,  # the deterministic corners, once
                sweep=unit.sweep,
            )
            remaining -= max(len(result.outcomes) - before, 1)
            if found is None:
                break
            result.found.append(found)
            round_ += 1
    except KeyboardInterrupt:
        result.interrupted = True
    except ConclusionError as error:
        result.error = str(error)
    except AssertionError as error:
        if "strategy drew" not in str(error):
            raise
        result.error = str(error).splitlines()[0]
    return result


def _refine(unit: RefineUnit, on_outcome: OnOutcome | None) -> UnitResult:
    from .refine import refine

    claim = guarded(unit.ref.load())
    result = UnitResult("refine", unit.index)

    def hook(outcome: Outcome) -> None:
        result.record(outcome, "refine")
        if on_outcome is not None:
            on_outcome(outcome)

    try:
        found = refine(claim, unit.case, unit.budget, unit.tol, hook)
    except KeyboardInterrupt:
        result.interrupted = True
        return result
    except ConclusionError as error:
        result.error = str(error)
        return result
    if found is not None:
        result.found.append(found)
    return result


def run_unit(unit: SearchUnit | RefineUnit, on_outcome: OnOutcome | None = None) -> UnitResult:
    """Run one unit (in this process); module-level so process pools and Dask can pickle it."""
    if isinstance(unit, SearchUnit):
        return _search(unit, on_outcome)
    return _refine(unit, on_outcome)
