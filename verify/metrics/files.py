"""``measure_file``: the metrics of features in a file, streamed in two passes, with progress."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from ..errors import InvalidArgument, InvalidFile
from ..instance import require_memory
from ..tolerances import METRICS, MetricsTolerances
from .classes import classes_of, integer_ids
from .measure import Measurement, _declared, check_centring, classifier, from_stats
from .sources import ArrayFile, chunks_of, load_small, open_array
from .stats import NonFinite, accumulate, default_chunk_rows

# show a progress bar (on a terminal) when the features hold more entries than this
PROGRESS_ENTRIES = 50_000_000


@contextmanager
def _progress(total: int, show: bool, label: str) -> Iterator[Callable[[int], None]]:
    if not show:
        yield lambda rows: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} rows (2 passes)"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with bar:
        task = bar.add_task(label, total=total)
        yield lambda rows: bar.advance(task, rows)


def _fits(f: ArrayFile, N: int, chunk_rows: int | None) -> None:
    """Refuse, before reading, features whose work cannot fit in memory: four float64 chunks
    and the (K + 1) x d class-mean statistics, K <= N; d is the axis that is not the samples'
    (the smaller one if neither has N entries)."""
    if len(f.shape) != 2:
        return
    a, b = f.shape
    d = b if a == N else a if b == N else min(a, b)
    rows = chunk_rows or default_chunk_rows(d)
    require_memory(8 * (4 * rows * d + 3 * (min(N, d) + 1) * d), f"{f.where} (shape {f.shape})")


def _labels(labels: str | Path | ArrayLike) -> np.ndarray:
    if isinstance(labels, str | Path):
        return integer_ids(load_small(labels, "labels"))
    return integer_ids(labels)


def _small(value: str | Path | ArrayLike | None, what: str) -> ArrayLike | None:
    if isinstance(value, str | Path):
        return load_small(value, what).astype(np.float64)
    return value


def measure_file(
    features: str | Path,
    labels: str | Path | ArrayLike,
    W: str | Path | ArrayLike | None = None,
    b: str | Path | ArrayLike | None = None,
    *,
    centring: str = "sample-mean",
    classes: int | None = None,
    tol: MetricsTolerances = METRICS,
    chunk_rows: int | None = None,
    progress: bool | None = None,
) -> Measurement:
    """Every metric of :mod:`verify.metrics.measure` for features in ``features`` (a .npy,
    .npz[:KEY] or .safetensors[:KEY] file, (N, d) or (d, N)), read in chunks of
    ``chunk_rows`` rows, twice. labels, W and b are arrays or files of the same kinds.
    Memory beyond one chunk is O(d^2 + K d) plus the labels; an .npz member stored (d, N) or
    in Fortran order cannot be streamed by rows and is read whole once. ``progress``: a bar on
    stderr (None: when stderr is a terminal and the features are large)."""
    centring = check_centring(centring)
    if not isinstance(tol, MetricsTolerances):
        raise InvalidArgument("tol", tol, "must be a verify.tolerances.MetricsTolerances")
    f = open_array(features, "features")
    ids = _labels(labels)
    if chunk_rows is not None and (
        isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1
    ):
        raise InvalidArgument("chunk_rows", chunk_rows, "must be an integer >= 1")
    _fits(f, int(ids.shape[0]), chunk_rows)
    d0 = f.shape[1] if len(f.shape) == 2 and f.shape[0] == ids.shape[0] else f.shape[0]
    gen, d, transposed = chunks_of(f, ids, chunk_rows or default_chunk_rows(int(d0)))
    Wm, bv = classifier(_small(W, "weights"), _small(b, "bias"), d)
    K, source = _declared(Wm, classes)
    cl = classes_of(ids, K, source=source)
    show = (
        progress
        if progress is not None
        else (sys.stderr.isatty() and ids.shape[0] * d > PROGRESS_ENTRIES)
    )
    with _progress(2 * int(ids.shape[0]), show, f"measuring {features}") as tick:
        try:
            S = accumulate(gen, cl, d, Wm, bv, tick=tick, release=f.release)
        except NonFinite as bad:
            noun = "entry" if bad.count == 1 else "entries"
            i, j = bad.first[::-1] if transposed else bad.first
            raise InvalidFile(
                f"{f.where}: {bad.count} non-finite {noun} (NaN or inf), first at [{i}, {j}] "
                f"(sample {bad.first[0]}, feature {bad.first[1]}) ({bad.value!r})"
            ) from None
    return from_stats(S, Wm, centring, tol)
