"""Proposing the narrowest amendment the evidence supports.

A refuted claim is amended by adding hypotheses from :data:`verify.claims.HYPOTHESES` that it
does not have. A candidate (one name, or failing that a pair) is *supported* when it excludes
every counterexample seen (each certified instance where the claim failed, shrunk or not), and
it is *narrow* when it keeps much of the space the claim spoke about, estimated by the fraction
of the instances the search generated (before any shrinking) that satisfy it. Candidates are
ranked by that fraction, ties by name. Putting back a hypothesis the hunt relaxed is always a
candidate (it gives the original claim back), even when the relaxed space almost never
satisfies it (centred labels have measure zero there).

Refused candidates:

- contradictory ones, whose strategy cannot draw instances (``lambda_b_zero`` with
  ``lambda_b_positive``);
- tautological ones: when the conclusion is a statement about the instance alone (it needs no
  solve, like "Ybar is an SSETF"), a candidate that holds at exactly the generated instances
  where the conclusion holds restates the conclusion, and would make the amended claim true by
  assumption.

Boundaries: hypotheses are strict inequalities (c < 1, c < alpha) evaluated in floating point,
and a counterexample can sit within rounding of one (c = alpha (1 - 1e-16), where the class
means' scale alpha - c is below every tolerance). A counterexample counts as excluded when the
candidate fails there *or* after scaling lambda_W and lambda_H by 1 + ``tol.hypothesis``; how many
were excluded only that way is reported beside each candidate.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed

from ..claims import HYPOTHESES, Claim, Context, Uncertified, unmet
from ..instance import Instance
from ..solve import Solution
from ..strategies import Case
from ..tolerances import Tolerances

__all__ = ["Candidate", "drawable", "instance_only", "rank"]


@dataclass(frozen=True)
class Candidate:
    names: tuple[str, ...]
    statement: str
    excluded: int  # counterexamples it excludes
    counterexamples: int
    keeps: float  # fraction of the generated instances that satisfy it
    drawable: bool
    note: str = ""
    at_boundary: int = 0  # counterexamples excluded only within rounding of its boundary
    tautology: bool = False
    restores: bool = False  # puts back a hypothesis the hunt relaxed

    @property
    def supported(self) -> bool:
        return (
            self.excluded == self.counterexamples
            and (self.keeps > 0 or self.restores)
            and self.drawable
            and not self.tautology
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "hypotheses": list(self.names),
            "statement": self.statement,
            "excludes": f"{self.excluded}/{self.counterexamples}",
            "excludes_all": self.excluded == self.counterexamples,
            "excluded_at_boundary": self.at_boundary,
            "keeps": self.keeps,
            "drawable": self.drawable,
            "tautology": self.tautology,
            "restores": self.restores,
            "supported": self.supported,
            "note": self.note,
        }


def drawable(claim: Claim, tol: Tolerances, examples: int = 25, implies: bool = False) -> bool:
    """Whether the claim's strategy draws instances satisfying all its hypotheses (no solves).

    With ``implies``: whether, besides, the claim's conclusion (one that needs no solve) holds
    at every instance drawn, i.e. whether its hypotheses imply its conclusion.
    """

    @hypothesis_seed(0)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(claim.cases())
    def probe(case: Case) -> None:
        if unmet(case.instance, claim.hypotheses, tol):
            raise AssertionError
        if implies:
            residuals = instance_only(claim, case, tol)
            if residuals is None or max(residuals.values(), default=0.0) > tol.residual:
                raise AssertionError

    from ..claims.determinism import deterministic_generation

    try:
        with deterministic_generation():
            probe()
    except AssertionError:
        return False
    return True


def _holds(names: tuple[str, ...], case: Case, tol: Tolerances) -> bool:
    return not unmet(case.instance, names, tol)


def _nudged(case: Case, tol: Tolerances) -> Case:
    """The case with lambda_W and lambda_H scaled by 1 + tol.hypothesis (c by the same factor)."""
    inst, f = case.instance, 1 + tol.hypothesis
    return Case(inst.replace(lambda_W=inst.lambda_W * f, lambda_H=inst.lambda_H * f), case.Q)


class _NeedsSolution(Exception):
    pass


class _NoSolve(Context):
    def solve(self, instance: Instance | None = None) -> Solution:
        raise _NeedsSolution


def instance_only(claim: Claim, case: Case, tol: Tolerances) -> dict[str, float] | None:
    """The conclusion's residuals at ``case`` if it needs no solve, else None."""
    try:
        return claim.conclusion(_NoSolve(case, tol))
    except (_NeedsSolution, Uncertified):
        return None


def rank(
    claim: Claim,
    counterexamples: list[Case],
    generated: list[Case],
    tol: Tolerances,
    exclude: tuple[tuple[str, ...], ...] = (),
    restore: tuple[str, ...] = (),
) -> list[Candidate]:
    """Every single extra hypothesis (and, when none is supported, every pair), supported ones
    first by the fraction of the space they keep."""
    names = [n for n in HYPOTHESES if n not in claim.hypotheses]
    nudged = [_nudged(c, tol) for c in counterexamples]
    # conclusions about the instance alone: their value at each generated instance, or None
    static = [instance_only(claim, c, tol) for c in generated[:1]]
    if static and static[0] is not None:
        holds_alone = [
            max((instance_only(claim, c, tol) or {}).values(), default=0.0) <= tol.residual
            for c in generated
        ]
    else:
        holds_alone = []

    def judge(combo: tuple[str, ...]) -> Candidate:
        strict = sum(1 for c in counterexamples if not _holds(combo, c, tol))
        excluded = sum(
            1
            for c, n in zip(counterexamples, nudged, strict=True)
            if not _holds(combo, c, tol) or not _holds(combo, n, tol)
        )
        inside = [_holds(combo, c, tol) for c in generated]
        keeps = sum(inside) / len(generated) if generated else 0.0
        # the amendment implies the conclusion (it holds, without a solve, at every generated
        # instance inside it and at fresh draws of the amended strategy): true by assumption
        tautology = (
            bool(holds_alone)
            and all(h for h, i in zip(holds_alone, inside, strict=True) if i)
            and drawable(claim.amended(*combo), tol, examples=40, implies=True)
        )
        restores = set(combo) <= set(restore)
        note = ""
        ok = True
        if combo in exclude:
            note = "already hunted and refuted"
        elif tautology:
            note = (
                "tautology: the conclusion needs no solve and held at every generated instance "
                "satisfying it, so the amendment would assume the conclusion"
            )
        elif excluded == len(counterexamples) and (keeps > 0 or restores):
            ok = drawable(claim.amended(*combo), tol)
            if not ok:
                note = "the strategies cannot draw instances with these hypotheses together"
        elif keeps == 0:
            note = "no generated instance satisfies it"
        if excluded > strict and not note:
            note = f"{excluded - strict} counterexample(s) within rounding of its boundary"
        if restores and not note:
            note = "restores the relaxed hypothesis (the original claim)"
        statement = " and ".join(HYPOTHESES[n].statement for n in combo)
        return Candidate(
            combo,
            statement,
            excluded,
            len(counterexamples),
            keeps,
            ok,
            note,
            excluded - strict,
            tautology,
            restores,
        )

    singles = [judge((n,)) for n in names]
    table = singles
    if not any(c.supported and c.names not in exclude for c in singles):
        table = singles + [judge(pair) for pair in combinations(names, 2)]
    return sorted(
        table,
        key=lambda c: (
            not (c.supported and c.names not in exclude),
            -c.keeps,
            len(c.names),
            c.names,
        ),
    )
