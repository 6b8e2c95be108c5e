"""Scale benchmark of ``verify metrics`` against the metric libraries a user would pick instead.

Usage, from the repository root::

    python benchmarks/metrics_scale.py              # both cases (the large one: ~8 GB on disk)
    python benchmarks/metrics_scale.py --only peer  # N = 200,000, d = 512, K = 100 only

Cases (float32 features (N, d) in an .npy file, int64 labels, a classifier W (K, d) and b):

- ``peer``: N = 200,000, d = 512, K = 100, side by side with every peer that runs here.
- ``large``: N = 10^6, d = 2048, K = 100, nc-verify alone (two passes over an 8.2 GB file).

Every tool runs in a fresh subprocess of this script; its wall time and its peak resident
memory (``ru_maxrss`` from ``wait4``, which counts the pages of a memory map it touched) are
measured from outside. Peers: felixsh/nc-toolbox (numpy) is imported from its source (its
snapshot, ``--nc-toolbox PATH``, or an installed ``nc_toolbox``); rhubarbwu/neural-collapse,
tding1/Neural-Collapse and jinxinzhou/nc_loss need torch, which the project does not depend on:
benchmarks/metrics_peers.py runs them side by side with nc-verify from a separate environment,
and here they are rows pointing there. Writes its rows into reports/benchmarks.md strictly between the markers
``<!-- metrics-scale:start -->`` and ``<!-- metrics-scale:end -->`` (appended if absent; the
rest of the file is left as it is) and reports/benchmarks_metrics.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = {"peer": (200_000, 512, 100), "large": (1_000_000, 2048, 100)}
START, END = "<!-- metrics-scale:start -->", "<!-- metrics-scale:end -->"
TORCH_PEERS = ("rhubarbwu/neural-collapse", "tding1/Neural-Collapse", "jinxinzhou/nc_loss")
TORCH_ELSEWHERE = "needs torch: run by benchmarks/metrics_peers.py (section metrics-peers)"
# Every tool runs with single-threaded BLAS: on this shared machine (2 cores, more runnable
# jobs than cores) OpenBLAS's threads thrash (a 512 x 100 SVD took 4.5 s with 2 threads
# against 0.02 s with one), which would measure the contention, not the tools.
SINGLE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
SNAPSHOT = Path("/work/.mirror/felixsh+nc-toolbox/repo")


def make_case(folder: Path, N: int, d: int, K: int, seed: int = 0) -> None:
    """Features h_i = 3 mu_{y_i} + noise (float32), written in blocks through a memory map."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, K, N)
    centres = 3.0 * rng.standard_normal((K, d)).astype(np.float32)
    out = np.lib.format.open_memmap(folder / "X.npy", mode="w+", dtype=np.float32, shape=(N, d))
    for a in range(0, N, 50_000):
        b = min(N, a + 50_000)
        out[a:b] = centres[labels[a:b]] + rng.standard_normal((b - a, d), dtype=np.float32)
    out.flush()
    del out
    np.save(folder / "y.npy", labels)
    np.save(folder / "W.npy", centres.astype(np.float64) + 0.5 * rng.standard_normal((K, d)))
    np.save(folder / "b.npy", 0.1 * rng.standard_normal(K))


# --- one tool, in its own process -----------------------------------------------------------


def run_ours(folder: Path) -> dict[str, Any]:
    from verify.metrics import measure_file

    m = measure_file(
        folder / "X.npy", folder / "y.npy", folder / "W.npy", folder / "b.npy", progress=False
    )
    v = m.values
    return {
        "nc1_papyan": v["nc1_centred"],
        "nc1_cdnv": v["nc1_cdnv"],
        "nc2_equinorm": v["nc2_equinorm_centred"],
        "nc3_self_duality": v["nc3_self_duality_centred"],
        "nc4_mismatch": v["nc4"],
    }


def run_nc_toolbox(folder: Path, source: str) -> dict[str, Any]:
    if source:
        sys.path.insert(0, source)
    import nc_toolbox as nct  # type: ignore[import-not-found]

    H = np.load(folder / "X.npy")  # the library takes (N, d) arrays in memory
    L = np.load(folder / "y.npy")
    W, b = np.load(folder / "W.npy"), np.load(folder / "b.npy")
    mu_c = nct.class_embedding_means(H, L)
    mu_g = nct.global_embedding_mean(H)
    var_c = nct.class_embedding_variances(H, L, mu_c)
    return {
        "nc1_papyan": nct.nc1_strong(H, L, mu_c, mu_g),
        "nc1_cdnv": nct.nc1_cdnv(mu_c, var_c),
        "nc2_equinorm": float(
            np.std(np.linalg.norm(mu_c - mu_g, axis=1))
            / np.mean(np.linalg.norm(mu_c - mu_g, axis=1))
        ),
        "nc3_self_duality": nct.nc3_self_duality(W, mu_c, mu_g),
        "nc4_mismatch": 1.0 - nct.nc4_classifier_agreement(H, W, b, mu_c),
    }


