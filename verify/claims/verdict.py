"""Outcomes of a claim at one instance, and the verdict over many.

Statuses of an instance: ``holds`` (every residual <= ``residual`` tolerance), ``counterexample``
(some residual >= ``refute``), ``unconfirmed`` (a counterexample for the search's engine that
confirmation did not back: on a regime boundary, where the answer depends on the last digits of
the instance, not resolved by the certificate's distance bounds, or not reproduced at a tighter
gap or by a second engine), ``between`` (neither: too close to call), ``vacuous`` (the premise
did not hold), ``uncertified`` (a solve could not be certified), ``malformed`` (the claim raised,
or returned something other than named finite residuals >= 0).

Verdicts: ``proved`` (a complete symbolic proof replay, every step reduced by SymPy, and no
numeric counterexample in any regime), ``verified`` (no counterexample among the certified
instances, which reached every regime the hypotheses allow), ``refuted`` (a confirmed,
certified counterexample), ``inconclusive`` (anything else, with the reason).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..strategies import Case
from ..tolerances import Tolerances

__all__ = ["Outcome", "Verdict"]


@dataclass(frozen=True)
class Outcome:
    case: Case
    status: str
    residuals: dict[str, float]
    premise: dict[str, float] | None = None
    gaps: tuple[float, ...] = ()
    reason: str = ""
    confirmation: dict[str, Any] | None = None

    @property
    def worst(self) -> float:
        return max(self.residuals.values(), default=0.0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "instance": self.case.instance.to_dict(),
            "drawn": {k: _jsonable(v) for k, v in self.case.drawn.items()},
            "Q": None if self.case.Q is None else self.case.Q.tolist(),
            "residuals": self.residuals,
            "premise": self.premise,
            "relative_gaps": list(self.gaps),
            "reason": self.reason,
            **({"confirmation": self.confirmation} if self.confirmation is not None else {}),
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    return value


@dataclass(frozen=True)
class Verdict:
    claim_id: str
    status: str
    tolerances: Tolerances
    counts: dict[str, int]
    worst: Outcome | None
    counterexample: Outcome | None = None
    confirmation: dict[str, Any] = field(default_factory=dict)
    symbolic: dict[str, Any] = field(default_factory=dict)
    gaps: tuple[float, ...] = ()
    reason: str = ""
    seconds: float = 0.0
    examples: int = 0
    seed: int = 0
    coverage: dict[str, Any] = field(default_factory=dict)

    @property
    def worst_residual(self) -> float:
        return self.worst.worst if self.worst else 0.0

    @property
    def evidence(self) -> str:
        """The evidence in a phrase."""
        c, sym = self.counts, self.symbolic
        certified = sum(c.get(s, 0) for s in ("holds", "counterexample", "unconfirmed", "between"))
        parts = []
        if sym.get("error"):
            parts.append(f"proof replay failed ({sym['error']})")
        elif sym.get("complete"):
            lemmas = len(sym.get("lemmas", ()))
            parts.append(
                f"symbolic proof replay, {sym['algebra_steps']} algebra steps"
                + (f" and {lemmas} cited lemmas, each checked" if lemmas else "")
            )
        elif sym:
            parts.append(f"{sym['algebra_holding']}/{sym['algebra_steps']} algebra steps hold")
        if self.status == "refuted" and self.counterexample:
            parts.append(f"certified counterexample, residual {self.counterexample.worst:.2e}")
        parts.append(f"{certified} certified instances")
        if c.get("vacuous"):
            parts.append(f"{c['vacuous']} where the premise failed")
        if self.coverage:
            parts.append(f"regimes {self.coverage['reached']}/{self.coverage['allowed']}")
        if certified:
            tol = self.tolerances.residual
            parts.append(
                f"worst residual {self.worst_residual:.1e} (tol {tol:.0e})"
                if self.worst_residual > tol
                else f"every residual ≤ {tol:.0e} (tol)"  # below it, the digits are rounding
            )
        return ", ".join(parts)

    def as_dict(self, timings: bool = True) -> dict[str, Any]:
        data = {
            "claim": self.claim_id,
            "status": self.status,
            "reason": self.reason,
            "evidence": self.evidence,
            "counts": self.counts,
            "worst_residual": self.worst_residual,
            "worst": None if self.worst is None else self.worst.as_dict(),
            "counterexample": None
            if self.counterexample is None
            else self.counterexample.as_dict(),
            "confirmation": self.confirmation,
            "symbolic": self.symbolic,
            "relative_gaps": list(self.gaps),
            "tolerances": self.tolerances.as_dict(),
            "examples": self.examples,
            "seed": self.seed,
            "coverage": self.coverage,
        }
        if timings:
            data["seconds"] = self.seconds
        return data
