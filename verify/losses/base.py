r"""The loss protocol: what the engines and the certificate need from a convex per-sample loss.

A loss is :math:`l(z, y)`, convex in the logits :math:`z \in \mathbb{R}^K` for every target
column :math:`y` of the encoding. The UFM objective is

.. math::

    f(W, H, b) = \frac1N \sum_i l(W h_i + b, y_i) + \frac{\lambda_W}{2}\|W\|_F^2
               + \frac{\lambda_H}{2}\|H\|_F^2 + \frac{\lambda_b}{2}\|b\|^2 .

Every method works on a block of columns at once: ``Z`` and ``Y`` are (K, B), one column per
sample, and per-sample results are (B,). The certificate (:mod:`verify.solve.gap`) needs
:meth:`Loss.value`, :meth:`Loss.gradient` and the Fenchel conjugate
:math:`l^*(u, y) = \sup_z u^\top z - l(z, y)` (:meth:`Loss.conjugate`, ``+inf`` outside its
domain); the ``exact`` engine needs the value, gradient and :attr:`Loss.smoothness`
(a Lipschitz constant of :math:`\nabla_z l`, for its step), and, optionally, the Hessian
(:meth:`Loss.hessian`, for its Newton steps). A dual point of the certificate is
built from the gradients :math:`u_i = \nabla l(x_i, y_i)` and is scaled by :math:`t \in [0, 1]`
into the spectral-norm ball, so the conjugate's domain must contain :math:`t u_i` (true when
:math:`l^*(0, y) < \infty`, i.e. :math:`l(\cdot, y)` is bounded below, as domains are convex);
for :math:`\lambda_b = 0` it must also satisfy :math:`\sum_i u_i = 0`, which :meth:`Loss.centre`
restores without leaving the domain (the default subtracts the mean column, right for a loss
whose conjugate is finite everywhere, such as MSE; cross-entropy overrides it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Loss"]


class Loss:
    """Base class of a convex loss (subclass it and override the ``NotImplemented`` methods).

    Attributes:
        name: the loss's name on the command line and in JSON (``--loss NAME``).
        smoothness: L with :math:`\\|\\nabla l(z) - \\nabla l(z')\\| \\le L\\|z - z'\\|`.
        strong_convexity: m >= 0 with :math:`l(\\cdot, y)` m-strongly convex (0 if it is not);
            m > 0 gives a certified bound on :math:`\\|WH + b1^\\top - X^\\star\\|_F`.
        shift_invariant: :math:`l(z + t1, y) = l(z, y)` for every t (cross-entropy): then with
            :math:`\\lambda_b = 0` the bias of a minimiser is unique only up to adding t 1.
    """

    name: str = "loss"
    smoothness: float = 1.0
    strong_convexity: float = 0.0
    shift_invariant: bool = False

    def validate(self, encoding: np.ndarray, lambda_b: float) -> None:
        """Raise :class:`~verify.errors.InvalidArgument` if ``encoding`` (K, K) is not a valid
        target for this loss (or, with ``lambda_b``, leaves the UFM without a minimiser); the
        default accepts every finite encoding."""

    def value(self, Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Per-sample losses l(z_i, y_i), (B,)."""
        raise NotImplementedError

    def gradient(self, Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Per-sample gradients in z, (K, B)."""
        raise NotImplementedError

    def value_and_gradient(self, Z: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Both at once (override when they share work, as cross-entropy's softmax)."""
        return self.value(Z, Y), self.gradient(Z, Y)

    def conjugate(self, U: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Per-sample :math:`l^*(u_i, y_i)`, (B,), ``+inf`` outside the domain."""
        raise NotImplementedError

    has_hessian = False  # True when :meth:`hessian` is implemented (optional)

    def hessian(self, Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Per-sample Hessians :math:`\\nabla^2_z l(z_i, y_i)`, (B, K, K). Optional: with it the
        ``exact`` engine finishes with Newton steps (quadratic convergence), without it with
        first-order steps only; the certificate never uses it."""
        raise NotImplementedError

    def centre(self, U: np.ndarray, Y: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Columns with weighted sum :math:`\\sum_i w_i u_i = 0`, close to ``U`` and inside the
        conjugate's domain; the default subtracts the weighted mean column."""
        mean = (U @ weights) / weights.sum()
        return U - mean[:, None]

    has_cvxpy = False  # True when :meth:`cvxpy` is implemented (the ``cvxpy`` engine needs it)

    def cvxpy(self, X: Any, Y: np.ndarray) -> Any:
        r"""The CVXPY expression of :math:`\sum_i l(x_i, y_i)` for a (K, N) variable X."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<loss {self.name}>"
