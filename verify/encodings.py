r"""Class encodings :math:`\bar Y \in \mathbb{R}^{K\times K}` (column k is the target of class k).

Named constructors for the encodings of the paper, a loader for ``.npy`` files that never
unpickles, and :func:`encoding_from_spec`, the parser behind the CLI's ``--encoding``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import InvalidArgument, InvalidFile

__all__ = [
    "encoding_from_spec",
    "label_smoothing",
    "load_encoding",
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


def load_encoding(path: str | Path, K: int | None = None) -> np.ndarray:
    """Load a K x K float encoding from a ``.npy`` file, refusing pickled objects."""
    path = Path(path)
    if path.suffix != ".npy":
        raise InvalidFile(f"encoding file {str(path)!r}: expected a .npy file")
    try:
        array = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise InvalidFile(f"encoding file {str(path)!r}: no such file") from None
    except (ValueError, OSError, EOFError) as error:  # EOFError: an empty file
        raise InvalidFile(
            f"encoding file {str(path)!r}: not a numpy array file ({error})"
        ) from None
    if not isinstance(array, np.ndarray):  # np.load opens a zip archive as an NpzFile
        array.close()
        raise InvalidFile(
            f"encoding file {str(path)!r}: a .npz archive of arrays, not a single .npy array"
        )
    if not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
        raise InvalidFile(f"encoding file {str(path)!r}: dtype {array.dtype} is not real numeric")
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise InvalidFile(f"encoding file {str(path)!r}: shape {array.shape} is not K x K")
    if K is not None and array.shape[0] != K:
        raise InvalidFile(f"encoding file {str(path)!r}: shape {array.shape} but --classes {K}")
    return array.astype(np.float64)


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
