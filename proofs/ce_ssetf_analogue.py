r"""The SSETF conjecture's analogue for cross-entropy on soft targets (docs/BEYOND.md section 1).

Paper 000 conjectures, for the MSE loss and balanced data, that the class means are a shifted
simplex ETF iff the encoding is one (``conjecture-ssetf``; refuted and corrected in
``theorem-ssetf``). The analogue asked here: cross-entropy, balanced counts, a column-stochastic
encoding :math:`\bar Y` (soft targets), :math:`d \ge K`:

- *if*: :math:`\bar Y` an SSETF :math:`\Rightarrow` :math:`\bar H \ne 0` is an SSETF;
- *only if*: :math:`\bar H \ne 0` an SSETF :math:`\Rightarrow` :math:`\bar Y` is an SSETF.

Both are false (``verify check``): *if* at K >= 4 for rotated label smoothing whose rotation is
not a permutation, *only if* at K = 2 with :math:`\lambda_b = 0` for any soft target that is
not an SSETF (the class means are an SSETF there whatever the encoding, as for MSE).

The soft-target SSETFs are :math:`J + aQ(I - J)` with Q orthogonal, :math:`Q1 = 1` (entries >= 0);
label smoothing is the case Q = I. MSE's proof of the corrected theorem uses the orthogonal
invariance of the Frobenius norm (Proposition IV.3); cross-entropy has only the permutation
symmetry, so the strategies draw rotated label smoothing (``rotated_smooth``) to test whether a
rotation Q that is not a permutation still gives SSETF class means.

:math:`\bar H \ne 0` must be certified: a cross-entropy certificate bounds no distance in Z, so the
premise compares objective values instead. Z = 0 at every minimiser would make the minimum equal
:math:`F_0 = \min_b L(b1^\top) + \frac{\lambda_b}2\|b\|^2`, which does not depend on
:math:`\lambda_W, \lambda_H` once :math:`\mu` is large enough for Z = 0 to be optimal
(:math:`\mu \ge \|\nabla L\|_2 \le \sqrt{2/N}`); it is certified by a solve of the same instance
with :math:`\lambda_W = \lambda_H = 2`. A computed primal value below :math:`F_0` minus that solve's
gap proves that no minimiser has Z = 0.
"""

from __future__ import annotations

from verify.claims import Claim, Context, Residuals
from verify.claims.residuals import objective_below_zero_points
from verify.geometry import ssetf_fit
from verify.strategies import Case, Params, build

from .conjecture_ssetf import hbar_is_ssetf

__all__ = ["IF", "ONLY_IF", "ce_hbar_nonzero"]


def ce_hbar_nonzero(ctx: Context) -> dict[str, float]:
    """0 when the certified objective is below that of every zero point (so Hbar* != 0), else 1
    (:func:`verify.claims.residuals.objective_below_zero_points`)."""
    return {"Hbar != 0 (certified by objective values)": objective_below_zero_points(ctx)}


def nonzero_and_ssetf(ctx: Context) -> Residuals:
    return ce_hbar_nonzero(ctx) | hbar_is_ssetf(ctx)


def ybar_is_ssetf(ctx: Context) -> Residuals:
    return {"Ybar is an SSETF": ssetf_fit(ctx.instance.encoding, ctx.tol).residual}


class _WithRotatedCorners(Claim):
    """The claim with extra deterministic corners: rotated label smoothing at K = 4 and 5, where a
    rotation of 1^perp is not a permutation (at K = 3 every such SSETF gives SSETF means)."""

    def corners(self) -> list[Case]:
        extra = [
            build(Params("rotated_smooth", K, (4,) * K, 0, 0.2, 1.0, 0.5, scalars={"delta": 0.3}, seed=1, loss="ce"))
            for K in (4, 5)
        ]  # fmt: skip
        return [*super().corners(), *(c for c in extra if c is not None)]


IF = _WithRotatedCorners(
    id="ce-ssetf-analogue:if",
    title="Soft-target cross-entropy: an SSETF encoding gives SSETF class means (analogue, if)",
    statement=r"cross-entropy, $\bar Y$ a column-stochastic SSETF $\Rightarrow \bar H \ne 0$ is an SSETF",
    reference="analogue of Sec. IV-B's conjecture, arXiv 2606.00344 (docs/BEYOND.md)",
    hypotheses=("cross_entropy", "balanced", "ssetf_encoding"),
    premise=ce_hbar_nonzero,
    premise_statement=r"$\bar H \ne 0$ (certified)",
    conclusion=hbar_is_ssetf,
    kind="conjecture",
    group="ce-ssetf-analogue",
)


class _WithBiasFreeCorner(Claim):
    """The claim with one more deterministic corner: K = 2, lambda_b = 0, a soft target that is
    not an SSETF. As for MSE (``conjecture-ssetf:only-if``), with lambda_b = 0 the loss is
    blind to shifts along 1 and, at K = 2, every centred pair of class means is a simplex ETF:
    the class means are an SSETF for any encoding there."""

    def corners(self) -> list[Case]:
        extra = build(Params("stochastic", 2, (4, 4), 0, 0.1, 1.0, 0.0, seed=1, loss="ce"))
        return [*super().corners(), *([extra] if extra is not None else [])]


ONLY_IF = _WithBiasFreeCorner(
    id="ce-ssetf-analogue:only-if",
    title="Soft-target cross-entropy: SSETF class means need an SSETF encoding (analogue, only if)",
    statement=r"cross-entropy, $\bar H \ne 0$ an SSETF $\Rightarrow \bar Y$ is an SSETF",
    reference="analogue of Sec. IV-B's conjecture, arXiv 2606.00344 (docs/BEYOND.md)",
    hypotheses=("cross_entropy", "balanced"),
    premise=nonzero_and_ssetf,
    premise_statement=r"$\bar H \ne 0$ (certified) is an SSETF",
    conclusion=ybar_is_ssetf,
    kind="conjecture",
    group="ce-ssetf-analogue",
)


def theory(ctx: Context) -> dict[str, tuple[object, object]]:
    """The SSETF-fit residual of the certified class means beside the analogue's 0 (which it
    is not at a counterexample)."""
    return {
        "SSETF-fit residual of Hbar (the analogue says 0)": (
            0.0,
            ssetf_fit(ctx.solution.Hbar, ctx.tol).residual,
        )
    }


def main() -> None:
    """K = 4, n = 4, lambda_b = 0.5: label smoothing (delta = 0.3), where the class means are an
    SSETF, then the same smoothing rotated by a Q that is not a permutation (the first corner
    of ``ce-ssetf-analogue:if``), where they are not."""
    from verify.claims.beside import print_beside

    for kind in ("smooth", "rotated_smooth"):
        p = Params(kind, 4, (4,) * 4, 0, 0.2, 1.0, 0.5, scalars={"delta": 0.3}, seed=1, loss="ce")
        case = build(p)
        assert case is not None
        print_beside(IF, case, theory)


if __name__ == "__main__":
    main()
