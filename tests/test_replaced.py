"""Report pages: the corrected SSETF theorem lists the conjecture's counterexamples beside it;
the index links the pages beyond the paper."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from proofs import REGISTRY
from verify.report import build_report
from verify.report.replaced import replaced_counterexamples

# the shape verify hunt writes: one refuted direction with its shrunk counterexample
SMOOTH = {
    "describe": "K=2, n=1 each, d=2, lambda_W=0.45, lambda_H=0.45, lambda_b=10; hypotheses: x",
    "instance": {
        "K": 2,
        "counts": [1, 1],
        "d": 2,
        "encoding": [[0.75, 0.25], [0.25, 0.75]],
        "lambda_W": 0.45,
        "lambda_H": 0.45,
        "lambda_b": 10.0,
    },
    "residuals": {"Hbar is an SSETF": 1.0, "fine": 0.0},
}


def _hunt(confirmed: bool = True) -> dict[str, Any]:
    direction = {
        "claim": "conjecture-ssetf:if",
        "statement": "Ybar SSETF => Hbar SSETF",
        "status": "refuted",
        "counterexample": SMOOTH,
        "confirmation": {"confirmed": confirmed},
    }
    held = {"claim": "conjecture-ssetf:only-if", "status": "verified", "counterexample": None}
    return {
        "tool": "nc-verify hunt",
        "claim": "conjecture-ssetf",
        "slug": "conjecture-ssetf",
        "status": "refuted",
        "relaxed": [],
        "budget": 20,
        "seed": 0,
        "directions": [direction, held],
        "tried": [],
        "tried_total": 0,
        "timing": {"seconds": 1.0},
    }


def test_each_refuted_direction_is_listed_with_what_the_theorem_says_there() -> None:
    """Property: one row per refuted direction, its failing residuals only, and the theorem's
    own reading of the instance (a = 0.5 <= c = 0.9: the centred means vanish)."""
    rows = replaced_counterexamples(REGISTRY["theorem-ssetf:if"], [_hunt()])
    assert [r["direction"] for r in rows] == ["conjecture-ssetf:if"]
    (row,) = rows
    assert row["failing"] == {"Hbar is an SSETF": 1.0} and row["confirmed"]
    assert "a = 0.5, c = 0.9" in row["here"] and "vanish" in row["here"]
    assert "hypotheses" not in row["instance"]


def test_claims_that_correct_nothing_list_nothing() -> None:
    assert replaced_counterexamples(REGISTRY["theorem-IV.4"], [_hunt()]) == []


def test_the_theorem_page_shows_the_counterexamples(tmp_path: Path) -> None:
    """Property: the report's page of the corrected theorem carries the section and its JSON
    the rows, from the hunt found in the report directory."""
    out = tmp_path / "reports"
    (out / "hunts").mkdir(parents=True)
    (out / "hunts" / "conjecture-ssetf.json").write_text(json.dumps(_hunt(confirmed=False)))
    build_report(out, examples=3, seed=0, dpi=30, claims=["theorem-ssetf:if"])
    page = (out / "claims" / "theorem-ssetf-if.md").read_text()
    assert "## The counterexamples it answers" in page
    assert "conjecture-ssetf:if`](../hunts/conjecture-ssetf.md) (unconfirmed)" in page
    assert "the centred class means vanish" in page
    data = json.loads((out / "claims" / "theorem-ssetf-if.json").read_text())
    assert data["replaced"][0]["direction"] == "conjecture-ssetf:if"
    # the index links the pages beyond the paper this report has (no Hong & Ling page, and
    # no sphere section in a report without sphere claims)
    index = (out / "index.md").read_text()
    assert "## Beyond the paper" in index
    assert "(losses.md)" in index and "(hong_ling.md)" not in index
    assert "(sphere.md)" not in index and not (out / "sphere.md").exists()  # no sphere claim
