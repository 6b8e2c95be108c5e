"""The counterexamples to the claim a claim corrects, shown beside it on its page.

A claim whose ``meta["replaces"]`` names another (the corrected SSETF theorem names the
paper's conjecture) lists that claim's hunted, shrunk counterexamples, one per refuted
direction, with what the corrected claim says at each (``meta["explain"]``, a function of
the instance), so a reader sees on one page why the original fails and the correction does not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..claims import Claim
from ..instance import Instance
from ..tolerances import DEFAULT
from .text import matrix_latex

__all__ = ["replaced_counterexamples"]


def _instance(record: dict[str, Any]) -> Instance:
    i = record["instance"]
    return Instance(
        np.array(i["encoding"], dtype=np.float64),
        tuple(i["counts"]),
        i["d"],
        i["lambda_W"],
        i["lambda_H"],
        i["lambda_b"],
    )


def replaced_counterexamples(claim: Claim, hunts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per refuted direction of the replaced claim's hunt: the direction, its shrunk
    and confirmed counterexample, the failing residuals and what ``claim`` says there."""
    replaced = claim.meta.get("replaces")
    if not replaced:
        return []
    explain: Callable[[Instance], str] | None = claim.meta.get("explain")
    rows = []
    for h in hunts:
        if h.get("claim") != replaced:
            continue
        for d in h.get("directions", []):
            ce = d.get("counterexample")
            if d.get("status") != "refuted" or not ce:
                continue
            failing = {k: x for k, x in ce.get("residuals", {}).items() if x > DEFAULT.residual}
            rows.append(
                {
                    "direction": d.get("claim", ""),
                    "statement": d.get("statement", ""),
                    "hunt": h.get("slug", ""),
                    "instance": ce["describe"].split("; hypotheses")[0],
                    "encoding": "$" + matrix_latex(ce["instance"]["encoding"]) + "$",
                    "failing": failing,
                    "confirmed": bool(d.get("confirmation", {}).get("confirmed")),
                    "here": explain(_instance(ce)) if explain else "",
                }
            )
    return rows
