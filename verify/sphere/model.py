r"""The unconstrained features model on the hypersphere (seed 003, arXiv 2605.20302).

Features :math:`h_1, \dots, h_N` and class prototypes :math:`w_1, \dots, w_K` lie on the unit
sphere :math:`S^{d-1}`; sample :math:`i` has class :math:`y_i`, class :math:`k` has
:math:`n_k` samples; the temperature :math:`\tau > 0` scales the cosine logits
:math:`s_{ik} = w_k^\top h_i / \tau`. There is no weight decay: the sphere removes the radial
degrees of freedom. The feasible set is the product of spheres :math:`(S^{d-1})^{K+N}`
(:math:`(S^{d-1})^N` for SupCon, which has no prototypes).

Rows are points: ``W`` is (K, d), ``H`` is (N, d), samples ordered by class.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InvalidArgument, UnknownName

__all__ = ["LOSS_NAMES", "SphereProblem", "check_unit_rows", "class_labels"]

#: the losses of the model (names as on the command line); ``nonl`` is the symmetric denominator,
#: the default of ``losses.py`` (``symmetric=True``)
LOSS_NAMES = (
    "normface",
    "ntce",
    "nonl",
    "nonl-per-sample",
    "nonl-bidirectional",
    "supcon",
)

#: how far a row of a supplied point may be from unit norm (a file of prototypes, say)
UNIT_NORM = 1e-9


def class_labels(counts: tuple[int, ...]) -> np.ndarray:
    """The class of every sample, (N,), samples ordered by class."""
    return np.repeat(np.arange(len(counts)), counts)


@dataclass(frozen=True)
class SphereProblem:
    """A loss on the product of spheres: class counts, feature dimension d, temperature tau."""

    loss: str
    counts: tuple[int, ...]
    d: int
    tau: float

    def __post_init__(self) -> None:
        if self.loss not in LOSS_NAMES:
            raise UnknownName("loss", self.loss, list(LOSS_NAMES))
        counts = tuple(int(c) for c in self.counts)
        object.__setattr__(self, "counts", counts)
        if len(counts) < 2:
            raise InvalidArgument("counts", counts, "needs at least two classes")
        if min(counts) < 1:
            raise InvalidArgument("counts", counts, "every class needs at least one sample")
        if self.loss == "supcon" and min(counts) < 2:
            raise InvalidArgument(
                "counts", counts, "SupCon needs n_k >= 2 (a positive other than the anchor)"
            )
        if not isinstance(self.d, int | np.integer) or self.d < 2:
            raise InvalidArgument("d", self.d, "must be an integer >= 2")
        tau = float(self.tau)
        if not math.isfinite(tau) or tau <= 0:
            raise InvalidArgument("tau", self.tau, "the temperature must be finite and > 0")
        object.__setattr__(self, "tau", tau)
        object.__setattr__(self, "d", int(self.d))

    @property
    def K(self) -> int:
        return len(self.counts)

    @property
    def N(self) -> int:
        return sum(self.counts)

    @property
    def balanced(self) -> bool:
        return len(set(self.counts)) == 1

    @property
    def ratio(self) -> float:
        """The imbalance ratio max n_k / min n_k."""
        return max(self.counts) / min(self.counts)

    @property
    def has_prototypes(self) -> bool:
        return self.loss != "supcon"

    @property
    def labels(self) -> np.ndarray:
        return class_labels(self.counts)

    def require_simplex_room(self) -> None:
        """A simplex ETF of K points exists in R^d only when d >= K - 1."""
        if self.d < self.K - 1:
            raise InvalidArgument(
                "d",
                self.d,
                f"the claim needs d >= K - 1 = {self.K - 1} (a simplex ETF of K points)",
            )

    def describe(self) -> str:
        counts = f"n={self.counts[0]} each" if self.balanced else f"counts={list(self.counts)}"
        return f"{self.loss}, K={self.K}, {counts}, d={self.d}, tau={self.tau:.6g}"

    def to_dict(self) -> dict[str, Any]:
        return {"loss": self.loss, "counts": list(self.counts), "d": self.d, "tau": self.tau}


def check_unit_rows(name: str, X: np.ndarray, d: int | None = None) -> np.ndarray:
    """``X`` as a float64 (rows, d) array whose rows are unit vectors, else InvalidArgument."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or (d is not None and X.shape[1] != d):
        raise InvalidArgument(name, f"shape {X.shape}", f"must be (rows, {d or 'd'})")
    if not np.all(np.isfinite(X)):
        raise InvalidArgument(name, "non-finite entries", "every entry must be finite")
    worst = float(np.max(np.abs(np.linalg.norm(X, axis=1) - 1.0)))
    if worst > UNIT_NORM:
        raise InvalidArgument(
            name,
            f"a row of norm off by {worst:.2e}",
            f"rows must be unit vectors (±{UNIT_NORM:.0e})",
        )
    return X
