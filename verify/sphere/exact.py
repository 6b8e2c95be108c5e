r"""A feasible point's loss in high precision: the evidence of a certified refutation.

A point of the model is feasible by construction once its rows are normalised; its objective
is then a number, not an estimate. Here the float64 coordinates are taken as the exact binary
rationals they are, every row is normalised in ``digits``-digit arithmetic (mpmath), and the loss
is evaluated sample by sample, straight from the definitions in :mod:`verify.sphere.losses`
(loops, no shared code with the vectorised float64 implementation), so it re-evaluates the
point independently. The result carries an error bound: the difference between the evaluations
at ``digits`` and ``digits + 20`` digits, plus one unit in the last place, which is far below
any gap that decides a claim (about 1e-40 at the default 50 digits).

Rows stand for ``m`` identical samples (``m = 1``: one row per sample): sums over samples are
sums over rows weighted by ``m``, and SupCon's anchor excludes itself (``m - 1`` copies).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import mpmath
import numpy as np

__all__ = ["ExactValue", "exact_loss", "precision"]

#: digits of the high-precision evaluation (Tolerances.sphere_digits; :func:`precision` changes it)
DIGITS = [50]


@contextmanager
def precision(digits: int) -> Iterator[None]:
    """Evaluate at ``digits`` digits inside the block (a confirmation re-evaluates finer)."""
    DIGITS.append(int(digits))
    try:
        yield
    finally:
        DIGITS.pop()


@dataclass(frozen=True)
class ExactValue:
    """A loss value in high precision and a bound on its error."""

    value: mpmath.mpf
    error: mpmath.mpf

    def __float__(self) -> float:
        return float(self.value)

    def below(self, other: ExactValue) -> mpmath.mpf:
        """How far this value lies certainly below ``other`` (<= 0: not certainly below)."""
        return (other.value - other.error) - (self.value + self.error)


def _unit(rows: np.ndarray) -> list[list[mpmath.mpf]]:
    out = []
    for row in np.asarray(rows, dtype=float):
        x = [mpmath.mpf(float(v)) for v in row]  # exact: a float64 is a binary rational
        norm = mpmath.sqrt(mpmath.fsum(v * v for v in x))
        out.append([v / norm for v in x])
    return out


def _dot(a: list[mpmath.mpf], b: list[mpmath.mpf]) -> mpmath.mpf:
    return mpmath.fsum(x * y for x, y in zip(a, b, strict=True))


def _evaluate(
    loss: str, W: np.ndarray | None, H: np.ndarray, labels: list[int], m: list[int], tau: float
) -> mpmath.mpf:
    t = mpmath.mpf(float(tau))
    h = _unit(H)
    rows = range(len(h))
    total = mpmath.mpf(sum(m))
    terms = []
    if loss == "supcon":
        n = {c: sum(m[j] for j in rows if labels[j] == c) for c in set(labels)}
        for i in rows:
            c = labels[i]
            q = [_dot(h[i], h[a]) / t for a in rows]
            copies = [m[a] - (1 if a == i else 0) for a in rows]
            pos = mpmath.fsum(copies[a] * q[a] for a in rows if labels[a] == c) / (n[c] - 1)
            den = mpmath.fsum(copies[a] * mpmath.exp(q[a]) for a in rows if copies[a] > 0)
            terms.append(m[i] * (mpmath.log(den) - pos))
        return mpmath.fsum(terms) / total
    assert W is not None
    w = _unit(W)
    classes = range(len(w))
    for i in rows:
        c = labels[i]
        own = _dot(w[c], h[i]) / t
        to_classes = [mpmath.exp(_dot(w[k], h[i]) / t) for k in classes]  # sample i vs prototypes
        to_samples = [m[j] * mpmath.exp(_dot(w[c], h[j]) / t) for j in rows]  # prototype c vs all
        other_classes = mpmath.fsum(to_classes[k] for k in classes if k != c)
        other_samples = mpmath.fsum(to_samples[j] for j in rows if labels[j] != c)
        den = {
            "normface": mpmath.fsum(to_classes),
            "ntce": mpmath.fsum(to_samples),
            "nonl": other_samples,
            "nonl-per-sample": other_classes,
            "nonl-bidirectional": other_classes + other_samples,
        }[loss]
        terms.append(m[i] * (mpmath.log(den) - own))
    return mpmath.fsum(terms) / total


def exact_loss(
    loss: str,
    W: np.ndarray | None,
    H: np.ndarray,
    labels: np.ndarray,
    m: np.ndarray | None = None,
    tau: float = 1.0,
    digits: int | None = None,
) -> ExactValue:
    """The loss of the feasible point (rows of W and H normalised exactly) in high precision."""
    digits = DIGITS[-1] if digits is None else digits
    labels_ = [int(y) for y in labels]
    m_ = [1] * len(labels_) if m is None else [int(x) for x in m]
    with mpmath.workdps(digits + 20):
        finer = _evaluate(loss, W, H, labels_, m_, tau)
    with mpmath.workdps(digits):
        value = _evaluate(loss, W, H, labels_, m_, tau)
        error = abs(value - finer) + abs(value) * mpmath.mpf(10) ** (-digits + 1)
        return ExactValue(+value, +error)
