r"""Corollary IV.2: if the optimal class means form an SSETF, NC2 holds.

For balanced data and any encoding: if :math:`\bar H` is an SSETF then
:math:`\bar H (I - J)` is a simplex ETF. It follows from Proposition III.2; the numeric check
evaluates the conclusion on every certified instance where the premise holds (instances whose
class means are not an SSETF are counted as vacuous). An SSETF has :math:`\alpha > 0`, so the
premise also asks the certificate to prove the centred class means non-zero
(:func:`~verify.claims.residuals.centred_means_nonzero`): where they are within the solver's
error of zero (c at a singular value of the encoding) their shape is rounding noise.

Proof replay (:func:`derive`): Proposition III.2's centring steps with :math:`\bar H` for M, and
their application to the one-hot minimiser of Theorem III.1: its Gram
:math:`\alpha_2(I - qJ)` is the Gram of the SSETF :math:`\sqrt{\alpha_2}P(I - \beta J)` with
:math:`(1-\beta)^2 = 1 - q` (derived), and below the threshold :math:`\alpha_1(I - J)` is the
SSETF with :math:`\beta = 1`. Label smoothing (Sec. IV-B), :math:`(1-\delta)I + \delta J`, is the
SSETF with :math:`\alpha = 1 - \delta`, :math:`\beta = -\delta/(1-\delta)` (derived; the paper
prints the opposite sign). ``python -m proofs.corollary_iv2`` prints the centred Gram
:math:`\alpha_2(I - J)` of Theorem III.1's closed forms beside a certified one-hot solution.
"""

from __future__ import annotations

import math
from functools import lru_cache

import sympy as sp

from verify.claims import Claim, Context, Residuals
from verify.claims.residuals import centred_means_nonzero
from verify.geometry import centring, simplex_etf_residual, ssetf_fit
from verify.symbolic import Derivation, algebra_step, compare, numeric_step, register
from verify.symbolic.pairs import IJ, J_PAIR, ONE, Pair
from verify.symbolic.symbols import c, lambda_b

from .proposition_iii2 import beta, centring_steps
from .theorem_iii1 import derive as derive_theorem_iii1
from .theorem_iii1 import lambdified

__all__ = ["CLAIM", "derive", "theory"]


