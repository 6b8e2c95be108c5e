r"""Mean squared error, :math:`l(z, y) = \tfrac12\|z - y\|^2`: the loss of paper 000.

:math:`\nabla l = z - y`, smoothness 1, strongly convex with m = 1, and
:math:`l^*(u, y) = \tfrac12\|u\|^2 + u^\top y` (finite everywhere). An instance with this loss
is certified by the MSE certificate of :mod:`verify.solve.certificate` (with its spectral
projection and Theorem III.4a's bound on Z); the generic certificate of
:mod:`verify.solve.gap` agrees with it and is tested against it.
"""

from __future__ import annotations

import numpy as np

from .base import Loss

__all__ = ["MSE"]


class MSE(Loss):
    name = "mse"
    smoothness = 1.0
    strong_convexity = 1.0
    shift_invariant = False

    def value(self, Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
        R = Z - Y
        return 0.5 * np.einsum("ij,ij->j", R, R)

    def gradient(self, Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return Z - Y

    def conjugate(self, U: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return 0.5 * np.einsum("ij,ij->j", U, U) + np.einsum("ij,ij->j", U, Y)

    has_hessian = True

    def hessian(self, Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.eye(Z.shape[0]), (Z.shape[1], Z.shape[0], Z.shape[0])).copy()
