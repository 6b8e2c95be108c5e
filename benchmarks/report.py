"""The benchmark page: targets with pass/miss (and why), tables, machine description, figures."""

from __future__ import annotations

import io
import math
import os
import platform
import statistics
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from verify.io import atomic_write_json, atomic_write_text

PACKAGES = ("numpy", "scipy", "cvxpy", "clarabel", "scs", "matplotlib", "hypothesis")
PEERS = ("CLARABEL", "SCS", "GD")
PEER_LABEL = {"CLARABEL": "CVXPY + Clarabel", "SCS": "CVXPY + SCS", "GD": "gradient descent"}
#: Peer statuses that mean "did not finish" (time limit, memory, crash, divergence).
FAILED = ("time limit", "out of memory", "crashed", "failed", "diverged", "no solution (NaN)")


# --- machine -----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """CPU model, cores, memory, numpy's BLAS, Python and package versions."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    blas: dict[str, Any] = {}
    try:
        config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = {k: config.get(k) for k in ("name", "version", "openblas configuration")}
    except Exception:  # the layout of show_config changes between numpy versions
        blas = {"name": "unknown"}
    threads = {
        k: os.environ[k] for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS") if k in os.environ
    }
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "blas": blas,
        "blas_threads_env": threads or "default (one thread per core)",
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
        "packages": versions,
    }


# --- helpers -------------------------------------------------------------------------------


def _speed(ours: dict[str, Any]) -> float:
    """Our time for every comparison: the median over rounds of solve() (engine + certificate)."""
    return float(ours.get("total_median", ours.get("total", math.nan)))


def _over_yyt(ours: dict[str, Any]) -> float:
    """Median over rounds of solve() / Y Y^T, both timed in the same round."""
    if "total_over_yyt" in ours:
        return float(ours["total_over_yyt"])
    return _speed(ours) / float(ours.get("yyt_median", ours.get("yyt", math.nan)))


def _median(ours: dict[str, Any], key: str) -> float:
    return float(ours.get(f"{key}_median", ours.get(key, math.nan)))


def _size(row: dict[str, Any]) -> int:
    return int(row["spec"]["K"] * row["spec"]["N"])


def _verdict(measured: float, bound: float, *, at_least: bool) -> tuple[bool, str]:
    if not math.isfinite(measured):
        return False, "not measured"
    ok = measured >= bound if at_least else measured <= bound
    factor = measured / bound if at_least else bound / max(measured, 1e-300)
    if ok:
        return True, f"pass ({factor:.3g}x margin)"
    return False, f"miss by {1 / factor:.3g}x"


def _s(x: Any, digits: int = 3) -> str:
    """Seconds, compactly."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    x = float(x)
    if x < 1e-3:
        return f"{x * 1e6:.0f} µs"
    if x < 1:
        return f"{x * 1e3:.{max(digits - 2, 0)}f} ms" if x < 0.1 else f"{x * 1e3:.0f} ms"
    return f"{x:.{digits - 1}f} s" if x < 10 else f"{x:.0f} s"


def _x(ratio: float) -> str:
    """A ratio, e.g. ``1,234x`` or ``2.5x``."""
    if not math.isfinite(ratio):
        return "-"
    return f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.2g}x"


#: A row of ours is marked when other processes used more than this share of the CPUs.
NOISY = 0.15


def _mark(ours: dict[str, Any]) -> str:
    """A dagger after a time measured while other processes used the CPUs."""
    load = ours.get("machine_load", {}).get("others_cpu_fraction", 0.0)
    return " †" if load > NOISY else ""


def _noise(ours: dict[str, Any]) -> str:
    """A sentence for a "why" when our time was measured on a busy machine, else ""."""
    load = ours.get("machine_load", {}).get("others_cpu_fraction", 0.0)
    if load <= NOISY:
        return ""
    return (
        f"Measured while other processes used {load:.0%} of the CPUs (after "
        f"{ours.get('attempts', 1)} attempt(s)): with two BLAS threads on two cores a busy "
        "core can slow our many short BLAS calls several times over, far more than the one "
        "large Y Y^T call. "
    )


def _growth(results: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The growth series, those against N first (a JSON round trip sorts the keys)."""
    return sorted(results["growth"].items(), key=lambda kv: (not kv[0].startswith("N"), kv[0]))


