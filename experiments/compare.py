r"""What the UFM predicts at the network's lambdas, and how a trained network is measured.

Predictions come from two places. The certified global minimiser (``verify.solve``, exact engine,
with a duality-gap certificate) covers every encoding. For one-hot balanced labels with
:math:`c = K\sqrt{n\lambda_W\lambda_H} < 1`, Theorem III.1 also gives closed forms, with the
threshold :math:`t = c/(1-c)`:

.. math::

    b = \frac{1}{1+\lambda_b}\frac{1}{K} 1 \ (\lambda_b \le t), \qquad
    b = \frac{c}{\lambda_b}\frac{1}{K} 1 \ (\lambda_b > t), \qquad
    \bar H^\top \bar H = \alpha (I - \beta J), \ \beta = 1 \ (\lambda_b \le t), \
    \beta = \frac{c}{\lambda_b(1-c)} \ (\lambda_b > t),

so the cosine between two (uncentred) class means is :math:`-\beta/(K-\beta)`: :math:`-1/(K-1)`
(simplex ETF) up to the threshold, rising to 0 (orthogonal frame) as :math:`\lambda_b \to \infty`.
Theorem IV.4 gives NC3' with :math:`\kappa = \sqrt{n\lambda_H/\lambda_W}` for any encoding.
The first branch of the bias is Theorem III.4 (a)'s mean label :math:`Y1_N/N`, divided by
:math:`1 + \lambda_b`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from verify.geometry import procrustes_nc3prime
from verify.instance import Instance
from verify.metrics import nc_metrics
from verify.solve import Solution, solve, ufm_objective

from .mlp import Lambdas

__all__ = [
    "c_constant",
    "certified_minimiser",
    "compare",
    "lambda_for_c",
    "measure",
    "theorem_iii1",
]


def c_constant(K: int, n: int, lam: Lambdas) -> float:
    r""":math:`c = K\sqrt{n\lambda_W\lambda_H}` (balanced data)."""
    return K * math.sqrt(n * lam.lambda_W * lam.lambda_H)


def lambda_for_c(c: float, K: int, n: int) -> float:
    r"""The common :math:`\lambda = \lambda_W = \lambda_H` with :math:`K\sqrt{n}\lambda = c`."""
    if not 0 < c < 1:
        raise ValueError(f"c={c!r}: must lie in (0, 1), where Theorem III.1 applies")
    return c / (K * math.sqrt(n))


def theorem_iii1(K: int, n: int, lam: Lambdas) -> dict[str, Any]:
    """Theorem III.1's closed forms for one-hot balanced labels (needs c < 1)."""
    c = c_constant(K, n, lam)
    if c >= 1:
        raise ValueError(f"c={c!r}: Theorem III.1 needs c < 1")
    threshold = c / (1 - c)
    below = lam.lambda_b <= threshold
    beta = 1.0 if below else c / (lam.lambda_b * (1 - c))
    return {
        "c": c,
        "threshold": threshold,
        "branch": "mean label/(1+lambda_b)" if below else "c/lambda_b",
        "bias": (1 / (1 + lam.lambda_b) if below else c / lam.lambda_b) / K,
        "beta": beta,
        "cosine": -beta / (K - beta),
        "kappa": math.sqrt(n * lam.lambda_H / lam.lambda_W),
    }


def certified_minimiser(encoding: np.ndarray, n: int, d: int, lam: Lambdas) -> Solution:
    """The UFM's global minimiser for ``encoding`` with n samples a class, dimension d, at
    lambdas ``lam`` (lambda_theta has no UFM counterpart and must be 0), certified."""
    if lam.lambda_theta != 0:
        raise ValueError(
            "lambda_theta must be 0 for a comparison with the UFM (it has no backbone)"
        )
    K = int(encoding.shape[0])
    instance = Instance(encoding, (n,) * K, d, lam.lambda_W, lam.lambda_H, lam.lambda_b)
    return solve(instance)


