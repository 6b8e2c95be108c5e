"""The sweep: cases drawn outside Hypothesis's engine and handed back to it (verify.claims.sweep).

Each test pins one thing the hunt relies on: a swept case is what the engine replays from its
choices (so a failure can be shrunk, and a close call climbed from), a swept counterexample comes
back shrunk, the target phase starts from the sweep's closest calls, a sweep reaches every
regime, and a strategy that rejects everything ends the sweep instead of hanging it.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.database import InMemoryExampleDatabase

from verify import Claim, Context, Residuals
from verify.claims.determinism import deterministic_generation
from verify.claims.runner import SWEEP_SEEDS, SWEEP_SHARE, coverage, run_search
from verify.claims.sweep import MAX_REJECTED, Seeds, draws
from verify.claims.verdict import Outcome
from verify.strategies import cases
from verify.tolerances import DEFAULT


def _claim(conclusion: Any, hypotheses: tuple[str, ...] = ()) -> Claim:
    return Claim(
        id="sweep-test",
        title="a claim of the sweep's tests",
        statement="-",
        reference="tests/test_sweep.py",
        hypotheses=hypotheses,
        conclusion=conclusion,
        kind="user",
    )


def _at_most_three_classes(ctx: Context) -> Residuals:
    """False from K = 4 with N >= 8: the smallest counterexample is K = 4, n = 2 each."""
    inst = ctx.instance
    return {"K <= 3 or N < 8": 1.0 if inst.K >= 4 and inst.N >= 8 else 0.0}


def _lambda_W_small(ctx: Context) -> Residuals:
    """Never false (1e-4 < refute), but above the residual tolerance: something to climb."""
    return {"a residual that grows with lambda_W": 1e-4 * min(ctx.instance.lambda_W, 1.0)}


def _search(
    claim: Claim, examples: int, corners: bool = False, **kwargs: Any
) -> tuple[Outcome | None, list[Outcome]]:
    outcomes: list[Outcome] = []
    found = run_search(
        claim, examples, 0, DEFAULT, "exact", outcomes, confirmed_only=False, corners=corners,
        sweep=True, **kwargs,
    )  # fmt: skip
    return found, outcomes


def test_the_engine_replays_a_swept_case_from_its_choices() -> None:
    """Property: a case's choice sequence from `draws`, offered by `Seeds`, is the first case
    the engine runs, and the same case (the handover every sweep relies on)."""
    strategy = cases(frozenset({"imbalanced"}))
    with deterministic_generation():
        swept = [next(d) for d in [draws(strategy, 3)] for _ in range(8)]
    for case, choices in swept[::3]:
        assert _replayed(strategy, choices) == [case.describe()]


def _replayed(strategy: Any, choices: bytes) -> list[str]:
    """The cases the engine runs in its reuse phase with ``choices`` as the one seed."""
    seen: list[str] = []

    @settings(
        max_examples=2, database=Seeds([choices]), phases=[Phase.reuse], deadline=None,
        verbosity=Verbosity.quiet, suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @hypothesis_seed(0)
    @given(strategy)
    def replay(case: Any) -> None:
        seen.append(case.describe())

    with deterministic_generation():
        replay()
    return seen


def test_seeds_write_to_the_base_database_and_offer_the_seeds_as_secondary() -> None:
    base = InMemoryExampleDatabase()
    base.save(b"k", b"old")
    seeds = Seeds([b"s1", b"s2"], base)
    assert list(seeds.fetch(b"k")) == [b"old"]
    assert sorted(seeds.fetch(b"k.secondary")) == [b"s1", b"s2"]
    seeds.save(b"k", b"new")
    seeds.delete(b"k", b"old")
    assert list(base.fetch(b"k")) == [b"new"]
    assert list(Seeds([b"s"]).fetch(b"k")) == []  # no base: nothing but the seeds


def test_a_swept_counterexample_is_shrunk_by_the_engine() -> None:
    """Property: the first failing case the sweep meets is larger than the minimal one, and the
    search returns the minimal one (K = 4, n = 2 each): the engine shrank it."""
    claim = _claim(_at_most_three_classes)
    found, outcomes = _search(claim, 200)
    first = next(o for o in outcomes if o.status == "counterexample")
    assert found is not None and found.status == "counterexample"
    inst = found.case.instance
    assert (inst.K, inst.counts) == (4, (2, 2, 2, 2))
    assert (first.case.instance.K, first.case.instance.N) > (4, 8)
    # without shrinking, the sweep's own find is returned as drawn
    raw, _ = _search(claim, 200, shrink=False)
    assert raw is not None and raw.case.describe() == first.case.describe()


def test_the_target_phase_starts_from_the_sweeps_closest_calls() -> None:
    """Property: with residuals above tol.residual, the sweep stops at its share, the engine
    replays exactly its SWEEP_SEEDS largest residuals first, then climbs with the rest."""
    examples = 50
    found, outcomes = _search(_claim(_lambda_W_small), examples)
    assert found is None
    share = int(SWEEP_SHARE * examples)
    swept, replayed = outcomes[:share], outcomes[share : share + SWEEP_SEEDS]
    best = sorted(swept, key=lambda o: -o.worst)[:SWEEP_SEEDS]
    assert sorted(o.case.describe() for o in replayed) == sorted(o.case.describe() for o in best)
    assert len(outcomes) == examples + SWEEP_SEEDS  # the replays, and then the budget's rest
    assert max(o.worst for o in outcomes[share:]) >= max(o.worst for o in swept)


def test_with_nothing_to_climb_the_sweep_draws_every_example() -> None:
    _, outcomes = _search(_claim(lambda ctx: {"exact": 0.0}), 40)
    assert len(outcomes) == 40


def test_a_sweep_reaches_every_regime_the_hypotheses_allow() -> None:
    """Property: the sweep draws from the claim's own strategy, so with the corners (exactly at
    a level, at a threshold) every regime is reached: each lambda_b branch, each side of the
    levels, every kind of counts."""
    claim = _claim(lambda ctx: {"exact": 0.0 * float(ctx.solution.b.sum())})
    _, outcomes = _search(claim, 150, corners=True)
    reached = coverage(claim, outcomes, DEFAULT)
    assert reached["missing"] == [], reached["missing"]


def test_a_strategy_that_rejects_everything_ends_the_sweep() -> None:
    with deterministic_generation():
        assert list(draws(st.integers().filter(lambda _: False), 0)) == []
    assert MAX_REJECTED >= 10


def test_a_sweep_of_a_strategy_that_rejects_everything_is_left_to_the_engine() -> None:
    """Property: when the sweep draws nothing at all, the engine searches, and says what it
    says of such a strategy (Unsatisfiable), exactly as without the sweep."""
    from dataclasses import dataclass, fields

    from hypothesis.errors import Unsatisfiable

    @dataclass(frozen=True)
    class Rejecting(Claim):
        def cases(self) -> Any:
            return st.integers().filter(lambda _: False)  # cheap to reject, so quick to give up

    base = _claim(lambda ctx: {"exact": 0.0})
    claim = Rejecting(**{f.name: getattr(base, f.name) for f in fields(base) if f.init})
    for sweep in (False, True):
        with pytest.raises(Unsatisfiable):
            run_search(claim, 5, 0, DEFAULT, "exact", [], corners=False, sweep=sweep)
