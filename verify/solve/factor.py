r"""From the convex variable :math:`Z = WH` back to a UFM minimiser (W, H).

For :math:`Z = U\Sigma V^\top` every minimiser of
:math:`\tfrac{\lambda_W}{2}\|W\|_F^2 + \tfrac{\lambda_H}{2}\|H\|_F^2` subject to :math:`WH = Z`
is *balanced*, :math:`\lambda_W W^\top W = \lambda_H H H^\top`, and has the form

.. math::

    W = s\, U \Sigma^{1/2} R^\top, \qquad H = s^{-1} R\, \Sigma^{1/2} V^\top,
    \qquad s = (\lambda_H/\lambda_W)^{1/4},

for any :math:`R \in \mathbb{R}^{d\times r}` with orthonormal columns. The UFM's global
minimisers are therefore unique only up to an orthogonal transformation :math:`O` of the
feature space, :math:`(W, H) \mapsto (W O^\top, O H)` (given a unique :math:`(Z^\star, b^\star)`).
We return the canonical one, :math:`R = U` padded with zero rows: then the leading K x K block
of W is the symmetric positive semidefinite matrix :math:`s (Z Z^\top)^{1/4}`, which does not
depend on how U is chosen inside repeated singular values. Claims checked on it must be
invariant under :math:`O` (NC1, Gram matrices, NC3') to speak for every minimiser.
"""

from __future__ import annotations

import numpy as np

from ..instance import Instance

__all__ = ["balanced_factors", "pad"]


def pad(W_top: np.ndarray, H_top: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Zero-pad W (K, r) to (K, d) and H (r, N) to (d, N)."""
    K, r = W_top.shape
    W = np.zeros((K, d))
    W[:, :r] = W_top
    H = np.zeros((d, H_top.shape[1]))
    H[:r] = H_top
    return W, H


def balanced_factors(instance: Instance, Z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The canonical balanced factorisation W (K, d), H (d, N) of Z (K, N)."""
    U, sigma, Vt = np.linalg.svd(Z, full_matrices=False)
    s = (instance.lambda_H / instance.lambda_W) ** 0.25
    root = np.sqrt(sigma)
    W_top = s * (U * root) @ U.T
    H_top = (U * (root / s)) @ Vt
    return pad(W_top, H_top, instance.d)
