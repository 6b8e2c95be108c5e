"""Every numerical tolerance of nc-verify, named, in one place (docs/DESIGN.md, invariant 3).

A verdict prints the :class:`Tolerances` it was computed with. Relative quantities are
scale-free: a residual is divided by the sum of the norms of the terms it compares.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class Tolerances:
    """Named tolerances.

    Attributes:
        gap: a solution is *certified* when its relative duality gap
            ``(primal - dual) / primal`` is at most this.
        residual: a claim's relative residual at a certified solution must be at most this
            for the claim to hold there.
        refute: a relative residual above this, at a certified solution, is a counterexample;
            between ``residual`` and ``refute`` the instance is inconclusive.
        hypothesis: how exactly an instance must satisfy a hypothesis (one-hot, centred labels,
            SSETF encoding) for it to count.
        rank: singular values below ``rank * largest`` count as zero when fitting frames.
        fd_step: relative step of the central finite differences that cross-check gradients.
        fd: relative agreement required between a derived gradient and finite differences.
        confirm_gap: the gap the exact engine must reach when it re-solves a counterexample
            (100 times stricter than ``gap``).
        probe_pairs: antithetic pairs of random points tried inside the tight certificate's
            distance bounds (:mod:`verify.claims.resolution`).
        cvxpy_cone: the largest semidefinite cone (K + N) a confirmation hands to CVXPY; larger
            instances are re-solved by gradient descent.
        symbolic_points: random rational points at which the symbolic layer evaluates an
            identity SymPy could not reduce; ``symbolic_agreement`` the relative agreement
            required there (such a step is evidence, never part of a proof).
        sphere_gradient: the norm of the Riemannian gradient at which local search on the
            sphere model (:mod:`verify.sphere.solve`) stops: a first-order stationary point.
        sphere_hessian: the most negative Riemannian Hessian eigenvalue, relative to the largest
            in magnitude, still read as positive semidefinite (second-order check).
        sphere_starts: random starts of a local search on the sphere model.
        sphere_digits: decimal digits of the high-precision (mpmath) re-evaluation that
            certifies a feasible point's loss (:mod:`verify.sphere.exact`).
        cross_gap: the certificate a *second* engine (cvxpy or gradient descent, which reach
            gaps near 1e-8, not 1e-13) must reach when it re-checks a counterexample.
        boundary: c within this relative distance of a singular level, or lambda_b of its
            branch threshold, is *at* it (:mod:`verify.regimes`); a counterexample that close
            to a boundary is decided by how the instance rounds, so it is never confirmed.
        floor: a relative residual divides by the norms it compares *plus* ``floor`` times the
            natural scale of the quantity (:meth:`verify.instance.Instance.scales`), so two
            values at rounding level (b = 0 computed as 1e-17 twice) are not "100% apart".
    """

    gap: float = 1e-10
    residual: float = 1e-6
    refute: float = 1e-3
    hypothesis: float = 1e-9
    rank: float = 1e-9
    fd_step: float = 1e-6
    fd: float = 1e-6
    floor: float = 1e-8
    boundary: float = 1e-9
    cross_gap: float = 1e-6
    confirm_gap: float = 1e-12
    probe_pairs: int = 3
    cvxpy_cone: int = 40
    symbolic_points: int = 6
    symbolic_agreement: float = 1e-12
    sphere_gradient: float = 1e-9
    sphere_hessian: float = 1e-6
    sphere_starts: int = 10
    sphere_digits: int = 50

    def tighter(self) -> Tolerances:
        """The same tolerances with the certificate of a confirmation, ``confirm_gap``."""
        return replace(self, gap=self.confirm_gap)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    def __str__(self) -> str:
        return ", ".join(
            f"{k}={v}" if isinstance(v, int) else f"{k}={v:.0e}" for k, v in asdict(self).items()
        )


DEFAULT = Tolerances()


@dataclass(frozen=True)
class MetricsTolerances:
    """Tolerances of :mod:`verify.metrics`, the NC metrics of any features (a real network's
    included); kept apart from :class:`Tolerances`, whose string every verdict prints.

    Attributes:
        rounding: a singular value of the class-mean matrix below ``rounding`` times its scale
            (the largest singular value, or the largest class mean measured from the reference
            point the sums were taken about, whichever is larger) is rounding, not data, and is
            left out of the pseudo-inverse of Sigma_B. The class means are accurate to a few
            ulps (2.2e-16) of that scale; 1e-12 leaves a margin of about 4500 ulps for the
            summation of N samples. The number of directions left out is reported.
    """

    rounding: float = 1e-12

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


METRICS = MetricsTolerances()
