r"""Common types of the symbolic layer: checked proof steps and derivations.

A :class:`Derivation` is the SymPy replay of one claim of the paper: a few named closed forms
(``expressions``) and the proof steps (``steps``) that produce them. Every step of kind
``"algebra"`` is an identity :math:`\mathrm{lhs} = \mathrm{rhs}` that SymPy *decides* when the
step is built (:func:`compare`); nothing is hard-coded. Steps that are not algebra (an
inequality, a uniqueness or optimality argument) have kind ``"numeric"``: they are left to the
certified numeric layer and carry a ``reason``. A step of kind ``"lemma"`` cites a published
result and runs its own numeric check when it is built (:func:`lemma_step`); a proof made of
symbolic algebra and cited lemmas whose checks pass is complete.

:func:`compare` decides :math:`\mathrm{lhs} - \mathrm{rhs} = 0` symbolically (``expand``, then
``cancel``, then ``simplify``; matrices entry by entry). When SymPy cannot reduce the
difference to 0 it evaluates it at several random rational points (the idea of
``sympy.core.random.verify_numerically``): agreement everywhere gives ``holds=True`` with
``method="numeric-random-points"``; a point where the sides differ is a counterexample and
gives ``holds=False``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sympy as sp
from sympy.matrices.expressions.kronecker import combine_kronecker

from ..tolerances import DEFAULT

__all__ = [
    "Derivation",
    "Step",
    "Verdict",
    "algebra_step",
    "check_equal",
    "compare",
    "lemma_step",
    "numeric_step",
]

_SMALL = sp.Float("1e-20", 30)


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`compare`.

    Attributes:
        holds: whether lhs == rhs.
        method: ``"symbolic"`` (SymPy reduced the difference to 0, or exhibited a
            shape mismatch) or ``"numeric-random-points"`` (decided by evaluation).
        counterexample: for ``holds=False`` decided numerically, the point and both values.
    """

    holds: bool
    method: str
    counterexample: str = ""


def _is_matrix(x: Any) -> bool:
    return isinstance(x, sp.MatrixBase)


def _random_value(sym: sp.Symbol, rng: random.Random) -> sp.Expr:
    """A small random value that respects the assumptions of ``sym``."""
    if sym.is_integer:
        return sp.Integer(rng.randint(2, 6))
    value = sp.Rational(rng.randint(1, 9), rng.randint(1, 4))
    if sym.is_positive or sym.is_nonnegative:
        return value
    return value if rng.random() < 0.5 else -value


def _random_points(expr: sp.Basic, seed: int) -> list[dict[sp.Symbol, sp.Expr]]:
    rng = random.Random(seed)
    syms = sorted(expr.free_symbols, key=str)
    return [{s: _random_value(s, rng) for s in syms} for _ in range(DEFAULT.symbolic_points)]


def _expand_trig(x: sp.Expr) -> sp.Expr:
    """Rewrite sin/cos as exponentials and expand: decides trigonometric polynomial identities."""
    return sp.expand(x.rewrite(sp.exp)) if x.has(sp.sin, sp.cos) else x


def _scalar_zero(diff: sp.Expr) -> bool:
    """Symbolic test, cheapest first.

    ``expand`` is fast on polynomials (also with denominators in one symbol, such as
    1/(1 + lambda_b)); ``cancel`` is fast on rational functions with multivariate
    denominators, so it goes first when there is one.
    """
    multivariate_denominator = any(
        p.exp.is_negative and len(p.base.free_symbols) > 1 for p in diff.atoms(sp.Pow)
    )
    first = (sp.cancel, sp.expand) if multivariate_denominator else (sp.expand, sp.cancel)
    for reduce in (*first, _expand_trig, sp.simplify):
        try:
            if reduce(diff) == 0:
                return True
        except (TypeError, ValueError, NotImplementedError):  # pragma: no cover
            continue
    return False


def _numeric_verdict(lhs: sp.Basic, rhs: sp.Basic, seed: int) -> Verdict:
    diff = lhs - rhs
    # points for every symbol of either side: lhs - rhs may have lost some (x + 1 - x = 1)
    for point in _random_points(sp.Tuple(lhs, rhs), seed):
        d = complex(sp.N(diff.subs(point), 30))
        scale = 1.0 + abs(complex(sp.N(lhs.subs(point), 30))) + abs(complex(sp.N(rhs.subs(point))))
        if abs(d) > DEFAULT.symbolic_agreement * scale:
            shown = ", ".join(f"{k}={v}" for k, v in point.items())
            return Verdict(
                False,
                "numeric-random-points",
                f"at {shown}: lhs - rhs = {sp.N(diff.subs(point), 6)}",
            )
    return Verdict(True, "numeric-random-points")


