r"""Claims about the sphere model, checked by the ordinary claim machinery (verify.claims).

A :class:`SphereClaim` is a :class:`~verify.claims.Claim` whose cases carry a sphere problem:
the case's :class:`~verify.instance.Instance`
supplies K, the class counts and d (so the report and JSON machinery apply unchanged), and
``case.drawn["tau"]`` the temperature. The instance's lambda_W = lambda_H = 1e-3, lambda_b = 0
and one-hot encoding are placeholders the sphere model does not use (it has no weight decay);
they satisfy the hypotheses one_hot, c_below_1 and lambda_b_zero. Through the claim runner's
hook (:mod:`verify.claims.runner`) a sphere claim supplies its own regimes (K, the counts, d
against K, tau: :func:`verify.sphere.certify.regime_coverage`), which its corners reach, and its
own confirmation (a feasible point certified below the claimed optimum in interval arithmetic:
:func:`verify.sphere.certify.confirm_counterexample`). An Instance has d >= K, so the registered
claims are checked at d >= K; d = K - 1 is exercised by tests/test_sphere*.py and the CLI.

A conclusion never calls ``ctx.solve`` (there is no UFM solve): it builds its own
:class:`~verify.sphere.model.SphereProblem` with :func:`problem`. A case describes itself by the
sphere's own parameters (:class:`SphereCase`: the claim's loss, K, the counts, d, tau), never by
the placeholder lambdas, so a counterexample's text (``verify check``, the report) names the
instance it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from hypothesis import strategies as st

from ..claims import Claim, Context
from ..claims.claim import PredicateError
from ..claims.verdict import Outcome
from ..instance import Instance
from ..strategies import Case
from ..tolerances import Tolerances
from .model import SphereProblem

__all__ = ["HYPOTHESES", "SphereCase", "SphereClaim", "case", "problem"]

#: the placeholder hypotheses every sphere claim states (see the module docstring)
HYPOTHESES = ("one_hot", "balanced", "c_below_1", "lambda_b_zero")
PLACEHOLDER_LAMBDA = 1e-3
TAU_RANGE = (0.05, 2.0)


@dataclass(frozen=True, eq=False)
class SphereCase(Case):
    """A case of the sphere model; ``loss`` is the claim's (None when it names none)."""

    loss: str | None = field(default=None)

    def parameters(self) -> list[tuple[str, str]]:
        """The report's rows: the sphere's own parameters (no lambdas: the model has none)."""
        inst = self.instance
        return [
            ("model", "unit hypersphere (features and prototypes on S^{d-1})"),
            ("loss", self.loss or "(the claim's own)"),
            ("K (classes)", str(inst.K)),
            (
                "counts n_k",
                f"{inst.n} each (balanced)" if inst.balanced else str(list(inst.counts)),
            ),
            ("d (feature dimension)", str(inst.d)),
            ("τ (temperature)", f"{self.drawn['tau']:.10g}"),
        ]

    def describe(self) -> str:
        """One readable line in the sphere's own parameters: the loss, K, the counts, d, tau
        (10 digits, as drawn), not the placeholder lambdas or the hypotheses they satisfy."""
        inst = self.instance
        counts = f"n={inst.counts[0]} each" if inst.balanced else f"counts={list(inst.counts)}"
        loss = f"loss={self.loss}, " if self.loss else ""
        return f"sphere: {loss}K={inst.K}, {counts}, d={inst.d}, tau={self.drawn['tau']:.10g}"


def case(counts: tuple[int, ...], d: int, tau: float, loss: str | None = None) -> SphereCase:
    """A case of the sphere model: counts, d (>= K), tau, and the claim's loss."""
    K = len(counts)
    inst = Instance(np.eye(K), tuple(counts), d, PLACEHOLDER_LAMBDA, PLACEHOLDER_LAMBDA, 0.0)
    return SphereCase(inst, None, {"tau": float(tau)}, loss)


