r"""Proposition III.2: centring a shifted simplex ETF gives a simplex ETF.

If :math:`M = \alpha P (I - \beta J)` with P semi-orthogonal, then
:math:`M(I - J) = \alpha P (I - J)` for every :math:`\beta`, a simplex ETF.

Proof replay (``verify.symbolic.replay``): :math:`(I-\beta J)(I-J) = I - J` because
:math:`J^2 = J`, general in K; the Gram is :math:`\alpha^2 (I - J)`. Numeric check on SSETF
encodings (one-hot, label smoothing, random SSETFs, rotated one-hot); no solve is needed.
"""

from verify.claims import Claim, Context, Residuals
from verify.geometry import centring, simplex_etf_residual


def conclusion(ctx: Context) -> Residuals:
    M = ctx.instance.encoding
    return {"M(I - J) is a simplex ETF": simplex_etf_residual(M @ centring(M.shape[1]))}


CLAIM = Claim(
    id="proposition-III.2",
    title="Centring an SSETF gives a simplex ETF",
    statement=r"$M = \alpha P(I - \beta J) \Rightarrow M(I - J)$ is a simplex ETF",
    reference="Proposition III.2, arXiv 2606.00344",
    hypotheses=("ssetf_encoding",),
    conclusion=conclusion,
    derivation="proposition-III.2",
)
