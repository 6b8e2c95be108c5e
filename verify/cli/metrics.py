"""``verify metrics``: NC metrics of saved features in every convention of the literature.

Features (N, d) or (d, N) from .npy (memory-mapped), .npz (streamed) or .safetensors
(optional extra), read in two passes of row chunks, never unpickled; labels, weights and bias
from files of the same kinds. The JSON names every convention used (docs/METRICS.md).
"""

from __future__ import annotations

import argparse
import math

from rich.table import Table

from ..io import atomic_write_json
from ..metrics import measure_file
from ..metrics.measure import CONVENTIONS
from ..metrics.stats import CENTRINGS
from .common import console, positive_int


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(
        name,
        help="NC metrics of saved features",
        description="Neural-collapse metrics of last-layer features (N, d) or (d, N) and integer "
        "labels, from .npy, .npz or .safetensors files (never unpickled), in every convention of "
        "the literature (docs/METRICS.md). Labels need not be 0..K-1 with every class present.",
    )
    p.add_argument("features", help="features.npy, file.npz[:KEY] or file.safetensors[:KEY]")
    p.add_argument("labels", help="labels file, same kinds")
    p.add_argument("--weights", default=None, help="classifier W (K, d), same kinds")
    p.add_argument("--bias", default=None, help="bias b (K,), same kinds")
    p.add_argument(
        "--centring",
        choices=CENTRINGS,
        default="sample-mean",
        help="global mean subtracted from the class means (default: sample-mean, Papyan et al.)",
    )
    p.add_argument(
        "--classes",
        type=positive_int("--classes"),
        default=None,
        help="number of classes K when there is no W",
    )
    p.add_argument(
        "--chunk-rows", type=positive_int("--chunk-rows"), default=None, help="rows read at a time"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", default=None)
    p.set_defaults(run=run)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4e}" if math.isfinite(value) else str(value)
    return str(value)


def run(args: argparse.Namespace) -> int:
    m = measure_file(
        args.features,
        args.labels,
        args.weights,
        args.bias,
        centring=args.centring,
        classes=args.classes,
        chunk_rows=args.chunk_rows,
        progress=False if args.no_progress else None,
    )
    data = m.as_dict()
    if args.json:  # results first, so a closed stdout cannot lose them
        atomic_write_json(args.json, data)
    info = m.info
    missing = f", missing classes {info['missing_classes']}" if info["missing_classes"] else ""
    table = Table(
        title=f"neural-collapse metrics of {args.features}: N={info['N']}, d={info['d']}, "
        f"K={info['K']} ({info['K_present']} present{missing}), centring {m.centring}"
    )
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("source")
    for key, value in m.values.items():
        base = key.removesuffix("_centred").removesuffix("_uncentred")
        table.add_row(key, _fmt(value), CONVENTIONS[base][0])
    console.print(table)
    console.print(
        f"Sigma_B: {info['sigma_b_rank']} direction(s) kept by NC1, {info['sigma_b_dropped']} "
        f"possible one(s) dropped as rounding (below {info['rounding']:.0e} of the scale)"
    )
    if args.json:
        console.print(f"wrote {args.json}")
    return 0
