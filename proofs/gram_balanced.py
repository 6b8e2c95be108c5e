r"""The class-mean Gram of the UFM for any encoding, balanced data: a closed form, proved.

For balanced data (:math:`n_k = n`), :math:`d \ge K`, with :math:`A = \bar Y - b1_K^\top` at the
optimal bias and :math:`k = \sqrt{\lambda_W/(n\lambda_H)}`,

.. math::

    \bar H^\top \bar H = k\,\big(|A| - cI\big)_+, \qquad |A| = (A^\top A)^{1/2}, \qquad
    \lambda_b K b = \Pi_c(A)\,1_K,

where :math:`(\cdot)_+` and :math:`\Pi_c` act on the singular values (:math:`(\sigma - c)_+` and
:math:`\min(\sigma, c)`). The replay: the UFM's minimisers are the balanced factorisations of
the convex problem's (a cited lemma, checked on random matrices); for a fixed b the convex
problem is the proximal map of the nuclear norm, singular value thresholding (a cited lemma,
checked); :math:`Y - b1^\top = AC` with :math:`CC^\top = nI`, so the thresholding acts on
:math:`\sqrt n` times A's singular values at :math:`\tau = \sqrt n c`; the result is :math:`\bar Z C`
(class-structured), and the algebra of the balanced factors and of :math:`\nabla_b = 0` gives the
Gram and the bias equation. ``python -m proofs.gram_balanced`` prints the closed form beside a
certified solution.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp
from sympy.matrices.expressions.kronecker import KroneckerProduct, combine_kronecker

from verify.claims import Claim, Context, Residuals
from verify.claims.residuals import frobenius_gap
from verify.symbolic import Derivation, algebra_step, lemma_step, register
from verify.symbolic.symbols import K, c, c_of, lambda_b, lambda_H, lambda_W, n

__all__ = ["CLAIM", "derive", "predicted_gram"]


def _check_factorisation() -> tuple[bool, str]:
    """min over WH = Z of lambda_W/2||W||^2 + lambda_H/2||H||^2 = mu||Z||_*, at the balanced factors."""
    from verify import Instance
    from verify.solve.factor import balanced_factors

    rng = np.random.default_rng(0)
    worst = 0.0
    for trial in range(20):
        K_, N_ = 3 + trial % 3, 7 + trial
        inst = Instance(np.eye(K_), (N_ // K_,) * (K_ - 1) + (N_ - (N_ // K_) * (K_ - 1),), K_ + 1,
                        *10.0 ** rng.uniform(-2, 1, 2))  # fmt: skip
        Z = rng.standard_normal((K_, inst.N))
        W, H = balanced_factors(inst, Z)
        nuclear = inst.mu * np.linalg.svd(Z, compute_uv=False).sum()
        value = inst.lambda_W / 2 * np.sum(W**2) + inst.lambda_H / 2 * np.sum(H**2)
        R = rng.standard_normal((inst.d, inst.d))  # any other factorisation costs at least as much
        other = inst.lambda_W / 2 * np.sum((W @ R) ** 2) + inst.lambda_H / 2 * np.sum(
            (np.linalg.solve(R, H)) ** 2
        )
        worst = max(
            worst, np.linalg.norm(W @ H - Z) / np.linalg.norm(Z), abs(value - nuclear) / nuclear
        )
        if other < nuclear * (1 - 1e-12):
            return False, f"a factorisation cheaper than mu ||Z||_* at trial {trial}"
    ok = worst < 1e-12
    return (
        ok,
        f"20 random Z: WH = Z and the cost equals mu ||Z||_* to within {max(worst, 1e-12):.0e}; random other factorisations cost more",
    )


def _check_svt() -> tuple[bool, str]:
    """Z = U (Sigma - tau)_+ V^T satisfies 0 in Z - X + tau d||Z||_* (it is the prox)."""
    rng = np.random.default_rng(1)
    worst = 0.0
    for trial in range(20):
        X = rng.standard_normal((3 + trial % 4, 5 + trial))
        U, s, Vt = np.linalg.svd(X, full_matrices=False)
        tau = float(np.median(s))
        Z = (U * np.clip(s - tau, 0, None)) @ Vt
        G = (X - Z) / tau  # must be a subgradient of ||.||_* at Z: ||G||_2 <= 1, <G, Z> = ||Z||_*
        spectral = np.linalg.norm(G, 2)
        dual = abs(np.vdot(G, Z) - np.linalg.svd(Z, compute_uv=False).sum())
        worst = max(worst, spectral - 1, dual)
    ok = worst < 1e-12
    return (
        ok,
        f"20 random X: X - SVT(X) is tau times a subgradient of the nuclear norm to within {max(worst, 1e-12):.0e}",
    )


@register("gram-balanced")
@lru_cache(maxsize=1)
def derive() -> Derivation:
    """The replay of the closed form."""
    N = n * K
    mu = sp.sqrt(lambda_W * lambda_H)
    q, z, e, bb = sp.symbols("q z e b", positive=True)
    C = KroneckerProduct(sp.Identity(K), sp.OneMatrix(1, n))
    ones_N = KroneckerProduct(sp.OneMatrix(K, 1), sp.OneMatrix(n, 1))
    A = sp.MatrixSymbol("A", K, K)
    Zbar = sp.MatrixSymbol("Zbar", K, K)
    CCt = combine_kronecker(C * C.T).doit()
    s4 = (lambda_H / lambda_W) ** sp.Rational(1, 4)
    k = sp.sqrt(lambda_W / (n * lambda_H))
    steps = (
        lemma_step(
            "The UFM's global minimisers are the balanced factorisations W, H of the minimisers "
            "Z = WH of the convex problem (d >= K): the least lambda_W/2||W||^2 + "
            "lambda_H/2||H||^2 with WH = Z is mu ||Z||_*, mu = sqrt(lambda_W lambda_H).",
            "Srebro, Rennie & Jaakkola 2005 (nuclear norm as a minimum over factorisations)",
            _check_factorisation,
        ),
        lemma_step(
            "Singular value thresholding is the proximal map of the nuclear norm: "
            "argmin_Z 1/2||Z - X||^2 + tau||Z||_* = U(Sigma - tau)_+ V^T.",
            "Cai, Candes & Shen 2010, Theorem 2.1",
            _check_svt,
        ),
        algebra_step(
            "For fixed b: 1/(2N)||Z - X||^2 + mu||Z||_* = (1/N)(1/2||Z - X||^2 + N mu ||Z||_*), "
            "so Z = SVT of X = Y - b1^T at tau = N mu.",
            q / (2 * N) + mu * z,
            (q / 2 + N * mu * z) / N,
        ),
        algebra_step("tau = N mu = sqrt(n) c.", N * mu, sp.sqrt(n) * c_of),
        algebra_step(
            "C^T 1_K = 1_N (C = I_K kron 1_n^T), so Y - b 1_N^T = (Ybar - b 1_K^T) C = A C.",
            combine_kronecker(C.T * KroneckerProduct(sp.OneMatrix(K, 1), sp.Identity(1))).doit(),
            ones_N,
        ),
        algebra_step("C C^T = n I_K.", CCt, n * sp.Identity(K)),
        algebra_step(
            "(AC)(AC)^T = n A A^T: A C has the singular values sqrt(n) sigma of A, with left "
            "vectors U and right vectors C^T V / sqrt(n) (orthonormal, as C C^T = n I).",
            A * CCt * A.T,
            n * A * A.T,
        ),
        algebra_step(
            "Above the threshold (sigma = c + e): sqrt(n) sigma - tau = sqrt(n)(sigma - c); "
            "below it both are cut to 0. So Z = U (Sigma - c)_+ V^T C = Zbar C: NC1.",
            sp.sqrt(n) * (c + e) - sp.sqrt(n) * c,
            sp.sqrt(n) * e,
        ),
        algebra_step(
            "The class means of Z = Zbar C are Zbar: Z C^T / n = Zbar.",
            Zbar * CCt / n,
            Zbar,
        ),
        algebra_step(
            "Balanced factors (verify.solve.factor): H^T H = s^-2 V_Z Sigma_Z V_Z^T with "
            "s = (lambda_H/lambda_W)^(1/4), and s^-2 = sqrt(lambda_W/lambda_H).",
            s4**-2,
            sp.sqrt(lambda_W / lambda_H),
        ),
        algebra_step(
            "Hbar^T Hbar = C H^T H C^T / n^2 with C V_Z = sqrt(n) V and Sigma_Z = sqrt(n)"
            "(Sigma - c)_+: the coefficient of V (Sigma - c)_+ V^T = (|A| - cI)_+ is "
            "s^-2 n sqrt(n) / n^2 = sqrt(lambda_W/(n lambda_H)).",
            sp.sqrt(lambda_W / lambda_H) * n * sp.sqrt(n) / n**2,
            k,
        ),
        algebra_step(
            "X - SVT(X) clips the singular values: sigma - (sigma - tau)_+ = min(sigma, tau) "
            "(above the threshold, sigma = tau + e).",
            (c + e) - e,
            c,
        ),
        algebra_step(
            "grad_b = 0: lambda_b N b = (Y - b1^T - Z) 1_N = Pi_tau(AC) 1_N = "
            "n Pi_c(A) 1_K (C 1_N = n 1_K, the clip scales by sqrt(n) as above), so "
            "lambda_b K b = Pi_c(A) 1_K.",
            (lambda_b * N * bb) / n,
            lambda_b * K * bb,
        ),
    )  # fmt: skip
    return Derivation(
        "gram-balanced",
        "The class-mean Gram for any encoding, balanced data",
        {"k": k, "tau": sp.sqrt(n) * c},
        steps,
    )


def predicted_gram(ctx: Context) -> np.ndarray:
    """k (|Ybar - b 1^T| - c I)_+ at the certified solution's bias."""
    inst, s = ctx.instance, ctx.solution
    n_, c_ = inst.n, inst.c
    assert n_ is not None and c_ is not None
    A = inst.encoding - np.outer(s.b, np.ones(inst.K))
    _, sig, Vt = np.linalg.svd(A)
    k_ = np.sqrt(inst.lambda_W / (n_ * inst.lambda_H))
    return k_ * (Vt.T * np.clip(sig - c_, 0.0, None)) @ Vt


