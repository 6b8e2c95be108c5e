"""``verify solve``: a certified global minimiser and its geometry for one instance."""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
from collections.abc import Callable, Iterator

import numpy as np
from rich.console import Console
from rich.table import Table

from ..encodings import encoding_from_spec
from ..errors import InvalidArgument
from ..geometry import ssetf_fit
from ..instance import Instance, require_memory, solve_bytes
from ..io import atomic_write_json
from ..losses import LOSSES, MSE, get_loss
from ..metrics import nc_metrics
from ..solve import ENGINES, Solution, solve
from ..solve.exact import estimated_seconds
from .common import console, counts_arg, positive_int, real, tolerance_line


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(
        name,
        help="certified global minimiser of one UFM instance",
        description="Solve one UFM instance with a certificate of global optimality.",
        epilog="exit status: 0 certified (relative duality gap within the tolerance), "
        "1 solved but NOT certified (the reason is printed), 2 bad input (one-line error).",
    )
    p.add_argument(
        "--encoding",
        default="onehot",
        help="onehot | smooth:DELTA | ssetf:ALPHA,BETA | random:SEED | PATH.npy",
    )
    p.add_argument("--classes", "-K", type=positive_int("classes"), default=4)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--per-class", "-n", type=positive_int("per-class"), default=None)
    group.add_argument("--counts", type=counts_arg, default=None, help="n1,n2,... (imbalanced)")
    p.add_argument(
        "--dim", "-d", type=positive_int("dim"), default=None, help="feature dimension d >= K"
    )
    p.add_argument("--lambda-W", type=real("lambda-W"), default=5e-3)
    p.add_argument("--lambda-H", type=real("lambda-H"), default=5e-3)
    p.add_argument(
        "--lambda-b",
        type=real("lambda-b", allow_inf=True),
        default=0.0,
        help="bias regularisation, or inf for the bias-free UFM",
    )
    p.add_argument(
        "--loss",
        default="mse",
        metavar="|".join(LOSSES),
        help="mse (default) or ce: cross-entropy on the soft targets of a column-stochastic "
        "encoding (onehot, smooth:DELTA or a PATH.npy whose columns sum to 1)",
    )
    p.add_argument("--engine", choices=list(ENGINES), default="exact")
    p.add_argument("--json", default=None, help="write the solution and certificate as JSON")
    p.set_defaults(run=run)


# a solve estimated to take longer than this is announced with its estimate on stderr
LONG_SECONDS = 10.0
# below this many cost units (K^3 + K d N) the estimate is not even computed (well under 1 s)
_SMALL_COST = 5e8


def _counts(args: argparse.Namespace) -> tuple[int, ...]:
    K = args.classes
    if args.counts is not None:
        counts: tuple[int, ...] = args.counts
        if len(counts) != K:
            raise InvalidArgument(
                "counts", ",".join(map(str, counts)), f"needs K={K} entries (--classes {K})"
            )
        return counts
    return (args.per_class or 10,) * K


def _sizes_arguments(args: argparse.Namespace, N: int, d: int) -> str:
    sizes = f"--classes {args.classes}"
    if args.counts is not None:
        sizes += f" --counts (N={N})"
    else:
        sizes += f" --per-class {args.per_class or 10} (N={N})"
    return sizes + (f" --dim {d}" if args.dim is not None else f" (d=K={d})")


def instance_from_args(args: argparse.Namespace) -> Instance:
    """The instance the arguments describe, refused before anything is allocated when it cannot
    fit in the available memory (a one-hot K x K encoding alone is 8 K^2 bytes)."""
    K = args.classes
    counts = _counts(args)
    if all(n > 0 for n in counts):
        N = sum(counts)
        d = args.dim if args.dim is not None and args.dim >= K else K
        needed = solve_bytes(K, N, d, metrics=True, json=bool(args.json))
        require_memory(needed, _sizes_arguments(args, N, d))
    encoding = encoding_from_spec(args.encoding, K)
    loss = get_loss(args.loss)
    return Instance(
        encoding, counts, args.dim, args.lambda_W, args.lambda_H, args.lambda_b, loss=loss
    )


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


@contextlib.contextmanager
def _progress(show: bool) -> Iterator[Callable[[str], None] | None]:
    """A callback that shows what is being done, on stderr: a live status line on a terminal,
    one line per step otherwise; ``None`` (nothing shown) when ``show`` is false."""
    if not show:
        yield None
        return
    err = Console(stderr=True, highlight=False)
    if err.is_terminal:
        with err.status("solving") as status:
            yield lambda text: status.update(text)
    else:
        yield lambda text: print(text, file=sys.stderr, flush=True)


def _matrix(M: np.ndarray) -> str:
    return np.array2string(M, precision=6, suppress_small=True, max_line_width=100)


