"""The benchmark figures: time to accuracy against the peers, growth, hunt throughput."""

from __future__ import annotations

import io
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from .common import (
    FAILED,
    PEER_LABEL,
    growth_series,
    median_of,
    over_yyt,
    problem_size,
    speed,
)


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


STYLES = {
    "exact": ("C0", "o"),
    "CLARABEL": ("C1", "s"),
    "SCS": ("C2", "^"),
    "GD": ("C3", "D"),
}
LABELS = {"exact": "ours: solve() (engine + certificate)", **PEER_LABEL}


def _figure_peers(results: dict[str, Any], plt: Any) -> Any:
    limit = results["settings"]["limit_seconds"]
    fig, (ax, bx) = plt.subplots(2, 1, figsize=(12, 10.5))
    for key, (color, marker) in STYLES.items():
        pts: dict[str, list[tuple[int, float]]] = {
            "ok": [],
            "inaccurate": [],
            "failed": [],
        }
        ratios: dict[str, list[tuple[int, float]]] = {"ok": [], "bound": []}
        for r in results["peers"]:
            size, ours = problem_size(r), speed(r["exact"])
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
    for i, (series, rows) in enumerate(growth_series(results)):
        along = "N" if series.startswith("N") else "K"
        ax = tn if along == "N" else tk
        x = [r["spec"][along] for r in rows]
        color = f"C{i}"
        ex = [r["exact"] for r in rows]
        ax.plot(x, [speed(e) for e in ex], "o-", color=color, label=f"solve() ({series})")
        for key, style, alpha, what in (
            ("engine", "v:", 0.7, "engine alone"),
            ("certify", "s:", 0.7, "certificate alone"),
            ("yyt", "--", 0.6, "Y Y^T, one pass"),
        ):
            ax.plot(
                x,
                [median_of(e, key) for e in ex],
                style,
                color=color,
                alpha=alpha,
                label=f"{what} ({series})",
            )
        sizes = [problem_size(r) for r in rows]
        rx.plot(sizes, [over_yyt(e) for e in ex], "o-", color=color, label=f"{series}")
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
            [problem_size(r) for r in targets],
            [over_yyt(r["exact"]) for r in targets],
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


def draw(results: dict[str, Any], directory: Path) -> list[Path]:
    """Every figure of the page, written atomically into ``directory``; their paths."""
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
