"""One benchmark measurement in a fresh process: read a JSON job on stdin, print a JSON result.

Run by ``benchmarks/run.py`` under a timeout, so a peer that hangs or exhausts memory costs
one row of the table, not the run. Each job reports the process's peak resident memory
(``ru_maxrss``) and its resident memory before the measurement, so the difference is the
memory the solve itself needed. Imports (numpy, CVXPY, the solvers) happen before any clock
starts: no solver is charged for Python's start-up.
"""

from __future__ import annotations

import json
import math
import os
import resource
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
from cases import build  # noqa: E402

from verify.tolerances import DEFAULT  # noqa: E402

#: Settings of each CVXPY solver: Clarabel's defaults already ask for a relative gap of 1e-8;
#: SCS's (1e-5 through CVXPY) stop short of 1e-8 on some instances, so it is asked for 1e-9,
#: as a user who wants the benchmark's accuracy would. Each also gets the run's time limit.
CVXPY_OPTIONS: dict[str, dict[str, float]] = {
    "CLARABEL": {},
    "SCS": {"eps_abs": 1e-9, "eps_rel": 1e-9},
}
#: Name of each solver's own time-limit setting.
TIME_LIMIT_OPTION = {"CLARABEL": "time_limit", "SCS": "time_limit_secs"}


