r"""``measure``: every NC metric of features, each named by its convention and source.

Keys ending in ``_centred`` use the chosen centring (default the mean of all samples, as
Papyan, Han & Donoho 2020 and most libraries); ``_uncentred`` the raw class means
(``centring='none'``), which alone see the simplex-ETF-to-orthogonal-frame transition of
arXiv 2606.00344. :meth:`Measurement.as_dict` is strict JSON and names, per key, the
source and formula (:data:`CONVENTIONS`), and the centring.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..errors import InvalidArgument, nonfinite_summary
from ..geometry import _matrix
from ..tolerances import METRICS, MetricsTolerances
from . import conventions as C  # noqa: N812
from .classes import Classes, classes_of, integer_ids
from .stats import CENTRINGS, ClassStats, NonFinite, accumulate, array_chunks, default_chunk_rows

CENTRING_SOURCES = {
    "sample-mean": (
        "Papyan, Han & Donoho 2020 (PNAS); rhubarbwu/neural-collapse, nc-toolbox, "
        "tding1/Neural-Collapse, nc_loss",
        "h_G = (1/N) sum_i h_i",
    ),
    "class-mean": (
        "arXiv 2606.00344, Prop. III.2 (centring by I - J; nc-verify's earlier default)",
        "h_G = (1/K) sum_k hbar_k",
    ),
    "none": ("uncentred class means (arXiv 2606.00344, Thm III.1)", "h_G = 0"),
}

# key (without _centred/_uncentred) -> (source, formula)
CONVENTIONS: dict[str, tuple[str, str]] = {
    "nc1": ("Papyan, Han & Donoho 2020, Fig. 6", "tr(Sw Sb^+)/K, Sb^+ above rounding"),
    "nc1_han": ("Han, Papyan & Donoho 2022 (svd form)", "tr(Sw Sb_{K-1}^+)/K, top K-1 directions"),
    "nc1_tirer": ("Tirer, Huang & Niles-Weed 2023", "tr(Sw)/tr(Sb)"),
    "nc1_rangamani": ("Rangamani et al. 2023, Sec. 4 (weak NC1)", "tr(Sw)/(tr(Sw)+tr(Sb))"),
    "nc1_cdnv": (
        "Galanti, Gyorgy & Hutter 2022",
        "mean_{k<l} (s_k^2+s_l^2)/(2||hbar_k-hbar_l||^2), s_k^2 = mean ||h-hbar_k||^2",
    ),
    "nc2_etf": ("Zhu et al. 2021, Sec. 4", "||G/||G||_F - (I-J)/sqrt(K-1)||_F, G = M^T M"),
    "nc2_of": ("arXiv 2606.00344", "||G/||G||_F - I/sqrt(K)||_F, G = Hbar^T Hbar"),
    "nc2_etf_classifier": ("Zhu et al. 2021, Sec. 4", "||WW^T/||WW^T||_F - (I-J)/sqrt(K-1)||_F"),
    "nc2_equinorm": ("Papyan et al. 2020, Fig. 2", "std_k ||m_k|| / mean_k ||m_k||"),
    "nc2_equinorm_log": ("Wu & Papyan 2024, Sec. 3", "std_k log ||m_k||"),
    "nc2_equiangularity": ("Papyan et al. 2020, Fig. 3", "std_{k<l} cos(m_k, m_l)"),
    "nc2_max_angle": ("Papyan et al. 2020, Fig. 4", "mean_{k<l} |cos(m_k, m_l) + 1/(K-1)|"),
    "nc2_interference": ("Wu & Papyan 2024, Sec. 3", "mean_{k<l} (cos(m_k, m_l) + 1/(K-1))"),
    "nc2_uniformity": (
        "Liu et al. 2023; Lu & Steinerberger 2021",
        "mean_{k<l} log(1/||mhat_k - mhat_l||)",
    ),
    "nc3_zhu": ("Zhu et al. 2021, Sec. 4", "||WM/||WM||_F - (I-J)/sqrt(K-1)||_F"),
    "nc3_self_duality": ("Papyan et al. 2020, Fig. 5 (unsquared)", "||W^T/||W||_F - M/||M||_F||_F"),
    "nc3_uniform_duality": (
        "Wu & Papyan 2024, Sec. 3",
        "std_k cos(w_k, m_k) / mean_k cos(w_k, m_k)",
    ),
    "nc3prime": ("arXiv 2606.00344, Thm IV.4", "min_{Q,kappa} ||W^T - kappa M Q^T||_F / scale"),
    "nc4": (
        "Papyan et al. 2020, Fig. 7",
        "mean_i [argmax_k (W h_i + b)_k != argmin_k ||h_i - hbar_k||]",
    ),
    "nc4_no_bias": (
        "Papyan et al. 2020, Fig. 7, b = 0",
        "mean_i [argmax_k (W h_i)_k != argmin_k ||h_i - hbar_k||]",
    ),
    "effective_rank": ("Roy & Vetterli 2007", "exp(-sum_j p_j log p_j), p = s / sum(s), s = sv(M)"),
}

_BOTH = ("nc1", "nc2_etf", "nc2_equinorm", "nc2_equiangularity")
_BOTH_W = ("nc3_zhu", "nc3_self_duality", "nc3prime")


@dataclass(frozen=True)
class Measurement:
    """Values by key (see :data:`CONVENTIONS`), the centring, and what the data were.

    ``info``: N, d, K, K_present, classes (present ids), counts, missing_classes,
    sigma_b_rank (directions of Sigma_B kept by NC1), sigma_b_dropped (possible directions
    left out as rounding), rounding (the tolerance).
    """

    values: dict[str, float | None]
    centring: str
    info: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Strict JSON: info, the centring, the values (nan/inf as strings), conventions."""
        out: dict[str, Any] = dict(self.info)
        out["centring"] = self.centring
        for key, v in self.values.items():
            out[key] = v if v is None or math.isfinite(v) else str(v)
        names: dict[str, dict[str, str]] = {}
        source, formula = CENTRING_SOURCES[self.centring]
        names["centring"] = {"name": self.centring, "source": source, "formula": formula}
        for key in self.values:
            base = key.removesuffix("_centred").removesuffix("_uncentred")
            src, form = CONVENTIONS[base]
            centring = "none" if key.endswith("_uncentred") else self.centring
            names[key] = {"source": src, "formula": form, "centring": centring}
        out["conventions"] = names
        return out


