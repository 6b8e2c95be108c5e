r"""The SSETF conjecture, settled: when are the class means a shifted simplex ETF?

The paper conjectures (Sec. IV-B) that for balanced data :math:`\bar H` is an SSETF iff
:math:`\bar Y` is; nc-verify refutes both directions (``conjecture-ssetf``). The corrected
statement, proved here for every K and every :math:`\lambda_b \in [0, \infty]`:

**Theorem.** Balanced data, :math:`d \ge K`, :math:`\lambda_W, \lambda_H > 0`,
:math:`c = K\sqrt{n\lambda_W\lambda_H}`, :math:`k = \sqrt{\lambda_W/(n\lambda_H)}` and
:math:`a = \|\bar Y(I-J)\|_F/\sqrt{K-1}`, the scale of the centred encoding.

(i) :math:`\lambda_b = 0`: :math:`\bar H \ne 0` is an SSETF :math:`\iff`
:math:`(I-J)\bar Y^\top\bar Y(I-J) = a^2(I-J)` (the centred encoding is a scaled simplex ETF)
and :math:`a > c`. Then :math:`\bar H^\top\bar H = k(a-c)(I-J)`: a simplex ETF. If the centred
encoding is a simplex ETF with :math:`a \le c`, then :math:`\bar H = 0`.

(ii) :math:`0 < \lambda_b \le \infty`: :math:`\bar H \ne 0` is an SSETF :math:`\iff`
:math:`\bar Y = aP(I - \beta J)` is an SSETF and :math:`a > c`. If :math:`\bar Y` is an SSETF with
:math:`a \le c`, the centred class means vanish, :math:`\bar H(I-J) = 0`: the class means
collapse onto one line (or to 0), which is no SSETF.

*Proof.* By ``gram-balanced``, :math:`G = \bar H^\top\bar H = k\,f(|A|)` with
:math:`A = \bar Y - b1^\top`, :math:`f(s) = (s-c)_+`. An SSETF's Gram is :math:`p(I-J) + qJ`,
:math:`p > 0` (and every such matrix is one). A symmetric S commutes with f(S), so if
:math:`f(|A|) = p(I-J) + qJ` with :math:`p > 0`, |A| preserves :math:`1^\perp` and equals
:math:`(p+c)` there: :math:`A^\top A = a^2(I-J) + s^2J` with :math:`a = p + c > c`. As
:math:`b1^\top(I-J) = 0`, :math:`A(I-J) = \bar Y(I-J)`, so the centred encoding is a simplex ETF
of scale a > c; conversely such a centred encoding with :math:`A1 \parallel P1` makes |A| an element
of the algebra spanned by I - J and J, where f acts coefficient-wise. (i) :math:`\lambda_b = 0`:
:math:`b = \bar Y1/K` (Theorem III.4(a)), so :math:`A1 = 0`, :math:`A = aP(I-J)` and
:math:`G = k(a-c)_+(I-J)`. (ii) :math:`\lambda_b > 0`: if :math:`\bar H` is an SSETF then
:math:`A = P(a(I-J) + \sigma J)`, so :math:`\lambda_bKb = \Pi_c(A)1 = \min(\sigma, c)P1`:
:math:`b \parallel P1`, :math:`\bar Y1 = A1 + Kb \parallel P1` and :math:`\bar Y = aP(I - \beta J)`.
If :math:`\bar Y = aP(I-\beta J)`, the unique bias is :math:`\parallel P1` (Proposition IV.3 with
:math:`Q = P\Pi P^\top` for every permutation :math:`\Pi`), so :math:`A` is again of that form and
:math:`G = k[(a-c)_+(I-J) + (\sigma-c)_+J]`. :math:`\square`

So the conjecture's "if" needs :math:`c < a` (the hunt's amendment ``c_below_alpha``) and its
"only if" needs :math:`\lambda_b > 0` (the amendment ``lambda_b_positive``); at :math:`\lambda_b = 0`
only the centred encoding matters. Claims, each checked on certified minimisers in every regime:
``theorem-ssetf:if``, ``theorem-ssetf:only-if`` and ``theorem-ssetf:collapse``.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import sympy as sp

from verify import Instance
from verify.claims import Claim, Context, Residuals, relative
from verify.claims.residuals import hbar_nonzero
from verify.geometry import centring, ssetf_fit
from verify.strategies import Case
from verify.symbolic import Derivation, algebra_step, lemma_step, register
from verify.symbolic.pairs import IJ, J_PAIR, ONE, Pair, algebra_steps

from .conjecture_ssetf import hbar_is_ssetf, nonzero_and_ssetf

__all__ = ["COLLAPSE", "IF", "ONLY_IF", "centred_scale", "derive", "encoding_condition"]


# --- the replay --------------------------------------------------------------------------------


def _check_spectral() -> tuple[bool, str]:
    """A symmetric S commutes with f(S); if f(S) = p(I-J) + qJ, p != q, S preserves 1^perp."""
    rng = np.random.default_rng(2)
    worst = 0.0
    for trial in range(20):
        K_ = 2 + trial % 5
        X = rng.standard_normal((K_, K_))
        S = X @ X.T
        c_ = float(np.median(np.linalg.eigvalsh(S)))
        w, V = np.linalg.eigh(S)
        fS = (V * np.clip(w - c_, 0, None)) @ V.T
        worst = max(worst, float(np.linalg.norm(fS @ S - S @ fS) / np.linalg.norm(S) ** 2))
        # a matrix with f(S) in the algebra: S = (p + c)(I - J) + s J
        p_, s_ = rng.uniform(0.1, 2), rng.uniform(0, 3)
        J = np.ones((K_, K_)) / K_
        S2 = (p_ + c_) * (np.eye(K_) - J) + s_ * J
        one = np.ones(K_)
        worst = max(worst, float(np.linalg.norm(S2 @ one - s_ * one)))
    ok = worst < 1e-12
    return ok, f"20 random S: [S, f(S)] = 0 and S 1 in span(1) to within {max(worst, 1e-12):.0e}"


def _check_bias_symmetry() -> tuple[bool, str]:
    """For an SSETF encoding and 0 < lambda_b < inf the certified bias is parallel to P 1."""
    from verify import Instance, solve
    from verify.encodings import ssetf
    from verify.strategies import haar_orthogonal

    rng = np.random.default_rng(3)
    worst = 0.0
    for trial in range(10):
        K_ = 2 + trial % 4
        P = haar_orthogonal(K_, trial)
        Ybar = ssetf(K_, rng.uniform(0.3, 2), rng.uniform(-2, 2), P)
        c_ = rng.uniform(0.05, 0.9) * ssetf_fit(Ybar).alpha
        lam = c_ / (K_ * math.sqrt(3))
        s = solve(Instance(Ybar, (3,) * K_, K_, lam, lam, 10 ** rng.uniform(-2, 2)))
        if not s.certified:
            return False, f"trial {trial}: not certified ({s.certificate.reason})"
        u = P.sum(axis=1) / np.linalg.norm(P.sum(axis=1))
        off = s.b - (s.b @ u) * u
        worst = max(worst, float(np.linalg.norm(off)) / max(float(np.linalg.norm(s.b)), 1e-300))
    ok = worst < 1e-6
    return (
        ok,
        f"10 certified SSETF instances: b is parallel to P1 to within {max(worst, 1e-12):.0e} (relative)",
    )


@register("theorem-ssetf")
@lru_cache(maxsize=1)
def derive() -> Derivation:
    """The replay of the theorem on the algebra spanned by I - J and J (every K)."""
    alpha, e, p, q, s, t, sig = sp.symbols("a e p q s t sigma", positive=True)
    beta = sp.Symbol("beta", real=True)
    c = sp.Symbol("c", positive=True)
    k = sp.Symbol("k", positive=True)
    K = sp.Symbol("K", positive=True, integer=True)
    Y = sp.MatrixSymbol("Ybar", K, K)
    b = sp.MatrixSymbol("b", K, 1)
    IJm = sp.Identity(K) - sp.OneMatrix(K, K) / K
    relu = lambda x: sp.Max(x, 0)  # noqa: E731
    ssetf_root = Pair(sp.sqrt(p), sp.sqrt(p) * sp.sqrt(q / p))
    steps = (
        *algebra_steps(),
        algebra_step(
            "An SSETF alpha P(I - beta J) (P^T P = I) has the Gram alpha^2((I - J) + (1-beta)^2 J).",
            (alpha * (ONE - beta * J_PAIR) * (alpha * (ONE - beta * J_PAIR))).as_tuple(),
            (alpha**2 * (IJ + (1 - beta) ** 2 * J_PAIR)).as_tuple(),
        ),
        algebra_step(
            "Conversely p(I - J) + qJ with p > 0, q >= 0 is the Gram of sqrt(p)(I - beta J), "
            "beta = 1 - sqrt(q/p): so Hbar is an SSETF iff its Gram is p(I-J) + qJ with p > 0.",
            (ssetf_root * ssetf_root).as_tuple(),
            sp.Tuple(p, q),
        ),
        lemma_step(
            "A symmetric S commutes with every spectral function f(S); so if f(|A|) = "
            "p(I-J) + qJ with p > 0, |A| preserves 1^perp and span(1), and equals p + c on 1^perp "
            "(f(s) = (s - c)_+ is one-to-one above c).",
            "the spectral theorem (Horn & Johnson, Matrix Analysis, 2nd ed., Thm 4.1.5)",
            _check_spectral,
        ),
        algebra_step(
            "f acts coefficient-wise on the algebra: for |A| = (c + e)(I - J) + sJ (a = c + e > c), "
            "k(|A| - cI)_+ has the centred coefficient k e = k(a - c) > 0.",
            (k * Pair(c + e, s).apply(lambda x: relu(x - c))).x,
            k * e,
        ),
        algebra_step(
            "Only if: |A| = (p/k + c)(I - J) + sJ gives A^T A = |A|^2 and (I - J) A^T A (I - J) "
            "= (p/k + c)^2 (I - J).",
            (Pair(p / k + c, s) * Pair(p / k + c, s) * IJ).as_tuple(),
            ((p / k + c) ** 2 * IJ).as_tuple(),
        ),
        algebra_step(
            "b 1^T (I - J) = 0, so A(I - J) = Ybar(I - J): the centred encoding is a simplex ETF "
            "of scale a = p/k + c > c.",
            sp.expand((b * sp.OneMatrix(1, K) * IJm).doit()),
            sp.ZeroMatrix(K, K),
        ),
        algebra_step(
            "Ybar = Ybar(I - J) + (Ybar 1)1^T / K.",
            Y * IJm + Y * sp.OneMatrix(K, K) / K,
            Y,
        ),
        algebra_step(
            "(i) lambda_b = 0: b = Ybar 1/K (Theorem III.4(a)), so A 1 = 0 and |A| = a(I - J): "
            "the Gram k(a - c)_+(I - J) is a simplex ETF's for a = c + e, ...",
            (k * Pair(c + e, 0).apply(lambda x: relu(x - c))).as_tuple(),
            (k * e * IJ).as_tuple(),
        ),
        algebra_step(
            "... and 0 for a <= c (a = c - e', here c = a + e): Hbar = 0.",
            (k * Pair(alpha, 0).apply(lambda x: relu(x - (alpha + e)))).as_tuple(),
            sp.Tuple(0, 0),
        ),
        algebra_step(
            "(ii) only if: A = P(a(I-J) + sigma J) clips to Pi_c(A) = P(min(a,c)(I-J) + "
            "min(sigma,c) J), and Pi_c(A) 1 = min(sigma, c) P 1 (here sigma = c + e).",
            Pair(alpha, c + e).apply(lambda x: sp.Min(x, c)).on_ones(),
            c,
        ),
        algebra_step(
            "So b = Pi_c(A)1/(lambda_b K) is parallel to P1, Ybar 1 = A1 + Kb = tP1, and "
            "Ybar = P(a(I - J) + tJ) = aP(I - beta J) with beta = 1 - t/a: an SSETF.",
            Pair(alpha, t).as_tuple(),
            (alpha * (ONE - (1 - t / alpha) * J_PAIR)).as_tuple(),
        ),
        lemma_step(
            "(ii) if: for Ybar = aP(I - beta J) and 0 < lambda_b < inf the unique bias is "
            "parallel to P1 (Proposition IV.3 with Q = P Pi P^T for every permutation Pi, and "
            "uniqueness of b by strong convexity; lambda_b = inf: b = 0).",
            "Proposition IV.3 of arXiv 2606.00344 (proposition-IV.3, verified)",
            _check_bias_symmetry,
        ),
        algebra_step(
            "Then A = P(a(I - J) + sigma J) and G = k[(a - c)_+(I - J) + (sigma - c)_+ J]: an "
            "SSETF's for a = c + e, and for a <= c its centred part vanishes (collapse).",
            (k * Pair(c + e, sig).apply(lambda x: relu(x - c))).x,
            k * e,
        ),
    )  # fmt: skip
    return Derivation(
        "theorem-ssetf",
        "When the class means are an SSETF: the corrected conjecture",
        {"centred_gram_coefficient": k * (alpha - c)},
        steps,
    )


# --- the claims --------------------------------------------------------------------------------


def centred_scale(Ybar: np.ndarray) -> float:
    """a = ||Ybar (I - J)||_F / sqrt(K - 1)."""
    K = Ybar.shape[0]
    return float(np.linalg.norm(Ybar @ centring(K))) / math.sqrt(K - 1)


def _centred_etf_residual(Ybar: np.ndarray) -> float:
    """||(I-J) Ybar^T Ybar (I-J) - a^2 (I-J)|| relative: 0 iff the centred encoding is an ETF."""
    P1 = centring(Ybar.shape[0])
    M = P1 @ Ybar.T @ Ybar @ P1
    a2 = centred_scale(Ybar) ** 2
    return relative(
        float(np.linalg.norm(M - a2 * P1)),
        float(np.linalg.norm(M)),
        a2 * math.sqrt(Ybar.shape[0] - 1),
    )


def encoding_condition(ctx: Context) -> Residuals:
    """The theorem's condition on the encoding: (i) lambda_b = 0: the centred encoding is a
    simplex ETF; (ii) lambda_b > 0: the encoding is an SSETF."""
    Ybar, lb = ctx.instance.encoding, ctx.instance.lambda_b
    if lb == 0:
        return {"Ybar (I - J) is a scaled simplex ETF": _centred_etf_residual(Ybar)}
    return {"Ybar is an SSETF": ssetf_fit(Ybar, ctx.tol).residual}


def _above(ctx: Context) -> float:
    """0 when a > c, else 1; within ``Tolerances.boundary`` (relative) of a = c the instance is
    on the boundary, where the sides are decided by rounding: it counts as a <= c, the case of
    ``theorem-ssetf:collapse``, whose conclusion holds on both sides to within rounding."""
    c = ctx.instance.c
    assert c is not None
    return 0.0 if centred_scale(ctx.instance.encoding) > c * (1 + ctx.tol.boundary) else 1.0


def condition_and_above(ctx: Context) -> Residuals:
    return encoding_condition(ctx) | {"a > c": _above(ctx)}


def condition_not_above(ctx: Context) -> Residuals:
    return encoding_condition(ctx) | {"a <= c": 1.0 - _above(ctx)}


def centred_coefficient(ctx: Context) -> tuple[float, float]:
    """The centred Gram coefficient tr((I - J) Hbar^T Hbar)/(K - 1), as certified and as the
    theorem gives it, k (a - c)_+."""
    inst, Hbar = ctx.instance, ctx.solution.Hbar
    c, n = inst.c, inst.n
    assert c is not None and n is not None
    p = float(np.trace(centring(inst.K) @ Hbar.T @ Hbar)) / (inst.K - 1)
    k = math.sqrt(inst.lambda_W / (n * inst.lambda_H))
    return p, k * max(centred_scale(inst.encoding) - c, 0.0)


def nonzero_ssetf_with_scale(ctx: Context) -> Residuals:
    """Hbar != 0 (certified), Hbar is an SSETF, and its centred Gram coefficient is k (a - c)."""
    p, predicted = centred_coefficient(ctx)
    return {
        **hbar_nonzero(ctx),
        **hbar_is_ssetf(ctx),
        "centred Gram coefficient = k (a - c)": relative(
            abs(p - predicted), abs(p), abs(predicted), ctx.floor("gram")
        ),
    }


def condition_holds(ctx: Context) -> Residuals:
    """The theorem's condition, as a conclusion: the encoding condition and a > c."""
    return condition_and_above(ctx)


