r"""Cross-entropy on soft targets: :math:`l(z, y) = -\sum_j y_j \log \mathrm{softmax}(z)_j
= s\,\mathrm{lse}(z) - y^\top z`, :math:`s = 1^\top y`, for a column-stochastic encoding.

One-hot CE is :math:`\bar Y = I`, label smoothing :math:`(1-\delta)I + \tfrac{\delta}{K}11^\top`;
any encoding with entries >= 0 and columns summing to 1 is a valid soft target, others are
rejected (``validate``). Writing the loss with :math:`s` rather than 1 keeps it exactly
invariant to :math:`z \mapsto z + t1` when a column sums to 1 only up to rounding (with
:math:`\lambda_b = 0` a column summing to :math:`1 - 10^{-16}` would otherwise make the
objective unbounded below along the bias).

- gradient :math:`s\,p - y`, :math:`p = \mathrm{softmax}(z)`; Hessian
  :math:`s(\mathrm{diag}(p) - pp^\top)`, whose largest eigenvalue is at most s/2 (smoothness 1/2);
  not strongly convex: the Hessian vanishes along 1 and its other eigenvalues, at least
  :math:`s\min_j p_j` (Cauchy interlacing), go to 0 as p approaches a vertex;
- conjugate: with :math:`q = u + y`, :math:`l^*(u, y) = \sum_j q_j \log(q_j/s)` if
  :math:`q \ge 0` and :math:`1^\top q = s` (the negative entropy on the simplex scaled by s,
  shifted by the target), :math:`+\infty` otherwise. A gradient has :math:`q = sp`; the scaled
  dual points :math:`t u` have :math:`q = tsp + (1-t)y`, inside the domain.
- shift invariant: with :math:`\lambda_b = 0` the bias is unique only up to :math:`t1`, and a
  class target j that no class puts mass on (a zero row of the encoding) sends
  :math:`b_j \to -\infty`: no minimiser exists, so such an instance is rejected.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import xlogy

from ..errors import InvalidArgument
from ..tolerances import DEFAULT
from .base import Loss

__all__ = ["CrossEntropy"]

_EPS = np.finfo(np.float64).eps


class CrossEntropy(Loss):
    name = "ce"
    smoothness = 0.5
    strong_convexity = 0.0
    shift_invariant = True

    def validate(self, encoding: np.ndarray, lambda_b: float) -> None:
        tol = DEFAULT.hypothesis
        if np.any(encoding < 0):
            i, j = np.unravel_index(int(np.argmin(encoding)), encoding.shape)
            raise InvalidArgument(
                "encoding",
                encoding,
                "cross-entropy needs a column-stochastic encoding (soft targets): entries >= 0, "
                f"but entry [{i}, {j}] is {float(encoding[i, j])!r}",
            )
        sums = encoding.sum(axis=0)
        off = np.abs(sums - 1.0)
        if np.any(off > tol):
            k = int(np.argmax(off))
            raise InvalidArgument(
                "encoding",
                encoding,
                "cross-entropy needs a column-stochastic encoding (soft targets): every column "
                f"must sum to 1 within {tol:.0e}, but column {k} sums to {float(sums[k])!r}",
            )
        if lambda_b == 0 and np.any(encoding.max(axis=1) <= 0):
            row = int(np.argmin(encoding.max(axis=1)))
            raise InvalidArgument(
                "encoding",
                encoding,
                f"with lambda_b = 0 cross-entropy has no minimiser when no class puts mass on "
                f"class {row} (row {row} is zero: b_{row} -> -inf lowers the loss for ever); use "
                "lambda_b > 0",
            )

    @staticmethod
    def _softmax(Z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(Z - max, log of the partition sum, softmax), column by column."""
        shifted = Z - Z.max(axis=0, keepdims=True)
        E = np.exp(shifted)
        S = E.sum(axis=0)
        E /= S
        return shifted, np.log(S), E

    def value(self, Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return self.value_and_gradient(Z, Y)[0]

    def gradient(self, Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
        P = self._softmax(Z)[2]  # the same operations as value_and_gradient's, without the value
        P *= Y.sum(axis=0)
        P -= Y
        return P

    def value_and_gradient(self, Z: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        shifted, logS, P = self._softmax(Z)
        s = Y.sum(axis=0)
        # s lse(z) - y^T z = s log S - y^T (z - max z): no cancellation of the max
        value = s * logS - np.einsum("ij,ij->j", Y, shifted)
        P *= s
        P -= Y
        return value, P

    has_hessian = True

    def hessian(self, Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
        P = self._softmax(Z)[2] * Y.sum(axis=0)  # s p, column by column
        Hs = -P.T[:, :, None] * P.T[:, None, :] / Y.sum(axis=0)[:, None, None]
        K = Z.shape[0]
        Hs.reshape(-1, K * K)[:, :: K + 1] += P.T  # the diagonals, as a strided view
        return Hs  # s (diag(p) - p p^T)

    def conjugate(self, U: np.ndarray, Y: np.ndarray) -> np.ndarray:
        Q = U + Y
        s = Y.sum(axis=0)
        # sum_j q_j log(q_j / s) = sum_j q_j log q_j - s log s on the domain (1^T q = s)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = xlogy(Q, Q).sum(axis=0) - xlogy(s, s)
        slack = 64 * _EPS * (Q.shape[0] * np.abs(Q).max(axis=0) + s + 1.0)
        outside = (Q.min(axis=0) < 0) | (np.abs(Q.sum(axis=0) - s) > slack)
        value[outside] = np.inf
        return value

    has_cvxpy = True

    def cvxpy(self, X: Any, Y: np.ndarray) -> Any:
        import cvxpy as cp

        s = Y.sum(axis=0)
        return s @ cp.log_sum_exp(X, axis=0) - cp.sum(cp.multiply(Y, X))

    def centre(self, U: np.ndarray, Y: np.ndarray, weights: np.ndarray) -> np.ndarray:
        r"""Subtract the weighted mean column :math:`\delta`; where that makes some
        :math:`q = u + y` negative (a probability below :math:`\delta`, rare), mix with the
        centred point :math:`u^0_i = \bar y - y_i` (:math:`q = \bar y > 0` when every row of the
        encoding has mass) by the largest :math:`\theta` that keeps :math:`q \ge 0`."""
        total = weights.sum()
        centred = U - ((U @ weights) / total)[:, None]
        Q = centred + Y
        if np.all(Q >= 0):
            return centred
        ybar = (Y @ weights) / total
        base = ybar[:, None] - Y  # centred, q = ybar
        with np.errstate(divide="ignore", invalid="ignore"):
            # theta q + (1 - theta) ybar >= 0  <=>  theta <= ybar / (ybar - q) where q < 0
            limits = np.where(Q < 0, ybar[:, None] / (ybar[:, None] - Q), 1.0)
        theta = float(np.min(limits)) * (1 - 4 * _EPS)
        return theta * centred + (1 - theta) * base
