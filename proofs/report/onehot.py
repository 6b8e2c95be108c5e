r"""Figures of Theorem III.1 (one-hot, balanced): closed forms against certified solutions.

Drawn from fixed instances in the conventions of :mod:`verify.report.plot`. The closed forms
are :func:`proofs.theorem_iii1.lambdified`, the lambdified SymPy derivation; the points come
from :func:`verify.solve.solve` (exact engine), certified.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from verify.encodings import one_hot
from verify.instance import Instance
from verify.report.canonical import (
    RESIDUAL_RESOLUTION,
    RESOLUTION,
    measured,
    measured_text,
    rounded,
)
from verify.report.plot import COLOURS, new_figure, save, style
from verify.solve import Solution, solve

from ..theorem_iii1 import lambdified

__all__ = ["ONE_HOT", "bias_figure", "gram_figure", "one_hot_instance", "sweep", "transition"]

#: (K, n, c) of the one-hot curves; lambda_W = 2 mu, lambda_H = mu / 2, mu = c / (K sqrt n).
ONE_HOT = ((3, 2, 0.5), (5, 2, 0.5), (4, 2, 0.2))


def one_hot_instance(K: int, n: int, c: float, lambda_b: float) -> Instance:
    mu = c / (K * math.sqrt(n))
    return Instance(one_hot(K), (n,) * K, K, 2 * mu, mu / 2, lambda_b)


def _closed(K: int, n: int, c: float, lambda_b: float) -> tuple[np.ndarray, np.ndarray]:
    inst = one_hot_instance(K, n, c, lambda_b)
    b, G = lambdified()(K, n, inst.lambda_W, inst.lambda_H, lambda_b)
    return np.asarray(b, dtype=float), np.asarray(G, dtype=float)


def _cos(G: np.ndarray) -> float:
    return float(G[0, 1] / math.sqrt(G[0, 0] * G[1, 1]))


def _certified(inst: Instance) -> Solution | None:
    s = solve(inst, "exact")
    return s if s.certified else None


def _lambdas(c: float) -> list[float]:
    return sorted({*np.logspace(-3, 3, 13).tolist(), c / (1 - c)})


def _sweep() -> list[dict[str, Any]]:
    """Closed-form curves and certified points for every configuration in ``ONE_HOT``."""
    curves = []
    grid = np.logspace(-3, 3, 241)
    for K, n, c in ONE_HOT:
        line = [_closed(K, n, c, lb) for lb in grid]
        points = []
        for lb in [*_lambdas(c), math.inf]:
            s = _certified(one_hot_instance(K, n, c, lb))
            if s is None:
                points.append({"lambda_b": lb, "certified": False})
                continue
            G = s.Hbar.T @ s.Hbar
            points.append(
                {
                    "lambda_b": lb,
                    "certified": True,
                    "cos": _cos(G),
                    "b": float(np.mean(s.b)),
                    "relative_gap": measured(s.certificate.relative_gap, RESOLUTION),
                }
            )
        curves.append(
            {
                "K": K,
                "n": n,
                "c": c,
                "threshold": c / (1 - c),
                "lambda_b": grid.tolist(),
                "cos": [_cos(G) for _, G in line],
                "b": [float(b[0]) for b, _ in line],
                "points": points,
            }
        )
    return list(rounded(curves))


def _finite(points: list[dict[str, Any]], key: str) -> tuple[list[float], list[float]]:
    ok = [p for p in points if p["certified"] and math.isfinite(p["lambda_b"])]
    return [p["lambda_b"] for p in ok], [p[key] for p in ok]


def _mark_thresholds(ax: Any, curves: list[dict[str, Any]]) -> None:
    """Dashed vertical lines at the thresholds c/(1-c), labelled once per distinct value."""
    seen: list[float] = []
    for i, cv in enumerate(curves):
        t = cv["threshold"]
        ax.axvline(t, color=COLOURS[i], ls="--", lw=0.8)
        if any(math.isclose(t, u) for u in seen):
            continue
        ax.annotate(
            f"$c/(1-c) = {t:.3g}$ ($c = {cv['c']}$)",
            (t, 0.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, 4 + 12 * len(seen)),
            textcoords="offset points",
            color=COLOURS[i],
            fontsize=8,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
        )
        seen.append(t)


def _legend(ax: Any, curves: list[dict[str, Any]], loc: str) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D(
            [], [], color=COLOURS[i], lw=1.5, label=rf"$K={cv['K']},\ n={cv['n']},\ c={cv['c']}$"
        )
        for i, cv in enumerate(curves)
    ]
    handles.append(Line2D([], [], color="black", lw=1.5, label="closed form (lambdified SymPy)"))
    handles.append(
        Line2D([], [], ls="", marker="o", mfc="white", mec="black", label="certified solution")
    )
    ax.legend(handles=handles, fontsize=7, loc=loc)


def transition(stage: Path, dpi: int, curves: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """(a) Cosine between uncentred class means against lambda_b: simplex ETF to orthogonal."""
    curves = curves or _sweep()
    with style():
        fig = new_figure(6.6, 4.4)
        ax = fig.add_subplot()
        for i, cv in enumerate(curves):
            ax.plot(cv["lambda_b"], cv["cos"], color=COLOURS[i], lw=1.5)
            x, y = _finite(cv["points"], "cos")
            ax.plot(x, y, "o", color=COLOURS[i], mec="black", mew=0.6, ms=5)
            ax.axhline(-1 / (cv["K"] - 1), color=COLOURS[i], ls=":", lw=0.8)
        ax.axhline(0.0, color="grey", ls=":", lw=0.8)
        ax.text(1.2e-3, -0.015, r"orthogonal frame: $\cos = 0$ (reached as $\lambda_b \to \infty$)",
                va="top", fontsize=8)  # fmt: skip
        ax.text(
            1.2e-3,
            -0.5 + 0.012,
            r"simplex ETF: $\cos = -1/(K-1)$ (dotted)",
            va="bottom",
            fontsize=8,
        )
        _mark_thresholds(ax, curves)
        ax.set_xscale("log")
        ax.set_ylim(-0.56, 0.04)
        ax.set_xlabel(r"bias regularisation $\lambda_b$ (log scale)")
        ax.set_ylabel(r"$\cos\angle(\bar h_1, \bar h_2)$, uncentred class means")
        ax.set_title("Theorem III.1, one-hot labels, balanced classes:\n"
                     "the class means go from a simplex ETF to an orthogonal frame")  # fmt: skip
        _legend(ax, curves, "center right")
        rel = save(fig, stage, "onehot_transition", dpi)
    inf_cos = {f"K={cv['K']}, c={cv['c']}": cv["points"][-1].get("cos") for cv in curves}
    return {
        "name": "onehot_transition",
        "file": rel,
        "title": "One-hot class means: from simplex ETF to orthogonal frame",
        "caption": "Cosine between two uncentred class means of the global minimiser against "
        "λ_b. Lines: the lambdified SymPy closed form (G_12/G_11 of the derived Gram). Points: "
        "certified solutions (exact engine, relative duality gap ≤ 1e-10). Dashed: the "
        "threshold c/(1−c); dotted: −1/(K−1) (simplex ETF) and 0 (orthogonal frame). At "
        "λ_b = ∞ (bias-free UFM, not on the log axis) the certified cosines are "
        + ", ".join(
            f"{k}: {measured_text(v, RESIDUAL_RESOLUTION, 1)}"
            for k, v in inf_cos.items()
            if v is not None
        )
        + ".",
        "claims": ["theorem-III.1", "theorem-III.1-constants"],
        "data": {"curves": curves, "resolution": RESOLUTION},
    }


def bias_figure(
    stage: Path, dpi: int, curves: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """(b) The optimal bias (every entry equal) against lambda_b, closed form and certified."""
    curves = curves or _sweep()
    with style():
        fig = new_figure(6.6, 4.4)
        ax = fig.add_subplot()
        for i, cv in enumerate(curves):
            ax.plot(cv["lambda_b"], cv["b"], color=COLOURS[i], lw=1.5)
            x, y = _finite(cv["points"], "b")
            ax.plot(x, y, "o", color=COLOURS[i], mec="black", mew=0.6, ms=5)
        _mark_thresholds(ax, curves)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(r"bias regularisation $\lambda_b$ (log scale)")
        ax.set_ylabel(r"optimal bias entry $b_k$ (all $K$ entries equal; log scale)")
        ax.set_title("Theorem III.1, optimal bias: "
                     r"$b_k = \frac{1}{K(1+\lambda_b)}$ below $\frac{c}{1-c}$, "
                     r"$b_k = \frac{c}{K\lambda_b}$ above")  # fmt: skip
        _legend(ax, curves, "lower left")
        rel = save(fig, stage, "onehot_bias", dpi)
    return {
        "name": "onehot_bias",
        "file": rel,
        "title": "Optimal bias against λ_b",
        "caption": "Each entry of the optimal bias b (all K entries are equal) against λ_b, "
        "log-log. Lines: lambdified closed form; points: certified solutions (exact engine). "
        "Dashed: the threshold c/(1−c), where the formula switches branch. At λ_b = 0 the "
        "bias is 1/K, at λ_b = ∞ it is 0 (off the log axes).",
        "claims": ["theorem-III.1", "theorem-III.1-constants"],
        "data": {"curves": [{k: v for k, v in cv.items() if k != "cos"} for cv in curves]},
    }


def gram_figure(stage: Path, dpi: int, K: int = 4, n: int = 2, c: float = 0.5) -> dict[str, Any]:
    """(c) Normalised Gram matrices of certified class means below, at, above the threshold."""
    t = c / (1 - c)
    cases = [
        (t / 10, "below c/(1−c)"),
        (t, "at c/(1−c)"),
        (3 * t, "above c/(1−c)"),
        (math.inf, "bias-free"),
    ]
    panels = []
    with style():
        fig = new_figure(9.6, 3.0)
        axes = fig.subplots(1, len(cases))
        image = None
        for ax, (lb, where) in zip(axes, cases, strict=True):
            s = _certified(one_hot_instance(K, n, c, lb))
            G = s.Hbar.T @ s.Hbar if s is not None else np.full((K, K), np.nan)
            d = np.sqrt(np.diag(G))
            cosines = G / np.outer(d, d)
            _, closed = _closed(K, n, c, lb)
            panels.append(
                {
                    "lambda_b": lb,
                    "certified": s is not None,
                    "gram": rounded(G),
                    "closed_form_gram": rounded(closed),
                    "max_abs_difference": measured(
                        float(np.max(np.abs(G - closed))), RESIDUAL_RESOLUTION
                    ),
                }
            )
            image = ax.imshow(cosines, cmap="RdBu_r", vmin=-1, vmax=1)
            for (k, l), v in np.ndenumerate(cosines):
                colour = "white" if abs(v) > 0.6 else "black"
                shown = round(float(v), 2) + 0.0  # + 0.0: a rounding-level -0 prints as 0
                ax.text(l, k, f"{shown:.2f}", ha="center", va="center", fontsize=7, color=colour)
            lbs = r"\infty" if math.isinf(lb) else f"{lb:.3g}"
            ax.set_title(
                f"$\\lambda_b = {lbs}$ ({where})\n$\\|\\bar h_k\\|^2 = {G[0, 0]:.3g}$", fontsize=8
            )
            ax.set_xticks(range(K), [str(k + 1) for k in range(K)])
            ax.set_yticks(range(K), [str(k + 1) for k in range(K)])
            ax.set_xlabel("class l")
            ax.set_ylabel("class k")
        assert image is not None
        fig.colorbar(
            image,
            ax=axes,
            label=r"$\cos\angle(\bar h_k, \bar h_l) = G_{kl}/(\|\bar h_k\|\,\|\bar h_l\|)$",
            shrink=0.8,
        )
        fig.suptitle(
            f"Theorem III.1: Gram matrices of certified one-hot class means, K={K}, n={n}, "
            f"c={c}, threshold c/(1−c) = {t:.3g}"
        )
        rel = save(fig, stage, "onehot_grams", dpi)
    return {
        "name": "onehot_grams",
        "file": rel,
        "title": "Gram matrices of the class means at a few λ_b",
        "caption": "Cosines between the class means of certified solutions (exact engine), "
        f"K={K}, n={n}, c={c}, threshold c/(1−c) = {t:.3g}. Below and at the threshold the "
        "off-diagonal is −1/(K−1) (simplex ETF); above it rises towards 0, reached at "
        "λ_b = ∞ (orthogonal frame). Panel titles give the squared norm of a class mean.",
        "claims": ["theorem-III.1", "corollary-IV.2"],
        "data": {"K": K, "n": n, "c": c, "panels": panels, "resolution": RESIDUAL_RESOLUTION},
    }


def sweep() -> list[dict[str, Any]]:
    """The data shared by :func:`transition` and :func:`bias_figure` (computed once)."""
    return _sweep()