def _compare_scalar(lhs: sp.Expr, rhs: sp.Expr, seed: int) -> Verdict:
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    if _scalar_zero(lhs - rhs):
        return Verdict(True, "symbolic")
    return _numeric_verdict(lhs, rhs, seed)


def _compare_matrix_expr(lhs: sp.MatrixExpr, rhs: sp.MatrixExpr, seed: int) -> Verdict:
    """Matrix expressions of symbolic shape (MatrixSymbol, OneMatrix, Kronecker products)."""
    if lhs.shape != rhs.shape:
        return Verdict(False, "symbolic", f"shapes differ: {lhs.shape} vs {rhs.shape}")
    diff = combine_kronecker(lhs - rhs).doit()
    for reduced in (diff, sp.expand(diff)):
        if reduced == 0 or getattr(reduced, "is_ZeroMatrix", False):
            return Verdict(True, "symbolic")
    for point in _random_points(diff, seed):
        explicit_l = sp.Matrix(lhs.subs(point).as_explicit())
        explicit_r = sp.Matrix(rhs.subs(point).as_explicit())
        verdict = compare(explicit_l, explicit_r, seed=seed)
        if not verdict.holds:
            return verdict
    return Verdict(True, "numeric-random-points")


def compare(lhs: Any, rhs: Any, *, seed: int = 0) -> Verdict:
    r"""Decide ``lhs == rhs`` for scalars, explicit matrices, tuples or matrix expressions.

    Explicit matrices and tuples are compared entry by entry (and a shape mismatch is a
    symbolic ``False``). The verdict's ``method`` is ``"symbolic"`` when every entry was
    decided by simplification, else ``"numeric-random-points"``.
    """
    if isinstance(lhs, tuple | sp.Tuple) or isinstance(rhs, tuple | sp.Tuple):
        lhs_t, rhs_t = tuple(lhs), tuple(rhs)
        if len(lhs_t) != len(rhs_t):
            return Verdict(False, "symbolic", f"lengths differ: {len(lhs_t)} vs {len(rhs_t)}")
        return _combine([compare(a, b, seed=seed) for a, b in zip(lhs_t, rhs_t, strict=True)])
    if _is_matrix(lhs) or _is_matrix(rhs):
        if not (_is_matrix(lhs) and _is_matrix(rhs)) or lhs.shape != rhs.shape:
            return Verdict(False, "symbolic", f"shapes differ: {sp.shape(lhs)} vs {sp.shape(rhs)}")
        return _combine([_compare_scalar(a, b, seed) for a, b in zip(lhs, rhs, strict=True)])
    if isinstance(lhs, sp.MatrixExpr) or isinstance(rhs, sp.MatrixExpr):
        return _compare_matrix_expr(lhs, rhs, seed)
    return _compare_scalar(lhs, rhs, seed)


def _combine(verdicts: list[Verdict]) -> Verdict:
    for v in verdicts:
        if not v.holds:
            return v
    numeric = any(v.method != "symbolic" for v in verdicts)
    return Verdict(True, "numeric-random-points" if numeric else "symbolic")


def check_equal(lhs: Any, rhs: Any) -> bool:
    """``True`` iff :func:`compare` decides ``lhs == rhs`` (either method)."""
    return compare(lhs, rhs).holds


