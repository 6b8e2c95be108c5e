"""The sphere model's targets (issue 14), measured; writes reports/benchmarks_sphere.md.

    python benchmarks/sphere.py [--out reports] [--repeat 3] [--hunt-repeat 9]

Target 1: balanced K = 10, N = 1000, d = 16, tau = 0.1: a certified-feasible point within 1e-10
relative of the proved optimum in < 1 s, per loss. Measured end to end: a 10-start local search
on the class-structured reduction (Hessian check included), its 50-digit re-evaluation
(:mod:`verify.sphere.exact`, the lifted point's exact value by the reduction identity) and the
float64 lift check on all N = 1000 samples. The best of ``--repeat`` runs is reported (the
machine is shared), with every run in the JSON.

Target 2: imbalance hunts, >= 50 solved instances/s for K <= 5 with 10 starts each: the
reduced problem at counts (r n, n, ..., n), n = 2, d = K, tau = 0.5, r in 1, 2, 5, 10, the four
ratios' 40 starts in one batch (:func:`verify.sphere.solve.local_search_many`: 10 descent steps,
then batched Riemannian Newton, with SR1 steps between Hessians, to the gradient tolerance). An instance counts as solved when
its best start's Riemannian gradient norm is at most ``Tolerances.sphere_gradient``. Two rates:
the search alone, and the search plus the explicit check of the reduction on the full problem
(:func:`verify.sphere.reduction.check_critical_lift`: gradient and Hessian spectrum over all N
features at the lift), whose pass count is recorded too.
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
from verify.sphere.reduction import check_critical_lift, check_lift, reduced_weights
from verify.sphere.solve import local_search, local_search_many
from verify.tolerances import DEFAULT

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
    problems = [SphereProblem(loss, (2 * r, *(2,) * (K - 1)), K, 0.5) for r in (1, 2, 5, 10)]
    start, cpu = time.perf_counter(), time.process_time()
    found = local_search_many(problems, 10, 0)  # every ratio's 10 starts in one batch
    searched, cpu_searched = time.perf_counter() - start, time.process_time() - cpu
    lifts = [check_critical_lift(p, f.W, f.H) for p, f in zip(problems, found, strict=True)]
    checked = time.perf_counter() - start
    tol = DEFAULT
    return {
        "instances_per_second": len(problems) / searched,
        # this process's own CPU time: what the other agents' load does not inflate
        "instances_per_cpu_second": len(problems) / max(cpu_searched, 1e-9),
        "instances_per_second_with_full_check": len(problems) / checked,
        "solved": sum(f.gradient_norm <= tol.sphere_gradient for f in found),
        "lift_critical": sum(c.holds(tol.sphere_gradient, tol.sphere_hessian) for c in lifts),
        "instances": len(problems),
        "worst_gradient_norm": max(f.gradient_norm for f in found),
    }


def _misses(rates: dict[str, dict[int, dict[str, float]]], key: str) -> str:
    """The (loss, K) cells below the target rate, or "nowhere"."""
    out = [
        f"{loss} at K = {K} ({r[key]:.0f}/s)"
        for loss, by_K in rates.items()
        for K, r in by_K.items()
        if r[key] < TARGET_RATE
    ]
    return ", ".join(out) or "nowhere"


def _load(avg: tuple[float, float, float]) -> str:
    return ", ".join(f"{x:.1f}" for x in avg)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="reports")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--hunt-repeat", type=int, default=9, help="runs per hunt cell (each takes ~20-200 ms)"
    )
    args = parser.parse_args()
    load_start = os.getloadavg()
    runs: dict[str, list[dict[str, float]]] = {}
    for loss in LOSS_NAMES:
        runs[loss] = [balanced(loss) for _ in range(args.repeat)]
    rates: dict[str, dict[int, dict[str, float]]] = {}
    for loss in LOSS_NAMES:
        rates[loss] = {}
        for K in (2, 3, 4, 5):
            rs = [hunt_rate(loss, K) for _ in range(args.hunt_repeat)]
            rates[loss][K] = max(rs, key=lambda r: r["instances_per_second"])
    load_end = os.getloadavg()
    lines = [
        "# Benchmarks: the sphere model (issue 14)",
        "",
        f"`OPENBLAS_NUM_THREADS=1 python benchmarks/sphere.py --repeat {args.repeat} "
        f"--hunt-repeat {args.hunt_repeat}`: best of {args.repeat} runs for target 1, of "
        f"{args.hunt_repeat} for each cell of target 2 (a cell's batch takes 20-200 ms, so a "
        "single run measures the other jobs as much as the code). The machine has 2 cores shared with other agents' jobs: load "
        f"average (1, 5, 15 min) {_load(load_start)} at the start, {_load(load_end)} at the "
        "end; with a load above 2 every timing here is slower than on an idle machine.",
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
        "## Target 2: imbalance hunts, 10 starts, K <= 5 (target >= 50 solved instances/s)",
        "",
        "Instances per second of the search (solved: gradient norm <= 1e-9 at the best start), "
        "and in brackets with the full-problem check of the reduction (first and second order "
        "at the lift, all N features) on every instance.",
        "",
        "| loss | K = 2 | K = 3 | K = 4 | K = 5 | solved | lift critical | pass (search) "
        "| pass (with check) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for loss, by_K in rates.items():
        cells = " | ".join(
            f"{r['instances_per_second']:.0f} ({r['instances_per_second_with_full_check']:.0f})"
            for r in by_K.values()
        )
        solved = sum(int(r["solved"]) for r in by_K.values())
        critical = sum(int(r["lift_critical"]) for r in by_K.values())
        total = sum(int(r["instances"]) for r in by_K.values())
        ok = all(r["instances_per_second"] >= TARGET_RATE for r in by_K.values())
        ok_full = all(
            r["instances_per_second_with_full_check"] >= TARGET_RATE for r in by_K.values()
        )
        ok &= solved == total
        ok_full &= solved == total and critical == total
        lines.append(
            f"| {loss} | {cells} | {solved}/{total} | {critical}/{total} "
            f"| {'pass' if ok else 'MISS'} | {'pass' if ok_full else 'MISS'} |"
        )
    lines += [
        "",
        "The same searches per second of this process's own CPU time (not a target: the "
        "wall-clock rate above is; under the shared load the process gets part of a core):",
        "",
        "| loss | K = 2 | K = 3 | K = 4 | K = 5 |",
        "|---|---|---|---|---|",
    ]
    for loss, by_K in rates.items():
        cells = " | ".join(f"{r['instances_per_cpu_second']:.0f}" for r in by_K.values())
        lines.append(f"| {loss} | {cells} |")
    lines += [
        "",
        "Method (docs/SPHERE.md): Riemannian descent (BB steps, Armijo) batched over every "
        "start, 10 steps, then a batched Riemannian Newton phase: the Hessian in an "
        "orthonormal tangent basis (Householder, vectorised) from forward differences of the "
        "analytic gradient, all perturbed points of all starts in one evaluation; the step "
        "-(H + sigma I)^-1 g by Cholesky with the smallest 4-fold-grown shift that makes it "
        "positive definite (Levenberg-Marquardt where the Hessian is indefinite); Armijo on the "
        "loss, or, once the values no longer resolve the decrease, a lower gradient norm; "
        "between finite-difference Hessians up to 5 SR1 quasi-Newton steps (the Hessian moved "
        "to the new tangent bases). Converged starts leave the batch.",
        "",
        f"Where target 2 is missed in this run: {_misses(rates, 'instances_per_second')} "
        f"(search alone); {_misses(rates, 'instances_per_second_with_full_check')} (with the "
        "full-problem check). The time is the finite-difference Hessians, rows (d - 1) "
        "gradient evaluations per start per Newton step (40 at K = d = 5), and the NONL forms "
        "need more Newton steps (slow tails near minority collapse). An analytic "
        "Hessian-vector product costs as much per direction; what would close it is a compiled "
        "loss (numba or C: the arrays are tiny, numpy's per-call cost dominates the "
        "small K) or fewer starts' Hessians (each start's first one is most of the work).",
        "",
    ]
    out = Path(args.out)
    atomic_write_text(out / "benchmarks_sphere.md", "\n".join(lines))
    atomic_write_text(
        out / "benchmarks_sphere.json",
        json.dumps(
            {
                "balanced": runs,
                "hunt_rates": rates,
                "load_average": {"start": load_start, "end": load_end},
            },
            indent=2,
            default=float,
        ),
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
