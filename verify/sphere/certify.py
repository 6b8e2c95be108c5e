r"""Certified refutations of sphere claims, and the regimes a sphere search covers.

The claim runner (:mod:`verify.claims.runner`) confirms a UFM counterexample by re-solving the
UFM with a second engine; a sphere claim has no UFM to solve. Its counterexample is a *feasible
point* whose loss lies below a claimed optimum, and it is confirmed here, through the runner's
hook (a claim's ``confirm_counterexample`` and ``regime_coverage``, which
:class:`~verify.sphere.claim.SphereClaim` supplies):

1. The claim is evaluated again at ``Tolerances.sphere_digits + 30`` digits while
   :func:`recording`: every time a conclusion finds a feasible point below a claimed optimum
   (:func:`verify.sphere.checks.below`), the point and the claimed optimum's own point (NC on
   the exact simplex ETF, the orthogonal frame, a class-structured point with multiplicities)
   are recorded as a :class:`Witness`.
2. Each witness is re-evaluated independently of both the float64 code
   (:mod:`verify.sphere.losses`) and the 50-digit code (:mod:`verify.sphere.exact`): in interval
   arithmetic (``mpmath.iv``, :data:`INTERVAL_BITS` bits), from the cosines, which are formed
   from the point's float64 coordinates taken as the exact binary rationals they are (the point
   is the normalised rational point, feasible exactly), or, for a frame, from its exact rational
   Gram. Every rounding widens the interval, so the enclosures are rigorous.
3. The counterexample is *confirmed* when some witness's enclosures are disjoint with a gap,
   (lower end of the claimed optimum) - (upper end of the point's loss), of at least
   ``Tolerances.refute`` relative to max(1, |claimed|). When the conclusion recorded no witness
   at all (its failing residual is of another kind: a bound not attained, say), the
   counterexample is confirmed when the finer re-evaluation reproduces it above ``refute``;
   when it recorded witnesses, one of them must be certified (conservative: a failing residual
   of another kind beside uncertified witnesses is not confirmed).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import mpmath
import numpy as np
from mpmath import iv

from ..claims.runner import evaluate
from ..claims.verdict import Outcome
from ..strategies import Case
from ..tolerances import DEFAULT, Tolerances
from .exact import precision

if TYPE_CHECKING:
    from .claim import SphereClaim
    from .model import SphereProblem

__all__ = [
    "INTERVAL_BITS",
    "FramePoint",
    "RowsPoint",
    "Witness",
    "confirm_counterexample",
    "interval_loss",
    "recording",
    "regime_coverage",
]

#: working precision of the interval re-evaluation
INTERVAL_BITS = 200


@dataclass(frozen=True)
class RowsPoint:
    """A point given by float64 rows (normalised exactly): prototypes W (or None, SupCon) and
    features H, row j standing for ``m[j]`` samples of class ``labels[j]``."""

    W: np.ndarray | None
    H: np.ndarray
    labels: tuple[int, ...]
    m: tuple[int, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "rows",
            "W": None if self.W is None else np.asarray(self.W).tolist(),
            "H": np.asarray(self.H).tolist(),
            "labels": list(self.labels),
            "multiplicities": list(self.m),
        }


@dataclass(frozen=True)
class FramePoint:
    """Neural collapse on a frame given by its exact Gram: h_i = w_{y_i}, w_k^T w_l = gram[k][l]
    (rationals), ``counts[k]`` samples of class k (every sample its own row when evaluated)."""

    name: str
    gram: tuple[tuple[Fraction, ...], ...]
    counts: tuple[int, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "frame",
            "name": self.name,
            "gram": [[str(x) for x in row] for row in self.gram],
            "counts": list(self.counts),
        }


def simplex_etf_point(counts: Sequence[int]) -> FramePoint:
    """NC on the simplex ETF, exactly: cosines 1 and -1/(K-1)."""
    K = len(counts)
    off = Fraction(-1, K - 1)
    gram = tuple(tuple(Fraction(1) if k == j else off for j in range(K)) for k in range(K))
    return FramePoint("simplex ETF", gram, tuple(int(c) for c in counts))


def orthogonal_frame_point(counts: Sequence[int]) -> FramePoint:
    """NC on the orthogonal frame, exactly: cosines 1 and 0."""
    K = len(counts)
    gram = tuple(tuple(Fraction(int(k == j)) for j in range(K)) for k in range(K))
    return FramePoint("orthogonal frame", gram, tuple(int(c) for c in counts))


Point = RowsPoint | FramePoint


@dataclass(frozen=True)
class Witness:
    """A feasible point claimed to lie below the claimed optimum, which is the loss at ``claimed``."""

    loss: str
    tau: float
    found: Point
    claimed: Point


_RECORDERS: list[list[Witness]] = []


@contextmanager
def recording() -> Iterator[list[Witness]]:
    """Inside the block, :func:`record` appends to the list yielded."""
    out: list[Witness] = []
    _RECORDERS.append(out)
    try:
        yield out
    finally:
        _RECORDERS.pop()


def record(witness: Witness) -> None:
    if _RECORDERS:
        _RECORDERS[-1].append(witness)


# --- interval arithmetic, from the cosines ---------------------------------------------------


def _iv_rows(X: np.ndarray) -> list[list[Any]]:
    """The rows normalised in interval arithmetic (each float64 entry is exact in an interval)."""
    out = []
    for row in np.asarray(X, dtype=float):
        x = [iv.mpf(float(v)) for v in row]
        norm = iv.sqrt(sum((v * v for v in x), iv.mpf(0)))
        out.append([v / norm for v in x])
    return out


def _iv_dot(a: list[Any], b: list[Any]) -> Any:
    return sum((x * y for x, y in zip(a, b, strict=True)), iv.mpf(0))


def _cosines(point: Point, prototypes: bool) -> tuple[list[list[Any]], list[int], list[int]]:
    """(C, labels, m): C[k][j] = w_k^T h_j (prototype losses) or h_i^T h_j (SupCon)."""
    if isinstance(point, FramePoint):  # every sample its own row: no reduction is used
        K = len(point.gram)
        g = [[iv.mpf(x.numerator) / x.denominator for x in row] for row in point.gram]
        y = [k for k in range(K) for _ in range(point.counts[k])]
        C = (
            [[g[k][j] for j in y] for k in range(K)]
            if prototypes
            else [[g[i][j] for j in y] for i in y]
        )
        return C, y, [1] * len(y)
    h = _iv_rows(point.H)
    if prototypes:
        assert point.W is not None
        w = _iv_rows(point.W)
        C = [[_iv_dot(wk, hj) for hj in h] for wk in w]
    else:
        C = [[_iv_dot(hi, hj) for hj in h] for hi in h]
    return C, list(point.labels), list(point.m)


def interval_loss(loss: str, point: Point, tau: float) -> Any:
    """An interval enclosing the loss at the (exactly normalised) point, from its cosines."""
    old = iv.prec
    iv.prec = INTERVAL_BITS
    try:
        return _interval_loss(loss, point, iv.mpf(float(tau)))
    finally:
        iv.prec = old


def _interval_loss(loss: str, point: Point, t: Any) -> Any:
    C, y, m = _cosines(point, loss != "supcon")
    rows = range(len(y))
    total = sum(m)
    acc = iv.mpf(0)
    if loss == "supcon":  # C[i][a] = h_i^T h_a; anchor i sees m_a copies of a, itself excluded
        size = {c: sum(m[j] for j in rows if y[j] == c) for c in set(y)}
        for i in rows:
            copies = [m[a] - (a == i) for a in rows]
            pos = sum((copies[a] * C[i][a] for a in rows if y[a] == y[i]), iv.mpf(0))
            den = sum((copies[a] * iv.exp(C[i][a] / t) for a in rows if copies[a]), iv.mpf(0))
            acc += m[i] * (iv.log(den) - pos / ((size[y[i]] - 1) * t))
        return acc / total
    K = len(C)
    for i in rows:
        c = y[i]
        per_class = [iv.exp(C[k][i] / t) for k in range(K)]  # sample i against every prototype
        other_classes = sum((per_class[k] for k in range(K) if k != c), iv.mpf(0))
        own_row = [m[j] * iv.exp(C[c][j] / t) for j in rows]  # its prototype against the samples
        other_samples = sum((own_row[j] for j in rows if y[j] != c), iv.mpf(0))
        den = {
            "normface": per_class[c] + other_classes,
            "ntce": other_samples + sum((own_row[j] for j in rows if y[j] == c), iv.mpf(0)),
            "nonl": other_samples,
            "nonl-per-sample": other_classes,
            "nonl-bidirectional": other_classes + other_samples,
        }[loss]
        acc += m[i] * (iv.log(den) - C[c][i] / t)
    return acc / total


def _ends(x: Any) -> tuple[mpmath.mpf, mpmath.mpf]:
    """The endpoints of an interval, exactly (at the interval's own precision)."""
    with mpmath.workprec(INTERVAL_BITS):
        lo, hi = x._mpi_
        return mpmath.mpf(lo), mpmath.mpf(hi)


def _text(x: mpmath.mpf) -> str:
    with mpmath.workprec(INTERVAL_BITS):
        return str(mpmath.nstr(x, 60))


def certified_gap(witness: Witness) -> tuple[dict[str, Any], mpmath.mpf]:
    """The witness's enclosures and the certain relative gap, (claimed low end - found high
    end) / max(1, |claimed|), as a record and as the gap's lower end (exact): a gap <= 0
    certifies nothing."""
    found = _ends(interval_loss(witness.loss, witness.found, witness.tau))
    claimed = _ends(interval_loss(witness.loss, witness.claimed, witness.tau))
    old = iv.prec
    iv.prec = INTERVAL_BITS
    try:
        scale = iv.mpf(max(1.0, abs(float(claimed[0]))))
        gap = _ends((iv.mpf(claimed[0]) - iv.mpf(found[1])) / scale)[0]
    finally:
        iv.prec = old
    record_ = {
        "found": [_text(found[0]), _text(found[1])],
        "claimed": [_text(claimed[0]), _text(claimed[1])],
        "relative_gap": float(gap),
    }
    return record_, gap


def confirm_counterexample(
    claim: SphereClaim, case: Case, tol: Tolerances = DEFAULT
) -> dict[str, Any]:
    """The runner's confirmation for a sphere claim (see the module docstring)."""
    digits = tol.sphere_digits + 30
    with precision(digits), recording() as witnesses:
        again = evaluate(claim, case, tol)
    record_: dict[str, Any] = {
        "method": "finer re-evaluation, then interval arithmetic (mpmath.iv) at every "
        "recorded point",
        "digits": digits,
        "status": again.status,
        "worst_residual": again.worst,
        "interval_bits": INTERVAL_BITS,
    }
    if again.status != "counterexample":
        why = f"at {digits} digits the claim's outcome is {again.status}"
        return {"confirmed": False, **record_, "why": why}
    if not witnesses:
        return {"confirmed": True, **record_, "certificate": None,
                "why": f"reproduced at {digits} digits (no point is claimed below an optimum)"}  # fmt: skip
    checked = []
    for w in witnesses:
        found, gap = certified_gap(w)
        checked.append({"loss": w.loss, "tau": w.tau, **found,
                        "point": w.found.as_dict(), "claimed_point": w.claimed.as_dict()})  # fmt: skip
        if gap >= tol.refute:
            return {"confirmed": True, **record_, "certificate": checked[-1],
                    "why": "a feasible point certainly below the claimed optimum (interval "
                    f"arithmetic, gap {checked[-1]['relative_gap']:.3e})"}  # fmt: skip
    best = max(c["relative_gap"] for c in checked)
    why = (
        f"interval arithmetic certifies no recorded point below the claimed optimum by "
        f"refute={tol.refute:.0e} (best certain gap {best:.2e})"
    )
    return {"confirmed": False, **record_, "certificate": None, "checked": checked, "why": why}


# --- coverage -------------------------------------------------------------------------------

#: below this temperature the landscape is flat to e^{-2/tau} and local search is hardest
SMALL_TAU = 0.2


def label(case: Case) -> dict[str, str]:
    """The sphere regime of a case: K, the counts, d against K, the temperature."""
    inst = case.instance
    K, counts = inst.K, inst.counts
    ratio = max(counts) / min(counts)
    return {
        "K": "K = 2" if K == 2 else "K >= 3",
        "counts": "balanced" if ratio == 1 else ("imbalanced" if ratio < 10 else ">= 10:1"),
        "d": "d = K" if inst.d == K else "d > K",
        "tau": f"tau < {SMALL_TAU}" if case.drawn["tau"] < SMALL_TAU else f"tau >= {SMALL_TAU}",
    }


def allowed(claim: SphereClaim) -> dict[str, tuple[str, ...]]:
    """The regimes the claim's strategy draws from (an Instance has d >= K)."""
    if claim.ratio > 1:
        counts: tuple[str, ...] = ("imbalanced",) if claim.ratio < 10 else (">= 10:1",)
    elif claim.balanced_only:
        counts = ("balanced",)
    else:
        counts = ("balanced", "imbalanced") + (
            (">= 10:1",) if claim.max_n >= 10 * claim.min_n else ()
        )
    return {
        "K": ("K = 2",) + (("K >= 3",) if claim.max_K >= 3 else ()),
        "counts": counts,
        "d": ("d = K",) + (("d > K",) if claim.max_extra_d > 0 else ()),
        "tau": (f"tau < {SMALL_TAU}", f"tau >= {SMALL_TAU}"),
    }


_REACHED = ("holds", "counterexample", "unconfirmed", "between", "vacuous")


def regime_coverage(claim: SphereClaim, outcomes: list[Outcome]) -> dict[str, Any]:
    """The runner's coverage for a sphere claim: its own regimes, in the runner's format."""
    from .. import regimes

    want = allowed(claim)
    per: dict[str, dict[str, int]] = {
        f"{axis}: {v}": {"judged": 0, "vacuous": 0} for axis, values in want.items() for v in values
    }
    reached = []
    for o in outcomes:
        if o.status not in _REACHED or "tau" not in o.case.drawn:
            continue
        labels = label(o.case)
        reached.append(labels)
        for axis, value in labels.items():
            cell = per.setdefault(f"{axis}: {value}", {"judged": 0, "vacuous": 0})
            cell["vacuous" if o.status == "vacuous" else "judged"] += 1
    n_reached, n_allowed, missing = regimes.coverage(reached, want)
    return {
        "reached": n_reached,
        "allowed": n_allowed,
        "missing": missing,
        "premise_never_held": [k for k, c in per.items() if c["vacuous"] and not c["judged"]],
        "regimes": per,
        "axes": "sphere (K, counts, d, tau)",
    }


def problem_point(
    p: SphereProblem, W: np.ndarray | None, H: np.ndarray, reduced: bool
) -> RowsPoint:
    """A point of the full problem as rows, one per sample: a reduced point (K class rows) is
    lifted (h_i = g_{y_i}), so the certificate never rests on the reduction identity."""
    H = np.asarray(H)[p.labels] if reduced else np.asarray(H)
    return RowsPoint(W, H, tuple(int(y) for y in p.labels), (1,) * p.N)


__all__ += ["orthogonal_frame_point", "problem_point", "simplex_etf_point"]
