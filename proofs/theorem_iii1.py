r"""Theorem III.1 (Zhou et al. 2022, Thm 3.1): one-hot labels, balanced data, :math:`c < 1`.

With :math:`c = K\sqrt{n\lambda_W\lambda_H} < 1`, every global minimiser has
:math:`H = \bar H C`, :math:`W^\top = \sqrt{n\lambda_H/\lambda_W}\,\bar H` and

.. math::

    \bar H^\top \bar H = \begin{cases} \alpha_1 (I - J) & \lambda_b \le \frac{c}{1-c} \\
        \alpha_2 (I - \frac{c}{\lambda_b(1-c)} J) & \text{otherwise} \end{cases},
    \qquad
    b = \begin{cases} \frac{1}{1+\lambda_b}\frac{1_K}{K} & \lambda_b \le \frac{c}{1-c} \\
        \frac{c}{\lambda_b}\frac{1_K}{K} & \text{otherwise} \end{cases}

for some :math:`\alpha_1, \alpha_2 > 0`. The paper leaves the constants unnamed;
the replay below derives :math:`\alpha_1 = \alpha_2 = (1-c)\sqrt{\lambda_W/(n\lambda_H)}`
general in K and the second claim here, ``theorem-III.1-constants``, checks the derived closed
forms (also for :math:`c \ge 1`, where the minimiser is W = H = 0).

**The replay** is derived for a *symbolic* K (and n), not one K at a time.

**Reduction** (docs/CLAIMS.md, last section; standard, cited, not re-proved here). For
:math:`d \ge K` the UFM's minima equal those of the convex problem

.. math:: \min_{Z,b}\ \frac{1}{2N}\|Z + b1^\top - Y\|_F^2 + \mu\|Z\|_* + \frac{\lambda_b}{2}\|b\|^2,
          \qquad \mu = \sqrt{\lambda_W\lambda_H},

because :math:`\min_{WH=Z}\frac{\lambda_W}{2}\|W\|^2 + \frac{\lambda_H}{2}\|H\|^2 = \mu\|Z\|_*`.
For fixed b the optimal Z is the singular value thresholding :math:`Z = \mathrm{SVT}_\tau(A)`
of :math:`A = Y - b1^\top` at :math:`\tau = N\mu`; the reduced objective is a Moreau envelope,
differentiable and convex in b, and its stationarity condition is
:math:`\lambda_b N b = \Pi_\tau(A)1_N` with :math:`\Pi_\tau(A) = A - \mathrm{SVT}_\tau(A) =
U\min(\Sigma,\tau)V^\top = \varphi(AA^\top)A`, :math:`\varphi(s) = \min(\sqrt s,\tau)/\sqrt s`.

**One-hot, balanced.** :math:`Y = C`, :math:`CC^\top = nI`, :math:`C1_N = n1_K`,
:math:`1_N^\top 1_N = nK`. With the ansatz :math:`b = \beta_0 1_K` every matrix below is in the
algebra of :mod:`verify.symbolic.pairs` (``(x, y)`` means :math:`x(I-J) + yJ`):

.. math:: AA^\top = (n,\ nK^2(1/K - \beta_0)^2),\qquad AC^\top = (n,\ n s),\qquad
          s := 1 - K\beta_0,

so A has singular value :math:`\sqrt n` on :math:`1^\perp` (multiplicity K-1) and
:math:`t = \sqrt n|s|` on :math:`1_K`, and :math:`\tau = \sqrt n c`, :math:`c = K\sqrt{n\lambda_W
\lambda_H}`. The b-equation becomes the scalar :math:`\lambda_b K\beta_0 = \varphi(t^2)s`,
solved (``sympy.solve``) in the branches :math:`t \le \tau` and :math:`t > \tau`. A solution of
the (sufficient) stationarity condition is a minimiser; for :math:`\lambda_b > 0` it is unique.

**Gram.** The balanced factorisation :math:`W = (\lambda_H/\lambda_W)^{1/4}U\Sigma_Z^{1/2}`,
:math:`H = (\lambda_W/\lambda_H)^{1/4}\Sigma_Z^{1/2}V^\top` of :math:`Z = U\Sigma_Z V^\top`
(:math:`\Sigma_Z = (\Sigma - \tau)_+`) attains the bound above; with :math:`\bar H = HC^\top/n`
and :math:`V = A^\top U\Sigma^{-1}` on the active directions,

.. math:: \bar H^\top\bar H = \sqrt{\lambda_W/\lambda_H}\ CA^\top\,\chi(AA^\top)\,AC^\top / n^2,
          \qquad \chi(\sigma^2) = (\sigma - \tau)_+/\sigma^2.

Results (``b = b_below * 1_K`` etc.; a Gram "pair" is ``(x, y)`` = :math:`x(I-J) + yJ`):
:math:`\alpha_1 = \alpha_2 = (1-c)\sqrt{\lambda_W/(n\lambda_H)}` (independent of
:math:`\lambda_b`), threshold :math:`c/(1-c)`, :math:`\kappa = \sqrt{n\lambda_H/\lambda_W}`; for
:math:`c \ge 1`, Z = 0, so W = H = 0 and :math:`b = 1_K/(K(1+\lambda_b))`.

``python -m proofs.theorem_iii1`` prints the derived b and Gram beside a certified solution,
below and above the threshold.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import sympy as sp
from sympy.matrices.expressions.kronecker import KroneckerProduct, combine_kronecker

from verify.claims import Claim, Context, Residuals
from verify.claims.residuals import frobenius_gap, nc1_scatter, shape_fit
from verify.symbolic import Derivation, Step, algebra_step, numeric_step, register
from verify.symbolic.matrices import class_assignment
from verify.symbolic.pairs import IJ, J_PAIR, ONE, Pair, algebra_steps
from verify.symbolic.symbols import K, c, c_of, lambda_b, lambda_H, lambda_W, n

__all__ = ["CLAIM", "CONSTANTS", "derive", "lambdified", "theory"]

# --------------------------------------------------------------------------- the replay
beta0 = sp.Symbol("beta_0", real=True)
s = sp.Symbol("s", positive=True)  # |1 - K beta_0| in the sign cases
e = sp.Symbol("e", positive=True)  # 1 - c, to state c < 1
tau = sp.sqrt(n) * c
ratio = sp.sqrt(lambda_W / lambda_H)
REDUCTION = (
    "The UFM/convex-problem equivalence (nuclear norm as min over factorisations, d >= K) and "
    "the Moreau-envelope gradient are cited analytic results, not identities; the certified "
    "numeric layer checks them (duality gap)."
)


def _facts() -> tuple[Step, ...]:
    """Balanced one-hot facts for symbolic K, n (C = I_K kron 1_n^T)."""
    C = KroneckerProduct(sp.Identity(K), sp.OneMatrix(1, n))
    ones_N = KroneckerProduct(sp.OneMatrix(K, 1), sp.OneMatrix(n, 1))
    kron_one = KroneckerProduct(sp.OneMatrix(K, 1), sp.Identity(1))
    return (
        algebra_step("C C^T = n I_K (C = I_K kron 1_n^T, symbolic K, n).",
                     combine_kronecker(C * C.T).doit(), n * sp.Identity(K)),
        algebra_step("1_N^T 1_N = N = nK.", combine_kronecker(ones_N.T * ones_N).doit(),
                     K * n * sp.Identity(1)),
        algebra_step("C 1_N = n 1_K (written 1_K kron I_1).",
                     combine_kronecker(C * ones_N).doit(), n * kron_one),
        algebra_step("tau = N mu = nK sqrt(lambda_W lambda_H) equals sqrt(n) c.",
                     n * K * sp.sqrt(lambda_W * lambda_H), sp.sqrt(n) * c_of),
    )  # fmt: skip


def _derive_c() -> tuple[dict[str, Any], list[Step], list[str]]:
    """The derivation in terms of the symbol c; returns expressions, steps, findings."""
    steps: list[Step] = [*algebra_steps(), *_facts()]
    steps.append(
        numeric_step(
            "Reduce the UFM to the convex problem in (Z, b); Z = SVT_tau(A); "
            "b solves lambda_b N b = (A - SVT_tau(A)) 1_N.",
            sp.Symbol("UFM"),
            sp.Symbol("convex_reformulation"),
            REDUCTION,
        )
    )
    # A = C - beta0 1_K 1_N^T, products expanded in the basis {I, O_K} (O_K = K J)
    AAt = Pair(n, n + K * (-2 * beta0 * n + beta0**2 * n * K))
    ACt = Pair(n, n + K * (-beta0 * n))
    k3, n2 = 3, 2
    A3 = class_assignment([n2] * k3) - beta0 * sp.ones(k3, k3 * n2)
    steps += [
        algebra_step("AA^T = n(I - J) + nK^2(1/K - beta_0)^2 J.", AAt.as_tuple(),
                     sp.Tuple(n, n * K**2 * (1 / K - beta0) ** 2)),
        algebra_step("Cross-check AA^T and AC^T on explicit K = 3, n = 2.",
                     (A3 * A3.T, A3 * class_assignment([n2] * k3).T),
                     (AAt.explicit(k3).subs({n: n2, K: k3}),
                      ACt.explicit(k3).subs({n: n2, K: k3}))),
        algebra_step("AC^T = n(I - J) + n s J with s = 1 - K beta_0; A 1_N = n s 1_K.",
                     ACt.y, n * (1 - K * beta0)),
    ]  # fmt: skip
    t = sp.sqrt(sp.factor(AAt.y))
    steps.append(
        algebra_step(
            "Singular values of A: sqrt(n) on 1^perp, t = sqrt(n)|s| on 1_K.",
            t,
            sp.sqrt(n) * sp.Abs(1 - K * beta0),
        )
    )
    # b-equation lambda_b N beta0 = phi(t^2) * n s, in the sign cases s > 0 and s < 0
    sols: dict[tuple[str, int], list[Any]] = {}
    for sign in (1, -1):
        sub = {beta0: (1 - sign * s) / K}
        t_s = sp.sqrt(AAt.y.subs(sub))
        for branch, phi in (("below", sp.Integer(1)), ("above", tau / t_s)):
            eq = lambda_b * n * K * beta0.subs(sub) - phi * (n * (1 - K * beta0)).subs(sub)
            sols[(branch, sign)] = sp.solve(eq, s)
    for branch in ("below", "above"):
        steps.append(algebra_step(
            f"Exactly one solution with 1 - K beta_0 > 0 in the '{branch}' branch.",
            sp.Integer(len(sols[(branch, 1)])), sp.Integer(1)))  # fmt: skip
        steps.append(algebra_step(
            f"No solution with 1 - K beta_0 < 0 in the '{branch}' branch (sympy.solve, s > 0).",
            sp.Integer(len(sols[(branch, -1)])), sp.Integer(0)))  # fmt: skip
    s_below, s_above = sols[("below", 1)][0], sols[("above", 1)][0]
    b_below = sp.simplify((1 - s_below) / K)
    b_above = sp.simplify((1 - s_above) / K)
    thr = sp.solve(sp.Eq(s_below, c), lambda_b)[0]
    thr_above = sp.solve(sp.Eq(s_above, c), lambda_b)[0]
    paper_thr = c / (1 - c)
    steps += [
        algebra_step("(i) Threshold: t = tau at lambda_b = derived value, equal to the paper's "
                     "c/(1 - c).", thr, paper_thr),
        algebra_step("Both branches meet t = tau at the same lambda_b.", thr_above, thr),
        algebra_step("Below: (s - c) = (1 - c)(lambda_b - c/(1-c))/(1 + lambda_b), so for c < 1 "
                     "t <= tau iff lambda_b <= c/(1-c).", s_below - c,
                     (1 - c) * (lambda_b - thr) / (1 + lambda_b)),
        algebra_step("Above: (s - c) = (1 - c)(lambda_b - c/(1-c))/lambda_b, so t > tau iff "
                     "lambda_b > c/(1-c) (then s > c > 0).", s_above - c,
                     (1 - c) * (lambda_b - thr) / lambda_b),
        algebra_step("(ii) b_below equals the paper's (5): 1/(1 + lambda_b) 1/K.", b_below,
                     1 / ((1 + lambda_b) * K)),
        algebra_step("(ii) b_above equals the paper's (5): (c/lambda_b) 1/K.", b_above,
                     c / (lambda_b * K)),
        numeric_step("The solution is the minimiser: the b-condition is sufficient (convex, "
                     "differentiable) and, for lambda_b > 0, the objective in b is strictly "
                     "convex, so b is unique.", sp.Symbol("b"), b_below,
                     "uniqueness/optimality argument, not algebra"),
    ]  # fmt: skip
    # Gram of the class means, chi(sigma^2) = (sigma - tau)/sigma^2 on active directions
    chi_perp = (sp.sqrt(n) - tau) / n
    s_pos = sp.Symbol("s_pos", positive=True)
    chi_one = (sp.sqrt(n * s_pos**2) - tau) / (n * s_pos**2)
    ACt_s = Pair(n, n * s_pos)
    gram_below = (ratio * ACt_s * Pair(chi_perp, 0) * ACt_s * (1 / n**2)).map(sp.simplify)
    gram_above = (ratio * ACt_s * Pair(chi_perp, chi_one) * ACt_s * (1 / n**2)).map(
        lambda x: sp.simplify(x.subs(s_pos, s_above))
    )
    gram_below = gram_below.map(lambda x: sp.simplify(x.subs(s_pos, s_below)))
    alpha_1, alpha_2 = gram_below.x, gram_above.x
    q = c / (lambda_b * (1 - c))
    expected = (1 - c) * sp.sqrt(lambda_W / (n * lambda_H))
    steps += [
        algebra_step("Balanced factorisation: (lambda_H/lambda_W)^(1/4) (lambda_W/lambda_H)^(1/4)"
                     " = 1, so W H = Z.", (lambda_H / lambda_W) ** sp.Rational(1, 4)
                     * (lambda_W / lambda_H) ** sp.Rational(1, 4), sp.Integer(1)),
        algebra_step("... and lambda_W/2 ||W||^2 + lambda_H/2 ||H||^2 = mu ||Z||_* (per unit of "
                     "tr Sigma_Z).", lambda_W / 2 * sp.sqrt(lambda_H / lambda_W)
                     + lambda_H / 2 * sp.sqrt(lambda_W / lambda_H), sp.sqrt(lambda_W * lambda_H)),
        numeric_step("Gram = sqrt(lambda_W/lambda_H) C A^T U diag(g/sigma^2) U^T A C^T / n^2 "
                     "(V = A^T U Sigma^-1 on active directions).", sp.Symbol("Hbar^T Hbar"),
                     sp.Symbol("Gram_formula"), "SVD identity for a generic A; checked "
                     "numerically against numpy SVD thresholding in tests/test_symbolic.py"),
        algebra_step("(iii) Below: Gram = alpha_1 (I - J) with derived alpha_1.",
                     gram_below.as_tuple(), (alpha_1 * IJ).as_tuple()),
        algebra_step("(iii) Above: Gram = alpha_2 (I - c/(lambda_b(1-c)) J) with derived alpha_2.",
                     gram_above.as_tuple(), (alpha_2 * (ONE - q * J_PAIR)).as_tuple()),
        algebra_step("alpha_1 = (1 - c) sqrt(lambda_W/(n lambda_H)).", alpha_1, expected),
        algebra_step("alpha_2 = (1 - c) sqrt(lambda_W/(n lambda_H)) = alpha_1.", alpha_2, expected),
        algebra_step("alpha_1 > 0 iff c < 1 (sign with c = 1 - e, e > 0).",
                     sp.sign(alpha_1.subs(c, 1 - e)), sp.Integer(1)),
        algebra_step("(iv) Continuity of b at lambda_b = c/(1-c).", b_below.subs(lambda_b, thr),
                     b_above.subs(lambda_b, thr)),
        algebra_step("(iv) Continuity of the Gram at lambda_b = c/(1-c).",
                     gram_below.as_tuple().subs(lambda_b, thr),
                     gram_above.as_tuple().subs(lambda_b, thr)),
        algebra_step("lambda_b -> oo: b -> 0 and Gram -> alpha_2 I, an orthogonal frame (the "
                     "bias-free limit); lambda_b = 0: b = 1_K/K, the label mean.",
                     (sp.limit(b_above, lambda_b, sp.oo),
                      *(sp.limit(v, lambda_b, sp.oo) for v in gram_above.as_tuple()),
                      b_below.subs(lambda_b, 0)), (0, alpha_2, alpha_2, 1 / K)),
    ]  # fmt: skip
    # NC3: W^T = kappa Hbar iff (lH/lW)^(1/4) = kappa (lW/lH)^(1/4) r_i on active directions,
    # r = (AA^T)^(-1/2) A C^T / n
    kap = sp.Symbol("kappa", positive=True)
    r = Pair(1 / sp.sqrt(n), 1 / sp.sqrt(n * s_pos**2) * s_pos)
    kappas = [sp.solve((lambda_H / lambda_W) ** sp.Rational(1, 4)
                       - kap * (lambda_W / lambda_H) ** sp.Rational(1, 4) * ri, kap)[0]
              for ri in (r.x, r.y)]  # fmt: skip
    kappa = sp.simplify(kappas[0])
    steps += [
        algebra_step("NC3 on 1^perp: kappa = sqrt(n lambda_H/lambda_W) (paper's (3)).", kappa,
                     sp.sqrt(n * lambda_H / lambda_W)),
        algebra_step("NC3 on 1_K (active above the threshold, s > 0): the same kappa.",
                     kappas[1], kappa),
        algebra_step("c >= 1: sqrt(n) <= tau, since tau - sqrt(n) = sqrt(n)(c - 1).",
                     tau - sp.sqrt(n), sp.sqrt(n) * (c - 1)),
        algebra_step("c >= 1: b_below keeps t < tau, as c - s = (c - 1) + 1/(1 + lambda_b) > 0; "
                     "so Z = 0, Gram = 0 and b = 1/(K(1 + lambda_b)).", c - s_below,
                     (c - 1) + 1 / (1 + lambda_b)),
        numeric_step("c >= 1: Z = 0 forces W = H = 0.", sp.Symbol("W"), sp.Integer(0),
                     "at a minimiser lambda_W/2||W||^2 + lambda_H/2||H||^2 = mu||Z||_* = 0; "
                     "an optimality argument, not an identity"),
    ]  # fmt: skip
    findings = [
        f"The paper leaves alpha_1, alpha_2 unnamed and says they depend on lambda_b; derived: "
        f"alpha_1 = alpha_2 = {alpha_1}, independent of lambda_b.",
        "The paper's c < 1 hypothesis is sharp: for c >= 1 the minimiser is W = H = 0, "
        "b = 1_K/(K(1 + lambda_b)) (alpha -> 0 as c -> 1).",
    ]
    expressions: dict[str, Any] = {
        "c": c_of, "tau": tau, "threshold": thr, "b_below": b_below, "b_above": b_above,
        "b_degenerate": b_below, "s_below": s_below, "s_above": s_above,
        "gram_below": gram_below.as_tuple(), "gram_below_coeff_I_minus_J": gram_below.x,
        "gram_above": gram_above.as_tuple(), "gram_above_coeff_I_minus_J": gram_above.x,
        "gram_above_coeff_J": gram_above.y, "gram_above_shift": q,
        "alpha_1": alpha_1, "alpha_2": alpha_2, "kappa": kappa,
    }  # fmt: skip
    return expressions, steps, findings


@register("theorem-III.1")
@lru_cache(maxsize=1)
def derive() -> Derivation:
    """Replay Theorem III.1 (see the module docstring).

    ``expressions`` holds every key twice: ``"<key>"`` in K, n, lambda_W, lambda_H, lambda_b
    (c replaced by K sqrt(n lambda_W lambda_H)) and ``"<key>_c"`` in terms of the symbol c.
    Scalars ``b_*`` are coefficients of 1_K; ``gram_*`` tuples are (x, y) = x(I - J) + yJ.
    """
    expr_c, steps, findings = _derive_c()
    expressions: dict[str, sp.Basic] = {}
    for key, value in expr_c.items():
        if key == "c":
            expressions["c"] = value
            continue
        expressions[key] = sp.sympify(value).subs(c, c_of)
        expressions[f"{key}_c"] = sp.sympify(value)
    return Derivation(
        "theorem-III.1",
        "One-hot balanced UFM: optimal bias, Gram of the class means, NC3 (general K)",
        expressions,
        tuple(steps),
        tuple(findings),
    )


@lru_cache(maxsize=1)
def lambdified() -> Callable[[int, int, float, float, float], tuple[np.ndarray, np.ndarray]]:
    r"""``f(K, n, lambda_W, lambda_H, lambda_b) -> (b (K,), Gram (K, K))`` from the derived forms.

    The branch is chosen by the derived threshold; for :math:`c \ge 1` the Gram is 0 and b is
    ``b_degenerate``; the bias-free UFM (``lambda_b = inf``) uses the limits
    :math:`\lambda_b \to \infty` of the above-threshold forms, taken by ``sympy.limit``.
    Every number comes from ``sympy.lambdify`` of :func:`derive`'s expressions.
    """
    ex = dict(derive().expressions)
    ex["b_inf"] = sp.limit(ex["b_above"], lambda_b, sp.oo)
    ex["gram_inf"] = sp.Tuple(*(sp.limit(g, lambda_b, sp.oo) for g in ex["gram_above"]))
    args = (K, n, lambda_W, lambda_H, lambda_b)
    keys = ("c", "threshold", "b_below", "b_above", "b_degenerate", "gram_below", "gram_above",
            "b_inf", "gram_inf")  # fmt: skip
    fn = {k: sp.lambdify(args, ex[k], "numpy") for k in keys}

    def evaluate(
        K: int, n: int, lambda_W: float, lambda_H: float, lambda_b: float
    ) -> tuple[np.ndarray, np.ndarray]:
        a = (K, n, lambda_W, lambda_H, lambda_b)
        if fn["c"](*a) >= 1:
            return np.full(K, float(fn["b_degenerate"](*a))), np.zeros((K, K))
        if np.isinf(lambda_b):
            branch = "inf"
        else:
            branch = "below" if lambda_b <= fn["threshold"](*a) else "above"
        x, y = (float(v) for v in fn[f"gram_{branch}"](*a))
        J = np.full((K, K), 1.0 / K)
        return np.full(K, float(fn[f"b_{branch}"](*a))), x * (np.eye(K) - J) + y * J

    return evaluate


# --------------------------------------------------------------------------- the claims


def conclusion(ctx: Context) -> Residuals:
    inst, s = ctx.instance, ctx.solution
    K, n, c, lb = inst.K, inst.n, inst.c, inst.lambda_b
    assert n is not None and c is not None
    J = np.ones((K, K)) / K
    threshold = inst.threshold  # c/(1-c), inf when c >= 1 (outside the hypotheses)
    assert threshold is not None
    if lb <= threshold:
        S, b_paper = np.eye(K) - J, 1 / (1 + lb) / K
    else:
        S, b_paper = np.eye(K) - c / (lb * (1 - c)) * J, c / lb / K
    Hbar = s.Hbar
    _, gram = shape_fit(Hbar.T @ Hbar, S, ctx.floor("gram"))
    kappa = math.sqrt(n * inst.lambda_H / inst.lambda_W)
    return {
        "NC1: H = Hbar C": nc1_scatter(inst, s.H, ctx.floor("H")),
        "NC3: W^T = sqrt(n lambda_H / lambda_W) Hbar": frobenius_gap(
            s.W.T, kappa * Hbar, ctx.floor("W")
        ),
        "(4): Hbar^T Hbar = alpha (I - shift J), alpha > 0": gram,
        "(5): b": frobenius_gap(s.b, np.full(K, b_paper), ctx.floor("b")),
    }


def constants(ctx: Context) -> Residuals:
    inst, s = ctx.instance, ctx.solution
    assert inst.n is not None
    b, G = lambdified()(inst.K, inst.n, inst.lambda_W, inst.lambda_H, inst.lambda_b)
    Hbar = s.Hbar
    return {
        "b = derived closed form": frobenius_gap(s.b, np.asarray(b, dtype=float), ctx.floor("b")),
        "Hbar^T Hbar = derived closed form": frobenius_gap(
            Hbar.T @ Hbar, np.asarray(G, dtype=float), ctx.floor("gram")
        ),
    }


CLAIM = Claim(
    id="theorem-III.1",
    title="One-hot, balanced: from simplex ETF to orthogonal frame as lambda_b grows",
    statement=r"$H = \bar H C$, $W^\top = \sqrt{n\lambda_H/\lambda_W}\,\bar H$, $\bar H^\top\bar H = \alpha_1(I-J)$ if $\lambda_b \le \frac{c}{1-c}$ else $\alpha_2(I - \frac{c}{\lambda_b(1-c)}J)$; $b = \frac{1}{1+\lambda_b}\frac{1}{K}$ resp. $\frac{c}{\lambda_b}\frac{1}{K}$",
    reference="Theorem III.1, arXiv 2606.00344 (Zhou et al. 2022, Thm 3.1)",
    hypotheses=("one_hot", "balanced", "c_below_1"),
    conclusion=conclusion,
    derivation="theorem-III.1",
)

CONSTANTS = Claim(
    id="theorem-III.1-constants",
    title="Derived closed forms: alpha_1 = alpha_2 = (1-c) sqrt(lambda_W/(n lambda_H)), and c >= 1",
    statement=r"$\bar H^\top \bar H = (1-c)\sqrt{\frac{\lambda_W}{n\lambda_H}}\,(I - s J)$ with $s = 1$ below the threshold, $s = \frac{c}{\lambda_b(1-c)}$ above; $W = H = 0$, $b = \frac{1}{1+\lambda_b}\frac{1}{K}$ when $c \ge 1$",
    reference="derived by nc-verify (the paper leaves alpha_1, alpha_2 unnamed)",
    hypotheses=("one_hot", "balanced"),
    conclusion=constants,
    derivation="theorem-III.1",
    kind="derived",
)


def theory(ctx: Context) -> dict[str, tuple[object, object]]:
    """The derived b and Gram (:func:`lambdified`) beside the certified ones."""
    inst, s = ctx.instance, ctx.solution
    assert inst.n is not None
    b, G = lambdified()(inst.K, inst.n, inst.lambda_W, inst.lambda_H, inst.lambda_b)
    return {"b (5)": (b, s.b), "Hbar^T Hbar (4)": (G, s.Hbar.T @ s.Hbar)}


def main() -> None:
    """Below and above the threshold c/(1-c) = 1/3 (c = 1/4), one-hot labels, K = 3, n = 4."""
    from verify import Instance
    from verify.claims.beside import print_beside
    from verify.encodings import one_hot

    K_, n_, c_ = 3, 4, 0.25
    mu = c_ / (K_ * math.sqrt(n_))
    for lb in (0.1, 2.0):
        print_beside(CLAIM, Instance(one_hot(K_), (n_,) * K_, K_, 2 * mu, mu / 2, lb), theory)


if __name__ == "__main__":
    main()
