"""The same seed, the same Hypothesis search, whatever else the process has imported."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["deterministic_generation"]


@contextmanager
def deterministic_generation() -> Iterator[None]:
    """Hypothesis without its pool of "local constants".

    Hypothesis (6.1xx) sometimes draws literals collected from the project's modules *loaded so
    far* (``hypothesis.internal.conjecture.providers._get_local_constants``), so the same seed
    generates different instances depending on what happened to be imported: a worker process,
    a Dask worker or a test run after another would hunt differently. Inside this context the
    pool is empty, so a seed means the same search everywhere. Private API, used defensively: on
    a Hypothesis without it, nothing changes.
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover
        yield
        return
    original = getattr(providers, "_get_local_constants", None)
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    constants = getattr(providers, "Constants", None)
    if original is None or cache is None or constants is None:  # pragma: no cover
        yield
        return
    empty = constants()
    cache.cache.clear()
    providers._get_local_constants = lambda: empty
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.cache.clear()
