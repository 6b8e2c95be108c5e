r"""SupCon (features only): for balanced data and d >= K - 1, the optimum is NC (Graf et al. 2021).

``losses.py`` l. 71-100 (Khosla et al. 2020, one view, labels given; this version has no
temperature/base-temperature factor): for anchor i of class c with the other n - 1 samples of
its class as positives,

.. math:: \mathcal L = \frac1N\sum_i \Big[-\frac{1}{n-1}\sum_{p\ne i,\,y_p=c}\frac{h_i^\top h_p}{\tau}
    + \log\sum_{a\ne i} e^{h_i^\top h_a/\tau}\Big]
    \;\ge\; \log(n-1) + \log\Big(1 + \frac{n(K-1)}{n-1}e^{-K/((K-1)\tau)}\Big),

with equality exactly when the class means are a simplex ETF and every feature equals its class
mean (Graf, Hofer, Niethammer, Kwitt, ICML 2021, Theorem 2, here replayed for the form of
``losses.py``). n >= 2 (a positive other than the anchor).
"""

from verify.sphere.checks import optimum_conclusion
from verify.sphere.claim import HYPOTHESES, SphereClaim
from verify.sphere.replay import derive_bound
from verify.symbolic import Derivation, register

ID = "sphere-supcon-nc"


@register(ID)
def derive() -> Derivation:
    return derive_bound("supcon", ID)


CLAIM = SphereClaim(
    id=ID,
    title="SupCon: NC is the global optimum (balanced, n >= 2, d >= K - 1)",
    statement=r"$\min \mathcal L_{\mathrm{SupCon}} = \log(n-1) + \log(1 + \frac{n(K-1)}{n-1}e^{-K/((K-1)\tau)})$, attained exactly at NC",
    reference="Graf et al. 2021 (ICML), Thm 2; arXiv 2605.20302 (SCL, losses.py l. 71-100)",
    hypotheses=HYPOTHESES,
    conclusion=optimum_conclusion("supcon"),
    sphere_loss="supcon",
    derivation=ID,
    group="sphere-nc",
    max_K=4,
    notes="the sphere model has no weight decay: the instance's lambdas are placeholders",
)

if __name__ == "__main__":
    from verify.sphere.report_text import print_theory

    print_theory(CLAIM, "supcon")
