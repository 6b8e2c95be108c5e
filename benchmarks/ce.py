"""Cross-entropy benchmarks (issue 13), side by side in one run, and the Y Y^T baseline again.

    python benchmarks/ce.py            # peers, target sizes, hunt throughput
    python benchmarks/ce.py --quick    # fewer peers and rounds

Same machinery as ``run.py`` (a fresh process a measurement, quiet-machine waits, retries;
``worker.py``): our ``solve()`` with ``loss="ce"`` (the reduced K x K engine + the Fenchel
certificate) against CVXPY (Clarabel, SCS; exponential cones) and gradient descent, to a relative
objective error of 1e-8 of our certified optimum; the target sizes; certified CE instances per
second for K <= 5. Each ratio to Y Y^T uses the fastest Y Y^T measured in the row's process
(``yyt_alone``: one warm call, then the best of 10, before anything else), for MSE beside CE.
Writes ``reports/benchmarks_ce.json``, ``reports/figures/benchmarks_ce.png`` (also with
``--render``; before, no code wrote it: the docstring promised a figure ``main`` never drew) and the section of
``reports/benchmarks.md`` between ``<!-- ce:start -->`` and ``<!-- ce:end -->`` (the rest of the
page, written by ``run.py``, is kept as it is).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import run  # noqa: E402
from cases import name, spec  # noqa: E402
from run import FAILURES, Runner, log, run_job  # noqa: E402

from verify.io import atomic_write_json, atomic_write_text  # noqa: E402

START, END = "<!-- ce:start -->", "<!-- ce:end -->"


#: Rows where only gradient descent runs, at sizes and regimes where it is slow (the 1000x
#: target cannot be met on instances where GD itself takes a millisecond), each with this limit
GD_LIMIT = 60.0


def gd_rows(quick: bool) -> list[dict[str, Any]]:
    rows = [
        spec(10, 1000, lambda_b="large", loss="ce"),
        spec(10, 1000, balanced=False, encoding="stochastic", loss="ce"),
        spec(20, 2000, encoding="smooth", loss="ce"),
        spec(10, 1000, encoding="smooth", lambda_b="large", loss="ce"),
    ]
    return rows[:2] if quick else rows


def peers(quick: bool) -> list[dict[str, Any]]:
    rows = [
        spec(4, 40, loss="ce"),
        spec(4, 40, balanced=False, encoding="stochastic", loss="ce"),
        spec(4, 80, encoding="smooth", lambda_b="large", loss="ce"),
        spec(4, 120, lambda_b="inf", loss="ce"),
        spec(10, 200, balanced=False, encoding="stochastic", loss="ce"),
        spec(10, 1000, loss="ce"),
    ]
    return rows[:4] if quick else rows


def targets(quick: bool) -> list[dict[str, Any]]:
    rows = [
        spec(100, 100000),  # MSE, for its ratio to Y Y^T beside cross-entropy's
        spec(100, 100000, loss="ce"),
        spec(100, 100000, lambda_b="large", loss="ce"),
        spec(100, 100000, lambda_b="inf", loss="ce"),
        spec(100, 100000, balanced=False, encoding="stochastic", loss="ce"),
        spec(1000, 20000, loss="ce"),
    ]
    return rows if not quick else [rows[0], rows[1], rows[4], rows[5]]


def measure(quick: bool, limit: float) -> dict[str, Any]:
    runner = Runner(limit, 12.0, quick)
    results: dict[str, Any] = {"load_before": list(os.getloadavg()), "peers": [], "targets": []}
    log("cross-entropy peers: time to relative objective error <= 1e-8")
    dead: dict[str, str] = {}
    for s in peers(quick):
        ours = runner.exact(s)
        row: dict[str, Any] = {"case": name(s), "spec": s, "exact": ours, "peers": {}}
        for solver in ("CLARABEL", "SCS", "GD"):
            if solver in dead or not ours["certified"]:
                row["peers"][solver] = {"status": "skipped", "note": dead.get(solver, "")}
                continue
            result = runner.peer(s, solver, ours["objective"])
            if result["status"] in FAILURES:
                dead[solver] = f"failed on {name(s)}"
            row["peers"][solver] = result
        results["peers"].append(row)
    log(f"gradient descent where it is slow (time limit {GD_LIMIT:.0f} s a row)")
    results["gd_rows"] = []
    slow = Runner(GD_LIMIT, 12.0, quick)
    slow.exact_cache = runner.exact_cache
    for s in gd_rows(quick):
        ours = runner.exact(s)
        row = {"case": name(s), "spec": s, "exact": ours, "peers": {}, "limit": GD_LIMIT}
        row["peers"]["GD"] = (
            slow.peer(s, "GD", ours["objective"])
            if ours["certified"]
            else {"status": "skipped", "note": "ours not certified"}
        )
        results["gd_rows"].append(row)
    log("cross-entropy target sizes")
    for s in targets(quick):
        results["targets"].append({"case": name(s), "spec": s, "exact": runner.exact(s)})
    log("cross-entropy hunt throughput, K <= 5")
    job = {"job": "hunt_ce", "count": 300 if quick else 2000, "claim_count": 30 if quick else 100}
    results["hunt"] = run_job(job, timeout=600.0)
    log("cross-entropy hunts: run_search, the hunt engine's own loop, over every CE claim")
    from verify.hunt.engine import UNIT_SIZE  # a search unit's evaluations

    results["hunt_search"] = _hunt_search(30 if quick else UNIT_SIZE)
    for jobs in (1, 2):
        log(f"cross-entropy hunts: verify hunt on every CE claim, --jobs {jobs}")
        results[f"hunts_jobs{jobs}"] = _hunts(jobs, 200 if quick else HUNT_BUDGET)
    results["load_after"] = list(os.getloadavg())
    return results


#: the budget of each whole hunt measured (of every direction, and of each amendment's hunt)
HUNT_BUDGET = 1500


def _job(argv: list[str], timeout: float) -> dict[str, Any]:
    """``python benchmarks/ce.py ARGV`` in a fresh process after a wait for a quiet machine; its
    JSON, with the load average before."""
    import subprocess

    run.wait_quiet(max_wait=min(60.0, run.WAIT_BUDGET[0]))
    load = list(os.getloadavg())
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        return {"status": "crashed", "stderr": done.stderr[-2000:], "load_before": load}
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    result["load_before"] = load
    return result


def _hunts(jobs: int, budget: int) -> dict[str, Any]:
    return _job(["--hunts-job", f"{jobs}:{budget}"], timeout=1800)


def ce_hunt_specs() -> list[str]:
    """Hunt specs that name every registered cross-entropy claim once (a group, such as a
    theorem and its constants, is one hunt of its directions)."""
    from verify.claims.registry import registry
    from verify.hunt.target import resolve

    specs: list[str] = []
    covered: set[str] = set()
    for claim in registry().values():
        if "cross_entropy" not in claim.hypotheses or claim.id in covered:
            continue
        specs.append(claim.id)
        covered |= {ref.load().id for ref in resolve(claim.id)}
    return specs


def hunts_job(jobs: int, budget: int) -> dict[str, Any]:
    """``verify hunt`` (:func:`verify.hunt.run.hunt`, no database, seed 0) on every CE claim with
    ``jobs`` worker processes: the certified solves per second of each whole hunt (search,
    refinement, simplification, confirmation, amendments; worker start-up included)."""
    import verify.solve.cvx  # noqa: F401  (CVXPY imported once, before the clock, as a hunt does)
    from verify.hunt.run import hunt

    def walk(directions: list[Any]) -> list[Any]:
        return [o for d in directions for o in d.outcomes + walk(d.amendment_results)]

    rows = []
    for spec_ in ce_hunt_specs():
        result = hunt(spec_, budget=budget, seed=0, jobs=jobs, database=None)
        rows.append(
            {
                "spec": spec_,
                "status": result.status,
                "directions": [d.claim.id for d in result.directions],
                **_tally(walk(result.directions)),
                "seconds": result.seconds,
            }
        )
    total = sum(r["seconds"] for r in rows)
    certified = sum(r["certified_solves"] for r in rows)
    return {
        "jobs": jobs,
        "budget": budget,
        "hunts": rows,
        "seconds": total,
        "certified_solves": certified,
        "per_second": certified / max(total, 1e-12),
        "cpu_count": os.cpu_count(),
    }


def _tally(outcomes: list[Any]) -> dict[str, Any]:
    """The cases, solves, certified solves, worst gap and largest K of a search's outcomes."""
    from verify.tolerances import DEFAULT

    gaps = [g for o in outcomes for g in o.gaps]
    return {
        "cases": len(outcomes),
        "solves": len(gaps),
        "certified_solves": sum(g <= DEFAULT.gap for g in gaps),
        "worst_gap": max(gaps, default=math.nan),
        "max_K": max((o.case.instance.K for o in outcomes), default=0),
    }


