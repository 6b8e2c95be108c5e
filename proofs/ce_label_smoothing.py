r"""Zhou et al. (NeurIPS 2022): under label smoothing the balanced global minimisers are neural collapse.

Source: J. Zhou, C. You, X. Li, K. Liu, S. Liu, Q. Qu, Z. Zhu, "Are all losses created equal: a
neural collapse perspective", NeurIPS 2022 (arXiv 2210.02192). Their claim, as
docs/BEYOND.md states it: for balanced data (:math:`n_1 = \dots = n_K = n`) and a feature
dimension at least the number of classes, the global minimisers of the UFM with weight decay under
label smoothing (as under CE and MSE) are neural-collapse solutions: NC1, the classifier rows a
simplex ETF with equal norms, NC3 :math:`h_{k,i} = \sqrt{\lambda_W/(\lambda_H n)}\,w^k`, and
:math:`b = b^\star 1`. The loss is cross-entropy on the soft targets
:math:`\bar Y = (1-\delta)I_K + \frac{\delta}{K}11^\top` (convex; the paper's focal loss is not, and is
kept out of the certified engine). (The full text was not in the stored sources; the hypotheses
above are the paper's setting as quoted in docs/BEYOND.md.)

Derived here (``ce-etf``, the replay shared with ``proofs/ce_zhu_theorem31.py``, general in
:math:`\delta`): :math:`\bar Z = s^\star(I - J)` with
:math:`s^\star = \log\frac{K - (K-1)(\delta + c)}{\delta + c}` when :math:`\delta + c < 1`, else 0:
label smoothing shrinks the ETF and moves the zero-minimiser boundary from :math:`c = 1` to
:math:`c = 1 - \delta` (the MSE level of the same encoding, where its centred scale is
:math:`1 - \delta`). The bias is 0 for :math:`\lambda_b > 0` (the smoothed labels still have
:math:`\bar Y 1 = 1`).
"""

from __future__ import annotations

import math

from verify.claims import Claim, Context, Residuals

from .ce_zhu_theorem31 import (
    bias_residuals,
    constants_residuals,
    etf_scale,
    nc_residuals,
    predicted_gram,
)

__all__ = ["CLAIM", "CONSTANTS", "smoothing"]


def smoothing(ctx: Context) -> float:
    r"""The :math:`\delta` of :math:`\bar Y = (1-\delta)I + \frac\delta K 11^\top` (0 for one-hot)."""
    return float(ctx.instance.encoding[1, 0]) * ctx.instance.K


def conclusion(ctx: Context) -> Residuals:
    return nc_residuals(ctx) | bias_residuals(ctx)


def constants(ctx: Context) -> Residuals:
    """s* = log((K - (K-1)(delta+c))/(delta+c))_+, as the certified softmax probabilities."""
    return constants_residuals(ctx, smoothing(ctx))


_HYP = ("cross_entropy", "label_smoothing", "balanced")

CLAIM = Claim(
    id="zhou-2022-label-smoothing",
    title="Label smoothing, balanced: every global minimiser is neural collapse (Zhou et al. 2022)",
    statement=r"$\bar Y = (1-\delta)I + \frac\delta K 11^\top$: $h_{k,i} = \sqrt{\frac{\lambda_W}{\lambda_H n}}\,w^k$, $WW^\top \propto I - J$, $b = b^\star 1$, $b^\star = 0$ unless $\lambda_b = 0$",
    reference="Zhou et al., NeurIPS 2022 (arXiv 2210.02192), label smoothing",
    hypotheses=_HYP,
    conclusion=conclusion,
    derivation="ce-etf",
    group="zhou-2022-label-smoothing",
)

CONSTANTS = Claim(
    id="zhou-2022-label-smoothing-constants",
    title="Derived scale under label smoothing: s* = log((K - (K-1)(delta+c))/(delta+c)), 0 from c = 1 - delta",
    statement=r"$\bar Z = s^\star(I-J)$, $s^\star = \log\frac{K-(K-1)(\delta+c)}{\delta+c}$ if $\delta + c<1$, $0$ otherwise; checked as $\mathrm{softmax}(\bar z_k + b)_k = 1 - \frac{(K-1)(\delta+c)}{K}$",
    reference="derived by nc-verify (proofs/ce_label_smoothing.py)",
    hypotheses=_HYP,
    conclusion=constants,
    derivation="ce-etf",
    kind="derived",
    group="zhou-2022-label-smoothing",
)


def theory(ctx: Context) -> dict[str, tuple[object, object]]:
    inst = ctx.instance
    assert inst.c is not None
    s = etf_scale(inst.K, inst.c, smoothing(ctx))
    Hbar = ctx.solution.Hbar
    return {f"Hbar^T Hbar = k s* (I - J), s* = {s:.6g}": (predicted_gram(ctx, smoothing(ctx)), Hbar.T @ Hbar)}  # fmt: skip


def main() -> None:
    """Label smoothing (delta = 0.2) under cross-entropy, K = 3, n = 10, for lambda_b = 0, 1, inf."""
    from verify import Instance
    from verify.claims.beside import print_beside
    from verify.encodings import label_smoothing
    from verify.losses import get_loss

    for lb in (0.0, 1.0, math.inf):
        inst = Instance(
            label_smoothing(3, 0.2), (10, 10, 10), 3, 5e-3, 5e-3, lb, loss=get_loss("ce")
        )
        print_beside(CLAIM, inst, theory)


if __name__ == "__main__":
    main()
