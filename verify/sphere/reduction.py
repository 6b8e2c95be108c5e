r"""The class-structured reduction, as an explicit step that is checked, never assumed.

A point is *class-structured* when every feature of class k equals one vector :math:`g_k`
(:math:`h_i = g_{y_i}`). At such a point each loss of :mod:`verify.sphere.losses` is a sum over
classes, every sum over the samples of a class becoming :math:`n_k` times one term:

.. math:: \mathcal L(W, H) = \mathcal L_{\mathrm{red}}(W, G) \quad\text{with rows } g_k
    \text{ of multiplicity } n_k \qquad (H = C^\top G).

That identity is all the reduction claims. It is not a claim that minimisers are
class-structured (that is NC1, part of what the claims check): the solver searches the full
problem for claims about minimisers, and uses the reduced problem only for points it then
*lifts* and re-evaluates on all N samples (:func:`check_lift`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .exact import exact_loss
from .losses import value_and_grad
from .model import SphereProblem

__all__ = [
    "CriticalLift",
    "LiftCheck",
    "check_critical_lift",
    "check_lift",
    "class_spread",
    "lift",
    "reduced_weights",
]


def reduced_weights(problem: SphereProblem) -> tuple[np.ndarray, np.ndarray]:
    """Labels and multiplicities of the reduced problem: one row per class, multiplicity n_k."""
    return np.arange(problem.K), np.array(problem.counts, dtype=float)


def lift(problem: SphereProblem, G: np.ndarray) -> np.ndarray:
    """The class-structured features H = C^T G, (N, d)."""
    return np.asarray(G)[problem.labels]


def class_spread(problem: SphereProblem, H: np.ndarray) -> float:
    """max_i ||h_i - mean of its class|| : 0 exactly at class-structured points."""
    labels = problem.labels
    means = np.stack([H[labels == k].mean(axis=0) for k in range(problem.K)])
    return float(np.max(np.linalg.norm(H - means[labels], axis=1)))


@dataclass(frozen=True)
class LiftCheck:
    """The reduced value against the full loss at the lifted point."""

    reduced: float
    full: float
    relative: float  # |full - reduced| / max(1, |full|), float64
    exact_relative: float | None  # the same in high precision, when the full point is small

    def holds(self, tolerance: float) -> bool:
        return self.relative <= tolerance and (
            self.exact_relative is None or self.exact_relative <= tolerance
        )


def check_lift(
    problem: SphereProblem,
    W: np.ndarray | None,
    G: np.ndarray,
    exact_up_to: int = 60,
) -> LiftCheck:
    """Evaluate the reduced loss at (W, G) and the full loss at (W, lift(G)); in high precision
    too (both sides, independently of the float64 code) when N <= ``exact_up_to``."""
    labels, m = reduced_weights(problem)
    reduced = float(value_and_grad(problem.loss, W, G, labels, m, problem.tau)[0])
    H = lift(problem, G)
    full = float(
        value_and_grad(problem.loss, W, H, problem.labels, np.ones(problem.N), problem.tau)[0]
    )
    scale = max(1.0, abs(full))
    exact_rel = None
    if exact_up_to >= problem.N:
        a = exact_loss(problem.loss, W, H, problem.labels, tau=problem.tau)
        b = exact_loss(problem.loss, W, G, labels, m, tau=problem.tau)
        exact_rel = float(abs(a.value - b.value)) / scale
    return LiftCheck(reduced, full, abs(full - reduced) / scale, exact_rel)


@dataclass(frozen=True)
class CriticalLift:
    """The lifted point on the full problem (all N features): first- and second-order."""

    gradient_norm: float  # Riemannian gradient norm of the full loss at the lift
    hessian_min: float  # smallest eigenvalue of the full Riemannian Hessian there
    hessian_max: float

    def holds(self, gradient: float, hessian: float) -> bool:
        """First-order (gradient norm <= ``gradient``) and second-order (smallest eigenvalue
        >= -``hessian`` relative to the largest) critical on the full problem."""
        return self.gradient_norm <= gradient and self.hessian_min >= -hessian * max(
            1.0, abs(self.hessian_max)
        )

    def as_dict(self) -> dict[str, float]:
        return {"gradient_norm": self.gradient_norm, "hessian_min": self.hessian_min,
                "hessian_max": self.hessian_max}  # fmt: skip


def check_critical_lift(
    problem: SphereProblem, W: np.ndarray | None, G: np.ndarray
) -> CriticalLift:
    """A reduced solve's point checked on the full problem: the Riemannian gradient and Hessian
    spectrum of the loss over all N features at the lift H = C^T G. The reduced problem cannot
    see the directions that split a class; the full Hessian does, so a class-structured point
    that is a reduced minimum but a saddle of the full problem shows a negative eigenvalue."""
    from .solve import _Objective, hessian_spectrum, riemannian_gradient

    f = _Objective(problem, reduced=False)
    H = lift(problem, G)
    X = H if W is None else np.concatenate([W, H])
    _, grad = f(X)
    eig = hessian_spectrum(f, X)
    norm = float(np.sqrt(np.sum(riemannian_gradient(X, grad) ** 2)))
    return CriticalLift(norm, float(eig[0]), float(eig[-1]))
