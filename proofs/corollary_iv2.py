r"""Corollary IV.2: if the optimal class means form an SSETF, NC2 holds.

For balanced data and any encoding: if :math:`\bar H` is an SSETF then
:math:`\bar H (I - J)` is a simplex ETF. It follows from Proposition III.2; the numeric check
evaluates the conclusion on every certified instance where the premise holds (instances whose
class means are not an SSETF are counted as vacuous). An SSETF has :math:`\alpha > 0`, so the
premise also asks the certificate to prove the centred class means non-zero
(:func:`~verify.claims.residuals.centred_means_nonzero`): where they are within the solver's
error of zero (c at a singular value of the encoding) their shape is rounding noise.
"""

from verify.claims import Claim, Context, Residuals
from verify.claims.residuals import centred_means_nonzero
from verify.geometry import centring, simplex_etf_residual, ssetf_fit


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
