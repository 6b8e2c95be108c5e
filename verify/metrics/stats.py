r"""Sufficient statistics of features for every NC metric, in two passes over row chunks.

Features are rows :math:`h_i \in \mathbb{R}^d` (i = 1..N) read in chunks; memory beyond one
chunk is :math:`O(K d + K^2)` (plus the N labels).

- **Pass 1**: counts :math:`n_k` and sums :math:`\sum_{y_i = k} (h_i - s)` about a reference
  point :math:`s` (the mean of the first chunk), accumulated in float64. Summing about
  :math:`s` keeps the class means :math:`\bar h_k - s` accurate to the *spread* of the data,
  not to its offset: a common offset of 1e8 costs no digits. Non-finite entries are counted
  here, with the first one's sample and feature.
- **Pass 2**: with the means known, the residuals :math:`r_i = h_i - \bar h_{y_i}` at their
  own scale, and from them: the within-class scatter on the span of the class means
  :math:`Q^\top (\sum_i r_i r_i^\top) Q` (Q an orthonormal basis of
  :math:`\{\bar h_k - s\} \cup \{s\}`, at most K+1 columns: every NC metric needs
  :math:`\Sigma_W` only there, or only its trace, so the :math:`O(N d^2)` full scatter is never
  formed), the per-class sums :math:`\sum_{y_i=k} \|r_i\|^2`, and, with a classifier, NC4's
  decisions: :math:`\arg\max_k (W h_i + b)_k` with and without b against the nearest class
  mean :math:`\arg\min_k \|h_i - \bar h_k\|^2 = \arg\min_k (\|m_k\|^2 - 2 (h_i - s)\cdot m_k)`,
  :math:`m_k = \bar h_k - s`, with :math:`(h_i - s)\cdot m_k = r_i\cdot m_k + m_{y_i}\cdot m_k`
  evaluated at the scale of the spread (the expansion about 0 lost the decisions under an
  offset). Cost :math:`O(N d K)` per pass, memory :math:`O(K d + K^2)` beyond a chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

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
        basis: Q (d, r), orthonormal, spanning every class-mean matrix M (any centring):
            span{hbar_k - s, s}, r <= K_present + 1.
        scatter: the within-class scatter on that span, :math:`Q^\top (\sum_i r_i r_i^\top) Q`
            (r, r), :math:`r_i = h_i - \bar h_{y_i}`.
        within_sq: :math:`\sum_{y_i = k} \|r_i\|^2` per present class.
        nc4_mismatch, nc4_mismatch_no_bias: samples whose classifier decision (with b, and
            with b = 0) is not the nearest class mean; None without a classifier.
    """

    classes: Classes
    N: int
    d: int
    shift: np.ndarray
    means_s: np.ndarray
    basis: np.ndarray
    scatter: np.ndarray
    within_sq: np.ndarray
    nc4_mismatch: int | None = None
    nc4_mismatch_no_bias: int | None = None

    def within(self, U: np.ndarray) -> np.ndarray:
        r""":math:`u_j^\top \Sigma_W u_j` for columns :math:`u_j` of U in the span of the basis,
        :math:`\Sigma_W = \frac1N \sum_i r_i r_i^\top` (population, as Papyan et al.)."""
        V = self.basis.T @ U
        return np.einsum("ij,ij->j", V, self.scatter @ V) / self.N

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


def _class_sums(D: np.ndarray, idx: np.ndarray, Kp: int) -> np.ndarray:
    """Per-class sums of the rows of D (Kp, d): one matrix product with the chunk's one-hot
    labels (products by exactly 1 and 0, so the same additions as a sorted ``reduceat``, in
    BLAS). A NaN or inf entry makes its class's sum non-finite (and, through 0 * inf, the
    others' too)."""
    onehot = np.zeros((D.shape[0], Kp))
    onehot[np.arange(D.shape[0]), idx] = 1.0
    return onehot.T @ D


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
        with np.errstate(invalid="ignore", over="ignore"):  # non-finite entries: counted below
            if shift is None:
                shift = np.asarray(np.mean(X, axis=0, dtype=np.float64))
            # about s, in float64, one new array (never the caller's data)
            D = np.subtract(X, shift, dtype=np.float64)
            part = _class_sums(D, classes.index(ids), Kp)
            del D
        if not np.all(np.isfinite(part)):  # a non-finite entry, or an overflow: look exactly
            X64 = _rows(X)
            count, where = _nonfinite(X64)
            if count and first is None and where is not None:
                first, value = (offset + where[0], where[1]), float(X64[where])
            bad += count
            del X64
        if not bad:
            sums += part
        offset += X.shape[0]
    if bad:
        assert first is not None
        raise NonFinite(bad, first, value)
    assert shift is not None
    means_s = sums / classes.counts[:, None]

    # every class-mean matrix M (any centring) lies in span{hbar_k - s, s}: Sigma_W is only
    # ever needed on that span, so pass 2 accumulates Q^T Sigma_W Q for an orthonormal basis Q
    Q = np.linalg.qr(np.column_stack([means_s.T, shift]))[0]
    Cm = Q.T @ means_s.T  # (r, Kp): the means in that basis
    Gm = means_s @ means_s.T  # (Kp, Kp)
    msq = np.diag(Gm).copy()
    scatter = np.zeros((Q.shape[1], Q.shape[1]))
    within = np.zeros(Kp)
    mismatch = mismatch0 = 0
    r = Q.shape[1]
    if W is not None:
        # W h = W r + W m_y + W s: the residuals' products with Q and W in one matrix product
        QW = np.column_stack([Q, W.T])
        MW = means_s @ W.T + W @ shift  # (Kp, K): W (hbar_k - s) + W s
        bias = np.zeros(W.shape[0]) if b is None else b
    for X, ids in _counted(chunks(), tick, release):
        idx = classes.index(ids)
        R = np.subtract(X, shift, dtype=np.float64)  # h - s, a new array
        R -= means_s[idx]  # residuals at their own scale, in place
        within += np.bincount(idx, weights=np.einsum("ij,ij->i", R, R), minlength=Kp)
        if W is None:
            RQ = R @ Q
        else:
            RP = R @ QW
            RQ = RP[:, :r]
            # ||D - m_j||^2 - ||D||^2 = ||m_j||^2 - 2 D.m_j, D.m_j = R.m_j + m_y.m_j (in basis Q)
            score = msq - 2.0 * (RQ @ Cm) - 2.0 * Gm[idx]
            nearest = classes.present[np.argmin(score, axis=1)]
            logits = RP[:, r:] + MW[idx]
            mismatch += int(np.count_nonzero(np.argmax(logits + bias, axis=1) != nearest))
            mismatch0 += int(np.count_nonzero(np.argmax(logits, axis=1) != nearest))
        scatter += RQ.T @ RQ
    return ClassStats(
        classes=classes,
        N=int(classes.counts.sum()),
        d=d,
        shift=shift,
        means_s=means_s,
        basis=Q,
        scatter=(scatter + scatter.T) / 2,
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
