"""The sphere model's targets (issue 14), measured; writes reports/benchmarks_sphere.md.

Also reports/benchmarks_sphere.json (every run of both targets) and reports/figures/benchmarks_sphere.png
(target 2 per loss against K).

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
then batched Riemannian Newton with closed-form Hessians to the gradient tolerance). An instance
counts as solved when its best start's Riemannian gradient norm is at most
``Tolerances.sphere_gradient``. Two rates: the search alone, and the search plus the explicit
check of the reduction on the full problem (:func:`verify.sphere.reduction.check_critical_lift`:
gradient and Hessian spectrum over all N features at the lift), whose pass count is recorded
too; beside each, the rate per second of this process's own CPU time, which says whether a miss
is the code's or the machine's (other jobs taking the cores).
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
    checked, cpu_checked = time.perf_counter() - start, time.process_time() - cpu
    tol = DEFAULT
    return {
        "seconds": searched,
        "iterations": found[0].iterations,  # of the batch: descent steps, then Newton steps
        "instances_per_second": len(problems) / searched,
        # this process's own CPU time: what the other agents' load does not inflate
        "instances_per_cpu_second": len(problems) / max(cpu_searched, 1e-9),
        "instances_per_second_with_full_check": len(problems) / checked,
        "instances_per_cpu_second_with_full_check": len(problems) / max(cpu_checked, 1e-9),
        "solved": sum(f.gradient_norm <= tol.sphere_gradient for f in found),
        "lift_critical": sum(c.holds(tol.sphere_gradient, tol.sphere_hessian) for c in lifts),
        "instances": len(problems),
        "worst_gradient_norm": max(f.gradient_norm for f in found),
    }


def _misses(rates: dict[str, dict[int, dict[str, float]]], key: str, cpu_key: str) -> list[str]:
    """The (loss, K) cells below the target rate, each with its rate per CPU second."""
    return [
        f"{loss} at K = {K} ({r[key]:.0f}/s; {r[cpu_key]:.0f}/s of its own CPU time)"
        for loss, by_K in rates.items()
        for K, r in by_K.items()
        if r[key] < TARGET_RATE
    ]


def _miss_text(rates: dict[str, dict[int, dict[str, float]]]) -> str:
    """Where target 2 is missed, and why, from the measured rates: a miss whose CPU-time rate
    meets the target is the machine's (the process got part of a core), else the code's."""
    pairs = (
        ("search alone", "instances_per_second", "instances_per_cpu_second"),
        ("with the full-problem check", "instances_per_second_with_full_check",
         "instances_per_cpu_second_with_full_check"),
    )  # fmt: skip
    parts, causes = [], set()
    for what, key, cpu_key in pairs:
        missed = _misses(rates, key, cpu_key)
        if missed:
            parts.append(f"{', '.join(missed)} ({what})")
        for by_K in rates.values():
            for r in by_K.values():
                if r[key] < TARGET_RATE:
                    causes.add("machine" if r[cpu_key] >= TARGET_RATE else "code")
    if not parts:
        return (
            "Target 2 is met in every cell, by the search alone and with the full-problem check "
            "of every instance."
        )
    text = f"Where target 2 is missed in this run: {'; '.join(parts)}."
    if "machine" in causes:
        text += (
            " Where the rate per CPU second meets the target, the code is fast enough and the "
            "wall clock went to the other jobs sharing the cores (the load average above)."
        )
    if "code" in causes:
        text += (
            " Where the rate per CPU second misses too, the search itself is too slow there: "
            "its time is the Newton phase (per iteration a closed-form Hessian, Cholesky "
            "factorisations until the shift makes it definite, and the line search), numpy's "
            "per-call cost on arrays this small dominating."
        )
    return text


def _span(rates: dict[str, dict[int, dict[str, float]]]) -> str:
    """The range of a hunt cell's search time (the best run of each), in ms."""
    ms = [1e3 * r["seconds"] for by_K in rates.values() for r in by_K.values()]
    return f"{min(ms):.0f}-{max(ms):.0f}"


def _load(avg: tuple[float, float, float]) -> str:
    return ", ".join(f"{x:.1f}" for x in avg)


