r"""NONL on the sphere, its three denominators: for balanced data and d >= K - 1, NC is the optimum.

``losses.py`` l. 222-253: numerator :math:`e^{w_{y_i}^\top h_i/\tau}`, the positive removed from
the denominator, which is (``symmetric=True``, the default, l. 240-248) the prototype against the
features of the other classes, (``symmetric=False``, l. 237) the sample against the other
prototypes, or (``bidirectional=True``, l. 245-246) the sum of both:

.. math:: D_i^{\mathrm{sym}} = \sum_{j:\,y_j\ne y_i} e^{w_{y_i}^\top h_j/\tau},\quad
    D_i^{\mathrm{ps}} = \sum_{k\ne y_i} e^{w_k^\top h_i/\tau},\quad
    D_i^{\mathrm{bi}} = D_i^{\mathrm{ps}} + D_i^{\mathrm{sym}},

:math:`\mathcal L = \frac1N\sum_i[-w_{y_i}^\top h_i/\tau + \log D_i]`, at least
:math:`\log(n(K-1))`, :math:`\log(K-1)`, resp. :math:`\log((n+1)(K-1))`, minus
:math:`K/((K-1)\tau)`, each with equality exactly at NC. The outer function is linear here, so the
last Jensen step is not needed.
"""

from verify.sphere.checks import optimum_conclusion
from verify.sphere.claim import HYPOTHESES, SphereClaim
from verify.sphere.replay import derive_bound
from verify.symbolic import Derivation, register

ID, PER_SAMPLE_ID, BIDIRECTIONAL_ID = (
    "sphere-nonl-nc",
    "sphere-nonl-per-sample-nc",
    "sphere-nonl-bidirectional-nc",
)


@register(ID)
def derive() -> Derivation:
    return derive_bound("nonl", ID)


@register(PER_SAMPLE_ID)
def derive_per_sample() -> Derivation:
    return derive_bound("nonl-per-sample", PER_SAMPLE_ID)


@register(BIDIRECTIONAL_ID)
def derive_bidirectional() -> Derivation:
    return derive_bound("nonl-bidirectional", BIDIRECTIONAL_ID)


def _claim(cid: str, loss: str, what: str, bound: str, lines: str) -> SphereClaim:
    return SphereClaim(
        id=cid,
        title=f"NONL ({what} denominator): NC is the global optimum (balanced, d >= K - 1)",
        statement=rf"$\min \mathcal L = {bound} - \frac{{K}}{{(K-1)\tau}}$, attained exactly at NC",
        reference=f"arXiv 2605.20302 (NONL, losses.py {lines}); bound derived by nc-verify",
        hypotheses=HYPOTHESES,
        conclusion=optimum_conclusion(loss),
        sphere_loss=loss,
        derivation=cid,
        group="sphere-nc",
        max_K=4,
        notes="the sphere model has no weight decay: the instance's lambdas are placeholders",
    )


CLAIM = _claim(ID, "nonl", "symmetric", r"\log(n(K-1))", "l. 240-248")
PER_SAMPLE = _claim(PER_SAMPLE_ID, "nonl-per-sample", "per-sample", r"\log(K-1)", "l. 237")
BIDIRECTIONAL = _claim(
    BIDIRECTIONAL_ID, "nonl-bidirectional", "bidirectional", r"\log((n+1)(K-1))", "l. 245-246"
)

if __name__ == "__main__":
    from verify.sphere.report_text import print_theory

    for claim, loss in ((CLAIM, "nonl"), (PER_SAMPLE, "nonl-per-sample"),
                        (BIDIRECTIONAL, "nonl-bidirectional")):  # fmt: skip
        print_theory(claim, loss)
