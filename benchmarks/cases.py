"""The benchmark instances, as small JSON-able specs, and how to build them.

A spec names the size (K, N), the class counts (balanced, or imbalanced from a seed), the
encoding (one-hot or Gaussian from a seed) and lambda_b (0, the phase threshold c/(1-c), a
large value, or inf). lambda_W = lambda_H = lambda is chosen so that c = K sqrt(n lambda_W
lambda_H) = 0.3 with n = N/K: every instance has a nonzero minimiser and the threshold is finite.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from verify.encodings import label_smoothing, one_hot, random_encoding
from verify.instance import Instance

#: c = K sqrt(n) lambda for every instance (below 1, so the minimiser is nonzero).
C_TARGET = 0.3
#: The "large" lambda_b, far above every threshold c/(1-c) = 0.43 used here.
LARGE_LAMBDA_B = 100.0


def spec(
    K: int,
    N: int,
    *,
    balanced: bool = True,
    encoding: str = "one_hot",
    lambda_b: float | str = 0.0,
    seed: int = 0,
    loss: str = "mse",
) -> dict[str, Any]:
    """A case spec; ``lambda_b`` is a number, "threshold", "large" or "inf"; ``encoding``
    "one_hot", "random" (Gaussian), or for cross-entropy "smooth" (label smoothing 0.1) or
    "stochastic" (random columns on the simplex); ``loss`` "mse" or "ce" (written into the
    spec only when it is not MSE, so the MSE specs and their JSON are unchanged)."""
    if N % K and balanced:
        raise ValueError(f"balanced needs K | N, got K={K}, N={N}")
    out: dict[str, Any] = {
        "K": K,
        "N": N,
        "balanced": balanced,
        "encoding": encoding,
        "lambda_b": lambda_b,
        "seed": seed,
    }
    if loss != "mse":
        out["loss"] = loss
    return out


def name(s: dict[str, Any]) -> str:
    """A short readable label, e.g. ``K=4 N=40 bal one-hot lb=thr``."""
    lb = s["lambda_b"]
    words = {"threshold": "thr", "large": f"{LARGE_LAMBDA_B:g}", "inf": "inf"}
    lb_text = words[lb] if isinstance(lb, str) else f"{lb:g}"
    enc = {"one_hot": "one-hot", "smooth": "smooth", "stochastic": "stochastic"}.get(
        s["encoding"], "random"
    )
    loss = f" {s['loss']}" if s.get("loss", "mse") != "mse" else ""
    return f"K={s['K']} N={s['N']} {'bal' if s['balanced'] else 'imbal'} {enc} lb={lb_text}{loss}"


def _counts(K: int, N: int, balanced: bool, seed: int) -> tuple[int, ...]:
    if balanced:
        return (N // K,) * K
    # imbalanced: proportions from 1 to 10 (a 10:1 ratio), rounded to sum to N
    weights = np.random.default_rng(seed).uniform(1.0, 10.0, size=K)
    counts = np.maximum(1, np.floor(weights / weights.sum() * N).astype(int))
    counts[np.argmax(counts)] += N - int(counts.sum())
    return tuple(int(n) for n in counts)


def _encoding(kind: str, K: int, seed: int) -> np.ndarray:
    if kind == "one_hot":
        return one_hot(K)
    if kind == "smooth":
        return label_smoothing(K, 0.1)
    if kind == "stochastic":
        A = np.random.default_rng(seed).random((K, K)) ** 3
        return A / A.sum(axis=0)
    return random_encoding(K, seed)


def build(s: dict[str, Any]) -> Instance:
    """The :class:`~verify.instance.Instance` of a spec."""
    K, N = s["K"], s["N"]
    counts = _counts(K, N, s["balanced"], s["seed"])
    Ybar = _encoding(s["encoding"], K, s["seed"])
    lam = C_TARGET / (K * math.sqrt(N / K))
    lb = s["lambda_b"]
    c = C_TARGET
    if lb == "threshold":
        if not s["balanced"]:
            raise ValueError("the phase threshold c/(1-c) is defined for balanced data only")
        lambda_b = c / (1 - c)
    elif lb == "large":
        lambda_b = LARGE_LAMBDA_B
    elif lb == "inf":
        lambda_b = math.inf
    else:
        lambda_b = float(lb)
    loss = s.get("loss", "mse")
    instance = Instance(Ybar, counts, lambda_W=lam, lambda_H=lam, lambda_b=lambda_b, loss=loss)
    if lb == "threshold":  # use the instance's own threshold, bit for bit
        instance = instance.replace(lambda_b=instance.threshold)
    return instance