def check_centring(centring: object) -> str:
    if centring not in CENTRINGS:
        raise InvalidArgument("centring", centring, f"must be one of {', '.join(CENTRINGS)}")
    return str(centring)


def from_stats(
    S: ClassStats, W: np.ndarray | None, centring: str, tol: MetricsTolerances = METRICS
) -> Measurement:
    """All metrics of :data:`CONVENTIONS` from the statistics (W: all K rows, or None)."""
    v: dict[str, float | None] = {}
    forms = {"centred": centring, "uncentred": "none"}
    for suffix, c in forms.items():
        v[f"nc1_{suffix}"] = C.nc1_papyan(S, c, tol)
    v["nc1_han_centred"] = C.nc1_han(S, centring)
    v["nc1_tirer_centred"] = C.nc1_tirer(S, centring)
    v["nc1_rangamani_centred"] = C.nc1_rangamani(S, centring)
    v["nc1_cdnv"] = C.nc1_cdnv(S)
    for suffix, c in forms.items():
        v[f"nc2_etf_{suffix}"] = C.nc2_etf(S, c)
        v[f"nc2_equinorm_{suffix}"] = C.nc2_equinorm(S, c)
        v[f"nc2_equiangularity_{suffix}"] = C.nc2_equiangularity(S, c)
    v["nc2_of_uncentred"] = C.nc2_of(S)
    v["nc2_equinorm_log_centred"] = C.nc2_equinorm_log(S, centring)
    v["nc2_max_angle_centred"] = C.nc2_max_angle(S, centring)
    v["nc2_interference_centred"] = C.nc2_interference(S, centring)
    v["nc2_uniformity_centred"] = C.nc2_uniformity(S, centring)
    v["effective_rank_centred"] = C.effective_rank(S, centring)
    if W is not None:
        Wp = W[S.classes.present]
        v["nc2_etf_classifier"] = C.nc2_etf_classifier(W)
        for suffix, c in forms.items():
            v[f"nc3_zhu_{suffix}"] = C.nc3_zhu(S, c, Wp)
            v[f"nc3_self_duality_{suffix}"] = C.nc3_self_duality(S, c, Wp)
            v[f"nc3prime_{suffix}"] = C.nc3prime(S, c, Wp)
        v["nc3_uniform_duality_centred"] = C.nc3_uniform_duality(S, centring, Wp)
        v["nc4"] = C.nc4(S, bias=True)
        v["nc4_no_bias"] = C.nc4(S, bias=False)
    _, _, kept, possible = C.sigma_b_directions(S, centring, tol)
    cl = S.classes
    info = {
        "N": S.N,
        "d": S.d,
        "K": cl.K,
        "K_present": cl.K_present,
        "classes": [int(k) for k in cl.present],
        "counts": [int(n) for n in cl.counts],
        "missing_classes": cl.missing,
        "sigma_b_rank": kept,
        "sigma_b_dropped": possible - kept,
        "rounding": tol.rounding,
    }
    return Measurement(values=v, centring=centring, info=info)


