r"""Theorem IV.4: self-duality up to rotation (NC3') for any encoding, balanced data.

:math:`W^\top W = \kappa^2 \bar H \bar H^\top` with :math:`\kappa = \sqrt{\lambda_H n / \lambda_W}`,
equivalently :math:`W^\top = \kappa \bar H Q^\top` for an orthogonal Q.

Proof replay: :math:`W^\top(6) - (7)H^\top` gives :math:`\lambda_W N W^\top W = \lambda_H N HH^\top`,
then :math:`H = \bar H C` and :math:`CC^\top = nI`. With imbalanced counts the same steps give
:math:`\lambda_W W^\top W = \lambda_H \bar H\,\mathrm{diag}(n_k)\bar H^\top` instead; relaxing
``balanced`` takes n = N/K and also reports the best kappa and Q (Procrustes).
"""

from verify.claims import Claim, Context, Residuals
from verify.claims.residuals import frobenius_gap
from verify.geometry import procrustes_nc3prime


def conclusion(ctx: Context) -> Residuals:
    inst, s = ctx.instance, ctx.solution
    n = inst.n or inst.N / inst.K
    kappa2 = inst.lambda_H * n / inst.lambda_W
    Hbar = s.Hbar
    return {
        "W^T W = kappa^2 Hbar Hbar^T, kappa^2 = lambda_H n / lambda_W": frobenius_gap(
            s.W.T @ s.W, kappa2 * Hbar @ Hbar.T, ctx.floor("WtW")
        ),
        "W^T = kappa Hbar Q^T for some Q, kappa (Procrustes)": procrustes_nc3prime(
            s.W, Hbar
        ).residual,
    }


CLAIM = Claim(
    id="theorem-IV.4",
    title="NC3' (self-duality up to rotation) for any encoding",
    statement=r"$W^\top W = \kappa^2\bar H\bar H^\top$, $\kappa = \sqrt{\lambda_H n/\lambda_W}$",
    reference="Theorem IV.4, arXiv 2606.00344",
    hypotheses=("balanced",),
    conclusion=conclusion,
    derivation="theorem-IV.4",
)
