r"""Lemma III.3: first-order conditions of the UFM with a regularised bias.

For any encoding and any class counts, every global minimiser satisfies, with
:math:`\gamma = 1/(1+\lambda_b)` and :math:`M_\gamma = I_N - \gamma 1 1^\top / N`,

.. math::

    Y M_\gamma H^\top = W H M_\gamma H^\top + \lambda_W N W, \quad
    W^\top Y M_\gamma = W^\top W H M_\gamma + \lambda_H N H, \quad
    b = \tfrac{\gamma}{N}(Y - WH) 1_N.

Proof replay: SymPy differentiates the objective (entry-wise and by matrix calculus), solves
for b and substitutes (``verify.symbolic.lemma_iii3``); the step "a global minimiser is a
stationary point" is not algebra. Numeric check: the relative residuals of (6)-(8) at
certified global minimisers, for any encoding, counts and lambda_b in [0, inf].
"""

from verify.claims import Claim, Context, Residuals


def conclusion(ctx: Context) -> Residuals:
    r = ctx.solution.certificate.residuals
    return {"(6)": r["(6)"], "(7)": r["(7)"], "(8)": r["(8)"]}


CLAIM = Claim(
    id="lemma-III.3",
    title="First-order optimality conditions (6)-(8)",
    statement=r"$YM_\gamma H^\top = WHM_\gamma H^\top + \lambda_W N W$, $W^\top Y M_\gamma = W^\top W H M_\gamma + \lambda_H N H$, $b = \frac{\gamma}{N}(Y - WH)1_N$",
    reference="Lemma III.3, arXiv 2606.00344",
    hypotheses=(),
    conclusion=conclusion,
    derivation="lemma-III.3",
)