def centred_means_vanish(ctx: Context) -> Residuals:
    """||Zbar (I - J)|| relative to ||Zbar|| (Zbar = W Hbar, the class means of Z)."""
    s = ctx.solution
    Zbar = s.W @ s.Hbar
    centred = Zbar @ centring(ctx.instance.K)
    return {
        "Hbar (I - J) = 0": relative(
            float(np.linalg.norm(centred)), float(np.linalg.norm(Zbar)), ctx.floor("Z")
        )
    }


def explain(instance: Instance) -> str:
    """What the theorem says at ``instance``: its condition on the encoding, a against c, and
    so the class means it predicts (shown beside the conjecture's counterexamples)."""
    ctx = Context(Case(instance))
    ((name, residual),) = encoding_condition(ctx).items()
    a, c = centred_scale(instance.encoding), instance.c
    assert c is not None
    holds = residual <= ctx.tol.residual
    side = "a > c" if _above(ctx) == 0.0 else "a <= c"
    if not holds:
        says = f"the condition fails ({name}: residual {residual:.2g}), so no SSETF is predicted"
    elif side == "a > c":
        says = "the condition holds with a > c: nonzero SSETF class means"
    else:
        says = "the condition holds with a <= c: the centred class means vanish"
    return f"a = {a:.4g}, c = {c:.4g}; {says}"