def _mib(x: Any) -> str:
    if x is None or not math.isfinite(float(x)):
        return "-"
    x = float(x)
    return f"{x * 1024:.0f} KiB" if x < 1 else f"{x:,.0f} MiB" if x >= 10 else f"{x:.1f} MiB"


def _exact_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows = list(results["peers"]) + list(results["targets"])
    for _, series in _growth(results):
        rows += series
    for group in results["threshold"]:
        rows += group
    return rows


def _peer_summary(results: dict[str, Any], peer: str) -> dict[str, Any]:
    """Largest instance the peer reached the target on, its ratio there, and its first failure."""
    rows = results["peers"]
    reached = [r for r in rows if r["peers"][peer].get("status") == "reached"]
    failed = [r for r in rows if r["peers"][peer].get("status") in FAILED]
    out: dict[str, Any] = {"reached": len(reached), "instances": len(rows)}
    if reached:
        big = max(reached, key=_size)
        out["largest"] = big
        out["ratio"] = big["peers"][peer]["seconds"] / _speed(big["exact"])
    if failed:
        out["first_failure"] = min(failed, key=_size)
    return out


# --- target checks -----------------------------------------------------------------------


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
    summary = _peer_summary(results, "CLARABEL")
    why = ""
    if "largest" in summary:
        big, ratio = summary["largest"], summary["ratio"]
        peer = big["peers"]["CLARABEL"]
        ok, text = _verdict(ratio, 100, at_least=True)
        measured = (
            f"{_x(ratio)} on {big['case']} (Clarabel {_s(peer['seconds'])}, "
            f"{peer.get('solver_iterations')} interior-point iterations, error "
            f"{peer.get('relative_error', math.nan):.0e}; ours {_s(_speed(big['exact']))})"
        )
        if "first_failure" in summary:
            f = summary["first_failure"]
            measured += (
                f"; next, {f['case']}: {f['peers']['CLARABEL']['status']} "
                f"(limit {limit:.0f} s), where ours takes {_s(_speed(f['exact']))}"
            )
        if not ok:
            why = (
                "CVXPY models the nuclear norm with a (K+N) x (K+N) semidefinite block, so "
                "Clarabel's time grows like N^4 and it stops solving at N of a few hundred; "
                "at the sizes it does solve our time is dominated by fixed per-call overhead."
            )
    else:
        ok, text, measured = False, "not measured", "Clarabel reached the accuracy on no instance"
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
        ratios = [(r["peers"]["GD"]["seconds"] / _speed(r["exact"]), r) for r in reached]
        worst, wrow = min(ratios, key=lambda x: x[0])
        best, brow = max(ratios, key=lambda x: x[0])
        big = max(reached, key=_size)
        big_ratio = big["peers"]["GD"]["seconds"] / _speed(big["exact"])
        ok, text = _verdict(worst, 1000, at_least=True)
        gd = wrow["peers"]["GD"]
        measured = (
            f"smallest ratio {_x(worst)} ({wrow['case']}: GD {_s(gd['seconds'])}, "
            f"{gd['iterations']} iterations, ours {_s(_speed(wrow['exact']))}); largest "
            f"{_x(best)} ({brow['case']}); at the largest instance GD solved, {big['case']}: "
            f"{_x(big_ratio)}; median {_x(statistics.median(x for x, _ in ratios))} over "
            f"{len(ratios)} instances"
        )
        if stopped:
            low = min(stopped, key=_size)
            measured += (
                f"; GD hit the {limit:.0f} s limit on {low['case']} (ratio > "
                f"{_x(limit / _speed(low['exact']))}, best error "
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
            ours = [_speed(r["exact"]) for _, r in small]
            need = [1000 * t / p for t, p in zip(ours, per_it, strict=True)]
            why = (
                f"The ratio is below 1000x on {len(small)} of {len(ratios)} instances GD "
                f"solved, with K N from {min(_size(r) for _, r in small):,} to "
                f"{max(_size(r) for _, r in small):,}"
                + (
                    "; it is at least 1000x on "
                    + ", ".join(
                        f"{r['case']} ({_x(x)}, {r['peers']['GD']['iterations']:,} iterations)"
                        for x, r in passing
                    )
                    if passing
                    else ""
                )
                + ". The ratio is GD's iteration count times its cost per iteration over our "
                f"time. On those instances a GD iteration costs {_s(min(per_it))} to "
                f"{_s(max(per_it))} (a few numpy calls on small arrays), while our solve costs "
                f"{_s(min(ours))} to {_s(max(ours))}, nearly all of it fixed work in Python "
                "(semismooth Newton steps on b, each with a K x K eigendecomposition and a line "
                "search, then the certificate). So 1000x needs GD to take more than "
                f"{min(need):,.0f} to {max(need):,.0f} iterations there; with the step 1/L of "
                f"the gd engine it needed {min(its):,} to {max(its):,}. Where the size makes "
                "GD's iterations expensive it did not finish within the limit (above), so the "
                "ratio there is only a lower bound."
            )
    else:
        ok, text, measured = False, "not measured", "GD reached the accuracy on no instance"
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
    exact = _exact_rows(results)
    gaps = [float(r["exact"].get("relative_gap", math.nan)) for r in exact]
    worst_gap = max(gaps) if gaps else math.nan
    all_cert = all(r["exact"].get("certified") for r in exact)
    ok, text = _verdict(max(worst_gap, 1e-300), 1e-10, at_least=False)
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
        t = _speed(e)
        ok, text = _verdict(t, 1.0, at_least=False)
        others = [_speed(r["exact"]) for r in results["targets"] if r["spec"]["K"] == 100]
        out.append(
            {
                "target": "K=100, N=100000 certified in < 1 s (certificate included)",
                "measured": f"{_s(t)} (median of {e.get('repeats')}; engine "
                f"{_s(_median(e, 'engine'))} + certificate {_s(_median(e, 'certify'))}), gap "
                f"{e['relative_gap']:.1e}; slowest K=100 variant {_s(max(others))}",
                "pass": ok and bool(e["certified"]),
                "result": text,
                "why": ""
                if ok
                else _noise(e) + f"The engine takes {_s(_median(e, 'engine'))} and the certificate "
                f"{_s(_median(e, 'certify'))}; see the next row for what sets them.",
            }
        )
        ratio = _over_yyt(e)
        ok, text = _verdict(ratio, 5.0, at_least=False)
        engine_x = _median(e, "engine") / _median(e, "yyt")
        cert_x = _median(e, "certify") / _median(e, "yyt")
        why = ""
        if not ok:
            why = _noise(e) + (
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
                "measured": f"{ratio:.1f}x (Y Y^T {_s(_median(e, 'yyt'))}; engine alone "
                f"{engine_x:.1f}x, certificate alone {cert_x:.1f}x)",
                "pass": ok,
                "result": text,
                "why": why,
            }
        )
    large = find(1000, 20000)
    if large:
        e = large["exact"]
        t = _speed(e)
        ok, text = _verdict(t, 20.0, at_least=False)
        out.append(
            {
                "target": "K=1000, N=20000 certified in < 20 s",
                "measured": f"{_s(t)} (engine {_s(_median(e, 'engine'))} + certificate "
                f"{_s(_median(e, 'certify'))}; {e['newton_iterations']} Newton steps), gap "
                f"{e['relative_gap']:.1e}",
                "pass": ok and bool(e["certified"]),
                "result": text,
                "why": ""
                if ok
                else _noise(e)
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
        ratio = _speed(thr[0]["exact"]) / statistics.median(_speed(r["exact"]) for r in rest)
        thr_gap = max(thr_gap, float(thr[0]["exact"]["relative_gap"]))
        if ratio > worst_ratio:
            worst_ratio, worst_case = ratio, thr[0]["case"]
            its = ", ".join(
                f"{_lb(r['spec']['lambda_b'])}: {r['exact']['newton_iterations']}" for r in group
            )
            worst_row, worst_its = thr[0], its
            detail = (
                f"{_s(_speed(thr[0]['exact']))} against "
                + ", ".join(_s(_speed(r["exact"])) for r in rest)
                + f"; Newton steps {its}"
            )
    ok, text = _verdict(worst_ratio, 1.5, at_least=False)
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
            else _noise(worst_row.get("exact", {}))
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
    ok, text = _verdict(rate, 200.0, at_least=True)
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


# --- markdown ------------------------------------------------------------------------------


def _peer_cell(peer: dict[str, Any], ours: float, limit: float) -> str:
    status = peer.get("status", "?")
    seconds = peer.get("seconds")
    its = f", {peer['iterations']:,} its" if "iterations" in peer else ""
    if status == "reached":
        return f"{_s(seconds)}{its} (**{_x(seconds / ours)}**)"
    if status == "inaccurate":
        said = peer.get("solver_status")
        said = f", solver said {said}" if said else ""
        return (
            f"inaccurate: error {peer['relative_error']:.0e} after {_s(seconds)}{said} "
            f"({_x(seconds / ours)})"
        )
    if status == "time limit":
        err = peer.get("relative_error")
        best = f", error {err:.0e}" if err is not None and math.isfinite(err) else ""
        return f"time limit {limit:.0f} s{its}{best} (> {_x(limit / ours)})"
    if status == "skipped":
        return f"not run ({peer.get('note', '')})"
    note = peer.get("note") or peer.get("message") or ""
    return f"{status}" + (f" ({note[:80]})" if note else "")


def _exact_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| instance | solve(): median (min) | engine | certificate | Y Y^T | solve / Y Y^T "
        "| gap | Newton steps | rank | peak traced memory | Y | residuals (on request) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        e = r["exact"]
        mem = e.get("traced_peak_mib")
        lines.append(
            f"| {r['case']} | {_s(_speed(e))} ({_s(e.get('total'))}){_mark(e)} | "
            f"{_s(_median(e, 'engine'))} | {_s(_median(e, 'certify'))} | "
            f"{_s(_median(e, 'yyt'))} | {_over_yyt(e):.1f} | {e['relative_gap']:.1e} | "
            f"{e['newton_iterations']} | {e.get('rank')} | "
            f"{_mib(mem)} | {_mib(e.get('Y_mib'))} | {_s(_median(e, 'residuals'))} |"
        )
    return lines


def markdown(results: dict[str, Any], figures: list[str]) -> str:
    settings, m = results["settings"], results["machine"]
    limit = settings["limit_seconds"]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `benchmarks/run.py` (see `benchmarks/README.md`); do not edit by hand. "
        "Rerun with",
        "",
        f"    {results['command']}",
        "",
        "Every number below was measured in this one run, on the machine described at the end, "
        "so the ratios compare solvers side by side. Absolute times move with the machine and its "
        f"load (load average before / after the run: {_load(results['load_before'])} / "
        f"{_load(results['load_after'])} on {m['cores']} cores); the ratios move less.",
        "",
        "## Targets (issue 6)",
        "",
        "| target | measured | result |",
        "|---|---|---|",
    ]
    for c in results["checks"]:
        lines.append(f"| {c['target']} | {c['measured']} | **{c['result']}** |")
    missed = [c for c in results["checks"] if not c["pass"]]
    if missed:
        lines += ["", "### Where a target is missed, and why", ""]
        for c in missed:
            lines.append(f"- **{c['target']}**: {c['result']}. {c['why']}".rstrip())
    scs = settings.get("cvxpy_options", {}).get("SCS", {})
    lines += [
        "",
        "## How it is measured",
        "",
        f"- **Accuracy.** A peer has solved an instance when the UFM objective of its (W, H, b) "
        f"is within a relative error of {settings['target_relative_error']:.0e} of the optimum "
        "certified by our engine. Our own answers are judged by their certified relative "
        "duality gap, computed from the returned (W, H, b) alone.",
        "- **Ours** (`exact`): `verify.solve.solve(instance)`, the engine *and* the "
        "certificate (duality gap and distance bounds; the residuals of the first-order "
        "conditions (6)-(8), diagnostics beside the gap, are computed when first read, and "
        "their time is the column `residuals (on request)`). In a fresh process, after one "
        "untimed warm-up, rounds of [Y Y^T (best of 3), engine alone, certificate alone, "
        "residuals alone, solve()] are repeated (at least "
        f"{2 if settings['quick'] else 3} rounds unless they take over "
        f"{8 if settings['quick'] else 20} s, more within a time budget); a time is the "
        "median over rounds, and `solve / Y Y^T` is the median over rounds of the ratio within "
        "a round. The data Y is formed beforehand (its cost is `gather_Y` in the JSON). "
        "`Y Y^T` is `Y @ Y.T` on the same array, one pass over the data, a floor for any solver.",
        "- **CVXPY** with Clarabel and with SCS on the same convex problem, "
        "`verify.solve.cvx.problem(instance)` (the nuclear-norm reformulation on the full K x N "
        "matrix, what a user would write). Clarabel runs at its defaults (relative gap 1e-8); "
        f"SCS is asked for eps_abs = eps_rel = {scs.get('eps_abs', 'default')} (its CVXPY "
        "defaults of 1e-5 stop short of 1e-8 on some instances). The time is one run, wall "
        "clock, of building the problem, CVXPY's compilation, the solver and the factorisation "
        "of Z into (W, H); the imports are done before the clock starts. A status other than "
        "optimal is shown with the error the returned point has.",
        "- **Gradient descent** as the literature runs it: full-batch GD on the non-convex "
        "(W, H, b) with the fixed step 1/L of `verify.solve.gd.default_step` (computed before "
        "the clock starts), from `verify.solve.gd.initial_point(instance, seed=0)` (Gaussian "
        "entries of scale 0.1, b = 0), the update rule of the `gd` engine "
        "(`benchmarks/gd_loop.py`). Stopping rule: every "
        f"{settings.get('gd_check_every', 10)} iterations the objective (from the residual "
        "the gradient needs anyway) is compared with the certified optimum; the clock stops "
        "the first time the relative error is <= 1e-8, or at the time limit.",
        f"- **Limits.** Each peer runs in its own process with a {limit:.0f} s limit (passed to "
        "the CVXPY solvers as their own time limit as well) and a "
        f"{settings['memory_limit_gib']:.0f} GiB address-space cap; a timeout, memory error or "
        "crash is recorded as the result, and that peer is not run on larger instances. "
        "Against a peer stopped at the limit the ratio is a lower bound (`>`).",
        "- **Memory.** Ours: peak of the allocations `tracemalloc` sees (numpy reports its "
        "buffers to it) during one `solve`, in a run separate from the timed ones; it "
        "includes the returned H (d x N), as large as Y. Peers: peak resident memory of the "
        "process (`peak_rss_mib` in the JSON).",
        "- **Load.** Each measurement starts when other processes use < 25% of the CPUs "
        "(waiting at most 60 s, and a bounded total per run); one of ours during which other "
        "processes used > 15% of the CPUs is measured again (at most twice, within a bounded "
        "total) and the quietest is kept. `machine_load` in the JSON records this per row.",
        "- **†** marks a time of ours measured while other processes still used more than "
        f"{NOISY:.0%} of the CPUs after the retries: with two BLAS threads on two cores such a "
        "time can be several times too long (the JSON has the load of every row).",
        "- **Instances.** lambda_W = lambda_H = lambda with c = K sqrt(n) lambda = 0.3 "
        "(n = N/K), so the minimiser is nonzero and the phase threshold c/(1-c) = 0.4286 is "
        "finite; lambda_b is 0, the threshold (`thr`, the instance's own c/(1-c)), 100, or inf. "
        "Imbalanced counts have ratios up to 10:1; random encodings have Gaussian entries; "
        "d = K.",
        "",
        f"## Peers: time to relative objective error <= {settings['target_relative_error']:.0e}",
        "",
        "Each cell: the peer's time and, in bold, how many times longer than ours it took.",
        "",
        "| instance | ours: solve() | our gap | " + " | ".join(PEER_LABEL[p] for p in PEERS) + " |",
        "|---|---|---|" + "---|" * len(PEERS),
    ]
    for r in results["peers"]:
        ours = _speed(r["exact"])
        cells = [_peer_cell(r["peers"][p], ours, limit) for p in PEERS]
        lines.append(
            f"| {r['case']} | {_s(ours)}{_mark(r['exact'])} | {r['exact']['relative_gap']:.1e} | "
            + " | ".join(cells)
            + " |"
        )
    lines.append("")
    for p in PEERS:
        summary = _peer_summary(results, p)
        text = f"- {PEER_LABEL[p]}: reached 1e-8 on {summary['reached']} of {summary['instances']}"
        if "largest" in summary:
            text += (
                f"; the largest, {summary['largest']['case']}, took {_x(summary['ratio'])} our time"
            )
        if "first_failure" in summary:
            f = summary["first_failure"]
            text += f"; first failure: {f['peers'][p]['status']} on {f['case']}"
        lines.append(text + ".")
    lines += ["", "## The target sizes", "", *_exact_table(results["targets"]), ""]
    lines += [
        "## Growth",
        "",
        "How our time and memory grow with N and with K, against one pass over the data "
        "(Y Y^T, K^2 N flops). The engine costs O(K^3) per Newton step plus one O(K^2 N) "
        "product to form H; the certificate one pass over (Y, H) with two O(K^2 N) products.",
        "",
    ]
    for series, rows in _growth(results):
        lines += [f"### Against {series}", "", *_exact_table(rows), ""]
    lines += [
        "## Phase threshold",
        "",
        "Same data and size, lambda_b at 0, at the threshold c/(1-c), and 100.",
        "",
    ]
    for group in results["threshold"]:
        lines += [*_exact_table(group), ""]
    hunt = results["hunt"]
    lines += [
        "## Hunt throughput (K <= 5)",
        "",
        "Two measurements, in one process each after a warm-up, instances drawn before the "
        "clock starts:",
        "",
        f"- **Through the claims** (what a hunt pays): for every claim of the registry, "
        "`verify.claims.runner.evaluate(claim, case)` (solve, certify, premise, conclusion) on "
        f"{hunt['claims'][0]['cases'] if hunt.get('claims') else '-'} cases drawn from the "
        "claim's own Hypothesis strategy (derandomised). Certified instances are solves whose "
        "relative gap is <= 1e-10: "
        f"**{hunt.get('claims_per_second', math.nan):.0f} certified instances/s** over all "
        "claims together.",
        f"- **Bare solve + certify**: `verify.solve.solve` on {hunt.get('instances')} random "
        "instances (K in 2..5, balanced n <= 12 or imbalanced counts 1..100; one-hot, label "
        "smoothing and Gaussian encodings; lambda log-uniform in [1e-3, 0.3]; lambda_b in "
        f"{{0, inf, threshold, log-uniform in [1e-3, 1e3]}}): {hunt.get('certified')} "
        f"certified in {_s(hunt.get('seconds'))}, **{hunt.get('per_second', math.nan):.0f} "
        "certified instances/s**.",
        "",
        "| claim | cases | largest K | solves | certified | statuses | certified / s |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in hunt.get("claims", []):
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(c["statuses"].items()))
        rate = f"{c['certified_per_second']:.0f}" if c["solves"] else "- (no solve)"
        lines.append(
            f"| {c['claim']} | {c['cases']} | {c['max_K']} | {c['solves']} | "
            f"{c['certified_solves']} | {statuses} | {rate} |"
        )
    lines += ["", "## Figures", ""]
    lines += [f"![{Path(f).stem}](figures/{Path(f).name})" for f in figures]
    blas = m["blas"]
    lines += [
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores; memory {m['memory']}",
        f"- BLAS (numpy): {blas.get('name')} {blas.get('version')} "
        f"({blas.get('openblas configuration') or ''}); threads: {m['blas_threads_env']}",
        f"- Python {m['python']} on {m['platform']}",
        "- Packages: " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()),
        f"- Run: {results['wall_seconds']:.0f} s wall, peer limit {limit:.0f} s"
        + (", `--quick` subset" if settings["quick"] else ""),
        "",
    ]
    return "\n".join(lines)