def child(tool: str, folder: Path, source: str) -> None:
    result = run_ours(folder) if tool == "nc-verify" else run_nc_toolbox(folder, source)
    print(json.dumps({k: float(v) for k, v in result.items()}))


# --- the parent ----------------------------------------------------------------------------


def measure_tool(tool: str, folder: Path, source: str, timeout: float) -> dict[str, Any]:
    argv = [sys.executable, __file__, "--child", tool, "--dir", str(folder), "--nc-toolbox", source]
    env = dict(os.environ, **SINGLE_THREAD)
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"tool": tool, "status": f"timeout after {timeout:.0f} s"}
    wall = time.perf_counter() - start
    peak = _children_peak()  # this process has run only this one child
    if proc.returncode != 0:
        return {
            "tool": tool,
            "status": f"failed: {err.strip().splitlines()[-1] if err.strip() else proc.returncode}",
        }
    return {
        "tool": tool,
        "status": "ok",
        "seconds": wall,
        "peak_bytes": peak,
        "values": json.loads(out),
    }


def _children_peak() -> int:
    """Peak resident memory (bytes) of the largest child reaped so far (Linux: KiB units)."""
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


@contextmanager
def generated_case(prefix: str, N: int, d: int, K: int) -> Iterator[tuple[Path, float, int]]:
    """A temporary folder (under ``BENCH_TMP`` if set) holding :func:`make_case`'s files:
    (folder, seconds to generate them, bytes of the features ``X.npy``)."""
    with tempfile.TemporaryDirectory(prefix=prefix, dir=os.environ.get("BENCH_TMP")) as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        make_case(folder, N, d, K)
        generated = time.perf_counter() - t0
        yield folder, generated, (folder / "X.npy").stat().st_size


def run_case(name: str, source: str, timeout: float) -> dict[str, Any]:
    N, d, K = CASES[name]
    with generated_case("nc-metrics-bench-", N, d, K) as (folder, generated, input_bytes):
        rows = []
        tools = ["nc-verify"] + (["nc-toolbox"] if name == "peer" else [])
        for tool in tools:  # each in a fresh process, measured one after another
            rows.append(_isolated(tool, folder, source, timeout))
        for peer in TORCH_PEERS if name == "peer" else ():
            rows.append({"tool": peer, "status": TORCH_ELSEWHERE})
    return {
        "case": name,
        "N": N,
        "d": d,
        "K": K,
        "input_bytes": input_bytes,
        "generate_seconds": generated,
        "rows": rows,
    }


