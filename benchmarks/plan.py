"""What a benchmark run measures: the instances of each section, full and ``--quick``."""

from __future__ import annotations

from typing import Any

from cases import spec

#: Accuracy every solver is timed to: relative objective error to the certified optimum.
TARGET = 1e-8
#: CVXPY solvers compared, by CVXPY's name.
CVXPY_SOLVERS = ("CLARABEL", "SCS")


def peers(quick: bool) -> list[dict[str, Any]]:
    """Instances solved by every engine, smallest K N first (a peer that fails at one size, by
    the time limit, memory or a crash, is not run on larger ones).

    CVXPY's nuclear norm becomes a (K + N) x (K + N) semidefinite block, so Clarabel's
    interior-point steps grow like N^4 (about 0.4 s at K=4, N=40 and 40 s at N=120 here) and
    SCS's eigendecompositions like N^3: the list climbs in small steps where they stop."""
    if quick:
        return [
            spec(4, 40),
            spec(4, 40, lambda_b="threshold"),
            spec(4, 40, balanced=False, encoding="random"),
            spec(4, 80, encoding="random", lambda_b="threshold"),
            spec(4, 160),
            spec(10, 1000),
        ]
    return [
        spec(4, 40),
        spec(4, 40, lambda_b="threshold"),
        spec(4, 40, lambda_b="large"),
        spec(4, 40, balanced=False, encoding="random"),
        spec(4, 80, encoding="random", lambda_b="threshold"),
        spec(4, 120),
        spec(4, 160, lambda_b="threshold"),
        spec(10, 200, balanced=False, encoding="random"),
        spec(4, 320, lambda_b="threshold"),
        spec(10, 1000),
        spec(10, 2000, balanced=False, encoding="random"),
        spec(10, 10000),
        spec(100, 100000),
    ]


def growth(quick: bool) -> dict[str, list[dict[str, Any]]]:
    """Our engine against N (K fixed) and against K (N fixed)."""
    if quick:
        return {
            "N (K=100)": [spec(100, N) for N in (1000, 10000, 100000)],
            "K (N=20000)": [spec(K, 20000) for K in (10, 100, 1000)],
        }
    return {
        "N (K=10)": [spec(10, N) for N in (1000, 10000, 100000, 1000000)],
        "N (K=100)": [spec(100, N) for N in (1000, 10000, 100000, 1000000)],
        "K (N=20000)": [spec(K, 20000) for K in (10, 20, 50, 100, 200, 500, 1000)],
    }


def targets(quick: bool) -> list[dict[str, Any]]:
    """The sizes the targets name, in their variants (threshold rows sit beside the rest)."""
    rows = [
        spec(100, 100000),
        spec(100, 100000, lambda_b="threshold"),
        spec(100, 100000, lambda_b="large"),
        spec(1000, 20000),
    ]
    if quick:
        return rows
    return [
        *rows[:3],
        spec(100, 100000, lambda_b="inf"),
        spec(100, 100000, encoding="random"),
        spec(100, 100000, balanced=False, encoding="random"),
        spec(100, 100000, balanced=False, encoding="random", lambda_b="large"),
        rows[3],
        spec(1000, 20000, lambda_b="threshold"),
        spec(1000, 20000, lambda_b="large"),
        spec(1000, 20000, balanced=False, encoding="random"),
    ]


def threshold_groups(quick: bool) -> list[list[dict[str, Any]]]:
    """Same size and data, lambda_b at 0, at the threshold c/(1-c), and large."""
    sizes = [(4, 40), (100, 100000)] if quick else [(4, 40), (100, 100000), (1000, 20000)]
    return [
        [spec(K, N), spec(K, N, lambda_b="threshold"), spec(K, N, lambda_b="large")]
        for K, N in sizes
    ]
