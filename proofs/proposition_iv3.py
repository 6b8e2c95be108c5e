r"""Proposition IV.3: rotating the labels rotates the classifier, not the features.

For any encoding, counts and orthogonal Q, the global minimisers for labels QY are exactly
:math:`(QW, H, Qb)` for the minimisers (W, H, b) for labels Y.

Minimisers are unique up to an orthogonal map of the feature space (``verify.solve.factor``),
so the check compares what that freedom leaves fixed: :math:`WH`, b, the minimum and the Gram
:math:`H^\top H`, each between the certified solution for QY and the transformed one for Y.
"""

from verify.claims import Claim, Context, Residuals, relative
from verify.claims.residuals import frobenius_gap, gram_gap


def conclusion(ctx: Context) -> Residuals:
    Q = ctx.case.Q
    assert Q is not None
    s = ctx.solution
    t = ctx.solve(ctx.instance.replace(encoding=Q @ ctx.instance.encoding))
    return {
        "W_Q H_Q = Q W H": frobenius_gap(t.Z, Q @ s.Z, ctx.floor("Z")),
        "b_Q = Q b": frobenius_gap(t.b, Q @ s.b, ctx.floor("b")),
        "same minimum": relative(
            abs(t.objective - s.objective), abs(s.objective), abs(t.objective)
        ),
        "H_Q^T H_Q = H^T H": gram_gap(t.H, s.H, ctx.floor("HHt")),
    }


CLAIM = Claim(
    id="proposition-IV.3",
    title="Orthogonal label transformations act on W and b only",
    statement=r"minimisers for $QY$ are $(QW, H, Qb)$",
    reference="Proposition IV.3, arXiv 2606.00344",
    hypotheses=(),
    conclusion=conclusion,
    derivation="proposition-IV.3",
    with_Q=True,
)
