r"""The conjecture figure: how far the encoding is from an SSETF against how far the optimal
class means are, for the instances a hunt tried (or a fixed-seed sample), counterexamples
highlighted. Conventions as in :mod:`verify.report.plot`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from verify import encodings as enc
from verify import regimes
from verify.geometry import ssetf_fit
from verify.instance import Instance
from verify.report.canonical import RESIDUAL_RESOLUTION, RESOLUTION, measured, rounded
from verify.report.hunts import record_instance, tried_records
from verify.report.plot import new_figure, save, style
from verify.solve import solve
from verify.strategies import ENCODING_KINDS, haar_orthogonal
from verify.tolerances import DEFAULT

__all__ = [
    "MAX_HUNT_POINTS",
    "ON_BOUNDARY",
    "conjecture_figure",
    "conjecture_instances",
    "conjecture_points",
    "sample",
]

#: Where the encoding's distance from an SSETF (computed from the input, no solver) is drawn
#: when at rounding level, and where the class means' distance (a residual of a certified
#: solution) is drawn when within the residual tolerance: below these the values are the
#: machine's rounding (see :mod:`verify.report.canonical`), so drawing them would move points
#: between machines.
X_FLOOR = RESOLUTION
Y_FLOOR = RESIDUAL_RESOLUTION
MAX_HUNT_POINTS = 1000


def _encoding(kind: str, K: int, rng: np.random.Generator) -> np.ndarray:
    seed = int(rng.integers(0, 2**16))
    if kind == "one_hot":
        return enc.one_hot(K)
    if kind == "smooth":
        return enc.label_smoothing(K, float(rng.uniform(0.01, 0.99)))
    if kind == "ssetf":
        a, b = float(rng.uniform(0.1, 3.0)), float(rng.uniform(-3.0, 3.0))
        return enc.ssetf(K, a, b, haar_orthogonal(K, seed))
    if kind == "rotated_one_hot":
        return haar_orthogonal(K, seed)
    if kind == "shifted_frame":
        P, v = haar_orthogonal(K, seed), np.random.default_rng(seed + 1).standard_normal(K)
        shift = float(rng.uniform(0.0, 2.0)) * np.outer(v / np.linalg.norm(v), np.ones(K))
        return P @ (np.eye(K) - np.ones((K, K)) / K) + shift
    if kind == "gaussian":
        return enc.random_encoding(K, seed)
    r = int(rng.integers(1, K))  # low_rank
    g = np.random.default_rng(seed)
    return g.standard_normal((K, r)) @ g.standard_normal((r, K))


def sample(seed: int, count: int = 140) -> list[Instance]:
    """Balanced instances drawn like :func:`verify.strategies.cases` (every encoding kind in
    turn, c from 0.05 to 1.5 times the encoding's scale, lambda_b in {0, inf, 1e-3..1e3})."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        K = int(rng.integers(2, 6))
        Ybar = _encoding(ENCODING_KINDS[i % len(ENCODING_KINDS)], K, rng)
        n = int(rng.integers(1, 7))
        alpha = ssetf_fit(Ybar).alpha or float(np.linalg.norm(Ybar) / math.sqrt(K)) or 1.0
        c = float(rng.uniform(0.05, 1.5)) * alpha
        mu, ratio = c / (K * math.sqrt(n)), 10 ** float(rng.uniform(-1, 1))
        mode = int(rng.integers(0, 4))
        lb = (0.0, math.inf)[mode] if mode < 2 else 10 ** float(rng.uniform(-3, 3))
        out.append(Instance(Ybar, (n,) * K, K, mu * ratio, mu / ratio, lb))
    return out


#: a point that would refute the conjecture but sits within ``Tolerances.boundary`` of a
#: singular level or a threshold (c = alpha up to rounding): its side, and so its verdict, is
#: decided by how the instance rounds, so, as in confirmation, it refutes nothing
ON_BOUNDARY = "on a boundary (rounding decides)"


def _category(x: float, y: float, balanced: bool, boundary: float = math.inf) -> str:
    tol = DEFAULT
    if not balanced:
        return "outside the hypotheses (imbalanced)"
    refutes = (x <= tol.hypothesis and y >= tol.refute) or (y <= tol.residual and x >= tol.refute)
    if refutes and boundary <= tol.boundary:
        return ON_BOUNDARY
    if x <= tol.hypothesis and y >= tol.refute:
        return "counterexample to 'if'"
    if y <= tol.residual and x >= tol.refute:
        return "counterexample to 'only if'"
    if (x <= tol.hypothesis and y <= tol.residual) or (x >= tol.refute and y >= tol.refute):
        return "consistent with the conjecture"
    return "between the tolerances"


def conjecture_points(instances: list[Instance], highlight: list[bool]) -> dict[str, Any]:
    """Solve each instance (exact engine); the SSETF-fit residuals of Ybar and of Hbar."""
    points, uncertified = [], 0
    for inst, star in zip(instances, highlight, strict=True):
        s = solve(inst, "exact")
        if not s.certified:
            uncertified += 1
            continue
        fit = ssetf_fit(inst.encoding)
        x, y = fit.residual, ssetf_fit(s.Hbar).residual
        c = inst.c
        points.append(
            {
                "x": measured(x, X_FLOOR),
                "y": measured(y, Y_FLOOR),
                "c_over_alpha": None if c is None or fit.alpha <= 0 else c / fit.alpha,
                "lambda_b": inst.lambda_b,
                "category": _category(x, y, inst.balanced, regimes.boundary_distance(inst)),
                "hunt_counterexample": star,
                "instance": inst.describe(),
            }
        )
    return rounded(
        {"points": points, "uncertified": uncertified, "x_floor": X_FLOOR, "y_floor": Y_FLOOR}
    )


_STYLE = {
    "consistent with the conjecture": ("o", "tab:blue"),
    "counterexample to 'if'": ("s", "tab:red"),
    "counterexample to 'only if'": ("D", "tab:orange"),
    "between the tolerances": ("^", "tab:grey"),
    ON_BOUNDARY: ("v", "tab:brown"),
    "outside the hypotheses (imbalanced)": ("x", "tab:purple"),
}


def conjecture_figure(stage: Path, dpi: int, data: dict[str, Any], source: str) -> dict[str, Any]:
    """(d) Distance of Ybar from an SSETF against distance of Hbar from an SSETF."""
    tol = DEFAULT
    pts = data["points"]
    with style():
        fig = new_figure(6.6, 5.0)
        ax = fig.add_subplot()
        x_lo, y_lo, hi = X_FLOOR / 3, Y_FLOOR / 3, 3.0
        ax.fill_between([x_lo, tol.hypothesis], tol.refute, hi, color="tab:red", alpha=0.08, lw=0)
        ax.fill_between([tol.refute, hi], y_lo, tol.residual, color="tab:orange", alpha=0.1, lw=0)
        ax.text(2 * x_lo, 0.5 * tol.refute, "Ȳ SSETF, H̄ not:\nrefutes 'if'", color="tab:red",
                fontsize=8, va="top")  # fmt: skip
        ax.text(1.5, 1.5 * tol.residual, "H̄ SSETF, Ȳ not:\nrefutes 'only if'",
                color="tab:orange", fontsize=8, ha="right", va="bottom")  # fmt: skip
        for category, (marker, colour) in _STYLE.items():
            sel = [p for p in pts if p["category"] == category]
            if not sel:
                continue
            x = [max(p["x"], X_FLOOR) for p in sel]
            y = [max(p["y"], Y_FLOOR) for p in sel]
            ax.scatter(x, y, marker=marker, color=colour, s=22, label=f"{category} ({len(sel)})")
        stars = [p for p in pts if p["hunt_counterexample"]]
        if stars:
            ax.scatter(
                [max(p["x"], X_FLOOR) for p in stars],
                [max(p["y"], Y_FLOOR) for p in stars],
                marker="*", s=220, facecolor="none", edgecolor="black", lw=1.2,
                label=f"a hunt's reported counterexample ({len(stars)})",
            )  # fmt: skip
        ax.axvline(tol.hypothesis, color="black", ls="--", lw=0.7)
        ax.axhline(tol.residual, color="black", ls="--", lw=0.7)
        ax.axvline(tol.refute, color="black", ls=":", lw=0.7)
        ax.axhline(tol.refute, color="black", ls=":", lw=0.7)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlim(x_lo, hi)
        ax.set_ylim(y_lo, hi)
        ax.set_xlabel(
            f"encoding Ȳ: relative distance from the nearest SSETF (SSETF if ≤ {tol.hypothesis:.0e})"
        )
        ax.set_ylabel(
            f"optimal class means H̄: distance from an SSETF (SSETF if ≤ {tol.residual:.0e})"
        )
        ax.set_title(
            f"Conjecture (Sec. IV-B): H̄ is an SSETF iff Ȳ is\n{len(pts)} certified instances, {source}"
        )
        ax.legend(fontsize=7, loc="center")
        rel = save(fig, stage, "conjecture_ssetf", dpi)
    counts: dict[str, int] = {}
    for p in pts:
        counts[p["category"]] = counts.get(p["category"], 0) + 1
    why = _explain(pts)
    return {
        "name": "conjecture_ssetf",
        "file": rel,
        "title": "Conjecture: SSETF encoding against SSETF class means",
        "caption": f"Each point is a certified global minimiser ({source}). Horizontal: relative "
        "distance of the encoding Ȳ from the nearest shifted simplex ETF; vertical: the same for "
        "the optimal class means H̄. Dashed lines: the tolerances under which each counts as "
        f"an SSETF; dotted: the refutation threshold {tol.refute:.0e}. Distances of Ȳ at or "
        f"below {X_FLOOR:.0e} (rounding) are drawn at {X_FLOOR:.0e}, distances of H̄ within the "
        f"residual tolerance at {Y_FLOOR:.0e}: below those the digits are the machine's "
        "rounding, not the mathematics. Red squares (SSETF in, no SSETF out) refute "
        "'if'; orange diamonds (SSETF out without SSETF in) refute 'only if'; brown "
        f"triangles would refute one of them but sit within {tol.boundary:.0e} of a singular "
        "level or threshold (c = α up to rounding), where the rounding of the instance decides "
        "the answer, so they refute nothing." + why,
        "claims": [
            "conjecture-ssetf:if",
            "conjecture-ssetf:only-if",
            "gram-balanced",
            "corollary-IV.2",
        ],
        "data": {"source": source, "counts": counts, **data},
    }


def _explain(pts: list[dict[str, Any]]) -> str:
    """What the counterexamples have in common, counted (the amendments they suggest)."""
    out = ""
    bad_if = [p for p in pts if p["category"] == "counterexample to 'if'"]
    if bad_if:
        big_c = sum(1 for p in bad_if if (p["c_over_alpha"] or 0) >= 1)
        out += (
            f" Of the {len(bad_if)} counterexample(s) to 'if', {big_c} have c ≥ α, the scale of "
            "the encoding's SSETF (there the class means collapse)."
        )
    bad_only = [p for p in pts if p["category"] == "counterexample to 'only if'"]
    if bad_only:
        zero = sum(1 for p in bad_only if p["lambda_b"] == 0)
        out += (
            f" Of the {len(bad_only)} counterexample(s) to 'only if', {zero} have λ_b = 0 "
            "(an unregularised bias absorbs any shift of the encoding)."
        )
    return out


def conjecture_instances(
    hunts: list[dict[str, Any]], limit: int
) -> tuple[list[Instance], list[bool], list[str]]:
    """Instances tried by hunts of the SSETF conjecture (the first ``limit``, in file order),
    flags marking each hunt's reported counterexample, and the slugs of the hunts used."""
    instances: list[Instance] = []
    flags: list[bool] = []
    used: list[str] = []
    for hunt in sorted(hunts, key=lambda h: len(h.get("relaxed") or [])):  # unrelaxed first
        if not str(hunt.get("claim", "")).startswith("conjecture-ssetf"):
            continue
        ce = record_instance(hunt.get("counterexample"))
        if ce is not None:
            instances.append(ce)
            flags.append(True)
        tried = tried_records(hunt)
        found = [i for i in (record_instance(r) for r in tried) if i is not None]
        if found or ce is not None:
            used.append(hunt["slug"])
        for inst in found[: max(limit - len(instances), 0)]:
            instances.append(inst)
            flags.append(False)
    return instances, flags, used