def _hunt_search(examples: int) -> dict[str, Any]:
    """``python benchmarks/ce.py --hunt-job N`` in a fresh process (after a wait for a quiet
    machine, as every job): what the hunt's loop pays an instance."""
    return _job(["--hunt-job", str(examples)], timeout=900)


def hunt_job(examples: int) -> dict[str, Any]:
    """Every claim that assumes cross-entropy hunted by
    :func:`verify.claims.runner.run_search` (the loop of ``verify hunt``: corners, Hypothesis
    generation, evaluate, confirmation of a find; no shrinking), ``examples`` cases each: the
    certified solves per second over all of them, Hypothesis and confirmation included.

    Where the time goes: ``evaluate`` and ``confirm`` are timed inside the loop (wrapped in
    place), and the same claims' strategies are drawn from again with the same seed and
    settings by a test that does nothing (``draw_seconds``: Hypothesis generating the cases,
    without the search's targets). CVXPY, the confirming engine, is imported before the clock
    (``cvxpy_import_seconds``: once per process, which a hunt pays once, not per case)."""
    import verify.claims.runner as runner
    from verify.claims.registry import registry
    from verify.tolerances import DEFAULT

    start = time.perf_counter()
    import verify.solve.cvx  # noqa: F401  (imports cvxpy)

    cvxpy_import = time.perf_counter() - start
    claims = [c for c in registry().values() if "cross_entropy" in c.hypotheses]
    runner.run_search(claims[0], 3, 1, DEFAULT, "exact", [], shrink=False)  # warm-up
    spent = {"evaluate": 0.0, "confirm": 0.0, "ahead": 0.0}
    confirming = [False]  # confirm evaluates too: its time is confirm's, not evaluate's

    def timed(name: str, f: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if confirming[0]:
                return f(*args, **kwargs)
            begin = time.perf_counter()
            confirming[0] = name == "confirm"
            try:
                return f(*args, **kwargs)
            finally:
                confirming[0] = False
                spent[name] += time.perf_counter() - begin

        return wrapper

    def search(sweep: bool) -> dict[str, Any]:
        spent["evaluate"] = spent["confirm"] = spent["ahead"] = 0.0
        rows = []
        for claim in claims:
            outcomes: list[Any] = []
            start = time.perf_counter()
            found = runner.run_search(
                claim, examples, 0, DEFAULT, "exact", outcomes, shrink=False, sweep=sweep
            )
            seconds = time.perf_counter() - start
            rows.append(
                {
                    "claim": claim.id,
                    **_tally(outcomes),
                    "seconds": seconds,
                    "found": found is not None,
                }
            )
        total = sum(r["seconds"] for r in rows)
        return {
            "sweep": sweep,
            "claims": rows,
            "seconds": total,
            "certified_solves": sum(r["certified_solves"] for r in rows),
            "per_second": sum(r["certified_solves"] for r in rows) / max(total, 1e-12),
            "cases_per_second": sum(r["cases"] for r in rows) / max(total, 1e-12),
            "evaluate_seconds": spent["evaluate"],
            "confirm_seconds": spent["confirm"],
            "stacked_seconds": spent["ahead"],
        }

    evaluate, confirm, screen = runner.evaluate, runner.confirm, runner.screen
    ahead = runner._solved_ahead
    runner.evaluate, runner.confirm = timed("evaluate", evaluate), timed("confirm", confirm)
    runner.screen = timed("confirm", screen)  # the deferred part of a confirmation is one too
    runner._solved_ahead = timed("ahead", ahead)
    engine, swept = search(False), search(True)
    runner.evaluate, runner.confirm, runner.screen = evaluate, confirm, screen
    runner._solved_ahead = ahead
    draws, draw_seconds = _draw_only(claims, examples)
    sweep_draws, sweep_draw_seconds = _draw_only(claims, examples, sweep=True)
    return {
        **engine,  # the engine alone: the keys of the runs before the sweep
        "with_sweep": swept,
        "draws": draws,
        "draw_seconds": draw_seconds,
        "sweep_draws": sweep_draws,
        "sweep_draw_seconds": sweep_draw_seconds,
        "cvxpy_import_seconds": cvxpy_import,
    }


def _draw_only(claims: list[Any], examples: int, sweep: bool = False) -> tuple[int, float]:
    """Cases drawn, and seconds, from the claims' strategies with run_search's seed: by
    Hypothesis's engine (generate phase, a test that does nothing), or by the sweep's draws."""
    import itertools

    from verify.claims.determinism import deterministic_generation
    from verify.claims.sweep import draws
    from verify.strategies import sample

    start = time.perf_counter()
    if sweep:
        with deterministic_generation():
            count = sum(
                len(list(itertools.islice(draws(claim.cases(), 0), examples))) for claim in claims
            )
    else:
        count = sum(len(sample(claim.cases(), examples, 0)) for claim in claims)
    return count, time.perf_counter() - start


def _t(x: float) -> str:
    if not math.isfinite(x):
        return "-"
    return f"{x * 1e3:.1f} ms" if x < 1 else f"{x:.2f} s"


def _ratio(peer: dict[str, Any], ours: float) -> str:
    if peer.get("status") != "reached":
        return f"{peer.get('status')}" + (f" ({peer['note']})" if peer.get("note") else "")
    r = peer["seconds"] / ours
    return (
        f"{_t(peer['seconds'])} (**{r:,.0f}x**)"
        if r >= 10
        else f"{_t(peer['seconds'])} (**{r:.2g}x**)"
    )


def _gd_cell(peer: dict[str, Any], ours: float, limit: float) -> tuple[str, float, str]:
    """The GD cell, the ratio (a lower bound at the time limit) and its text."""
    status = peer.get("status")
    if status == "reached":
        r = peer["seconds"] / ours
        return _t(peer["seconds"]), r, f"{r:,.0f}x" if r >= 10 else f"{r:.2g}x"
    if status == "time limit":
        seconds = max(peer.get("seconds", limit), limit)
        r = seconds / ours
        error = peer.get("relative_error")
        note = f", best error {error:.0e}" if error is not None and math.isfinite(error) else ""
        return f"not reached in {_t(seconds)}{note}", r, f"> {r:,.0f}x"
    return str(status), math.nan, "-"


def section(results: dict[str, Any], command: str) -> str:
    lines = [START, "## Cross-entropy (issue 13)", ""]
    before, after = results["load_before"], results["load_after"]
    shared = max(before[0], after[0]) >= 1.5
    lines.append(
        f"Generated by `{command}` in one run (load average before / after: "
        f"{', '.join(f'{x:.2f}' for x in before)} / {', '.join(f'{x:.2f}' for x in after)} on 2 "
        "cores"
        + (
            "; other processes were running on this machine, so absolute times are longer "
            "than on a quiet machine and the ratios are the meaningful part"
            if shared
            else ""
        )
        + "; BLAS threads: "
        + str(results.get("blas_threads", os.environ.get("OPENBLAS_NUM_THREADS", "default")))
        + "). Ours: "
        '`solve()` with `loss="ce"`: the reduced K x K engine (a few FISTA steps, then damped '
        "Newton on the factored problem for K <= 16; FISTA with singular value thresholding "
        "above) and the Fenchel certificate from (W, H, b) alone (per class when H is "
        "class-constant, which it checks, else a full pass). Peers are timed to a relative "
        "objective error of 1e-8 of our certified optimum. A ratio to Y Y^T uses the fastest "
        "Y Y^T measured in the same process. Figure: `reports/figures/benchmarks_ce.png`."
    )
    lines += [
        "",
        "| instance | ours: solve() | our gap | FISTA / Newton steps | CVXPY + Clarabel | "
        "CVXPY + SCS | gradient descent |",
        "|---|---|---|---|---|---|---|",
    ]
    gaps = []
    gd_ratios: list[tuple[str, str, float, float, float]] = []  # case, text, ratio, ours, GD
    for row in results["peers"]:
        e = row["exact"]
        ours = e.get("total_median", math.nan)
        gaps.append(e.get("relative_gap", math.nan))
        cells = [_ratio(row["peers"][p], ours) for p in ("CLARABEL", "SCS", "GD")]
        gd = _gd_cell(row["peers"]["GD"], ours, row.get("limit", math.inf))
        gd_ratios.append(
            (row["case"], gd[2], gd[1], ours, row["peers"]["GD"].get("seconds", math.nan))
        )
        lines.append(
            f"| {row['case']} | {_t(ours)} | {e.get('relative_gap', math.nan):.1e} | "
            f"{e.get('iterations')} / {e.get('newton_iterations') or 0} | "
            + " | ".join(cells)
            + " |"
        )
    if results.get("gd_rows"):
        lines += [
            "",
            "Gradient descent where it is slow (each row's time limit "
            f"{results['gd_rows'][0].get('limit', GD_LIMIT):.0f} s; at the limit the ratio is a "
            "lower bound):",
            "",
            "| instance | ours: solve() | our gap | FISTA / Newton steps | gradient descent | "
            "GD / ours |",
            "|---|---|---|---|---|---|",
        ]
        for row in results["gd_rows"]:
            e = row["exact"]
            ours = e.get("total_median", math.nan)
            gaps.append(e.get("relative_gap", math.nan))
            cell, r, text = _gd_cell(row["peers"]["GD"], ours, row.get("limit", GD_LIMIT))
            gd_ratios.append(
                (row["case"], text, r, ours, row["peers"]["GD"].get("seconds", math.nan))
            )
            lines.append(
                f"| {row['case']} | {_t(ours)} | {e.get('relative_gap', math.nan):.1e} | "
                f"{e.get('iterations')} / {e.get('newton_iterations') or 0} | {cell} | "
                f"**{text}** |"
            )
    lines += [
        "",
        "| target size | solve() | engine | certificate | gap | FISTA / Newton steps | "
        "Y Y^T (fastest) | solve / Y Y^T |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in results["targets"]:
        e = row["exact"]
        gaps.append(e.get("relative_gap", math.nan))
        best = min(e.get("yyt_alone", math.nan), e.get("yyt", math.nan))
        steps = f"{e.get('iterations')} / {e.get('newton_iterations') or 0}"
        lines.append(
            f"| {row['case']} | {_t(e.get('total_median', math.nan))} | "
            f"{_t(e.get('engine_median', math.nan))} | {_t(e.get('certify_median', math.nan))} | "
            f"{e.get('relative_gap', math.nan):.1e} | {steps} | "
            f"{_t(best)} | {e.get('total_over_best_yyt', math.nan):.1f}x |"
        )
    h = results["hunt"]
    st = h.get("stacked", {})
    hs = results.get("hunt_search", {})
    sw = hs.get("with_sweep", {})
    met = [c for c, _, r, _, _ in gd_ratios if math.isfinite(r) and r >= 1000]
    missed_rows = [g for g in gd_ratios if not (math.isfinite(g[2]) and g[2] >= 1000)]
    missed = [f"{c} ({t})" for c, t, _, _, _ in missed_rows]
    lines += [
        "",
        f"- Every cross-entropy answer of ours certified: worst relative gap "
        f"{max(g for g in gaps if math.isfinite(g)) if gaps else math.nan:.1e} (target 1e-10).",
        f"- Gradient descent, target >= 1000x: met on {len(met)} of {len(gd_ratios)} rows"
        + (f" ({'; '.join(met)})" if met else "")
        + (
            f"; not met on {'; '.join(missed)}: there gradient descent itself converges in "
            f"{_span([g[4] for g in missed_rows])} and our solve() takes "
            f"{_span([g[3] for g in missed_rows])}, almost all of it on K x K matrices (Python "
            "and LAPACK call overhead; it barely grows with N)"
            if missed
            else ""
        )
        + ".",
        *_target_lines(results),
        "- Hunt throughput, K <= 5, target 500 certified CE instances/s: bare "
        f"`solve()` over random instances {h.get('per_second', math.nan):.0f}/s "
        f"({h.get('certified')} of {h.get('instances')} certified); the same instances stacked "
        f"as a sweep solves them (`solve_many`, blocks of {st.get('block', '?')}) "
        f"{st.get('per_second', math.nan):.0f}/s ({st.get('certified')} of "
        f"{st.get('instances')} certified at the engine's target, the rest left to `solve`); "
        f"`evaluate` over cases "
        f"drawn beforehand from the CE claims' strategies {h.get('claims_per_second', math.nan):.0f}"
        "/s; the hunt's loop in one process (`run_search`: corners, generation, evaluate, "
        f"confirmation; no shrinking), Hypothesis's engine alone {hs.get('per_second', math.nan):.0f}"
        f" certified solves/s, with the sweep (the hunt's default, `verify.claims.sweep`) "
        f"{sw.get('per_second', math.nan):.0f}/s (load average "
        f"{hs.get('load_before', [math.nan])[0]:.2f} before). "
        + _hunt_split(hs)
        + _hunts_sentence(results)
        + _met_500(
            h.get("per_second"),
            st.get("per_second"),
            h.get("claims_per_second"),
            sw.get("per_second"),
            *(results.get(f"hunts_jobs{j}", {}).get("per_second") for j in (1, 2)),
        ),
        *_hunts_table(results),
        "- Y Y^T baseline (issue 13): `Y @ Y.T` on the instance's C-ordered Y already calls the "
        "symmetric rank-k kernel (numpy sees one buffer and its transpose; a product with a copy, "
        "a general matrix product, takes about 2.2x as long, and `scipy.linalg.blas.dsyrk`, which "
        "copies to Fortran order, longer still). The page's old baseline was the median over "
        "rounds of a best-of-3 taken right after our own solves in each round; the fastest form "
        "is now also measured alone at the start of each process (`yyt_alone`) and the ratio "
        "uses the fastest Y Y^T seen.",
        "",
        *_machine_line(results.get("machine")),
        END,
    ]
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    """What a run's figures depend on besides the code: when, which commit, which CPU. The same
    commit has measured 1.8x apart on two machines of this kind, so a figure is read with it."""
    import platform
    import subprocess

    import numpy as np

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=HERE.parent, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else "unknown"

    info = Path("/proc/cpuinfo")
    lines = info.read_text().splitlines() if info.exists() else []
    models = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    cpu = models[0] if models else platform.processor() or "unknown CPU"
    return {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": git("rev-parse", "--short=12", "HEAD"),
        "uncommitted_changes": bool(
            git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!reports")
        ),
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "numpy": np.__version__,
    }


def _machine_line(m: dict[str, Any] | None) -> list[str]:
    if not m:
        return []
    dirty = " with uncommitted changes" if m["uncommitted_changes"] else ""
    return [
        f"Measured at commit {m['commit']}{dirty} on {m['cpu']}, Python {m['python']}, numpy "
        f"{m['numpy']}; {m['when']}.",
        "",
    ]


def _span(seconds: list[float]) -> str:
    """'a-b' of the finite times, each as :func:`_t` writes it."""
    finite = sorted(x for x in seconds if math.isfinite(x))
    if not finite:
        return "-"
    return _t(finite[0]) if len(finite) == 1 else f"{_t(finite[0])} to {_t(finite[-1])}"


def _hunt_split(hs: dict[str, Any]) -> str:
    """Where run_search's time went, from the hunt job's own timers (empty for older runs)."""
    total = hs.get("seconds")
    if not total or "evaluate_seconds" not in hs:
        return ""
    cases = sum(r["cases"] for r in hs.get("claims", [])) or math.nan
    per_draw = hs["draw_seconds"] / max(hs["draws"], 1)
    rest = total - hs["evaluate_seconds"] - hs["confirm_seconds"]
    text = (
        f"Of the engine's {total:.2f} s: `evaluate` (solves, certificates, premises, "
        f"conclusions) {hs['evaluate_seconds']:.2f} s ({hs['evaluate_seconds'] / total:.0%}), "
        f"confirmation of finds {hs['confirm_seconds']:.2f} s, the rest ({rest:.2f} s, "
        f"{1e3 * rest / cases:.1f} ms a case) Hypothesis and the corners; its drawing alone (the "
        f"same strategies, seed and settings, a test that does nothing) takes "
        f"{1e3 * per_draw:.1f} ms a case, so at most {1 / per_draw:.0f} cases/s pass through it "
        "whatever the solve costs. "
    )
    sw = hs.get("with_sweep")
    if sw and hs.get("sweep_draws"):
        per_sweep = hs["sweep_draw_seconds"] / hs["sweep_draws"]
        stacked = sw.get("stacked_seconds", 0.0)
        rest = sw["seconds"] - sw["evaluate_seconds"] - sw["confirm_seconds"] - stacked
        swept = sum(r["cases"] for r in sw["claims"]) or math.nan
        text += (
            f"The sweep draws the same strategies outside the engine at {1e3 * per_sweep:.1f} ms "
            f"a case; with it, of {sw['seconds']:.2f} s, the stacked solves of its blocks "
            f"(`verify.solve.batch`) took {stacked:.2f} s, `evaluate` (the rest of each case: "
            f"certificate-checked solves not stacked, premises, conclusions) "
            f"{sw['evaluate_seconds']:.2f} s, confirmation {sw['confirm_seconds']:.2f} s and the "
            f"rest {1e3 * rest / swept:.1f} ms a case. "
        )
    return text + (
        f"CVXPY (the confirming engine) is imported before the clock "
        f"({hs.get('cvxpy_import_seconds', math.nan):.1f} s, once per process). "
    )


def _hunts_sentence(results: dict[str, Any]) -> str:
    runs = [results.get(f"hunts_jobs{j}") for j in (1, 2)]
    if not all(r and "per_second" in r for r in runs):
        return ""
    one, two = runs
    assert one is not None and two is not None
    return (
        f"Whole hunts (`verify hunt CLAIM --budget {one['budget']} --seed 0 --no-database`, every "
        "CE claim; search, refinement, simplification, confirmation and amendments, worker "
        f"start-up included): {one['per_second']:.0f} certified solves/s in one process, "
        f"{two['per_second']:.0f}/s with `--jobs 2` on this machine's {two.get('cpu_count')} "
        "cores (load averages "
        f"{one['load_before'][0]:.2f} and {two['load_before'][0]:.2f} before); per hunt in the "
        "table below. "
    )


def _hunts_table(results: dict[str, Any]) -> list[str]:
    one, two = (results.get(f"hunts_jobs{j}", {}) for j in (1, 2))
    if "hunts" not in one or "hunts" not in two:
        return []
    lines = [
        "",
        "| hunt (`verify hunt`) | status | instances | certified solves | worst gap | "
        "one process | `--jobs 2` |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for a, b in zip(one["hunts"], two["hunts"], strict=True):
        lines.append(
            f"| `{a['spec']}` | {a['status']} | {a['cases']} | {a['certified_solves']} | "
            f"{a['worst_gap']:.1e} | {a['certified_solves'] / a['seconds']:.0f}/s "
            f"({_t(a['seconds'])}) | {b['certified_solves'] / b['seconds']:.0f}/s "
            f"({_t(b['seconds'])}) |"
        )
    return [*lines, ""]


def _met_500(*rates: float | None) -> str:
    names = (
        "bare solve()",
        "stacked solve_many",
        "evaluate",
        "run_search with the sweep",
        "whole hunts in one process",
        "whole hunts with --jobs 2",
    )
    met = [n for n, r in zip(names, rates, strict=False) if r is not None and r >= 500]
    missed = [n for n, r in zip(names, rates, strict=False) if r is not None and not r >= 500]
    return (f"Target 500/s met by {', '.join(met)}. " if met else "") + (
        f"Target 500/s not met by {', '.join(missed)}." if missed else ""
    )


def _target_lines(results: dict[str, Any]) -> list[str]:
    """The CVXPY, K = 100 and K = 1000 targets, each met or not, from the rows measured."""
    lines = []
    largest: tuple[int, str, float, float] | None = None
    for row in results["peers"]:
        reached = [
            (row["peers"][p]["seconds"], p)
            for p in ("CLARABEL", "SCS")
            if row["peers"].get(p, {}).get("status") == "reached"
        ]
        if reached:
            size = row["spec"]["K"] * row["spec"]["N"]
            best = min(reached)[0]
            if largest is None or size > largest[0]:
                largest = (size, row["case"], best / row["exact"]["total_median"], best)
    if largest is not None:
        _, case, ratio, best = largest
        lines.append(
            f"- CVXPY, target >= 100x at the largest size CVXPY solves ({case}, best of "
            f"Clarabel and SCS {_t(best)}): **{ratio:,.0f}x**, "
            + ("met." if ratio >= 100 else "not met.")
        )
    for K, limit in ((100, 2.0), (1000, 60.0)):
        rows = [
            r for r in results["targets"] if r["spec"]["K"] == K and r["spec"].get("loss") == "ce"
        ]
        if rows:
            worst = max(r["exact"].get("total_median", math.nan) for r in rows)
            ok = all(r["exact"].get("certified") for r in rows) and worst < limit
            lines.append(
                f"- K={K}, N={rows[0]['spec']['N']}, target < {limit:g} s certified: slowest of "
                f"{len(rows)} row(s) {_t(worst)}, " + ("met." if ok else "not met.")
            )
    mse = [r for r in results["targets"] if r["spec"].get("loss", "mse") == "mse"]
    ce = [r for r in results["targets"] if r["spec"].get("loss") == "ce" and r["spec"]["K"] == 100]
    if mse and ce:
        lines.append(
            "- The same one-pass baseline for both losses (K=100, N=1e5): MSE solve() / Y Y^T "
            f"{mse[0]['exact'].get('total_over_best_yyt', math.nan):.1f}x, cross-entropy "
            f"{ce[0]['exact'].get('total_over_best_yyt', math.nan):.1f}x (its certificate runs "
            "per class on the class-constant H, its engine on K x K matrices)."
        )
    return lines


def figure(results: dict[str, Any], path: Path) -> Path:
    """Time of ours and of each peer per instance (log scale; a peer at its time limit drawn
    at the limit, hollow), and the target sizes' solve() split into engine and certificate."""
    import io
    import tempfile

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = results["peers"] + results.get("gd_rows", [])
    fig, (ax, bx) = plt.subplots(
        1, 2, figsize=(16, 6.5), gridspec_kw={"width_ratios": [3, 2]}, layout="constrained"
    )
    x = list(range(len(rows)))
    styles = {"ours": ("C0", "o"), "CLARABEL": ("C1", "s"), "SCS": ("C2", "^"), "GD": ("C3", "D")}
    labels = {
        "ours": "ours: solve()",
        "CLARABEL": "CVXPY + Clarabel",
        "SCS": "CVXPY + SCS",
        "GD": "gradient descent",
    }
    for key, (color, marker) in styles.items():
        done, limited = [], []
        for i, row in enumerate(rows):
            if key == "ours":
                done.append((i, row["exact"].get("total_median", math.nan)))
                continue
            peer = row["peers"].get(key)
            if not peer:
                continue
            if peer.get("status") == "reached":
                done.append((i, peer["seconds"]))
            elif peer.get("status") == "time limit":
                limited.append((i, max(peer.get("seconds", 0.0), row.get("limit", 0.0))))
        if done:
            ax.plot(*zip(*done, strict=True), marker, color=color, label=labels[key], ms=8)
        if limited:
            ax.plot(*zip(*limited, strict=True), marker, color=color, mfc="none", ms=10,
                    label=f"{labels[key]}: time limit (lower bound)")  # fmt: skip
    ax.set_yscale("log")
    ax.set_xticks(x)
    ax.set_xticklabels([r["case"].replace(" ce", "") for r in rows], rotation=40, ha="right",
                       fontsize=8)  # fmt: skip
    ax.set_ylabel("seconds to relative objective error 1e-8 (ours: certified, gap <= 1e-10)")
    ax.set_title("Cross-entropy: ours against CVXPY and gradient descent")
    ax.grid(True, which="both", axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    targets = results["targets"]
    y = list(range(len(targets)))
    engine = [t["exact"].get("engine_median", math.nan) for t in targets]
    cert = [t["exact"].get("certify_median", math.nan) for t in targets]
    bx.barh(y, engine, color="C0", label="engine")
    bx.barh(y, cert, left=engine, color="C1", label="certificate")
    for i, t in enumerate(targets):
        limit = 60.0 if t["spec"]["K"] >= 1000 else 2.0
        bx.plot([limit, limit], [i - 0.4, i + 0.4], "k--", lw=1)
    bx.set_xscale("log")
    bx.set_xlim(left=1e-3)
    bx.set_yticks(y)
    bx.set_yticklabels([t["case"] for t in targets], fontsize=8)
    bx.set_xlabel("seconds (median; dashed: the target, 2 s or 60 s)")
    bx.set_title("Target sizes: engine + certificate")
    bx.legend(fontsize=8)
    load = results["load_before"][0], results["load_after"][0]
    fig.suptitle(f"{results.get('command', '')} (load average {load[0]:.2f} / {load[1]:.2f} on 2 "
                 "cores, other agents running)", fontsize=9)  # fmt: skip
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(buffer.getvalue())
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--limit", type=float, default=None, help="a peer's time limit, s")
    parser.add_argument("--out", default=str(HERE.parent / "reports"))
    parser.add_argument("--render", metavar="JSON", help="measure nothing: rewrite the section")
    parser.add_argument("--hunt-job", type=int, metavar="N", help=argparse.SUPPRESS)
    parser.add_argument("--hunts-job", metavar="JOBS:BUDGET", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.hunt_job:
        print(json.dumps(hunt_job(args.hunt_job)))
        return 0
    if args.hunts_job:
        jobs, budget = (int(x) for x in args.hunts_job.split(":"))
        print(json.dumps(hunts_job(jobs, budget)))
        return 0
    out = Path(args.out)
    if args.render:
        results = json.loads(Path(args.render).read_text())
        _write_section(out / "benchmarks.md", section(results, results["command"]))
        figure(results, out / "figures" / "benchmarks_ce.png")
        return 0
    limit = args.limit if args.limit is not None else (20.0 if args.quick else 120.0)
    run.WAIT_BUDGET[0] = 20.0 if args.quick else 240.0  # total waits for a quiet machine, s
    run.RETRY_BUDGET[0] = 0.0 if args.quick else 240.0
    started, stamp = time.perf_counter(), machine()
    results = measure(args.quick, limit)
    results["machine"] = stamp
    results["wall_seconds"] = time.perf_counter() - started
    threads = os.environ.get("OPENBLAS_NUM_THREADS")
    command = (f"OPENBLAS_NUM_THREADS={threads} " if threads else "") + "python benchmarks/ce.py"
    command += " --quick" if args.quick else ""
    results["command"] = command
    results["blas_threads"] = threads or "default"
    atomic_write_json(out / "benchmarks_ce.json", results)
    _write_section(out / "benchmarks.md", section(results, command))
    figure(results, out / "figures" / "benchmarks_ce.png")
    log(
        f"wrote {out / 'benchmarks_ce.json'}, {out / 'figures' / 'benchmarks_ce.png'} and the "
        f"section of {out / 'benchmarks.md'}"
    )
    return 0


def _write_section(page: Path, block: str) -> None:
    """Replace the page's ce section by ``block`` (appended if absent); the rest is kept."""
    text = page.read_text() if page.exists() else "# Benchmarks\n"
    i, j = text.find(START), text.find(END)
    text = (
        text[:i] + block + text[j + len(END) :]
        if 0 <= i <= j
        else text.rstrip("\n") + "\n\n" + block + "\n"
    )
    atomic_write_text(page, text)


if __name__ == "__main__":
    sys.exit(main())
