r"""Theorem III.4: the bias centres the labels, for any encoding and any counts.

(a) With :math:`\lambda_b = 0` the optimal bias is :math:`b = Y 1_N / N`, and the problem
equals the bias-free UFM with centred labels :math:`Y - Y 1 1^\top / N` (same minimum, same WH).
(b) If the labels are centred, :math:`Y 1_N = 0`, then b = 0 for every :math:`\lambda_b \ge 0`.

Proof replay (``verify.symbolic.replay``): :math:`M_\gamma 1 = (1-\gamma) 1`, multiply (7) by 1,
then (8); invertibility of :math:`(1-\gamma)W^\top W + \lambda_H N I` is positive definiteness,
left to the numeric layer. Numeric check: (a) solves both problems, each certified.
"""

import math

import numpy as np

from verify.claims import Claim, Context, Residuals, relative
from verify.claims.residuals import frobenius_gap


def part_a(ctx: Context) -> Residuals:
    inst, s = ctx.instance, ctx.solution
    m = inst.Y.mean(axis=1)
    centred = inst.replace(encoding=inst.encoding - m[:, None], lambda_b=math.inf)
    t = ctx.solve(centred)
    return {
        "b = Y 1 / N": frobenius_gap(s.b, m, ctx.floor("b")),
        "same minimum as the bias-free UFM with centred labels": relative(
            abs(s.objective - t.objective), abs(s.objective), abs(t.objective)
        ),
        "same WH": frobenius_gap(s.Z, t.Z, ctx.floor("Z")),
    }


def part_b(ctx: Context) -> Residuals:
    inst, s = ctx.instance, ctx.solution
    scale = float(np.linalg.norm(inst.Y)) / math.sqrt(inst.N)  # rms label norm
    return {"b = 0": relative(float(np.linalg.norm(s.b)), scale, ctx.floor("b"))}


CLAIM_A = Claim(
    id="theorem-III.4(a)",
    title="Unregularised bias: b = Y1/N, and the problem is the bias-free UFM on centred labels",
    statement=r"$\lambda_b = 0 \Rightarrow b = \frac{1}{N} Y 1_N$ and the UFM equals the bias-free UFM with labels $Y - Y\frac{1 1^\top}{N}$",
    reference="Theorem III.4, first bullet, arXiv 2606.00344",
    hypotheses=("lambda_b_zero",),
    conclusion=part_a,
    derivation="theorem-III.4",
    group="theorem-III.4",
)

CLAIM_B = Claim(
    id="theorem-III.4(b)",
    title="Centred labels: b = 0 for every lambda_b",
    statement=r"$Y 1_N = 0 \Rightarrow b = 0$ for all $\lambda_b \ge 0$",
    reference="Theorem III.4, second bullet, arXiv 2606.00344",
    hypotheses=("labels_centred",),
    conclusion=part_b,
    derivation="theorem-III.4",
    group="theorem-III.4",
)
