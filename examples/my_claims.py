r"""My own claims about the UFM, written the way ``proofs/`` writes the paper's.

A claim is a frozen :class:`verify.claims.Claim`: an id, a statement, the hypotheses it assumes
(names from ``verify.claims.HYPOTHESES``; the strategies draw instances satisfying exactly
those) and a *conclusion*: a function of a :class:`verify.claims.Context` returning named
relative residuals, 0 when the conclusion holds exactly. ``ctx.solution`` is a certified global
minimiser (W, H, b) of ``ctx.instance``, so a residual is never computed on an uncertified solve.

Hunt them::

    verify hunt examples/my_claims.py:SELF_DUALITY_ANY_COUNTS --budget 200
    verify hunt examples/my_claims.py:BIAS_IS_MEAN_LABEL --budget 200

or assert them in a test suite::

    from verify.testing import assert_claim
    from my_claims import SELF_DUALITY_ANY_COUNTS

    def test_self_duality_any_counts():
        assert_claim(SELF_DUALITY_ANY_COUNTS, examples=50, seed=0)
"""

import numpy as np

from verify import Claim, Context, Residuals, frobenius_gap

# frobenius_gap(A, B, floor) = ||A - B||_F / (||A||_F + ||B||_F + floor): relative, and the floor
# keeps two values at rounding level (b = 0 computed as 1e-17 twice) from being "100% apart".


# --- a true claim: self-duality for any class counts -------------------------------------------
#
# Theorem IV.4 needs balanced data. Its proof gives, for any counts, lambda_W W^T W = lambda_H H H^T
# and, with NC1 (H = Hbar C) and C C^T = diag(n_1..n_K),
#
#     lambda_W W^T W = lambda_H Hbar diag(n_k) Hbar^T.


def self_duality_any_counts(ctx: Context) -> Residuals:
    inst, s = ctx.instance, ctx.solution
    lhs = inst.lambda_W * s.W.T @ s.W
    rhs = inst.lambda_H * s.Hbar @ np.diag(np.asarray(inst.counts, dtype=float)) @ s.Hbar.T
    floor = ctx.floor("WtW") * inst.lambda_W
    return {"lambda_W W^T W = lambda_H Hbar diag(n) Hbar^T": frobenius_gap(lhs, rhs, floor)}


SELF_DUALITY_ANY_COUNTS = Claim(
    id="my-self-duality-any-counts",
    title="Self-duality with the class counts as weights, for any counts",
    statement=r"$\lambda_W W^\top W = \lambda_H \bar H \operatorname{diag}(n_k) \bar H^\top$",
    reference="my derivation from the proof of Theorem IV.4",
    hypotheses=(),  # any encoding, any counts, any lambda_b
    conclusion=self_duality_any_counts,
    kind="user",
)


# --- a planted false claim: the bias is the mean label whatever lambda_b ----------------------
#
# Theorem III.4(a) says b = Y 1_N / N when lambda_b = 0. Claiming it for every lambda_b is wrong:
# the bias-free UFM (lambda_b = inf) has b = 0, and a regularised bias is shrunk.


def bias_is_mean_label(ctx: Context) -> Residuals:
    inst, s = ctx.instance, ctx.solution
    mean_label = inst.Y.mean(axis=1)
    return {"b = Y 1 / N": frobenius_gap(s.b, mean_label, ctx.floor("b"))}


BIAS_IS_MEAN_LABEL = Claim(
    id="my-bias-is-mean-label",
    title="The optimal bias is the mean label, for every lambda_b (planted: false)",
    statement=r"$b = \frac{1}{N} Y 1_N$ for every $\lambda_b \ge 0$",
    reference="a deliberate over-generalisation of Theorem III.4(a)",
    hypotheses=(),
    conclusion=bias_is_mean_label,
    kind="user",
)
