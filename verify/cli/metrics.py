"""``verify metrics``: NC1-NC4 of features saved by any framework (.npy or .npz, no pickle)."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from rich.table import Table

from ..errors import InvalidFile
from ..io import atomic_write_json
from ..metrics import features_from_arrays, nc_metrics
from .common import console


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(
        name,
        help="NC metrics of saved features",
        description="Neural-collapse metrics of last-layer features (N, d) or (d, N) "
        "and integer labels, from .npy or .npz files (never unpickled).",
    )
    p.add_argument("features", help="features.npy, or file.npz:KEY")
    p.add_argument("labels", help="labels.npy, or file.npz:KEY")
    p.add_argument("--weights", default=None, help="classifier W (K, d) .npy")
    p.add_argument("--bias", default=None, help="bias b (K,) .npy")
    p.add_argument("--json", default=None)
    p.set_defaults(run=run)


def load_array(spec: str, what: str) -> np.ndarray:
    """Load ``path.npy`` or ``path.npz[:key]`` without unpickling."""
    path, _, key = spec.partition(":") if ".npz:" in spec else (spec, "", "")
    p = Path(path)
    if p.suffix not in (".npy", ".npz"):
        raise InvalidFile(f"{what} {spec!r}: expected a .npy or .npz file")
    if not p.is_file():
        raise InvalidFile(f"{what} {spec!r}: no such file")
    try:
        loaded = np.load(p, allow_pickle=False)
    except (ValueError, OSError) as error:
        raise InvalidFile(
            f"{what} {spec!r}: not a numpy file, or it holds pickled objects ({error})"
        ) from None
    if isinstance(loaded, np.lib.npyio.NpzFile):
        with loaded:
            keys = list(loaded.keys())
            if not key:
                if len(keys) != 1:
                    raise InvalidFile(
                        f"{what} {spec!r}: the archive holds {keys}; name one as FILE.npz:KEY"
                    )
                key = keys[0]
            if key not in keys:
                raise InvalidFile(
                    f"{what} {spec!r}: no array {key!r} in the archive (it holds {keys})"
                )
            try:
                array = loaded[key]
            except ValueError as error:
                raise InvalidFile(
                    f"{what} {spec!r}: array {key!r} holds pickled objects ({error})"
                ) from None
    else:
        array = loaded
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise InvalidFile(f"{what} {spec!r}: dtype {array.dtype} is not numeric")
    return array


def run(args: argparse.Namespace) -> int:
    features = load_array(args.features, "features")
    labels = load_array(args.labels, "labels")
    H, y = features_from_arrays(features, labels)
    W = load_array(args.weights, "weights").astype(np.float64) if args.weights else None
    b = load_array(args.bias, "bias").astype(np.float64) if args.bias else None
    metrics = nc_metrics(H, y, W, b).as_dict()
    table = Table(title=f"neural-collapse metrics of {args.features}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in metrics.items():
        table.add_row(key, f"{value:.4e}" if isinstance(value, float) else str(value))
    console.print(table)
    if args.json:
        atomic_write_json(args.json, metrics)
        console.print(f"wrote {args.json}")
    return 0