def figure(rates: dict[str, dict[int, dict[str, float]]], load: tuple[float, float],
           path: Path) -> Path:  # fmt: skip
    """Target 2 per loss against K: solved instances per second of the search (solid) and with
    the full-problem check (dashed), wall clock, the target dashed in black."""
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
    for i, (loss, by_K) in enumerate(rates.items()):
        Ks = list(by_K)
        ax.plot(Ks, [by_K[K]["instances_per_second"] for K in Ks], "o-", color=f"C{i}",
                label=loss)  # fmt: skip
        ax.plot(Ks, [by_K[K]["instances_per_second_with_full_check"] for K in Ks], "s--",
                color=f"C{i}", alpha=0.6, ms=4)  # fmt: skip
    ax.axhline(TARGET_RATE, color="k", ls="--", lw=1, label=f"target {TARGET_RATE:.0f}/s")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_yticks([10, 20, 50, 100, 200, 500, 1000])
    low = min(r["instances_per_second_with_full_check"] for b in rates.values() for r in b.values())
    ax.set_ylim(min(0.5 * TARGET_RATE, 0.8 * low), None)
    ax.set_xticks(sorted({K for by_K in rates.values() for K in by_K}))
    ax.set_xlabel("K (counts (2r, 2, ..., 2), r = 1, 2, 5, 10; d = K, tau = 0.5; 10 starts)")
    ax.set_ylabel("solved instances per second (dashed: with the full-problem check)")
    ax.set_title(f"Sphere imbalance hunts, best of the runs per cell (load average "
                 f"{load[0]:.2f} / {load[1]:.2f} at start / end, {os.cpu_count()} cores)",
                 fontsize=9)  # fmt: skip
    ax.grid(True, which="both", axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fig.savefig(tmp, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)
    os.replace(tmp, path)
    return path


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
    hunt_runs: dict[str, dict[int, list[dict[str, float]]]] = {}
    for loss in LOSS_NAMES:
        rates[loss], hunt_runs[loss] = {}, {}
        for K in (2, 3, 4, 5):
            rs = [hunt_rate(loss, K) for _ in range(args.hunt_repeat)]
            hunt_runs[loss][K] = rs
            rates[loss][K] = max(rs, key=lambda r: r["instances_per_second"])
    load_end = os.getloadavg()
    lines = [
        "# Benchmarks: the sphere model (issue 14)",
        "",
        f"`OPENBLAS_NUM_THREADS=1 python benchmarks/sphere.py --repeat {args.repeat} "
        f"--hunt-repeat {args.hunt_repeat}`: best of {args.repeat} runs for target 1, of "
        f"{args.hunt_repeat} for each cell of target 2 (a cell's batch takes {_span(rates)} ms, "
        "so a single run measures the other jobs as much as the code). The machine has "
        f"{os.cpu_count()} cores shared with other agents' jobs: load average (1, 5, 15 min) "
        f"{_load(load_start)} at the start, {_load(load_end)} at the end; with a load above "
        "the core count every timing here is slower than on an idle machine.",
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
        "The same searches per second of this process's own CPU time, and in brackets with the "
        "check (not a target: the wall-clock rate above is; under the shared load the process "
        "gets part of a core), and the iterations of each batch (10 descent steps, then Newton "
        "steps until every start is at the tolerance or its floor):",
        "",
        "| loss | K = 2 | K = 3 | K = 4 | K = 5 | iterations (K = 2, 3, 4, 5) |",
        "|---|---|---|---|---|---|",
    ]
    for loss, by_K in rates.items():
        cells = " | ".join(
            f"{r['instances_per_cpu_second']:.0f} "
            f"({r['instances_per_cpu_second_with_full_check']:.0f})"
            for r in by_K.values()
        )
        its = ", ".join(f"{int(r['iterations'])}" for r in by_K.values())
        lines.append(f"| {loss} | {cells} | {its} |")
    lines += [
        "",
        "Method (docs/SPHERE.md): Riemannian descent (BB steps, Armijo) batched over every "
        "start, 10 steps, then a batched Riemannian Newton phase: at every iteration each "
        "start's Hessian in an orthonormal tangent basis (Householder, vectorised), in closed "
        "form (diag(p) - pp^T per log-sum-exp term in the cosine logits, chained through the "
        "bilinear map, plus the logits' and the sphere's curvature terms; tested against finite "
        "differences); the step -(H + sigma I)^-1 g with the smallest shift whose Cholesky "
        "factorisation succeeds (1e-6 of the largest entry, else grown 4-fold from a quarter "
        "below the start's last shift), all starts in one batched call per shift "
        "(Levenberg-Marquardt where the Hessian is indefinite); Armijo on the loss, or, once "
        "the values no longer resolve the decrease, a lower gradient norm. Converged starts "
        "leave the batch. The full-problem check is independent of that closed form: central "
        "differences of the gradient over all N features.",
        "",
        _miss_text(rates),
        "",
        "![target 2 per loss against K](figures/benchmarks_sphere.png)",
        "",
    ]
    out = Path(args.out)
    figure(rates, (load_start[0], load_end[0]), out / "figures" / "benchmarks_sphere.png")
    atomic_write_text(out / "benchmarks_sphere.md", "\n".join(lines))
    atomic_write_text(
        out / "benchmarks_sphere.json",
        json.dumps(
            {
                "balanced": runs,
                "hunt_rates": rates,
                "hunt_runs": hunt_runs,
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
