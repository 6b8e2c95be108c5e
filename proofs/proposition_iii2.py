r"""Proposition III.2: centring a shifted simplex ETF gives a simplex ETF.

If :math:`M = \alpha P (I - \beta J)` with P semi-orthogonal, then
:math:`M(I - J) = \alpha P (I - J)` for every :math:`\beta`, a simplex ETF.

Proof replay (:func:`derive`): :math:`(I-\beta J)(I-J) = I - J` because :math:`J^2 = J`,
general in K (the algebra of :mod:`verify.symbolic.pairs`); with :math:`P^\top P = I` the Gram
is :math:`\alpha^2 (I - J)`. Numeric check on SSETF encodings (one-hot, label smoothing, random
SSETFs, rotated one-hot); no solve is needed. ``python -m proofs.proposition_iii2`` prints the
Gram :math:`\alpha^2(I - J)` beside that of the centred encoding.
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from verify.claims import Claim, Context, Residuals
from verify.geometry import centring, simplex_etf_residual, ssetf_fit
from verify.symbolic import Derivation, algebra_step, register
from verify.symbolic.pairs import IJ, J_PAIR, ONE, algebra_steps
from verify.symbolic.symbols import K

__all__ = ["CLAIM", "alpha", "beta", "centring_steps", "derive", "theory"]

alpha = sp.Symbol("alpha", positive=True)
beta = sp.Symbol("beta", real=True)


def centring_steps(name: str) -> tuple:
    r"""M(I-J) = alpha P(I-J) and its Gram, for M = alpha P (I - beta J), symbolic K."""
    d = sp.Symbol("d", positive=True, integer=True)
    P = sp.MatrixSymbol("P", d, K)
    IJm = sp.Identity(K) - sp.OneMatrix(K, K) / K
    Mc = alpha * P * IJm
    gram = (Mc.T * Mc).subs(P.T * P, sp.Identity(K))
    shifted = ONE - beta * J_PAIR
    return (
        *algebra_steps(),
        algebra_step(f"{name}(I - J) = alpha P (I - beta J)(I - J) = alpha P (I - J) for every "
                     "beta: (I - beta J)(I - J) = I - J.", (shifted * IJ).as_tuple(),
                     IJ.as_tuple()),
        algebra_step("Gram with P^T P = I substituted: (alpha P(I-J))^T alpha P(I-J) = "
                     "alpha^2 (I-J)^T (I-J).", gram, alpha**2 * IJm.T * IJm),
        algebra_step("(I - J)^T (I - J) = I - J, so the Gram is alpha^2 (I - J): a simplex ETF.",
                     (IJ * IJ).as_tuple(), IJ.as_tuple()),
    )  # fmt: skip


@register("proposition-III.2")
@lru_cache(maxsize=1)
def derive() -> Derivation:
    """Proposition III.2: centring an SSETF gives a simplex ETF."""
    return Derivation("proposition-III.2", "Centring a shifted simplex ETF gives a simplex ETF",
                      {"centred_pair": IJ.as_tuple(), "gram_centred": (alpha**2 * IJ).as_tuple()},
                      centring_steps("M"))  # fmt: skip


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


def theory(ctx: Context) -> dict[str, tuple[object, object]]:
    """The Gram alpha^2 (I - J) (alpha of the encoding's SSETF fit) beside that of M(I - J)."""
    M = ctx.instance.encoding
    K_ = M.shape[1]
    Mc = M @ centring(K_)
    a = ssetf_fit(M, ctx.tol).alpha
    return {"(M(I - J))^T M(I - J) = alpha^2 (I - J)": (a**2 * centring(K_), Mc.T @ Mc)}


def main() -> None:
    """Label smoothing, an SSETF with alpha = 1 - delta (Corollary IV.2's replay)."""
    from verify import Instance
    from verify.claims.beside import print_beside
    from verify.encodings import label_smoothing

    print_beside(CLAIM, Instance(label_smoothing(3, 0.2), (2, 2, 2), 3, 0.05, 0.05, 1.0), theory)


if __name__ == "__main__":
    main()