def _load(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


# --- figures -------------------------------------------------------------------------------


def _atomic_png(fig: Any, path: Path) -> Path:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(buffer.getvalue())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


STYLES = {"exact": ("C0", "o"), "CLARABEL": ("C1", "s"), "SCS": ("C2", "^"), "GD": ("C3", "D")}
LABELS = {"exact": "ours: solve() (engine + certificate)", **PEER_LABEL}


def _figure_peers(results: dict[str, Any], plt: Any) -> Any:
    limit = results["settings"]["limit_seconds"]
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(12, 10.5))
    for key, (color, marker) in STYLES.items():
        pts: dict[str, list[tuple[int, float]]] = {"ok": [], "inaccurate": [], "failed": []}
        ratios: dict[str, list[tuple[int, float]]] = {"ok": [], "bound": []}
        for r in results["peers"]:
            size, ours = _size(r), _speed(r["exact"])
            if key == "exact":
                pts["ok"].append((size, ours))
                continue
            p = r["peers"][key]
            status = p.get("status")
            if status == "reached":
                pts["ok"].append((size, p["seconds"]))
                ratios["ok"].append((size, p["seconds"] / ours))
            elif status == "inaccurate":
                pts["inaccurate"].append((size, p["seconds"]))
            elif status in FAILED:
                pts["failed"].append((size, limit))
                if status == "time limit":
                    ratios["bound"].append((size, limit / ours))
        if pts["ok"]:
            ax.plot(
                *zip(*sorted(pts["ok"]), strict=True),
                marker=marker,
                color=color,
                linestyle="none",
                alpha=0.85,
                label=LABELS[key],
            )
        if pts["inaccurate"]:
            ax.plot(
                *zip(*pts["inaccurate"], strict=True),
                marker=marker,
                color=color,
                linestyle="none",
                markerfacecolor="none",
                label=f"{LABELS[key]}: finished, error > 1e-8",
            )
        if pts["failed"]:
            ax.plot(
                *zip(*pts["failed"], strict=True),
                marker="x",
                color=color,
                linestyle="none",
                markersize=10,
                label=f"{LABELS[key]}: stopped at the limit\nor failed (drawn at the limit)",
            )
        if ratios["ok"]:
            bx.plot(
                *zip(*sorted(ratios["ok"]), strict=True),
                marker=marker,
                color=color,
                linestyle="none",
                label=f"{LABELS[key]} / ours",
            )
        if ratios["bound"]:
            bx.plot(
                *zip(*ratios["bound"], strict=True),
                marker=marker,
                color=color,
                markerfacecolor="none",
                linestyle="none",
                markersize=8,
                label=f"{LABELS[key]}: stopped at the limit\n(the ratio is a lower bound, ↑)",
            )
            for x, y in ratios["bound"]:
                bx.annotate(
                    "",
                    xy=(x, y * 2.5),
                    xytext=(x, y),
                    arrowprops={"arrowstyle": "->", "color": color},
                )
    ax.axhline(limit, color="grey", linestyle=":", linewidth=1)
    ax.annotate(
        f"time limit {limit:.0f} s",
        (0.01, limit),
        xycoords=("axes fraction", "data"),
        va="bottom",
        fontsize=8,
        color="grey",
    )
    for y, text in ((100, "100x (Clarabel target)"), (1000, "1000x (GD target)")):
        bx.axhline(y, color="grey", linestyle="--", linewidth=1)
        bx.annotate(
            text,
            (0.01, y),
            xycoords=("axes fraction", "data"),
            va="bottom",
            fontsize=8,
            color="grey",
        )
    for a in (ax, bx):
        a.set_xscale("log")
        a.set_yscale("log")
        a.set_xlabel("problem size K·N (entries of Y)")
        a.grid(True, which="major", alpha=0.3)
    ax.set_ylabel("time to relative objective error ≤ 1e-8 (s)")
    ax.set_title("Time to accuracy (ours: certified gap ≤ 1e-10)")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    bx.set_ylabel("peer's time / our time")
    bx.set_title("How many times longer the peers take")
    bx.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    low, high = bx.get_ylim()
    bx.set_ylim(low, high * 4)  # room for the arrows of the lower bounds
    fig.tight_layout()
    return fig


