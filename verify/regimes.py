r"""Regimes: the cells of parameter space in which a claim's closed forms keep one branch.

The minimiser of the UFM changes form where the coupling :math:`c = K\sqrt{\bar n\lambda_W\lambda_H}`
crosses a singular *level* of the scaled encoding, where :math:`\lambda_b` crosses its branch
threshold, at :math:`\lambda_b \in \{0, \infty\}`, at K = 2, under imbalance and at d = K. A
search that misses a cell can call a claim verified that is false there, so every verdict says
which cells it reached (:func:`label` of each certified instance) out of those the claim's
hypotheses allow (:func:`allowed`).

Levels. The convex problem thresholds the singular values of :math:`(\bar Y - b1^\top)D^{1/2}/\sqrt{\bar n}`
at c (D = diag(n)). At :math:`\lambda_b = \infty` (b = 0) and at :math:`\lambda_b = 0` (b the weighted
mean label, Theorem III.4(a)) that operand is known from the data, so the levels are the
singular values of both; for one-hot balanced data they are all 1, and c = 1 is Theorem
III.1's boundary.

Threshold. Along :math:`u = D^{1/2}1/\sqrt N` the operand is :math:`(\bar Y n/N - b)\sqrt{N/\bar n}`, of
size :math:`q = \|\bar Y n\|/\sqrt{N\bar n}` at b = 0. When u is a singular direction (SSETF
encodings, balanced) the bias equation :math:`\lambda_b K b = \Pi_c(\bar A)1` has the branch
:math:`b = \frac{1}{1+\lambda_b}\bar Y 1/K` for :math:`\lambda_b \le c/(q-c)` and
:math:`b = \frac{c}{\lambda_b q}\bar Y1/K` above it: :math:`c/(1-c)` for one-hot labels (Theorem III.1).
For other encodings the same number is where the bias's size changes regime; it is searched on
both sides all the same.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .instance import Instance
from .tolerances import DEFAULT, Tolerances

__all__ = [
    "AXES",
    "allowed",
    "boundary_distance",
    "coupling",
    "coverage",
    "label",
    "levels",
    "threshold",
    "weighted_encoding",
    "weights",
]

#: every regime axis and its values, in order
AXES: dict[str, tuple[str, ...]] = {
    "lambda_b": ("0", "below threshold", "at threshold", "above threshold", "inf"),
    "c": ("below every level", "between levels", "at a level", "above every level"),
    "encoding": ("one-hot", "SSETF, not one-hot", "not an SSETF"),
    "K": ("K = 2", "K >= 3"),
    "counts": ("balanced", "imbalanced", "extreme imbalance"),
    "d": ("d = K", "d > K"),
}

#: max n_k / min n_k from which the counts are an extreme imbalance
EXTREME_RATIO = 10.0
# singular values below this fraction of the largest are zero (rank deficiency, not a level)
_ZERO_LEVEL = 1e-9


def coupling(instance: Instance) -> float:
    r""":math:`c = K\sqrt{\bar n\lambda_W\lambda_H}` with :math:`\bar n = N/K` (the paper's c when balanced)."""
    return instance.K * math.sqrt(instance.N / instance.K * instance.lambda_W * instance.lambda_H)


def weights(counts: Iterable[int]) -> np.ndarray:
    r""":math:`u = D^{1/2}1/\sqrt N`: the unit direction along which the bias enters (D = diag(n))."""
    n = np.asarray(tuple(counts), dtype=float)
    return np.sqrt(n / n.sum())


def weighted_encoding(encoding: np.ndarray, counts: Iterable[int]) -> np.ndarray:
    r""":math:`\bar Y D^{1/2}/\sqrt{\bar n}`, the encoding the thresholding sees."""
    n = np.asarray(tuple(counts), dtype=float)
    return encoding * np.sqrt(n / n.mean())


def levels(encoding: np.ndarray, counts: Iterable[int], tol: Tolerances = DEFAULT) -> list[float]:
    """The distinct singular levels of the scaled encoding at b = 0 and at the mean-label bias."""
    n = np.asarray(tuple(counts), dtype=float)
    centred = encoding - np.outer(encoding @ n / n.sum(), np.ones(len(n)))
    sv = np.concatenate(
        [np.linalg.svd(weighted_encoding(A, n), compute_uv=False) for A in (encoding, centred)]
    )
    top = float(sv.max(initial=0.0))
    out: list[float] = []
    for s in sorted(float(x) for x in sv if x > _ZERO_LEVEL * top):
        if not out or s - out[-1] > tol.boundary * s:
            out.append(s)
    return out


def threshold(instance: Instance) -> float:
    r"""The bias's branch threshold :math:`c/(q-c)` on :math:`\lambda_b` (inf when :math:`q \le c`)."""
    n = np.asarray(instance.counts, dtype=float)
    N = n.sum()
    q = float(np.linalg.norm(instance.encoding @ n)) / math.sqrt(N * N / len(n))
    c = coupling(instance)
    return c / (q - c) if q > c else math.inf


def _near(x: float, y: float, tol: Tolerances) -> bool:
    return abs(x - y) <= tol.boundary * max(abs(x), abs(y))


def label(instance: Instance, tol: Tolerances = DEFAULT) -> dict[str, str]:
    """The regime of ``instance`` on every axis of :data:`AXES`."""
    K, counts = instance.K, instance.counts
    lb, t, c = instance.lambda_b, threshold(instance), coupling(instance)
    if lb == 0 or math.isinf(lb):
        lam = "0" if lb == 0 else "inf"
    elif math.isfinite(t) and _near(lb, t, tol):
        lam = "at threshold"
    else:
        lam = "below threshold" if lb < t else "above threshold"
    ls = levels(instance.encoding, counts, tol)
    if any(_near(c, level, tol) for level in ls):
        where = "at a level"
    elif not ls or c > ls[-1]:
        where = "above every level"
    elif c < ls[0]:
        where = "below every level"
    else:
        where = "between levels"
    ratio = max(counts) / min(counts)
    if instance.one_hot(tol):
        kind = "one-hot"
    else:
        kind = "SSETF, not one-hot" if instance.ssetf_encoding(tol) else "not an SSETF"
    return {
        "lambda_b": lam,
        "c": where,
        "encoding": kind,
        "K": "K = 2" if K == 2 else "K >= 3",
        "counts": "balanced"
        if ratio == 1
        else ("extreme imbalance" if ratio >= EXTREME_RATIO else "imbalanced"),
        "d": "d = K" if instance.d == K else "d > K",
    }


def boundary_distance(instance: Instance) -> float:
    """Relative distance of c from the nearest level and of lambda_b from its threshold."""
    c, lb, t = coupling(instance), instance.lambda_b, threshold(instance)
    distances = [abs(c - level) / level for level in levels(instance.encoding, instance.counts)]
    if 0 < lb < math.inf and math.isfinite(t):
        distances.append(abs(lb - t) / t)
    return min(distances, default=math.inf)


def allowed(hypotheses: Iterable[str], max_K: int = 5) -> dict[str, tuple[str, ...]]:
    """The regimes that instances satisfying ``hypotheses`` can be in, axis by axis.

    Rules, each a fact about the hypotheses: lambda_b = 0 and lambda_b > 0 fix or exclude the
    first value; centred labels have q = 0, so no finite threshold; balanced data (also implied by
    c < 1 and c < alpha, which are stated for balanced data) has one value of counts; one-hot
    balanced labels have the single level 1, so c is never between levels, and c < 1 keeps it
    below; c < alpha keeps c below alpha, itself a level of an SSETF encoding; one-hot and SSETF
    encodings fix or narrow the encoding's class, and centred labels are never one-hot.
    """
    h = set(hypotheses)
    out = {axis: list(values) for axis, values in AXES.items()}
    if "lambda_b_zero" in h:
        out["lambda_b"] = ["0"]
    if "lambda_b_positive" in h:
        out["lambda_b"] = [v for v in out["lambda_b"] if v != "0"]
    if "labels_centred" in h:
        out["lambda_b"] = [v for v in out["lambda_b"] if v in ("0", "below threshold", "inf")]
    balanced = bool({"balanced", "c_below_1", "c_below_alpha"} & h)
    if balanced:
        out["counts"] = ["balanced"]
    if "one_hot" in h and balanced:
        out["c"] = (
            ["below every level"]
            if "c_below_1" in h
            else [
                "below every level",
                "at a level",
                "above every level",
            ]
        )
    if "c_below_alpha" in h:
        out["c"] = [v for v in out["c"] if v != "above every level"]
    if "one_hot" in h:
        out["encoding"] = ["one-hot"]
    if "label_smoothing" in h:  # an SSETF (alpha = 1 - delta, P = I)
        out["encoding"] = [v for v in out["encoding"] if v != "not an SSETF"]
    if "ssetf_encoding" in h:
        out["encoding"] = [v for v in out["encoding"] if v != "not an SSETF"]
    if "labels_centred" in h or "u_ssetf_encoding" in h:
        out["encoding"] = [v for v in out["encoding"] if v != "one-hot"]
    if max_K < 3:
        out["K"] = ["K = 2"]
    return {axis: tuple(values) for axis, values in out.items()}


def coverage(
    reached: Iterable[dict[str, str]], allowed_regimes: dict[str, tuple[str, ...]]
) -> tuple[int, int, list[str]]:
    """(regimes reached, regimes allowed, the allowed ones not reached as "axis: value")."""
    seen = {(axis, value) for labels in reached for axis, value in labels.items()}
    wanted = [(axis, v) for axis, values in allowed_regimes.items() for v in values]
    missing = [f"{axis}: {v}" for axis, v in wanted if (axis, v) not in seen]
    return len(wanted) - len(missing), len(wanted), missing