def _isolated(tool: str, folder: Path, source: str, timeout: float) -> dict[str, Any]:
    """One tool in a grandchild, so RUSAGE_CHILDREN of its own parent is that tool's peak."""
    argv = [
        sys.executable,
        __file__,
        "--measure",
        tool,
        "--dir",
        str(folder),
        "--nc-toolbox",
        source,
        "--timeout",
        str(timeout),
    ]
    out = subprocess.run(argv, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return {"tool": tool, "status": f"failed: {out.stderr.strip()[-300:]}"}
    return json.loads(out.stdout)


def _markdown(results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        "## verify metrics at scale",
        "",
        "Written by `python benchmarks/metrics_scale.py` (this section only). float32 features "
        "(N, d) in an .npy file, labels, W and b; NC1 (Papyan), CDNV, equinorm, self-duality and "
        "NC4 for the peer, every convention for nc-verify (two passes, memory-mapped). Wall time "
        "and peak resident memory of a fresh process per tool, measured from outside. "
        f"{meta['note']}",
        "",
        "| case | N | d | K | input | tool | status | wall (s) | peak memory | peak / input |",
        "|---|---:|---:|---:|---:|---|---|---:|---:|---:|",
    ]
    for r in results:
        size = r["input_bytes"]
        for row in r["rows"]:
            if row.get("status", "").startswith("not run: needs torch"):  # an earlier run's row
                row = {**row, "status": TORCH_ELSEWHERE}
            ok = row.get("status") == "ok"
            lines.append(
                f"| {r['case']} | {r['N']:,} | {r['d']} | {r['K']} | {size / 2**20:,.0f} MiB | "
                f"{row['tool']} | {row['status']} | "
                + (
                    f"{row['seconds']:.1f} | {row['peak_bytes'] / 2**20:,.0f} MiB | "
                    f"{row['peak_bytes'] / size:.2f} |"
                    if ok
                    else "– | – | – |"
                )
            )
    agree = [r for r in results if r["case"] == "peer"]
    if agree:
        rows = {row["tool"]: row for row in agree[0]["rows"] if row.get("status") == "ok"}
        if "nc-verify" in rows and "nc-toolbox" in rows:
            lines += [
                "",
                "Agreement on the peer case (relative difference, nc-verify vs nc-toolbox):",
                "",
            ]
            ours, theirs = rows["nc-verify"]["values"], rows["nc-toolbox"]["values"]
            for key in ours:
                a, b = ours[key], theirs[key]
                rel = abs(a - b) / max(abs(a), abs(b), 1e-300)
                lines.append(f"- {key}: {a:.10g} vs {b:.10g} ({rel:.1e})")
            lines += [
                "",
                "Why they differ: CDNV, nc-toolbox divides the class variances by n_k - 1 "
                "(Galanti et al. and nc-verify by n_k); equinorm and self-duality, nc-toolbox's "
                "class means and global mean are float32 averages (~1e-7); NC1, the rounding of "
                "those float32 averages gives the centred class means a spurious K-th direction "
                "(exactly, they have rank K - 1 = 99 in d = 512; Sigma_B's 100th eigenvalue "
                "becomes 1.6e-10), which `np.linalg.pinv` keeps, so Sigma_W's noise is divided "
                "by a rounding eigenvalue. Checked on 20,000 rows of the same generator: float64 "
                "averages and `np.linalg.pinv` give nc-verify's NC1 to 1e-15, float32 averages "
                "6.4e7.",
            ]
    lines += ["", f"Machine: {meta['machine']}; {meta['when']}.", ""]
    return "\n".join(lines)


def write_reports(results: list[dict[str, Any]], meta: dict[str, Any]) -> None:
    from verify.io import atomic_write_json

    md = ROOT / "reports" / "benchmarks.md"
    text = md.read_text() if md.exists() else ""
    block = f"{START}\n{_markdown(results, meta)}{END}"
    if START in text and END in text and text.index(START) < text.index(END):
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        new = head + block + tail
    else:
        new = text + ("" if text.endswith("\n") or not text else "\n") + "\n" + block + "\n"
    tmp = md.with_suffix(".md.tmp-metrics")
    tmp.write_text(new)
    os.replace(tmp, md)
    path = ROOT / "reports" / "benchmarks_metrics.json"
    saved = json.loads(path.read_text()) if path.exists() else {}
    saved.update({"meta": meta, "cases": results})  # metrics_peers.py's "peers" kept
    atomic_write_json(path, saved)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", choices=sorted(CASES), default=None)
    p.add_argument("--nc-toolbox", default=str(SNAPSHOT) if SNAPSHOT.exists() else "")
    p.add_argument("--timeout", type=float, default=1800.0)
    p.add_argument("--render", action="store_true", help="rewrite the section from the JSON")
    p.add_argument("--tiny", action="store_true", help="N = 20,000 peer case, no reports written")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    p.add_argument("--measure", default=None, help=argparse.SUPPRESS)
    p.add_argument("--dir", default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args.child, Path(args.dir), args.nc_toolbox)
        return
    if args.measure:
        print(json.dumps(measure_tool(args.measure, Path(args.dir), args.nc_toolbox, args.timeout)))
        return
    if args.render:  # the markdown again from the measured JSON (no measurement)
        saved = json.loads((ROOT / "reports" / "benchmarks_metrics.json").read_text())
        write_reports(saved["cases"], saved["meta"])
        return
    source = _peer_source(args.nc_toolbox)
    if args.tiny:
        CASES["peer"] = (20_000, 512, 100)
    cases = ["peer"] if args.tiny else [args.only] if args.only else ["peer", "large"]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results = [run_case(name, source, args.timeout) for name in cases]
    meta = {
        "when": started,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}",
        "note": _load_note(os.getloadavg()),
        "nc_toolbox": source or "not found",
    }
    if not args.tiny:
        write_reports(results, meta)
    print(json.dumps(results, indent=1))


def _load_note(load: tuple[float, float, float]) -> str:
    """How busy the machine was: one run, so a busy machine makes the timings indicative."""
    shown = ", ".join(f"{x:.1f}" for x in load)
    busy = load[0] > 1.5  # more than this process and a little else on the 2 cores
    return (
        f"One run on a shared machine (2 cores; load average at the start: {shown}"
        + (
            "; other jobs running: timings are indicative, not quiet-machine numbers"
            if busy
            else ""
        )
        + "), every tool with single-threaded BLAS."
    )


def _peer_source(path: str) -> str:
    """A directory importing ``nc_toolbox``: the snapshot's tree exported to a temporary
    directory (its git directory has no work tree), or '' to use an installed one."""
    if not path:
        return ""
    repo = Path(path)
    if (repo / "nc_toolbox").is_dir():
        return str(repo)
    out = Path(tempfile.mkdtemp(prefix="nc-toolbox-src-"))
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", "HEAD", "nc_toolbox"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return str(out)


if __name__ == "__main__":
    main()