def _figure_growth(results: dict[str, Any], plt: Any) -> Any:
    fig, axes = plt.subplots(2, 2, figsize=(13, 9.5))
    (tn, tk), (rx, mx) = axes
    for i, (series, rows) in enumerate(_growth(results)):
        along = "N" if series.startswith("N") else "K"
        ax = tn if along == "N" else tk
        x = [r["spec"][along] for r in rows]
        color = f"C{i}"
        ex = [r["exact"] for r in rows]
        ax.plot(x, [_speed(e) for e in ex], "o-", color=color, label=f"solve() ({series})")
        for key, style, alpha, what in (
            ("engine", "v:", 0.7, "engine alone"),
            ("certify", "s:", 0.7, "certificate alone"),
            ("yyt", "--", 0.6, "Y Y^T, one pass"),
        ):
            ax.plot(
                x,
                [_median(e, key) for e in ex],
                style,
                color=color,
                alpha=alpha,
                label=f"{what} ({series})",
            )
        sizes = [_size(r) for r in rows]
        rx.plot(sizes, [_over_yyt(e) for e in ex], "o-", color=color, label=f"{series}")
        mem = [(s, e.get("traced_peak_mib"), e["Y_mib"]) for s, e in zip(sizes, ex, strict=True)]
        mem = [m for m in mem if m[1] is not None]
        if mem:
            mx.plot(
                [m[0] for m in mem],
                [m[1] for m in mem],
                "o-",
                color=color,
                label=f"ours, peak traced ({series})",
            )
            mx.plot(
                [m[0] for m in mem],
                [m[2] for m in mem],
                "--",
                color=color,
                alpha=0.6,
                label=f"size of Y ({series})",
            )
    targets = [r for r in results["targets"] if r["spec"]["K"] == 100]
    if targets:
        rx.plot(
            [_size(r) for r in targets],
            [_over_yyt(r["exact"]) for r in targets],
            "k*",
            markersize=9,
            label="K=100, N=100000 variants",
        )
    rx.axhline(5, color="grey", linestyle="--", linewidth=1)
    rx.annotate(
        "5x (target at K=100, N=100000)",
        (0.01, 5),
        xycoords=("axes fraction", "data"),
        va="bottom",
        fontsize=8,
        color="grey",
    )
    tn.set_xlabel("number of samples N")
    tk.set_xlabel("number of classes K")
    tn.set_title("Time against N")
    tk.set_title("Time against K")
    for ax in (tn, tk):
        ax.set_ylabel("time (s, median)")
    rx.set_xlabel("problem size K·N")
    rx.set_ylabel("solve() / Y Y^T")
    rx.set_title("Our time in passes over the data (Y Y^T)")
    mx.set_xlabel("problem size K·N")
    mx.set_ylabel("MiB")
    mx.set_title("Peak memory of one solve() against the size of Y")
    for ax in (tn, tk, rx, mx):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def _figure_hunt(results: dict[str, Any], plt: Any) -> Any | None:
    hunt = results["hunt"]
    claims = [c for c in hunt.get("claims", []) if c["solves"]]
    if not claims:
        return None
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(claims) + 1.8))
    names = [c["claim"] for c in claims] + ["bare solve + certify"]
    rates = [c["certified_per_second"] for c in claims] + [hunt.get("per_second", math.nan)]
    colors = ["C0"] * len(claims) + ["C2"]
    ax.barh(names, rates, color=colors)
    ax.axvline(200, color="C3", linestyle="--", linewidth=1, label="target: 200 / s")
    ax.invert_yaxis()
    ax.set_xlabel("certified instances per second (K ≤ 5, one process)")
    ax.set_title("Hunt throughput: evaluate() per claim, and bare solve + certify")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(True, axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def figures(results: dict[str, Any], directory: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    for stem, draw in (
        ("benchmarks_peers", _figure_peers),
        ("benchmarks_growth", _figure_growth),
        ("benchmarks_hunt", _figure_hunt),
    ):
        fig = draw(results, plt)
        if fig is None:
            continue
        paths.append(_atomic_png(fig, directory / f"{stem}.png"))
        plt.close(fig)
    return paths


def write_report(results: dict[str, Any], out: Path) -> list[Path]:
    """Write the figures, ``benchmarks.json`` and ``benchmarks.md`` into ``out``, atomically."""
    results["checks"] = checks(results)
    pngs = figures(results, out / "figures")
    json_path = atomic_write_json(out / "benchmarks.json", results)
    page = keep_sections(out / "benchmarks.md", markdown(results, [str(p) for p in pngs]))
    md_path = atomic_write_text(out / "benchmarks.md", page)
    return [*pngs, json_path, md_path]


#: Sections of benchmarks.md written by other scripts (``benchmarks/metrics_scale.py``,
#: ``benchmarks/ce.py``), each between its own markers; a rewrite of the page keeps them.
KEPT = (
    ("<!-- metrics-scale:start -->", "<!-- metrics-scale:end -->"),
    ("<!-- ce:start -->", "<!-- ce:end -->"),
)


def keep_sections(path: Path, page: str) -> str:
    """``page`` with every marked section of the existing ``path`` carried over verbatim
    (replacing the page's own copy of it, else appended at the end)."""
    if not path.exists():
        return page
    old = path.read_text()
    for start, end in KEPT:
        i, j = old.find(start), old.find(end)
        if i < 0 or j < i:
            continue
        block = old[i : j + len(end)]
        a, b = page.find(start), page.find(end)
        if 0 <= a <= b:
            page = page[:a] + block + page[b + len(end) :]
        else:
            page = page.rstrip("\n") + "\n\n" + block + "\n"
    return page