@register("corollary-IV.2")
@lru_cache(maxsize=1)
def derive() -> Derivation:
    r"""Corollary IV.2, and its application to the one-hot minimiser of Theorem III.1.

    Theorem III.1's Gram :math:`\alpha_2(I - qJ)` is the Gram of the SSETF
    :math:`\sqrt{\alpha_2}P(I - \beta J)` with :math:`(1-\beta)^2 = 1 - q` (derived).
    """
    ex = derive_theorem_iii1().expressions
    a2, q, thr = ex["alpha_2_c"], ex["gram_above_shift_c"], ex["threshold_c"]
    roots = sp.solve((1 - beta) ** 2 - (1 - q), beta)
    # the root with beta < 1; the other, 1 + sqrt(1 - q), is the same frame with P(I - 2J)
    beta_above = min(roots, key=lambda r: float(r.subs({c: sp.Rational(1, 4), lambda_b: 2})))
    G_above, G_below = Pair(a2, a2 * (1 - q)), Pair(ex["alpha_1_c"], 0)
    # Label smoothing (Sec. IV-B): solve (1-delta)(I-J) + J = alpha (I - beta J) for alpha, beta
    delta, a_s, b_s = sp.Symbol("delta", positive=True), sp.Symbol("a"), sp.Symbol("b")
    smooth = (1 - delta) * ONE + delta * J_PAIR
    (alpha_ls, beta_ls), *_ = sp.solve(
        list((a_s * (ONE - b_s * J_PAIR) - smooth).as_tuple()), [a_s, b_s], dict=False
    )
    paper_beta = compare(beta_ls, delta / (1 - delta))
    findings = (
        ()
        if paper_beta.holds
        else (
            f"Sec. IV-B: label smoothing is an SSETF with alpha = {alpha_ls}, beta = {beta_ls}; "
            "the paper's beta = delta/(1 - delta) has the wrong sign "
            f"({paper_beta.counterexample}).",
        )
    )
    ssetf = sp.sqrt(a2) * (ONE - beta_above * J_PAIR)
    steps = (
        *centring_steps("Hbar"),
        algebra_step("Theorem III.1, above the threshold: Gram alpha_2(I - qJ) is the Gram of "
                     "sqrt(alpha_2) P (I - beta J) with the derived beta.",
                     (ssetf * ssetf).as_tuple(), G_above.as_tuple()),
        algebra_step("1 - q = (lambda_b - c/(1-c))/lambda_b > 0 above the threshold, so beta is "
                     "real.", 1 - q, (lambda_b - thr) / lambda_b),
        algebra_step("Below the threshold the Gram alpha_1(I - J) is the SSETF with beta = 1.",
                     (sp.sqrt(ex["alpha_1_c"]) ** 2 * (IJ * IJ)).as_tuple(), G_below.as_tuple()),
        algebra_step("Centred Gram (I-J) G (I-J) = alpha_2 (I - J) above the threshold (NC2).",
                     (IJ * G_above * IJ).as_tuple(), (a2 * IJ).as_tuple()),
        algebra_step("Label smoothing (1-delta) I + delta J is the SSETF alpha (I - beta J) with "
                     "the derived alpha, beta.", (alpha_ls * (ONE - beta_ls * J_PAIR)).as_tuple(),
                     smooth.as_tuple()),
        algebra_step("Derived label-smoothing shift: beta = -delta/(1 - delta).", beta_ls,
                     -delta / (1 - delta)),
        numeric_step("A d x K matrix with Gram G (d >= K) is P G^(1/2) for some semi-orthogonal "
                     "P, so Hbar itself is an SSETF.", sp.Symbol("Hbar"),
                     sp.Symbol("P*G**(1/2)"), "polar decomposition; existence, not an identity"),
    )  # fmt: skip
    return Derivation("corollary-IV.2", "NC2 for SSETF class means; the one-hot minimiser",
                      {"beta_one_hot_above": beta_above, "beta_one_hot_below": sp.Integer(1),
                       "alpha_label_smoothing": alpha_ls, "beta_label_smoothing": beta_ls},
                      steps, findings)  # fmt: skip


def premise(ctx: Context) -> Residuals:
    return centred_means_nonzero(ctx) | {
        "Hbar is an SSETF": ssetf_fit(ctx.solution.Hbar, ctx.tol).residual
    }


def conclusion(ctx: Context) -> Residuals:
    Hbar = ctx.solution.Hbar
    return {"Hbar (I - J) is a simplex ETF": simplex_etf_residual(Hbar @ centring(Hbar.shape[1]))}


CLAIM = Claim(
    id="corollary-IV.2",
    title="SSETF class means satisfy NC2",
    statement=r"$\bar H$ SSETF $\Rightarrow \bar H(I-J)$ is a simplex ETF",
    premise_statement=r"$\bar H$ is an SSETF",
    reference="Corollary IV.2, arXiv 2606.00344",
    hypotheses=("balanced",),
    premise=premise,
    conclusion=conclusion,
    derivation="corollary-IV.2",
)


def theory(ctx: Context) -> dict[str, tuple[object, object]]:
    """For one-hot labels: the centred Gram (I - J) G (I - J) of Theorem III.1's derived Gram G
    (alpha_2 (I - J) above the threshold, alpha_1 (I - J) below) beside the certified one."""
    inst, Hbar = ctx.instance, ctx.solution.Hbar
    assert inst.n is not None
    _, G = lambdified()(inst.K, inst.n, inst.lambda_W, inst.lambda_H, inst.lambda_b)
    P = centring(inst.K)
    return {"(I - J) Hbar^T Hbar (I - J) = alpha (I - J)": (P @ G @ P, P @ Hbar.T @ Hbar @ P)}


def main() -> None:
    """One-hot labels, K = 3, n = 4, c = 1/4, above the threshold 1/3 (Hbar an SSETF, beta < 1)."""
    from verify import Instance
    from verify.claims.beside import print_beside
    from verify.encodings import one_hot

    mu = 0.25 / (3 * math.sqrt(4))
    print_beside(CLAIM, Instance(one_hot(3), (4, 4, 4), 3, 2 * mu, mu / 2, 2.0), theory)


if __name__ == "__main__":
    main()