def classifier(W: object, b: object, d: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """W (K, d) and b (K,) as float64, finite, shapes checked."""
    if W is None:
        if b is not None:
            raise InvalidArgument("b", b, "a bias needs the classifier W as well")
        return None, None
    _finite("W", W)
    Wm = _matrix("W", W, cols=d)
    if Wm.shape[0] < 2:
        raise InvalidArgument("W", Wm.shape, "the classifier needs K >= 2 rows")
    if b is None:
        return Wm, None
    _finite("b", b)
    bv = _matrix("b", np.reshape(np.asarray(b), (1, -1)), cols=Wm.shape[0])[0]
    return Wm, bv


def _finite(name: str, value: object) -> None:
    arr = np.asarray(value) if isinstance(value, np.ndarray | list | tuple) else None
    if arr is not None and arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
        raise InvalidArgument(name, arr, f"entries must be finite: {nonfinite_summary(arr)}")


def _rows(features: object, N: int) -> np.ndarray:
    """An (N, d) view of features in either layout (no copy); (d == N) is read as (N, d)."""
    A = np.asarray(features)
    if A.ndim != 2 or A.dtype.kind not in "iuf" or A.size == 0:
        raise InvalidArgument(
            "features", A.shape if A.ndim != 2 else A.dtype, "must be a non-empty 2-D numeric array"
        )
    if A.shape[0] == N:
        return A
    if A.shape[1] == N:
        return A.T
    raise InvalidArgument(
        "features", A.shape, f"one axis must have N={N} entries, the length of labels"
    )


def stats_of_rows(
    rows: np.ndarray,
    ids: np.ndarray,
    K: int | None,
    W: np.ndarray | None,
    b: np.ndarray | None,
    chunk_rows: int | None = None,
    source: str = "W",
    name: str = "features",
) -> ClassStats:
    """:class:`ClassStats` of in-memory rows (N, d); non-finite entries raise InvalidArgument
    saying how many and the first [sample, feature]."""
    cl: Classes = classes_of(ids, K, source=source)
    n = chunk_rows or default_chunk_rows(rows.shape[1])
    try:
        return accumulate(array_chunks(rows, ids, n), cl, rows.shape[1], W, b)
    except NonFinite as bad:
        noun = "entry" if bad.count == 1 else "entries"
        raise InvalidArgument(
            name,
            rows,
            f"entries must be finite: {bad.count} non-finite {noun} (NaN or inf), first at "
            f"[{bad.first[0]}, {bad.first[1]}] (sample, feature) ({bad.value!r})",
        ) from None


def measure(
    features: ArrayLike,
    labels: ArrayLike,
    W: ArrayLike | None = None,
    b: ArrayLike | None = None,
    *,
    centring: str = "sample-mean",
    classes: int | None = None,
    tol: MetricsTolerances = METRICS,
    chunk_rows: int | None = None,
) -> Measurement:
    """Every metric of :data:`CONVENTIONS` for in-memory features.

    Args:
        features: (N, d) or (d, N), any float or integer dtype (accumulated in float64, never
            copied whole); the sample axis is the one with ``len(labels)`` entries.
        labels: class ids (N,), see :mod:`verify.metrics.classes` (absent classes allowed).
        W: classifier (K, d), optional; b: its bias (K,), optional, needs W.
        centring: 'sample-mean' (default), 'class-mean' or 'none'.
        classes: the number of classes K when there is no W (ids must then be < K).
    """
    centring = check_centring(centring)
    if not isinstance(tol, MetricsTolerances):
        raise InvalidArgument("tol", tol, "must be a verify.tolerances.MetricsTolerances")
    ids = integer_ids(labels)
    rows = _rows(features, ids.shape[0])
    Wm, bv = classifier(W, b, rows.shape[1])
    K, source = _declared(Wm, classes)
    S = stats_of_rows(rows, ids, K, Wm, bv, chunk_rows, source)
    return from_stats(S, Wm, centring, tol)


def _declared(W: np.ndarray | None, classes: object) -> tuple[int | None, str]:
    if classes is not None:
        if isinstance(classes, bool) or not isinstance(classes, int | np.integer) or classes < 2:
            raise InvalidArgument(
                "classes", classes, "the number of classes must be an integer >= 2"
            )
        if W is not None and W.shape[0] != classes:
            raise InvalidArgument("classes", classes, f"W has {W.shape[0]} rows, one per class")
        return int(classes), "classes"
    return (None, "W") if W is None else (W.shape[0], f"W (shape {W.shape})")
