"""Named hypotheses: machine-checkable conditions on an :class:`~verify.instance.Instance`.

A claim lists the names of its hypotheses; the strategies in :mod:`verify.strategies` build
instances that satisfy any chosen set of them, and a hunt can relax (drop) one by name to
test whether the claim survives without it. Every drawn instance is re-checked against these
predicates, so a strategy cannot silently draw outside a claim's hypotheses.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import UnknownName
from ..geometry import ssetf_fit, weighted_frame_residual
from ..instance import Instance
from ..regimes import weighted_encoding, weights
from ..tolerances import DEFAULT, Tolerances

__all__ = ["HYPOTHESES", "Hypothesis", "hypothesis"]


@dataclass(frozen=True)
class Hypothesis:
    name: str
    statement: str  # LaTeX
    holds: Callable[[Instance, Tolerances], bool]


def _c_below_alpha(instance: Instance, tol: Tolerances) -> bool:
    c = instance.c
    return c is not None and c < ssetf_fit(instance.encoding, tol).alpha


def _u_ssetf(instance: Instance, tol: Tolerances) -> bool:
    M = weighted_encoding(instance.encoding, instance.counts)
    return weighted_frame_residual(M, weights(instance.counts), tol) <= tol.hypothesis


def _label_smoothing(instance: Instance, tol: Tolerances) -> bool:
    """Ybar = (1 - delta) I + (delta/K) 1 1^T for some 0 <= delta < 1 (one-hot is delta = 0)."""
    Y, K = instance.encoding, instance.K
    delta = float(Y[1, 0]) * K
    smooth = (1 - delta) * np.eye(K) + delta / K * np.ones((K, K))
    return 0 <= delta < 1 and float(np.max(np.abs(Y - smooth))) <= tol.hypothesis


HYPOTHESES: dict[str, Hypothesis] = {
    h.name: h
    for h in (
        Hypothesis("balanced", r"$n_1 = \dots = n_K = n$", lambda i, t: i.balanced),
        Hypothesis("one_hot", r"$\bar Y = I_K$", lambda i, t: i.one_hot(t)),
        Hypothesis(
            "c_below_1",
            r"$c = K\sqrt{n\lambda_W\lambda_H} < 1$",
            lambda i, t: (i.c or math.inf) < 1,
        ),
        Hypothesis("labels_centred", r"$Y 1_N = 0$", lambda i, t: i.labels_centred(t)),
        Hypothesis("ssetf_encoding", r"$\bar Y$ is an SSETF", lambda i, t: i.ssetf_encoding(t)),
        Hypothesis("lambda_b_zero", r"$\lambda_b = 0$", lambda i, t: i.lambda_b == 0),
        Hypothesis("lambda_b_positive", r"$\lambda_b > 0$", lambda i, t: i.lambda_b > 0),
        Hypothesis(
            "lambda_b_inf",
            r"$\lambda_b = \infty$ (the bias-free UFM)",
            lambda i, t: math.isinf(i.lambda_b),
        ),
        Hypothesis(
            "c_below_alpha",
            r"$c < \alpha$, the scale of the encoding's SSETF fit $\bar Y \approx \alpha P(I-\beta J)$",
            _c_below_alpha,
        ),
        Hypothesis(
            "u_ssetf_encoding",
            r"$\bar Y D^{1/2} = aQ(I - \beta uu^\top)$, $u = D^{1/2}1/\sqrt N$ (an SSETF with respect to the counts)",
            _u_ssetf,
        ),
        Hypothesis(
            "cross_entropy",
            r"the loss is cross-entropy on soft targets, $l(z, y) = \log\sum_j e^{z_j} - y^\top z$",
            lambda i, t: i.loss.name == "ce",
        ),
        Hypothesis(
            "label_smoothing",
            r"$\bar Y = (1-\delta)I_K + \frac{\delta}{K}11^\top$, $0 \le \delta < 1$",
            _label_smoothing,
        ),
    )
}


def hypothesis(name: str) -> Hypothesis:
    if name not in HYPOTHESES:
        raise UnknownName("hypothesis", name, list(HYPOTHESES))
    return HYPOTHESES[name]


def unmet(
    instance: Instance, names: frozenset[str] | tuple[str, ...], tol: Tolerances = DEFAULT
) -> list[str]:
    """The names among ``names`` that ``instance`` does not satisfy."""
    return [n for n in names if not hypothesis(n).holds(instance, tol)]
