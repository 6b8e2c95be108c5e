r"""Hong & Ling (2023): cross-entropy UFM with imbalanced data, NC1 and minority collapse.

Source: W. Hong, S. Ling, "Neural collapse for unconstrained feature model under cross-entropy
loss with imbalanced data" (arXiv 2309.09725); code WanliHongC/Neural-Collapse. Their setting:
one-hot cross-entropy, any class counts :math:`n_1, \dots, n_K`, :math:`d \ge K`, and the convex
reformulation they solve in CVXPY (``ana_utils.py``, ``solve_cvx``):

.. math::

    \min_{\bar Z, b}\ \frac1N\sum_k n_k\,\mathcal L_{CE}(\bar z_k + b, e_k)
        + l\,\|\bar Z\,\mathrm{diag}(\sqrt{n})\|_* + l_2\|b\|^2,

which is this project's problem with :math:`\mu = \sqrt{\lambda_W\lambda_H} = l` and
:math:`\lambda_b = 2 l_2` (their bias term has no 1/2). Claims, as the abstract states them:
(a) the features within a class collapse to their mean (NC1), for any counts; (c) the features of
the minority classes collapse to one vector ("minority collapse") beyond a sharp threshold. The
paper's formula for the threshold was not in the stored sources, so it is not quoted; the
threshold below is derived here, and checked.

**Derived (``ce-minority-collapse``).** Let a set g of :math:`k_g \ge 2` classes share the count
:math:`n_g` (here: the classes with the smallest count), targets one-hot or label-smoothed with
:math:`\delta`, any other counts, any :math:`\lambda_b \in [0, \infty]`. Then at the minimiser the
classifier rows (and the class means) of the classes in g are all equal **iff**

.. math::

    \mu \ge (1-\delta)\frac{\sqrt{n_g}}{N}.

*Proof sketch.* Permutations within g leave the problem invariant; averaging gives a minimiser
whose restriction to the g-differences :math:`E_g = I_g - J_g` (embedded) is :math:`s E_g`. The
nuclear norm splits over the invariant decomposition, :math:`s E_g D^{1/2}` contributing
:math:`|s|\sqrt{n_g}(k_g-1)`; at s = 0 the softmax is constant over g within each column of g, so the
loss's derivative along :math:`E_g` is :math:`-(1-\delta)\frac{n_g}{N}(k_g-1)`, whatever the rest of
the solution and the bias. So s = 0 is optimal iff
:math:`(1-\delta)\frac{n_g}{N}(k_g - 1) \le \mu\sqrt{n_g}(k_g - 1)`. For balanced data (g = all
classes) this is :math:`c \ge 1 - \delta`: the zero minimiser of ``zhu-theorem-3.1``. With the
repository's experiment grids (``minority_l_main.py``: ka = 5, na = 500, nb = 100 and
ka = 3) the derived thresholds :math:`\sqrt{100}/3000 = 0.00333` and :math:`\sqrt{100}/2200 =
0.00455` sit just above the third value of each grid (0.0033, 0.0045): consistent with, though
not a quotation of, the paper's threshold.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import sympy as sp

from verify.claims import Claim, Context, Residuals, relative
from verify.claims.residuals import nc1_scatter
from verify.geometry import minority_angle
from verify.symbolic import Derivation, algebra_step, lemma_step, numeric_step, register
from verify.symbolic.pairs import IJ, J_PAIR

__all__ = [
    "MINORITY",
    "MINORITY_SMOOTH",
    "NC1",
    "NC1_SOFT",
    "THRESHOLD_BAND",
    "minority_angle",
    "minority_group",
    "softmax_spread",
    "threshold",
]

#: within this relative distance of the threshold the side of it is not asked: the spread of the
#: minority classifiers grows from 0 there and is of the size of the solver's error bound
THRESHOLD_BAND = 1e-3


def minority_group(counts: tuple[int, ...]) -> list[int]:
    """The classes with the smallest count."""
    low = min(counts)
    return [k for k, n in enumerate(counts) if n == low]


def threshold(instance: object, delta: float = 0.0) -> float:
    r""":math:`(1-\delta)\sqrt{n_g}/N` for the minority group g, on :math:`\mu = \sqrt{\lambda_W\lambda_H}`."""
    counts = instance.counts  # type: ignore[attr-defined]
    return (1 - delta) * math.sqrt(min(counts)) / sum(counts)


# --- the replay -----------------------------------------------------------------------------


def _check_split() -> tuple[bool, str]:
    """A matrix invariant under the permutations of g (acting on both sides) is block diagonal
    in R^K = (g-differences) + (their complement), so its nuclear norm is the sum of the two
    blocks'; the g-differences block of s E_g D^{1/2} has K_g - 1 singular values s sqrt(n_g)."""
    rng = np.random.default_rng(21)
    worst = 0.0
    for trial in range(20):
        K_ = 3 + trial % 4
        kg = 2 + trial % (K_ - 1)
        counts = np.concatenate([np.full(kg, 2 + trial % 3), rng.integers(1, 9, K_ - kg)])
        M = rng.standard_normal((K_, K_))
        perms = [np.concatenate([rng.permutation(kg), np.arange(kg, K_)]) for _ in range(200)]
        Zbar = sum(M[np.ix_(p, p)] for p in perms) / len(perms)  # not exactly invariant: symmetrise
        g = np.arange(kg)
        inv = Zbar.copy()
        block = Zbar[np.ix_(g, g)]
        x = np.trace(block) / kg - (block.sum() - np.trace(block)) / (kg * (kg - 1))
        base = (block.sum() - np.trace(block)) / (kg * (kg - 1))
        inv[np.ix_(g, g)] = base + x * np.eye(kg)
        inv[np.ix_(g, np.arange(kg, K_))] = Zbar[np.ix_(g, np.arange(kg, K_))].mean(axis=0)
        inv[np.ix_(np.arange(kg, K_), g)] = Zbar[np.ix_(np.arange(kg, K_), g)].mean(
            axis=1, keepdims=True
        )
        D = np.sqrt(counts)
        E = np.zeros((K_, K_))
        E[np.ix_(g, g)] = np.eye(kg) - 1 / kg
        rest = inv - x * E
        total = np.linalg.svd(inv * D, compute_uv=False).sum()
        split = np.linalg.svd(rest * D, compute_uv=False).sum() + abs(x) * math.sqrt(counts[0]) * (
            kg - 1
        )
        worst = max(worst, abs(total - split) / total)
    ok = worst < 1e-12
    return (
        ok,
        f"20 random invariant matrices: the nuclear norm splits to within {max(worst, 1e-12):.0e}",
    )


