"""Each target of the benchmark issue: the measured value, pass / miss and by how much, and why."""

from __future__ import annotations

import math
import statistics
from typing import Any

from .common import (
    busy_note,
    exact_rows,
    median_of,
    over_yyt,
    peer_summary,
    problem_size,
    ratio_text,
    sec,
    speed,
    verdict,
)


def _lb(value: Any) -> str:
    """How ``lambda_b`` of a spec reads in a sentence."""
    if isinstance(value, str):
        return {"threshold": "thr", "large": "lb=100", "inf": "lb=inf"}.get(value, value)
    return f"lb={value:g}"


def checks(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of issue 6: the measured value, pass / miss and by how much, and why."""
    out: list[dict[str, Any]] = []
    limit = results["settings"]["limit_seconds"]

    # 1. >= 100x CVXPY + Clarabel at the largest size it solves
    summary = peer_summary(results, "CLARABEL")
    why = ""
    if "largest" in summary:
        big, ratio = summary["largest"], summary["ratio"]
        peer = big["peers"]["CLARABEL"]
        ok, text = verdict(ratio, 100, at_least=True)
        measured = (
            f"{ratio_text(ratio)} on {big['case']} (Clarabel {sec(peer['seconds'])}, "
            f"{peer.get('solver_iterations')} interior-point iterations, error "
            f"{peer.get('relative_error', math.nan):.0e}; ours {sec(speed(big['exact']))})"
        )
        if "first_failure" in summary:
            f = summary["first_failure"]
            measured += (
                f"; next, {f['case']}: {f['peers']['CLARABEL']['status']} "
                f"(limit {limit:.0f} s), where ours takes {sec(speed(f['exact']))}"
            )
        if not ok:
            why = (
                "CVXPY models the nuclear norm with a (K+N) x (K+N) semidefinite block, so "
                "Clarabel's time grows like N^4 and it stops solving at N of a few hundred; "
                "at the sizes it does solve our time is dominated by fixed per-call overhead."
            )
    else:
        ok, text, measured = (
            False,
            "not measured",
            "Clarabel reached the accuracy on no instance",
        )
    out.append(
        {
            "target": ">= 100x faster than CVXPY + Clarabel at the largest size it solves",
            "measured": measured,
            "pass": ok,
            "result": text,
            "why": why,
        }
    )

    # 2. >= 1000x faster than GD to the same accuracy, on every instance GD solved
    rows = results["peers"]
    reached = [r for r in rows if r["peers"]["GD"].get("status") == "reached"]
    stopped = [r for r in rows if r["peers"]["GD"].get("status") == "time limit"]
    why = ""
    if reached:
        ratios = [(r["peers"]["GD"]["seconds"] / speed(r["exact"]), r) for r in reached]
        worst, wrow = min(ratios, key=lambda x: x[0])
        best, brow = max(ratios, key=lambda x: x[0])
        big = max(reached, key=problem_size)
        big_ratio = big["peers"]["GD"]["seconds"] / speed(big["exact"])
        ok, text = verdict(worst, 1000, at_least=True)
        gd = wrow["peers"]["GD"]
        measured = (
            f"smallest ratio {ratio_text(worst)} ({wrow['case']}: GD {sec(gd['seconds'])}, "
            f"{gd['iterations']} iterations, ours {sec(speed(wrow['exact']))}); largest "
            f"{ratio_text(best)} ({brow['case']}); at the largest instance GD solved, {big['case']}: "
            f"{ratio_text(big_ratio)}; median {ratio_text(statistics.median(x for x, _ in ratios))} over "
            f"{len(ratios)} instances"
        )
        if stopped:
            low = min(stopped, key=problem_size)
            measured += (
                f"; GD hit the {limit:.0f} s limit on {low['case']} (ratio > "
                f"{ratio_text(limit / speed(low['exact']))}, best error "
                f"{low['peers']['GD'].get('relative_error', math.nan):.0e})"
            )
        if not ok:
            small = [(x, r) for x, r in ratios if x < 1000]
            passing = [(x, r) for x, r in ratios if x >= 1000]
            its = [r["peers"]["GD"]["iterations"] for _, r in small]
            per_it = [
                r["peers"]["GD"]["seconds"] / max(n, 1)
                for (_, r), n in zip(small, its, strict=True)
            ]
            ours = [speed(r["exact"]) for _, r in small]
            need = [1000 * t / p for t, p in zip(ours, per_it, strict=True)]
            why = (
                f"The ratio is below 1000x on {len(small)} of {len(ratios)} instances GD "
                f"solved, with K N from {min(problem_size(r) for _, r in small):,} to "
                f"{max(problem_size(r) for _, r in small):,}"
                + (
                    "; it is at least 1000x on "
                    + ", ".join(
                        f"{r['case']} ({ratio_text(x)}, {r['peers']['GD']['iterations']:,} iterations)"
                        for x, r in passing
                    )
                    if passing
                    else ""
                )
                + ". The ratio is GD's iteration count times its cost per iteration over our "
                f"time. On those instances a GD iteration costs {sec(min(per_it))} to "
                f"{sec(max(per_it))} (a few numpy calls on small arrays), while our solve costs "
                f"{sec(min(ours))} to {sec(max(ours))}, nearly all of it fixed work in Python "
                "(semismooth Newton steps on b, each with a K x K eigendecomposition and a line "
                "search, then the certificate). So 1000x needs GD to take more than "
                f"{min(need):,.0f} to {max(need):,.0f} iterations there; with the step 1/L of "
                f"the gd engine it needed {min(its):,} to {max(its):,}. Where the size makes "
                "GD's iterations expensive it did not finish within the limit (above), so the "
                "ratio there is only a lower bound."
            )
    else:
        ok, text, measured = (
            False,
            "not measured",
            "GD reached the accuracy on no instance",
        )
    out.append(
        {
            "target": ">= 1000x faster than gradient descent to relative error 1e-8 "
            "(on every instance GD solved)",
            "measured": measured,
            "pass": ok,
            "result": text,
            "why": why,
        }
    )

    # 3. certified to relative gap 1e-10 everywhere
    exact = exact_rows(results)
    gaps = [float(r["exact"].get("relative_gap", math.nan)) for r in exact]
    worst_gap = max(gaps) if gaps else math.nan
    all_cert = all(r["exact"].get("certified") for r in exact)
    ok, text = verdict(max(worst_gap, 1e-300), 1e-10, at_least=False)
    out.append(
        {
            "target": "every answer of ours certified, relative duality gap <= 1e-10",
            "measured": f"worst relative gap {worst_gap:.1e} over {len(gaps)} rows; "
            f"all certified: {all_cert}",
            "pass": ok and all_cert,
            "result": text,
            "why": "" if ok and all_cert else "see the rows with a gap above 1e-10",
        }
    )

    # 4-6. the named sizes
    def find(K: int, N: int) -> dict[str, Any] | None:
        for r in results["targets"]:
            s = r["spec"]
            key = (s["K"], s["N"], s["balanced"], s["encoding"], s["lambda_b"])
            if key == (K, N, True, "one_hot", 0.0):
                return r
        return None

    big = find(100, 100000)
    if big:
        e = big["exact"]
        t = speed(e)
        ok, text = verdict(t, 1.0, at_least=False)
        others = [speed(r["exact"]) for r in results["targets"] if r["spec"]["K"] == 100]
        out.append(
            {
                "target": "K=100, N=100000 certified in < 1 s (certificate included)",
                "measured": f"{sec(t)} (median of {e.get('repeats')}; engine "
                f"{sec(median_of(e, 'engine'))} + certificate {sec(median_of(e, 'certify'))}), gap "
                f"{e['relative_gap']:.1e}; slowest K=100 variant {sec(max(others))}",
                "pass": ok and bool(e["certified"]),
                "result": text,
                "why": ""
                if ok
                else busy_note(e)
                + f"The engine takes {sec(median_of(e, 'engine'))} and the certificate "
                f"{sec(median_of(e, 'certify'))}; see the next row for what sets them.",
            }
        )
        ratio = over_yyt(e)
        ok, text = verdict(ratio, 5.0, at_least=False)
        engine_x = median_of(e, "engine") / median_of(e, "yyt")
        cert_x = median_of(e, "certify") / median_of(e, "yyt")
        why = ""
        if not ok:
            why = busy_note(e) + (
                f"The engine alone is {engine_x:.1f}x Y Y^T and the certificate alone "
                f"{cert_x:.1f}x. Counting floating-point work in units of Y Y^T (a symmetric "
                "rank-N update, K^2 N / 2 multiply-adds): the engine forms H = P (Y - b 1^T) "
                "(2 units; its K x K Gram matrix costs O(K^3) from the class encodings); the "
                "certificate, which by design uses only the returned (W, H, b), recomputes "
                "R = WH + b 1^T - Y (2 units) and R R^T (1) for the duality gap: 5 units in all, "
                "a floor while the certificate stays independent of the engine."
            )
        out.append(
            {
                "target": "K=100, N=100000 within 5x the cost of forming Y Y^T",
                "measured": f"{ratio:.1f}x (Y Y^T {sec(median_of(e, 'yyt'))}; engine alone "
                f"{engine_x:.1f}x, certificate alone {cert_x:.1f}x)",
                "pass": ok,
                "result": text,
                "why": why,
            }
        )
    large = find(1000, 20000)
    if large:
        e = large["exact"]
        t = speed(e)
        ok, text = verdict(t, 20.0, at_least=False)
        out.append(
            {
                "target": "K=1000, N=20000 certified in < 20 s",
                "measured": f"{sec(t)} (engine {sec(median_of(e, 'engine'))} + certificate "
                f"{sec(median_of(e, 'certify'))}; {e['newton_iterations']} Newton steps), gap "
                f"{e['relative_gap']:.1e}",
                "pass": ok and bool(e["certified"]),
                "result": text,
                "why": ""
                if ok
                else busy_note(e)
                + f"{e['newton_iterations']} Newton steps, each with a K x K (1000 x 1000) "
                "eigendecomposition, plus the certificate's passes over (Y, H).",
            }
        )

    # 7. threshold as fast and as accurate as the rest
    worst_ratio, worst_case, thr_gap, detail = 0.0, "", 0.0, ""
    worst_row: dict[str, Any] = {}
    worst_its = ""
    for group in results["threshold"]:
        thr = [r for r in group if r["spec"]["lambda_b"] == "threshold"]
        rest = [r for r in group if r["spec"]["lambda_b"] != "threshold"]
        if not thr or not rest:
            continue
        ratio = speed(thr[0]["exact"]) / statistics.median(speed(r["exact"]) for r in rest)
        thr_gap = max(thr_gap, float(thr[0]["exact"]["relative_gap"]))
        if ratio > worst_ratio:
            worst_ratio, worst_case = ratio, thr[0]["case"]
            its = ", ".join(
                f"{_lb(r['spec']['lambda_b'])}: {r['exact']['newton_iterations']}" for r in group
            )
            worst_row, worst_its = thr[0], its
            detail = (
                f"{sec(speed(thr[0]['exact']))} against "
                + ", ".join(sec(speed(r["exact"])) for r in rest)
                + f"; Newton steps {its}"
            )
    ok, text = verdict(worst_ratio, 1.5, at_least=False)
    out.append(
        {
            "target": "threshold instances as fast (time within 1.5x of the median of "
            "lambda_b = 0 and large at the same size) and as accurate (gap <= 1e-10)",
            "measured": f"worst time ratio {worst_ratio:.2f} ({worst_case}: {detail}); worst "
            f"threshold gap {thr_gap:.1e}",
            "pass": ok and thr_gap <= 1e-10,
            "result": text,
            "why": ""
            if ok
            else busy_note(worst_row.get("exact", {}))
            + (
                "At the threshold a singular value of Y - b 1^T at the solution equals the "
                "thresholding level N mu (Theorem III.1's boundary between two regimes), where "
                "singular value thresholding is not differentiable. The semismooth Newton "
                "iteration on b still converges quadratically there, but the smallest active "
                "singular value approaches N mu from the side where phi curves less, so "
                "from the neutral start b = 0 it takes more steps "
                f"({worst_its}); on small K each step is fixed Python work, so the time follows "
                "the step count. A start at m/(1 + lambda_b) would solve the one-hot threshold "
                "instance in one step, but it is the closed-form bias of that very instance, so "
                "the engine does not use it (docs/DESIGN.md, invariant 1)."
            ),
        }
    )

    # 8. hunt throughput
    hunt = results["hunt"]
    rate = float(hunt.get("claims_per_second", math.nan))
    bare = float(hunt.get("per_second", math.nan))
    claims = [c for c in hunt.get("claims", []) if c["solves"]]
    slow = min(claims, key=lambda c: c["certified_per_second"]) if claims else None
    ok, text = verdict(rate, 200.0, at_least=True)
    measured = (
        f"{rate:.0f}/s through `evaluate` over every claim's strategy (slowest claim: "
        + (f"{slow['claim']}, {slow['certified_per_second']:.0f}/s" if slow else "-")
        + f"); {bare:.0f}/s for bare solve + certify ({hunt.get('certified')} of "
        f"{hunt.get('instances')} random instances certified)"
    )
    why = ""
    if slow and slow["certified_per_second"] < 200:
        why = (
            f"claim {slow['claim']} runs at {slow['certified_per_second']:.0f}/s: its "
            "premise and conclusion cost more than the solve itself."
        )
    out.append(
        {
            "target": ">= 200 certified instances/s for K <= 5 in a hunt",
            "measured": measured,
            "pass": ok,
            "result": text,
            "why": why,
        }
    )
    return out
