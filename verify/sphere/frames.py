r"""Frames on the sphere: the simplex ETF and the orthogonal frame, as unit rows in R^d.

The simplex ETF of K points: :math:`w_k^\top w_l = -1/(K-1)` for :math:`k \ne l`, which exists in
:math:`\mathbb R^d` exactly when :math:`d \ge K - 1` (its Gram :math:`\frac{K}{K-1}(I - J)` has
rank K - 1). The orthogonal frame needs :math:`d \ge K`.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgument
from ..geometry import helmert_basis

__all__ = ["etf_gram", "orthogonal_frame", "random_rotation", "simplex_etf"]


def etf_gram(K: int) -> np.ndarray:
    """The Gram of the simplex ETF: 1 on the diagonal, -1/(K-1) off it."""
    return (K * np.eye(K) - np.ones((K, K))) / (K - 1)


def simplex_etf(K: int, d: int) -> np.ndarray:
    """K unit rows in R^d with pairwise inner products -1/(K-1) (needs d >= K - 1)."""
    if d < K - 1:
        raise InvalidArgument("d", d, f"a simplex ETF of K={K} points needs d >= K - 1")
    centred = np.eye(K) - np.ones((K, K)) / K
    coords = centred @ helmert_basis(K) * np.sqrt(K / (K - 1))  # (K, K-1), unit rows
    out = np.zeros((K, d))
    out[:, : K - 1] = coords
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def orthogonal_frame(K: int, d: int) -> np.ndarray:
    """K orthonormal rows in R^d (needs d >= K)."""
    if d < K:
        raise InvalidArgument("d", d, f"an orthogonal frame of K={K} points needs d >= K")
    return np.eye(K, d)


def random_rotation(d: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-random orthogonal d x d matrix."""
    Q, R = np.linalg.qr(rng.normal(size=(d, d)))
    return Q * np.sign(np.diag(R))
