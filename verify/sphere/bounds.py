r"""Lower bounds for balanced data, attained at neural collapse, and their replay as SymPy steps.

Balanced data, n samples per class, N = nK; :math:`e = \exp(-K/((K-1)\tau))`. For every point of
the product of spheres (any d) each loss is at least

=====================  ================================================================
NormFace               :math:`\log(1 + (K-1)e)`  (Lu & Steinerberger 2022, Thm 1 shape)
NTCE                   :math:`\log n + \log(1 + (K-1)e)`
NONL (symmetric)       :math:`\log(n(K-1)) - K/((K-1)\tau)`
NONL (per-sample)      :math:`\log(K-1) - K/((K-1)\tau)`
NONL (bidirectional)   :math:`\log((n+1)(K-1)) - K/((K-1)\tau)`
SupCon                 :math:`\log(n-1) + \log(1 + \frac{n(K-1)}{n-1} e)`  (Graf et al. 2021)
=====================  ================================================================

The proof, the same for the prototype losses: (1) Jensen on every denominator, split into
classes, :math:`\sum_{j\in S} e^{x_j} \ge |S| e^{\bar x_S}`; (2) average over the samples of a
class (the positive term is linear in the features); (3) the exponent averaged over classes
is :math:`(P - KA)/(K(K-1)\tau)` with :math:`P = (\sum_k w_k)^\top(\sum_k \mu_k)`,
:math:`A = \sum_k w_k^\top\mu_k`, :math:`\mu_k` the class means; (4) Cauchy-Schwarz after
centring, :math:`KA - P = K\sum_k (\mu_k - \bar\mu)^\top(w_k - \bar w) \le K^2`; (5) the outer
function (:math:`\log(1 + a e^x)`, convex and increasing, or linear) and Jensen over the classes.
Equality needs :math:`h_i = \mu_{y_i} = w_{y_i}`, :math:`\sum_k w_k = 0` and equal cosines to the
other classes: a simplex ETF, which exists when d >= K - 1. SupCon has features only: steps (3)-(4)
become :math:`\bar V - \bar U = \frac1{K\tau}\big(\frac{\|M\|^2 - Q}{K-1} - \frac{nQ - K}{n-1}\big)`
with :math:`Q = \sum_k\|\mu_k\|^2 \le K`, :math:`M = \sum_k \mu_k`.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from .frames import simplex_etf
from .losses import value_and_grad

__all__ = ["bound", "bound_expr", "nc_point", "nc_value_expr", "symbols"]

K, n, tau = sp.symbols("K n tau", positive=True)
x = sp.Symbol("x", real=True)


def symbols() -> tuple[sp.Symbol, sp.Symbol, sp.Symbol]:
    return K, n, tau


def _e() -> sp.Expr:
    return sp.exp(-K / ((K - 1) * tau))


def bound_expr(loss: str) -> sp.Expr:
    """The lower bound of the table above, a SymPy expression in K, n, tau."""
    e, gap = _e(), K / ((K - 1) * tau)
    return {
        "normface": sp.log(1 + (K - 1) * e),
        "ntce": sp.log(n) + sp.log(1 + (K - 1) * e),
        "nonl": sp.log(n * (K - 1)) - gap,
        "nonl-per-sample": sp.log(K - 1) - gap,
        "nonl-bidirectional": sp.log((n + 1) * (K - 1)) - gap,
        "supcon": sp.log(n - 1) + sp.log(1 + n * (K - 1) / (n - 1) * e),
    }[loss]


def nc_value_expr(loss: str) -> sp.Expr:
    """The loss at neural collapse (h_i = w_{y_i}, the w_k a simplex ETF), from its cosines:
    1 with its own class, -1/(K-1) with every other; straight from the per-sample terms."""
    own, other = sp.exp(1 / tau), sp.exp(-1 / ((K - 1) * tau))
    den = {
        "normface": own + (K - 1) * other,
        "ntce": n * own + n * (K - 1) * other,
        "nonl": n * (K - 1) * other,
        "nonl-per-sample": (K - 1) * other,
        "nonl-bidirectional": (K - 1) * other + n * (K - 1) * other,
        "supcon": (n - 1) * own + n * (K - 1) * other,
    }[loss]
    return -1 / tau + sp.log(den)


def bound(loss: str, K_: int, n_: int, tau_: float) -> float:
    """The bound in float64, written out (not lambdified: the claim checks the two agree)."""
    e, gap = math.exp(-K_ / ((K_ - 1) * tau_)), K_ / ((K_ - 1) * tau_)
    return {
        "normface": math.log1p((K_ - 1) * e),
        "ntce": math.log(n_) + math.log1p((K_ - 1) * e),
        "nonl": math.log(n_ * (K_ - 1)) - gap,
        "nonl-per-sample": math.log(K_ - 1) - gap,
        "nonl-bidirectional": math.log((n_ + 1) * (K_ - 1)) - gap,
        "supcon": math.log(n_ - 1) + math.log1p(n_ * (K_ - 1) / (n_ - 1) * e),
    }[loss]


def nc_point(K_: int, counts: tuple[int, ...], d: int) -> tuple[np.ndarray, np.ndarray]:
    """The neural-collapse point: W the simplex ETF, h_i = w_{y_i} (needs d >= K - 1)."""
    W = simplex_etf(K_, d)
    return W, W[np.repeat(np.arange(K_), counts)]


def nc_value(loss: str, counts: tuple[int, ...], d: int, tau_: float) -> float:
    """The loss at the NC point, float64, over all N samples."""
    W, H = nc_point(len(counts), counts, d)
    labels = np.repeat(np.arange(len(counts)), counts)
    Wl = W if loss != "supcon" else None
    return float(value_and_grad(loss, Wl, H, labels, np.ones(len(labels)), tau_)[0])
