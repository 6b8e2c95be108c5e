"""Claims as declarative, immutable objects, and the context their predicates run in.

A :class:`Claim` only states: its id, statement, reference, hypotheses (names from
:mod:`verify.claims.hypotheses`), an optional premise and a conclusion, each a function of a
:class:`Context` returning *named relative residuals* (0 means exact). Checking is done by
:func:`verify.claims.check.check`. Predicates get certified solutions only through
:meth:`Context.solve`, which raises :class:`Uncertified` otherwise, so no residual is ever
computed on an uncertified solve (docs/DESIGN.md, invariant 2).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from hypothesis import strategies as st

from ..errors import InvalidArgument, UnknownName
from ..instance import Instance
from ..solve import Solution, solve
from ..strategies import Case, cases, corners
from ..tolerances import DEFAULT, Tolerances
from .hypotheses import HYPOTHESES

__all__ = ["Claim", "Context", "PredicateError", "Residuals", "Uncertified"]

Residuals = dict[str, float]


class Uncertified(Exception):
    """A solve needed by a claim could not be certified; the instance is inconclusive."""


class PredicateError(Exception):
    """Raised on purpose from a premise or conclusion to stop the search (a hunt's guard);
    anything else a predicate raises makes that one outcome ``malformed``."""


@dataclass
class Context:
    """What a claim's predicate sees: the drawn case, the tolerances and a certified solver."""

    case: Case
    tol: Tolerances = DEFAULT
    engine: str = "exact"
    solutions: list[Solution] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)  # passed to the engine
    ahead: Solution | None = None  # the case's instance, solved (and certified) beforehand

    @property
    def instance(self) -> Instance:
        return self.case.instance

    def solve(self, instance: Instance | None = None) -> Solution:
        """A certified global minimiser of ``instance`` (default: the case's), or :class:`Uncertified`."""
        instance = instance or self.case.instance
        for known in self.solutions:
            if known.instance is instance:
                return known
        ahead = self.ahead
        if ahead is not None and ahead.instance is instance and not self.options:
            solution = ahead
        else:
            solution = solve(instance, self.engine, self.tol, **self.options)
        self.solutions.append(solution)
        if not solution.certified:
            raise Uncertified(f"{self.engine}: {solution.certificate.reason}")
        return solution

    @property
    def solution(self) -> Solution:
        return self.solve()

    def floor(self, quantity: str) -> float:
        """The residual floor for ``quantity`` (a key of :meth:`Instance.scales`)."""
        return self.tol.floor * self.instance.scales()[quantity]


@dataclass(frozen=True)
class Claim:
    """A claim of the paper (or derived, amended, or a user's own), stated for checking.

    The claim holds at an instance satisfying ``hypotheses`` (and ``premise``, if any) when every
    residual of ``conclusion`` is at most ``Tolerances.residual``.
    """

    #: the model the claim is about: the UFM (of any convex loss); a subclass may name another
    model: ClassVar[str] = "ufm"

    id: str
    title: str
    statement: str
    reference: str
    hypotheses: tuple[str, ...]
    conclusion: Callable[[Context], Residuals]
    premise: Callable[[Context], Residuals] | None = None
    premise_statement: str = ""
    derivation: str | None = None  # a name registered with verify.symbolic.register
    kind: str = "theorem"  # theorem | conjecture | derived | amended | relaxed | user
    group: str = ""
    with_Q: bool = False
    max_K: int = 5
    notes: str = ""
    relaxed_from: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in self.hypotheses:
            if name not in HYPOTHESES:
                raise UnknownName("hypothesis", name, list(HYPOTHESES))
        if self.derivation is not None:
            from ..symbolic import DERIVATIONS, derivations

            # the proof modules register theirs when loaded (lazily); register your own first
            if self.derivation not in DERIVATIONS and self.derivation not in derivations():
                raise UnknownName("derivation", self.derivation, list(DERIVATIONS))
        if not self.group:
            object.__setattr__(self, "group", self.id)

    def cases(self) -> st.SearchStrategy[Case]:
        """The instances this claim speaks about, built to satisfy its hypotheses."""
        return cases(frozenset(self.hypotheses), max_K=self.max_K, with_Q=self.with_Q)

    def corners(self) -> list[Case]:
        """Deterministic instances, one per regime its hypotheses allow, checked first."""
        return corners(frozenset(self.hypotheses), max_K=self.max_K, with_Q=self.with_Q)

    def relaxed(self, *names: str) -> Claim:
        """The generalised claim without the named hypotheses."""
        for name in names:
            if name not in self.hypotheses:
                raise InvalidArgument(
                    "relax", name, f"{self.id} has the hypotheses {list(self.hypotheses)}"
                )
        kept = tuple(h for h in self.hypotheses if h not in names)
        return replace(
            self,
            id=f"{self.id} without {'+'.join(names)}",
            hypotheses=kept,
            kind="relaxed",
            derivation=None,
            relaxed_from=self.id,
        )

    def amended(self, *names: str, note: str = "") -> Claim:
        """The narrower claim with the named hypotheses added."""
        added = tuple(n for n in names if n not in self.hypotheses)
        return replace(
            self,
            id=f"{self.id} with {'+'.join(added)}",
            hypotheses=self.hypotheses + added,
            kind="amended",
            derivation=None,
            relaxed_from=self.id,
            notes=note or self.notes,
        )

    def hypotheses_latex(self) -> str:
        return ", ".join(HYPOTHESES[h].statement for h in self.hypotheses) or "none"

    def hypotheses_text(self) -> str:
        """The hypotheses for a terminal: their names (what ``--relax`` takes)."""
        return ", ".join(self.hypotheses) or "none"


def relative(diff: float, *scales: float) -> float:
    """``diff`` over the sum of ``scales`` (norms compared, plus a floor); 0 when ``diff`` is 0."""
    if diff == 0:
        return 0.0
    total = sum(scales)
    return diff / total if total > 0 else math.inf