def _rss_mib() -> float:
    """Current resident memory of this process, MiB."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _best_of(fn: Callable[[], Any], repeat: int) -> float:
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def job_exact(job: dict[str, Any]) -> dict[str, Any]:
    """Our engine: engine alone, certificate alone, and solve() (both), against Y Y^T; and the
    first-order residuals a certificate computes when they are read (not part of solve()).

    The five are timed in interleaved rounds (Y Y^T best of 3, engine, certificate, residuals,
    solve; then again) after one untimed warm-up solve, so a burst of load from another process hits
    all of them alike and the ratios to Y Y^T stay meaningful. Rounds go on until
    ``min_repeat`` rounds are done (or ``max_seconds`` spent) and ``budget`` seconds are spent
    (``max_repeat`` rounds at most)."""
    from verify.solve import certify, first_order_residuals, solve
    from verify.solve.exact import solve_exact

    instance = build(job["spec"])
    budget, least = job.get("budget", 1.0), job.get("min_repeat", 1)
    most = max(least, job.get("max_repeat", 20))
    start = time.perf_counter()
    Y = instance.Y  # the data: gathered once, cached on the instance
    gather = time.perf_counter() - start
    rss0 = _rss_mib()
    # the fastest form of the one pass over the data, alone: Y @ Y.T on the instance's own
    # C-ordered Y (numpy sees one buffer and its transpose and calls the symmetric rank-k
    # kernel, half a general product), one untimed call, then the best of 10
    Y @ Y.T
    yyt_alone = _best_of(lambda: Y @ Y.T, 10)
    solve(instance)  # warm-up: BLAS threads, first touch of the buffers
    times: dict[str, list[float]] = {
        "yyt": [],
        "engine": [],
        "certify": [],
        "residuals": [],
        "total": [],
    }
    spent, solution, details = 0.0, None, {}
    cap = job.get("max_seconds", 20.0)  # fewer than min_repeat rounds if they are this slow
    while (len(times["total"]) < least and spent < cap) or (
        spent < budget and len(times["total"]) < most
    ):
        round_start = time.perf_counter()
        times["yyt"].append(_best_of(lambda: Y @ Y.T, 3))
        t0 = time.perf_counter()
        W, H, b, details = solve_exact(instance, DEFAULT)
        times["engine"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        certify(instance, W, H, b, "exact", DEFAULT, details)
        times["certify"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        first_order_residuals(instance, W, H, b, DEFAULT)
        times["residuals"].append(time.perf_counter() - t0)
        del W, H, b
        solution = None  # free the previous round's (W, H, b) before the next solve
        t0 = time.perf_counter()
        solution = solve(instance)
        times["total"].append(time.perf_counter() - t0)
        spent += time.perf_counter() - round_start
    assert solution is not None
    ratios = [t / y for t, y in zip(times["total"], times["yyt"], strict=True)]
    result: dict[str, Any] = {
        "gather_Y": gather,
        **{key: min(values) for key, values in times.items()},
        **{f"{key}_median": float(np.median(values)) for key, values in times.items()},
        "total_over_yyt": float(np.median(ratios)),
        "yyt_alone": yyt_alone,
        # solve() (median over rounds) over the fastest Y Y^T seen in this process
        "total_over_best_yyt": float(np.median(times["total"])) / min(yyt_alone, min(times["yyt"])),
        "iterations": details.get("iterations"),
        "repeats": len(times["total"]),
        "times": times,
        "certified": solution.certified,
        "relative_gap": solution.certificate.relative_gap,
        "objective": solution.objective,
        "newton_iterations": details.get("newton_iterations"),
        "rank": details.get("rank"),
        "rss_before_mib": rss0,
        "peak_rss_mib": _peak_rss_mib(),
        "Y_mib": Y.nbytes / 2**20,
        "output_mib": (solution.W.nbytes + solution.H.nbytes + solution.b.nbytes) / 2**20,
    }
    solution = None
    if job.get("memory", True):
        tracemalloc.start()
        solve(instance)
        result["traced_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result


def job_cvxpy(job: dict[str, Any]) -> dict[str, Any]:
    """CVXPY on :func:`verify.solve.cvx.problem` (the ``cvxpy`` engine's problem), scored
    against f*. The clock covers building the problem, CVXPY's compilation, the solver and
    the factorisation of Z into (W, H), what a user pays per solve (the imports and one
    warm-up solve of a tiny instance come first); unlike the engine, a non-optimal status
    still gives a point, so its error is reported beside the status."""
    import cvxpy as cp

    from verify.solve import certify, cvx, ufm_objective
    from verify.solve.factor import balanced_factors

    solver, limit = job["solver"], float(job["limit"])
    options: dict[str, Any] = {**CVXPY_OPTIONS[solver], TIME_LIMIT_OPTION[solver]: limit}
    # warm-up on a tiny instance: CVXPY's and the solver's one-time set-up is not charged
    tiny, _, _ = cvx.problem(build({**job["spec"], "K": 2, "N": 4, "balanced": True}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tiny.solve(solver=solver, **options)
    instance = build(job["spec"])
    instance.Y  # noqa: B018  (warm the cached data, as for our engine)
    rss0 = _rss_mib()
    start = time.perf_counter()
    try:
        prob, Z, b = cvx.problem(instance)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            prob.solve(solver=solver, **options)
    except MemoryError:
        return {"status": "out of memory", "seconds": time.perf_counter() - start}
    except Exception as error:  # a failed solve is a result, recorded with its message
        seconds = time.perf_counter() - start
        message = f"{type(error).__name__}: {error}"[:300]
        memory = "memory" in message.lower() or "alloc" in message.lower()
        return {
            "status": "out of memory" if memory else "failed",
            "seconds": seconds,
            "message": message,
        }
    value = None if Z.value is None else np.asarray(Z.value, dtype=np.float64)
    W = H = bias = None
    if value is not None:
        W, H = balanced_factors(instance, value)
        bias = np.zeros(instance.K) if b is None else np.asarray(b.value, dtype=np.float64)
    seconds = time.perf_counter() - start
    stats = prob.solver_stats
    details = {
        "solver_status": prob.status,
        "solver_seconds": stats.solve_time,
        "solver_iterations": stats.num_iters,
        "compile_seconds": getattr(prob, "compilation_time", None),
        "options": options,
    }
    if prob.status == cp.USER_LIMIT or (prob.status != cp.OPTIMAL and seconds >= limit):
        details["status"] = "time limit"
    if W is None:
        details.setdefault("status", "failed")
        details.update(seconds=seconds, note=f"status {prob.status!r} and no solution")
        return details
    result = _score(instance, job, W, H, bias, seconds, rss0, certify, ufm_objective)
    if prob.status != cp.OPTIMAL and result["status"] == "reached":
        result["note"] = f"error within the target, but the solver said {prob.status!r}"
    return {**result, **details}


def _score(
    instance: Any,
    job: dict[str, Any],
    W: Any,
    H: Any,
    b: Any,
    seconds: float,
    rss0: float,
    certify: Any,
    ufm_objective: Any,
) -> dict[str, Any]:
    fstar = job["fstar"]
    if not all(np.all(np.isfinite(x)) for x in (W, H, b)):
        return {"status": "no solution (NaN)", "seconds": seconds}
    f = ufm_objective(instance, W, H, b)
    error = abs(f - fstar) / max(abs(fstar), np.finfo(float).tiny)
    certificate = certify(instance, W, H, b, "peer")
    return {
        "status": "reached" if error <= job["target"] else "inaccurate",
        "seconds": seconds,
        "objective": f,
        "relative_error": error,
        "relative_gap": certificate.relative_gap,
        "rss_before_mib": rss0,
        "peak_rss_mib": _peak_rss_mib(),
    }


def job_gd(job: dict[str, Any]) -> dict[str, Any]:
    """Gradient descent on (W, H, b), clock stopped at the target accuracy."""
    from gd_loop import run_gd

    instance = build(job["spec"])
    instance.Y  # noqa: B018
    rss0 = _rss_mib()
    result = run_gd(
        instance,
        job["fstar"],
        target=job["target"],
        limit=job["limit"],
        seed=job.get("seed", 0),
        check_every=job.get("check_every", 10),
    )
    result.update(rss_before_mib=rss0, peak_rss_mib=_peak_rss_mib())
    return result


def _random_instances(count: int, max_K: int, seed: int) -> list[Any]:
    """Small random instances: K in 2..max_K, balanced (n <= 12) or imbalanced (1..100 per
    class), one-hot / label smoothing / Gaussian encodings, lambda log-uniform in
    [1e-3, 10^-0.5], lambda_b in {0, inf, the threshold c/(1-c), log-uniform in [1e-3, 1e3]}."""
    from verify.encodings import label_smoothing, one_hot, random_encoding
    from verify.instance import Instance

    rng = np.random.default_rng(seed)
    instances = []
    for i in range(count):
        K = int(rng.integers(2, max_K + 1))
        balanced = bool(rng.integers(2))
        counts = (
            (int(rng.integers(1, 13)),) * K
            if balanced
            else tuple(int(n) for n in rng.integers(1, 101, size=K))
        )
        kind = i % 3
        Ybar = [one_hot(K), label_smoothing(K, 0.1), random_encoding(K, int(rng.integers(2**16)))][
            kind
        ]
        lam = float(10 ** rng.uniform(-3, -0.5))
        mode = int(rng.integers(4))
        instance = Instance(Ybar, counts, lambda_W=lam, lambda_H=lam)
        c = instance.c
        if mode == 0:
            lambda_b = 0.0
        elif mode == 1:
            lambda_b = math.inf
        elif mode == 2 and c is not None and c < 1:
            lambda_b = c / (1 - c)
        else:
            lambda_b = float(10 ** rng.uniform(-3, 3))
        instances.append(instance.replace(lambda_b=lambda_b))
    return instances


def _claim_cases(claim: Any, count: int) -> list[Any]:
    """``count`` cases drawn (deterministically) from the claim's own Hypothesis strategy."""
    from hypothesis import HealthCheck, Phase, given, settings

    cases: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(claim.cases())
    def collect(case: Any) -> None:
        cases.append(case)

    collect()
    return cases


def _solve_rate(instances: list[Any]) -> dict[str, Any]:
    """Certified instances per second of bare ``solve`` (engine + certificate), after a warm-up."""
    from verify.solve import solve

    solve(instances[0])  # warm-up (imports, BLAS threads)
    start = time.perf_counter()
    certified = sum(solve(inst).certified for inst in instances)
    seconds = time.perf_counter() - start
    return {
        "instances": len(instances),
        "certified": certified,
        "seconds": seconds,
        "per_second": certified / seconds,
    }


def job_hunt(job: dict[str, Any]) -> dict[str, Any]:
    """Certified instances per second for small K, measured two ways.

    ``solve``: :func:`verify.solve.solve` (engine + certificate) over random instances drawn
    beforehand, the bare cost per instance. ``claims``: for every claim of the registry,
    :func:`verify.claims.runner.evaluate` (solve, certify, premise, conclusion) over cases
    drawn beforehand from the claim's own strategy, after one untimed evaluation (which builds
    the claim's cached symbolic forms): what a hunt pays per instance.
    """
    from verify.claims.registry import registry
    from verify.claims.runner import evaluate

    instances = _random_instances(job["count"], job.get("max_K", 5), job.get("seed", 0))
    result = _solve_rate(instances)
    result["max_K"] = max(inst.K for inst in instances)
    claims = []
    for claim in registry().values():
        cases = _claim_cases(claim, job.get("claim_count", 100))
        evaluate(claim, cases[0])  # warm-up: symbolic derivations are cached per claim
        start = time.perf_counter()
        outcomes = [evaluate(claim, case) for case in cases]
        seconds = time.perf_counter() - start
        solves = sum(len(o.gaps) for o in outcomes)
        good = sum(sum(g <= DEFAULT.gap for g in o.gaps) for o in outcomes)
        statuses: dict[str, int] = {}
        for o in outcomes:
            statuses[o.status] = statuses.get(o.status, 0) + 1
        claims.append(
            {
                "claim": claim.id,
                "cases": len(cases),
                "max_K": max(c.instance.K for c in cases),
                "solves": solves,
                "certified_solves": good,
                "seconds": seconds,
                "cases_per_second": len(cases) / seconds,
                "certified_per_second": good / seconds,
                "statuses": statuses,
            }
        )
    with_solves = [c for c in claims if c["solves"]]
    total_seconds = sum(c["seconds"] for c in with_solves)
    result["claims"] = claims
    result["claims_per_second"] = sum(c["certified_solves"] for c in with_solves) / max(
        total_seconds, 1e-12
    )
    return result


def _random_ce_instances(count: int, max_K: int, seed: int) -> list[Any]:
    """Small random cross-entropy instances: K in 2..max_K, balanced (n <= 12) or imbalanced
    (1..100 a class), one-hot / label smoothing 0.1 / random column-stochastic encodings, lambda
    log-uniform in [1e-3, 10^-0.5], lambda_b in {0, inf, log-uniform in [1e-3, 1e3]}."""
    from cases import _encoding

    from verify.instance import Instance

    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        K = int(rng.integers(2, max_K + 1))
        counts = (
            (int(rng.integers(1, 13)),) * K
            if rng.integers(2)
            else tuple(int(n) for n in rng.integers(1, 101, size=K))
        )
        Ybar = _encoding(("one_hot", "smooth", "stochastic")[i % 3], K, int(rng.integers(2**16)))
        lam = float(10 ** rng.uniform(-3, -0.5))
        mode = int(rng.integers(3))
        lambda_b = (0.0, math.inf, float(10 ** rng.uniform(-3, 3)))[mode]
        out.append(Instance(Ybar, counts, lambda_W=lam, lambda_H=lam, lambda_b=lambda_b, loss="ce"))
    return out


def job_hunt_ce(job: dict[str, Any]) -> dict[str, Any]:
    """Certified cross-entropy instances per second for small K: bare ``solve`` (engine +
    certificate) over random instances, the same instances stacked as a hunt's sweep solves
    them (:func:`verify.solve.batch.solve_many`, blocks of ``SWEEP_BLOCK``; an instance it
    leaves to the caller counts as not certified here), and ``evaluate`` over the cases of
    every claim that assumes cross-entropy (what a hunt of such a claim pays)."""
    from verify.claims.registry import registry
    from verify.claims.runner import SWEEP_BLOCK, evaluate
    from verify.solve.batch import solve_many

    instances = _random_ce_instances(job["count"], job.get("max_K", 5), job.get("seed", 0))
    result = _solve_rate(instances)
    solve_many(instances[:SWEEP_BLOCK])  # warm-up
    start = time.perf_counter()
    stacked = [
        s
        for i in range(0, len(instances), SWEEP_BLOCK)
        for s in solve_many(instances[i : i + SWEEP_BLOCK])
    ]
    took = time.perf_counter() - start
    certified = sum(s is not None and s.certified for s in stacked)
    result["stacked"] = {
        "block": SWEEP_BLOCK,
        "instances": len(instances),
        "certified": certified,
        "seconds": took,
        "per_second": certified / took,
    }
    claims = []
    for claim in registry().values():
        if "cross_entropy" not in claim.hypotheses:
            continue
        cases = _claim_cases(claim, job.get("claim_count", 100))
        evaluate(claim, cases[0])
        start = time.perf_counter()
        outcomes = [evaluate(claim, case) for case in cases]
        took = time.perf_counter() - start
        good = sum(sum(g <= DEFAULT.gap for g in o.gaps) for o in outcomes)
        claims.append(
            {"claim": claim.id, "cases": len(cases), "certified_solves": good, "seconds": took}
        )
    result["claims"] = claims
    total = sum(c["seconds"] for c in claims)
    result["claims_per_second"] = sum(c["certified_solves"] for c in claims) / max(total, 1e-12)
    return result


JOBS = {
    "exact": job_exact,
    "cvxpy": job_cvxpy,
    "gd": job_gd,
    "hunt": job_hunt,
    "hunt_ce": job_hunt_ce,
}


def main() -> None:
    job = json.loads(sys.stdin.read())
    limit_gib = job.get("memory_limit_gib")
    if limit_gib:
        cap = int(limit_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    if job["job"] == "cvxpy":  # import the solvers before any clock starts
        import clarabel  # noqa: F401
        import cvxpy  # noqa: F401
        import scs  # noqa: F401

        from verify.solve import cvx  # noqa: F401
    result = JOBS[job["job"]](job)
    print(json.dumps(result, allow_nan=True))


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown (large arrays, solver threads)
