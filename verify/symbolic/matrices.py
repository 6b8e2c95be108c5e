r"""Small explicit symbolic matrices for entry-wise replays of matrix identities.

A matrix identity proved for *all* matrices of given sizes is checked here on matrices whose
entries are independent symbols (``w_11, w_12, ...``): the identity then holds as a polynomial
(or rational) identity in those entries, which is exactly what the matrix manipulations of the
paper assert at those sizes.
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "class_assignment",
    "fro2",
    "mgamma",
    "ones",
    "sym_matrix",
    "sym_vector",
    "ufm_objective",
]


def sym_matrix(name: str, rows: int, cols: int) -> sp.Matrix:
    """``rows x cols`` matrix of real symbols ``name_ij`` (1-based)."""
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True))


def sym_vector(name: str, size: int) -> sp.Matrix:
    """Column vector of real symbols ``name_i`` (1-based)."""
    return sp.Matrix(size, 1, lambda i, _: sp.Symbol(f"{name}_{i + 1}", real=True))


def ones(size: int) -> sp.Matrix:
    """The all-ones column vector :math:`1_{size}`."""
    return sp.ones(size, 1)


def fro2(X: sp.Matrix) -> sp.Expr:
    r"""Squared Frobenius norm :math:`\|X\|_F^2 = \sum_{ij} X_{ij}^2`."""
    return sp.Add(*[e**2 for e in X])


def mgamma(N: int, gamma: sp.Expr) -> sp.Matrix:
    r""":math:`M_\gamma = I_N - \gamma 1_N 1_N^\top / N`."""
    return sp.eye(N) - gamma * sp.ones(N, N) / N


def class_assignment(counts: list[int]) -> sp.Matrix:
    r""":math:`C = [e_1 1_{n_1}^\top \cdots e_K 1_{n_K}^\top]`."""
    cols = [sp.eye(len(counts))[:, k] for k, nk in enumerate(counts) for _ in range(nk)]
    return sp.Matrix.hstack(*cols)


def ufm_objective(
    W: sp.Matrix,
    H: sp.Matrix,
    b: sp.Matrix,
    Y: sp.Matrix,
    lambda_W: sp.Expr,
    lambda_H: sp.Expr,
    lambda_b: sp.Expr,
) -> sp.Expr:
    r"""The UFM objective (2) as an explicit scalar:

    .. math:: \frac{1}{2N}\|WH + b1_N^\top - Y\|_F^2 + \frac{\lambda_W}{2}\|W\|_F^2
              + \frac{\lambda_H}{2}\|H\|_F^2 + \frac{\lambda_b}{2}\|b\|_2^2.
    """
    N = H.shape[1]
    R = W * H + b * ones(N).T - Y
    return (
        fro2(R) / (2 * N) + lambda_W / 2 * fro2(W) + lambda_H / 2 * fro2(H) + lambda_b / 2 * fro2(b)
    )