_META = {"replaces": "conjecture-ssetf", "explain": explain}

_STATEMENT = r"for $\lambda_b = 0$: $(I-J)\bar Y^\top\bar Y(I-J) = a^2(I-J)$; for $\lambda_b > 0$: $\bar Y = aP(I-\beta J)$; with $a = \|\bar Y(I-J)\|_F/\sqrt{K-1} > c$"

IF = Claim(
    id="theorem-ssetf:if",
    title="Corrected conjecture, if: the encoding condition with a > c gives SSETF class means",
    statement=_STATEMENT
    + r" $\Rightarrow \bar H \ne 0$ is an SSETF with centred Gram $k(a-c)(I-J)$",
    reference="proved by nc-verify (proofs/ssetf_theorem.py); corrects Sec. IV-B, arXiv 2606.00344",
    hypotheses=("balanced",),
    premise=condition_and_above,
    premise_statement=_STATEMENT,
    conclusion=nonzero_ssetf_with_scale,
    derivation="theorem-ssetf",
    kind="derived",
    group="theorem-ssetf",
    meta=_META,
)

ONLY_IF = Claim(
    id="theorem-ssetf:only-if",
    title="Corrected conjecture, only if: SSETF class means need the encoding condition and a > c",
    statement=r"$\bar H \ne 0$ an SSETF $\Rightarrow$ " + _STATEMENT,
    reference="proved by nc-verify (proofs/ssetf_theorem.py); corrects Sec. IV-B, arXiv 2606.00344",
    hypotheses=("balanced",),
    premise=nonzero_and_ssetf,
    premise_statement=r"$\bar H \neq 0$ (certified) is an SSETF",
    conclusion=condition_holds,
    derivation="theorem-ssetf",
    kind="derived",
    group="theorem-ssetf",
    meta=_META,
)

