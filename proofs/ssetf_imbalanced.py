r"""The SSETF theorem under class imbalance: the frame is taken with respect to the counts.

With :math:`D = \mathrm{diag}(n)`, ``gram-imbalanced`` gives
:math:`D^{1/2}\bar H^\top\bar H D^{1/2} = \sqrt{\lambda_W/\lambda_H}\,(|\tilde A| - \tau I)_+`,
:math:`\tilde A = (\bar Y - b1^\top)D^{1/2}`, :math:`\tau = N\mu`. The bias enters
:math:`\tilde A` as :math:`b(D^{1/2}1)^\top = \sqrt N\,b\,u^\top` with the unit vector
:math:`u = D^{1/2}1/\sqrt N`, so the natural frame is the algebra of :math:`I - J_u` and
:math:`J_u = uu^\top` (for balanced counts :math:`J_u = J`).

**Natural conjecture** (``conjecture-ssetf-imbalanced``, refuted): if the weighted encoding
:math:`\tilde Y = \bar Y D^{1/2}/\sqrt{\bar n}` is an SSETF (with respect to J) of scale
:math:`a > \bar c = K\sqrt{\bar n\lambda_W\lambda_H}`, then :math:`\bar H D^{1/2}` is an SSETF.
True for :math:`\lambda_b = \infty` (b = 0), false for finite :math:`\lambda_b` under imbalance.

**Theorem** (the balanced theorem with :math:`J \to J_u`, :math:`\bar Y \to \tilde Y`,
:math:`\bar H \to \bar HD^{1/2}`, :math:`c \to \bar c`, :math:`a = \|\tilde Y(I - J_u)\|_F/\sqrt{K-1}`):
for :math:`\lambda_b = 0`, :math:`\bar HD^{1/2} \ne 0` is a u-SSETF iff :math:`\tilde Y(I - J_u)`
is a scaled u-simplex ETF with :math:`a > \bar c`; for :math:`\lambda_b > 0`, iff :math:`\tilde Y`
is a u-SSETF with :math:`a > \bar c`. The proof of :mod:`proofs.ssetf_theorem` carries over
line by line (:math:`b1^\top D^{1/2}(I - J_u) = 0`; :math:`\lambda_b = 0`: :math:`b = \bar Yn/N`
so :math:`\tilde Au = 0`), except the symmetry lemma: for :math:`\lambda_b > 0` the bias equation
:math:`\lambda_bNb = \sqrt N\,\Pi_\tau(\tilde A)u` has a solution :math:`b = \theta Pu` (a scalar
equation, monotone in :math:`\theta`), and it is the unique one. Checked numerically here
(``theorem-ssetf-imbalanced:if`` / ``:only-if``), not replayed symbolically.
"""

from __future__ import annotations

import math

import numpy as np

from verify import Instance, regimes
from verify.claims import Claim, Context, Residuals, relative
from verify.claims.residuals import hbar_nonzero
from verify.geometry import ssetf_fit, weighted_frame_residual

__all__ = ["CONJECTURE", "IF", "ONLY_IF"]


def _weighted(instance: Instance) -> tuple[np.ndarray, np.ndarray]:
    """u = D^{1/2}1/sqrt(N) and the weighted encoding Ytilde = Ybar D^{1/2}/sqrt(nbar)."""
    return regimes.weights(instance.counts), regimes.weighted_encoding(
        instance.encoding, instance.counts
    )


def _centred_scale(ctx: Context) -> float:
    """a = ||Ytilde (I - J_u)||_F / sqrt(K - 1)."""
    u, Yw = _weighted(ctx.instance)
    return float(np.linalg.norm(Yw - np.outer(Yw @ u, u))) / math.sqrt(ctx.instance.K - 1)


def _above(ctx: Context) -> float:
    return (
        0.0
        if _centred_scale(ctx) > regimes.coupling(ctx.instance) * (1 + ctx.tol.boundary)
        else 1.0
    )


def condition(ctx: Context) -> Residuals:
    """lambda_b = 0: Ytilde (I - J_u) a scaled u-ETF; lambda_b > 0: Ytilde a u-SSETF; a > cbar."""
    inst = ctx.instance
    u, Yw = _weighted(inst)
    if inst.lambda_b == 0:
        # the u-centred part's Gram must be a^2 (I - J_u) (its J_u part is 0 by construction)
        shape = weighted_frame_residual(Yw - np.outer(Yw @ u, u), u, ctx.tol)
        key = "Ytilde (I - J_u) is a scaled u-simplex ETF"
    else:
        shape = weighted_frame_residual(Yw, u, ctx.tol)
        key = "Ytilde is a u-SSETF"
    return {key: shape, "a > cbar": _above(ctx)}


def _weighted_means(ctx: Context) -> np.ndarray:
    return ctx.solution.Hbar * np.sqrt(np.asarray(ctx.instance.counts, dtype=float))


