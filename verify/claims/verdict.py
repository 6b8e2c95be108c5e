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
certified counterexample), ``supported`` (a claim about a non-convex model whose only evidence is
local search: many random starts, a second-order check, no point below the claimed optimum; weaker
than ``verified``, never counted as a pass), ``inconclusive`` (anything else, with the reason).

The names are :class:`OutcomeStatus` and :class:`VerdictStatus`, string enums whose values are the
strings of the JSON and the reports (``VerdictStatus.PROVED == "proved"``), with named groups in
the manner of cvxpy's ``settings.py``: :data:`PASSING` (what the README table counts as a pass),
:data:`WEAK` (shown, never a pass), :data:`FAILING`, and :data:`CERTIFIED` / :data:`REACHED` for
outcomes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..case import Case
from ..tolerances import Tolerances

__all__ = [
    "CERTIFIED",
    "FAILING",
    "PASSING",
    "REACHED",
    "VERDICT_ORDER",
    "WEAK",
    "Outcome",
    "OutcomeStatus",
    "Verdict",
    "VerdictStatus",
    "local_search_only",
]


class OutcomeStatus(StrEnum):
    """The status of a claim at one instance (the strings are those of the JSON)."""

    HOLDS = "holds"
    COUNTEREXAMPLE = "counterexample"
    UNCONFIRMED = "unconfirmed"
    BETWEEN = "between"
    VACUOUS = "vacuous"
    UNCERTIFIED = "uncertified"
    MALFORMED = "malformed"


class VerdictStatus(StrEnum):
    """The verdict over many instances (the strings are those of the JSON and the reports)."""

    PROVED = "proved"
    VERIFIED = "verified"
    SUPPORTED = "supported"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"


#: outcomes resting on a certified solve (judged against the tolerances)
CERTIFIED = frozenset(
    {
        OutcomeStatus.HOLDS,
        OutcomeStatus.COUNTEREXAMPLE,
        OutcomeStatus.UNCONFIRMED,
        OutcomeStatus.BETWEEN,
    }
)
#: outcomes that reached a regime (certified, or certified with the premise failing)
REACHED = CERTIFIED | {OutcomeStatus.VACUOUS}
#: verdicts the README table counts as a pass
PASSING = frozenset({VerdictStatus.PROVED, VerdictStatus.VERIFIED})
#: verdicts shown with their evidence but never counted as a pass (local search alone)
WEAK = frozenset({VerdictStatus.SUPPORTED})
#: verdicts that fail a check
FAILING = frozenset({VerdictStatus.REFUTED, VerdictStatus.INCONCLUSIVE})
#: the order in which verdict statuses are listed, strongest evidence first
VERDICT_ORDER = (
    VerdictStatus.PROVED,
    VerdictStatus.VERIFIED,
    VerdictStatus.SUPPORTED,
    VerdictStatus.REFUTED,
    VerdictStatus.INCONCLUSIVE,
)


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


# the certified outcomes in their historical order (the evidence phrase sums them in this order)
_CERTIFIED_ORDER = ("holds", "counterexample", "unconfirmed", "between")


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    return value


#: ids of claims whose numeric evidence can only be local search (non-convex models, no
#: certificate of global optimality): their "verified" is shown as "supported"
_LOCAL_SEARCH_ONLY: set[str] = set()


def local_search_only(claim_id: str) -> str:
    """Mark ``claim_id`` as resting on local search alone: a verdict that would be ``verified``
    becomes ``supported`` (``proved`` and ``refuted`` are unchanged: they do not rest on local
    search). Returns the id, so a claim module can write ``id=local_search_only("...")``."""
    _LOCAL_SEARCH_ONLY.add(claim_id)
    return claim_id


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

    def __post_init__(self) -> None:
        if self.status == VerdictStatus.VERIFIED and self.claim_id in _LOCAL_SEARCH_ONLY:
            object.__setattr__(self, "status", VerdictStatus.SUPPORTED)
            object.__setattr__(
                self,
                "reason",
                "local search only, no certificate of global optimality: " + self.reason,
            )

    @property
    def worst_residual(self) -> float:
        return self.worst.worst if self.worst else 0.0

    @property
    def evidence(self) -> str:
        """The evidence in a phrase."""
        c, sym = self.counts, self.symbolic
        certified = sum(c.get(s, 0) for s in _CERTIFIED_ORDER)
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
        if self.status == VerdictStatus.REFUTED and self.counterexample:
            parts.append(f"certified counterexample, residual {self.counterexample.worst:.2e}")
        if self.status == VerdictStatus.SUPPORTED:
            parts.append("local search only (not a pass)")
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
