"""``verify sphere solve|hunt``: the UFM on the hypersphere (seed 003, docs/SPHERE.md).

A separate command, not ``verify solve --model sphere``: ``verify solve`` is the regularised UFM's
certified solve (its options, outputs and certificate are those of a convex problem), while here a
solve is a local search whose evidence is of another kind (a feasible point re-evaluated in 50
digits, a proved bound where one exists, a Hessian spectrum); mixing both in one parser would
give every option two meanings. ``verify sphere solve --loss ntce --tau T ...`` is the command the
issue asks for, under its own name.
"""

from __future__ import annotations

import argparse
from typing import Any

import mpmath
import numpy as np
from rich.table import Table

from ..errors import InvalidArgument, InvalidFile
from ..io import atomic_write_json
from .common import console, positive_int

__all__ = [
    "add_parser",
    "full_problem_cells",
    "hunt_table",
    "parse_counts",
    "run_hunt",
    "run_metrics",
    "run_solve",
]


def parse_counts(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(x) for x in text.split(","))
    except ValueError:
        raise InvalidArgument("--counts", text, "a comma-separated list of integers") from None
    return counts


def _common(p: argparse.ArgumentParser) -> None:
    from ..sphere.model import LOSS_NAMES

    p.add_argument("--loss", required=True, help=f"one of {', '.join(LOSS_NAMES)}")
    p.add_argument("--tau", type=float, required=True, help="temperature, > 0")
    p.add_argument("--d", type=int, default=None, help="feature dimension (default K - 1)")
    p.add_argument("--starts", type=positive_int("--starts"), default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", default=None, help="write the result as JSON")


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(
        name,
        help="the UFM on the hypersphere (seed 003): local search, proved optima, hunts",
        description="Features and prototypes on the unit sphere, temperature tau, no weight "
        "decay; losses NormFace, NTCE, NONL (three denominators), SupCon (docs/SPHERE.md).",
    )
    inner = p.add_subparsers(dest="sphere_command", required=True, parser_class=type(p))
    s = inner.add_parser("solve", help="multi-start local search, certified value, NC metrics")
    _common(s)
    s.add_argument("--counts", type=str, default=None, help="class counts, e.g. 100,100,100")
    s.add_argument("--K", type=int, default=None, help="classes (with --n: balanced)")
    s.add_argument("--n", type=int, default=None, help="samples per class (with --K)")
    s.add_argument(
        "--full", action="store_true", help="search all N features (default: the class-"
        "structured reduction, lifted and re-evaluated on all N)",
    )  # fmt: skip
    s.add_argument("--prototypes", default=None, help="a .npy (K, d) of unit rows: one more start")
    s.set_defaults(run=run_solve)
    h = inner.add_parser("hunt", help="the optimum under imbalance against the ratio")
    _common(h)
    h.add_argument("--K", type=int, default=3)
    h.add_argument("--n", type=int, default=2, help="samples of each minority class")
    h.add_argument("--ratios", default="1,2,5,10,20", help="majority/minority ratios")
    h.set_defaults(run=run_hunt)
    m = inner.add_parser(
        "metrics", help="seed 003's NC measures and percent-of-NC of saved features"
    )
    m.add_argument("features", help=".npy (N, d), rows normalised before measuring")
    m.add_argument("labels", help=".npy (N,) integer labels 0..K-1")
    m.add_argument("--prototypes", default=None, help=".npy (K, d) of unit rows")
    m.add_argument("--json", default=None)
    m.set_defaults(run=run_metrics)


def _problem(args: argparse.Namespace) -> Any:
    from ..sphere.model import SphereProblem

    if args.counts is not None:
        counts = parse_counts(args.counts)
    elif args.K is not None and args.n is not None:
        counts = (args.n,) * args.K
    else:
        raise InvalidArgument("--counts", None, "give --counts, or --K and --n")
    d = len(counts) - 1 if args.d is None else args.d
    return SphereProblem(args.loss, counts, d, args.tau)


def _prototypes(path: str, K: int, d: int) -> np.ndarray:
    from ..sphere.model import check_unit_rows

    try:
        X = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise InvalidFile(f"--prototypes={path!r}: not a readable .npy file ({error})") from None
    if X.shape != (K, d):
        raise InvalidArgument("--prototypes", f"shape {X.shape}", f"must be (K, d) = ({K}, {d})")
    return check_unit_rows("--prototypes", X, d)


def solve_record(p: Any, args: argparse.Namespace) -> dict[str, Any]:
    from ..sphere.bounds import bound, nc_point
    from ..sphere.exact import exact_loss
    from ..sphere.metrics import nc_metrics, percent_of_nc
    from ..sphere.reduction import check_lift, lift, reduced_weights
    from ..sphere.solve import local_search

    init = None
    if args.prototypes is not None:
        P = _prototypes(args.prototypes, p.K, p.d)
        init = np.concatenate([P, P if not args.full else P[p.labels]])
        if not p.has_prototypes:
            init = P if not args.full else P[p.labels]
    found = local_search(p, args.starts, args.seed, reduced=not args.full, init=init)
    H = lift(p, found.H) if found.reduced else found.H
    if found.reduced:  # the reduced point, lifted: its value re-checked on all N samples
        lifted = check_lift(p, found.W, found.H)
        labels, m = reduced_weights(p)
        certified = exact_loss(p.loss, found.W, found.H, labels, m, p.tau)
    else:
        lifted = None
        certified = exact_loss(p.loss, found.W, found.H, p.labels, None, p.tau)
    record: dict[str, Any] = {
        "problem": p.to_dict(),
        "search": {k: v for k, v in found.as_dict().items() if k not in ("W", "H")},
        "certified_value": mpmath.nstr(certified.value, 40),
        "certified_error": float(certified.error),
        "lift_check": None if lifted is None else lifted.__dict__,
        "metrics_percent_of_nc": percent_of_nc(nc_metrics(found.W, H, p.labels), p.K),
        "W": None if found.W is None else found.W.tolist(),
        "G_or_H": found.H.tolist(),
    }
    if p.balanced and p.d >= p.K - 1 and (p.loss != "supcon" or p.counts[0] >= 2):
        b = bound(p.loss, p.K, p.counts[0], p.tau)
        W, Hnc = nc_point(p.K, p.counts, p.d)
        record["proved_optimum"] = b
        record["relative_gap_to_optimum"] = (float(certified.value) - b) / max(1.0, abs(b))
        record["status"] = (
            "proved optimum (balanced, d >= K - 1): the point is within the gap of it"
        )
        del W, Hnc
    else:
        record["status"] = "supported: local search only (no proved bound for these counts)"
    return record


def run_solve(args: argparse.Namespace) -> int:
    p = _problem(args)
    record = solve_record(p, args)
    if args.json:
        atomic_write_json(args.json, record)
    s = record["search"]
    console.print(f"sphere {p.describe()}: best of {args.starts} starts")
    console.print(
        f"  value {s['value']:.15g} (50 digits: {record['certified_value'][:32]}...), "
        f"|grad| {s['gradient_norm']:.1e}, Hessian min {s['hessian_min']:.1e} "
        f"({'PSD' if s['second_order'] else 'NOT PSD'})"
    )
    if "proved_optimum" in record:
        console.print(
            f"  proved optimum {record['proved_optimum']:.15g}, relative gap "
            f"{record['relative_gap_to_optimum']:.1e}"
        )
    pct = ", ".join(f"{k} {v:.1f}%" for k, v in record["metrics_percent_of_nc"].items())
    console.print(f"  NC: {pct}")
    console.print(f"  status: {record['status']}")
    if args.json:
        console.print(f"wrote {args.json}")
    return 0


def full_problem_cells(row: dict[str, Any]) -> tuple[str, str]:
    """A hunt row's check of the class-structured reduction on the full problem (all N
    features, at the lift of the reduced optimum), first and second order: the verdict, and
    the Riemannian gradient norm and smallest Hessian eigenvalue it rests on."""
    full = row["full_problem"]
    verdict = "critical" if row["lift_critical"] else "NOT critical"
    return verdict, f"{full['gradient_norm']:.1e}, {full['hessian_min']:.1e}"


def hunt_table(data: dict[str, Any]) -> Table:
    """The table of ``verify sphere hunt``: one row per ratio."""
    table = Table(
        title=f"{data['loss']}, K={data['K']}, minority n={data['n']}, d={data['d']}, "
        f"tau={data['tau']}",
        caption="full problem: the reduced optimum lifted to all N features, critical when "
        "|grad| <= sphere_gradient and the Hessian's smallest eigenvalue >= -sphere_hessian "
        "(relative to the largest)",
    )
    for col in ("ratio", "best", "at ETF", "certified gap below ETF", "minority cosine",
                "full problem", "|grad|, Hessian min"):  # fmt: skip
        table.add_column(col, justify="right")
    for row in data["rows"]:
        table.add_row(
            str(row["ratio"]),
            f"{row['best']:.10f}",
            f"{row['etf']:.10f}",
            f"{row['certified_below_etf']:.2e}",
            f"{row['minority_cosine']:.4f}",
            *full_problem_cells(row),
        )
    return table


def run_hunt(args: argparse.Namespace) -> int:
    from ..sphere.hunt import imbalance_hunt

    ratios = tuple(int(x) for x in str(args.ratios).split(","))
    d = args.K - 1 if args.d is None else args.d
    data = imbalance_hunt(args.loss, args.K, args.n, d, args.tau, ratios, args.starts, args.seed)
    if args.json:
        atomic_write_json(args.json, data)
    console.print(hunt_table(data))
    if args.json:
        console.print(f"wrote {args.json}")
    return 0


def _load(name: str, path: str) -> np.ndarray:
    try:
        return np.asarray(np.load(path, allow_pickle=False))
    except (OSError, ValueError) as error:
        raise InvalidFile(f"{name}={path!r}: not a readable .npy file ({error})") from None


def run_metrics(args: argparse.Namespace) -> int:
    from ..sphere.metrics import nc_metrics, percent_of_nc

    H = _load("features", args.features).astype(float)
    y = _load("labels", args.labels)
    if H.ndim != 2 or y.shape != (len(H),) or not np.issubdtype(y.dtype, np.integer):
        raise InvalidArgument(
            "labels", f"shape {y.shape}", f"one integer label per row of {H.shape}"
        )
    K = int(y.max()) + 1
    if y.min() < 0 or len(np.unique(y)) != K:
        raise InvalidArgument("labels", "values", "must be 0..K-1 with every class present")
    norms = np.linalg.norm(H, axis=1, keepdims=True)
    if np.any(norms == 0) or not np.all(np.isfinite(H)):
        raise InvalidArgument(
            "features", "a zero or non-finite row", "rows must be finite, non-zero"
        )
    H = H / norms
    W = None if args.prototypes is None else _prototypes(args.prototypes, K, H.shape[1])
    raw = nc_metrics(W, H, y)
    pct = percent_of_nc(raw, K)
    data = {"measures": raw, "percent_of_nc": pct, "K": K, "N": len(H)}
    if args.json:
        atomic_write_json(args.json, data)
    table = Table(title=f"seed-003 NC measures: N={len(H)}, d={H.shape[1]}, K={K}")
    for col in ("measure", "value", "percent of NC"):
        table.add_column(col, justify="right")
    for k, v in raw.items():
        table.add_row(k, f"{v:.6g}", f"{pct[k]:.2f}%")
    console.print(table)
    if args.json:
        console.print(f"wrote {args.json}")
    return 0
