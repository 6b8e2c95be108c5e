r"""SCL's objective and the class-mean classifier (the abstract of arXiv 2605.20302, made precise).

The abstract: "SCL's objective already optimizes throughout training for a principled classifier
whose weights are the class mean embeddings". The paper's own statement was not available to us
beyond the abstract and introduction; nc-verify checks this precise reading, for unit features,
class means :math:`\mu_c = \frac1{n_c}\sum_{y_i=c} h_i` and :math:`n_c \ge 2`:

(a) *Throughout training* (any H): SupCon's alignment term is the alignment to the class mean,
    :math:`\frac{1}{n_c-1}\sum_{p\ne i,\,y_p=c} h_i^\top h_p = \frac{n_c\, h_i^\top\mu_c - 1}{n_c-1}`
    (algebra), and by Jensen on each class's part of the denominator SupCon is at least the
    cross entropy of the *class-mean prototype classifier*

    .. math:: \mathcal L_\mu(H) = \frac1N\sum_i\Big[-\frac{n_c h_i^\top\mu_c - 1}{(n_c-1)\tau}
        + \log\Big((n_c-1)e^{h_i^\top\mu_c^{(-i)}/\tau} + \sum_{k\ne c} n_k e^{h_i^\top\mu_k/\tau}\Big)\Big],

    :math:`\mu_c^{(-i)}` the mean of the other samples of class c: SupCon is an upper bound of the
    class-mean classifier's loss, tight when the features of each class coincide, so minimising
    SupCon trains that classifier throughout (checked numerically at random H).
(b) *At SupCon's optimum* (balanced, d >= K - 1; NC by ``sphere-supcon-nc``): the classifier whose
    weights are the normalised class means attains NormFace's proved minimum over all classifiers
    and features, so no trained classifier (linear probe on the sphere) does better on them.
"""

import numpy as np
import sympy as sp

from verify.claims import Context, Residuals
from verify.sphere.bounds import bound, nc_point
from verify.sphere.checks import seed_of
from verify.sphere.claim import HYPOTHESES, SphereClaim, problem
from verify.sphere.exact import exact_loss
from verify.sphere.losses import value_and_grad
from verify.sphere.replay import derive_bound
from verify.symbolic import Derivation, algebra_step, register

ID = "sphere-scl-class-mean-classifier"


@register(ID)
def derive() -> Derivation:
    n, s, _tau = sp.symbols("n s tau", positive=True)  # s = h_i^T (n mu_c), h_i^T h_i = 1
    alignment = algebra_step(
        "SupCon's positives: sum_{p != i, y_p = c} h_i^T h_p = h_i^T (n mu_c) - h_i^T h_i = s - 1, "
        "so their mean is the affine function (n h_i^T mu_c - 1)/(n - 1) of the class-mean cosine",
        (s - 1) / (n - 1),
        n / (n - 1) * (s / n) - 1 / (n - 1),
    )
    normface = derive_bound("normface", ID)
    return Derivation(
        ID,
        "SCL and the class-mean classifier",
        {"NormFace bound": normface.expressions["bound"]},
        (alignment, *normface.steps),
    )


def _class_mean_ce(H: np.ndarray, labels: np.ndarray, K: int, tau: float) -> float:
    total = 0.0
    counts = np.bincount(labels, minlength=K)
    sums = np.stack([H[labels == k].sum(0) for k in range(K)])
    for i, h in enumerate(H):
        c = labels[i]
        n = counts[c]
        mu = sums / counts[:, None]
        others = (sums[c] - h) / (n - 1)
        align = (h @ sums[c] - h @ h) / ((n - 1) * tau)
        den = (n - 1) * np.exp(h @ others / tau) + sum(
            counts[k] * np.exp(h @ mu[k] / tau) for k in range(K) if k != c
        )
        total += -align + np.log(den)
    return total / len(H)


def conclusion(ctx: Context) -> Residuals:
    p = problem(ctx, "supcon")
    rng = np.random.default_rng(seed_of(p))
    H = rng.normal(size=(p.N, p.d))
    H /= np.linalg.norm(H, axis=1, keepdims=True)
    supcon = float(value_and_grad("supcon", None, H, p.labels, np.ones(p.N), p.tau)[0])
    lower = _class_mean_ce(H, p.labels, p.K, p.tau)
    _W, Hnc = nc_point(p.K, p.counts, p.d)
    means = np.stack([Hnc[p.labels == k].mean(0) for k in range(p.K)])
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    at_means = exact_loss("normface", means, Hnc, p.labels, None, p.tau)
    b = bound("normface", p.K, p.counts[0], p.tau)
    return {
        "(a) SupCon(H) >= L_mu(H) at a random H": max(0.0, lower - supcon) / max(1.0, abs(supcon)),
        "(b) NormFace(class means, SupCon optimum) = NormFace minimum": abs(
            float(at_means.value) - b
        )
        / max(1.0, abs(b)),
    }


CLAIM = SphereClaim(
    id=ID,
    title="SCL optimises for the classifier whose weights are the class means",
    statement=r"(a) $\mathcal L_{\mathrm{SupCon}}(H) \ge \mathcal L_\mu(H)$, the CE of the class-mean prototype classifier, for every H; (b) at SupCon's optimum the normalised class means attain $\min_{W,H}\mathcal L_{\mathrm{NormFace}}$",
    reference="abstract of arXiv 2605.20302, made precise by nc-verify (the paper's statement was not available)",
    hypotheses=HYPOTHESES,
    conclusion=conclusion,
    sphere_loss="supcon",
    derivation=ID,
    group="sphere-scl",
    max_K=4,
    notes="(a) rests on Jensen (a cited lemma, numeric check); the sphere model's lambdas are placeholders",
)


def main() -> None:
    """Counts 4:4:4, d = 3, tau = 0.5: (a) SupCon beside the class-mean classifier's loss at a
    random H; (b) NormFace at the normalised class means of SupCon's optimum beside its proved
    minimum."""
    from verify.sphere.model import SphereProblem

    p = SphereProblem("supcon", (4, 4, 4), 3, 0.5)
    H = np.random.default_rng(0).normal(size=(p.N, p.d))
    H /= np.linalg.norm(H, axis=1, keepdims=True)
    supcon = float(value_and_grad("supcon", None, H, p.labels, np.ones(p.N), p.tau)[0])
    _W, Hnc = nc_point(p.K, p.counts, p.d)
    means = np.stack([Hnc[p.labels == k].mean(0) for k in range(p.K)])
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    at_means = float(exact_loss("normface", means, Hnc, p.labels, None, p.tau).value)
    print(f"{ID}: {p.describe()}")
    print(f"  (a) SupCon at a random H                     {supcon:.15f}")
    print(
        f"      class-mean classifier's loss (<= SupCon) {_class_mean_ce(H, p.labels, p.K, p.tau):.15f}"
    )
    print(f"  (b) proved NormFace minimum (theory)         {bound('normface', p.K, 4, p.tau):.15f}")
    print(f"      NormFace at the class means of the optimum {at_means:.15f}")


if __name__ == "__main__":
    main()
