"""scikit-learn's digits (8x8 images, 10 classes, 1797 samples; shipped inside the package, no
download), cut to a balanced training set ordered by class, as the UFM's instances are.

Balanced because Theorem III.1 and the constant :math:`c = K\\sqrt{n\\lambda_W\\lambda_H}` are
stated for n samples in every class: the first ``per_class`` samples of each class (the rarest
digit has 174) in the order the data set ships them. Pixels are standardised per coordinate
(zero mean, unit variance over the training set; constant pixels stay 0), or, with
``standardise=False``, only scaled to [0, 1] (divided by :data:`DIGITS_MAX_PIXEL`), as the raw
data set comes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "DIGITS_CLASSES",
    "DIGITS_MAX_PER_CLASS",
    "DIGITS_MAX_PIXEL",
    "Digits",
    "MissingExtra",
    "load_digits",
]

DIGITS_CLASSES = 10
# the smallest class of the digits data set (digit 8) has 174 samples
DIGITS_MAX_PER_CLASS = 174
# pixel intensities of the digits run over 0..16
DIGITS_MAX_PIXEL = 16.0
# a pixel whose standard deviation is below this is constant over the training set
_CONSTANT_PIXEL = 1e-12


class MissingExtra(ImportError):
    """An optional dependency of the experiments is not installed."""


def _sklearn_digits() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits as sk_load_digits
    except ImportError as error:
        raise MissingExtra(
            "the experiments need scikit-learn (its digits data set): install it with "
            "pip install -c constraints.txt -e '.[experiments]'"
        ) from error
    bunch = sk_load_digits()
    return np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class Digits:
    """A balanced training set: inputs X (p, N) (one sample a column, like H), labels (N,)
    sorted by class, n samples in each of K classes."""

    X: np.ndarray
    labels: np.ndarray
    n: int
    K: int

    @property
    def N(self) -> int:
        return int(self.labels.size)


def load_digits(per_class: int = DIGITS_MAX_PER_CLASS, *, standardise: bool = True) -> Digits:
    """The first ``per_class`` samples of every digit, standardised (or scaled to [0, 1]),
    ordered by class.

    Raises ValueError for ``per_class`` outside 1..174 and :class:`MissingExtra` without
    scikit-learn.
    """
    if (
        isinstance(per_class, bool)
        or not isinstance(per_class, int | np.integer)
        or not 1 <= per_class <= DIGITS_MAX_PER_CLASS
    ):
        raise ValueError(
            f"per_class={per_class!r}: must be an integer in 1..{DIGITS_MAX_PER_CLASS} "
            "(the size of the rarest digit)"
        )
    data, target = _sklearn_digits()
    K = int(target.max()) + 1
    rows = np.concatenate([np.flatnonzero(target == k)[:per_class] for k in range(K)])
    X = data[rows]
    if standardise:
        std = X.std(axis=0)
        X = (X - X.mean(axis=0)) / np.where(std > _CONSTANT_PIXEL, std, 1.0)
    else:
        X = X / DIGITS_MAX_PIXEL
    return Digits(X=np.ascontiguousarray(X.T), labels=target[rows], n=int(per_class), K=K)
