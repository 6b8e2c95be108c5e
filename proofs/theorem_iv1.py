r"""Theorem IV.1: variability collapse (NC1) for any encoding, balanced data.

Every global minimiser has :math:`H = \bar H C`. The proof (Jensen's inequality per class,
(10)-(11)) never uses balance, and the text before the theorem claims imbalanced data too:
``verify hunt theorem-IV.1 --relax balanced`` tests that generalisation.

Proof replay: the identity :math:`\sum_i\|h_i\|^2 - n\|\bar h\|^2 = \sum_i \|h_i - \bar h\|^2` is
algebra; the inequalities are left to the numeric layer. Numeric check: the relative
within-class scatter of H at certified minimisers. The certificate bounds it for *every*
approximate minimiser: :math:`\sum_i\|h_i - \bar h_{y_i}\|^2 \le 2\,\mathrm{gap}/\lambda_H`.
"""

from verify.claims import Claim, Context, Residuals
from verify.claims.residuals import nc1_scatter


def conclusion(ctx: Context) -> Residuals:
    return {"NC1: H = Hbar C": nc1_scatter(ctx.instance, ctx.solution.H, ctx.floor("H"))}


CLAIM = Claim(
    id="theorem-IV.1",
    title="Variability collapse (NC1) for any encoding",
    statement=r"$H = \bar H C$",
    reference="Theorem IV.1, arXiv 2606.00344",
    hypotheses=("balanced",),
    conclusion=conclusion,
    derivation="theorem-IV.1",
)
