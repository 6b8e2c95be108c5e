r"""A bank of planted false claims: each is false in one regime only, and must be refuted.

The search is a measured property: ``verify check`` must refute every claim here at every seed
with its default number of examples. Each planted claim differs from a true one (a theorem of
the paper or a closed form nc-verify derived) in one place, a wrong branch, a wrong constant, a
dropped hypothesis, a thin band beside a threshold, or a regime (K = 2, imbalance, d = K,
lambda_b = 0 or inf, the zero minimiser) where it alone is false. ``python -m proofs.planted``
measures the refutation rate over seeds and writes ``reports/planted.md`` and ``.json``.

The true forms used here, for one-hot balanced labels (Theorem III.1 with the constants
``theorem-III.1-constants`` derives), with :math:`t = c/(1-c)` and
:math:`k = \sqrt{\lambda_W/(n\lambda_H)}`:

.. math::

    b = \frac{1}{K}\min\Big(\frac{1}{1+\lambda_b}, \frac{c}{\lambda_b}\Big) 1_K, \qquad
    \bar H^\top\bar H = (1-c)_+\,k\,\Big(I - \min\big(1, \tfrac{c}{\lambda_b(1-c)}\big)J\Big).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from verify.claims import Claim, Context, Residuals
from verify.claims.residuals import frobenius_gap, hbar_nonzero
from verify.geometry import ssetf_fit

from . import REGISTRY, conjecture_ssetf, ssetf_theorem

__all__ = ["CLAIMS", "PLANTED", "measure"]


# --- the true closed forms, one-hot balanced ----------------------------------------------------


def _threshold(ctx: Context) -> float:
    c = ctx.instance.c
    assert c is not None
    return c / (1 - c) if c < 1 else math.inf


def _bias(c: float, lb: float, K: int) -> float:
    """The bias entry of Theorem III.1 (and of c >= 1, where it is 1/((1+lambda_b)K))."""
    if math.isinf(lb):
        return 0.0
    if lb == 0:
        return 1 / K
    return min(1 / (1 + lb), c / lb) / K


def _bias_residual(ctx: Context, entry: float) -> Residuals:
    K = ctx.instance.K
    return {"b": frobenius_gap(ctx.solution.b, np.full(K, entry), ctx.floor("b"))}


def _gram(ctx: Context, scale: float = 1.0, zero_above: float = math.inf) -> Residuals:
    inst = ctx.instance
    c, n, lb, K = inst.c, inst.n, inst.lambda_b, inst.K
    assert c is not None and n is not None
    k = math.sqrt(inst.lambda_W / (n * inst.lambda_H))
    shift = 1.0 if c >= 1 else min(1.0, c / (lb * (1 - c)) if lb > 0 else math.inf)
    G = max(1 - c, 0.0) * k * (np.eye(K) - shift * np.ones((K, K)) / K)
    if c > zero_above:
        G = 0 * G
    Hbar = ctx.solution.Hbar
    return {"Hbar^T Hbar": frobenius_gap(Hbar.T @ Hbar, scale * G, ctx.floor("gram"))}


def _kappa(ctx: Context, kappa2: float) -> Residuals:
    s = ctx.solution
    return {
        "W^T W = kappa^2 Hbar Hbar^T": frobenius_gap(
            s.W.T @ s.W, kappa2 * s.Hbar @ s.Hbar.T, ctx.floor("WtW")
        )
    }


def _kappa2(ctx: Context) -> float:
    inst = ctx.instance
    assert inst.n is not None
    return inst.n * inst.lambda_H / inst.lambda_W


# --- the planted conclusions -----------------------------------------------------------------


def bias_one_branch(ctx: Context) -> Residuals:
    """b = 1/((1+lambda_b)K) for every lambda_b: false above the threshold."""
    lb = ctx.instance.lambda_b
    return _bias_residual(ctx, 0.0 if math.isinf(lb) else 1 / (1 + lb) / ctx.instance.K)


def wrong_threshold(ctx: Context) -> Residuals:
    """The branch switches at c/(1+c) instead of c/(1-c)."""
    inst = ctx.instance
    c, lb, K = inst.c, inst.lambda_b, inst.K
    assert c is not None
    if math.isinf(lb):
        return _bias_residual(ctx, 0.0)
    return _bias_residual(ctx, 1 / (1 + lb) / K if lb <= c / (1 + c) else c / lb / K)


def _band(ctx: Context, lo: float, hi: float, branch: str) -> Residuals:
    """The true bias, except ``branch`` ("below" or "above") in lambda_b in [lo t, hi t]."""
    inst, t = ctx.instance, _threshold(ctx)
    c, lb, K = inst.c, inst.lambda_b, inst.K
    assert c is not None
    if 0 < lb < math.inf and lo * t <= lb <= hi * t:
        return _bias_residual(ctx, (1 / (1 + lb) if branch == "below" else c / lb) / K)
    return _bias_residual(ctx, _bias(c, lb, K))


def band_above_threshold(ctx: Context) -> Residuals:
    """The below-threshold bias kept up to 5% above the threshold."""
    return _band(ctx, 1.0, 1.05, "below")


def band_below_threshold(ctx: Context) -> Residuals:
    """The above-threshold bias from 5% below the threshold."""
    return _band(ctx, 0.95, 1.0, "above")


def bias_zero_at_lambda_b_0(ctx: Context) -> Residuals:
    """The true bias, but b = 0 at lambda_b = 0."""
    inst = ctx.instance
    assert inst.c is not None
    return _bias_residual(ctx, 0.0 if inst.lambda_b == 0 else _bias(inst.c, inst.lambda_b, inst.K))


def bias_at_lambda_b_inf(ctx: Context) -> Residuals:
    """The true bias, but b = 1/K in the bias-free UFM."""
    inst = ctx.instance
    assert inst.c is not None
    lb = inst.lambda_b
    return _bias_residual(ctx, 1 / inst.K if math.isinf(lb) else _bias(inst.c, lb, inst.K))


def zero_regime_bias(ctx: Context) -> Residuals:
    """The true bias for c < 1, but b = 1/K (not 1/((1+lambda_b)K)) at the zero minimiser."""
    inst = ctx.instance
    c, lb, K = inst.c, inst.lambda_b, inst.K
    assert c is not None
    if c >= 1 and math.isfinite(lb):
        return _bias_residual(ctx, 1 / K)
    return _bias_residual(ctx, _bias(c, lb, K))


def gram_one_percent(ctx: Context) -> Residuals:
    """alpha_1 = alpha_2 = 1.01 (1-c) sqrt(lambda_W/(n lambda_H))."""
    return _gram(ctx, scale=1.01)


def gram_zero_band(ctx: Context) -> Residuals:
    """Hbar = 0 claimed already for c > 0.95 (it is so only from c = 1)."""
    return _gram(ctx, zero_above=0.95)


def kappa_one_percent(ctx: Context) -> Residuals:
    """Theorem IV.4 with kappa 1% too large."""
    return _kappa(ctx, 1.01**2 * _kappa2(ctx))


def kappa_swapped(ctx: Context) -> Residuals:
    """Theorem IV.4 with lambda_W and lambda_H swapped in kappa."""
    inst = ctx.instance
    return _kappa(ctx, _kappa2(ctx) * (inst.lambda_W / inst.lambda_H) ** 2)


def kappa_wrong_at_K2(ctx: Context) -> Residuals:
    """Theorem IV.4, with kappa 1.5 times too large for two classes only."""
    return _kappa(ctx, _kappa2(ctx) * (2.25 if ctx.instance.K == 2 else 1.0))


def unweighted_mean_bias(ctx: Context) -> Residuals:
    """At lambda_b = 0, b = Ybar 1 / K (the class-unweighted mean label; true when balanced)."""
    b = ctx.instance.encoding.mean(axis=1)
    return {"b = Ybar 1/K": frobenius_gap(ctx.solution.b, b, ctx.floor("b"))}


def bias_near_unweighted_mean(ctx: Context) -> Residuals:
    """At lambda_b = 0, b within 25% (relative) of Ybar 1 / K: false under strong imbalance."""
    gap = unweighted_mean_bias(ctx)["b = Ybar 1/K"]
    return {"b within 25% of Ybar 1/K": max(gap - 0.25, 0.0)}


def bias_is_mean(ctx: Context) -> Residuals:
    """b = Y 1_N / N, the mean label, for every lambda_b."""
    b = ctx.solution.b
    return {"b = Y1/N": frobenius_gap(b, ctx.instance.Y.mean(axis=1), ctx.floor("b"))}


def bias_zero(ctx: Context) -> Residuals:
    """b = 0 for any labels (Theorem III.4(b) without centred labels)."""
    b = ctx.solution.b
    return {"b = 0": frobenius_gap(b, np.zeros_like(b), ctx.floor("b"))}


def gram_with_c_squared(ctx: Context) -> Residuals:
    """The balanced Gram closed form with c^2 in place of c."""
    return _gram_balanced(ctx, lambda c: c * c, use_bias=True)


def gram_without_bias(ctx: Context) -> Residuals:
    """The balanced Gram closed form with b = 0, claimed for every lambda_b."""
    return _gram_balanced(ctx, lambda c: c, use_bias=False)


def _gram_balanced(ctx: Context, cut: Callable[[float], float], use_bias: bool) -> Residuals:
    inst, s = ctx.instance, ctx.solution
    n, c = inst.n, inst.c
    assert n is not None and c is not None
    A = inst.encoding - (np.outer(s.b, np.ones(inst.K)) if use_bias else 0.0)
    _, sigma, Vt = np.linalg.svd(A)
    k = math.sqrt(inst.lambda_W / (n * inst.lambda_H))
    G = k * (Vt.T * np.clip(sigma - cut(c), 0.0, None)) @ Vt
    return {"Hbar^T Hbar": frobenius_gap(s.Hbar.T @ s.Hbar, G, ctx.floor("gram"))}


def gram_with_mean_count(ctx: Context) -> Residuals:
    """The balanced Gram closed form with the mean count nbar, claimed for any counts."""
    inst, s = ctx.instance, ctx.solution
    nbar = inst.N / inst.K
    c = inst.K * math.sqrt(nbar * inst.lambda_W * inst.lambda_H)
    _, sigma, Vt = np.linalg.svd(inst.encoding - np.outer(s.b, np.ones(inst.K)))
    G = (
        math.sqrt(inst.lambda_W / (nbar * inst.lambda_H))
        * (Vt.T * np.clip(sigma - c, 0, None))
        @ Vt
    )
    return {"Hbar^T Hbar": frobenius_gap(s.Hbar.T @ s.Hbar, G, ctx.floor("gram"))}


def features_rank_deficient(ctx: Context) -> Residuals:
    """The features never span all of R^d: sigma_d(H) = 0 (false at d = K with rank K)."""
    sigma = np.linalg.svd(ctx.solution.H, compute_uv=False)
    top = float(sigma[0]) if sigma.size else 0.0
    return {"sigma_d(H) / sigma_1(H)": float(sigma[-1]) / top if top > 0 else 0.0}


def _ssetf_premise(ctx: Context, factor: float, centred_only: bool) -> Residuals:
    """The corrected theorem's premise with a > factor * c, or with the centred condition
    (the lambda_b = 0 branch's) for every lambda_b."""
    from .ssetf_theorem import _centred_etf_residual, centred_scale, encoding_condition

    c = ctx.instance.c
    assert c is not None
    Ybar = ctx.instance.encoding
    shape = (
        {"centred ETF": _centred_etf_residual(Ybar)} if centred_only else encoding_condition(ctx)
    )
    return shape | {"a > factor c": 0.0 if centred_scale(Ybar) > factor * c * (1 + 1e-9) else 1.0}


def ssetf_closed_premise(ctx: Context) -> Residuals:
    """The corrected theorem's premise with a >= c (it needs a > c: at a = c the class means
    vanish, or collapse onto a line)."""
    from .ssetf_theorem import centred_scale, encoding_condition

    c = ctx.instance.c
    assert c is not None
    above = centred_scale(ctx.instance.encoding) >= c
    return encoding_condition(ctx) | {"a >= c": 0.0 if above else 1.0}


def nonzero_up_to_c_1(ctx: Context) -> Residuals:
    """Hbar != 0 claimed for every c <= 1 (one-hot: the class means vanish from c = 1 on, so
    the strict c > 1 is claimed where the theorem's c >= 1 is right)."""
    c = ctx.instance.c
    assert c is not None
    return hbar_nonzero(ctx) if c <= 1 else {"Hbar != 0 (certified)": 0.0}


def ssetf_band_premise(ctx: Context) -> Residuals:
    """a > 0.98 c claimed to suffice (it needs a > c)."""
    return _ssetf_premise(ctx, 0.98, centred_only=False)


def ssetf_centred_premise(ctx: Context) -> Residuals:
    """The centred condition claimed to suffice for every lambda_b (only lambda_b = 0's)."""
    return _ssetf_premise(ctx, 1.0, centred_only=True)


def ybar_is_ssetf_and_above(ctx: Context) -> Residuals:
    """SSETF class means claimed to need an SSETF encoding for every lambda_b."""
    from .ssetf_theorem import _above

    return {
        "Ybar is an SSETF": ssetf_fit(ctx.instance.encoding, ctx.tol).residual,
        "a > c": _above(ctx),
    }


# --- cross-entropy, one-hot, balanced: the true forms are those of proofs/ce_zhu_theorem31.py ---


def ce_etf_scale_wrong(ctx: Context) -> Residuals:
    """The CE class-mean Gram with the scale log(K(1-c)/c) in place of log((K-(K-1)c)/c)."""
    inst = ctx.instance
    c, n = inst.c, inst.n
    assert c is not None and n is not None
    s = math.log(inst.K * (1 - c) / c) if c < 1 else 0.0
    G = math.sqrt(inst.lambda_W / (n * inst.lambda_H)) * s * (np.eye(inst.K) - 1 / inst.K)
    Hbar = ctx.solution.Hbar
    return {"Hbar^T Hbar": frobenius_gap(Hbar.T @ Hbar, G, ctx.floor("gram"))}


def ce_bias_mse_form(ctx: Context) -> Residuals:
    """MSE's bias 1/((1+lambda_b)K) carried over to cross-entropy (where it is 0); along 1 only
    where CE fixes it (lambda_b > 0)."""
    inst, b = ctx.instance, ctx.solution.b
    if inst.lambda_b == 0:  # CE fixes b only along 1^perp, where both are 0
        return {"(I - J) b = 0": frobenius_gap(b - b.mean(), np.zeros_like(b), ctx.floor("b"))}
    return _bias_residual(
        ctx, 0.0 if math.isinf(inst.lambda_b) else 1 / (1 + inst.lambda_b) / inst.K
    )


def ce_nc3_kappa_swapped(ctx: Context) -> Residuals:
    """Zhu et al.'s NC3 with lambda_W and lambda_H swapped: Hbar = sqrt(lambda_H/(lambda_W n)) W^T."""
    inst, s = ctx.instance, ctx.solution
    assert inst.n is not None
    kappa = math.sqrt(inst.lambda_H / (inst.lambda_W * inst.n))
    return {"Hbar = kappa W^T": frobenius_gap(s.Hbar, kappa * s.W.T, ctx.floor("Hbar"))}


def _claim(
    name: str,
    statement: str,
    hypotheses: tuple[str, ...],
    conclusion: Callable[[Context], Residuals],
    **kw: Any,
) -> Claim:
    return Claim(
        id=f"planted:{name}",
        title=((conclusion.__doc__ or "").strip().splitlines() or [statement])[0],
        statement=statement,
        reference="planted false claim (proofs/planted.py)",
        hypotheses=hypotheses,
        conclusion=conclusion,
        kind="planted",
        group="planted",
        **kw,
    )


OH = ("one_hot", "balanced")
CE = ("cross_entropy", "one_hot", "balanced")
OH1 = ("one_hot", "balanced", "c_below_1")

#: name -> (the planted claim, the regime where it is false)
PLANTED: dict[str, tuple[Claim, str]] = {
    c.id: (c, where)
    for c, where in (
        (_claim("bias-one-branch", r"$b = \frac{1}{(1+\lambda_b)K}1$", OH, bias_one_branch), "lambda_b above threshold"),
        (_claim("wrong-threshold", r"threshold $\frac{c}{1+c}$", OH1, wrong_threshold), "lambda_b in (c/(1+c), c/(1-c))"),
        (_claim("band-above-threshold", r"below-branch b up to $1.05\,t$", OH1, band_above_threshold), "5% band above the threshold"),
        (_claim("band-below-threshold", r"above-branch b from $0.95\,t$", OH1, band_below_threshold), "5% band below the threshold"),
        (_claim("bias-zero-at-lambda_b-0", r"$b = 0$ at $\lambda_b = 0$", OH1, bias_zero_at_lambda_b_0), "lambda_b = 0"),
        (_claim("bias-at-lambda_b-inf", r"$b = 1/K$ at $\lambda_b = \infty$", OH1, bias_at_lambda_b_inf), "lambda_b = inf"),
        (_claim("zero-regime-bias", r"$b = 1/K$ for $c \ge 1$", OH, zero_regime_bias), "c >= 1, the zero minimiser"),
        (_claim("gram-one-percent", r"$\alpha = 1.01(1-c)k$", OH, gram_one_percent), "c < 1 (a constant 1% off)"),
        (_claim("gram-zero-band", r"$\bar H = 0$ for $c > 0.95$", OH, gram_zero_band), "5% band below c = 1"),
        (_claim("kappa-one-percent", r"$\kappa = 1.01\sqrt{n\lambda_H/\lambda_W}$", ("balanced",), kappa_one_percent), "everywhere H != 0 (1% off)"),
        (_claim("kappa-swapped", r"$\kappa = \sqrt{n\lambda_W/\lambda_H}$", ("balanced",), kappa_swapped), "lambda_W != lambda_H"),
        (_claim("kappa-wrong-at-K2", r"$\kappa$ 1.5x at K = 2", ("balanced",), kappa_wrong_at_K2), "K = 2"),
        (_claim("unweighted-mean-bias", r"$b = \bar Y 1/K$ at $\lambda_b = 0$", ("lambda_b_zero",), unweighted_mean_bias), "imbalanced counts"),
        (_claim("bias-near-unweighted-mean", r"$b$ within 25% of $\bar Y1/K$", ("lambda_b_zero",), bias_near_unweighted_mean), "strong imbalance"),
        (_claim("bias-mean-every-lambda_b", r"$b = Y1/N$ for all $\lambda_b$", (), bias_is_mean), "lambda_b > 0 (Theorem III.4(a) without lambda_b = 0)"),
        (_claim("bias-zero-uncentred", r"$b = 0$ for any labels", (), bias_zero), "uncentred labels (Theorem III.4(b) without Y1 = 0)"),
        (_claim("ssetf-below-1", r"$\bar Y$ SSETF, $c<1$ $\Rightarrow$ $\bar H$ SSETF", ("balanced", "ssetf_encoding", "c_below_1"), conjecture_ssetf.hbar_is_ssetf, premise=hbar_nonzero), "c between the encoding's levels"),
        (_claim("gram-c-squared", r"$(|\bar Y - b1^\top| - c^2 I)_+$", ("balanced",), gram_with_c_squared), "c != 1"),
        (_claim("gram-without-bias", r"$(|\bar Y| - cI)_+$ for all $\lambda_b$", ("balanced",), gram_without_bias), "lambda_b < inf with b != 0"),
        (_claim("ssetf-if-band", r"$a > 0.98c$ suffices", ("balanced",), ssetf_theorem.nonzero_ssetf_with_scale, premise=ssetf_band_premise), "2% band below a = c"),
        (_claim("ssetf-if-closed", r"$a \ge c$ suffices", ("balanced",), ssetf_theorem.nonzero_ssetf_with_scale, premise=ssetf_closed_premise), "exactly at a = c"),
        (_claim("nonzero-up-to-c-1", r"$\bar H \ne 0$ for $c \le 1$", OH, nonzero_up_to_c_1), "exactly at c = 1"),
        (_claim("ssetf-centred-suffices", r"centred ETF, $a > c$ suffices for all $\lambda_b$", ("balanced",), ssetf_theorem.nonzero_ssetf_with_scale, premise=ssetf_centred_premise), "lambda_b > 0, encodings with an ETF centred part but no SSETF"),
        (_claim("ssetf-only-if-needs-ssetf", r"SSETF means need an SSETF $\bar Y$ for all $\lambda_b$", ("balanced",), ybar_is_ssetf_and_above, premise=conjecture_ssetf.nonzero_and_ssetf), "lambda_b = 0"),
        (_claim("gram-mean-count", r"$k(|\bar Y - b1^\top| - cI)_+$ with $\bar n$, any counts", (), gram_with_mean_count), "imbalanced counts"),
        (_claim("features-rank-deficient", r"$\sigma_d(H) = 0$", OH1, features_rank_deficient), "d = K, full rank"),
        (dataclasses.replace(REGISTRY["theorem-IV.4"].relaxed("balanced"), id="planted:nc3-any-counts", kind="planted", group="planted"), "imbalanced counts"),
        (dataclasses.replace(REGISTRY["theorem-III.1"].relaxed("one_hot"), id="planted:theorem-III.1-any-encoding", kind="planted", group="planted"), "encodings other than one-hot"),
        (dataclasses.replace(REGISTRY["theorem-III.1"].relaxed("c_below_1"), id="planted:theorem-III.1-any-c", kind="planted", group="planted"), "c >= 1, the zero minimiser"),
        # cross-entropy (proofs/ce_zhu_theorem31.py): the true forms with one thing wrong
        (_claim("ce-etf-scale", r"CE: $s^\star = \log\frac{K(1-c)}{c}$", CE, ce_etf_scale_wrong), "cross-entropy, c < 1"),
        (_claim("ce-bias-mse-form", r"CE: $b = \frac{1}{(1+\lambda_b)K}1$", CE, ce_bias_mse_form), "cross-entropy, 0 < lambda_b < inf"),
        (_claim("ce-nc3-kappa-swapped", r"CE: $\bar H = \sqrt{\lambda_H/(\lambda_W n)}\,W^\top$", CE, ce_nc3_kappa_swapped), "cross-entropy, lambda_W != lambda_H, c < 1"),
    )
}  # fmt: skip


def _sphere_bank() -> dict[str, tuple[Claim, str]]:
    """The sphere model's planted claims (proofs/sphere_imbalance.py): refuted through the same
    ``check`` by a feasible point certified below the claimed optimum (interval arithmetic)."""
    from .sphere_imbalance import PLANTED as SPHERE

    where = {"sphere-orthogonal-frame-ntce": "the sphere, balanced (the ETF beats the frame)"}
    return {
        cid: (claim, where.get(cid, "the sphere, 10:1 imbalance")) for cid, claim in SPHERE.items()
    }


PLANTED.update(_sphere_bank())

#: the bank's claims by id, as the library is given them (entry-point group ``nc_verify.planted``)
CLAIMS: dict[str, Claim] = {cid: claim for cid, (claim, _) in PLANTED.items()}


def measure(seeds: range, examples: int = 50) -> dict[str, dict[str, object]]:
    """For each planted claim, the verdict at each seed (``verify check``'s defaults otherwise).

    Shrinking is off: it only starts after a confirmed counterexample, so it cannot change
    whether a claim is refuted, only which counterexample is shown.
    """
    from verify.claims import check

    out: dict[str, dict[str, object]] = {}
    for cid, (claim, where) in PLANTED.items():
        statuses = [check(claim, examples=examples, seed=s, shrink=False).status for s in seeds]
        out[cid] = {
            "false where": where,
            "refuted": sum(s == "refuted" for s in statuses),
            "seeds": len(statuses),
            "statuses": statuses,
        }
    return out


def _markdown(result: dict[str, dict[str, object]], examples: int, seconds: float) -> str:
    lines = [
        "# Planted false claims: how often `verify check` refutes them",
        "",
        f"Each claim of `proofs/planted.py` is false in one regime only. `verify check` with "
        f"{examples} examples (its default), seeds 0..{len(next(iter(result.values()))['statuses']) - 1}"  # type: ignore[arg-type]
        f"; target: every claim refuted at every seed. Regenerate with "
        "`python -m proofs.planted`.",
        "",
        "| planted claim | false only where | refuted |",
        "|---|---|---|",
    ]
    for cid, row in result.items():
        lines.append(f"| `{cid}` | {row['false where']} | {row['refuted']}/{row['seeds']} |")
    total = sum(int(r["refuted"]) for r in result.values())  # type: ignore[call-overload]
    runs = sum(int(r["seeds"]) for r in result.values())  # type: ignore[call-overload]
    lines += ["", f"{total}/{runs} checks refuted ({len(result)} claims)."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m proofs.planted", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--examples", type=int, default=50)
    parser.add_argument("--out", default="reports")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    result = measure(range(args.seeds), args.examples)
    seconds = time.perf_counter() - start
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "planted.json").write_text(
        json.dumps({"examples": args.examples, "seeds": args.seeds, "claims": result}, indent=2)
        + "\n"
    )
    (out / "planted.md").write_text(_markdown(result, args.examples, seconds))
    print(_markdown(result, args.examples, seconds))
    print(f"{seconds:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
