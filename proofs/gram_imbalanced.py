r"""The class-mean Gram for any encoding and any class counts: the imbalanced closed form.

With :math:`D = \mathrm{diag}(n_1, \dots, n_K)`, :math:`N = \sum_k n_k`,
:math:`\mu = \sqrt{\lambda_W\lambda_H}`, :math:`\tau = N\mu` and
:math:`\tilde A = (\bar Y - b1^\top)D^{1/2}` at the optimal bias,

.. math::

    D^{1/2}\,\bar H^\top\bar H\,D^{1/2} = \sqrt{\lambda_W/\lambda_H}\,\big(|\tilde A| - \tau I\big)_+,
    \qquad \lambda_b N b = \Pi_\tau(\tilde A)\,D^{1/2}1_K .

For balanced data (:math:`D = nI`, :math:`\tau = \sqrt n\,c`) this is ``gram-balanced``.
The replay is that of :mod:`proofs.gram_balanced` with :math:`CC^\top = D` in place of
:math:`nI`: :math:`Y - b1^\top = \tilde A\,(D^{-1/2}C)` and :math:`D^{-1/2}C` has orthonormal rows,
so the thresholding acts on the singular values of :math:`\tilde A`; :math:`\bar H = HC^\top D^{-1}`.
The matrix identities are checked for a symbolic K, with :math:`D = D^{1/2}D^{1/2}` and
:math:`D^{1/2}` symmetric.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from verify.claims import Claim, Context, Residuals
from verify.claims.residuals import frobenius_gap
from verify.symbolic import Derivation, algebra_step, lemma_step, register

from .gram_balanced import _check_factorisation, _check_svt

__all__ = ["CLAIM", "derive", "predicted_gram"]


@register("gram-imbalanced")
@lru_cache(maxsize=1)
def derive() -> Derivation:
    """The replay with D = C C^T = D^{1/2} D^{1/2} (D^{1/2} symmetric), for a symbolic K."""
    K = sp.Symbol("K", positive=True, integer=True)
    A, Dh, V, M = (sp.MatrixSymbol(name, K, K) for name in ("A", "D^{1/2}", "V", "M"))
    D = Dh * Dh
    ones = sp.OneMatrix(K, 1)
    CV = D * Dh.I * V  # C V_Z with V_Z = C^T D^{-1/2} V
    return Derivation(
        "gram-imbalanced",
        "The class-mean Gram for any encoding and any counts",
        {"tau": sp.Symbol("N") * sp.Symbol("mu")},
        (
            lemma_step(
                "The UFM's minimisers are the balanced factorisations of the convex problem's.",
                "Srebro, Rennie & Jaakkola 2005",
                _check_factorisation,
            ),
            lemma_step(
                "Singular value thresholding is the proximal map of the nuclear norm.",
                "Cai, Candes & Shen 2010, Theorem 2.1",
                _check_svt,
            ),
            algebra_step(
                "(AC)(AC)^T = A D A^T = (A D^{1/2})(A D^{1/2})^T (C C^T = D): the singular values "
                "of A C are those of A D^{1/2}.",
                A * D * A.T,
                ((A * Dh) * (A * Dh).T).subs(Dh.T, Dh),
            ),
            algebra_step(
                "D^{-1/2} C has orthonormal rows: D^{-1/2} (C C^T) D^{-1/2} = I.",
                (Dh.I * D * Dh.I).doit(),
                sp.Identity(K),
            ),
            algebra_step(
                "Hbar = H C^T D^{-1} and C V_Z = C C^T D^{-1/2} V = D^{1/2} V, so "
                "D^{1/2} Hbar^T Hbar D^{1/2} = D^{1/2} D^{-1} D^{1/2} V M V^T D^{1/2} D^{-1} D^{1/2}"
                " = V M V^T (M = s^-2 (Sigma - tau)_+).",
                (Dh * D.I * CV * M * CV.T * D.I * Dh).subs(Dh.T, Dh).doit(),
                V * M * V.T,
            ),
            algebra_step(
                "C 1_N = D 1_K, so Pi_tau(A C) 1_N = U min(Sigma, tau) V^T D^{-1/2} D 1_K = "
                "Pi_tau(A D^{1/2}) D^{1/2} 1_K.",
                (Dh.I * D * ones).doit(),
                Dh * ones,
            ),
        ),
    )


def predicted_gram(ctx: Context) -> np.ndarray:
    """sqrt(lambda_W/lambda_H) D^{-1/2} (|A D^{1/2}| - N mu I)_+ D^{-1/2} at the solution's bias."""
    inst, s = ctx.instance, ctx.solution
    root = np.sqrt(np.asarray(inst.counts, dtype=float))
    At = (inst.encoding - np.outer(s.b, np.ones(inst.K))) * root
    _, sig, Vt = np.linalg.svd(At)
    inner = (Vt.T * np.clip(sig - inst.N * inst.mu, 0.0, None)) @ Vt
    return np.sqrt(inst.lambda_W / inst.lambda_H) * inner / np.outer(root, root)


def gram_imbalanced(ctx: Context) -> Residuals:
    Hbar = ctx.solution.Hbar
    return {
        "Hbar^T Hbar = k' D^(-1/2) (|A D^(1/2)| - N mu I)_+ D^(-1/2)": frobenius_gap(
            Hbar.T @ Hbar, predicted_gram(ctx), ctx.floor("gram")
        )
    }


CLAIM = Claim(
    id="gram-imbalanced",
    title="Closed form of the class-mean Gram for any encoding and any class counts",
    statement=r"$D^{1/2}\bar H^\top\bar H D^{1/2} = \sqrt{\lambda_W/\lambda_H}\,(|(\bar Y - b1^\top)D^{1/2}| - N\mu I)_+$, $\lambda_b N b = \Pi_{N\mu}((\bar Y - b1^\top)D^{1/2})D^{1/2}1$",
    reference="derived by nc-verify (proofs/gram_imbalanced.py)",
    hypotheses=(),
    conclusion=gram_imbalanced,
    derivation="gram-imbalanced",
    kind="derived",
)


def theory(ctx: Context) -> dict[str, tuple[object, object]]:
    Hbar = ctx.solution.Hbar
    return {"Hbar^T Hbar, imbalanced closed form": (predicted_gram(ctx), Hbar.T @ Hbar)}


def main() -> None:
    """Label smoothing (delta = 0.2), counts 2:5:20, with a regularised bias."""
    from verify import Instance
    from verify.claims.beside import print_beside
    from verify.encodings import label_smoothing

    print_beside(CLAIM, Instance(label_smoothing(3, 0.2), (2, 5, 20), 3, 5e-3, 5e-3, 1.0), theory)


if __name__ == "__main__":
    main()
