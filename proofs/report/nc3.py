r"""The figure of NC3 against NC3' under orthogonal transformations of the labels (Proposition
IV.3, Theorem IV.4), in the conventions of :mod:`verify.report.plot`, from fixed seeds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from verify import encodings as enc
from verify.geometry import nc3_residual, procrustes_nc3prime
from verify.report.canonical import RESIDUAL_RESOLUTION, measured, rounded
from verify.report.plot import COLOURS, new_figure, save, style
from verify.solve import solve
from verify.strategies import haar_orthogonal
from verify.tolerances import DEFAULT

from .onehot import one_hot_instance

__all__ = ["nc3_figure"]

#: NC3 and NC3' residuals of certified solutions within the residual tolerance are drawn here:
#: below it their digits are the machine's rounding (see :mod:`verify.report.canonical`).
FLOOR = RESIDUAL_RESOLUTION


def nc3_figure(stage: Path, dpi: int, seed: int, rotations: int = 12) -> dict[str, Any]:
    """(e) NC3 and NC3' residuals of certified solutions for labels Q Ybar, Q Haar-random."""
    K, n, c, lb = 4, 3, 0.5, 0.5
    base = one_hot_instance(K, n, c, lb)
    encodings = {"one-hot": enc.one_hot(K), "label smoothing δ=0.2": enc.label_smoothing(K, 0.2)}
    from scipy.linalg import expm

    S = np.random.default_rng(seed).standard_normal((K, K))
    A = (S - S.T) / np.linalg.norm(S - S.T)  # a unit skew-symmetric direction
    small = [expm(t * A) for t in (1e-4, 1e-3, 1e-2, 1e-1, 0.5)]
    Qs = [np.eye(K), *small] + [haar_orthogonal(K, seed * 1000 + i) for i in range(rotations)]
    series: list[dict[str, Any]] = []
    for name, Ybar in encodings.items():
        rows = []
        for Q in Qs:
            s = solve(base.replace(encoding=Q @ Ybar), "exact")
            if not s.certified:
                continue
            rows.append(
                {
                    "distance": float(np.linalg.norm(Q - np.eye(K))),
                    "det": float(np.linalg.det(Q)),
                    "nc3": measured(nc3_residual(s.W, s.Hbar), FLOOR),
                    "nc3_prime": measured(procrustes_nc3prime(s.W, s.Hbar).residual, FLOOR),
                }
            )
        series.append({"encoding": name, "rows": rounded(rows)})
    with style():
        fig = new_figure(6.6, 4.2)
        ax = fig.add_subplot()
        for j, sr in enumerate(series):
            x = [r["distance"] for r in sr["rows"]]
            mk = ("o", "s")[j]
            ax.scatter(x, [max(r["nc3"], FLOOR) for r in sr["rows"]], marker=mk, color=COLOURS[3],
                       label=rf"NC3: $W^\top = \kappa\bar H$ ({sr['encoding']})", alpha=0.8)  # fmt: skip
            ax.scatter(x, [max(r["nc3_prime"], FLOOR) for r in sr["rows"]], marker=mk,
                       color=COLOURS[0], alpha=0.8,
                       label=rf"NC3': $W^\top = \kappa\bar H R^\top$, some orthogonal $R$ ({sr['encoding']})")  # fmt: skip
        ax.axhline(DEFAULT.residual, color="black", ls="--", lw=0.7)
        ax.text(
            2e-5, DEFAULT.residual * 1.6, f"residual tolerance {DEFAULT.residual:.0e}", fontsize=8
        )
        ax.set_xscale("symlog", linthresh=1e-5)
        ax.set_xlim(-5e-6, 5)
        ax.set_yscale("log")
        ax.set_ylim(FLOOR / 3, 3)
        ax.set_xlabel(
            r"$\|Q - I\|_F$, distance of the label transformation from the identity (Q = I at 0)"
        )
        ax.set_ylabel("relative residual of the certified solution (log scale)")
        ax.set_title("Labels transformed by an orthogonal Q ($\\bar Y \\to Q\\bar Y$): NC3 breaks, NC3' holds\n"
                     f"K={K}, n={n}, c={c}, $\\lambda_b$={lb}; Q = I, 5 small rotations, {rotations} Haar-random Q")  # fmt: skip
        ax.legend(fontsize=7, loc="center right")
        rel = save(fig, stage, "nc3_rotation", dpi)
    return {
        "name": "nc3_rotation",
        "file": rel,
        "title": "NC3 against NC3' under orthogonal transformations of the labels",
        "caption": "For labels Q Ȳ (Q = I; Q = exp(tA) for a unit skew-symmetric A and t from 1e-4 "
        "to 0.5; Haar-random orthogonal Q, including reflections) "
        "the certified minimiser is (QW, H, Qb) (Proposition IV.3). Self-duality W^T = κH̄ (NC3, "
        "least-squares κ) fails as soon as Q ≠ I, while self-duality up to rotation (NC3', "
        f"Procrustes fit) holds (Theorem IV.4). Residuals within the tolerance {FLOOR:.0e} are "
        f"drawn at {FLOOR:.0e} (below it their digits are the machine's rounding).",
        "claims": ["proposition-IV.3", "theorem-IV.4"],
        "data": {"K": K, "n": n, "c": c, "lambda_b": lb, "floor": FLOOR, "series": series},
    }
