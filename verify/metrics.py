r"""Neural-collapse metrics NC1-NC4 of the literature, for any features.

The inputs are features :math:`H \in \mathbb{R}^{d\times N}` (one sample per column), class ids
``labels`` (N,) in 0..K-1 with every class present, and optionally a classifier
:math:`W \in \mathbb{R}^{K\times d}` and bias :math:`b \in \mathbb{R}^K`: a UFM solution or a
real network's last layer alike (see :func:`features_from_arrays` for (N, d) arrays).

Every metric is computed from class means in two forms:

- ``centred=True``: :math:`m_k = \bar h_k - h_G`, with the global mean
  :math:`h_G = \frac1K \sum_k \bar h_k` taken as the *mean of the class means*, i.e.
  :math:`M = \bar H (I - J)`. Papyan, Han and Donoho (2020) centre by the mean of all samples;
  for balanced data the two coincide, and the mean of class means keeps the metrics
  independent of the class counts.
- ``centred=False``: :math:`m_k = \bar h_k`, i.e. :math:`M = \bar H`.

Why both: centring is a projection, and :math:`\alpha P (I - \beta J)(I - J) = \alpha P (I - J)`
for every :math:`\beta` (Proposition III.2), so an orthogonal frame (:math:`\beta = 0`), a simplex
ETF (:math:`\beta = 1`) and every shifted simplex ETF all look like the same simplex ETF once
centred. Only the uncentred form sees the transition from a simplex ETF to an orthogonal frame as
:math:`\lambda_b` grows (arXiv 2606.00344, Theorem III.1); the centred form is the NC2 of the
literature. NC4 compares a classifier with nearest-class-centre decisions, which a common shift
of features and centres leaves unchanged, so it has a single form.

Undefined values are ``nan`` (e.g. a cosine with a zero class mean); NC1 is ``inf`` when the
class means coincide but the features do not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike

from .errors import InvalidArgument, nonfinite_summary
from .geometry import _integer_labels, _labels, _matrix, class_means, procrustes_nc3prime
from .tolerances import DEFAULT, Tolerances

__all__ = [
    "NCMetrics",
    "features_from_arrays",
    "nc1",
    "nc2_equiangularity",
    "nc2_equinorm",
    "nc2_etf",
    "nc2_of",
    "nc3",
    "nc3prime",
    "nc4",
    "nc_metrics",
]


@dataclass(frozen=True)
class _Data:
    H: np.ndarray  # (d, N)
    labels: np.ndarray  # (N,)
    Hbar: np.ndarray  # (d, K)
    W: np.ndarray | None  # (K, d)
    b: np.ndarray | None  # (K,)

    def means(self, centred: bool) -> np.ndarray:
        return self.Hbar - self.Hbar.mean(axis=1, keepdims=True) if centred else self.Hbar

    def classifier(self) -> np.ndarray:
        if self.W is None:
            raise InvalidArgument("W", None, "this metric needs the classifier W, shape (K, d)")
        return self.W


def _first(mask: np.ndarray) -> str:
    """The index of the first true entry of ``mask``, as ``[i, j]``."""
    where = np.unravel_index(int(np.argmax(mask)), mask.shape)
    return "[" + ", ".join(str(int(i)) for i in where) + "]"


def _check_finite(name: str, value: object) -> None:
    """One line saying how many entries are NaN or inf and where, instead of the whole array."""
    arr = np.asarray(value) if isinstance(value, np.ndarray | list | tuple) else None
    if arr is not None and arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
        raise InvalidArgument(name, arr, f"entries must be finite: {nonfinite_summary(arr)}")


def _check_labels(labels: object, N: int | None = None) -> None:
    """Integer class ids, said in one line with the count and first position of the bad ones;
    with N, ids >= N are refused before any per-class array is sized by the largest id."""
    arr = np.asarray(labels) if isinstance(labels, np.ndarray | list | tuple) else None
    if arr is None or arr.ndim != 1 or arr.size == 0:
        return  # the shape rules of geometry._integer_labels say what is wrong
    if arr.dtype.kind == "f":
        bad = ~(np.isfinite(arr) & (arr == np.round(arr)))
        if np.any(bad):
            count = int(bad.sum())
            raise InvalidArgument(
                "labels",
                arr,
                f"class ids must be integers: {count} {'entry is' if count == 1 else 'entries are'}"
                f" not (fractions, NaN or inf), first at {_first(bad)} ({arr[bad][0].item()!r})",
            )
    if N is not None and arr.dtype.kind in "iuf":
        big = arr >= N
        if np.any(big):
            raise InvalidArgument(
                "labels",
                arr,
                f"class id {arr[big][0].item()!r} at {_first(big)} but there are only N={N} "
                "samples: every class 0..K-1 needs one, so ids must be < N",
            )


def _data(H: object, labels: object, W: object = None, b: object = None) -> _Data:
    _check_finite("H", H)
    A = _matrix("H", H)
    d, N = A.shape
    if N < 1:
        raise InvalidArgument("H", A.shape, "needs at least one sample (N >= 1 columns)")
    _check_labels(labels, N)
    _check_finite("W", W)
    _check_finite("b", b)
    Wm = None if W is None else _matrix("W", W, cols=d)
    ids, K = _labels(labels, N, None if Wm is None else Wm.shape[0])
    if K < 2:
        raise InvalidArgument("labels", labels, "neural-collapse metrics need K >= 2 classes")
    bv = None
    if b is not None:
        if Wm is None:
            raise InvalidArgument("b", b, "a bias needs the classifier W as well")
        bv = _matrix("b", np.reshape(np.asarray(b), (1, -1)), cols=K)[0]
    return _Data(A, ids, class_means(A, ids, K), Wm, bv)


def _nc1(D: _Data, centred: bool, tol: Tolerances) -> float:
    R = D.H - D.Hbar[:, D.labels]
    U, s, _ = np.linalg.svd(D.means(centred), full_matrices=False)
    if s[0] == 0.0:
        return 0.0 if not np.any(R) else math.inf
    keep = s**2 > tol.rank * s[0] ** 2
    Z = (U[:, keep].T @ R) / s[keep, None]
    return float(np.sum(Z**2)) / R.shape[1]


def nc1(
    H: ArrayLike, labels: ArrayLike, *, centred: bool = True, tol: Tolerances = DEFAULT
) -> float:
    r"""Variability collapse (Papyan, Han, Donoho 2020, PNAS 117(40), Fig. 6).

    .. math::

        \mathcal{NC}_1 = \frac1K \operatorname{tr}(\Sigma_W \Sigma_B^+), \quad
        \Sigma_W = \frac1N \sum_i (h_i - \bar h_{y_i})(h_i - \bar h_{y_i})^\top, \quad
        \Sigma_B = \frac1K \sum_k m_k m_k^\top,

    with :math:`m_k` centred or not (module docstring). :math:`\Sigma_B^+` drops eigenvalues
    below ``tol.rank`` times the largest (as ``np.linalg.pinv(rcond=tol.rank)``). Zero exactly
    when every sample sits on its class mean; ``inf`` if the :math:`m_k` are all zero but not
    the features' spread.
    """
    return _nc1(_data(H, labels), centred, tol)


def _nc2_equinorm(M: np.ndarray) -> float:
    norms = np.linalg.norm(M, axis=0)
    mean = float(norms.mean())
    return float(norms.std()) / mean if mean > 0 else math.nan


def nc2_equinorm(H: ArrayLike, labels: ArrayLike, *, centred: bool = True) -> float:
    r"""Equinorm (Papyan et al. 2020, Fig. 2): :math:`\operatorname{std}_k \|m_k\| /
    \operatorname{mean}_k \|m_k\|` (population std, ddof=0); ``nan`` if every :math:`m_k = 0`.
    """
    return _nc2_equinorm(_data(H, labels).means(centred))


def _nc2_equiangularity(M: np.ndarray) -> float:
    norms = np.linalg.norm(M, axis=0)
    if np.any(norms == 0):
        return math.nan
    cos = (M.T @ M) / np.outer(norms, norms)
    return float(np.std(cos[np.triu_indices(M.shape[1], k=1)]))


def nc2_equiangularity(H: ArrayLike, labels: ArrayLike, *, centred: bool = True) -> float:
    r"""Equiangularity (Papyan et al. 2020, Fig. 3): the std (ddof=0) over pairs :math:`k < l`
    of :math:`\cos\angle(m_k, m_l)`; ``nan`` if some :math:`m_k = 0`. Zero for a simplex ETF
    (all cosines :math:`-1/(K-1)`) and for an orthogonal frame (all 0) alike.
    """
    return _nc2_equiangularity(_data(H, labels).means(centred))


def _frame_distance(M: np.ndarray, target: np.ndarray) -> float:
    G = M.T @ M
    norm = float(np.linalg.norm(G))
    if norm == 0:
        return math.nan
    return float(np.linalg.norm(G / norm - target / np.linalg.norm(target)))


def nc2_etf(H: ArrayLike, labels: ArrayLike, *, centred: bool = True) -> float:
    r"""Distance to a simplex ETF (Zhu et al. 2021, NeurIPS, Sec. 4), :math:`G = M^\top M`:

    .. math::

        \mathcal{NC}_2 = \Bigl\| \frac{G}{\|G\|_F} - \frac{I - J}{\|I - J\|_F} \Bigr\|_F,
        \qquad \|I - J\|_F = \sqrt{K-1};

    ``nan`` if M = 0.
    """
    D = _data(H, labels)
    return _frame_distance(D.means(centred), np.eye(D.Hbar.shape[1]) - 1.0 / D.Hbar.shape[1])


def nc2_of(H: ArrayLike, labels: ArrayLike) -> float:
    r"""Distance of the *uncentred* class means to an orthogonal frame, the NC2 of Zhu et al.
    (2021) with target :math:`I / \|I\|_F = I/\sqrt{K}`:
    :math:`\| G/\|G\|_F - I/\sqrt K \|_F`, :math:`G = \bar H^\top \bar H`. Centred means have
    rank :math:`\le K-1` and are never an orthogonal frame, so there is no centred form.
    """
    D = _data(H, labels)
    return _frame_distance(D.Hbar, np.eye(D.Hbar.shape[1]))


def _nc3(W: np.ndarray, M: np.ndarray) -> float:
    nW, nM = float(np.linalg.norm(W)), float(np.linalg.norm(M))
    if nW == 0 or nM == 0:
        return math.nan
    return float(np.linalg.norm(W.T / nW - M / nM))


def nc3(H: ArrayLike, labels: ArrayLike, W: ArrayLike, *, centred: bool = True) -> float:
    r"""Self-duality (Zhu et al. 2021, Sec. 4):
    :math:`\| W^\top/\|W\|_F - M/\|M\|_F \|_F`; ``nan`` if W = 0 or M = 0."""
    D = _data(H, labels, W)
    return _nc3(D.classifier(), D.means(centred))


def nc3prime(H: ArrayLike, labels: ArrayLike, W: ArrayLike, *, centred: bool = True) -> float:
    r"""Self-duality up to rotation (NC3', arXiv 2606.00344, Thm IV.4): the relative residual of
    :math:`\min_{Q, \kappa} \|W^\top - \kappa M Q^\top\|_F` from
    :func:`verify.geometry.procrustes_nc3prime`."""
    D = _data(H, labels, W)
    return procrustes_nc3prime(D.classifier(), D.means(centred)).residual


def _nc4(D: _Data) -> float:
    W = D.classifier()
    b = np.zeros(W.shape[0]) if D.b is None else D.b
    decided = np.argmax(W @ D.H + b[:, None], axis=0)
    sq = np.sum(D.Hbar**2, axis=0)[:, None] - 2.0 * D.Hbar.T @ D.H  # ||h - hbar_k||^2 - ||h||^2
    nearest = np.argmin(sq, axis=0)
    return float(np.mean(decided != nearest))


def nc4(H: ArrayLike, labels: ArrayLike, W: ArrayLike, b: ArrayLike | None = None) -> float:
    r"""Nearest-class-centre agreement (Papyan et al. 2020, Fig. 7): the fraction of samples with

    .. math::

        \arg\max_k (W h_i + b)_k \ne \arg\min_k \|h_i - \bar h_k\|_2,

    b = 0 by default; ties go to the lowest k on both sides.
    """
    return _nc4(_data(H, labels, W, b))


@dataclass(frozen=True)
class NCMetrics:
    """Every metric of this module, both forms; the W-dependent ones are None without W."""

    K: int
    N: int
    nc1_centred: float
    nc1_uncentred: float
    nc2_equinorm_centred: float
    nc2_equinorm_uncentred: float
    nc2_equiangularity_centred: float
    nc2_equiangularity_uncentred: float
    nc2_etf_centred: float
    nc2_etf_uncentred: float
    nc2_of_uncentred: float
    nc3_centred: float | None
    nc3_uncentred: float | None
    nc3prime_centred: float | None
    nc3prime_uncentred: float | None
    nc4: float | None

    def as_dict(self) -> dict[str, int | float | str | None]:
        """JSON-ready: floats stay floats, ``nan``/``inf`` become the strings "nan"/"inf"."""
        out: dict[str, int | float | str | None] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = v if not isinstance(v, float) or math.isfinite(v) else str(v)
        return out


def nc_metrics(
    H: ArrayLike,
    labels: ArrayLike,
    W: ArrayLike | None = None,
    b: ArrayLike | None = None,
    tol: Tolerances = DEFAULT,
) -> NCMetrics:
    """All metrics at once from one validation and one class-mean computation.

    Args:
        H: features (d, N). labels: class ids (N,), every class 0..K-1 present, K >= 2.
        W: classifier (K, d), optional. b: bias (K,), optional, needs W (default 0).
        tol: ``tol.rank`` is the pseudo-inverse cutoff of NC1.
    """
    if not isinstance(tol, Tolerances):
        raise InvalidArgument("tol", tol, "must be a verify.tolerances.Tolerances")
    D = _data(H, labels, W, b)
    Mc, Mu = D.means(True), D.means(False)
    K = Mu.shape[1]
    etf = np.eye(K) - 1.0 / K
    has_W = D.W is not None
    return NCMetrics(
        K=K,
        N=D.H.shape[1],
        nc1_centred=_nc1(D, True, tol),
        nc1_uncentred=_nc1(D, False, tol),
        nc2_equinorm_centred=_nc2_equinorm(Mc),
        nc2_equinorm_uncentred=_nc2_equinorm(Mu),
        nc2_equiangularity_centred=_nc2_equiangularity(Mc),
        nc2_equiangularity_uncentred=_nc2_equiangularity(Mu),
        nc2_etf_centred=_frame_distance(Mc, etf),
        nc2_etf_uncentred=_frame_distance(Mu, etf),
        nc2_of_uncentred=_frame_distance(Mu, np.eye(K)),
        nc3_centred=_nc3(D.classifier(), Mc) if has_W else None,
        nc3_uncentred=_nc3(D.classifier(), Mu) if has_W else None,
        nc3prime_centred=procrustes_nc3prime(D.classifier(), Mc).residual if has_W else None,
        nc3prime_uncentred=procrustes_nc3prime(D.classifier(), Mu).residual if has_W else None,
        nc4=_nc4(D) if has_W else None,
    )


def features_from_arrays(features: ArrayLike, labels: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Features in either layout and labels, as ``(H (d, N) float64, labels (N,) int64)``.

    ``features`` may be (N, d) (rows are samples, the usual layout of ML libraries) or (d, N);
    the layout is the one whose sample axis has ``len(labels)`` entries. If both axes do
    (d == N) the array is taken as (N, d). Labels must be integers >= 0 (integral floats are
    accepted); that every class 0..K-1 is present is checked by the metrics, not here.
    """
    _check_labels(labels)
    ids = _integer_labels(labels)
    N = ids.shape[0]
    _check_finite("features", features)
    A = _matrix("features", features)
    if A.shape[0] == N:
        return np.ascontiguousarray(A.T), ids
    if A.shape[1] == N:
        return A, ids
    raise InvalidArgument(
        "features", A.shape, f"one axis must have N={N} entries, the length of labels"
    )
