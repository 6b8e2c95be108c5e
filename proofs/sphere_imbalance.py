r"""Under imbalance: is the simplex ETF still optimal, and is NC1 kept? (hunted; local search)

Imbalanced data, class counts :math:`n_k`. No lower bound of :mod:`verify.sphere.bounds` applies
(its Jensen step over the classes needs equal weights), so what is known here rests on local
search, and a claim that survives it is ``supported``, never ``verified``.

- :data:`HUNTED` (registered, ``verify check sphere-imbalance``): ``sphere-ntce-nc1-imbalanced``,
  ``sphere-nonl-nc1-imbalanced`` (supported when no counterexample is found): the
  class-structured reduction's optimum (features of a class equal, NC1) is not beaten by local
  search on all N features; a full point below it would be a certified counterexample.
- The planted bank :data:`PLANTED` (not registered: false on purpose, or refuted by the hunt;
  part of proofs/planted.py): "the orthogonal frame is optimal for NTCE" (balanced), and "the
  simplex ETF (with NC) is optimal under 10:1 imbalance" for each loss. Each is refuted through
  ``verify check`` by a feasible point whose loss, re-evaluated in interval arithmetic
  (:mod:`verify.sphere.certify`), lies certainly below the claimed optimum.
"""

from collections.abc import Callable

import numpy as np

from verify.claims import Context, Residuals
from verify.claims.verdict import local_search_only
from verify.sphere.certify import orthogonal_frame_point, problem_point, simplex_etf_point
from verify.sphere.checks import CLAIM_ITER, below, seed_of
from verify.sphere.claim import SphereClaim, problem
from verify.sphere.exact import exact_loss
from verify.sphere.frames import orthogonal_frame, simplex_etf
from verify.sphere.losses import value_and_grad
from verify.sphere.model import LOSS_NAMES
from verify.sphere.solve import LocalSearch, local_search

IMBALANCED = ("one_hot", "lambda_b_zero")
CHECK_STARTS = 5


def nc1_conclusion(loss: str) -> Callable[[Context], Residuals]:
    def conclusion(ctx: Context) -> Residuals:
        p = problem(ctx, loss)
        seed = seed_of(p)
        reduced = local_search(p, CHECK_STARTS, seed, reduced=True, hessian=False)
        full = local_search(p, 2, seed + 1, reduced=False, hessian=False, max_iter=CLAIM_ITER)
        labels = np.arange(p.K)
        claimed = exact_loss(loss, reduced.W, reduced.H, labels, np.array(p.counts), p.tau)
        at = problem_point(p, reduced.W, reduced.H, reduced=True)
        return {"no full point below the class-structured optimum": below(
            p, full, reduced.value, claimed, at)}  # fmt: skip

    return conclusion


def _claim(loss: str) -> SphereClaim:
    cid = local_search_only(f"sphere-{loss}-nc1-imbalanced")
    return SphereClaim(
        id=cid,
        title=f"{loss}: under imbalance the optimum keeps NC1 (features of a class equal)",
        statement=r"$\min_{W,H}\mathcal L = \min_{W,G}\mathcal L_{\mathrm{red}}$ (class-structured), any counts",
        reference="arXiv 2605.20302 (imbalance: abstract, +8.7% long-tailed); hunted by nc-verify",
        hypotheses=IMBALANCED,
        conclusion=nc1_conclusion(loss),
        sphere_loss=loss,
        group="sphere-imbalance",
        kind="conjecture",
        max_K=3,
        min_n=1 if loss != "supcon" else 2,
        max_n=3,
        balanced_only=False,
        max_extra_d=1,
        notes="local search only: supported at best",
    )


def _orthogonal_frame_ntce(ctx: Context) -> Residuals:
    """NC on the simplex ETF (a feasible point, d >= K - 1) against the claimed optimum, NC on
    the orthogonal frame."""
    p = problem(ctx, "ntce")
    OF = orthogonal_frame(p.K, p.d)
    claimed = exact_loss("ntce", OF, OF[p.labels], p.labels, None, p.tau)
    W = simplex_etf(p.K, p.d)
    at_etf = LocalSearch(p, W, W, float(value_and_grad("ntce", W, W, np.arange(p.K),
                         np.array(p.counts), p.tau)[0]), 0.0, (), 0, reduced=True)  # fmt: skip
    return {"no feasible point below the orthogonal frame": below(
        p, at_etf, float(claimed.value), claimed, orthogonal_frame_point(p.counts))}  # fmt: skip


