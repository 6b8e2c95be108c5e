r"""Zhu et al. (NeurIPS 2021), Theorem 3.1: the global minimisers of the cross-entropy UFM.

Source: Z. Zhu, T. Ding, J. Zhou, X. Li, C. You, J. Sulam, Q. Qu, "A geometric analysis of neural
collapse with unconstrained features", NeurIPS 2021 (arXiv 2105.02375), Theorem 3.1 (global
optimality conditions). Objective, their (4), in this project's notation:

.. math::

    f(W, H, b) = \frac1N\sum_{k=1}^K\sum_{i=1}^{n} \mathcal L_{CE}(W h_{k,i} + b, e_k)
        + \frac{\lambda_W}{2}\|W\|_F^2 + \frac{\lambda_H}{2}\|H\|_F^2 + \frac{\lambda_b}{2}\|b\|^2 .

Hypotheses, as stated there: the feature dimension is at least K - 1 (:math:`d \ge K - 1`) and
the labels are balanced, :math:`n_1 = \dots = n_K = n` (one-hot cross-entropy). Conclusion, for
*every* global minimiser: :math:`\|w^1\| = \dots = \|w^K\|`, :math:`b = b^\star 1` with
:math:`b^\star = 0` unless :math:`\lambda_b = 0`, :math:`h_{k,i} = \sqrt{\lambda_W/(\lambda_H n)}\,w^k`
(NC1 + NC3) and :math:`\frac{1}{\|w\|^2} WW^\top = \frac{K}{K-1}(I_K - \frac1K 11^\top)` (the rows of W
a simplex ETF, NC2). (The full text was not in the stored sources this module was written from;
the statement is the one docs/BEYOND.md quotes, in the form of the paper's Theorem 3.1.)

What nc-verify can and cannot reach: instances need :math:`d \ge K` (the convex reformulation), so
:math:`d = K - 1` is outside the search. With :math:`\lambda_b = 0` cross-entropy is invariant to
:math:`b \mapsto b + t1`: the bias is unique only along :math:`1^\perp`, so the check is
:math:`(I - J)b = 0` there, and :math:`b = 0` for :math:`\lambda_b > 0`.

**Derived here** (``ce-etf``, replayed with SymPy, shared with ``proofs/ce_label_smoothing.py``):
with :math:`c = K\sqrt{n\lambda_W\lambda_H}` (the coupling of paper 000) and soft targets
:math:`(1-\delta)e_k + \frac\delta K 1` (:math:`\delta = 0` here), the class means of
:math:`Z = WH` are :math:`\bar Z = s^\star(I - J)` with

.. math::

    s^\star = \log\frac{K - (K-1)(\delta + c)}{\delta + c} \quad (\delta + c < 1), \qquad
    s^\star = 0 \quad (\delta + c \ge 1),

the unique root of the 1-D equation :math:`\frac{(K-1)e^{-s}}{1 + (K-1)e^{-s}} = \frac{(K-1)(\delta+c)}{K}`,
so :math:`\bar H^\top\bar H = k s^\star (I - J)`, :math:`k = \sqrt{\lambda_W/(n\lambda_H)}`, and the
common classifier norm is :math:`\|w\|^2 = \frac{K-1}{K}\sqrt{n\lambda_H/\lambda_W}\,s^\star`. For
:math:`c \ge 1` the unique minimiser is W = H = 0: the theorem's normalisation
:math:`WW^\top/\|w\|^2` is then undefined, and its ETF statement holds only in the degenerate sense
(scale 0), which is how it is checked here; ``zhu-theorem-3.1-constants`` checks the scale itself.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import sympy as sp

from verify.claims import Claim, Context, Residuals, relative
from verify.claims.residuals import frobenius_gap, nc1_scatter
from verify.geometry import centring
from verify.symbolic import Derivation, algebra_step, lemma_step, numeric_step, register
from verify.symbolic.pairs import IJ
from verify.symbolic.symbols import K, lambda_H, lambda_W, n

__all__ = [
    "CLAIM",
    "CONSTANTS",
    "bias_residuals",
    "certified_probabilities",
    "constants_residuals",
    "derive",
    "etf_scale",
    "nc_residuals",
    "predicted_gram",
    "predicted_probabilities",
]


# --- closed forms ---------------------------------------------------------------------------


def etf_scale(K_: int, c_: float, delta: float = 0.0) -> float:
    r""":math:`s^\star`: the class means of Z are :math:`s^\star(I - J)` (0 when :math:`\delta + c \ge 1`)."""
    r = (delta + c_) / K_
    return math.log((1 - (K_ - 1) * r) / r) if delta + c_ < 1 else 0.0


def predicted_probabilities(K_: int, c_: float, delta: float = 0.0) -> np.ndarray:
    r"""The softmax of the class means' logits, :math:`p_{jk} = \mathrm{softmax}(\bar z_k + b)_j`:
    :math:`q = (\delta + c)/K` off the diagonal and :math:`1 - (K-1)q` on it (the optimality
    condition of :math:`s^\star`), uniform 1/K for :math:`\delta + c \ge 1`."""
    q = min((delta + c_) / K_, 1 / K_)
    return q * np.ones((K_, K_)) + (1 - K_ * q) * np.eye(K_)


def certified_probabilities(ctx: Context) -> np.ndarray:
    """softmax(W Hbar + b 1^T), column k for class k (every sample of a class, by NC1)."""
    s = ctx.solution
    X = s.W @ s.Hbar + s.b[:, None]
    P = np.exp(X - X.max(axis=0))
    return P / P.sum(axis=0)


def predicted_gram(ctx: Context, delta: float = 0.0) -> np.ndarray:
    r""":math:`k s^\star (I - J)`, the class-mean Gram the derivation gives."""
    inst = ctx.instance
    n_, c_ = inst.n, inst.c
    assert n_ is not None and c_ is not None
    k = math.sqrt(inst.lambda_W / (n_ * inst.lambda_H))
    return k * etf_scale(inst.K, c_, delta) * centring(inst.K)


# --- the replay -----------------------------------------------------------------------------


def _ce(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    m = Z.max(axis=0)
    return m + np.log(np.exp(Z - m).sum(axis=0)) - (Y * Z).sum(axis=0)


def _check_class_averaging() -> tuple[bool, str]:
    """Averaging the logits within each class lowers neither the CE loss (Jensen) nor the
    nuclear norm (Z -> Z P, P the orthogonal projection onto class-constant rows); the norm
    strictly when Z P != Z (tr sqrt is strictly monotone: (ZP)(ZP)^T = ZZ^T - Z(I-P)Z^T)."""
    rng = np.random.default_rng(11)
    worst = 0.0
    for trial in range(20):
        K_, counts = 2 + trial % 4, rng.integers(1, 6, size=2 + trial % 4)
        labels = np.repeat(np.arange(K_), counts)
        Z = rng.standard_normal((K_, labels.size)) * 2
        G = rng.random((K_, K_))
        Y = (G / G.sum(axis=0))[:, labels]
        Zbar = np.stack([Z[:, labels == k].mean(axis=1) for k in range(K_)], axis=1)[:, labels]
        loss = _ce(Z, Y).sum() - _ce(Zbar, Y).sum()
        nuc = np.linalg.svd(Z, compute_uv=False).sum() - np.linalg.svd(Zbar, compute_uv=False).sum()
        if loss < -1e-12 or nuc < -1e-12:
            return (
                False,
                f"trial {trial}: averaging raised the loss by {-loss} or the norm by {-nuc}",
            )
        if not np.allclose(Z, Zbar) and nuc <= 1e-12:
            return False, f"trial {trial}: the nuclear norm did not drop although Z P != Z"
        worst = max(worst, -min(loss, nuc))
    return True, "20 random Z, counts and soft targets: class averaging lowers both terms"


def _check_permutation_invariance() -> tuple[bool, str]:
    """For balanced data and a label-smoothing encoding the reduced objective is invariant under
    (Zbar, b) -> (P Zbar P^T, P b) for every permutation P, so averaging a minimiser over the
    permutations (convexity) gives a minimiser in their commutant: Zbar = x(I - J) + yJ, b || 1."""
    rng = np.random.default_rng(12)
    worst = 0.0
    for trial in range(20):
        K_, n_, delta = 2 + trial % 4, 1 + trial % 3, rng.uniform(0, 0.9)
        Ybar = (1 - delta) * np.eye(K_) + delta / K_
        mu, lb = rng.uniform(0.01, 0.5), rng.uniform(0, 2)

        C = np.repeat(np.eye(K_), n_, axis=1)

        def f(Zbar: np.ndarray, b: np.ndarray, C: np.ndarray = C, Y: np.ndarray = Ybar @ C,
              mu: float = mu, lb: float = lb) -> float:  # fmt: skip
            Z = Zbar @ C
            value = _ce(Z + b[:, None], Y).mean()
            return float(value + mu * np.linalg.svd(Z, compute_uv=False).sum() + lb / 2 * b @ b)

        Zbar, b = rng.standard_normal((K_, K_)), rng.standard_normal(K_)
        P = np.eye(K_)[rng.permutation(K_)]
        worst = max(worst, abs(f(Zbar, b) - f(P @ Zbar @ P.T, P @ b)) / abs(f(Zbar, b)))
    ok = worst < 1e-12
    return (
        ok,
        f"20 random (Zbar, b), permutations: the objective is the same to within {max(worst, 1e-12):.0e} (relative)",
    )


@register("ce-etf")
@lru_cache(maxsize=1)
def derive() -> Derivation:
    """The replay of the balanced, label-smoothed (delta = 0: one-hot) cross-entropy minimiser."""
    from .gram_balanced import _check_factorisation

    s, e, t, q, X, Yv = sp.symbols("s e t q X Y", positive=True)
    delta = sp.Symbol("delta", nonnegative=True)
    c = sp.Symbol("c", positive=True)
    r = (delta + c) / K
    mu = sp.sqrt(lambda_W * lambda_H)
    loss = sp.log(1 + (K - 1) * sp.exp(-s)) + delta * s * (K - 1) / K
    phi = sp.log(1 + (K - 1) * sp.exp(-s)) + (K - 1) * r * s
    dphi = sp.diff(phi, s)
    s_star = sp.log((1 - (K - 1) * r) / r)
    s4 = (lambda_H / lambda_W) ** sp.Rational(1, 4)
    kappa = sp.sqrt(lambda_W / (lambda_H * n))
    k = sp.sqrt(lambda_W / (n * lambda_H))
    lse = sp.log(sp.exp(s * (K - 1) / K) + (K - 1) * sp.exp(-s / K))
    target_dot = (1 - delta) * s * (K - 1) / K  # y^T z, z = s(e_k - 1/K), sum(z) = 0
    steps = (
        lemma_step(
            "For d >= K the UFM's minima are those of min over (Z, b) of (1/N) sum_i l(z_i + b, "
            "y_i) + mu ||Z||_* + lambda_b/2 ||b||^2 (mu = sqrt(lambda_W lambda_H)), and its "
            "minimisers are the balanced factorisations: the argument does not use the loss.",
            "Srebro, Rennie & Jaakkola 2005 (nuclear norm as a minimum over factorisations)",
            _check_factorisation,
        ),
        lemma_step(
            "Class averaging (Jensen for the convex loss; Z -> ZP for the nuclear norm, strictly "
            "when ZP != Z) maps a minimiser to a minimiser, so every minimiser has Z = Zbar C: "
            "NC1 for any convex loss and any counts.",
            "Jensen's inequality; operator monotonicity of the square root",
            _check_class_averaging,
        ),
        lemma_step(
            "Balanced label-smoothed targets: the objective is invariant under simultaneous class "
            "permutations, so (convexity) there is a minimiser with Zbar = x(I - J) + yJ, b = beta 1.",
            "averaging over a symmetry group of a convex problem",
            _check_permutation_invariance,
        ),
        algebra_step(
            "The J part adds y/K to every logit of a column: CE is unchanged (log(e^t X) - (Y + t) "
            "= log X - Y for a target of mass 1) while ||Zbar||_* grows, so y = 0: Zbar = s(I - J).",
            sp.expand_log(sp.log(sp.exp(t) * X), force=True) - (Yv + t),
            sp.log(X) - Yv,
        ),
        numeric_step(
            "Every global minimiser is this symmetric one (uniqueness of the minimiser).",
            "Zbar", "s(I - J)",
            "uniqueness is the landscape part of Zhu et al.'s proof, not replayed here; the certified "
            "minimisers of the numeric layer test it",
        ),
        algebra_step(
            "Column k of s(I - J) is z = s(e_k - 1/K): exp(lse(z) - y^T z) with y = (1-delta) e_k + "
            "delta/K 1 equals (1 + (K-1)e^{-s}) e^{delta s (K-1)/K}, so the loss is "
            "l(s) = log(1 + (K-1)e^{-s}) + delta s (K-1)/K.",
            sp.exp(lse - target_dot),
            sp.exp(loss),
        ),
        algebra_step(
            "(I - J) C C^T (I - J) = n (I - J) (pair algebra): s(I - J)C has K - 1 singular values "
            "s sqrt(n) ...",
            (IJ * n * IJ).as_tuple(),
            (n * IJ).as_tuple(),
        ),
        algebra_step(
            "... as tr(I - J) = K - 1, so ||Z||_* = s sqrt(n)(K - 1).",
            sp.trace(sp.Identity(K)) - sp.trace(sp.OneMatrix(K, K)) / K,
            K - 1,
        ),
        algebra_step(
            "The objective along s: l(s) + mu s sqrt(n)(K - 1) = log(1 + (K-1)e^{-s}) + (K-1) r s "
            "with r = (delta + c)/K, c = K sqrt(n lambda_W lambda_H).",
            loss + mu * s * sp.sqrt(n) * (K - 1) - phi.subs(c, K * sp.sqrt(n) * mu),
            0,
        ),
        algebra_step(
            "phi''(s) = (K-1)e^{-s}/(1 + (K-1)e^{-s})^2 > 0: phi is strictly convex.",
            sp.diff(phi, s, 2),
            (K - 1) * sp.exp(-s) / (1 + (K - 1) * sp.exp(-s)) ** 2,
        ),
        algebra_step(
            "phi'(s*) = 0 at s* = log((1 - (K-1)r)/r) = log((K - (K-1)(delta + c))/(delta + c)).",
            dphi.subs(s, s_star),
            0,
        ),
        algebra_step(
            "phi'(0) = (K-1)(r - 1/K): the minimiser over s >= 0 is 0 when delta + c >= 1 (zero "
            "minimiser), ...",
            dphi.subs(s, 0),
            (K - 1) * (r - 1 / K),
        ),
        algebra_step(
            "... and s* > 0 exactly when delta + c < 1: (1 - (K-1)r)/r - 1 = (1 - Kr)/r.",
            (1 - (K - 1) * r) / r - 1,
            (1 - K * r) / r,
        ),
        numeric_step(
            "s < 0 is never optimal (phi decreases on s < 0: the loss term's slope exceeds (K-1)/K there).",
            "phi'(s) for s < 0", "< 0",
            "an inequality, not algebra",
        ),
        algebra_step(
            "Balanced factors W = s4 U Sigma^{1/2}, s4 = (lambda_H/lambda_W)^(1/4), Sigma = s* sqrt(n) on "
            "1^perp: W W^T = sqrt(lambda_H/lambda_W) sqrt(n) s* (I - J) = ||w||^2 K/(K-1) (I - J): equal "
            "norms and a simplex ETF (NC2) with ||w||^2 = (K-1)/K sqrt(n lambda_H/lambda_W) s*.",
            s4**2 * sp.sqrt(n) * e,
            (K - 1) / K * sp.sqrt(n * lambda_H / lambda_W) * e * K / (K - 1),
        ),
        algebra_step(
            "NC3: H = s4^-1 Sigma^{1/2} V^T with V = C^T U/sqrt(n), so Hbar = s4^-1 Sigma^{1/2} U^T/sqrt(n) "
            "and sqrt(lambda_W/(lambda_H n)) W^T = kappa s4 Sigma^{1/2} U^T: equal, as kappa s4 = s4^-1/sqrt(n).",
            kappa * s4,
            1 / (s4 * sp.sqrt(n)),
        ),
        algebra_step(
            "Hbar^T Hbar = s4^-2 U Sigma U^T / n = k s* (I - J), k = sqrt(lambda_W/(n lambda_H)).",
            s4**-2 * sp.sqrt(n) * e / n,
            k * e,
        ),
        algebra_step(
            "grad_b = (1/N) sum_k n (p_k - y_k) + lambda_b b: at b = beta 1 the softmax of column k "
            "is q on k and (1-q)/(K-1) elsewhere, so sum_k p_k = 1 = Ybar 1 and lambda_b b = 0: "
            "b = 0 for lambda_b > 0, any beta 1 for lambda_b = 0 (CE's shift invariance).",
            q + (K - 1) * (1 - q) / (K - 1),
            1,
        ),
    )  # fmt: skip
    return Derivation(
        "ce-etf",
        "Balanced cross-entropy (one-hot or label-smoothed): the ETF minimiser and its scale",
        {"s_star": s_star, "gram_coefficient": k * s_star, "w_norm_squared": (K - 1) / K * sp.sqrt(n * lambda_H / lambda_W) * s_star},
        steps,
        findings=(
            "For delta + c >= 1 the unique minimiser is W = H = 0 (s* = 0): the theorem's "
            "normalisation W W^T/||w||^2 is undefined there, so its ETF statement is degenerate.",
        ),
    )  # fmt: skip


# --- the claims -----------------------------------------------------------------------------


def nc_residuals(ctx: Context) -> Residuals:
    """NC1, NC3 with kappa = sqrt(lambda_W/(lambda_H n)), and W W^T = alpha (I - J), alpha >= 0
    (equal norms and a simplex ETF; alpha = 0 is the zero minimiser, checked as degenerate)."""
    inst, s = ctx.instance, ctx.solution
    n_ = inst.n
    assert n_ is not None
    kappa = math.sqrt(inst.lambda_W / (inst.lambda_H * n_))
    G, S = s.W @ s.W.T, centring(inst.K)
    alpha = max(float(np.vdot(G, S) / np.vdot(S, S)), 0.0)
    return {
        "NC1: H = Hbar C": nc1_scatter(inst, s.H, ctx.floor("H")),
        "NC3: Hbar = sqrt(lambda_W/(lambda_H n)) W^T": frobenius_gap(
            s.Hbar, kappa * s.W.T, ctx.floor("Hbar")
        ),
        "NC2: W W^T = ||w||^2 K/(K-1) (I - J)": relative(
            float(np.linalg.norm(G - alpha * S)), float(np.linalg.norm(G)), ctx.floor("WtW")
        ),
    }


def bias_residuals(ctx: Context) -> Residuals:
    """b = b* 1; b* = 0 unless lambda_b = 0 (where CE fixes b only along 1^perp)."""
    inst, b = ctx.instance, ctx.solution.b
    floor = ctx.floor("b")
    out = {
        "b = b* 1: (I - J) b = 0": relative(
            float(np.linalg.norm(b - b.mean())), float(np.linalg.norm(b)), floor
        )
    }
    if inst.lambda_b > 0:
        out["b* = 0 (lambda_b > 0)"] = frobenius_gap(b, np.zeros_like(b), floor)
    return out  # fmt: skip


def conclusion(ctx: Context) -> Residuals:
    return nc_residuals(ctx) | bias_residuals(ctx)


def constants_residuals(ctx: Context, delta: float) -> Residuals:
    """The derived scale, through the quantity the certificate resolves: the softmax
    probabilities of the minimiser (the loss gradient P - Y is unique and certified; Z is not
    bounded by a CE certificate, and near c = 1 - delta, where s* -> 0, a gap of 1e-13 leaves s*
    uncertain by ~1e-5 relative). p = 1 - (K-1)(delta + c)/K on the true class is s*'s optimality
    condition, s* = log(p (K-1)/(1 - p))."""
    inst = ctx.instance
    assert inst.c is not None
    P = certified_probabilities(ctx)
    return {
        "softmax(W Hbar + b1^T) = p* on the true class, (delta+c)/K elsewhere": frobenius_gap(
            P, predicted_probabilities(inst.K, inst.c, delta)
        )
    }


def constants(ctx: Context) -> Residuals:
    """The derived scale s* = log((K - (K-1)c)/c)_+, as the certified softmax probabilities."""
    return constants_residuals(ctx, 0.0)


_HYP = ("cross_entropy", "one_hot", "balanced")

CLAIM = Claim(
    id="zhu-theorem-3.1",
    title="Cross-entropy, balanced: every global minimiser is neural collapse (Zhu et al. 2021)",
    statement=r"$h_{k,i} = \sqrt{\frac{\lambda_W}{\lambda_H n}}\,w^k$, $\frac{1}{\|w\|^2}WW^\top = \frac{K}{K-1}(I - J)$, $b = b^\star 1$ with $b^\star = 0$ unless $\lambda_b = 0$",
    reference="Theorem 3.1, Zhu et al., NeurIPS 2021 (arXiv 2105.02375)",
    hypotheses=_HYP,
    conclusion=conclusion,
    derivation="ce-etf",
    group="zhu-theorem-3.1",
    notes="d >= K only (d = K - 1 of the theorem is outside the convex reformulation); at c >= 1 "
    "the minimiser is 0 and the ETF statement is degenerate.",
)

CONSTANTS = Claim(
    id="zhu-theorem-3.1-constants",
    title="Derived scale of the cross-entropy ETF: s* = log((K - (K-1)c)/c) for c < 1, else 0",
    statement=r"$\bar Z = s^\star(I-J)$, $s^\star = \log\frac{K-(K-1)c}{c}$ if $c<1$, $0$ otherwise; equivalently $\mathrm{softmax}(\bar z_k + b)_k = 1 - \frac{(K-1)c}{K}$ (checked: the certificate resolves the probabilities)",
    reference="derived by nc-verify (proofs/ce_zhu_theorem31.py)",
    hypotheses=_HYP,
    conclusion=constants,
    derivation="ce-etf",
    kind="derived",
    group="zhu-theorem-3.1",
)


def theory(ctx: Context) -> dict[str, tuple[object, object]]:
    Hbar = ctx.solution.Hbar
    return {"Hbar^T Hbar = k s* (I - J)": (predicted_gram(ctx), Hbar.T @ Hbar)}


def main() -> None:
    """One-hot cross-entropy, K = 3, n = 10, lambda_b = 0."""
    from verify import Instance
    from verify.claims.beside import print_beside
    from verify.losses import get_loss

    print_beside(
        CLAIM, Instance(np.eye(3), (10, 10, 10), 3, 5e-3, 5e-3, 0.0, loss=get_loss("ce")), theory
    )


if __name__ == "__main__":
    main()