@register("ce-minority-collapse")
@lru_cache(maxsize=1)
def derive() -> Derivation:
    """The replay of the minority-collapse threshold."""
    from .ce_zhu_theorem31 import _check_permutation_invariance

    kg, ng, N = sp.symbols("k_g n_g N", positive=True)
    delta = sp.Symbol("delta", nonnegative=True)
    Kg = sp.Symbol("K_g", positive=True, integer=True)
    steps = (
        lemma_step(
            "The problem is invariant under the permutations of the classes of g (equal counts, "
            "targets that commute with them): averaging a minimiser over them gives a minimiser "
            "whose g-differences part is s E_g, E_g = I_g - J_g.",
            "averaging over a symmetry group of a convex problem (checked on label-smoothed balanced data)",
            _check_permutation_invariance,
        ),
        lemma_step(
            "The nuclear norm splits over the invariant decomposition: ||Zbar D^{1/2}||_* = "
            "||rest||_* + |s| sqrt(n_g)(k_g - 1).",
            "Schur's lemma (the g-differences are one isotypic component)",
            _check_split,
        ),
        algebra_step(
            "At s = 0 column k in g has the same softmax p on every class of g: its g-block is "
            "p 1 1^T = p k_g J_g, orthogonal to E_g = I_g - J_g (pair algebra: J (I - J) = 0), ...",
            (J_PAIR * IJ).as_tuple(),
            sp.Tuple(0, 0),
        ),
        algebra_step(
            "... and tr(E_g) = k_g - 1, so the loss's derivative along E_g is "
            "(n_g/N) <P - Ybar, E_g> = -(1 - delta)(n_g/N)(k_g - 1) (Ybar's g-block is "
            "(1 - delta) I + delta/K 1 1^T).",
            sp.trace(sp.Identity(Kg)) - sp.trace(sp.OneMatrix(Kg, Kg)) / Kg,
            Kg - 1,
        ),
        algebra_step(
            "s = 0 is optimal iff (1-delta)(n_g/N)(k_g - 1) <= mu sqrt(n_g)(k_g - 1), i.e. "
            "mu >= (1 - delta) sqrt(n_g)/N (the ratio of the two slopes). Equal rows of Zbar over g "
            "are equal classifier rows: W = U Sigma^{1/2} R and the rows of U Sigma are those of Z V.",
            (1 - delta) * ng / N * (kg - 1) / (sp.sqrt(ng) * (kg - 1)),
            (1 - delta) * sp.sqrt(ng) / N,
        ),
        algebra_step(
            "Balanced data (g = all K classes, N = K n): the threshold is c = K sqrt(n) mu = 1 - delta, "
            "the zero minimiser of the balanced theorem.",
            sp.Symbol("K", positive=True) * sp.sqrt(ng) * ((1 - delta) * sp.sqrt(ng) / (sp.Symbol("K", positive=True) * ng)),
            1 - delta,
        ),
        numeric_step(
            "Every minimiser is the averaged one (uniqueness of the minimiser).",
            "Zbar", "invariant",
            "uniqueness is not replayed; the certified numeric layer tests it",
        ),
    )  # fmt: skip
    return Derivation(
        "ce-minority-collapse",
        "Minority collapse under cross-entropy: the threshold mu = (1 - delta) sqrt(n_g)/N",
        {"threshold": (1 - delta) * sp.sqrt(ng) / N},
        steps,
    )


