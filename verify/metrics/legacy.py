r"""The per-metric functions and ``nc_metrics`` of features H (d, N), kept for their callers.

They are computed from the same statistics as :func:`verify.metrics.measure`
(:mod:`verify.metrics.stats`). Centring is chosen by ``centring`` ('sample-mean', the default
of the literature; 'class-mean'; 'none'); the older ``centred=True/False`` still means
'class-mean'/'none', as it always did.

:func:`nc_metrics` is the summary ``verify solve`` prints for a UFM minimiser, and keeps its
meaning: ``*_centred`` centres by the **mean of the class means** (the UFM's centring,
Prop. III.2 of arXiv 2606.00344: an SSETF centred so is a simplex ETF whatever the counts),
``*_uncentred`` not at all, and its ``nc3_*`` are the **self-duality distance**
:math:`\|W^\top/\|W\|_F - M/\|M\|_F\|_F` (nc-toolbox's ``nc3_self_duality``), not Zhu et al.'s
NC3 (:func:`nc3` with its default ``form='zhu'``, or ``measure``'s ``nc3_zhu_*``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike

from ..errors import InvalidArgument, nonfinite_summary
from ..geometry import _matrix
from ..tolerances import METRICS, MetricsTolerances, Tolerances
from . import conventions as C  # noqa: N812
from .classes import classes_of, integer_ids
from .measure import check_centring, classifier
from .stats import ClassStats, accumulate, array_chunks, default_chunk_rows


def _check_finite(name: str, value: object) -> None:
    arr = np.asarray(value) if isinstance(value, np.ndarray | list | tuple) else None
    if arr is not None and arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
        raise InvalidArgument(name, arr, f"entries must be finite: {nonfinite_summary(arr)}")


@dataclass(frozen=True)
class _Data:
    stats: ClassStats
    W: np.ndarray | None  # (K, d), all rows
    Wp: np.ndarray | None  # the rows of the classes present

    def classifier(self) -> np.ndarray:
        if self.Wp is None:
            raise InvalidArgument("W", None, "this metric needs the classifier W, shape (K, d)")
        return self.Wp


def _data(H: object, labels: object, W: object = None, b: object = None) -> _Data:
    _check_finite("H", H)
    try:
        A = np.asarray(H)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument("H", H, "must be a 2-D array of real numbers") from exc
    if A.dtype.kind not in "iuf" or A.dtype == bool:
        raise InvalidArgument("H", H, "must be a 2-D array of real numbers")
    if A.ndim != 2:
        raise InvalidArgument("H", A.shape, "must be a 2-D array (a matrix)")
    d, N = A.shape
    if N < 1:
        raise InvalidArgument("H", A.shape, "needs at least one sample (N >= 1 columns)")
    ids = integer_ids(labels)
    if ids.shape[0] != N:
        raise InvalidArgument("labels", ids.shape, f"must have N={N} entries, one per sample")
    _check_finite("W", W)
    _check_finite("b", b)
    Wm, bv = classifier(W, b, d)
    cl = classes_of(ids, None if Wm is None else Wm.shape[0])
    S = accumulate(array_chunks(A.T, ids, default_chunk_rows(d)), cl, d, Wm, bv)
    return _Data(S, Wm, None if Wm is None else Wm[cl.present])


def _centring(centring: str | None, centred: bool | None) -> str:
    if centring is not None:
        return check_centring(centring)
    if centred is None:
        return "sample-mean"
    return "class-mean" if centred else "none"


def _tol(tol: object) -> MetricsTolerances:
    if isinstance(tol, MetricsTolerances):
        return tol
    if isinstance(tol, Tolerances):  # the claims' tolerances: NC1 no longer uses their rank
        return METRICS
    raise InvalidArgument("tol", tol, "must be a verify.tolerances.MetricsTolerances")


def nc1(
    H: ArrayLike,
    labels: ArrayLike,
    *,
    centring: str | None = None,
    centred: bool | None = None,
    tol: MetricsTolerances | Tolerances = METRICS,
) -> float:
    r"""Variability collapse, Papyan, Han & Donoho (2020, Fig. 6):
    :math:`\frac1K \operatorname{tr}(\Sigma_W \Sigma_B^+)` (:func:`conventions.nc1_papyan`:
    the pseudo-inverse keeps every direction above the rounding level)."""
    return C.nc1_papyan(_data(H, labels).stats, _centring(centring, centred), _tol(tol))


def nc2_equinorm(
    H: ArrayLike, labels: ArrayLike, *, centring: str | None = None, centred: bool | None = None
) -> float:
    r"""Equinorm, Papyan et al. (2020, Fig. 2): :math:`\operatorname{std}_k \|m_k\| /
    \operatorname{mean}_k \|m_k\|`."""
    return C.nc2_equinorm(_data(H, labels).stats, _centring(centring, centred))


def nc2_equiangularity(
    H: ArrayLike, labels: ArrayLike, *, centring: str | None = None, centred: bool | None = None
) -> float:
    r"""Equiangularity, Papyan et al. (2020, Fig. 3): :math:`\operatorname{std}_{k<l}
    \cos\angle(m_k, m_l)`."""
    return C.nc2_equiangularity(_data(H, labels).stats, _centring(centring, centred))


def nc2_etf(
    H: ArrayLike, labels: ArrayLike, *, centring: str | None = None, centred: bool | None = None
) -> float:
    r"""Distance to a simplex ETF, Zhu et al. (2021): :math:`\|G/\|G\|_F - (I-J)/\sqrt{K-1}\|_F`,
    :math:`G = M^\top M`."""
    return C.nc2_etf(_data(H, labels).stats, _centring(centring, centred))


def nc2_of(H: ArrayLike, labels: ArrayLike) -> float:
    r"""Distance of the uncentred class means to an orthogonal frame:
    :math:`\|G/\|G\|_F - I/\sqrt K\|_F`, :math:`G = \bar H^\top \bar H`."""
    return C.nc2_of(_data(H, labels).stats)


def nc3(
    H: ArrayLike,
    labels: ArrayLike,
    W: ArrayLike,
    *,
    centring: str | None = None,
    centred: bool | None = None,
    form: str = "zhu",
) -> float:
    r"""Classifier-mean duality. ``form='zhu'`` (default): Zhu et al. (2021, Sec. 4),
    :math:`\|W M/\|W M\|_F - (I-J)/\sqrt{K-1}\|_F`; ``form='self-duality'``:
    :math:`\|W^\top/\|W\|_F - M/\|M\|_F\|_F` (nc-toolbox; Papyan et al. Fig. 5 squared)."""
    D = _data(H, labels, W)
    c = _centring(centring, centred)
    if form == "zhu":
        return C.nc3_zhu(D.stats, c, D.classifier())
    if form == "self-duality":
        return C.nc3_self_duality(D.stats, c, D.classifier())
    raise InvalidArgument("form", form, "must be 'zhu' or 'self-duality'")


def nc3prime(
    H: ArrayLike,
    labels: ArrayLike,
    W: ArrayLike,
    *,
    centring: str | None = None,
    centred: bool | None = None,
) -> float:
    r"""Self-duality up to rotation (NC3', arXiv 2606.00344, Thm IV.4), the relative residual
    of :math:`\min_{Q, \kappa} \|W^\top - \kappa M Q^\top\|_F`."""
    D = _data(H, labels, W)
    return C.nc3prime(D.stats, _centring(centring, centred), D.classifier())


def nc4(H: ArrayLike, labels: ArrayLike, W: ArrayLike, b: ArrayLike | None = None) -> float:
    r"""Nearest-class-centre agreement, Papyan et al. (2020, Fig. 7): the fraction of samples
    with :math:`\arg\max_k (W h_i + b)_k \ne \arg\min_k \|h_i - \bar h_k\|` (b = 0 by
    default; ties to the lowest class id), the distances taken at the scale of the spread."""
    D = _data(H, labels, W, b)
    D.classifier()
    value = C.nc4(D.stats, bias=True)
    assert value is not None
    return value


@dataclass(frozen=True)
class NCMetrics:
    """The summary of ``verify solve`` (module docstring: class-mean centring, self-duality
    ``nc3``); the W-dependent fields are None without W."""

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
    tol: MetricsTolerances | Tolerances = METRICS,
) -> NCMetrics:
    """The summary of ``verify solve``: centred by the mean of the class means and uncentred,
    nc3 the self-duality distance (module docstring), from one pass of statistics.

    Args:
        H: features (d, N). labels: class ids (N,), K >= 2 present (absent ones allowed).
        W: classifier (K, d), optional. b: bias (K,), optional, needs W (default 0).
    """
    t = _tol(tol)
    D = _data(H, labels, W, b)
    S, Wp = D.stats, D.Wp
    has_W = Wp is not None
    cm, no = "class-mean", "none"
    return NCMetrics(
        K=S.classes.K,
        N=S.N,
        nc1_centred=C.nc1_papyan(S, cm, t),
        nc1_uncentred=C.nc1_papyan(S, no, t),
        nc2_equinorm_centred=C.nc2_equinorm(S, cm),
        nc2_equinorm_uncentred=C.nc2_equinorm(S, no),
        nc2_equiangularity_centred=C.nc2_equiangularity(S, cm),
        nc2_equiangularity_uncentred=C.nc2_equiangularity(S, no),
        nc2_etf_centred=C.nc2_etf(S, cm),
        nc2_etf_uncentred=C.nc2_etf(S, no),
        nc2_of_uncentred=C.nc2_of(S),
        nc3_centred=C.nc3_self_duality(S, cm, Wp) if Wp is not None else None,
        nc3_uncentred=C.nc3_self_duality(S, no, Wp) if Wp is not None else None,
        nc3prime_centred=C.nc3prime(S, cm, Wp) if Wp is not None else None,
        nc3prime_uncentred=C.nc3prime(S, no, Wp) if Wp is not None else None,
        nc4=C.nc4(S) if has_W else None,
    )


def features_from_arrays(features: ArrayLike, labels: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Features in either layout and labels, as ``(H (d, N) float64, labels (N,) int64)``.

    ``features`` may be (N, d) or (d, N): the sample axis has ``len(labels)`` entries; (N, N)
    is read as (N, d). Labels must be integers >= 0 (integral floats accepted). This copies
    the features; :func:`verify.metrics.measure` takes either layout without a copy.
    """
    ids = integer_ids(labels)
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
