"""Where a hunt's worker processes come from: a fork server preloaded with what they need.

The server is a clean process that imports :mod:`verify.hunt.worker` (the work units and the
claim registry, about 3.4 s) once and forks each worker from there in milliseconds. Workers are
not forked from the calling process: that copies whatever native thread pools (BLAS, the
solvers' own) earlier solves left running, and a second hunt in one process hung in its workers
that way. Where there is no fork server, workers are spawned.

This module imports nothing of the package beyond it, so ``verify hunt --jobs N`` can start the
server before its own imports, which the server's then overlap (:func:`prestart`).
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext

__all__ = ["PRELOAD", "context", "prestart"]

PRELOAD = "verify.hunt.worker"


def context() -> BaseContext:
    """The fork server, preloaded with :data:`PRELOAD`; spawn where there is none."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([PRELOAD])
    return ctx


def prestart(jobs: int) -> None:
    """Start the fork server now when ``jobs`` worker processes will be wanted (else it starts
    with the first pool)."""
    if jobs > 1 and context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()
