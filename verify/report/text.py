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
    """Counts of certified relative duality gaps per decade, with min / median / max.

    A relative gap is 0 when the dual value reaches the primal value to rounding.
    """
    values = np.asarray([g for g in gaps if g is not None and math.isfinite(g)], dtype=float)
    rows: list[dict[str, Any]] = []
    if values.size:
        rows.append({"bin": "0 (dual = primal to rounding)", "count": int(np.sum(values <= 0))})
        pos = values[values > 0]
        top_decade = max(math.ceil(math.log10(tolerance)), -15)
        lo: float = 0.0
        for e in range(-16, top_decade + 1):
            hi = min(10.0**e, tolerance)
            label = f"≤ 1e{e}" if lo == 0 else f"(1e{e - 1}, {hi:.0e}]"
            rows.append({"bin": label, "count": int(np.sum((pos > lo) & (pos <= hi)))})
            lo = hi
        rows.append({"bin": f"> {lo:.0e} (not certified)", "count": int(np.sum(pos > lo))})
    rows = [r for r in rows if r["count"]]
    top = max((r["count"] for r in rows), default=1)
    for r in rows:
        r["bar"] = "█" * max(1, round(20 * r["count"] / top))
    return {
        "count": int(values.size),
        "min": float(values.min()) if values.size else None,
        "median": float(np.median(values)) if values.size else None,
        "max": float(values.max()) if values.size else None,
        "tolerance": tolerance,
        "bins": rows,
    }