def problem(ctx: Context, loss: str) -> SphereProblem:
    """The sphere problem of the case; a case drawn by another strategy (the UFM hunt's, which
    knows no tau) stops the search with a :class:`PredicateError` saying what to run instead."""
    if "tau" not in ctx.case.drawn:
        raise PredicateError(
            "a sphere claim's cases carry tau (SphereClaim.cases); hunt the sphere model with "
            "`verify sphere hunt`"
        )
    inst = ctx.instance
    return SphereProblem(loss, inst.counts, inst.d, float(ctx.case.drawn["tau"]))


@dataclass(frozen=True)
class SphereClaim(Claim):
    """A claim about the sphere model; ``min_n`` is the smallest class size it speaks about,
    ``sphere_loss`` the loss it is about (named in its cases' descriptions)."""

    model: ClassVar[str] = "sphere"
    sphere_loss: str | None = None
    max_n: int = 3
    min_n: int = 2
    balanced_only: bool = True
    max_extra_d: int = 2
    ratio: int = 1  # > 1: counts (ratio n, n, ..., n), the first class the majority

    def hypotheses_latex(self) -> str:
        """What the cases satisfy, in the sphere's own terms (the names in ``hypotheses`` are
        the placeholder Instance's: module docstring)."""
        if self.ratio > 1:
            counts = rf"$n_1 = {self.ratio}\,n_2$, $n_2 = \dots = n_K$"
        elif self.balanced_only:
            counts = r"$n_1 = \dots = n_K = n$"
        else:
            counts = "any class counts"
        low, high = TAU_RANGE
        return rf"{counts}, $d \ge K$, $\tau \in [{low:g}, {high:g}]$"

    def hypotheses_text(self) -> str:
        counts = (
            f"n_1 = {self.ratio} n_2, n_2 = ... = n_K"
            if self.ratio > 1
            else "balanced"
            if self.balanced_only
            else "any class counts"
        )
        low, high = TAU_RANGE
        return f"{counts}, d >= K, tau in [{low:g}, {high:g}]"

    def _counts(self, K: int, n: int) -> tuple[int, ...]:
        return (self.ratio * n, *(n,) * (K - 1)) if self.ratio > 1 else (n,) * K

    def cases(self) -> st.SearchStrategy[Case]:
        @st.composite
        def draw(data: st.DrawFn) -> Case:  # data(strategy) draws a value
            K = data(st.integers(2, self.max_K))
            if self.balanced_only or self.ratio > 1:
                counts = self._counts(K, data(st.integers(self.min_n, self.max_n)))
            else:
                counts = tuple(
                    data(st.lists(st.integers(self.min_n, self.max_n), min_size=K, max_size=K))
                )
            d = K + data(st.integers(0, self.max_extra_d))
            log_tau = data(st.floats(np.log(TAU_RANGE[0]), np.log(TAU_RANGE[1])))
            return case(counts, d, float(np.exp(log_tau)), self.sphere_loss)

        return draw()

    def corners(self) -> list[Case]:
        n, c = self.min_n, self._counts
        d = lambda K, extra: K + min(extra, self.max_extra_d)  # noqa: E731
        at = [(c(2, n), 2, 0.5), (c(2, n), d(2, 1), 0.1)]
        if self.max_K >= 3:
            at += [(c(3, n), 3, 0.2), (c(3, n + 1), d(3, 1), 1.0)]
        if self.max_K >= 4:
            at.append((c(4, n), d(4, 1), 0.1))
        if not self.balanced_only and self.ratio == 1:  # any counts: an imbalanced one too
            K = min(3, self.max_K)
            at.append(((self.max_n, *(self.min_n,) * (K - 1)), K, 0.5))
        return [case(counts, dim, tau, self.sphere_loss) for counts, dim, tau in at]

    # the claim runner's hook (verify.claims.runner): a sphere claim says which regimes its
    # search covered and how its counterexample is certified (there is no UFM to re-solve)

    def regime_coverage(self, outcomes: list[Outcome], tol: Tolerances) -> dict[str, Any]:
        from .certify import regime_coverage

        return regime_coverage(self, outcomes)

    def confirm_counterexample(self, case: Case, tol: Tolerances) -> dict[str, Any]:
        from .certify import confirm_counterexample

        return confirm_counterexample(self, case, tol)
