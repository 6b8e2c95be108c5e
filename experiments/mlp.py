r"""A 2-layer MLP in numpy, trained on the UFM's objective with manual backprop and full-batch Adam.

The network maps inputs :math:`X \in \mathbb{R}^{p\times N}` to last-layer features and scores

.. math::

    H = A_2\,\mathrm{relu}(A_1 X + a_1 1^\top) + a_2 1^\top \in \mathbb{R}^{d\times N}, \qquad
    \text{scores} = W H + b 1^\top \in \mathbb{R}^{K\times N}.

The features are linear in the hidden layer (no ReLU on H): the UFM's features are unconstrained
in sign, and a simplex ETF needs negative cosines. The training objective is the UFM objective
evaluated at the network's (W, H, b), plus an optional weight decay on the backbone:

.. math::

    F = \frac{1}{2N}\|WH + b1^\top - Y\|_F^2 + \frac{\lambda_W}{2}\|W\|_F^2
        + \frac{\lambda_H}{2}\|H\|_F^2 + \frac{\lambda_b}{2}\|b\|_2^2
        + \frac{\lambda_\theta}{2}(\|A_1\|_F^2 + \|A_2\|_F^2).

With :math:`\lambda_\theta = 0` (the default) F *is* the UFM objective at a point the UFM can
also take (its H is free), so :math:`F \ge f^\star`, the certified global minimum, always.

Gradients, with :math:`R = (WH + b1^\top - Y)/N`, :math:`P = A_1X + a_1 1^\top`,
:math:`Z = \mathrm{relu}(P)`:
:math:`\partial_W = RH^\top + \lambda_W W`, :math:`\partial_b = R1 + \lambda_b b`,
:math:`\partial_H = W^\top R + \lambda_H H`, :math:`\partial_{A_2} = \partial_H Z^\top +
\lambda_\theta A_2`, :math:`\partial_{a_2} = \partial_H 1`,
:math:`\partial_P = (A_2^\top \partial_H) \odot 1[P > 0]`,
:math:`\partial_{A_1} = \partial_P X^\top + \lambda_\theta A_1`, :math:`\partial_{a_1} = \partial_P 1`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "ADAM_BETA1",
    "ADAM_BETA2",
    "ADAM_EPS",
    "Lambdas",
    "Network",
    "TrainResult",
    "gradients",
    "init_network",
    "train",
]

ADAM_BETA1 = 0.9
ADAM_BETA2 = 0.999
# Adam's denominator floor; small, since the gradients near a minimiser are small too
ADAM_EPS = 1e-12
PARAMETERS = ("A1", "a1", "A2", "a2", "W", "b")


@dataclass(frozen=True)
class Lambdas:
    """The regularisation: lambda_W, lambda_H > 0, lambda_b >= 0 (finite), lambda_theta >= 0."""

    lambda_W: float
    lambda_H: float
    lambda_b: float
    lambda_theta: float = 0.0

    def __post_init__(self) -> None:
        for name in ("lambda_W", "lambda_H", "lambda_b", "lambda_theta"):
            value = getattr(self, name)
            positive = name in ("lambda_W", "lambda_H")
            if not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{name}={value!r}: must be a finite real number")
            if value < 0 or (positive and value == 0):
                raise ValueError(f"{name}={value!r}: must be {'> 0' if positive else '>= 0'}")


@dataclass(eq=False)
class Network:
    """Parameters: A1 (m, p), a1 (m, 1), A2 (d, m), a2 (d, 1), W (K, d), b (K, 1)."""

    A1: np.ndarray
    a1: np.ndarray
    A2: np.ndarray
    a2: np.ndarray
    W: np.ndarray
    b: np.ndarray

    def arrays(self) -> list[np.ndarray]:
        return [getattr(self, name) for name in PARAMETERS]

    def features(self, X: np.ndarray) -> np.ndarray:
        """Last-layer features H (d, N) of inputs X (p, N)."""
        return self.A2 @ np.maximum(self.A1 @ X + self.a1, 0.0) + self.a2

    def scores(self, X: np.ndarray) -> np.ndarray:
        return self.W @ self.features(X) + self.b


def init_network(rng: np.random.Generator, p: int, width: int, d: int, K: int) -> Network:
    """He initialisation for the ReLU layer, 1/fan-in variance for the linear ones, zero biases."""
    for name, value in (("p", p), ("width", width), ("d", d), ("K", K)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name}={value!r}: must be a positive integer")
    if d < K:
        raise ValueError(f"d={d}: the feature dimension must be >= K={K}, as in the UFM")
    return Network(
        A1=rng.normal(0.0, math.sqrt(2.0 / p), (width, p)),
        a1=np.zeros((width, 1)),
        A2=rng.normal(0.0, math.sqrt(1.0 / width), (d, width)),
        a2=np.zeros((d, 1)),
        W=rng.normal(0.0, math.sqrt(1.0 / d), (K, d)),
        b=np.zeros((K, 1)),
    )


def gradients(
    net: Network, X: np.ndarray, Y: np.ndarray, lam: Lambdas
) -> tuple[float, list[np.ndarray], np.ndarray]:
    """Objective F, its gradients (in the order of ``PARAMETERS``) and the features H."""
    N = X.shape[1]
    P = net.A1 @ X + net.a1
    Z = np.maximum(P, 0.0)
    H = net.A2 @ Z + net.a2
    R = (net.W @ H + net.b - Y) / N
    F = (
        0.5 * N * float(np.sum(R * R))
        + 0.5 * lam.lambda_W * float(np.sum(net.W**2))
        + 0.5 * lam.lambda_H * float(np.sum(H**2))
        + 0.5 * lam.lambda_b * float(np.sum(net.b**2))
        + 0.5 * lam.lambda_theta * float(np.sum(net.A1**2) + np.sum(net.A2**2))
    )
    dH = net.W.T @ R + lam.lambda_H * H
    dP = (net.A2.T @ dH) * (P > 0)
    grads = [
        dP @ X.T + lam.lambda_theta * net.A1,
        dP.sum(axis=1, keepdims=True),
        dH @ Z.T + lam.lambda_theta * net.A2,
        dH.sum(axis=1, keepdims=True),
        R @ H.T + lam.lambda_W * net.W,
        R.sum(axis=1, keepdims=True) + lam.lambda_b * net.b,
    ]
    return F, grads, H


@dataclass
class TrainResult:
    """The trained network and its record: every ``record_every`` iterations (and the last),
    the iteration, the objective F and the training error (fraction of argmax mistakes)."""

    net: Network
    iterations: list[int] = field(default_factory=list)
    objective: list[float] = field(default_factory=list)
    train_error: list[float] = field(default_factory=list)

    @property
    def first_zero_error(self) -> int | None:
        """The first recorded iteration with zero training error (None if never)."""
        return next(
            (i for i, e in zip(self.iterations, self.train_error, strict=True) if e == 0.0), None
        )


def train(
    net: Network,
    X: np.ndarray,
    labels: np.ndarray,
    Y: np.ndarray,
    lam: Lambdas,
    *,
    iterations: int,
    learning_rate: float,
    record_every: int = 100,
    progress: Callable[[int, float, float], None] | None = None,
) -> TrainResult:
    r"""Full-batch Adam on F for ``iterations`` steps, the step size decayed by a cosine from
    ``learning_rate`` to 0: :math:`\eta_t = \eta (1 + \cos(\pi t / T))/2`. Updates ``net`` in
    place and returns it with the record; ``progress(t, F, error)`` is called at each record.
    """
    if not isinstance(iterations, int) or iterations < 1:
        raise ValueError(f"iterations={iterations!r}: must be a positive integer")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate={learning_rate!r}: must be > 0")
    if not isinstance(record_every, int) or record_every < 1:
        raise ValueError(f"record_every={record_every!r}: must be a positive integer")
    params = net.arrays()
    first = [np.zeros_like(p) for p in params]
    second = [np.zeros_like(p) for p in params]
    result = TrainResult(net)
    for t in range(iterations + 1):
        F, grads, H = gradients(net, X, Y, lam)
        if t % record_every == 0 or t == iterations:
            error = float(np.mean(np.argmax(net.W @ H + net.b, axis=0) != labels))
            result.iterations.append(t)
            result.objective.append(F)
            result.train_error.append(error)
            if progress is not None:
                progress(t, F, error)
        if t == iterations:
            break
        step = learning_rate * 0.5 * (1.0 + math.cos(math.pi * t / iterations))
        c1, c2 = 1.0 - ADAM_BETA1 ** (t + 1), 1.0 - ADAM_BETA2 ** (t + 1)
        for p, g, m, v in zip(params, grads, first, second, strict=True):
            m *= ADAM_BETA1
            m += (1.0 - ADAM_BETA1) * g
            v *= ADAM_BETA2
            v += (1.0 - ADAM_BETA2) * g * g
            p -= step * (m / c1) / (np.sqrt(v / c2) + ADAM_EPS)
    return result