@register("ce-nc1")
@lru_cache(maxsize=1)
def derive_nc1() -> Derivation:
    """NC1 for any convex loss and any counts: class averaging, strictly."""
    from .ce_zhu_theorem31 import _check_class_averaging
    from .gram_balanced import _check_factorisation

    Kd, Nd = sp.symbols("K N", positive=True, integer=True)
    Zbar = sp.MatrixSymbol("Zbar", Kd, Kd)
    C = sp.MatrixSymbol("C", Kd, Nd)
    steps = (
        lemma_step(
            "For d >= K the UFM's minimisers are the balanced factorisations of the minimisers "
            "of the convex problem in (Z, b) (the argument does not use the loss).",
            "Srebro, Rennie & Jaakkola 2005",
            _check_factorisation,
        ),
        lemma_step(
            "Averaging Z within each class lowers the convex loss (Jensen) and strictly lowers "
            "||Z||_* unless Z = Zbar C, so every minimiser has Z = Zbar C.",
            "Jensen's inequality; operator monotonicity of the square root",
            _check_class_averaging,
        ),
        algebra_step(
            "Z = Zbar C gives Z^T Z = C^T (Zbar^T Zbar) C, so the right singular vectors of Z are "
            "C^T times vectors of R^K and H = Sigma^{1/2} V^T / s = Hbar C: NC1.",
            (Zbar * C).T * (Zbar * C),
            C.T * (Zbar.T * Zbar) * C,
        ),
    )
    return Derivation("ce-nc1", "NC1 for any convex loss and any counts", {}, steps)


# --- the claims -----------------------------------------------------------------------------


def nc1(ctx: Context) -> Residuals:
    return {"NC1: H = Hbar C": nc1_scatter(ctx.instance, ctx.solution.H, ctx.floor("H"))}


def _delta(ctx: Context) -> float:
    return float(ctx.instance.encoding[1, 0]) * ctx.instance.K


def group_premise(ctx: Context) -> Residuals:
    """The smallest count is shared by >= 2 classes, and mu is off the threshold by THRESHOLD_BAND."""
    inst = ctx.instance
    t = threshold(inst, _delta(ctx))
    return {
        "a minority group of >= 2 classes": 0.0 if len(minority_group(inst.counts)) >= 2 else 1.0,
        "mu off the threshold": 0.0 if abs(inst.mu - t) > THRESHOLD_BAND * t else 1.0,
    }


def softmax_spread(ctx: Context) -> tuple[float, float, float]:
    """(S, ||P_g||, bound): S is the spread over the minority classes g of the softmax
    probabilities of the minority samples, ||(I - J_g) P_g||_F, P_g the g rows of softmax(WH + b1^T)
    on the samples of g. At a minimiser S = 0 iff the minority classifiers coincide (equal logits
    on g, module docstring); the certificate bounds the loss gradient P - Y at the minimiser in
    Frobenius norm, and centring is a contraction, so |S - S*| <= bound."""
    inst, s = ctx.instance, ctx.solution
    g = minority_group(inst.counts)
    columns = np.isin(inst.labels, g)
    X = s.W @ s.H[:, columns] + s.b[:, None]
    P = np.exp(X - X.max(axis=0))
    P /= P.sum(axis=0)
    Pg = P[g]
    S = float(np.linalg.norm(Pg - Pg.mean(axis=0)))
    delta = s.certificate.distance_bounds.gradient
    assert delta is not None  # every smooth loss's certificate bounds the gradient
    return S, float(np.linalg.norm(Pg)), delta


