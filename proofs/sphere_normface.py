r"""NormFace on the sphere: for balanced data and d >= K - 1, neural collapse is the global optimum.

The loss (``losses.py`` l. 120-122 of pakoromilas/nc_by_design: cross entropy of the cosine
logits, ``features @ weight / temperature``), for unit :math:`h_i, w_k`:

.. math:: \mathcal L = \frac1N\sum_i \Big[-\frac{w_{y_i}^\top h_i}{\tau}
    + \log\sum_{k=1}^K e^{w_k^\top h_i/\tau}\Big]
    \;\ge\; \log\big(1 + (K-1)e^{-K/((K-1)\tau)}\big),

with equality exactly at NC (:math:`h_i = w_{y_i}`, the :math:`w_k` a simplex ETF). Proof replay
(:func:`verify.sphere.replay.derive_bound`): Jensen on the denominator, the class average of the
exponent, Cauchy-Schwarz after centring, Jensen for the convex outer function, attainment; the
shape of Lu & Steinerberger (2022)'s argument. Numeric check: NC's loss in 50 digits against the
bound, local search on all N features (never below it), and the class-structured reduction.
"""

from verify.sphere.checks import optimum_conclusion
from verify.sphere.claim import HYPOTHESES, SphereClaim
from verify.sphere.replay import derive_bound
from verify.symbolic import Derivation, register

ID = "sphere-normface-nc"


@register(ID)
def derive() -> Derivation:
    return derive_bound("normface", ID)


CLAIM = SphereClaim(
    id=ID,
    title="NormFace: NC is the global optimum (balanced, d >= K - 1)",
    statement=r"$\min \mathcal L_{\mathrm{NormFace}} = \log(1 + (K-1)e^{-K/((K-1)\tau)})$, attained exactly at NC",
    reference="arXiv 2605.20302 (NormFace, losses.py l. 120-122); bound: Lu & Steinerberger 2022",
    hypotheses=HYPOTHESES,
    conclusion=optimum_conclusion("normface"),
    sphere_loss="normface",
    derivation=ID,
    group="sphere-nc",
    max_K=4,
    notes="the sphere model has no weight decay: the instance's lambdas are placeholders",
)

if __name__ == "__main__":
    from verify.sphere.report_text import print_theory

    print_theory(CLAIM, "normface")
