"""Running work units: in this process, in ``jobs`` worker processes, or on a Dask cluster.

Units are taken from an iterable as workers free up (a few per worker in flight), never all made
up front. Whatever runs them, results are returned sorted by unit index, so a hunt's findings do not
depend on ``--jobs`` or on the cluster. Worker processes start with the runner, from a fork server
(:mod:`verify.workers`). Dask is an optional extra (``pip install
nc-verify[dask]``), imported only when ``--scheduler`` is given.

Ctrl-C: a unit that is interrupted returns what it evaluated (``interrupted=True``); here the
remaining units are cancelled and the results that arrive within a short grace period kept.
"""

from __future__ import annotations

import collections
import itertools
import socket
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..claims.verdict import Outcome
from ..errors import InvalidArgument
from ..workers import context
from .units import RefineUnit, SearchUnit, UnitResult, run_unit

__all__ = ["Runner"]

Unit = SearchUnit | RefineUnit
GRACE_SECONDS = 5.0
IN_FLIGHT = 2  # units submitted per worker ahead of the results (the rest are not yet made)


class Runner:
    """Runs lists of units with the chosen backend; ``close()`` releases workers and clients."""

    def __init__(self, jobs: int = 1, scheduler: str | None = None) -> None:
        self.jobs, self.scheduler = jobs, scheduler
        self._pool: ProcessPoolExecutor | None = None
        self._client: Any = None
        if scheduler is not None:
            self._client = _dask_client(scheduler)
        elif jobs > 1:
            self._start()

    def _start(self) -> None:
        self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context())
        for _ in range(self.jobs):  # the workers start now, not at the first unit
            self._pool.submit(_ready)

    def run(
        self,
        units: Iterable[Unit],
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> list[UnitResult]:
        """The units' results sorted by index; ``on_outcome`` sees every evaluated outcome (as
        it happens in this process, unit by unit as results arrive from workers).

        ``units`` is consumed lazily: at most ``IN_FLIGHT`` units per worker exist at once
        beyond those finished, so a generator of millions of units starts at once."""

        def on_result(result: UnitResult) -> None:
            if on_outcome is not None:
                for outcome in result.outcomes:
                    on_outcome(outcome)

        stream = iter(units)
        head = list(itertools.islice(stream, 2))  # is there more than one unit?
        rest = itertools.chain(head, stream)
        if self._client is not None:
            results = self._run_dask(rest, on_result)
        elif self.jobs > 1 and len(head) > 1:
            results = self._run_pool(rest, on_result)
        else:
            results = []
            for unit in rest:
                result = run_unit(unit, on_outcome)
                results.append(result)
                if result.interrupted:
                    break
        return sorted(results, key=lambda r: r.index)

    def _run_pool(
        self, units: Iterator[Unit], on_result: Callable[[UnitResult], None]
    ) -> list[UnitResult]:
        if self._pool is None:
            self._start()
        order: dict[Future[UnitResult], int] = {}  # future -> submission number
        results: list[UnitResult] = []
        pending: set[Future[UnitResult]] = set()

        def top_up() -> None:
            assert self._pool is not None
            for unit in itertools.islice(units, IN_FLIGHT * self.jobs - len(pending)):
                future = self._pool.submit(run_unit, unit)
                order[future] = len(order)
                pending.add(future)

        try:
            top_up()
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=order.__getitem__):
                    result = future.result()
                    results.append(result)
                    on_result(result)
                if any(r.interrupted for r in results):
                    raise KeyboardInterrupt
                top_up()
        except BrokenProcessPool as error:
            self.close()
            results.append(
                UnitResult("search", len(order), error=f"a worker process died ({error})")
            )
        except KeyboardInterrupt:
            for future in pending:
                future.cancel()
            done, _ = wait(pending, timeout=GRACE_SECONDS)
            have = {r.index for r in results}
            for future in done:
                if not future.cancelled() and future.exception() is None:
                    result = future.result()
                    if result.index not in have:
                        results.append(result)
            if not any(r.interrupted for r in results) and results:
                results[-1].interrupted = True
            if not results:
                results.append(UnitResult("search", -1, interrupted=True))
            self.close()
        return results

    def _run_dask(
        self, units: Iterator[Unit], on_result: Callable[[UnitResult], None]
    ) -> list[UnitResult]:
        window = IN_FLIGHT * max(1, sum(self._client.nthreads().values()))
        queue: collections.deque[Any] = collections.deque()

        def top_up() -> None:
            for unit in itertools.islice(units, window - len(queue)):
                queue.append(self._client.submit(run_unit, unit, pure=False))

        results: list[UnitResult] = []
        try:
            top_up()
            while queue:  # in unit order; each waits for its own unit
                result = queue.popleft().result()
                results.append(result)
                on_result(result)
                top_up()
        except KeyboardInterrupt:
            self._client.cancel(list(queue))
            if not results:
                results.append(UnitResult("search", -1, interrupted=True))
            results[-1].interrupted = True
        return results

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None


def _ready() -> None:
    """The task that starts a pool's workers."""


def _dask_client(address: str) -> Any:
    try:
        from dask.distributed import Client
    except ImportError:
        raise InvalidArgument(
            "scheduler",
            address,
            "needs dask.distributed, which is not installed",
            "pip install 'nc-verify[dask]'",
        ) from None
    try:
        _probe(address)
        return Client(address, timeout=10, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InvalidArgument("scheduler", address, f"cannot connect ({first})") from None


def _probe(address: str) -> None:
    """Fail fast (and without a half-built Client) when nothing listens at a tcp address."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import backends

    scheme, location = parse_address(address)
    if scheme not in backends:
        raise ValueError(f"unknown address scheme {scheme!r}; known: {', '.join(sorted(backends))}")
    if scheme != "tcp":
        return
    host, port = parse_host_port(location)
    with socket.create_connection((host, port), timeout=5):
        pass
