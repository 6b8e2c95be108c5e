r"""The conjecture of Section IV-B: for balanced data, :math:`\bar H` is an SSETF if and only if
the encoding :math:`\bar Y` is an SSETF.

Hunted one direction at a time, where the certificate proves the class means non-zero
(:func:`hbar_nonzero`: at the zero minimiser the question has no content):

- ``conjecture-ssetf:if``: :math:`\bar Y` SSETF :math:`\Rightarrow \bar H` SSETF;
- ``conjecture-ssetf:only-if``: :math:`\bar H` SSETF :math:`\Rightarrow \bar Y` SSETF (a premise
  on the solution: instances whose class means are not an SSETF are vacuous).

What the engine's algebra gives (a derivation by nc-verify, not in the paper). For balanced
data, :math:`Y - b1_N^\top = \bar A C` with :math:`\bar A = \bar Y - b 1_K^\top` and
:math:`CC^\top = nI`, so the thresholding acts on :math:`\sqrt n\,\bar A` at :math:`\tau = \sqrt n c` and

.. math::

    \bar H^\top \bar H = \sqrt{\tfrac{\lambda_W}{n\lambda_H}}\,\big(|\bar A| - c I\big)_+,
    \qquad |\bar A| = (\bar A^\top \bar A)^{1/2},
    \qquad \lambda_b K b = \Pi_c(\bar A)\, 1_K,

with :math:`\Pi_c` clipping singular values at c (``gram-balanced``, proved in
:mod:`proofs.gram_balanced`). Two consequences, each a candidate amendment, and the corrected
theorem they lead to is proved in :mod:`proofs.ssetf_theorem`:

- *if*: for :math:`\bar Y = \alpha P(I - \beta J)` the bias is parallel to :math:`P1`, so
  :math:`|\bar A| = \alpha(I-J) + q J` and the Gram is an SSETF's exactly when :math:`\alpha > c`.
  When :math:`c \ge \alpha` the class means collapse (to zero, or onto one line) and are no SSETF.
- *only-if*: with :math:`\lambda_b > 0` the bias equation forces :math:`b \parallel O1` whenever
  the Gram has the SSETF form, so :math:`\bar Y` is an SSETF. With :math:`\lambda_b = 0` the bias
  is :math:`\bar Y 1/K` and only the centred encoding :math:`\bar Y(I-J)` matters: any
  :math:`\bar Y = \alpha O(I-J) + v1^\top` gives simplex-ETF class means whatever v is.

``python -m proofs.conjecture_ssetf`` prints the closed-form Gram beside the certified one for
label smoothing (an SSETF with :math:`\alpha = 1 - \delta`) at :math:`c < \alpha`, where the
class means are an SSETF, and at :math:`\alpha < c < 1` without a bias, where they collapse onto
one line (a counterexample to *if*).
"""

from __future__ import annotations

import math

from verify.claims import Claim, Context, Residuals
from verify.claims.residuals import hbar_nonzero
from verify.geometry import ssetf_fit


def hbar_is_ssetf(ctx: Context) -> Residuals:
    return {"Hbar is an SSETF": ssetf_fit(ctx.solution.Hbar, ctx.tol).residual}


def nonzero_and_ssetf(ctx: Context) -> Residuals:
    return hbar_nonzero(ctx) | hbar_is_ssetf(ctx)


def ybar_is_ssetf(ctx: Context) -> Residuals:
    return {"Ybar is an SSETF": ssetf_fit(ctx.instance.encoding, ctx.tol).residual}


IF = Claim(
    id="conjecture-ssetf:if",
    title="Conjecture, if: an SSETF encoding gives SSETF class means",
    statement=r"$\bar Y$ SSETF $\Rightarrow \bar H$ SSETF (balanced)",
    reference="Section IV-B, conjecture, arXiv 2606.00344",
    premise_statement=r"$\bar H \neq 0$ (certified)",
    hypotheses=("balanced", "ssetf_encoding"),
    premise=hbar_nonzero,
    conclusion=hbar_is_ssetf,
    kind="conjecture",
    group="conjecture-ssetf",
)

ONLY_IF = Claim(
    id="conjecture-ssetf:only-if",
    title="Conjecture, only if: SSETF class means need an SSETF encoding",
    statement=r"$\bar H$ SSETF $\Rightarrow \bar Y$ SSETF (balanced)",
    premise_statement=r"$\bar H \neq 0$ (certified) is an SSETF",
    reference="Section IV-B, conjecture, arXiv 2606.00344",
    hypotheses=("balanced",),
    premise=nonzero_and_ssetf,
    conclusion=ybar_is_ssetf,
    kind="conjecture",
    group="conjecture-ssetf",
)


def theory(ctx: Context) -> dict[str, tuple[object, object]]:
    """The balanced closed form of the Gram (``gram-balanced``) beside the certified one, and
    the SSETF-fit residual of the class means beside the conjecture's 0 (which it is not at a
    counterexample)."""
    from .gram_balanced import predicted_gram

    Hbar = ctx.solution.Hbar
    return {
        "Hbar^T Hbar = k(|Ybar - b1^T| - cI)_+": (predicted_gram(ctx), Hbar.T @ Hbar),
        "SSETF-fit residual of Hbar (the conjecture says 0)": (
            0.0,
            ssetf_fit(Hbar, ctx.tol).residual,
        ),
    }


def main() -> None:
    """Label smoothing, delta = 0.3 (alpha = 0.7), K = 3, n = 4: c = 0.36 with lambda_b = 1, and
    c = 0.84 without a bias, where only the direction 1 (singular value 1 > c) survives."""
    from verify import Instance
    from verify.claims.beside import print_beside
    from verify.encodings import label_smoothing

    for c, lb in ((0.36, 1.0), (0.84, math.inf)):
        mu = c / (3 * math.sqrt(4))
        print_beside(IF, Instance(label_smoothing(3, 0.3), (4, 4, 4), 3, mu, mu, lb), theory)


if __name__ == "__main__":
    main()
