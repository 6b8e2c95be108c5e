r"""Every NC metric convention of the literature, named by its source, on :class:`ClassStats`.

Notation: K the classes present, :math:`n_k` their counts, N samples;
:math:`M = [m_1 \dots m_K]` (d x K) the class means centred by the chosen convention
(:meth:`ClassStats.means`); :math:`\hat m_k = m_k / \|m_k\|`;
:math:`\Sigma_W = \frac1N \sum_i (h_i - \bar h_{y_i})(h_i - \bar h_{y_i})^\top`,
:math:`\Sigma_B = \frac1K M M^\top`; :math:`J = \frac1K 1 1^\top`; W (K x d) the classifier's
rows of the present classes. Undefined values (a zero class mean, a zero classifier) are nan.
The formulas are restated in docs/METRICS.md with a golden value each.
"""

from __future__ import annotations

import math

import numpy as np

from ..geometry import procrustes_nc3prime
from ..tolerances import METRICS, MetricsTolerances
from .stats import ClassStats


def _svd(M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    U, s, _ = np.linalg.svd(M, full_matrices=False)
    return U, s


def sigma_b_directions(S: ClassStats, centring: str, tol: MetricsTolerances = METRICS):
    r"""(U, s, kept, possible): singular vectors/values of M, how many exceed the rounding
    cutoff :math:`\text{tol.rounding} \cdot \max(s_1, \text{scale})`, and how many M can have
    (:math:`\min(d, K-1)` centred, :math:`\min(d, K)` not)."""
    M = S.means(centring)
    U, s = _svd(M)
    cutoff = tol.rounding * max(float(s[0]) if s.size else 0.0, S.scale(centring))
    kept = int(np.count_nonzero(s > cutoff))
    K = M.shape[1]
    possible = min(S.d, K if centring == "none" else K - 1)
    return U, s, kept, possible


def _quad(S: ClassStats, U: np.ndarray) -> np.ndarray:
    r""":math:`u_j^\top \Sigma_W u_j` for the columns of U (:meth:`ClassStats.within`)."""
    return S.within(U)


def _ratio(num: np.ndarray, den: np.ndarray) -> float:
    if np.all(num == 0):
        return 0.0
    return float(np.sum(num / den)) if np.all(den > 0) else math.inf


def nc1_papyan(S: ClassStats, centring: str, tol: MetricsTolerances = METRICS) -> float:
    r"""Papyan, Han & Donoho (2020, PNAS 117(40), Fig. 6):
    :math:`\mathcal{NC}_1 = \frac1K \operatorname{tr}(\Sigma_W \Sigma_B^+)`.

    With :math:`M = U \operatorname{diag}(s) V^\top`, :math:`\Sigma_B^+ = K U s^{-2} U^\top`,
    so :math:`\mathcal{NC}_1 = \sum_j u_j^\top \Sigma_W u_j / s_j^2` over the directions kept:
    those above the rounding level (:func:`sigma_b_directions`), not a fixed fraction of the
    largest (which made NC1 jump nine orders of magnitude for a 20% change of the data).
    0 when :math:`\Sigma_W = 0`; inf when M = 0 but not :math:`\Sigma_W`.
    """
    U, s, kept, _ = sigma_b_directions(S, centring, tol)
    if kept == 0:
        return 0.0 if not np.any(S.within_sq) else math.inf
    return float(np.sum(_quad(S, U[:, :kept]) / s[:kept] ** 2))


def nc1_han(S: ClassStats, centring: str) -> float:
    r"""Han, Papyan & Donoho (2022, ICLR), the "svd" form of rhubarbwu/neural-collapse: the
    pseudo-inverse of :math:`\Sigma_B` restricted to its top K-1 eigenvectors (the rank of the
    centred :math:`\Sigma_B`), :math:`\sum_{j < K} u_j^\top \Sigma_W u_j / s_j^2`, whatever
    the smallest kept value is (no cutoff); inf if one of them is 0 and :math:`\Sigma_W \ne 0`.
    """
    U, s = _svd(S.means(centring))
    r = min(S.classes.K_present - 1, s.size)
    return _ratio(_quad(S, U[:, :r]), s[:r] ** 2)


def _traces(S: ClassStats, centring: str) -> tuple[float, float]:
    M = S.means(centring)
    return float(np.sum(S.within_sq)) / S.N, float(np.sum(M**2)) / M.shape[1]


def nc1_tirer(S: ClassStats, centring: str) -> float:
    r"""Tirer, Huang & Niles-Weed (2023, ICML), the quotient of traces:
    :math:`\operatorname{tr}\Sigma_W / \operatorname{tr}\Sigma_B`."""
    tw, tb = _traces(S, centring)
    return 0.0 if tw == 0 else (tw / tb if tb > 0 else math.inf)


def nc1_rangamani(S: ClassStats, centring: str) -> float:
    r"""Rangamani et al. (2023, ICML, Sec. 4), the normalised within-class variance ("weak"
    NC1, as nc-toolbox's ``nc1_weak``, second value):
    :math:`\operatorname{tr}\Sigma_W / (\operatorname{tr}\Sigma_W + \operatorname{tr}\Sigma_B)`."""
    tw, tb = _traces(S, centring)
    return tw / (tw + tb) if tw + tb > 0 else math.nan


def nc1_cdnv(S: ClassStats) -> float:
    r"""Class-distance normalised variance, Galanti, György & Hutter (2022, ICLR): the mean
    over pairs :math:`k < l` of
    :math:`\frac{\sigma_k^2 + \sigma_l^2}{2 \|\bar h_k - \bar h_l\|^2}`, with
    :math:`\sigma_k^2 = \frac1{n_k} \sum_{y_i = k} \|h_i - \bar h_k\|^2` (the paper's
    expectation; nc-toolbox divides by :math:`n_k - 1`). Centring-free; inf if two class
    means coincide but their variances do not."""
    var = S.within_sq / S.classes.counts
    X = S.means_s
    k, l = np.triu_indices(X.shape[0], 1)
    dist2 = np.sum((X[k] - X[l]) ** 2, axis=1)
    num = var[k] + var[l]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(num == 0, 0.0, num / (2.0 * dist2))
    return float(np.mean(terms))


def _etf_target(K: int) -> np.ndarray:
    return (np.eye(K) - 1.0 / K) / math.sqrt(K - 1)


def _frame_distance(G: np.ndarray, target: np.ndarray) -> float:
    norm = float(np.linalg.norm(G))
    return math.nan if norm == 0 else float(np.linalg.norm(G / norm - target))


def nc2_etf(S: ClassStats, centring: str) -> float:
    r"""Distance to a simplex ETF, Zhu et al. (2021, NeurIPS, Sec. 4; as "simplex ETF error"
    of Kothapalli 2023): :math:`\|G/\|G\|_F - (I - J)/\sqrt{K-1}\|_F`, :math:`G = M^\top M`."""
    M = S.means(centring)
    return _frame_distance(M.T @ M, _etf_target(M.shape[1]))


def nc2_of(S: ClassStats) -> float:
    r"""Distance of the uncentred class means to an orthogonal frame (arXiv 2606.00344, the
    target of Zhu's distance replaced by :math:`I/\sqrt K`): :math:`\|G/\|G\|_F - I/\sqrt K\|_F`,
    :math:`G = \bar H^\top \bar H`."""
    M = S.means("none")
    K = M.shape[1]
    return _frame_distance(M.T @ M, np.eye(K) / math.sqrt(K))


def nc2_etf_classifier(W: np.ndarray) -> float:
    r"""Zhu et al. (2021, Sec. 4)'s NC2 of the classifier (all K rows, uncentred as in their
    code, tding1/Neural-Collapse ``compute_ETF``): :math:`\|W W^\top/\|W W^\top\|_F -
    (I - J)/\sqrt{K-1}\|_F`."""
    return _frame_distance(W @ W.T, _etf_target(W.shape[0]))


def _norms(M: np.ndarray) -> np.ndarray:
    return np.linalg.norm(M, axis=0)


def nc2_equinorm(S: ClassStats, centring: str) -> float:
    r"""Equinorm, Papyan et al. (2020, Fig. 2): :math:`\operatorname{std}_k \|m_k\| /
    \operatorname{mean}_k \|m_k\|` (population std); nan if every :math:`m_k = 0`."""
    n = _norms(S.means(centring))
    mean = float(n.mean())
    return float(n.std()) / mean if mean > 0 else math.nan


def nc2_equinorm_log(S: ClassStats, centring: str) -> float:
    r"""Equinorm in the logarithmic form of Wu & Papyan (2024, NeurIPS, "Linguistic
    Collapse", Sec. 3): the spread of the log-norms, :math:`\operatorname{std}_k \log\|m_k\|`
    (scale-free; nc-toolbox's ``nc2_equinormness`` averages pairwise differences of the same
    log-norms instead); nan if some :math:`m_k = 0`."""
    n = _norms(S.means(centring))
    return float(np.std(np.log(n))) if np.all(n > 0) else math.nan


def _cosines(M: np.ndarray) -> np.ndarray | None:
    n = _norms(M)
    if np.any(n == 0):
        return None
    C = (M.T @ M) / np.outer(n, n)
    return C[np.triu_indices(M.shape[1], 1)]


def nc2_equiangularity(S: ClassStats, centring: str) -> float:
    r"""Equiangularity, Papyan et al. (2020, Fig. 3): :math:`\operatorname{std}_{k<l}
    \cos\angle(m_k, m_l)` (population std); nan if some :math:`m_k = 0`."""
    c = _cosines(S.means(centring))
    return math.nan if c is None else float(np.std(c))


def nc2_max_angle(S: ClassStats, centring: str) -> float:
    r"""Maximal angle, Papyan et al. (2020, Fig. 4): :math:`\operatorname{mean}_{k<l}
    |\cos\angle(m_k, m_l) + 1/(K-1)|`."""
    M = S.means(centring)
    c = _cosines(M)
    return math.nan if c is None else float(np.mean(np.abs(c + 1.0 / (M.shape[1] - 1))))


def nc2_interference(S: ClassStats, centring: str) -> float:
    r"""Equiangularity in the form of Wu & Papyan (2024, Sec. 3, "interference"), as
    nc-toolbox's ``nc2_equiangularity``: :math:`\operatorname{mean}_{k<l} (\cos\angle(m_k,
    m_l) + 1/(K-1))`, signed (0 for a simplex ETF)."""
    M = S.means(centring)
    c = _cosines(M)
    return math.nan if c is None else float(np.mean(c + 1.0 / (M.shape[1] - 1)))


def nc2_uniformity(S: ClassStats, centring: str) -> float:
    r"""Hyperspherical uniformity, Liu et al. (2023, ICLR; the logarithmic kernel of Lu &
    Steinerberger 2021), as used by Wu & Papyan (2024) for GNC2:
    :math:`\operatorname{mean}_{k<l} \log (1/\|\hat m_k - \hat m_l\|)`; a simplex ETF gives
    :math:`-\frac12 \log \frac{2K}{K-1}`, the minimum over K unit vectors."""
    M = S.means(centring)
    n = _norms(M)
    if np.any(n == 0):
        return math.nan
    U = (M / n).T
    k, l = np.triu_indices(U.shape[0], 1)
    dist = np.linalg.norm(U[k] - U[l], axis=1)
    return float(np.mean(-np.log(dist))) if np.all(dist > 0) else math.inf


def nc3_zhu(S: ClassStats, centring: str, W: np.ndarray) -> float:
    r"""Zhu et al. (2021, NeurIPS, Sec. 4; tding1/Neural-Collapse ``compute_W_H_relation``):
    :math:`\|W M / \|W M\|_F - (I - J)/\sqrt{K-1}\|_F`."""
    M = S.means(centring)
    return _frame_distance(W @ M, _etf_target(M.shape[1]))


def nc3_self_duality(S: ClassStats, centring: str, W: np.ndarray) -> float:
    r"""Self-duality distance (nc-toolbox ``nc3_self_duality``; Papyan et al. 2020, Fig. 5
    plot its square): :math:`\|W^\top/\|W\|_F - M/\|M\|_F\|_F`; nan if W = 0 or M = 0."""
    M = S.means(centring)
    nW, nM = float(np.linalg.norm(W)), float(np.linalg.norm(M))
    return math.nan if nW == 0 or nM == 0 else float(np.linalg.norm(W.T / nW - M / nM))


def nc3_uniform_duality(S: ClassStats, centring: str, W: np.ndarray) -> float:
    r"""Uniform duality (UNC3), Wu & Papyan (2024, Sec. 3): the coefficient of variation over
    classes of :math:`\cos\angle(w_k, m_k)`, :math:`\operatorname{std}_k / \operatorname{mean}_k`
    (0 when every classifier makes the same angle with its class mean)."""
    M = S.means(centring)
    nw, nm = np.linalg.norm(W, axis=1), _norms(M)
    if np.any(nw == 0) or np.any(nm == 0):
        return math.nan
    cos = np.einsum("kd,dk->k", W, M) / (nw * nm)
    mean = float(cos.mean())
    return float(cos.std()) / abs(mean) if mean != 0 else math.nan


def nc3prime(S: ClassStats, centring: str, W: np.ndarray) -> float:
    r"""Self-duality up to rotation, NC3' (arXiv 2606.00344, Thm IV.4): the relative residual
    of :math:`\min_{Q^\top Q = I, \kappa \ge 0} \|W^\top - \kappa M Q^\top\|_F`
    (:func:`verify.geometry.procrustes_nc3prime`)."""
    return procrustes_nc3prime(W, S.means(centring)).residual


def effective_rank(S: ClassStats, centring: str) -> float:
    r"""Effective rank, Roy & Vetterli (2007, EUSIPCO), of the class-mean matrix:
    :math:`\exp(-\sum_j p_j \log p_j)`, :math:`p_j = s_j / \sum_l s_l` over the nonzero
    singular values of M; K-1 for a centred simplex ETF, K for an orthogonal frame."""
    s = _svd(S.means(centring))[1]
    s = s[s > 0]
    if s.size == 0:
        return math.nan
    p = s / s.sum()
    return float(math.exp(-float(np.sum(p * np.log(p)))))


def nc4(S: ClassStats, bias: bool = True) -> float | None:
    r"""Papyan et al. (2020, Fig. 7): the fraction of samples with
    :math:`\arg\max_k (W h_i + b)_k \ne \arg\min_k \|h_i - \bar h_k\|` (``bias=False``: b = 0);
    ties go to the lowest class id on both sides. None without a classifier."""
    count = S.nc4_mismatch if bias else S.nc4_mismatch_no_bias
    return None if count is None else count / S.N
