r"""The few continuous and discrete parameters a drawn case is built from, and rebuilding it.

:func:`verify.strategies.cases` draws an instance from K, the counts, an encoding kind with its
scalars and an integer seed, the coupling :math:`c = K\sqrt{\bar n\lambda_W\lambda_H}`, the
ratio :math:`r = \sqrt{\lambda_W/\lambda_H}` and :math:`\lambda_b`. :class:`Params` records
those numbers (recovered from the case) so the local optimiser can move the continuous ones and
the simplification pass can try fewer classes, smaller counts and rounder numbers, rebuilding a
valid instance each time. When the encoding cannot be rebuilt from its kind (a user's case, or
a strategy that changed), the encoding matrix itself is kept fixed and only K-preserving moves
on the regularisation are made.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .. import encodings as enc
from ..errors import VerifyError
from ..instance import Instance
from ..strategies import Case, haar_orthogonal

__all__ = ["SCALARS", "Params", "build", "params_of"]

# continuous encoding scalars of each kind, as drawn by verify.strategies.encodings
SCALARS: dict[str, tuple[str, ...]] = {
    "smooth": ("delta",),
    "ssetf": ("alpha", "beta"),
    "shifted_frame": ("shift",),
}


@dataclass(frozen=True)
class Params:
    """Everything a case is built from; ``encoding`` is set only when ``kind`` cannot rebuild it."""

    kind: str
    K: int
    counts: tuple[int, ...]
    d_extra: int
    c: float
    ratio: float
    lambda_b: float
    lambda_b_mode: str = "log"
    scalars: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    rank: int = 0
    centred: bool = False
    encoding: np.ndarray | None = None
    Q: np.ndarray | None = None

    def with_(self, **changes: Any) -> Params:
        return replace(self, **changes)


def _encoding(p: Params) -> np.ndarray:
    K, kind, s = p.K, p.kind, p.scalars
    if p.encoding is not None:
        Ybar = p.encoding
    elif kind == "one_hot":
        Ybar = enc.one_hot(K)
    elif kind == "smooth":
        Ybar = enc.label_smoothing(K, s["delta"])
    elif kind == "ssetf":
        Ybar = enc.ssetf(K, s["alpha"], s["beta"], haar_orthogonal(K, p.seed))
    elif kind == "rotated_one_hot":
        Ybar = haar_orthogonal(K, p.seed)
    elif kind == "shifted_frame":
        P = haar_orthogonal(K, p.seed)
        v = np.random.default_rng(p.seed + 1).standard_normal(K)
        Ybar = P @ (np.eye(K) - np.ones((K, K)) / K) + s["shift"] * np.outer(
            v / np.linalg.norm(v), np.ones(K)
        )
    elif kind == "gaussian":
        Ybar = enc.random_encoding(K, p.seed)
    elif kind == "low_rank":
        rng = np.random.default_rng(p.seed)
        r = max(1, min(p.rank, K - 1))
        Ybar = rng.standard_normal((K, r)) @ rng.standard_normal((r, K))
    else:
        raise KeyError(kind)
    if p.centred and p.encoding is None:
        n = np.asarray(p.counts, dtype=float)
        Ybar = Ybar - np.outer(Ybar @ n / n.sum(), np.ones(K))
    return np.asarray(Ybar, dtype=np.float64)


def _drawn(p: Params) -> dict[str, Any]:
    """The ``drawn`` record of a rebuilt case, in the strategy's vocabulary."""
    drawn: dict[str, Any] = {"encoding": p.kind}
    if p.encoding is None:
        drawn.update(p.scalars)
        if p.kind == "low_rank":
            drawn["rank"] = max(1, min(p.rank, p.K - 1))
        if p.seed:
            drawn["seed"] = p.seed
        if p.centred:
            drawn["centred"] = True
    drawn["c"] = p.c
    drawn["lambda_b"] = p.lambda_b_mode
    return drawn


def build(p: Params) -> Case | None:
    """The case with parameters ``p``, or None when they make no valid instance."""
    try:
        Ybar = _encoding(p)
        nbar = sum(p.counts) / p.K
        mu = p.c / (p.K * math.sqrt(nbar))
        instance = Instance(Ybar, p.counts, p.K + p.d_extra, mu * p.ratio, mu / p.ratio, p.lambda_b)
    except (VerifyError, KeyError, ValueError, ZeroDivisionError, np.linalg.LinAlgError):
        return None
    Q = p.Q
    if Q is not None and Q.shape != (p.K, p.K):
        Q = haar_orthogonal(p.K, 0)
    return Case(instance, Q, _drawn(p))


def _mode(lambda_b: float, drawn_mode: Any) -> str:
    if lambda_b == 0:
        return "zero"
    if math.isinf(lambda_b):
        return "inf"
    return str(drawn_mode) if isinstance(drawn_mode, str) else "log"


def params_of(case: Case) -> Params:
    """The parameters of ``case``; the encoding is kept fixed when its kind cannot rebuild it."""
    inst, drawn = case.instance, case.drawn
    nbar = inst.N / inst.K
    p = Params(
        kind=str(drawn.get("encoding", "fixed")),
        K=inst.K,
        counts=inst.counts,
        d_extra=inst.d - inst.K,
        c=inst.K * math.sqrt(nbar * inst.lambda_W * inst.lambda_H),
        ratio=math.sqrt(inst.lambda_W / inst.lambda_H),
        lambda_b=inst.lambda_b,
        lambda_b_mode=_mode(inst.lambda_b, drawn.get("lambda_b")),
        scalars={k: float(drawn[k]) for k in SCALARS.get(str(drawn.get("encoding")), ())},
        seed=int(drawn.get("seed", 0)),
        rank=int(drawn.get("rank", 0)),
        centred=bool(drawn.get("centred", False)),
        Q=case.Q,
    )
    try:
        same = np.allclose(_encoding(p), inst.encoding, rtol=1e-12, atol=1e-12)
    except (VerifyError, KeyError, ValueError):
        same = False
    if not same:
        p = p.with_(kind="fixed", encoding=inst.encoding, scalars={}, seed=0, rank=0)
    return p
