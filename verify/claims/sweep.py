"""Cases drawn outside Hypothesis's engine, and handed back to it.

Drawing a cross-entropy case through Hypothesis's engine costs about 2.6 ms (its tree of the
choices made so far, its mutations of earlier examples, spans and observers), against about
2 ms to solve, certify and judge it: the larger part of a hunt's time a case. A *sweep*
draws from the same strategy with Hypothesis's own provider (so the same distribution of
choices: boundary values, nasty floats, the same regimes), one ``ConjectureData`` a case, and
keeps each case's choice sequence (1.3 ms a case: ``reports/benchmarks.md``, CE section), so
the engine can take over from any of them: :class:`Seeds` offers them to its reuse phase, where
one that fails is shrunk and ones that come close are where its target phase starts climbing.

Three things of Hypothesis's that are not its documented API are used here: ``ConjectureData``
and ``BuildContext`` (drawing without a test), ``choices_to_bytes`` (its database format) and
the name of the secondary corpus (``<key>.secondary``), which its reuse phase replays without
taking the cases for already shrunk. ``constraints.txt`` pins the version, and
``tests/test_sweep.py`` fails if any of them changes meaning.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from typing import Any

from hypothesis.control import BuildContext
from hypothesis.database import ExampleDatabase, choices_to_bytes
from hypothesis.errors import StopTest, UnsatisfiedAssumption
from hypothesis.internal.conjecture.data import ConjectureData
from hypothesis.strategies import SearchStrategy

__all__ = ["MAX_REJECTED", "Seeds", "draws"]

MAX_REJECTED = 100  # consecutive rejected draws after which a sweep gives up on its strategy

_SECONDARY = b".secondary"


def draws(strategy: SearchStrategy[Any], seed: int) -> Iterator[tuple[Any, bytes]]:
    """Examples of ``strategy`` with the choice sequence that makes each, from ``seed``.

    Draws that the strategy rejects (a filter, ``assume``, too many choices) are skipped; after
    ``MAX_REJECTED`` in a row the iterator ends, and the engine, with its own health checks,
    is left to say what is wrong with the strategy. Call inside
    :func:`verify.claims.determinism.deterministic_generation`, as Hypothesis's search is, for
    the same draws in every process.
    """
    rng = random.Random(seed)
    rejected = 0
    while rejected < MAX_REJECTED:
        data = ConjectureData(random=rng)
        try:
            with BuildContext(data, is_final=False, wrapped_test=None):  # type: ignore[arg-type]
                value = data.draw(strategy)
        except (StopTest, UnsatisfiedAssumption):
            rejected += 1
            continue
        rejected = 0
        data.freeze()
        yield value, choices_to_bytes(data.choices)


class Seeds(ExampleDatabase):
    """A database that adds ``seeds`` (choice sequences from :func:`draws`) to the secondary
    corpus of every key, in front of ``base`` (the hunt's own database, or none).

    Hypothesis's reuse phase replays its primary corpus and then, when that is short, the
    secondary one; a primary case that still fails is taken for already shrunk, a secondary one
    is shrunk, which is what a seed found by a sweep needs. Writes go to ``base`` alone, so what
    the engine saves (the shrunk counterexample) is kept where the next run replays it, and the
    seeds are offered afresh to each search.
    """

    def __init__(self, seeds: Iterable[bytes], base: ExampleDatabase | None = None) -> None:
        super().__init__()
        self.seeds, self.base = tuple(seeds), base

    def fetch(self, key: bytes) -> Iterable[bytes]:
        if self.base is not None:
            yield from self.base.fetch(key)
        if key.endswith(_SECONDARY):
            yield from self.seeds

    def save(self, key: bytes, value: bytes) -> None:
        if self.base is not None:
            self.base.save(key, value)

    def delete(self, key: bytes, value: bytes) -> None:
        if self.base is not None:
            self.base.delete(key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        if self.base is not None:
            self.base.move(src, dest, value)
