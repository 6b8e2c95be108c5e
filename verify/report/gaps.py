"""The figure every report has: the certified relative duality gap of every solve behind each
verdict, per claim (conventions of :mod:`verify.report.plot`)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from ..claims import Verdict
from ..tolerances import DEFAULT
from .canonical import RESOLUTION
from .plot import COLOURS, new_figure, save, style

__all__ = ["gaps_figure", "why_empty"]


def why_empty(verdicts: list[Verdict]) -> dict[str, str]:
    """Why a verdict rests on no solve, for the gaps figure."""
    return {
        v.claim_id: "no verdict: the check raised an error (see the claim's page)"
        if v.reason.startswith("the check raised")
        else "no solve: this claim is checked without solving the UFM"
        for v in verdicts
        if not v.gaps
    }


def gaps_figure(
    stage: Path, dpi: int, gaps: dict[str, list[float]], empty: dict[str, str]
) -> dict[str, Any]:
    """Certified relative duality gaps of every solve, per claim; ``empty`` says why a claim
    has none."""
    rng = np.random.default_rng(0)
    names = list(gaps)
    zero = RESOLUTION  # where gaps at rounding level (0 included) are drawn
    with style():
        fig = new_figure(6.6, 1.0 + 0.32 * len(names))
        ax = fig.add_subplot()
        for i, name in enumerate(names):
            g = np.asarray([x for x in gaps[name] if math.isfinite(x)], dtype=float)
            if not g.size:
                ax.text(
                    2 * zero, i, empty.get(name, "no solve"), va="center", fontsize=7, color="grey"
                )
                continue
            y = i + rng.uniform(-0.25, 0.25, g.size)
            ax.scatter(np.maximum(g, zero), y, s=6, color=COLOURS[i % len(COLOURS)], alpha=0.6)
        ax.axvline(DEFAULT.gap, color="black", ls="--", lw=0.8)
        ax.text(DEFAULT.gap, -0.45, f" certified if ≤ {DEFAULT.gap:.0e}", fontsize=8, va="top")
        ax.set_xscale("log")
        ax.set_xlim(zero / 3, 1e-7)
        ticks = [zero, 1e-11, 1e-10, 1e-9, 1e-8]
        ax.set_xticks(
            ticks, [f"≤ {zero:.0e}", *(f"$10^{{{round(math.log10(t))}}}$" for t in ticks[1:])]
        )
        ax.set_yticks(range(len(names)), names)
        ax.set_ylim(len(names) - 0.5, -0.5)
        ax.set_xlabel("relative duality gap (primal − dual)/primal of each solve (log scale)")
        ax.set_title("Certificates: relative duality gaps of every solve behind each verdict")
        rel = save(fig, stage, "gaps", dpi)
    return {
        "name": "gaps",
        "file": rel,
        "title": "Certified relative duality gaps per claim",
        "caption": "Every solve a verdict rests on, by claim (vertical jitter only to separate "
        f"points). A solve is certified when its relative duality gap is ≤ {DEFAULT.gap:.0e} "
        f"(dashed). Gaps at or below {zero:.0e} (0 included: the dual value reaches the primal "
        "value to rounding) are drawn at the left edge: their digits are the machine's rounding.",
        "claims": names,
        "data": {},
    }
