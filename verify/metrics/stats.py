r"""Sufficient statistics of features for every NC metric, in two passes over row chunks.

Features are rows :math:`h_i \in \mathbb{R}^d` (i = 1..N) read in chunks; memory beyond one
chunk is :math:`O(d^2 + K d)` (plus the N labels).

- **Pass 1**: counts :math:`n_k` and sums :math:`\sum_{y_i = k} (h_i - s)` about a reference
  point :math:`s` (the mean of the first chunk), accumulated in float64. Summing about
  :math:`s` keeps the class means :math:`\bar h_k - s` accurate to the *spread* of the data,
  not to its offset: a common offset of 1e8 costs no digits. Non-finite entries are counted
  here, with the first one's sample and feature.
- **Pass 2**: with the means known, the within-class scatter
  :math:`\sum_i (h_i - \bar h_{y_i})(h_i - \bar h_{y_i})^\top` by symmetric rank-k updates
  (BLAS ``dsyrk``), the per-class sums :math:`\sum_{y_i=k} \|h_i - \bar h_k\|^2`, and, with
  a classifier, NC4's decisions: :math:`\arg\max_k (W h_i + b)_k` with and without b against
  the nearest class mean :math:`\arg\min_k \|(h_i - s) - (\bar h_k - s)\|^2`, evaluated as
  :math:`\arg\min_k (\|\bar h_k - s\|^2 - 2 (h_i - s)\cdot(\bar h_k - s))` at the scale of
  the spread (the expansion about 0 lost the decisions under an offset).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from scipy.linalg.blas import dsyrk

from ..errors import InvalidArgument
from .classes import Classes

CENTRINGS = ("sample-mean", "class-mean", "none")

# A chunk: rows (c, d) of features and the int64 class ids (c,) of those rows.
Chunks = Callable[[], Iterable[tuple[np.ndarray, np.ndarray]]]


@dataclass(frozen=True)
class ClassStats:
    r"""What the metrics need of the features, for the ``K_present`` classes present.

    Attributes:
        classes: the labelling (:class:`verify.metrics.classes.Classes`).
        N, d: samples and feature dimension.
        shift: the reference point s (d,).
        means_s: class means minus s, (K_present, d).
        scatter: within-class scatter :math:`\sum_i r_i r_i^\top` (d, d), r_i = h_i - hbar_{y_i}.
        within_sq: :math:`\sum_{y_i = k} \|r_i\|^2` per present class.
        nc4_mismatch, nc4_mismatch_no_bias: samples whose classifier decision (with b, and
            with b = 0) is not the nearest class mean; None without a classifier.
    """

    classes: Classes
    N: int
    d: int
    shift: np.ndarray
    means_s: np.ndarray
    scatter: np.ndarray
    within_sq: np.ndarray
    nc4_mismatch: int | None = None
    nc4_mismatch_no_bias: int | None = None

    @property
    def Sigma_W(self) -> np.ndarray:
        r""":math:`\Sigma_W = \frac1N \sum_i r_i r_i^\top` (population, as Papyan et al.)."""
        return self.scatter / self.N

    def reference(self, centring: str) -> np.ndarray:
        """The global mean subtracted by ``centring``, minus s (d,); None for 'none'."""
        if centring == "sample-mean":
            return (self.classes.counts @ self.means_s) / self.N
        if centring == "class-mean":
            return self.means_s.mean(axis=0)
        raise InvalidArgument("centring", centring, f"must be one of {', '.join(CENTRINGS)}")

    def means(self, centring: str) -> np.ndarray:
        r"""The class-mean matrix M (d, K_present), columns :math:`m_k = \bar h_k - h_G`:
        :math:`h_G` the mean of all samples ('sample-mean'), the mean of the class means
        ('class-mean'), or 0 ('none': :math:`m_k = \bar h_k`)."""
        if centring == "none":
            return (self.means_s + self.shift).T
        return (self.means_s - self.reference(centring)).T

    def scale(self, centring: str) -> float:
        """The magnitude the class means were computed at (for the rounding cutoff)."""
        if centring == "none":
            return float(np.max(np.linalg.norm(self.means_s + self.shift, axis=1)))
        return float(np.max(np.linalg.norm(self.means_s, axis=1)))


def _rows(chunk: np.ndarray) -> np.ndarray:
    return np.asarray(chunk, dtype=np.float64)


def _nonfinite(X: np.ndarray) -> tuple[int, tuple[int, int] | None]:
    """Non-finite entries of X: their count and the first one's (row, column)."""
    rowsum = X.sum(axis=1)  # NaN or inf where a row holds one (or overflows: checked exactly)
    suspect = np.flatnonzero(~np.isfinite(rowsum))
    if suspect.size == 0:
        return 0, None
    bad = ~np.isfinite(X[suspect])
    count = int(bad.sum())
    if count == 0:
        return 0, None
    r, c = np.unravel_index(int(np.argmax(bad)), bad.shape)
    return count, (int(suspect[r]), int(c))


