r"""Exact decisions where floating point cannot decide: is the zero point *the* minimiser?

At a singular level (c equal to the encoding's scale a, say) the answer of a claim can flip
with the last bit of the instance, so numeric confirmation refuses there
(``Tolerances.boundary``). One question can still be settled exactly, because every float is
a rational: whether :math:`(W, H, b) = (0, 0, b^\star)` is the unique global minimiser of the
MSE UFM. That is the discontinuity the SSETF theorem's closed and open inequalities turn on
(nonzero class means for :math:`c < a`, zero from :math:`c = a`).

For :math:`d \ge K` the UFM's minima are those of the convex problem

.. math::

    g(Z, b) = \frac{1}{2N}\|Z + b 1^\top - Y\|_F^2 + \mu\|Z\|_* + \frac{\lambda_b}{2}\|b\|^2,
    \qquad \mu = \sqrt{\lambda_W\lambda_H}.

At :math:`Z = 0` the bias minimises :math:`g(0, \cdot)`:
:math:`b^\star = Y 1/(N(1+\lambda_b))` (0 for :math:`\lambda_b = \infty`). Since
:math:`\partial\|0\|_* = \{G : \|G\|_2 \le 1\}`, the point :math:`(0, b^\star)` is optimal iff
:math:`\|(Y - b^\star 1^\top)/N\|_2 \le \mu`, i.e. iff

.. math::

    N^2\lambda_W\lambda_H\, I - (\bar Y - b^\star 1^\top) D (\bar Y - b^\star 1^\top)^\top
    \succeq 0, \qquad D = \mathrm{diag}(n_1, \dots, n_K),

a rational matrix, so the test is exact (a symmetric elimination over fractions). It is the
unique minimiser: the loss is strongly convex in :math:`M = Z + b 1^\top`, so every minimiser
has :math:`M = b^\star 1^\top`; then :math:`Z = (b^\star - b)1^\top` and equal loss force
:math:`\mu\|Z\|_* + \frac{\lambda_b}{2}\|b\|^2` minimal, which is :math:`Z = 0` (for
:math:`\lambda_b = 0` the bias term vanishes and :math:`\|Z\|_* = 0`). A UFM minimiser has
:math:`WH = 0` and :math:`\frac{\lambda_W}{2}\|W\|^2 + \frac{\lambda_H}{2}\|H\|^2 = \mu\|WH\|_* = 0`,
so :math:`W = 0` and :math:`H = 0`: the class means vanish exactly.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ..instance import Instance

__all__ = ["exact_zero_bias", "zero_is_the_minimiser"]


def _encoding(instance: Instance) -> list[list[Fraction]]:
    """The encoding's entries as the rationals the floats are."""
    return [[Fraction(float(x)) for x in row] for row in np.asarray(instance.encoding)]


def exact_zero_bias(instance: Instance) -> list[Fraction]:
    r""":math:`b^\star = Y1/(N(1+\lambda_b))`, the bias of the zero point, in exact rationals."""
    if math.isinf(instance.lambda_b):
        return [Fraction(0)] * instance.K
    N = sum(instance.counts)
    scale = Fraction(1) / (N * (1 + Fraction(instance.lambda_b)))
    return [
        scale * sum(n * y for n, y in zip(instance.counts, row, strict=True))
        for row in _encoding(instance)
    ]


def zero_is_the_minimiser(instance: Instance) -> bool:
    """True when (0, 0, b*) is, in exact arithmetic on the instance's own numbers, the unique
    global minimiser of the MSE UFM; False when it is not."""
    if instance.loss.name != "mse":  # the KKT test below is the MSE loss's
        return False
    b = exact_zero_bias(instance)
    R = [
        [y - bi for y in row] for row, bi in zip(_encoding(instance), b, strict=True)
    ]  # Ybar - b 1^T
    K, counts = len(R), instance.counts
    bound = sum(counts) ** 2 * Fraction(instance.lambda_W) * Fraction(instance.lambda_H)
    A = [
        [
            (bound if i == j else Fraction(0))
            - sum(n * R[i][k] * R[j][k] for k, n in enumerate(counts))
            for j in range(K)
        ]
        for i in range(K)
    ]
    return _psd(A)


def _psd(A: list[list[Fraction]]) -> bool:
    """Whether the symmetric rational matrix ``A`` is positive semidefinite: eliminate with
    Schur complements; a negative pivot refutes it, and a zero pivot needs a zero row."""
    A = [row[:] for row in A]
    K = len(A)
    for k in range(K):
        pivot = A[k][k]
        if pivot < 0:
            return False
        if pivot == 0:
            if any(A[k][j] != 0 for j in range(k + 1, K)):
                return False
            continue
        for i in range(k + 1, K):
            factor = A[i][k] / pivot
            for j in range(k + 1, K):
                A[i][j] -= factor * A[k][j]
    return True