def etf_under_imbalance(loss: str) -> Callable[[Context], Residuals]:
    def conclusion(ctx: Context) -> Residuals:
        p = problem(ctx, loss)
        W = simplex_etf(p.K, p.d)
        claimed = exact_loss(loss, W if p.has_prototypes else None, W[p.labels], p.labels,
                             None, p.tau)  # fmt: skip
        found = local_search(
            p, CHECK_STARTS, seed_of(p), reduced=True, hessian=False, max_iter=CLAIM_ITER
        )
        return {"no feasible point below the ETF": below(
            p, found, float(claimed.value), claimed, simplex_etf_point(p.counts))}  # fmt: skip

    return conclusion


#: the hunted claims, registered (``verify check sphere-imbalance``): local search alone, so
#: ``supported`` at best; the runner covers their own regimes and certifies a counterexample
#: through the sphere hook (:mod:`verify.sphere.certify`)
NC1_NTCE = _claim("ntce")
NC1_NONL = _claim("nonl")
HUNTED = {c.id: c for c in (NC1_NTCE, NC1_NONL)}

#: false claims, refuted through ``verify check`` with certified points; not registered, they
#: are in the planted bank (proofs/planted.py)
PLANTED = {
    "sphere-orthogonal-frame-ntce": SphereClaim(
        id="sphere-orthogonal-frame-ntce",
        title="planted: the orthogonal frame (h_i = w_{y_i}) is optimal for NTCE",
        statement=r"$\min \mathcal L_{\mathrm{NTCE}} = \mathcal L_{\mathrm{NTCE}}(\mathrm{OF})$",
        reference="planted false claim",
        hypotheses=("one_hot", "balanced", "c_below_1", "lambda_b_zero"),
        conclusion=_orthogonal_frame_ntce,
        sphere_loss="ntce",
        kind="planted",
        group="planted",
        max_K=4,
    ),
    **{
        f"sphere-etf-10to1-{loss}": SphereClaim(
            id=f"sphere-etf-10to1-{loss}",
            title=f"planted: the simplex ETF with NC is optimal for {loss} under 10:1 imbalance",
            statement=r"$\min \mathcal L = \mathcal L(\mathrm{NC\ on\ the\ ETF})$, counts $(10n, n, \dots, n)$",
            reference="planted; the hunt of reports/sphere.md refutes it",
            hypotheses=IMBALANCED,
            conclusion=etf_under_imbalance(loss),
            sphere_loss=loss,
            kind="planted",
            group="planted",
            max_K=3,
            ratio=10,
            min_n=2 if loss == "supcon" else 1,
            max_n=2,
            max_extra_d=0,
        )
        for loss in LOSS_NAMES
    },
}

#: every planted sphere claim, for ``verify check proofs/sphere_imbalance.py:PLANTED_ALL``
PLANTED_ALL = tuple(PLANTED.values())


def main() -> None:
    """NTCE and NONL at counts 10:1:1 (K = 3, d = 3, tau = 0.5): the class-structured optimum
    the claim says is global beside the best of full local searches (every feature free)."""
    from verify.sphere.model import SphereProblem

    for claim, loss in ((NC1_NTCE, "ntce"), (NC1_NONL, "nonl")):
        p = SphereProblem(loss, (10, 1, 1), 3, 0.5)
        reduced = local_search(p, 10, 0, reduced=True)
        full = local_search(p, 10, 1, reduced=False)
        print(f"{claim.id}: {p.describe()}")
        print(f"  class-structured optimum (claimed global) {reduced.value:.15f}")
        print(f"  best of 10 full local searches            {full.value:.15f} "
              f"(|grad| {full.gradient_norm:.1e}, Hessian min {full.hessian_min:.1e})")  # fmt: skip


if __name__ == "__main__":
    main()
