"""Hypothesis strategies that build valid UFM instances directly (no filtering).

Structure is drawn from a few small parameters (K, counts, an encoding kind and its scalars,
integer seeds for random matrices, c, a regularisation ratio and a lambda_b mode), so shrinking
ends at a small, readable instance. :func:`cases` builds instances that satisfy any chosen
set of the named hypotheses of :mod:`verify.claims.hypotheses`; leaving a name out relaxes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st

from . import encodings as enc
from .geometry import ssetf_fit
from .instance import Instance

__all__ = [
    "ENCODING_KINDS",
    "SSETF_KINDS",
    "Case",
    "cases",
    "class_counts",
    "encodings",
    "haar_orthogonal",
    "orthogonal_matrices",
]

# simplest first: Hypothesis shrinks sampled_from towards the front
SSETF_KINDS = ("one_hot", "smooth", "ssetf", "rotated_one_hot")
ENCODING_KINDS = (*SSETF_KINDS, "shifted_frame", "gaussian", "low_rank")


def haar_orthogonal(K: int, seed: int) -> np.ndarray:
    """A Haar-random K x K orthogonal matrix from ``seed`` (QR with the sign fix)."""
    A = np.random.default_rng(seed).standard_normal((K, K))
    Q, R = np.linalg.qr(A)
    return Q * np.sign(np.diag(R))


@dataclass(frozen=True, eq=False)
class Case:
    """An instance with the extra objects a claim needs (e.g. an orthogonal Q) and how it was drawn."""

    instance: Instance
    Q: np.ndarray | None = None
    drawn: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        parts = [self.instance.describe()]
        if self.drawn:
            parts.append("drawn as " + ", ".join(f"{k}={v}" for k, v in self.drawn.items()))
        return "; ".join(parts)


def orthogonal_matrices(K: int) -> st.SearchStrategy[np.ndarray]:
    """Haar-random orthogonal K x K matrices, shrinking through their integer seed."""
    return st.integers(0, 2**16).map(lambda seed: haar_orthogonal(K, seed))


@st.composite
def encodings(
    draw: st.DrawFn, K: int, kinds: tuple[str, ...] = ENCODING_KINDS
) -> tuple[np.ndarray, dict[str, Any]]:
    """An encoding of one of ``kinds`` and the parameters it was drawn from."""
    kind = draw(st.sampled_from(kinds))
    info: dict[str, Any] = {"encoding": kind}
    seed = draw(st.integers(0, 2**16)) if kind not in ("one_hot", "smooth") else 0
    if kind == "one_hot":
        Ybar = enc.one_hot(K)
    elif kind == "smooth":
        info["delta"] = delta = draw(st.floats(0.01, 0.99))
        Ybar = enc.label_smoothing(K, delta)
    elif kind == "ssetf":
        info["alpha"] = alpha = draw(st.floats(0.1, 3.0))
        info["beta"] = beta = draw(st.floats(-3.0, 3.0))
        Ybar = enc.ssetf(K, alpha, beta, haar_orthogonal(K, seed))
    elif kind == "rotated_one_hot":
        Ybar = haar_orthogonal(K, seed)
    elif kind == "shifted_frame":
        # a simplex ETF shifted by s v 1^T: an SSETF only when v is parallel to P 1
        info["shift"] = s = draw(st.floats(0.0, 2.0))
        P = haar_orthogonal(K, seed)
        v = np.random.default_rng(seed + 1).standard_normal(K)
        Ybar = P @ (np.eye(K) - np.ones((K, K)) / K) + s * np.outer(
            v / np.linalg.norm(v), np.ones(K)
        )
    elif kind == "gaussian":
        Ybar = enc.random_encoding(K, seed)
    else:  # low_rank
        info["rank"] = r = draw(st.integers(1, K - 1))
        rng = np.random.default_rng(seed)
        Ybar = rng.standard_normal((K, r)) @ rng.standard_normal((r, K))
    if seed:
        info["seed"] = seed
    return Ybar, info


def class_counts(
    K: int, balanced: bool | None = None, max_ratio: int = 100
) -> st.SearchStrategy[tuple[int, ...]]:
    """Class counts n_1..n_K: balanced (n each), imbalanced up to ``max_ratio``, or either."""
    equal = st.integers(1, 12).map(lambda n: (n,) * K)
    unequal = st.lists(st.integers(1, max_ratio), min_size=K, max_size=K).map(tuple)
    if balanced is None:
        return st.one_of(equal, unequal)
    return equal if balanced else unequal


_LAMBDA_B_MODES = ("zero", "inf", "threshold", "below", "above", "log")


@st.composite
def cases(
    draw: st.DrawFn,
    hypotheses: frozenset[str] = frozenset(),
    max_K: int = 5,
    with_Q: bool = False,
) -> Case:
    """Instances satisfying every named hypothesis in ``hypotheses`` (and nothing else forced).

    c is drawn relative to the encoding's scale alpha (its SSETF-fit alpha, which is 1 for
    one-hot) or to one of its singular values, so every encoding visits the active regime, each
    change of rank and the zero minimiser; lambda_b
    visits 0, inf, the one-hot phase threshold c/(1-c), points 1e-6 either side of it, and a
    log-uniform range 1e-4..1e4.
    """
    K = draw(st.integers(2, max_K))
    if "one_hot" in hypotheses:
        kinds: tuple[str, ...] = ("one_hot",)
    elif "ssetf_encoding" in hypotheses:
        kinds = SSETF_KINDS
    else:
        kinds = ENCODING_KINDS
    Ybar, drawn = draw(encodings(K, kinds))
    balanced = True if {"balanced", "c_below_1", "c_below_alpha"} & hypotheses else None
    counts = draw(class_counts(K, balanced))
    if "labels_centred" in hypotheses:
        n = np.asarray(counts, dtype=float)
        Ybar = Ybar - np.outer(Ybar @ n / n.sum(), np.ones(K))
        drawn["centred"] = True
    d = K + draw(st.integers(0, 2))

    alpha = ssetf_fit(Ybar).alpha or float(np.linalg.norm(Ybar) / math.sqrt(K)) or 1.0
    if "c_below_1" in hypotheses or "c_below_alpha" in hypotheses:
        limit = min(
            1.0 if "c_below_1" in hypotheses else math.inf,
            alpha if "c_below_alpha" in hypotheses else math.inf,
        )
        u = draw(st.one_of(st.floats(0.01, 0.99), st.just(1 - 1e-6)))
        c = u * limit
    else:
        # the minimiser's rank changes as c crosses the encoding's singular values (the
        # thresholding of Ybar - b 1^T at c), so c is drawn around alpha or around any one of them
        sv = np.linalg.svd(Ybar, compute_uv=False)
        # (singular values below 1% of the largest are left out: c ~ 1e-7 makes the objective so
        # small that the duality gap is rounding-limited near 1e-9 relative, above the gap tolerance)
        scales = [alpha, *sorted({round(float(x), 12) for x in sv if x > 1e-2 * sv[0]})]
        scale = draw(st.sampled_from(scales))
        u = draw(st.one_of(st.floats(0.01, 1.5), st.just(1.0), st.just(1 - 1e-6)))
        c = u * scale
        if scale != alpha:
            drawn["c_scale"] = scale
    drawn["c"] = c
    nbar = sum(counts) / K
    mu = c / (K * math.sqrt(nbar))
    ratio = draw(st.floats(0.1, 10.0))
    lambda_W, lambda_H = mu * ratio, mu / ratio

    if "lambda_b_zero" in hypotheses:
        mode = "zero"
    else:
        modes = _LAMBDA_B_MODES if "lambda_b_positive" not in hypotheses else _LAMBDA_B_MODES[1:]
        mode = draw(st.sampled_from(modes))
    threshold = c / (1 - c) if c < 1 else None
    if mode == "zero":
        lambda_b = 0.0
    elif mode == "inf":
        lambda_b = math.inf
    elif mode in ("threshold", "below", "above") and threshold is not None:
        lambda_b = threshold * {"threshold": 1.0, "below": 1 - 1e-6, "above": 1 + 1e-6}[mode]
    else:
        lambda_b = 10 ** draw(st.floats(-4.0, 4.0))
    drawn["lambda_b"] = mode
    instance = Instance(Ybar, counts, d, lambda_W, lambda_H, lambda_b)
    Q = draw(orthogonal_matrices(K)) if with_Q else None
    return Case(instance, Q, drawn)