@dataclass(frozen=True)
class Step:
    """One proof step.

    Attributes:
        description: what the paper does at this step (and any discrepancy found).
        lhs, rhs: the two sides; may be matrices, tuples or matrix expressions.
        kind: ``"algebra"`` (SymPy decided lhs == rhs), ``"lemma"`` (a cited result, lhs the
            citation and rhs what its numeric check tested) or ``"numeric"`` (not algebra: an
            inequality, a uniqueness or optimality argument; left to the numeric layer).
        holds: the computed verdict for algebra and lemma steps, ``None`` for numeric steps.
        reason: why a numeric step is not algebra.
        method: how an algebra step was decided (see :class:`Verdict`).
        counterexample: a point where an algebra step fails, if any.
    """

    description: str
    lhs: Any
    rhs: Any
    kind: str
    holds: bool | None
    reason: str = ""
    method: str = ""
    counterexample: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: both sides as SymPy strings."""
        return {
            "description": self.description,
            "kind": self.kind,
            "holds": self.holds,
            "method": self.method,
            "reason": self.reason,
            "lhs": _to_str(self.lhs),
            "rhs": _to_str(self.rhs),
            "counterexample": self.counterexample,
        }


def algebra_step(description: str, lhs: Any, rhs: Any) -> Step:
    """Build an algebra step; its verdict is computed here by :func:`compare`."""
    verdict = compare(lhs, rhs)
    return Step(
        description,
        lhs,
        rhs,
        "algebra",
        verdict.holds,
        method=verdict.method,
        counterexample=verdict.counterexample,
    )


def numeric_step(description: str, lhs: Any, rhs: Any, reason: str) -> Step:
    """Build a step that is not algebra; ``reason`` says why."""
    if not reason:
        raise ValueError(f"numeric step {description!r} needs a reason (why it is not algebra)")
    return Step(description, lhs, rhs, "numeric", None, reason=reason)


def lemma_step(description: str, citation: str, check: Callable[[], tuple[bool, str]]) -> Step:
    """A cited lemma: ``check()`` tests it numerically when the step is built and returns
    (holds, what was checked); a failing check is a counterexample to the citation's use."""
    if not citation:
        raise ValueError(f"lemma step {description!r} needs a citation")
    holds, detail = check()
    return Step(
        description,
        citation,
        detail,
        "lemma",
        bool(holds),
        reason=f"cited: {citation}",
        method="cited lemma, numeric check",
        counterexample="" if holds else detail,
    )


def _to_str(x: Any) -> str:
    if isinstance(x, tuple):
        return str(sp.Tuple(*x))
    return str(x)


def _to_latex(x: Any, limit: int = 600) -> str:
    if isinstance(x, str):
        return rf"\text{{{x}}}"
    text = sp.latex(sp.Tuple(*x) if isinstance(x, tuple) else x)
    if len(text) > limit:
        shape = getattr(x, "shape", None)
        what = f"{shape[0]}\\times {shape[1]}\\ \\text{{matrix}}" if shape else r"\text{expression}"
        return rf"{what}\ \text{{({len(text)} chars of LaTeX; see the JSON)}}"
    return text


@dataclass(frozen=True)
class Derivation:
    """The SymPy replay of one claim.

    Attributes:
        claim_id: the id in docs/CLAIMS.md, e.g. ``"theorem-III.1"``.
        title: a one-line title.
        expressions: named derived closed forms (scalars, tuples or matrix expressions).
        steps: the checked proof steps, in the paper's order.
        findings: places where the paper's statement or proof looked wrong or loose.
    """

    claim_id: str
    title: str
    expressions: dict[str, sp.Basic]
    steps: tuple[Step, ...]
    findings: tuple[str, ...] = field(default=())

    @property
    def proved(self) -> bool:
        """Every algebra step and every lemma's check holds (numeric steps do not block; they
        are reported)."""
        return all(s.holds is True for s in self.steps if s.kind in ("algebra", "lemma"))

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (expressions as ``str(expr)``)."""
        return {
            "claim_id": self.claim_id,
            "title": self.title,
            "proved": self.proved,
            "expressions": {k: _to_str(v) for k, v in self.expressions.items()},
            "steps": [s.as_dict() for s in self.steps],
            "findings": list(self.findings),
        }

    def latex(self) -> str:
        """Markdown with ```` ```math ```` blocks, as GitHub renders it."""
        status = "proved" if self.proved else "NOT proved"
        lines = [
            f"### `{self.claim_id}`: {self.title} ({status})",
            "",
            "**Derived expressions**",
            "",
        ]
        for name, expr in self.expressions.items():
            label = name.replace("_", r"\_")
            lines += ["```math", rf"\mathtt{{{label}}} = {_to_latex(expr)}", "```"]
        lines += ["", "**Steps**", ""]
        for i, s in enumerate(self.steps, 1):
            if s.kind in ("algebra", "lemma"):
                mark = "holds" if s.holds else "FAILS"
                lines.append(f"{i}. [{s.kind}, {mark}, {s.method}] {s.description}")
            else:
                lines.append(f"{i}. [numeric] {s.description} *Not algebra:* {s.reason}")
            lines += ["   ```math", f"   {_to_latex(s.lhs)} = {_to_latex(s.rhs)}", "   ```"]
            if s.counterexample:
                lines.append(f"   Counterexample: {s.counterexample}")
        if self.findings:
            lines += ["", "**Findings**", ""] + [f"- {f}" for f in self.findings]
        return "\n".join(lines) + "\n"