def gram_balanced(ctx: Context) -> Residuals:
    Hbar = ctx.solution.Hbar
    return {
        "Hbar^T Hbar = k (|Ybar - b 1^T| - c I)_+": frobenius_gap(
            Hbar.T @ Hbar, predicted_gram(ctx), ctx.floor("gram")
        ),
    }


CLAIM = Claim(
    id="gram-balanced",
    title="Closed form of the class-mean Gram for any encoding, balanced data",
    statement=r"$\bar H^\top\bar H = \sqrt{\frac{\lambda_W}{n\lambda_H}}\,(|\bar Y - b1^\top| - cI)_+$ with $\lambda_b K b = \Pi_c(\bar Y - b1^\top)1$",
    reference="derived by nc-verify (proofs/gram_balanced.py)",
    hypotheses=("balanced",),
    conclusion=gram_balanced,
    derivation="gram-balanced",
    kind="derived",
)


def theory(ctx: Context) -> dict[str, tuple[object, object]]:
    Hbar = ctx.solution.Hbar
    return {"Hbar^T Hbar = k(|A| - cI)_+": (predicted_gram(ctx), Hbar.T @ Hbar)}


def main() -> None:
    """Label smoothing (delta = 0.2), K = 3, n = 10, with a regularised bias."""
    from verify import Instance
    from verify.claims.beside import print_beside
    from verify.encodings import label_smoothing

    print_beside(CLAIM, Instance(label_smoothing(3, 0.2), (10, 10, 10), 3, 5e-3, 5e-3, 1.0), theory)


if __name__ == "__main__":
    main()
