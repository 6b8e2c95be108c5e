"""Markdown pages from Jinja2 templates (``verify/report/templates/*.j2``), and the readable
forms of instances, residuals and confirmations they show."""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from typing import Any

import jinja2

from ..claims import Claim, Outcome, Verdict
from ..errors import UnknownName
from ..instance import Instance
from .canonical import RESOLUTION, canonical, measured_text
from .text import fmt, gap_histogram, matrix_latex, one_line, table_cell

__all__ = ["claim_page", "index_page", "instance_view", "render"]

MEANING = {
    "holds": "every residual within the tolerance",
    "counterexample": "some residual above the refutation threshold",
    "unconfirmed": "a counterexample for the exact engine that confirmation did not reproduce",
    "between": "a residual between the tolerance and the refutation threshold",
    "vacuous": "the premise did not hold at the solution",
    "uncertified": "a solve could not be certified",
}


def _as_json(value: Any, limit: int = 3000) -> str:
    text = json.dumps(canonical(value), indent=2, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + "\n... (truncated; see the JSON file)"


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("verify.report", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # markdown, not HTML
    )
    env.filters.update(
        fmt=fmt, cell=table_cell, one_line=one_line, as_json=_as_json, gap=_gap, residual=_residual
    )
    return env


def render(template: str, **context: Any) -> str:
    text = _env().get_template(template).render(**context)
    text = "\n".join(line.rstrip() for line in text.splitlines()).strip() + "\n"
    return re.sub(r"\n{3,}", "\n\n", text)


def instance_view(inst: Instance, Q: Any = None) -> dict[str, Any]:
    """An instance in readable form: parameters in a table, the encoding in LaTeX."""
    rows = [
        ("K (classes)", inst.K),
        ("counts n_k", f"{inst.n} each (balanced)" if inst.balanced else list(inst.counts)),
        ("d (feature dimension)", inst.d),
        ("λ_W", f"{inst.lambda_W:.6g}"),
        ("λ_H", f"{inst.lambda_H:.6g}"),
        ("λ_b", "∞ (bias-free)" if math.isinf(inst.lambda_b) else f"{inst.lambda_b:.6g}"),
    ]
    if inst.c is not None:
        rows.append(("c = K√(nλ_Wλ_H)", f"{inst.c:.6g}"))
        rows.append(
            ("c/(1−c)", "∞ (c ≥ 1)" if math.isinf(inst.threshold or 0) else f"{inst.threshold:.6g}")
        )
    held = [k for k, v in inst.hypotheses().items() if v]
    rows.append(("hypotheses that hold", ", ".join(held) or "none"))
    return {
        "rows": [(k, str(v)) for k, v in rows],
        "encoding": r"\bar Y = " + matrix_latex(inst.encoding),
        "Q": None if Q is None else "Q = " + matrix_latex(Q),
    }


def _case_view(o: Outcome) -> dict[str, Any]:
    """The case's own parameters where it has them (:meth:`verify.case.Case.parameters`: the
    sphere model), else its instance."""
    rows = o.case.parameters()
    if rows is None:
        return instance_view(o.case.instance, o.case.Q)
    return {"rows": rows, "encoding": None, "Q": None}


def _gap(x: Any) -> str:
    """A relative duality gap: ``≤ 1e-12`` at rounding level (:mod:`verify.report.canonical`)."""
    return measured_text(x, RESOLUTION)


def _residual(x: Any, tolerance: float, digits: int = 2) -> str:
    """A residual: its value above ``tolerance``, else ``≤ tolerance`` (below it the digits
    depend on the machine's floating point, see :mod:`verify.report.canonical`); a second
    engine's with ``digits=0`` (two significant digits: it is certified at ``cross_gap``)."""
    return measured_text(x, tolerance, digits)


def _residual_rows(residuals: dict[str, float], v: Verdict) -> list[dict[str, str]]:
    tol = v.tolerances

    def order(item: tuple[str, float]) -> tuple[float, str]:
        name, x = item  # residuals within the tolerance tie (their order is rounding)
        return (-x if x > tol.residual else 0.0, name)

    rows = []
    for name, x in sorted(residuals.items(), key=order):
        judged = "within" if x <= tol.residual else ("FAILS" if x >= tol.refute else "between")
        rows.append(
            {
                "name": name,
                "value": _residual(x, tol.residual),
                "tolerance": f"{tol.residual:.0e}",
                "judged": judged,
            }
        )
    return rows


def _outcome(o: Outcome | None, v: Verdict) -> dict[str, Any] | None:
    if o is None:
        return None
    return {
        "status": o.status,
        "within": all(x <= v.tolerances.residual for x in o.residuals.values()),
        "residuals": _residual_rows(o.residuals, v),
        "instance": _case_view(o),
        "drawn": ", ".join(f"{k}={fmt(x, 4)}" for k, x in o.case.drawn.items()),
        "gaps": ", ".join(_gap(g) for g in o.gaps),
        "reason": o.reason,
    }


def _derivation(claim: Claim) -> str | None:
    if not claim.derivation:
        return None
    from ..symbolic import derivation

    try:
        return derivation(claim.derivation).latex()
    except UnknownName:
        return None


def claim_page(
    claim: Claim,
    v: Verdict,
    figures: list[dict[str, Any]],
    slug: str,
    replaced: list[dict[str, Any]] | None = None,
) -> str:
    counts = [
        {"status": s, "count": v.counts[s], "meaning": MEANING.get(s, "")}
        for s in ("holds", "counterexample", "unconfirmed", "between", "vacuous", "uncertified")
        if v.counts.get(s)
    ]
    return render(
        "claim.md.j2",
        claim=claim,
        v=v,
        slug=slug,
        hypotheses=claim.hypotheses_latex(),
        counts=counts,
        tried=sum(v.counts.values()),
        gaps=gap_histogram(v.gaps, v.tolerances.gap),
        worst=_outcome(v.worst, v),
        counterexample=_outcome(v.counterexample, v),
        confirmation=v.confirmation,
        derivation=_derivation(claim),
        figures=figures,
        replaced=replaced or [],
        tolerances=str(v.tolerances),
    )


def index_page(index: dict[str, Any], heading: dict[str, str] | None = None) -> str:
    """The index's markdown; ``heading`` is its ``title`` and ``lead`` (by default the
    registered contents': :func:`verify.report.content.heading`)."""
    from .canonical import DIGITS, FIGURE_DIGITS
    from .content import heading as default_heading

    return render(
        "index.md.j2",
        **{"resolution": RESOLUTION, "digits": DIGITS, "figure_digits": FIGURE_DIGITS, **index},
        heading=default_heading() if heading is None else heading,
    )
