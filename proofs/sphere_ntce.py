r"""NTCE on the sphere: for balanced data and d >= K - 1, neural collapse is the global optimum.

The loss (``losses.py`` l. 175-196: each sample's class prototype against all N features of the
batch, the positive on the diagonal, ``cross_entropy(class_weights @ features.T / temperature,
arange(N))``), for unit :math:`h_i, w_k`:

.. math:: \mathcal L = \frac1N\sum_i \Big[-\frac{w_{y_i}^\top h_i}{\tau}
    + \log\sum_{j=1}^N e^{w_{y_i}^\top h_j/\tau}\Big]
    \;\ge\; \log n + \log\big(1 + (K-1)e^{-K/((K-1)\tau)}\big),

with equality exactly at NC. Proof replay: Jensen on the denominator split into the n features
of the own class and the n(K-1) others, the class average, Cauchy-Schwarz after centring, Jensen
for the convex outer function over the classes (equal weights: balanced), attainment.
"""

from verify.sphere.checks import optimum_conclusion
from verify.sphere.claim import HYPOTHESES, SphereClaim
from verify.sphere.replay import derive_bound
from verify.symbolic import Derivation, register

ID = "sphere-ntce-nc"


@register(ID)
def derive() -> Derivation:
    return derive_bound("ntce", ID)


CLAIM = SphereClaim(
    id=ID,
    title="NTCE: NC is the global optimum (balanced, d >= K - 1)",
    statement=r"$\min \mathcal L_{\mathrm{NTCE}} = \log n + \log(1 + (K-1)e^{-K/((K-1)\tau)})$, attained exactly at NC",
    reference="arXiv 2605.20302 (NTCE, losses.py l. 175-196); bound derived by nc-verify",
    hypotheses=HYPOTHESES,
    conclusion=optimum_conclusion("ntce"),
    sphere_loss="ntce",
    derivation=ID,
    group="sphere-nc",
    max_K=4,
    notes="the sphere model has no weight decay: the instance's lambdas are placeholders",
)

if __name__ == "__main__":
    from verify.sphere.report_text import print_theory

    print_theory(CLAIM, "ntce")
