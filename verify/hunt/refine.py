r"""Local refinement: maximise the worst residual over a case's continuous parameters.

From a promising case (a large residual that is not yet a counterexample), Nelder-Mead moves

- :math:`\log c` (both :math:`\lambda_W, \lambda_H` scaled together),
- :math:`\log r`, :math:`r = \sqrt{\lambda_W/\lambda_H}`,
- :math:`\log \lambda_b` (when :math:`0 < \lambda_b < \infty`),
- the encoding's scalars: label smoothing's :math:`\delta` (logit), an SSETF's :math:`\log\alpha`
  and :math:`\beta`, a shifted frame's shift,

re-solving *certified* at every evaluation (:func:`verify.claims.runner.evaluate`). Points that
make no valid instance or leave the claim's hypotheses score worst, so the search stays inside
the claim. The score is the worst residual; where the premise fails it is minus the premise's
residual (pushing towards instances where the premise holds), and an uncertified solve scores
below both. The first counterexample met ends the refinement.

A worst residual within the residual tolerance scores 0: there its value is the machine's
rounding (a solve may end on another iterate inside its certificate: 1.3e-8 on one BLAS
kernel, 3e-16 on another, for the same instance; see :mod:`verify.report.canonical`), so
climbing it would steer the simplex, the choice of the cases refined and the closest call by
the machine's floating point rather than by the claim. Ties are broken by the callers'
deterministic orders.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable

import numpy as np
from scipy.optimize import minimize

from ..claims import Claim, unmet
from ..claims.runner import evaluate
from ..claims.verdict import Outcome
from ..strategies import Case
from ..tolerances import DEFAULT, Tolerances
from .params import Params, build, params_of

__all__ = ["refine", "score", "vector"]

_INVALID = 1e6
_UNCERTIFIED = -10.0
# bounds on the optimiser's coordinates, so exp() and the logistic stay finite
_BOUNDS = {"log c": (-20.0, 5.0), "log r": (-10.0, 10.0), "log lambda_b": (-12.0, 12.0)}


def score(outcome: Outcome, resolution: float = DEFAULT.residual) -> float:
    """Larger is closer to a counterexample (see the module docstring); a worst residual at or
    below ``resolution`` (the residual tolerance) scores 0."""
    if outcome.status == "uncertified":
        return _UNCERTIFIED
    if outcome.status == "vacuous":
        return -max(outcome.premise.values(), default=1.0) if outcome.premise else -1.0
    worst = outcome.worst
    if not math.isfinite(worst):
        return 1e3
    return worst if worst > resolution else 0.0


def vector(p: Params, claim: Claim) -> tuple[list[str], np.ndarray]:
    """The names and values of the coordinates the optimiser moves for ``p``."""
    names = ["log c", "log r"]
    x = [math.log(p.c), math.log(p.ratio)]
    if 0 < p.lambda_b < math.inf and "lambda_b_zero" not in claim.hypotheses:
        names.append("log lambda_b")
        x.append(math.log(p.lambda_b))
    for key, value in sorted(p.scalars.items()):
        names.append(key)
        x.append(
            math.log(value / (1 - value))
            if key == "delta"
            else math.log(value)
            if key == "alpha"
            else value
        )
    return names, np.asarray(x, dtype=float)


def _params(p: Params, names: list[str], x: np.ndarray) -> Params:
    values = dict(zip(names, (float(v) for v in x), strict=True))
    for name, (lo, hi) in _BOUNDS.items():
        if name in values:
            values[name] = min(max(values[name], lo), hi)
    changes: dict[str, object] = {
        "c": math.exp(values["log c"]),
        "ratio": math.exp(values["log r"]),
    }
    if "log lambda_b" in values:
        changes["lambda_b"] = math.exp(values["log lambda_b"])
        changes["lambda_b_mode"] = "refined"
    scalars = dict(p.scalars)
    for key in p.scalars:
        v = values[key]
        if key == "delta":
            scalars[key] = 1 / (1 + math.exp(-min(max(v, -30.0), 30.0)))
        elif key == "alpha":
            scalars[key] = math.exp(min(max(v, -10.0), 5.0))
        elif key == "shift":
            scalars[key] = abs(v)
        else:
            scalars[key] = v
    changes["scalars"] = scalars
    return p.with_(**changes)


class _Stop(Exception):
    pass


def refine(
    claim: Claim,
    case: Case,
    budget: int,
    tol: Tolerances,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> Outcome | None:
    """Nelder-Mead on the case's parameters for at most ``budget`` certified evaluations;
    returns the first counterexample met, or None."""
    p0 = params_of(case)
    names, x0 = vector(p0, claim)
    found: list[Outcome] = []
    spent = [0, 0]  # evaluations, invalid points

    def objective(x: np.ndarray) -> float:
        if spent[0] >= budget or spent[1] >= 5 * budget:
            raise _Stop
        candidate = build(_params(p0, names, x))
        if candidate is None or unmet(candidate.instance, claim.hypotheses, tol):
            spent[1] += 1
            return _INVALID
        spent[0] += 1
        outcome = evaluate(claim, candidate, tol, "exact")
        if on_outcome is not None:
            on_outcome(outcome)
        if outcome.status == "counterexample":
            found.append(outcome)
            raise _Stop
        return -score(outcome, tol.residual)

    steps = np.full(len(x0), 0.5)
    simplex = np.vstack([x0, x0 + np.diag(steps)])
    with contextlib.suppress(_Stop):
        minimize(
            objective,
            x0,
            method="Nelder-Mead",
            options={
                "initial_simplex": simplex,
                "maxfev": 10 * budget,
                "xatol": 1e-6,
                "fatol": 1e-14,
            },
        )
    return found[0] if found else None
