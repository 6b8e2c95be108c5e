r"""The replay of the balanced lower bounds of :mod:`verify.sphere.bounds` as checked steps.

Every identity between the aggregates of the proof (class means :math:`\mu_k`, their sum M,
the prototypes' sum S, :math:`P = S^\top M`, :math:`A = \sum_k w_k^\top \mu_k`,
:math:`Q = \sum_k \|\mu_k\|^2`) is an ``algebra`` step SymPy decides for general K, n, tau; the
inequalities (Jensen, Cauchy-Schwarz) and the equality cases are cited ``lemma`` steps, each
with its own numeric check at random feasible points. Logarithmic identities are compared after
exponentiating both sides (exp is injective on the reals), with K = q + 1, n = r + 1, q, r > 0,
so that SymPy can expand the logarithms of K - 1 and n - 1.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from ..symbolic import Derivation, Step, algebra_step, lemma_step
from .bounds import bound, bound_expr, nc_point, nc_value_expr, symbols
from .losses import value_and_grad

__all__ = ["derive_bound"]

K, n, tau = symbols()
q, r = sp.symbols("q r", positive=True)
P, A, Q, M2, S2, x = sp.symbols("P A Q M2 S2 x", real=True)
PROTOTYPE_LOSSES = ("normface", "ntce", "nonl", "nonl-per-sample", "nonl-bidirectional")
CONVEX_OUTER = {"normface", "ntce", "supcon"}


def _positive(expr: sp.Expr) -> sp.Expr:
    return expr.subs({K: q + 1, n: r + 1})


def _jensen_exp(seed: int = 0) -> tuple[bool, str]:
    rng = np.random.default_rng(seed)
    worst = np.inf
    for _ in range(200):
        z, w = rng.normal(size=7) * 3, rng.random(7) + 0.1
        worst = min(worst, np.sum(w * np.exp(z)) - w.sum() * np.exp(np.sum(w * z) / w.sum()))
    return bool(
        worst >= -1e-12
    ), f"sum w e^z - (sum w) e^(mean z) >= 0 at 200 random points (min {worst:.1e})"


def _cauchy_schwarz(seed: int = 0) -> tuple[bool, str]:
    """K A - P <= K^2 for unit w_k and ||mu_k|| <= 1."""
    rng = np.random.default_rng(seed)
    worst = -np.inf
    for _ in range(300):
        Kk, d = int(rng.integers(2, 7)), int(rng.integers(2, 8))
        W = rng.normal(size=(Kk, d))
        W /= np.linalg.norm(W, axis=1, keepdims=True)
        Mu = rng.normal(size=(Kk, d))
        Mu *= (rng.random((Kk, 1)) / np.linalg.norm(Mu, axis=1, keepdims=True)) ** 0.3
        Mu = np.where(rng.random() < 0.2, W, Mu)  # the equality case too
        val = Kk * np.sum(W * Mu) - W.sum(0) @ Mu.sum(0) - Kk**2
        worst = max(worst, val)
    return bool(worst <= 1e-9), f"K A - P - K^2 <= 0 at 300 random points (max {worst:.1e})"


def _strict_near_nc(loss: str, seed: int = 0) -> tuple[bool, str]:
    """Equality cases: feasible perturbations of NC raise the loss above the bound."""
    rng = np.random.default_rng(seed)
    worst = np.inf
    for Kk, nn, d, t in ((2, 2, 2, 0.5), (3, 2, 3, 0.3), (4, 3, 5, 1.0), (3, 3, 4, 0.1)):
        W, H = nc_point(Kk, (nn,) * Kk, d)
        labels = np.repeat(np.arange(Kk), nn)
        for _ in range(10):
            Wp = W + 1e-3 * rng.normal(size=W.shape)
            Hp = H + 1e-3 * rng.normal(size=H.shape)
            Wp /= np.linalg.norm(Wp, axis=1, keepdims=True)
            Hp /= np.linalg.norm(Hp, axis=1, keepdims=True)
            v = value_and_grad(loss, None if loss == "supcon" else Wp, Hp, labels,
                               np.ones(len(labels)), t)[0]  # fmt: skip
            worst = min(worst, float(v) - bound(loss, Kk, nn, t))
    return bool(worst > 0), f"loss - bound > 0 at 40 random perturbations of NC (min {worst:.1e})"


def _common_tail(loss: str, outer: sp.Expr) -> list[Step]:
    star = -K / ((K - 1) * tau)
    steps = []
    if loss in CONVEX_OUTER:
        a = sp.Symbol("a", positive=True)
        g = sp.log(1 + a * sp.exp(x))
        steps.append(
            algebra_step(
                "the outer function log(1 + a e^x) is convex: its second derivative is "
                "a e^x / (1 + a e^x)^2 > 0 (and it increases in x)",
                sp.diff(g, x, 2),
                a * sp.exp(x) / (1 + a * sp.exp(x)) ** 2,
            )
        )
        steps.append(
            lemma_step(
                "Jensen over the samples (classes of equal weight): the mean of a convex "
                "function is at least the function of the mean",
                "Jensen's inequality",
                lambda: _jensen_exp(1),
            )
        )
    steps.append(
        algebra_step(
            "at the extreme exponent x* = -K/((K-1) tau) the outer function equals the bound "
            "(compared as exp of both sides, K = q + 1, n = r + 1)",
            _positive(sp.exp(outer.subs(x, star))),
            _positive(sp.exp(bound_expr(loss))),
        )
    )
    steps.append(
        algebra_step(
            "attained: the loss at NC (cosine 1 with the own class, -1/(K-1) otherwise) equals "
            "the bound (compared as exp of both sides)",
            _positive(sp.exp(nc_value_expr(loss))),
            _positive(sp.exp(bound_expr(loss))),
        )
    )
    steps.append(
        lemma_step(
            "equality cases: Cauchy-Schwarz and Jensen are tight only at h_i = mu_{y_i} = w_{y_i}, "
            "sum_k w_k = 0 and equal cosines to the other classes, i.e. a simplex ETF "
            "(d >= K - 1); feasible perturbations of NC lie strictly above the bound",
            "equality in Cauchy-Schwarz and in strict Jensen (exp strictly convex)",
            lambda: _strict_near_nc(loss),
        )
    )
    return steps


def _prototype_steps(loss: str) -> list[Step]:
    target = (P - K * A) / (K * (K - 1) * tau)
    averaged = {
        # NormFace, NONL per-sample: the mean over all N = nK samples of
        # x_i = (h_i^T S / (K-1) - K/(K-1) h_i^T w_{y_i}) / tau
        "normface": n * (P - K * A) / (tau * (K - 1) * n * K),
        "nonl-per-sample": n * (P - K * A) / (tau * (K - 1) * n * K),
        # NTCE, NONL: (1/K) sum_c (v_c - u_c), v_c = w_c^T (M - mu_c)/((K-1)tau), u_c = w_c^T mu_c/tau
        "ntce": ((P - A) / ((K - 1) * tau) - A / tau) / K,
        "nonl": ((P - A) / ((K - 1) * tau) - A / tau) / K,
        # bidirectional: weights (K-1) and n(K-1) of the two denominators
        "nonl-bidirectional": (-A + (1 + n) * (P - A) / ((n + 1) * (K - 1))) / (K * tau),
    }[loss]
    outer = {
        "normface": sp.log(1 + (K - 1) * sp.exp(x)),
        "nonl-per-sample": sp.log(K - 1) + x,
        "ntce": sp.log(n) + sp.log(1 + (K - 1) * sp.exp(x)),
        "nonl": sp.log(n * (K - 1)) + x,
        "nonl-bidirectional": sp.log((n + 1) * (K - 1)) + x,
    }[loss]
    return [
        lemma_step(
            "Jensen on each denominator, split by class: sum_{j in S} m_j e^{z_j} >= "
            "(sum m_j) e^{mean z}; the positive term is linear in the features",
            "Jensen's inequality (convexity of exp)",
            _jensen_exp,
        ),
        algebra_step(
            "averaged over samples and classes the exponent is (P - K A)/(K (K-1) tau), "
            "P = S^T M, A = sum_k w_k^T mu_k",
            averaged,
            target,
        ),
        algebra_step(
            "centring: sum_k (mu_k - M/K)^T (w_k - S/K) = A - 2P/K + K P/K^2 = A - P/K",
            A - 2 * P / K + K * P / K**2,
            A - P / K,
        ),
        algebra_step(
            "sum_k ||w_k - S/K||^2 = K - 2||S||^2/K + K||S||^2/K^2 = K - ||S||^2/K <= K",
            K - 2 * S2 / K + K * S2 / K**2,
            K - S2 / K,
        ),
        lemma_step(
            "Cauchy-Schwarz on the centred sums, with ||mu_k|| <= 1: K A - P <= K^2, so the "
            "exponent is >= -K/((K-1) tau)",
            "Cauchy-Schwarz inequality",
            _cauchy_schwarz,
        ),
        *_common_tail(loss, outer),
    ]


def _supcon_steps() -> list[Step]:
    N = n * K
    U = K * (n**2 * Q / K - n) / (N * tau * (n - 1))  # sum_c (n^2 ||mu_c||^2 - n), Q/K average
    V = n * (M2 - Q) / (N * tau * (K - 1))
    gap = V - U
    outer = sp.log(n - 1) + sp.log(1 + n * (K - 1) / (n - 1) * sp.exp(x))
    return [
        lemma_step(
            "Jensen on the denominator of each anchor, split into its n - 1 positives and the "
            "n(K-1) others: the term is >= log(n-1) + log(1 + n(K-1)/(n-1) e^{V_i - U_i})",
            "Jensen's inequality (convexity of exp)",
            _jensen_exp,
        ),
        algebra_step(
            "mean of U_i (positives' cosine / tau): sum_{i != p in c} h_i^T h_p = n^2 ||mu_c||^2 - n, "
            "so mean U = (n Q - K) / (K tau (n - 1))",
            U,
            (n * Q - K) / (K * tau * (n - 1)),
        ),
        algebra_step(
            "mean of V_i (other classes' cosine / tau) = (||M||^2 - Q) / (K tau (K - 1))",
            V,
            (M2 - Q) / (K * tau * (K - 1)),
        ),
        algebra_step(
            "mean (V - U) decreases in Q: its Q-derivative is -(1/(K-1) + n/(n-1))/(K tau) < 0",
            sp.diff(gap, Q),
            -(1 / (K - 1) + n / (n - 1)) / (K * tau),
        ),
        algebra_step(
            "at ||M||^2 = 0 and Q = K (its extremes: ||mu_k|| <= 1) mean (V - U) = -K/((K-1) tau)",
            _positive(gap.subs({M2: 0, Q: K})),
            _positive(-K / ((K - 1) * tau)),
        ),
        *_common_tail("supcon", outer),
    ]


def derive_bound(loss: str, claim_id: str) -> Derivation:
    """The replay for ``loss``: the bound holds for every point, and NC attains it."""
    steps = _supcon_steps() if loss == "supcon" else _prototype_steps(loss)
    return Derivation(
        claim_id,
        f"{loss}: a lower bound for balanced data, attained exactly at neural collapse",
        {"bound": bound_expr(loss), "value at NC": nc_value_expr(loss)},
        tuple(steps),
    )
