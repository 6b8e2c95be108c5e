r"""Certificates of global optimality for the UFM, for every loss.

:func:`certify` computes, from (W, H, b) alone, the primal value, a dual lower bound on the
minimum, their gap and the distance bounds they imply: for MSE by :mod:`verify.solve.mse_dual`
(the paper's loss, with the spectral projection and Theorem III.4a's bound on Z), for any other
convex loss by :mod:`verify.solve.gap` (the Fenchel conjugate of the loss). Weak duality makes
the gap an upper bound on :math:`f(W, H, b) - \min f` whatever produced the point, so the same
function certifies every engine. The first-order residuals (:mod:`verify.solve.residuals`) are
reported beside the gap and computed when first read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from ..instance import Instance
from ..losses import MSE
from ..tolerances import DEFAULT, Tolerances
from .bounds import DistanceBounds
from .mse_dual import mse_parts
from .passes import _float64, ufm_objective
from .residuals import FirstOrder, first_order_residuals

__all__ = [
    "Certificate",
    "DistanceBounds",
    "FirstOrder",
    "certify",
    "first_order_residuals",
    "ufm_objective",
]


@dataclass(frozen=True)
class Certificate:
    """Evidence that (W, H, b) is a global minimiser, piece by piece.

    ``certified`` is true when the relative duality gap is at most ``tolerances.gap``; otherwise
    ``reason`` says why not. The first-order residuals are reported beside the gap, never
    instead of it; they are diagnostics, not part of the proof, and cost more than twice the gap's
    pass over the data, so they are computed from ``point`` when first read.
    """

    primal: float
    dual: float
    gap: float
    relative_gap: float
    dual_feasibility: (
        float  # ||Lambda||_2 / mu before scaling (<= 1 means the raw residual was feasible)
    )
    distance_bounds: DistanceBounds
    engine: str
    tolerances: Tolerances
    certified: bool
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    uniqueness: str = ""  # what is and is not unique at a minimiser (non-MSE losses; "" for MSE)
    point: tuple[Instance, np.ndarray, np.ndarray, np.ndarray] | None = field(
        default=None, repr=False, compare=False
    )  # the certified (instance, W, H, b); None when it was not finite

    @cached_property
    def residuals(self) -> FirstOrder | None:
        """:func:`first_order_residuals` of the certified point (None when it was not finite)."""
        if self.point is None:
            return None
        return first_order_residuals(*self.point, self.tolerances)

    def as_dict(self) -> dict[str, Any]:
        data = {
            "primal": self.primal,
            "dual": self.dual,
            "gap": self.gap,
            "relative_gap": self.relative_gap,
            "dual_feasibility": self.dual_feasibility,
            "residuals": dict(self.residuals or {}),
            "distance_bounds": dict(self.distance_bounds),
            "engine": self.engine,
            "tolerances": self.tolerances.as_dict(),
            "certified": self.certified,
            "reason": self.reason,
        }
        if self.uniqueness:
            data["uniqueness"] = self.uniqueness
        return data


def certify(
    instance: Instance,
    W: np.ndarray,
    H: np.ndarray,
    b: np.ndarray,
    engine: str,
    tol: Tolerances = DEFAULT,
    details: dict[str, Any] | None = None,
) -> Certificate:
    """Certify (W, H, b) for ``instance`` from scratch: primal, dual, gap, distance bounds
    (the residuals follow on request, :attr:`Certificate.residuals`).

    Only the returned matrices are used, never how they were computed, so the same function
    certifies every engine.
    """
    W, H, b = _float64(W, H, b)
    K, d, N = instance.K, instance.d, instance.N
    shapes = {"W": (W.shape, (K, d)), "H": (H.shape, (d, N)), "b": (b.shape, (K,))}
    for name, (got, want) in shapes.items():
        if got != want:
            raise ValueError(f"{name} has shape {got}, expected {want}")
    finite = all(np.all(np.isfinite(x)) for x in (W, H, b))
    if not finite:
        nan = math.nan
        return Certificate(
            nan,
            nan,
            nan,
            nan,
            nan,
            DistanceBounds(),
            engine,
            tol,
            False,
            "the solution has NaN or infinite entries",
            details or {},
        )
    # a finite point can still overflow (entries near 1e200): the result is then not finite and
    # not certified (below), which is the answer, so numpy's warnings about it are not needed
    with np.errstate(over="ignore", invalid="ignore"):
        return _certify(instance, W, H, b, engine, tol, details)


def _certify(
    instance: Instance,
    W: np.ndarray,
    H: np.ndarray,
    b: np.ndarray,
    engine: str,
    tol: Tolerances,
    details: dict[str, Any] | None,
) -> Certificate:
    uniqueness = ""
    if isinstance(instance.loss, MSE):
        primal, dual, gap, relative_gap, ratio, bounds = mse_parts(instance, W, H, b)
    else:
        from .gap import loss_gap_parts, uniqueness_note

        parts = loss_gap_parts(instance, W, H, b, tol)
        primal, dual, gap = parts["primal"], parts["dual"], parts["gap"]
        relative_gap, ratio, bounds = parts["relative_gap"], parts["ratio"], parts["bounds"]
        uniqueness = uniqueness_note(instance)
    # a certificate with any non-finite quantity proves nothing (a dual of +inf would make the
    # gap -inf and the relative gap 0), so it is never certified
    quantities = {"primal": primal, "dual": dual, "gap": gap, "relative gap": relative_gap}
    quantities.update({f"the bound on {k}": v for k, v in bounds.items()})
    quantities["||Lambda||_2 / mu"] = ratio
    nonfinite = [k for k, v in quantities.items() if not math.isfinite(v)]
    certified = not nonfinite and relative_gap <= tol.gap
    if certified:
        reason = ""
    elif math.isinf(instance.lambda_b) and np.any(b):
        reason = "b != 0 in the bias-free UFM (lambda_b = inf)"
    elif nonfinite:
        reason = (
            f"the certificate is not finite ({nonfinite[0]} = {quantities[nonfinite[0]]}"
            + (f", and {len(nonfinite) - 1} more" if len(nonfinite) > 1 else "")
            + "): the point's entries or their products overflow float64"
        )
    else:
        reason = f"relative duality gap {relative_gap:.2e} exceeds the tolerance gap={tol.gap:.0e}"
    return Certificate(
        primal,
        dual,
        gap,
        relative_gap,
        ratio,
        bounds,
        engine,
        tol,
        certified,
        reason,
        details or {},
        uniqueness,
        (instance, W, H, b),
    )