def show(solution: Solution, progress: Callable[[str], None] | None = None) -> None:
    inst, cert = solution.instance, solution.certificate
    console.print(f"[bold]instance[/bold]  {inst.describe()}")
    phase = inst.phase()
    if phase:
        console.print(f"phase     {phase} (threshold c/(1-c) = {inst.threshold:.6g})")
    mark = (
        "[green]certified[/green]" if cert.certified else f"[red]NOT certified[/red]: {cert.reason}"
    )
    console.print(
        f"[bold]solution[/bold]  engine={solution.engine}, {mark}, {solution.regime}, "
        f"{solution.seconds:.3f} s"
    )
    console.print(
        f"objective {_num(cert.primal, '.15g')}   dual {_num(cert.dual, '.15g')}   "
        f"relative gap {_num(cert.relative_gap, '.2e')} (tol {cert.tolerances.gap:.0e})"
    )
    if progress is not None:
        progress("certificate: first-order residuals, one more pass over the data")
    residuals = cert.residuals
    if cert.uniqueness:
        console.print(f"unique    {cert.uniqueness}", markup=False)
    if residuals:
        form = (
            "with the bias eliminated (Lemma III.3)"
            if residuals.bias_eliminated
            else f"of the UFM with {inst.loss.name}"
        )
        labels = RESIDUAL_LABELS | (
            {"stationarity b": "optimal bias b"} if residuals.bias_eliminated else {}
        )
        console.print(
            f"first-order conditions {form}, relative residuals: "
            + ", ".join(
                f"{label} {_num(residuals[key], '.1e')}"
                for key, label in labels.items()
                if key in residuals
            )
        )
    if not np.all(np.isfinite(solution.W)):
        return
    console.print(f"b         {_matrix(solution.b)}")
    Hbar = solution.Hbar
    console.print("Gram of the class means Hbar^T Hbar:")
    console.print(_matrix(Hbar.T @ Hbar))
    if progress is not None:
        progress("geometry: nearest SSETF and neural-collapse metrics")
    fit = ssetf_fit(Hbar)
    console.print(
        f"nearest SSETF  alpha={fit.alpha:.6g}  beta={fit.beta:.6g}  relative residual={fit.residual:.2e}"
    )
    metrics = nc_metrics(solution.H, inst.labels, solution.W, solution.b).as_dict()
    table = Table(title="neural-collapse metrics", show_header=True)
    table.add_column("metric")
    table.add_column("centred", justify="right")
    table.add_column("uncentred", justify="right")
    names = sorted({k.rsplit("_", 1)[0] for k in metrics if k.endswith(("_centred", "_uncentred"))})
    for name in names:
        table.add_row(
            name, _fmt(metrics.get(f"{name}_centred")), _fmt(metrics.get(f"{name}_uncentred"))
        )
    table.add_row("nc4", _fmt(metrics.get("nc4")), "")
    console.print(table)
    console.print(tolerance_line(cert.tolerances))


# what each residual of Certificate.residuals measures, in words
RESIDUAL_LABELS = {
    "stationarity W": "stationarity in W",
    "stationarity H": "stationarity in H",
    "stationarity b": "stationarity in b",
    "balance": "balance lambda_W W^T W = lambda_H H H^T",
}


def _num(value: float, spec: str) -> str:
    """``value`` formatted with ``spec``, with -0 shown as 0."""
    return format(value + 0.0 if value == 0 else value, spec)


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.3e}"
    return str(value)


def run(args: argparse.Namespace) -> int:
    """Exit status 0 when the solution is certified, 1 when it is not (2, bad input, is raised)."""
    instance = instance_from_args(args)
    K, N, d = instance.K, instance.N, instance.d
    seconds = 0.0
    if float(K) ** 3 + float(K) * d * N > _SMALL_COST and isinstance(instance.loss, MSE):
        seconds = estimated_seconds(K, N, d)
    if seconds > LONG_SECONDS:
        print(
            f"verify solve: warning: K={K}, N={N}, d={d} will take about {_duration(seconds)} "
            f"here{' with the exact engine, longer with ' + args.engine if args.engine != 'exact' else ''}"
            " (about K^3 per Newton step plus passes over the K x N data; a rough estimate "
            "from timing small eigen-decompositions and products here); progress follows",
            file=sys.stderr,
            flush=True,
        )
    with _progress(seconds > 2.0) as progress:
        solution = solve(instance, args.engine, progress=progress)
        if args.json:  # results first, so a closed stdout cannot lose them
            data = solution.as_dict()
            if progress is not None:
                progress("writing the JSON")
            data["metrics"] = (
                nc_metrics(solution.H, instance.labels, solution.W, solution.b).as_dict()
                if np.all(np.isfinite(solution.W))
                else None
            )
            atomic_write_json(args.json, data)
        show(solution, progress)
    if args.json:
        console.print(f"wrote {args.json}")
    return 0 if solution.certified else 1
