r"""Small text helpers for GitHub markdown: slugs, numbers, table cells, matrices in LaTeX.

GitHub renders inline ``$...$`` and fenced ```` ```math ```` blocks. Inside a table a literal
``|`` ends the cell even within math, so :func:`table_cell` writes ``\vert`` in math and
``\|`` in text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = [
    "fmt",
    "gap_histogram",
    "matrix_latex",
    "one_line",
    "slugify",
    "slugs_for",
    "table_cell",
    "tex_number",
]


def slugify(claim_id: str) -> str:
    """A file-system-safe name: ``conjecture-ssetf:if`` -> ``conjecture-ssetf-if``,
    ``theorem-III.4(a)`` -> ``theorem-III.4-a``."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", claim_id).strip("-.")
    return re.sub(r"-{2,}", "-", slug) or "claim"


def slugs_for(ids: Iterable[str]) -> dict[str, str]:
    """Unique slugs for ``ids`` (unique even on case-insensitive file systems)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for claim_id in ids:
        base = slug = slugify(claim_id)
        k = 2
        while slug.lower() in used:
            slug, k = f"{base}-{k}", k + 1
        used.add(slug.lower())
        out[claim_id] = slug
    return out


def fmt(x: Any, digits: int = 2) -> str:
    """A number for prose: ``1.2e-08``, ``0.5``, ``1e-06``, ``inf``; anything else as ``str``."""
    if isinstance(x, str) or x is None:
        return str(x)
    if isinstance(x, bool | int | np.integer):
        return str(x)
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == 0 or 1e-3 <= abs(x) < 1e4:
        return f"{x:.{digits + 2}g}"
    return f"{x:.{digits}g}"


def tex_number(x: float, digits: int = 2) -> str:
    r"""A number for LaTeX: ``9.6 \cdot 10^{-17}``, ``0.2``."""
    text = fmt(x, digits)
    mantissa, e, exponent = text.partition("e")
    if not e:
        return text
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa == "1" else rf"{mantissa} \cdot {power}"


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def table_cell(text: str) -> str:
    """``text`` safe inside a markdown table cell: one line, pipes escaped (math-aware)."""
    parts = one_line(text).split("$")
    for i, part in enumerate(parts):
        parts[i] = part.replace("|", r"\vert ") if i % 2 else part.replace("|", r"\|")
    return "$".join(parts)


def matrix_latex(M: Any, digits: int = 4) -> str:
    r"""A matrix as ``\begin{bmatrix}...\end{bmatrix}`` with ``digits`` significant digits."""
    A = np.atleast_2d(np.asarray(M, dtype=float))
    rows = []
    for row in A:
        cells = []
        for x in row:
            s = "0" if abs(x) < 1e-14 else f"{x:.{digits}g}"
            s = re.sub(
                r"e([+-])0*(\d+)", lambda m: rf"\cdot 10^{{{'-' if m[1] == '-' else ''}{m[2]}}}", s
            )
            cells.append(s)
        rows.append(" & ".join(cells))
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def gap_histogram(gaps: Iterable[float], tolerance: float) -> dict[str, Any]:
    """Counts of certified relative duality gaps per decade above the resolution, with min /
    median / max.

    A gap at or below :data:`verify.report.canonical.RESOLUTION` (0 included: the dual value
    reaches the primal value to rounding) is rounding, whose decade depends on the machine's
    floating-point kernels; those gaps are counted together, and min / median / max below it
    are written as ``"≤ 1e-12"``.
    """
    from .canonical import RESOLUTION, below, measured

    values = np.asarray([g for g in gaps if g is not None and math.isfinite(g)], dtype=float)
    rows: list[dict[str, Any]] = []
    if values.size:
        label = f"{below(RESOLUTION)} (rounding; 0 when dual = primal to rounding)"
        rows.append({"bin": label, "count": int(np.sum(values <= RESOLUTION))})
        lo = RESOLUTION
        for e in range(round(math.log10(RESOLUTION)) + 1, math.ceil(math.log10(tolerance)) + 1):
            hi = min(10.0**e, tolerance)
            if hi <= lo:
                continue
            rows.append(
                {
                    "bin": f"({lo:.0e}, {hi:.0e}]",
                    "count": int(np.sum((values > lo) & (values <= hi))),
                }
            )
            lo = hi
        rows.append({"bin": f"> {lo:.0e} (not certified)", "count": int(np.sum(values > lo))})
    rows = [r for r in rows if r["count"]]
    top = max((r["count"] for r in rows), default=1)
    for r in rows:
        r["bar"] = "█" * max(1, round(20 * r["count"] / top))
    return {
        "count": int(values.size),
        "min": measured(float(values.min())) if values.size else None,
        "median": measured(float(np.median(values))) if values.size else None,
        "max": measured(float(values.max())) if values.size else None,
        "tolerance": tolerance,
        "resolution": RESOLUTION,
        "bins": rows,
    }