def nonzero_u_ssetf(ctx: Context) -> Residuals:
    """Hbar D^{1/2} != 0 (certified), a u-SSETF, with the predicted u-centred coefficient."""
    inst = ctx.instance
    M = _weighted_means(ctx)
    u = regimes.weights(inst.counts)
    G = M.T @ M
    p = float(np.trace(G) - u @ G @ u) / (inst.K - 1)
    predicted = (
        math.sqrt(inst.lambda_W / inst.lambda_H)
        * math.sqrt(inst.N / inst.K)
        * (_centred_scale(ctx) - regimes.coupling(ctx.instance))
    )
    return {
        **hbar_nonzero(ctx),
        "Hbar D^(1/2) is a u-SSETF": weighted_frame_residual(M, u, ctx.tol),
        "u-centred coefficient": relative(
            abs(p - predicted), abs(p), abs(predicted), ctx.floor("gram")
        ),
    }


def premise_u_ssetf_means(ctx: Context) -> Residuals:
    M = _weighted_means(ctx)
    return hbar_nonzero(ctx) | {
        "Hbar D^(1/2) is a u-SSETF": weighted_frame_residual(
            M, regimes.weights(ctx.instance.counts), ctx.tol
        )
    }


def premise_j_ssetf_encoding(ctx: Context) -> Residuals:
    return {
        "Ytilde is an SSETF": ssetf_fit(_weighted(ctx.instance)[1], ctx.tol).residual,
        "a > cbar": _above(ctx),
    }


def hbar_weighted_is_ssetf(ctx: Context) -> Residuals:
    return {"Hbar D^(1/2) is an SSETF": ssetf_fit(_weighted_means(ctx), ctx.tol).residual}


IF = Claim(
    id="theorem-ssetf-imbalanced:if",
    title="Imbalance, if: a u-SSETF weighted encoding with a > cbar gives u-SSETF weighted class means",
    statement=r"$\bar YD^{1/2}/\sqrt{\bar n} = aQ(I - \beta J_u)$, $a > \bar c$ $\Rightarrow \bar HD^{1/2} \ne 0$ is a u-SSETF",
    reference="derived by nc-verify (proofs/ssetf_imbalanced.py)",
    hypotheses=("u_ssetf_encoding",),
    premise=condition,
    premise_statement=r"$a > \bar c$",
    conclusion=nonzero_u_ssetf,
    kind="derived",
    group="theorem-ssetf-imbalanced",
)

ONLY_IF = Claim(
    id="theorem-ssetf-imbalanced:only-if",
    title="Imbalance, only if: u-SSETF weighted class means need the weighted condition and a > cbar",
    statement=r"$\bar HD^{1/2} \ne 0$ a u-SSETF $\Rightarrow$ ($\lambda_b = 0$: $\tilde Y(I - J_u)$ a u-ETF; $\lambda_b > 0$: $\tilde Y$ a u-SSETF), $a > \bar c$",
    reference="derived by nc-verify (proofs/ssetf_imbalanced.py)",
    hypotheses=(),
    premise=premise_u_ssetf_means,
    premise_statement=r"$\bar HD^{1/2} \ne 0$ (certified) is a u-SSETF",
    conclusion=condition,
    kind="derived",
    group="theorem-ssetf-imbalanced",
)

CONJECTURE = Claim(
    id="conjecture-ssetf-imbalanced",
    title="Imbalance, the natural conjecture: an SSETF weighted encoding gives SSETF weighted class means",
    statement=r"$\bar YD^{1/2}/\sqrt{\bar n}$ an SSETF with $a > \bar c$ $\Rightarrow \bar HD^{1/2}$ an SSETF",
    reference="issue 15 (the imbalanced analogue of Sec. IV-B's conjecture)",
    hypotheses=("u_ssetf_encoding",),
    premise=premise_j_ssetf_encoding,
    premise_statement=r"$\bar YD^{1/2}/\sqrt{\bar n}$ is an SSETF, $a > \bar c$",
    conclusion=hbar_weighted_is_ssetf,
    kind="conjecture",
)


def theory(ctx: Context) -> dict[str, tuple[object, object]]:
    r"""The theorem's u-centred coefficient :math:`\sqrt{\lambda_W/\lambda_H}\sqrt{N/K}(a - \bar c)`
    beside the certified one, and the u-SSETF's Gram :math:`p(I - J_u) + qJ_u` fitted to the
    certified weighted class means beside their Gram."""
    inst = ctx.instance
    M = _weighted_means(ctx)
    u = regimes.weights(inst.counts)
    G = M.T @ M
    p = float(np.trace(G) - u @ G @ u) / (inst.K - 1)
    q = float(u @ G @ u)
    predicted = (
        math.sqrt(inst.lambda_W / inst.lambda_H)
        * math.sqrt(inst.N / inst.K)
        * (_centred_scale(ctx) - regimes.coupling(inst))
    )
    Ju = np.outer(u, u)
    return {
        "u-centred coefficient p of D^(1/2) Hbar^T Hbar D^(1/2)": (predicted, p),
        "D^(1/2) Hbar^T Hbar D^(1/2) = p (I - J_u) + q J_u": (
            p * (np.eye(inst.K) - Ju) + q * Ju,
            G,
        ),
    }


def main() -> None:
    """Counts 2:3:5 and a weighted encoding alpha Q(I - beta J_u) (a u-SSETF), lambda_b = 1."""
    from verify.claims.beside import print_beside
    from verify.strategies import Params, build

    case = build(
        Params("u_ssetf", 3, (2, 3, 5), 0, 0.2, 1.0, 1.0, scalars={"alpha": 1.5, "beta": 0.5})
    )
    assert case is not None
    print_beside(IF, case, theory)


if __name__ == "__main__":
    main()
