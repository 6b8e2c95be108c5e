"""The result of hunting one claim: what it evaluated, found and concluded, as JSON."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..claims import HYPOTHESES, Claim, unmet
from ..claims.verdict import Outcome
from ..strategies import Case
from ..tolerances import DEFAULT, Tolerances
from .refine import score
from .simplify import size
from .summary import coverage, record
from .target import ClaimRef
from .units import UnitResult

__all__ = ["DirectionResult", "Settings", "order", "outside", "stated"]


@dataclass(frozen=True)
class Settings:
    budget: int = 200
    seed: int = 0
    tol: Tolerances = DEFAULT
    database: str | None = None
    amend: bool = True


@dataclass
class DirectionResult:
    """The hunt of one claim, with everything it evaluated."""

    ref: ClaimRef
    claim: Claim
    settings: Settings
    status: str = "interrupted"
    reason: str = ""
    outcomes: list[Outcome] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    found: list[Outcome] = field(default_factory=list)
    counterexample: Outcome | None = None
    confirmation: dict[str, Any] = field(default_factory=dict)
    confirm_attempts: list[dict[str, Any]] = field(default_factory=list)
    units: int = 0
    search_budget: int = 0
    refine_budget: int = 0
    first_counterexample_at: int | None = None
    errors: list[str] = field(default_factory=list)
    amendment: dict[str, Any] | None = None
    amendment_results: list[DirectionResult] = field(default_factory=list)
    interrupted: bool = False
    seconds: float = 0.0

    def absorb(self, results: list[UnitResult]) -> None:
        for r in results:
            if r.first_counterexample_at is not None and self.first_counterexample_at is None:
                self.first_counterexample_at = len(self.outcomes) + r.first_counterexample_at
            self.outcomes.extend(r.outcomes)
            self.phases.extend(r.phases)
            self.found.extend(r.found)
            self.interrupted |= r.interrupted
            if r.error:
                self.errors.append(r.error)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for o in self.outcomes:
            out[o.status] = out.get(o.status, 0) + 1
        return dict(sorted(out.items()))

    def evidence(self) -> list[Case]:
        """Every certified instance where the claim failed."""
        return [o.case for o in self.outcomes if o.status == "counterexample"]

    def generated(self) -> list[Case]:
        return [o.case for o, p in zip(self.outcomes, self.phases, strict=True) if p == "generate"]

    def closest_call(self) -> Outcome | None:
        near = [o for o in self.outcomes if o.status in ("holds", "between") and o.residuals]
        return max(near, key=lambda o: (score(o), -o.case.instance.K), default=None)

    def as_dict(self, timings: bool = True) -> dict[str, Any]:
        claim = self.claim
        closest = self.closest_call()
        data: dict[str, Any] = {
            "claim": claim.id,
            "title": claim.title,
            "kind": claim.kind,
            "statement": claim.statement,
            "reference": claim.reference,
            "hypotheses": [
                {"name": h, "statement": HYPOTHESES[h].statement} for h in claim.hypotheses
            ],
            "premise": claim.premise_statement or None,
            "relaxed": _relaxed(self),
            "added": list(self.ref.amend),
            "status": self.status,
            "reason": self.reason,
            "budget": {
                "requested": self.settings.budget,
                "search": self.search_budget,
                "refine": self.refine_budget,
                "units": self.units,
                "evaluated": len(self.outcomes),
                "by_phase": tally(self.phases),
            },
            "counts": self.counts(),
            "first_counterexample_at": self.first_counterexample_at,
            "counterexample": None if self.counterexample is None else record(self.counterexample),
            "confirmation": self.confirmation,
            "confirm_attempts": self.confirm_attempts,
            "counterexamples_seen": len(self.evidence()),
            "shrunk_counterexamples": [
                {"describe": o.case.describe(), "worst_residual": o.worst}
                for o in sorted(self.found, key=order)
            ],
            "coverage": coverage(self.outcomes),
            "closest_call": None if closest is None else record(closest),
            "errors": self.errors,
            "interrupted": self.interrupted,
            "amendment": self.amendment,
        }
        if timings:
            data["seconds"] = self.seconds
        return data


def tally(values: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))


def outside(state: DirectionResult) -> int:
    """How many evaluated instances violate a relaxed (dropped) hypothesis."""
    tol = state.settings.tol
    return sum(1 for o in state.outcomes if unmet(o.case.instance, state.ref.relax, tol))


def _relaxed(state: DirectionResult) -> dict[str, Any] | None:
    ref, claim = state.ref, state.claim
    if not ref.relax:
        return None
    return {
        "from": claim.relaxed_from or ref.spec,
        "dropped": list(ref.relax),
        "kept": list(h for h in claim.hypotheses if h not in ref.amend),
        "exactly": stated(claim),
        "instances_outside_dropped": outside(state),
    }


def stated(claim: Claim) -> str:
    """The claim as a sentence: its statement under its hypotheses (and premise)."""
    hyps = claim.hypotheses_latex()
    text = f"for every instance with {hyps}" if claim.hypotheses else "for every instance"
    if claim.premise_statement:
        text += f" where {claim.premise_statement}"
    return f"{claim.statement}, {text}, at every global minimiser"


def order(o: Outcome) -> tuple[Any, ...]:
    return (*size(o), -o.worst if math.isfinite(o.worst) else -math.inf, o.case.describe())