class NonFinite(Exception):
    """Pass 1 found ``count`` non-finite entries, the first at (sample, feature)."""

    def __init__(self, count: int, first: tuple[int, int], value: float) -> None:
        super().__init__(count, first, value)
        self.count, self.first, self.value = count, first, value


def _counted(
    chunks: Iterable[tuple[np.ndarray, np.ndarray]],
    tick: Callable[[int], None],
    release: Callable[[], None],
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    for X, ids in chunks:
        yield X, ids
        release()
        tick(X.shape[0])


def accumulate(
    chunks: Chunks,
    classes: Classes,
    d: int,
    W: np.ndarray | None = None,
    b: np.ndarray | None = None,
    tick: Callable[[int], None] = lambda rows: None,
    release: Callable[[], None] = lambda: None,
) -> ClassStats:
    """Two passes over ``chunks()`` (called twice); ``tick(rows)`` after each chunk (progress)
    and ``release()`` (a memory map drops the pages it read, so its resident memory stays
    one chunk). Raises :class:`NonFinite` after pass 1 if any entry is NaN or inf."""
    Kp = classes.K_present
    sums = np.zeros((Kp, d))
    shift: np.ndarray | None = None
    bad, first, value, offset = 0, None, 0.0, 0
    for X, ids in _counted(chunks(), tick, release):
        X64 = _rows(X)
        count, where = _nonfinite(X64)
        if count:
            if first is None and where is not None:
                first, value = (offset + where[0], where[1]), float(X64[where])
            bad += count
        elif not bad:
            if shift is None:
                shift = X64.mean(axis=0)
            idx = classes.index(ids)
            order = np.argsort(idx, kind="stable")
            head, starts = np.unique(idx[order], return_index=True)
            sums[head] += np.add.reduceat(X64[order] - shift, starts, axis=0)
        offset += X64.shape[0]
    if bad:
        assert first is not None
        raise NonFinite(bad, first, value)
    assert shift is not None
    means_s = sums / classes.counts[:, None]

    scatter = np.zeros((d, d), order="F")
    within = np.zeros(Kp)
    mismatch = mismatch0 = 0
    if W is not None:
        Ws = W @ shift  # W h = W (h - s) + W s
        msq = np.sum(means_s**2, axis=1)
        bias = np.zeros(W.shape[0]) if b is None else b
    for X, ids in _counted(chunks(), tick, release):
        D = _rows(X) - shift
        idx = classes.index(ids)
        R = D - means_s[idx]
        scatter = dsyrk(1.0, R.T, beta=1.0, c=scatter, trans=0, overwrite_c=1)
        within += np.bincount(idx, weights=np.einsum("ij,ij->i", R, R), minlength=Kp)
        if W is not None:
            nearest = classes.present[np.argmin(msq - 2.0 * (D @ means_s.T), axis=1)]
            logits = D @ W.T + Ws
            mismatch += int(np.count_nonzero(np.argmax(logits + bias, axis=1) != nearest))
            mismatch0 += int(np.count_nonzero(np.argmax(logits, axis=1) != nearest))
    upper = np.triu(scatter)
    scatter = upper + np.triu(upper, 1).T
    return ClassStats(
        classes=classes,
        N=int(classes.counts.sum()),
        d=d,
        shift=shift,
        means_s=means_s,
        scatter=scatter,
        within_sq=within,
        nc4_mismatch=mismatch if W is not None else None,
        nc4_mismatch_no_bias=mismatch0 if W is not None else None,
    )


def array_chunks(rows: np.ndarray, ids: np.ndarray, chunk_rows: int) -> Chunks:
    """Chunks of an in-memory (N, d) array (any strides: a (d, N) array's transpose works)."""

    def gen() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for start in range(0, rows.shape[0], chunk_rows):
            yield rows[start : start + chunk_rows], ids[start : start + chunk_rows]

    return gen


def default_chunk_rows(d: int, budget: int = 32 * 2**20) -> int:
    """Rows per chunk: about ``budget`` bytes of float64 per working array."""
    return max(256, budget // (8 * max(d, 1)))
