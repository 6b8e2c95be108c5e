r"""Frames and class means: simplex ETFs, orthogonal frames, shifted simplex ETFs, NC3'.

Notation of docs/CLAIMS.md: a frame is a matrix :math:`M \in \mathbb{R}^{d\times K}` whose K columns
are vectors, :math:`J = 1 1^\top / K`, and :math:`P \in \mathbb{R}^{d\times K}` is semi-orthogonal
(:math:`P^\top P = I_K`, so :math:`d \ge K`).

.. math::

    \text{simplex ETF: } \alpha P (I - J), \qquad
    \text{orthogonal frame: } \alpha P, \qquad
    \text{SSETF: } \alpha P (I - \beta J), \qquad \alpha > 0,\ \beta \in \mathbb{R}.

Every residual here is relative (scale-free) and every function checks its inputs, raising
:class:`~verify.errors.InvalidArgument` that names the argument and the rule it broke.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .errors import InvalidArgument
from .tolerances import DEFAULT, Tolerances

__all__ = [
    "Procrustes",
    "SSETFFit",
    "centring",
    "class_means",
    "gram",
    "helmert_basis",
    "minority_angle",
    "nc3_residual",
    "orthogonal_frame",
    "orthogonal_frame_residual",
    "procrustes_nc3prime",
    "simplex_etf",
    "simplex_etf_residual",
    "ssetf_fit",
    "weighted_frame_residual",
]

_TINY = np.finfo(np.float64).tiny


def _matrix(
    name: str, value: object, rows: int | None = None, cols: int | None = None
) -> np.ndarray:
    """``value`` as a finite real float64 2-D array, optionally of a given shape."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested sequences
        raise InvalidArgument(name, value, "must be a 2-D array of real numbers") from exc
    if arr.dtype == object or arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise InvalidArgument(name, value, "must be a 2-D array of real numbers")
    if np.iscomplexobj(arr):
        raise InvalidArgument(name, value, "must be real, not complex")
    if arr.ndim != 2:
        raise InvalidArgument(name, arr.shape, "must be a 2-D array (a matrix)")
    if (rows is not None and arr.shape[0] != rows) or (cols is not None and arr.shape[1] != cols):
        want = f"({'any' if rows is None else rows}, {'any' if cols is None else cols})"
        raise InvalidArgument(name, arr.shape, f"must have shape {want}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise InvalidArgument(name, arr, "entries must be finite (no NaN or inf)")
    return arr


def _integer_labels(value: object) -> np.ndarray:
    """Class ids as a 1-D int64 array: integers (or integral floats), >= 0, at least one."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested sequences
        raise InvalidArgument("labels", value, "must be a 1-D array of integer class ids") from exc
    if arr.ndim != 1 or arr.shape[0] < 1:
        raise InvalidArgument("labels", arr.shape, "must be a non-empty 1-D array of class ids")
    is_int = np.issubdtype(arr.dtype, np.integer)
    if arr.dtype == bool or not (is_int or np.issubdtype(arr.dtype, np.floating)):
        raise InvalidArgument("labels", value, "class ids must be integers")
    if not is_int and not np.all(np.isfinite(arr) & (arr == np.round(arr))):
        raise InvalidArgument("labels", value, "class ids must be integers (no fractions, no NaN)")
    if arr.min() < 0:
        raise InvalidArgument("labels", value, "class ids must be >= 0")
    return arr.astype(np.int64)


def _labels(value: object, N: int, K: int | None = None) -> tuple[np.ndarray, int]:
    """Integer class ids (N,) in 0..K-1 with every class present; returns (labels, K)."""
    ids = _integer_labels(value)
    if ids.shape[0] != N:
        raise InvalidArgument("labels", ids.shape, f"must have N={N} entries, one per sample")
    if K is None:
        K = int(ids.max()) + 1
    elif ids.max() >= K:
        raise InvalidArgument("labels", value, f"class ids must be < K={K}")
    empty = np.flatnonzero(np.bincount(ids, minlength=K) == 0)
    if empty.size:
        rule = f"class {int(empty[0])} has no samples; every class 0..{K - 1} needs at least one"
        raise InvalidArgument("labels", value, rule)
    return ids, K


def _check_K(K: object) -> int:
    if isinstance(K, bool) or not isinstance(K, int | np.integer) or K < 2:
        raise InvalidArgument("K", K, "the number of classes must be an integer >= 2")
    return int(K)


def _frame(M: object) -> np.ndarray:
    arr = _matrix("M", M)
    if arr.shape[1] < 2:
        raise InvalidArgument("M", arr.shape, "a frame needs K >= 2 columns")
    return arr


def centring(K: int) -> np.ndarray:
    r"""The centring matrix :math:`I_K - J`, :math:`J = 1 1^\top / K`, shape (K, K)."""
    K = _check_K(K)
    return np.eye(K) - np.full((K, K), 1.0 / K)


def helmert_basis(K: int) -> np.ndarray:
    r"""An orthonormal basis of :math:`1^\perp`, shape (K, K-1), in closed form (the Helmert
    contrasts: column j is :math:`(1, \dots, 1, -j, 0, \dots, 0)/\sqrt{j(j+1)}`, j ones), so
    the same on every machine. The singular vectors of :math:`I - J` are any basis of a
    repeated singular value, and LAPACK builds pick different ones."""
    K = _check_K(K)
    B = np.zeros((K, K - 1))
    for j in range(1, K):
        B[:j, j - 1] = 1.0
        B[j, j - 1] = -float(j)
        B[:, j - 1] /= math.sqrt(j * (j + 1))
    return B


def class_means(H: ArrayLike, labels: ArrayLike, K: int | None = None) -> np.ndarray:
    r"""Class means :math:`\bar H = [\bar h_1 \cdots \bar h_K]`, shape (d, K).

    .. math::

        \bar h_k = \frac{1}{n_k} \sum_{i : y_i = k} h_i, \qquad n_k = |\{i : y_i = k\}|.

    Args:
        H: features (d, N), one sample per column.
        labels: class ids (N,), integers in 0..K-1; any class counts, none empty.
        K: number of classes (default ``max(labels) + 1``).
    """
    H = _matrix("H", H)
    if H.shape[1] < 1:
        raise InvalidArgument("H", H.shape, "needs at least one sample (N >= 1 columns)")
    if K is not None and (isinstance(K, bool) or not isinstance(K, int | np.integer) or K < 1):
        raise InvalidArgument("K", K, "the number of classes must be an integer >= 1")
    ids, K = _labels(labels, H.shape[1], K)
    sums = np.zeros((K, H.shape[0]))
    np.add.at(sums, ids, H.T)
    return (sums / np.bincount(ids, minlength=K)[:, None]).T


def gram(M: ArrayLike) -> np.ndarray:
    r"""The Gram matrix :math:`G = M^\top M` of the columns of ``M``."""
    M = _matrix("M", M)
    return M.T @ M


@dataclass(frozen=True)
class SSETFFit:
    r"""The SSETF :math:`\alpha P (I - \beta J)` fitted to a frame, and its relative residual."""

    alpha: float
    beta: float
    P: np.ndarray
    residual: float


def weighted_frame_residual(M: ArrayLike, u: ArrayLike, tol: Tolerances = DEFAULT) -> float:
    r"""How far the Gram of M (d, K) is from the algebra of :math:`I - uu^\top` and :math:`uu^\top`
    (u a unit vector), with a nonzero :math:`(I - uu^\top)` part: 0 exactly when
    :math:`M = \alpha Q (I - \beta uu^\top)` with :math:`Q^\top Q = I`, :math:`\alpha > 0` (a shifted
    simplex ETF with respect to u; u = 1/sqrt(K) gives Definition III.1); 1 when the centred
    part is degenerate (below ``tol.rank`` of the Gram), as in :func:`ssetf_fit`.

    .. math:: \frac{\|G - p(I - uu^\top) - q\,uu^\top\|_F}{\|G\|_F},\quad
        p = \frac{\operatorname{tr}((I - uu^\top)G)}{K-1},\ q = u^\top G u .
    """
    M = _frame(M)
    K = M.shape[1]
    w = np.asarray(u, dtype=float)
    w = w / np.linalg.norm(w)
    G = M.T @ M
    Ju = np.outer(w, w)
    p = float(np.trace(G) - w @ G @ w) / (K - 1)
    q = float(w @ G @ w)
    size = float(np.linalg.norm(G))
    if p <= tol.rank * max(size, _TINY):
        return 1.0
    return float(np.linalg.norm(G - p * (np.eye(K) - Ju) - q * Ju)) / size


def ssetf_fit(M: ArrayLike, tol: Tolerances = DEFAULT) -> SSETFFit:
    r"""Fit a shifted simplex ETF (Definition III.1) to the columns of ``M`` (d, K), d >= K.

    The Gram matrix of :math:`\alpha P (I - \beta J)` is
    :math:`\alpha^2 ((I-J) + (1-\beta)^2 J) = p (I - J) + q J`, :math:`p > 0,\ q \ge 0`.
    With :math:`G = M^\top M`, :math:`p, q` are the least-squares coefficients of G on the
    Frobenius-orthogonal pair :math:`(I - J, J)`:

    .. math::

        p = \frac{\operatorname{tr}(G(I-J))}{K-1} = \frac{\|M(I-J)\|_F^2}{K-1}, \qquad
        q = \frac{1^\top G 1}{K} = \frac{\|M 1\|_2^2}{K}, \qquad
        \alpha = \sqrt{p}, \qquad \beta = 1 - \sqrt{q / p}.

    The canonical :math:`\beta \le 1` is returned: :math:`\beta` and :math:`2 - \beta` give the
    same frame up to the reflection :math:`P \to P(I - 2J)`. Given :math:`(\alpha, \beta)`,
    :math:`P` minimises :math:`\|M - \alpha P S\|_F` over semi-orthogonal P, with
    :math:`S = I - \beta J`; it is the orthogonal Procrustes (polar) factor of :math:`M S`,
    :math:`P = U V^\top` from the thin SVD :math:`M S = U \Sigma V^\top`. Then

    .. math::

        \text{residual} = \|M - \alpha P S\|_F / \|M\|_F,

    which is zero exactly when M is an SSETF and is an upper bound on the relative distance
    from M to the nearest SSETF. When :math:`\beta = 1` (a simplex ETF) :math:`P` is unique only
    on :math:`1^\perp`, which is all that :math:`P S` uses.

    Degenerate case: if :math:`p \le` ``tol.rank`` :math:`\cdot \max(\|G\|_F, \text{tiny})`
    (M = 0, or all columns equal, or :math:`|1-\beta| \gtrsim` ``tol.rank`` :math:`^{-1/2}`) the
    frame is at best a limit of SSETFs with :math:`\alpha \to 0`, not an SSETF (which needs
    :math:`\alpha > 0`): the fit is ``alpha=0.0, beta=nan, P=0, residual=1.0``.

    Raises:
        InvalidArgument: M is not a finite real (d, K) matrix with K >= 2 and d >= K.
    """
    M = _frame(M)
    d, K = M.shape
    if d < K:
        raise InvalidArgument(
            "M", M.shape, f"an SSETF in R^(d x K) needs d >= K (got d={d} < K={K})"
        )
    centred = M - M.mean(axis=1, keepdims=True)
    p = float(np.sum(centred**2)) / (K - 1)
    q = float(np.sum(M.sum(axis=1) ** 2)) / K
    if p <= tol.rank * max(float(np.linalg.norm(M.T @ M)), _TINY):
        return SSETFFit(alpha=0.0, beta=math.nan, P=np.zeros((d, K)), residual=1.0)
    alpha, beta = math.sqrt(p), 1.0 - math.sqrt(q / p)
    S = np.eye(K) - beta / K * np.ones((K, K))
    U, _, Vt = np.linalg.svd(M @ S, full_matrices=False)
    P = U @ Vt
    residual = float(np.linalg.norm(M - alpha * P @ S) / np.linalg.norm(M))
    return SSETFFit(alpha=alpha, beta=beta, P=P, residual=residual)


def _gram_residual(M: object, target: str) -> float:
    A = _frame(M)
    K = A.shape[1]
    G = A.T @ A
    norm_G = float(np.linalg.norm(G))
    if norm_G == 0.0:
        return 1.0
    B = centring(K) if target == "etf" else np.eye(K)
    p = float(np.sum(G * B)) / float(np.sum(B * B))  # least-squares coefficient, >= 0
    return float(np.linalg.norm(G - p * B)) / norm_G


def simplex_etf_residual(M: ArrayLike) -> float:
    r"""Relative distance of :math:`G = M^\top M` from the nearest :math:`p (I - J)`.

    .. math::

        \frac{\|G - p (I-J)\|_F}{\|G\|_F}, \qquad
        p = \arg\min_p \|G - p(I-J)\|_F = \frac{\operatorname{tr}(G(I-J))}{K-1} \ge 0.

    In [0, 1]; zero exactly when :math:`M^\top M = \alpha^2 (I - J)` with :math:`\alpha > 0`,
    which for d >= K is the simplex ETF of Definition II.1. M = 0 gives 1.0 (alpha > 0 required).
    """
    return _gram_residual(M, "etf")


def orthogonal_frame_residual(M: ArrayLike) -> float:
    r"""Relative distance of :math:`G = M^\top M` from the nearest :math:`p I`.

    .. math::

        \frac{\|G - p I\|_F}{\|G\|_F}, \qquad p = \frac{\operatorname{tr} G}{K}.

    Zero exactly when M is an orthogonal frame :math:`\alpha P`; M = 0 gives 1.0.
    """
    return _gram_residual(M, "of")


def _semi_orthogonal(P: object, K: int, tol: Tolerances) -> np.ndarray:
    if P is None:
        return np.eye(K)
    A = _matrix("P", P, cols=K)
    if A.shape[0] < K:
        raise InvalidArgument("P", A.shape, f"must be d x K with d >= K={K}")
    err = float(np.max(np.abs(A.T @ A - np.eye(K))))
    if err > tol.hypothesis:
        raise InvalidArgument(
            "P", A.shape, f"must be semi-orthogonal, P^T P = I (max error {err:.2e})"
        )
    return A


def _alpha(alpha: object) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float | np.integer | np.floating):
        raise InvalidArgument("alpha", alpha, "must be a real number")
    if not (math.isfinite(float(alpha)) and float(alpha) > 0):
        raise InvalidArgument("alpha", alpha, "must be finite and > 0")
    return float(alpha)


def simplex_etf(
    K: int, alpha: float = 1.0, P: ArrayLike | None = None, tol: Tolerances = DEFAULT
) -> np.ndarray:
    r"""The simplex ETF :math:`\alpha P (I - J)` (Definition II.1), shape (d, K).

    ``P`` is d x K semi-orthogonal (up to ``tol.hypothesis``), default :math:`I_K`.
    """
    K = _check_K(K)
    return _alpha(alpha) * _semi_orthogonal(P, K, tol) @ centring(K)


def orthogonal_frame(
    K: int, alpha: float = 1.0, P: ArrayLike | None = None, tol: Tolerances = DEFAULT
) -> np.ndarray:
    r"""The orthogonal frame :math:`\alpha P` (Definition II.2), shape (d, K).

    ``P`` is d x K semi-orthogonal (up to ``tol.hypothesis``), default :math:`I_K`.
    """
    K = _check_K(K)
    return _alpha(alpha) * _semi_orthogonal(P, K, tol)


@dataclass(frozen=True)
class Procrustes:
    r"""Best fit :math:`W^\top \approx \kappa \bar H Q^\top`: Q (K, K), kappa, relative residual."""

    Q: np.ndarray
    kappa: float
    residual: float


def _pair(W: object, Hbar: object) -> tuple[np.ndarray, np.ndarray]:
    Hb = _matrix("Hbar", Hbar)
    d, K = Hb.shape
    return _matrix("W", W, rows=K, cols=d), Hb


def _relative(W: np.ndarray, Hbar: np.ndarray, kappa: float, diff: float) -> float:
    scale = max(float(np.linalg.norm(W)), kappa * float(np.linalg.norm(Hbar)), _TINY)
    return diff / scale


def procrustes_nc3prime(W: ArrayLike, Hbar: ArrayLike) -> Procrustes:
    r"""Self-duality up to rotation (NC3'): fit :math:`W^\top = \kappa \bar H Q^\top`.

    Solves exactly, for W (K, d) and :math:`\bar H` (d, K),

    .. math::

        \min_{Q^\top Q = I,\ \kappa \ge 0} \|W^\top - \kappa \bar H Q^\top\|_F^2
        = \|W\|_F^2 - 2\kappa \langle W \bar H, Q\rangle + \kappa^2 \|\bar H\|_F^2 .

    For every :math:`\kappa > 0` the best Q maximises :math:`\operatorname{tr}(Q \bar H^\top W^\top)
    = \langle W\bar H, Q \rangle`: it is the polar factor :math:`Q = U V^\top` of
    :math:`W \bar H = U \Sigma V^\top`, with maximum :math:`\|W\bar H\|_*`; then
    :math:`\kappa = \|W \bar H\|_* / \|\bar H\|_F^2` (0 if :math:`\bar H = 0`). Q is unique only
    on the range of :math:`\bar H^\top` when :math:`\bar H` is rank deficient. The residual is

    .. math::

        \frac{\|W^\top - \kappa \bar H Q^\top\|_F}
             {\max(\|W\|_F,\ \kappa \|\bar H\|_F,\ \text{tiny})}.

    All-zero inputs give ``kappa=0.0, residual=0.0``; so does W = 0 alone (the limit
    :math:`\kappa \to 0`): callers that need :math:`\kappa > 0` must check ``kappa``.
    """
    W, Hb = _pair(W, Hbar)
    U, sigma, Vt = np.linalg.svd(W @ Hb)
    Q = U @ Vt
    norm_H2 = float(np.sum(Hb**2))
    kappa = max(float(np.sum(sigma)) / norm_H2, 0.0) if norm_H2 > 0 else 0.0
    if kappa == 0.0:
        Q = np.eye(Hb.shape[1]) if norm_H2 == 0 else Q
    diff = float(np.linalg.norm(W.T - kappa * Hb @ Q.T))
    return Procrustes(Q=Q, kappa=kappa, residual=_relative(W, Hb, kappa, diff))


def nc3_residual(W: ArrayLike, Hbar: ArrayLike, kappa: float | None = None) -> float:
    r"""Self-duality without rotation (NC3): relative residual of :math:`W^\top = \kappa \bar H`.

    .. math::

        \frac{\|W^\top - \kappa \bar H\|_F}{\max(\|W\|_F,\ \kappa \|\bar H\|_F,\ \text{tiny})},
        \qquad \kappa = \max\Bigl(0, \frac{\langle W^\top, \bar H\rangle}{\|\bar H\|_F^2}\Bigr)
        \text{ if not given (least squares).}
    """
    W, Hb = _pair(W, Hbar)
    if kappa is None:
        norm_H2 = float(np.sum(Hb**2))
        k = max(float(np.sum(W.T * Hb)) / norm_H2, 0.0) if norm_H2 > 0 else 0.0
    else:
        if isinstance(kappa, bool) or not isinstance(kappa, int | float | np.integer | np.floating):
            raise InvalidArgument("kappa", kappa, "must be a real number or None")
        k = float(kappa)
        if not (math.isfinite(k) and k >= 0):
            raise InvalidArgument("kappa", kappa, "must be finite and >= 0")
    return _relative(W, Hb, k, float(np.linalg.norm(W.T - k * Hb)))


def minority_angle(W: np.ndarray, group: list[int]) -> float:
    """The largest angle (degrees) between two classifier rows of ``group`` (0 when they coincide
    or vanish: a row below 1e-9 of the largest row of W is rounding, and has no direction)."""
    rows = W[group]
    norms = np.linalg.norm(rows, axis=1)
    if np.any(norms <= 1e-9 * float(np.linalg.norm(W, axis=1).max(initial=0.0))):
        return 0.0
    cos = np.clip((rows @ rows.T) / np.outer(norms, norms), -1.0, 1.0)
    return float(np.degrees(np.arccos(cos.min())))
