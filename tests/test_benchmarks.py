"""The benchmark page is a function of its saved JSON, and the GD baseline is the engine's loop.

Nothing here times anything: the benchmarks measure, these tests check that what they write can
be re-derived from what they saved, and that their gradient descent is the ``gd`` engine's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from verify import Instance, solve
from verify.solve.gd import descend, initial_point, solve_gd
from verify.tolerances import Tolerances

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
REPORTS = ROOT / "reports"


def _outside_sections(page: str) -> str:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from report.page import SECTION
    finally:
        sys.path.remove(str(BENCHMARKS))
    return SECTION.sub("", page).rstrip()


def _render(script: str, results: str, out: Path) -> None:
    """``benchmarks/SCRIPT --render reports/RESULTS --out OUT``: measures nothing."""
    render = [str(BENCHMARKS / script), "--render", str(REPORTS / results), "--out", str(out)]
    done = subprocess.run([sys.executable, *render], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def test_the_committed_page_re_renders_from_its_json(tmp_path: Path) -> None:
    """``run.py --render`` on the committed JSON gives the committed page (outside the sections
    other scripts own) and every figure the page shows: a change of the page's code that was
    not re-rendered, or a page edited by hand, fails here."""
    _render("run.py", "benchmarks.json", tmp_path)
    ours = (tmp_path / "benchmarks.md").read_text()
    committed = (REPORTS / "benchmarks.md").read_text()
    assert _outside_sections(ours) == _outside_sections(committed)
    for name in ("benchmarks_peers", "benchmarks_growth", "benchmarks_hunt"):
        png = tmp_path / "figures" / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"figures/{name}.png" in ours
    assert json.loads((tmp_path / "benchmarks.json").read_text())["checks"]


def test_the_committed_ce_section_re_renders_from_its_json(tmp_path: Path) -> None:
    """``ce.py --render`` on the committed JSON gives the committed cross-entropy section, with
    the run's commit and machine: a hand-edited section, or one its code no longer writes,
    fails here."""
    start, end = "<!-- ce:start -->", "<!-- ce:end -->"
    (tmp_path / "benchmarks.md").write_text(f"# page\n\n{start}\nstale\n{end}\n")
    _render("ce.py", "benchmarks_ce.json", tmp_path)

    def section(page: str) -> str:
        return page[page.index(start) : page.index(end)]

    ours = section((tmp_path / "benchmarks.md").read_text())
    assert ours == section((REPORTS / "benchmarks.md").read_text())
    stamp = json.loads((REPORTS / "benchmarks_ce.json").read_text())["machine"]
    assert f"Measured at commit {stamp['commit']}" in ours and stamp["cpu"] in ours


def test_a_rewrite_keeps_every_section_another_script_wrote(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from report import keep_sections
    finally:
        sys.path.remove(str(BENCHMARKS))
    old = tmp_path / "benchmarks.md"
    old.write_text(
        "# old\n\n<!-- ce:start -->\nce rows\n<!-- ce:end -->\n\n"
        "<!-- new-peer:start -->\npeer rows\n<!-- new-peer:end -->\n"
    )
    page = keep_sections(old, "# new\n\n<!-- ce:start -->\nstale\n<!-- ce:end -->\n\ntail\n")
    assert page.startswith("# new\n\n<!-- ce:start -->\nce rows\n<!-- ce:end -->\n\ntail")
    assert page.endswith("<!-- new-peer:start -->\npeer rows\n<!-- new-peer:end -->\n")
    assert "stale" not in page and "# old" not in page


@pytest.fixture
def small() -> Instance:
    return Instance(
        encoding=np.eye(3), counts=(4, 5, 6), d=3, lambda_W=0.01, lambda_H=0.02, lambda_b=0.5
    )


def test_the_benchmark_gd_is_the_engine_loop(small: Instance) -> None:
    """``benchmarks/gd_loop.run_gd`` stops where its target is first met, at the engine's iterate:
    the same (W, H, b) as the ``gd`` engine after as many iterations."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from gd_loop import run_gd
    finally:
        sys.path.remove(str(BENCHMARKS))
    fstar = solve(small).certificate.primal
    result = run_gd(small, fstar, target=1e-8, check_every=10)
    assert result["status"] == "reached"
    assert result["relative_error"] <= 1e-8
    stops = result["iterations"]
    assert stops % 10 == 0 and stops > 0
    W, H, b, details = solve_gd(small, Tolerances(), max_iter=stops, grad_tol=0.0)
    assert details["stop"] == "iteration limit" and details["iterations"] == stops
    point = initial_point(small, 0)
    seen: list[float] = []
    descend(
        small, point, result["step"], lambda i, f, g: seen.append(f), check_every=10, max_iter=stops
    )
    for mine, engine in zip(point, (W, H, b), strict=True):
        np.testing.assert_array_equal(mine, engine)
    assert abs(seen[-1] - fstar) / abs(fstar) > 1e-8  # the check before the stop had not reached it
