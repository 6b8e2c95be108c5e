r"""Theorem III.1 (Zhou et al. 2022, Thm 3.1): one-hot labels, balanced data, :math:`c < 1`.

With :math:`c = K\sqrt{n\lambda_W\lambda_H} < 1`, every global minimiser has
:math:`H = \bar H C`, :math:`W^\top = \sqrt{n\lambda_H/\lambda_W}\,\bar H` and

.. math::

    \bar H^\top \bar H = \begin{cases} \alpha_1 (I - J) & \lambda_b \le \frac{c}{1-c} \\
        \alpha_2 (I - \frac{c}{\lambda_b(1-c)} J) & \text{otherwise} \end{cases},
    \qquad
    b = \begin{cases} \frac{1}{1+\lambda_b}\frac{1_K}{K} & \lambda_b \le \frac{c}{1-c} \\
        \frac{c}{\lambda_b}\frac{1_K}{K} & \text{otherwise} \end{cases}

for some :math:`\alpha_1, \alpha_2 > 0`. The paper leaves the constants unnamed;
``verify.symbolic.theorem_iii1`` derives :math:`\alpha_1 = \alpha_2 = (1-c)\sqrt{\lambda_W/(n\lambda_H)}`
general in K and the second claim here, ``theorem-III.1-constants``, checks the derived closed
forms (also for :math:`c \ge 1`, where the minimiser is W = H = 0).
"""

import math

import numpy as np

from verify.claims import Claim, Context, Residuals
from verify.claims.residuals import frobenius_gap, nc1_scatter, shape_fit


def conclusion(ctx: Context) -> Residuals:
    inst, s = ctx.instance, ctx.solution
    K, n, c, lb = inst.K, inst.n, inst.c, inst.lambda_b
    assert n is not None and c is not None
    J = np.ones((K, K)) / K
    threshold = inst.threshold  # c/(1-c), inf when c >= 1 (outside the hypotheses)
    assert threshold is not None
    if lb <= threshold:
        S, b_paper = np.eye(K) - J, 1 / (1 + lb) / K
    else:
        S, b_paper = np.eye(K) - c / (lb * (1 - c)) * J, c / lb / K
    Hbar = s.Hbar
    _, gram = shape_fit(Hbar.T @ Hbar, S, ctx.floor("gram"))
    kappa = math.sqrt(n * inst.lambda_H / inst.lambda_W)
    return {
        "NC1: H = Hbar C": nc1_scatter(inst, s.H, ctx.floor("H")),
        "NC3: W^T = sqrt(n lambda_H / lambda_W) Hbar": frobenius_gap(
            s.W.T, kappa * Hbar, ctx.floor("W")
        ),
        "(4): Hbar^T Hbar = alpha (I - shift J), alpha > 0": gram,
        "(5): b": frobenius_gap(s.b, np.full(K, b_paper), ctx.floor("b")),
    }


def constants(ctx: Context) -> Residuals:
    from verify.symbolic.theorem_iii1 import lambdified

    inst, s = ctx.instance, ctx.solution
    assert inst.n is not None
    b, G = lambdified()(inst.K, inst.n, inst.lambda_W, inst.lambda_H, inst.lambda_b)
    Hbar = s.Hbar
    return {
        "b = derived closed form": frobenius_gap(s.b, np.asarray(b, dtype=float), ctx.floor("b")),
        "Hbar^T Hbar = derived closed form": frobenius_gap(
            Hbar.T @ Hbar, np.asarray(G, dtype=float), ctx.floor("gram")
        ),
    }


CLAIM = Claim(
    id="theorem-III.1",
    title="One-hot, balanced: from simplex ETF to orthogonal frame as lambda_b grows",
    statement=r"$H = \bar H C$, $W^\top = \sqrt{n\lambda_H/\lambda_W}\,\bar H$, $\bar H^\top\bar H = \alpha_1(I-J)$ if $\lambda_b \le \frac{c}{1-c}$ else $\alpha_2(I - \frac{c}{\lambda_b(1-c)}J)$; $b = \frac{1}{1+\lambda_b}\frac{1}{K}$ resp. $\frac{c}{\lambda_b}\frac{1}{K}$",
    reference="Theorem III.1, arXiv 2606.00344 (Zhou et al. 2022, Thm 3.1)",
    hypotheses=("one_hot", "balanced", "c_below_1"),
    conclusion=conclusion,
    derivation="theorem-III.1",
)

CONSTANTS = Claim(
    id="theorem-III.1-constants",
    title="Derived closed forms: alpha_1 = alpha_2 = (1-c) sqrt(lambda_W/(n lambda_H)), and c >= 1",
    statement=r"$\bar H^\top \bar H = (1-c)\sqrt{\frac{\lambda_W}{n\lambda_H}}\,(I - s J)$ with $s = 1$ below the threshold, $s = \frac{c}{\lambda_b(1-c)}$ above; $W = H = 0$, $b = \frac{1}{1+\lambda_b}\frac{1}{K}$ when $c \ge 1$",
    reference="derived by nc-verify (the paper leaves alpha_1, alpha_2 unnamed)",
    hypotheses=("one_hot", "balanced"),
    conclusion=constants,
    derivation="theorem-III.1",
    kind="derived",
)
