"""Running work units: in this process, in ``jobs`` worker processes, or on a Dask cluster.

Whatever runs them, results are returned sorted by unit index, so a hunt's findings do not
depend on ``--jobs`` or on the cluster. Worker processes are spawned (not forked) so they start
clean whatever threads the parent runs. Dask is an optional extra (``pip install
nc-verify[dask]``), imported only when ``--scheduler`` is given.

Ctrl-C: a unit that is interrupted returns what it evaluated (``interrupted=True``); here the
remaining units are cancelled and the results that arrive within a short grace period kept.
"""

from __future__ import annotations

import multiprocessing
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..claims.verdict import Outcome
from ..errors import InvalidArgument
from .units import RefineUnit, SearchUnit, UnitResult, run_unit

__all__ = ["Runner"]

Unit = SearchUnit | RefineUnit
GRACE_SECONDS = 5.0


class Runner:
    """Runs lists of units with the chosen backend; ``close()`` releases workers and clients."""

    def __init__(self, jobs: int = 1, scheduler: str | None = None) -> None:
        self.jobs, self.scheduler = jobs, scheduler
        self._pool: ProcessPoolExecutor | None = None
        self._client: Any = None
        if scheduler is not None:
            self._client = _dask_client(scheduler)

    def run(
        self,
        units: Sequence[Unit],
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> list[UnitResult]:
        """The units' results sorted by index; ``on_outcome`` sees every evaluated outcome (as
        it happens in this process, unit by unit as results arrive from workers)."""

        def on_result(result: UnitResult) -> None:
            if on_outcome is not None:
                for outcome in result.outcomes:
                    on_outcome(outcome)

        if self._client is not None:
            results = self._run_dask(units, on_result)
        elif self.jobs > 1 and len(units) > 1:
            results = self._run_pool(units, on_result)
        else:
            results = []
            for unit in units:
                result = run_unit(unit, on_outcome)
                results.append(result)
                if result.interrupted:
                    break
        return sorted(results, key=lambda r: r.index)

    def _run_pool(
        self, units: Sequence[Unit], on_result: Callable[[UnitResult], None]
    ) -> list[UnitResult]:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context)
        futures: list[Future[UnitResult]] = [self._pool.submit(run_unit, u) for u in units]
        results: list[UnitResult] = []
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=futures.index):
                    result = future.result()
                    results.append(result)
                    on_result(result)
                if any(r.interrupted for r in results):
                    raise KeyboardInterrupt
        except BrokenProcessPool as error:
            self.close()
            results.append(
                UnitResult("search", len(units), error=f"a worker process died ({error})")
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
        self, units: Sequence[Unit], on_result: Callable[[UnitResult], None]
    ) -> list[UnitResult]:
        futures = self._client.map(run_unit, list(units), pure=False)
        results: list[UnitResult] = []
        try:
            for future in futures:  # in unit order; each waits for its own unit
                result = future.result()
                results.append(result)
                on_result(result)
        except KeyboardInterrupt:
            self._client.cancel(futures)
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
