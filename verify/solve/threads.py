"""Small solves on one BLAS thread.

A solve of a hunt-sized instance is thousands of BLAS and LAPACK calls on matrices of a few
hundred entries. With OpenBLAS's default of one thread per core, every such call wakes and
joins the other threads; when another process holds a core (a second hunt job, the test suite
beside a benchmark) each join waits for that core, and the same solve takes 10-40 times longer
(measured on the 2-core machine of reports/benchmarks.md, with one other busy process: K = 10,
N = 400 cross-entropy, 622 ms on two threads against 15 ms on one; K = 100, N = 10^4 MSE, 1265
against 92 ms). With no other job, one thread is about as fast at these sizes (23 against
15 ms and 49 against 51 ms for the same two; K = 4 MSE, 3.2 against 3.1 ms). So
:func:`solve <verify.solve.solve>` runs instances up to ``SMALL`` entries of Y on one thread
and leaves larger ones, whose products can gain from the threads of a machine with more cores,
to the process's setting (``OPENBLAS_NUM_THREADS``). The answer does not depend on it: every
solve is certified by its own duality gap, whatever the rounding of the kernels behind it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

__all__ = ["SMALL", "blas_threads_for", "one_blas_thread"]

SMALL = 2**20  # entries of Y (K x N) up to which a solve runs on one BLAS thread


@cache
def _controller() -> Any:
    """threadpoolctl's view of the BLAS libraries loaded (numpy's and scipy's), built once:
    limiting through it costs microseconds, against a fresh scan's hundreds."""
    import scipy.linalg  # noqa: F401  (scipy's own OpenBLAS must be loaded to be seen)
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """BLAS on one thread inside the block (the calls of a small problem)."""
    with _controller().limit(limits=1, user_api="blas"):
        yield


@contextmanager
def blas_threads_for(K: int, N: int) -> Iterator[None]:
    """One BLAS thread while a K x N instance is solved, if it is small (``SMALL``)."""
    if K * N > SMALL:
        yield
    else:
        with one_blas_thread():
            yield