COLLAPSE = Claim(
    id="theorem-ssetf:collapse",
    title="Corrected conjecture, boundary: with a <= c the centred class means vanish",
    statement=r"the encoding condition with $a \le c$ $\Rightarrow \bar H(I-J) = 0$",
    reference="proved by nc-verify (proofs/ssetf_theorem.py)",
    hypotheses=("balanced",),
    premise=condition_not_above,
    premise_statement=r"the encoding condition holds and $a \le c$",
    conclusion=centred_means_vanish,
    derivation="theorem-ssetf",
    kind="derived",
    group="theorem-ssetf",
    meta=_META,
)


def theory(ctx: Context) -> dict[str, tuple[object, object]]:
    """The centred Gram coefficient: k (a - c)_+ by the theorem, and as certified."""
    certified, predicted = centred_coefficient(ctx)
    return {"centred Gram coefficient": (predicted, certified)}


def main() -> None:
    """Label smoothing (delta = 0.3), K = 3, n = 4, for lambda_b = 0, 1 and inf."""
    from verify import Instance
    from verify.claims.beside import print_beside
    from verify.encodings import label_smoothing

    for lb in (0.0, 1.0, math.inf):
        print_beside(IF, Instance(label_smoothing(3, 0.3), (4, 4, 4), 3, 0.03, 0.03, lb), theory)


if __name__ == "__main__":
    main()
