"""What the page, the targets and the figures share: peer names, and how a row's numbers are read
and written (seconds, ratios, MiB, the busy-machine mark)."""

from __future__ import annotations

import math
from typing import Any

PEERS = ("CLARABEL", "SCS", "GD")
PEER_LABEL = {
    "CLARABEL": "CVXPY + Clarabel",
    "SCS": "CVXPY + SCS",
    "GD": "gradient descent",
}
#: Peer statuses that mean "did not finish" (time limit, memory, crash, divergence).
FAILED = (
    "time limit",
    "out of memory",
    "crashed",
    "failed",
    "diverged",
    "no solution (NaN)",
)


def speed(ours: dict[str, Any]) -> float:
    """Our time for every comparison: the median over rounds of solve() (engine + certificate)."""
    return float(ours.get("total_median", ours.get("total", math.nan)))


def over_yyt(ours: dict[str, Any]) -> float:
    """Median over rounds of solve() / Y Y^T, both timed in the same round."""
    if "total_over_yyt" in ours:
        return float(ours["total_over_yyt"])
    return speed(ours) / float(ours.get("yyt_median", ours.get("yyt", math.nan)))


def median_of(ours: dict[str, Any], key: str) -> float:
    return float(ours.get(f"{key}_median", ours.get(key, math.nan)))


def problem_size(row: dict[str, Any]) -> int:
    return int(row["spec"]["K"] * row["spec"]["N"])


def verdict(measured: float, bound: float, *, at_least: bool) -> tuple[bool, str]:
    if not math.isfinite(measured):
        return False, "not measured"
    ok = measured >= bound if at_least else measured <= bound
    factor = measured / bound if at_least else bound / max(measured, 1e-300)
    if ok:
        return True, f"pass ({factor:.3g}x margin)"
    return False, f"miss by {1 / factor:.3g}x"


def sec(x: Any, digits: int = 3) -> str:
    """Seconds, compactly."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    x = float(x)
    if x < 1e-3:
        return f"{x * 1e6:.0f} µs"
    if x < 1:
        return f"{x * 1e3:.{max(digits - 2, 0)}f} ms" if x < 0.1 else f"{x * 1e3:.0f} ms"
    return f"{x:.{digits - 1}f} s" if x < 10 else f"{x:.0f} s"


def ratio_text(ratio: float) -> str:
    """A ratio, e.g. ``1,234x`` or ``2.5x``."""
    if not math.isfinite(ratio):
        return "-"
    return f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.2g}x"


#: A row of ours is marked when other processes used more than this share of the CPUs.
NOISY = 0.15


def busy_mark(ours: dict[str, Any]) -> str:
    """A dagger after a time measured while other processes used the CPUs."""
    load = ours.get("machine_load", {}).get("others_cpu_fraction", 0.0)
    return " †" if load > NOISY else ""


def busy_note(ours: dict[str, Any]) -> str:
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


def growth_series(results: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The growth series, those against N first (a JSON round trip sorts the keys)."""
    return sorted(results["growth"].items(), key=lambda kv: (not kv[0].startswith("N"), kv[0]))


def mib(x: Any) -> str:
    if x is None or not math.isfinite(float(x)):
        return "-"
    x = float(x)
    return f"{x * 1024:.0f} KiB" if x < 1 else f"{x:,.0f} MiB" if x >= 10 else f"{x:.1f} MiB"


def exact_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows = list(results["peers"]) + list(results["targets"])
    for _, series in growth_series(results):
        rows += series
    for group in results["threshold"]:
        rows += group
    return rows


def peer_summary(results: dict[str, Any], peer: str) -> dict[str, Any]:
    """Largest instance the peer reached the target on, its ratio there, and its first failure."""
    rows = results["peers"]
    reached = [r for r in rows if r["peers"][peer].get("status") == "reached"]
    failed = [r for r in rows if r["peers"][peer].get("status") in FAILED]
    out: dict[str, Any] = {"reached": len(reached), "instances": len(rows)}
    if reached:
        big = max(reached, key=problem_size)
        out["largest"] = big
        out["ratio"] = big["peers"][peer]["seconds"] / speed(big["exact"])
    if failed:
        out["first_failure"] = min(failed, key=problem_size)
    return out
