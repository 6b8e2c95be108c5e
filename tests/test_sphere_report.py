"""The seed-003 report section: its page renders from data, and (slow) is written whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from proofs.report import sphere
from verify.claims.verdict import Verdict
from verify.tolerances import DEFAULT


def test_page_renders_statuses_gaps_and_the_figure() -> None:
    v = Verdict("sphere-ntce-nc", "proved", DEFAULT, {"holds": 3}, None)
    judged = [{"kind": "planted", "id": "p", "title": "t", "status": "refuted",
               "reason": "certified counterexample: here", "certified_gap": 0.1,
               "confirmation": {}}]  # fmt: skip
    hunts = [{"loss": "ntce", "rows": [{"ratio": 2, "best": 1.0, "etf": 1.1,
              "certified_below_etf": 0.09, "minority_cosine": -0.3,
              "gram": [[1, -0.6], [-0.6, 1]]}]}]  # fmt: skip
    page = sphere._page([v], judged, hunts, "figures/sphere_imbalance.png")
    assert "| `sphere-ntce-nc` | **proved** |" in page
    assert "| `p` | planted | **refuted** | 1.000e-01 |" in page
    assert "![prototype Gram" in page and "supported" in page
    assert "What is missing" in page


@pytest.mark.slow
def test_section_is_written_whole(tmp_path: Path) -> None:
    sphere.write(tmp_path, [], 30, 0)
    for name in sphere.FILES:
        assert (tmp_path / name).is_file(), name