def _cosines(Hbar: np.ndarray) -> np.ndarray:
    """Cosines of the pairs k < l of columns of Hbar (uncentred class means)."""
    G = Hbar.T @ Hbar
    norms = np.sqrt(np.diag(G))
    C = G / np.outer(norms, norms)
    return C[np.triu_indices(G.shape[0], k=1)]


def measure(instance: Instance, W: np.ndarray, H: np.ndarray, b: np.ndarray) -> dict[str, Any]:
    """Everything compared between a network and the UFM, for (W (K, d), H (d, N), b (K,)),
    samples ordered by class as in ``instance``: the UFM objective, the NC metrics of
    ``verify.metrics`` (both centrings), the bias, the cosines and Gram of the uncentred class
    means, the Procrustes fit of NC3' (kappa, residual) and the Gram W W^T."""
    labels = np.asarray(instance.labels)
    Hbar = instance.class_means(H)
    cos = _cosines(Hbar)
    fit = procrustes_nc3prime(W, Hbar)
    return {
        "objective": ufm_objective(instance, W, H, b),
        "train_error": float(np.mean(np.argmax(W @ H + b[:, None], axis=0) != labels)),
        "metrics": nc_metrics(H, labels, W, b).as_dict(),
        "bias": b.tolist(),
        "bias_mean": float(b.mean()),
        "bias_spread": float(b.max() - b.min()),
        "cosine_mean": float(cos.mean()),
        "cosine_min": float(cos.min()),
        "cosine_max": float(cos.max()),
        "kappa": fit.kappa,
        "nc3prime_residual": fit.residual,
        "gram": (Hbar.T @ Hbar).tolist(),
        "classifier_gram": (W @ W.T).tolist(),
    }


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def _gram_parts(G: np.ndarray) -> tuple[float, float, float]:
    r"""(centred part, common part, scale) of a class-mean Gram G = Hbar^T Hbar:
    :math:`\operatorname{tr}((I-J)G(I-J))` (the squared norms of the centred class means),
    :math:`K\,1^\top G 1/K^2` (K times the squared norm of their mean) and
    :math:`\operatorname{tr} G`, so that centred + common = scale."""
    K = G.shape[0]
    common = float(G.sum()) / K
    scale = float(np.trace(G))
    return scale - common, common, scale


def compare(net: dict[str, Any], ufm: dict[str, Any]) -> dict[str, float]:
    """Discrepancies of a network's measurements from the certified minimiser's (both from
    :func:`measure`); every entry is 0 when they agree. The two signed ``gram_*`` entries split
    the class-mean Gram's difference: ``gram_centred`` is the relative change of the centred
    part (the ETF's), ``gram_common`` the change of the common part (the mean class mean's)
    relative to the UFM's whole scale tr G* (the common part itself is 0 for a simplex ETF)."""
    c_net, m_net, _ = _gram_parts(np.array(net["gram"]))
    c_ufm, m_ufm, scale = _gram_parts(np.array(ufm["gram"]))
    return {
        "gram_centred": (c_net - c_ufm) / c_ufm,
        "gram_common": (m_net - m_ufm) / scale,
        "objective_excess": (net["objective"] - ufm["objective"]) / ufm["objective"],
        "bias": _relative(np.array(net["bias"]), np.array(ufm["bias"])),
        "bias_mean": abs(net["bias_mean"] - ufm["bias_mean"]) / abs(ufm["bias_mean"]),
        "cosine_mean": abs(net["cosine_mean"] - ufm["cosine_mean"]),
        "gram": _relative(np.array(net["gram"]), np.array(ufm["gram"])),
        "classifier_gram": _relative(
            np.array(net["classifier_gram"]), np.array(ufm["classifier_gram"])
        ),
        "kappa": abs(net["kappa"] - ufm["kappa"]) / ufm["kappa"],
    }
