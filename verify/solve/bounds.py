r"""What a certificate bounds: the distance from the returned point to every global minimiser.

From a relative duality gap, strong convexity turns the gap into distances (Frobenius norms):
``X`` bounds :math:`\|WH + b1^\top - X^\star\|`, ``Z`` bounds :math:`\|WH - Z^\star\|`, ``b``
bounds :math:`\|b - b^\star\|`, ``scatter`` the within-class scatter of H at a minimiser's
features, and ``gradient`` the distance of the loss gradient at the logits from its value at
every minimiser (the one bound every smooth convex loss gives). A field is None where the loss
or the regime gives no bound (cross-entropy is not strongly convex: no ``X``, no ``Z``; b has
no bound for lambda_b = 0 or inf). As a mapping the record reads under the names the
certificate's JSON uses.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from .record import Record

__all__ = ["DistanceBounds"]

#: the JSON name of each field
NAMES = {
    "X": "X = WH + b1^T",
    "Z": "Z = WH",
    "b": "b",
    "scatter": "within-class scatter",
    "gradient": "loss gradient at WH + b1^T",
}


@dataclass(frozen=True)
class DistanceBounds(Record):
    """Certified distance bounds; None where there is none (module docstring)."""

    X: float | None = None
    Z: float | None = None
    b: float | None = None
    scatter: float | None = None
    gradient: float | None = None

    def _items(self) -> dict[str, float]:
        return {
            NAMES[f.name]: value
            for f in fields(self)
            if (value := getattr(self, f.name)) is not None
        }
