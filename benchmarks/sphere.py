"""The sphere model's targets (issue 14), measured; writes reports/benchmarks_sphere.md.

    python benchmarks/sphere.py [--out reports] [--repeat 3]

Target 1: balanced K = 10, N = 1000, d = 16, tau = 0.1: a certified-feasible point within 1e-10
relative of the proved optimum in < 1 s, per loss. Measured end to end: a 10-start local search
on the class-structured reduction (Hessian check included), its 50-digit re-evaluation
(:mod:`verify.sphere.exact`, the lifted point's exact value by the reduction identity) and the
float64 lift check on all N = 1000 samples. The best of ``--repeat`` runs is reported (the
machine is shared), with every run in the JSON.

Target 2: imbalance hunts, >= 50 solved instances/s for K <= 5 with 10 starts each: the
reduced problem at counts (r n, n, ..., n), n = 2, r in 1, 2, 5, 10, no Hessian, the four ratios'
starts in one batch (:func:`verify.sphere.solve.local_search_many`).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from verify.io import atomic_write_text
from verify.sphere.bounds import bound
from verify.sphere.exact import exact_loss
from verify.sphere.model import LOSS_NAMES, SphereProblem
from verify.sphere.reduction import check_lift, reduced_weights
from verify.sphere.solve import local_search, local_search_many

TARGET_GAP, TARGET_SECONDS, TARGET_RATE = 1e-10, 1.0, 50.0


def balanced(loss: str) -> dict[str, float]:
    p = SphereProblem(loss, (100,) * 10, 16, 0.1)
    start = time.perf_counter()
    found = local_search(p, 10, 0, reduced=True, hessian=True)
    labels, m = reduced_weights(p)
    value = exact_loss(loss, found.W, found.H, labels, m, p.tau)
    lift = check_lift(p, found.W, found.H, exact_up_to=0)
    seconds = time.perf_counter() - start
    b = bound(loss, 10, 100, 0.1)
    return {
        "seconds": seconds,
        "relative_gap": (float(value.value) - b) / abs(b),
        "lift_relative": lift.relative,
        "hessian_min": float(found.hessian_min or 0.0),
        "second_order": bool(found.second_order),
    }


def hunt_rate(loss: str, K: int) -> dict[str, float]:
    start = time.perf_counter()
    problems = [SphereProblem(loss, (2 * r, *(2,) * (K - 1)), K, 0.5) for r in (1, 2, 5, 10)]
    local_search_many(problems, 10, 0)  # every ratio's 10 starts in one batch
    return {"instances_per_second": len(problems) / (time.perf_counter() - start)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="reports")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {}
    for loss in LOSS_NAMES:
        runs[loss] = [balanced(loss) for _ in range(args.repeat)]
    rates: dict[str, dict[int, float]] = {}
    for loss in LOSS_NAMES:
        rates[loss] = {
            K: max(hunt_rate(loss, K)["instances_per_second"] for _ in range(args.repeat))
            for K in (2, 3, 5)
        }
    lines = [
        "# Benchmarks: the sphere model (issue 14)",
        "",
        f"`python benchmarks/sphere.py --repeat {args.repeat}`; load average at the end "
        f"{os.getloadavg()[0]:.1f} (2 cores, shared). Best of {args.repeat} runs.",
        "",
        "## Target 1: balanced K = 10, N = 1000, d = 16, tau = 0.1",
        "",
        "| loss | seconds (target < 1) | relative gap to the proved optimum (target <= 1e-10) "
        "| lift check (all N) | Hessian PSD | pass |",
        "|---|---|---|---|---|---|",
    ]
    for loss, rs in runs.items():
        best = min(rs, key=lambda r: r["seconds"])
        gap = max(abs(r["relative_gap"]) for r in rs)
        ok = best["seconds"] < TARGET_SECONDS and gap <= TARGET_GAP
        lines.append(
            f"| {loss} | {best['seconds']:.2f} | {gap:.1e} | {best['lift_relative']:.1e} "
            f"| {best['second_order']} | {'pass' if ok else 'MISS'} |"
        )
    lines += [
        "",
        "## Target 2: imbalance hunts, 10 starts, K <= 5 (target >= 50 instances/s)",
        "",
        "| loss | K = 2 | K = 3 | K = 5 | pass |",
        "|---|---|---|---|---|",
    ]
    for loss, by_K in rates.items():
        ok = min(by_K.values()) >= TARGET_RATE
        cells = " | ".join(f"{v:.1f}" for v in by_K.values())
        lines.append(f"| {loss} | {cells} | {'pass' if ok else 'MISS'} |")
    lines += [
        "",
        "Where target 2 is missed: an evaluation of a reduced loss costs about 1 ms of numpy "
        "call overhead on these tiny arrays, the instances of a hunt already share one batch, "
        "and a batch runs until its slowest start converges: under imbalance the NONL losses "
        "converge slowly (hundreds to thousands of BB iterations near minority collapse). "
        "What would close it: retiring converged starts from the batch, a second-order method "
        "near the end, or a compiled loss.",
        "",
    ]
    out = Path(args.out)
    atomic_write_text(out / "benchmarks_sphere.md", "\n".join(lines))
    atomic_write_text(
        out / "benchmarks_sphere.json",
        json.dumps({"balanced": runs, "hunt_rates": rates}, indent=2, default=float),
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
