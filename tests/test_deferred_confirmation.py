"""Deferred confirmation: inside Hypothesis's engine only the counterexample it shrank to meets the
second engine (verify.claims.runner.run_search, ``deferring``).

What must not change is what a search finds and records: the same outcomes, the same shrunk
counterexample, confirmed in full, whether the second engine agrees with the screen everywhere or
rejects the very instance the shrinker ends at (then the run is repeated confirming everything).
"""

from __future__ import annotations

from typing import Any

import pytest

from verify import Claim, Context, Residuals
from verify.claims import runner
from verify.claims.runner import run_search
from verify.claims.verdict import Outcome
from verify.tolerances import DEFAULT


def _at_most_three_classes(ctx: Context) -> Residuals:
    """False from K = 4 with N >= 8: the smallest counterexample is K = 4, two a class."""
    inst = ctx.instance
    return {"K <= 3 or N < 8": 1.0 if inst.K >= 4 and inst.N >= 8 else 0.0}


CLAIM = Claim(
    id="deferred-test",
    title="a claim of the deferred confirmation's tests",
    statement="-",
    reference="tests/test_deferred_confirmation.py",
    hypotheses=(),
    conclusion=_at_most_three_classes,
    kind="user",
)


def _search(
    monkeypatch: pytest.MonkeyPatch, defer: bool, reject: Any = None
) -> tuple[Outcome | None, list[Outcome], int]:
    """A sweeping search of CLAIM; ``reject(case)`` makes the second engine contradict there.
    Returns what it found, what it recorded, and how often the second engine ran."""
    calls = [0]
    second = runner._second

    def counted(claim: Claim, case: Any, *args: Any) -> dict[str, Any]:
        calls[0] += 1
        if reject is not None and reject(case):
            return {**second(claim, case, *args), "confirmed": False}
        return second(claim, case, *args)

    monkeypatch.setattr(runner, "_second", counted)
    monkeypatch.setattr(runner, "DEFER_SECOND", defer)
    outcomes: list[Outcome] = []
    found = run_search(CLAIM, 60, 0, DEFAULT, "exact", outcomes, corners=False, sweep=True)
    return found, outcomes, calls[0]


def _trace(outcomes: list[Outcome]) -> list[tuple[str, str]]:
    return [(o.case.describe(), o.status) for o in outcomes]


def test_deferring_finds_and_records_what_confirming_everything_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    eager, eager_outcomes, eager_calls = _search(monkeypatch, defer=False)
    found, outcomes, calls = _search(monkeypatch, defer=True)
    assert eager is not None and found is not None
    assert found.case.describe() == eager.case.describe()
    assert (found.case.instance.K, found.case.instance.N) == (4, 8)
    assert _trace(outcomes) == _trace(eager_outcomes)
    assert found.confirmation is not None and found.confirmation["confirmed"] is True
    # a claim that does not use the solution is decided by the instance: nothing to resolve
    assert "does not use the solution" in found.confirmation["resolution"]["reason"]
    # only the final replay of the shrunk one: not the swept one it started from, nor any between
    assert calls == 1 < eager_calls


def test_a_shrunk_counterexample_the_second_engine_rejects_is_searched_again_in_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def small(case: Any) -> bool:  # the second engine contradicts every instance with N < 12
        return bool(case.instance.N < 12)

    eager, eager_outcomes, _ = _search(monkeypatch, defer=False, reject=small)
    found, outcomes, _ = _search(monkeypatch, defer=True, reject=small)
    assert eager is not None and found is not None
    assert found.case.instance.N >= 12 and found.case.describe() == eager.case.describe()
    assert found.confirmation is not None and found.confirmation["confirmed"] is True
    # the first, deferred run is not recorded: only the repeat, which is the eager search
    assert _trace(outcomes) == _trace(eager_outcomes)
    assert any(o.status == "unconfirmed" for o in outcomes)


def test_a_screened_counterexample_says_its_second_engine_is_pending(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    found, outcomes, _ = _search(monkeypatch, defer=True)
    assert found is not None
    counterexamples = [o for o in outcomes if o.status == "counterexample"]
    pending = [o for o in counterexamples if o.confirmation and o.confirmation["confirmed"] is None]
    assert pending, "shrinking met no counterexample before the final replay"
    for o in pending:
        assert o.confirmation is not None
        assert o.confirmation["second"]["status"] == "not run"
        assert o.confirmation["resolution"]["resolved"]
        assert not o.confirmation["boundary"]["on_boundary"]
    assert all(o.confirmation is not None for o in counterexamples)


def test_counterexamples_the_second_engine_always_rejects_refute_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The swept counterexample, the shrunk one, and every one after them are rejected: the
    search returns nothing, as confirming everything does, and evaluates the same instances (a
    rejected one is not climbed from: Hypothesis's target phase would draw others)."""
    evaluated = []
    for defer in (False, True):
        found, outcomes, calls = _search(monkeypatch, defer=defer, reject=lambda case: True)
        assert found is None
        assert calls > 0 and any(o.status == "unconfirmed" for o in outcomes)
        assert not any(o.confirmation and o.confirmation["confirmed"] is True for o in outcomes), (
            "an outcome says confirmed although the second engine rejected every instance"
        )
        evaluated.append({o.case.describe() for o in outcomes})
    assert evaluated[0] == evaluated[1]
