"""The seed-003 report section: its page renders from data, and (slow) is written whole."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def _benchmark() -> Any:
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "sphere.py"
    spec = importlib.util.spec_from_file_location("_benchmarks_sphere", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cell(wall: float, cpu: float, wall_check: float, cpu_check: float) -> dict[str, float]:
    return {"instances_per_second": wall, "instances_per_cpu_second": cpu,
            "instances_per_second_with_full_check": wall_check,
            "instances_per_cpu_second_with_full_check": cpu_check}  # fmt: skip


def test_the_benchmark_page_says_where_target_2_is_missed_and_whose_the_miss_is() -> None:
    """benchmarks/sphere.py renders its explanation from the measured rates: every cell below
    50/s is named with its rates, a miss whose CPU-time rate meets the target is put down to the
    machine, one whose CPU-time rate misses too to the code, and a run without a miss says so."""
    bench = _benchmark()
    ok = _cell(120, 130, 90, 95)
    met = bench._miss_text({"ntce": {4: ok, 5: ok}})
    assert met.startswith("Target 2 is met in every cell") and "missed" not in met
    machine = bench._miss_text({"ntce": {4: ok, 5: _cell(40, 80, 35, 70)}})
    assert "ntce at K = 5 (40/s; 80/s of its own CPU time) (search alone)" in machine
    assert "ntce at K = 5 (35/s; 70/s of its own CPU time) (with the full-problem check)" in machine
    assert "other jobs" in machine and "too slow" not in machine
    code = bench._miss_text({"nonl": {5: _cell(30, 31, 25, 26)}, "ntce": {4: ok}})
    assert "nonl at K = 5 (30/s; 31/s" in code and "ntce" not in code
    assert "too slow" in code and "other jobs" not in code
    both = bench._miss_text(
        {"nonl": {5: _cell(30, 31, 25, 26)}, "ntce": {5: _cell(40, 80, 45, 60)}}
    )
    assert "too slow" in both and "other jobs" in both


def test_a_sphere_claims_page_shows_the_spheres_parameters_not_the_placeholders() -> None:
    """The worst instance of a sphere claim is shown by its loss, counts, d and tau; the
    placeholder lambdas its Instance carries (the model has no weight decay) never appear."""
    from verify.claims import check
    from verify.claims.registry import registry
    from verify.report.pages import claim_page

    claim = registry()["sphere-ntce-nc"]
    v = check(claim, examples=2, seed=0)
    page = claim_page(claim, v, [], "sphere-ntce-nc", [])
    assert v.worst is not None and "### The worst instance" in page
    assert "| τ (temperature) |" in page and "| loss | ntce |" in page
    assert "λ_W" not in page and "lambda_W" not in page and "\\bar Y" not in page
