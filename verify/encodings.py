r"""Class encodings :math:`\bar Y \in \mathbb{R}^{K\times K}` (column k is the target of class k).

Named constructors for the encodings of the paper, a loader for ``.npy`` files that never
unpickles, and :func:`encoding_from_spec`, the parser behind the CLI's ``--encoding``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import IO

import numpy as np

from .errors import InvalidArgument, InvalidFile
from .instance import format_bytes, require_memory

__all__ = [
    "encoding_from_spec",
    "label_smoothing",
    "load_encoding",
    "npy_header",
    "one_hot",
    "random_encoding",
    "ssetf",
]


def _check_K(K: object) -> int:
    if isinstance(K, bool) or not isinstance(K, int | np.integer) or K < 2:
        raise InvalidArgument("K", K, "the number of classes must be an integer >= 2")
    return int(K)


def one_hot(K: int) -> np.ndarray:
    r"""One-hot encoding :math:`\bar Y = I_K`."""
    return np.eye(_check_K(K))


def label_smoothing(K: int, delta: float) -> np.ndarray:
    r"""Label smoothing :math:`\bar Y = (1-\delta) I_K + \frac{\delta}{K} 1 1^\top`, :math:`0<\delta<1`.

    An SSETF with :math:`\alpha = 1-\delta`, :math:`\beta = -\delta/(1-\delta)` and P = I
    (the paper writes :math:`\beta = \delta/(1-\delta)`; the sign here is the one that makes
    :math:`\alpha(I - \beta J)` equal the smoothed labels, see ``proofs/conjecture_ssetf.py``).
    """
    K = _check_K(K)
    delta = float(delta)
    if not 0.0 < delta < 1.0:
        raise InvalidArgument("delta", delta, "label smoothing needs 0 < delta < 1")
    return (1.0 - delta) * np.eye(K) + delta / K * np.ones((K, K))


def ssetf(K: int, alpha: float, beta: float, P: np.ndarray | None = None) -> np.ndarray:
    r"""Shifted simplex ETF :math:`\alpha P (I_K - \beta J)`, :math:`J = 1 1^\top / K` (Definition III.1).

    ``P`` is a K x K orthogonal matrix (identity by default).
    """
    K = _check_K(K)
    alpha, beta = float(alpha), float(beta)
    if not (np.isfinite(alpha) and alpha > 0):
        raise InvalidArgument("alpha", alpha, "an SSETF needs a finite alpha > 0")
    if not np.isfinite(beta):
        raise InvalidArgument("beta", beta, "an SSETF needs a finite real beta")
    if P is None:
        P = np.eye(K)
    P = np.asarray(P, dtype=np.float64)
    if P.shape != (K, K) or not np.all(np.isfinite(P)):
        raise InvalidArgument("P", P.shape, f"P must be a finite {K} x {K} matrix")
    if not np.allclose(P.T @ P, np.eye(K), atol=1e-10):
        raise InvalidArgument("P", "P", "P must be orthogonal (P^T P = I)")
    return alpha * P @ (np.eye(K) - beta * np.ones((K, K)) / K)


def random_encoding(K: int, seed: int) -> np.ndarray:
    """A K x K encoding with independent standard Gaussian entries, from ``seed``."""
    K = _check_K(K)
    return np.random.default_rng(seed).standard_normal((K, K))


def npy_header(stream: IO[bytes], data_bytes: int, where: str) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype from the header of the ``.npy`` data in ``stream``, read without reading
    the data (numpy.lib.format), checking that the ``data_bytes`` bytes of the stream (its whole
    size) hold what the header declares. ``where`` names the file in the errors.

    Refuses, in one line each: an empty file, a file that does not start with numpy's magic
    string (a text file named .npy), a malformed header, an object dtype (the data would be
    unpickled: never), and a header that declares more data than the file holds (a truncated or
    crafted file, which would otherwise allocate what it declares).
    """
    if data_bytes == 0:
        raise InvalidFile(f"{where}: not a numpy array file: the file is empty (0 bytes)")
    start = stream.read(8)
    stream.seek(-len(start), 1)
    if start.startswith(b"PK\x03\x04"):
        raise InvalidFile(f"{where}: a .npz archive of arrays, not a single .npy array")
    try:
        version = np.lib.format.read_magic(stream)
    except ValueError:
        raise InvalidFile(
            f"{where}: not a numpy array file (a .npy file starts with numpy's magic string "
            f"\\x93NUMPY; this one starts with {start!r})"
        ) from None
    try:
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
        else:
            shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
    except (ValueError, SyntaxError, UnicodeDecodeError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InvalidFile(
            f"{where}: not a numpy array file: its .npy header is malformed ({first})"
        ) from None
    if dtype.hasobject:
        raise InvalidFile(
            f"{where}: not a numpy array file of numbers: it holds Python objects (dtype "
            f"{dtype}), which would need unpickling, never done; save a numeric array"
        )
    declared = math.prod(shape) * dtype.itemsize
    held = data_bytes - stream.tell()
    if declared > held:
        raise InvalidFile(
            f"{where}: its header declares shape {shape} of {dtype} ({format_bytes(declared)}), "
            f"but the file holds {format_bytes(max(held, 0))} of data: truncated or not a .npy file"
        )
    return tuple(int(n) for n in shape), dtype


def load_encoding(path: str | Path, K: int | None = None) -> np.ndarray:
    """Load a K x K float encoding from a ``.npy`` file, refusing pickled objects.

    The header is read first (:func:`npy_header`): its shape is checked against K, and its size
    against the available memory, before any data is read.
    """
    path = Path(path)
    where = f"encoding file {str(path)!r}"
    if path.suffix != ".npy":
        raise InvalidFile(f"{where}: expected a .npy file")
    if path.is_dir():
        raise InvalidFile(f"{where}: is a directory, not a .npy file")
    try:
        with path.open("rb") as stream:
            shape, dtype = npy_header(stream, path.stat().st_size, where)
    except FileNotFoundError:
        raise InvalidFile(f"{where}: no such file") from None
    except OSError as error:
        raise InvalidFile(f"{where}: cannot be read ({error.strerror or error})") from None
    if not np.issubdtype(dtype, np.number) or np.issubdtype(dtype, np.complexfloating):
        raise InvalidFile(f"{where}: dtype {dtype} is not real numeric")
    if len(shape) != 2 or shape[0] != shape[1]:
        raise InvalidFile(f"{where}: shape {shape} is not K x K")
    if K is not None and shape[0] != K:
        raise InvalidFile(f"{where}: shape {shape} but --classes {K}")
    require_memory(2 * 8 * math.prod(shape), f"{where} (shape {shape})")
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise InvalidFile(f"{where}: not a numpy array file ({error})") from None
    return np.array(array, dtype=np.float64)  # finiteness and size: checked by Instance


def encoding_from_spec(spec: str, K: int) -> np.ndarray:
    """Parse ``onehot``, ``smooth:DELTA``, ``ssetf:ALPHA,BETA``, ``random:SEED`` or ``PATH.npy``."""
    kind, _, arg = spec.partition(":")
    try:
        if kind == "onehot" and not arg:
            return one_hot(K)
        if kind == "smooth":
            return label_smoothing(K, float(arg))
        if kind == "ssetf":
            alpha, beta = (float(v) for v in arg.split(","))
            return ssetf(K, alpha, beta)
        if kind == "random":
            return random_encoding(K, int(arg))
    except ValueError as error:
        if isinstance(error, InvalidArgument):
            raise
        raise InvalidArgument("encoding", spec, f"cannot parse the parameters ({error})") from None
    if spec.endswith(".npy"):
        return load_encoding(spec, K)
    raise InvalidArgument(
        "encoding", spec, "expected onehot, smooth:DELTA, ssetf:ALPHA,BETA, random:SEED or PATH.npy"
    )
