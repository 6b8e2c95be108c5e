"""Readable, JSON-ready records of what a hunt evaluated: instances, coverage, closest calls."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..claims.verdict import Outcome
from ..geometry import ssetf_fit
from ..io import to_jsonable
from ..tolerances import DEFAULT
from .params import params_of

__all__ = ["coverage", "record", "text"]


def record(outcome: Outcome, **extra: Any) -> dict[str, Any]:
    """An evaluated instance in readable form: the instance (as ``Instance.to_dict``), its one-line
    description, how it was drawn, c and the phase threshold, residuals, status, and the
    relative duality gaps of the certified solves behind it."""
    inst = outcome.case.instance
    p = params_of(outcome.case)
    data: dict[str, Any] = {
        "status": outcome.status,
        "describe": outcome.case.describe(),
        "instance": inst.to_dict(),
        "N": inst.N,
        "c": p.c,
        "c_is_balanced_c": inst.c is not None,
        "ratio": p.ratio,
        "lambda_b_mode": p.lambda_b_mode,
        "threshold": inst.threshold,
        "drawn": dict(outcome.case.drawn),
        "residuals": dict(outcome.residuals),
        "worst_residual": outcome.worst if outcome.residuals else None,
        "premise": outcome.premise,
        "relative_gaps": list(outcome.gaps),
        "reason": outcome.reason,
    }
    if outcome.case.Q is not None:
        data["Q"] = outcome.case.Q.tolist()
    data.update(extra)
    return to_jsonable(data)


def _span(values: list[float]) -> list[float] | None:
    finite = [v for v in values if math.isfinite(v)]
    return [min(finite), max(finite)] if finite else None


def _tally(values: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))


def _alpha(Ybar: np.ndarray) -> float:
    K = Ybar.shape[0]
    return ssetf_fit(Ybar).alpha or float(np.linalg.norm(Ybar) / math.sqrt(K)) or 1.0


def coverage(outcomes: list[Outcome]) -> dict[str, Any]:
    """The region a hunt visited: ranges of K, N, d, c, the lambda ratio and finite lambda_b;
    tallies of lambda_b modes, encoding kinds, balanced versus imbalanced counts, c against the
    encoding's scale alpha (c >= alpha is where the class means collapse), and statuses."""
    params = [params_of(o.case) for o in outcomes]
    insts = [o.case.instance for o in outcomes]
    lam = [i.lambda_b for i in insts]
    regimes = []
    for p, i in zip(params, insts, strict=True):
        a = _alpha(i.encoding)
        regimes.append(
            "c < alpha"
            if p.c < a * (1 - 1e-3)
            else "c ~ alpha (within 0.1%)"
            if p.c <= a * (1 + 1e-3)
            else "c > alpha"
        )
    return {
        "instances": len(outcomes),
        "K": _span([i.K for i in insts]),
        "N": _span([i.N for i in insts]),
        "d": _span([i.d for i in insts]),
        "c": _span([p.c for p in params]),
        "lambda_ratio": _span([p.ratio**2 for p in params]),
        "lambda_b_finite_positive": _span([x for x in lam if 0 < x < math.inf]),
        "lambda_b": _tally(
            ["0" if x == 0 else "inf" if math.isinf(x) else "finite > 0" for x in lam]
        ),
        "lambda_b_modes": _tally([p.lambda_b_mode for p in params]),
        "encodings": _tally([p.kind for p in params]),
        "counts": _tally(["balanced" if i.balanced else "imbalanced" for i in insts]),
        "c_vs_alpha": _tally(regimes),
        "statuses": _tally([o.status for o in outcomes]),
    }


def premise_line(premise: dict[str, float], tol: float = DEFAULT.residual) -> str:
    """A premise in words: each key names what must hold, and holds when its residual is at
    most the tolerance (the convention of every residual)."""
    failed = [k for k, v in premise.items() if not v <= tol]
    if not failed:
        return "premise: holds (" + "; ".join(premise) + ")"
    return "premise: fails (" + "; ".join(failed) + ")"


def text(outcome: Outcome, indent: str = "") -> str:
    """An evaluated instance as readable lines: description, encoding, residuals, certificate."""
    lines = [outcome.case.describe()]
    with np.printoptions(precision=5, suppress=True):
        lines += ["encoding Ybar:"] + [
            "  " + row for row in str(outcome.case.instance.encoding).splitlines()
        ]
    if outcome.residuals:
        lines.append(
            "residuals: " + ", ".join(f"{k} = {v:.3e}" for k, v in outcome.residuals.items())
        )
    if outcome.premise:
        lines.append("premise: " + ", ".join(f"{k} = {v:.3e}" for k, v in outcome.premise.items()))
    if outcome.reason:
        lines.append(f"reason: {outcome.reason}")
    lines.append(
        "certificate: relative duality gap(s) "
        + (", ".join(f"{g:.1e}" for g in outcome.gaps) or "-")
    )
    return "\n".join(indent + line for line in lines)