def collapse_iff(ctx: Context) -> Residuals:
    """Above the threshold the minority classifiers coincide (relative softmax spread 0); below it
    they certifiably differ (spread above the certificate's bound on the softmax)."""
    inst = ctx.instance
    S, size, bound = softmax_spread(ctx)
    if inst.mu >= threshold(inst, _delta(ctx)):
        return {
            "mu >= (1-delta) sqrt(n_g)/N => minority classifiers equal": relative(
                S, size, ctx.tol.floor * size
            )
        }
    return {
        "mu < (1-delta) sqrt(n_g)/N => minority classifiers differ (certified)": 0.0
        if bound < S
        else 1.0
    }


NC1 = Claim(
    id="hong-ling-nc1",
    title="Cross-entropy, any counts: NC1, the features of a class collapse to its mean (Hong & Ling)",
    statement=r"$H = \bar H C$ for every global minimiser, any $n_1, \dots, n_K$",
    reference="Hong & Ling 2023 (arXiv 2309.09725), NC1 under imbalance",
    hypotheses=("cross_entropy", "one_hot"),
    conclusion=nc1,
    derivation="ce-nc1",
    group="hong-ling",
)

NC1_SOFT = Claim(
    id="ce-nc1-soft-targets",
    title="NC1 for cross-entropy on any soft targets and any counts",
    statement=r"$H = \bar H C$ for every global minimiser, any column-stochastic $\bar Y$, any counts",
    reference="derived by nc-verify (proofs/ce_hong_ling.py); generalises Hong & Ling's NC1",
    hypotheses=("cross_entropy",),
    conclusion=nc1,
    derivation="ce-nc1",
    kind="derived",
    group="hong-ling",
)

_MINORITY_STATEMENT = r"the minority classifiers coincide $\iff \mu = \sqrt{\lambda_W\lambda_H} \ge (1-\delta)\sqrt{n_g}/N$ ($n_g$ the smallest count, shared by $\ge 2$ classes)"


def _minority(id_: str, title: str, reference: str, hypotheses: tuple[str, ...]) -> Claim:
    return Claim(
        id=id_,
        title=title,
        statement=_MINORITY_STATEMENT,
        reference=reference,
        hypotheses=hypotheses,
        premise=group_premise,
        premise_statement=r"$\ge 2$ classes share the smallest count; $|\mu - t| > 10^{-3} t$",
        conclusion=collapse_iff,
        derivation="ce-minority-collapse",
        kind="derived",
        group="hong-ling",
    )


MINORITY = _minority(
    "hong-ling-minority-collapse",
    "Minority collapse under cross-entropy, with the derived threshold mu = sqrt(n_min)/N",
    "derived by nc-verify; Hong & Ling 2023 (arXiv 2309.09725) claim a sharp threshold",
    ("cross_entropy", "one_hot"),
)

MINORITY_SMOOTH = _minority(
    "ce-minority-collapse-label-smoothing",
    "Minority collapse under label smoothing: the threshold (1 - delta) sqrt(n_min)/N",
    "derived by nc-verify (proofs/ce_hong_ling.py)",
    ("cross_entropy", "label_smoothing"),
)


def theory(ctx: Context) -> dict[str, tuple[object, object]]:
    inst, s = ctx.instance, ctx.solution
    g = minority_group(inst.counts)
    return {
        "mu vs threshold sqrt(n_g)/N": (threshold(inst), inst.mu),
        "largest angle between minority classifiers (deg)": (
            0.0 if inst.mu >= threshold(inst) else "positive: mu is below the threshold",
            minority_angle(s.W, g),
        ),
    }


def main() -> None:
    """Hong & Ling's default counts / 100, mu on either side of the threshold."""
    from verify import Instance
    from verify.claims.beside import print_beside
    from verify.losses import get_loss

    counts = (50,) * 3 + (40,) * 3 + (30,) * 4  # Hong & Ling's default counts / 100
    t = math.sqrt(30) / sum(counts)
    for factor in (0.5, 1.5):  # mu = lambda_W = lambda_H on either side of the threshold
        inst = Instance(np.eye(10), counts, 10, factor * t, factor * t, 0.02, loss=get_loss("ce"))
        print_beside(MINORITY, inst, theory)


if __name__ == "__main__":
    main()
