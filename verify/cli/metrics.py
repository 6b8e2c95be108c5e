"""``verify metrics``: NC1-NC4 of features saved by any framework (.npy or .npz, no pickle)."""

from __future__ import annotations

import argparse
import math
import zipfile
from pathlib import Path
from typing import IO

import numpy as np
from rich.table import Table

from ..encodings import npy_header
from ..errors import InvalidFile
from ..instance import require_memory
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


# the metrics copy features into float64 (d, N), subtract class means and project: about six
# float64 copies of the features at once; labels, weights and bias about three
_COPIES = {"features": 6}


def _check_header(stream: IO[bytes], size: int, where: str, what: str) -> None:
    shape, _ = npy_header(stream, size, where)
    needed = _COPIES.get(what, 3) * 8 * math.prod(shape)
    require_memory(needed, f"{where} (shape {shape})")


def load_array(spec: str, what: str) -> np.ndarray:
    """Load ``path.npy`` or ``path.npz[:key]`` without unpickling.

    The ``.npy`` header is read first (:func:`verify.encodings.npy_header`): an empty file, a file
    that is not .npy, a header declaring more than the file holds, and an array that cannot fit
    in the available memory are refused before any data is read; the data are memory-mapped.
    """
    path, _, key = spec.partition(":") if ".npz:" in spec else (spec, "", "")
    p = Path(path)
    where = f"{what} {spec!r}"
    if p.suffix not in (".npy", ".npz"):
        raise InvalidFile(f"{where}: expected a .npy or .npz file")
    if p.is_dir():
        raise InvalidFile(f"{where}: is a directory, not a .npy or .npz file")
    if not p.is_file():
        raise InvalidFile(f"{where}: no such file")
    size = p.stat().st_size
    if size == 0:
        raise InvalidFile(f"{where}: the file is empty (0 bytes), not a numpy array file")
    with p.open("rb") as stream:
        is_zip = stream.read(4) == b"PK\x03\x04"
        if not is_zip:
            stream.seek(0)
            _check_header(stream, size, where, what)
    try:
        loaded = np.load(p, allow_pickle=False, mmap_mode=None if is_zip else "r")
    except (ValueError, OSError, EOFError) as error:
        raise InvalidFile(
            f"{where}: not a numpy file, or it holds pickled objects ({error})"
        ) from None
    if isinstance(loaded, np.lib.npyio.NpzFile):
        with loaded:
            keys = list(loaded.keys())
            if not key:
                if len(keys) != 1:
                    raise InvalidFile(
                        f"{where}: the archive holds {keys}; name one as FILE.npz:KEY"
                    )
                key = keys[0]
            if key not in keys:
                raise InvalidFile(f"{where}: no array {key!r} in the archive (it holds {keys})")
            member = f"{key}.npy"
            try:
                archive = loaded.zip
                assert archive is not None  # open until the with-block ends
                info = archive.getinfo(member)
                with archive.open(member) as stream:
                    _check_header(stream, info.file_size, f"{where} (array {key!r})", what)
                array = loaded[key]
            except (ValueError, KeyError, OSError, zipfile.BadZipFile) as error:
                raise InvalidFile(
                    f"{where}: array {key!r} cannot be read safely ({error})"
                ) from None
    else:
        array = loaded
    if array.dtype == object or not np.issubdtype(array.dtype, np.number):
        raise InvalidFile(f"{where}: dtype {array.dtype} is not numeric")
    return array


def run(args: argparse.Namespace) -> int:
    features = load_array(args.features, "features")
    labels = load_array(args.labels, "labels")
    H, y = features_from_arrays(features, labels)
    W = load_array(args.weights, "weights").astype(np.float64) if args.weights else None
    b = load_array(args.bias, "bias").astype(np.float64) if args.bias else None
    metrics = nc_metrics(H, y, W, b).as_dict()
    if args.json:  # results first, so a closed stdout cannot lose them
        atomic_write_json(args.json, metrics)
    table = Table(title=f"neural-collapse metrics of {args.features}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in metrics.items():
        table.add_row(key, f"{value:.4e}" if isinstance(value, float) else str(value))
    console.print(table)
    if args.json:
        console.print(f"wrote {args.json}")
    return 0
