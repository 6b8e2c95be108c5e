"""Feature files read in row chunks, never unpickled: ``.npy`` (memory map), ``.npz`` (the
archive member streamed), ``.safetensors`` (sliced; needs the optional ``safetensors``
package, numpy API only).

A spec is ``PATH`` or ``PATH:KEY`` (the array of an .npz or .safetensors holding several).
Every refusal is an :class:`~verify.errors.InvalidFile` naming the file and what is wrong: no
such file, a directory, an empty file, a file that is not the format its name claims, a
header declaring more data than the file holds, a missing key, a non-numeric dtype.
"""

from __future__ import annotations

import json
import math
import mmap
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from ..encodings import npy_header
from ..errors import InvalidFile
from ..instance import require_memory

SUFFIXES = (".npy", ".npz", ".safetensors")


def split_spec(spec: str | Path) -> tuple[Path, str]:
    text = str(spec)
    for suffix in (".npz:", ".safetensors:"):
        if suffix in text:
            path, _, key = text.rpartition(":")
            return Path(path), key
    return Path(text), ""


def _existing(spec: str | Path, what: str) -> tuple[Path, str, str, int]:
    path, key = split_spec(spec)
    where = f"{what} {str(spec)!r}"
    if path.suffix not in SUFFIXES:
        raise InvalidFile(f"{where}: expected a .npy, .npz or .safetensors file")
    if path.is_dir():
        raise InvalidFile(f"{where}: is a directory, not a {path.suffix} file")
    if not path.is_file():
        raise InvalidFile(f"{where}: no such file")
    size = path.stat().st_size
    if size == 0:
        raise InvalidFile(f"{where}: the file is empty (0 bytes), not a numpy array file")
    return path, key, where, size


@dataclass
class ArrayFile:
    """A 2-D or 1-D numeric array in a file: its shape, dtype, and slices of its first axis
    (``rows``), or of its second (``cols``), read on demand."""

    where: str
    shape: tuple[int, ...]
    dtype: np.dtype
    rows: Callable[[int, int], np.ndarray]
    cols: Callable[[int, int], np.ndarray] | None
    release: Callable[[], None]
    whole: Callable[[], np.ndarray]


def _numeric(where: str, dtype: np.dtype) -> None:
    if dtype.kind not in "iuf" or dtype.hasobject:
        raise InvalidFile(f"{where}: dtype {dtype} is not a real numeric type")


def _npy(path: Path, where: str, size: int) -> ArrayFile:
    with path.open("rb") as stream:
        shape, dtype = npy_header(stream, size, where)
    _numeric(where, dtype)
    try:
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError) as error:
        raise InvalidFile(f"{where}: not a readable .npy file ({error})") from None
    handle = getattr(arr, "_mmap", None)

    def release() -> None:
        if handle is not None and hasattr(handle, "madvise"):
            handle.madvise(mmap.MADV_DONTNEED)

    cols = (lambda a, b: arr[:, a:b]) if arr.ndim == 2 else None
    return ArrayFile(
        where, shape, dtype, lambda a, b: arr[a:b], cols, release, lambda: np.array(arr)
    )


def _npz(path: Path, key: str, where: str) -> ArrayFile:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise InvalidFile(f"{where}: not a .npz archive ({error})") from None
    with archive:
        names = [n.removesuffix(".npy") for n in archive.namelist() if n.endswith(".npy")]
        if not key:
            if len(names) != 1:
                raise InvalidFile(f"{where}: the archive holds {names}; name one as FILE.npz:KEY")
            key = names[0]
        if key not in names:
            raise InvalidFile(f"{where}: no array {key!r} in the archive (it holds {names})")
        info = archive.getinfo(f"{key}.npy")
    where = f"{where} (array {key!r})"

    def opened() -> tuple[zipfile.ZipFile, IO[bytes], tuple[int, ...], np.dtype, bool]:
        z = zipfile.ZipFile(path)
        stream = z.open(info)
        try:
            shape, dtype = npy_header(stream, info.file_size, where)
            # npy_header leaves the stream at the data; the order flag is in the header
            fortran = _fortran(z, info)
        except BaseException:
            stream.close()
            z.close()
            raise
        return z, stream, shape, dtype, fortran

    z, stream, shape, dtype, fortran = opened()
    stream.close()
    z.close()
    _numeric(where, dtype)
    state: dict[str, Any] = {}
    width = int(math.prod(shape[1:])) if len(shape) > 1 else 1
    row_bytes = width * dtype.itemsize

    def rows(a: int, b: int) -> np.ndarray:
        # sequential reads: a restart (a == 0) reopens the member (the second pass)
        if a == 0 or state.get("next") != a:
            close()
            state["z"], state["s"], *_ = opened()
            if a:
                state["s"].read(a * row_bytes)
        data = state["s"].read((b - a) * row_bytes)
        if len(data) != (b - a) * row_bytes:
            raise InvalidFile(f"{where}: the archive member ends before its declared shape {shape}")
        state["next"] = b
        if b == shape[0]:  # the pass is over
            close()
        out = np.frombuffer(data, dtype=dtype)
        return out.reshape((b - a, *shape[1:])) if len(shape) > 1 else out

    def close() -> None:
        for name in ("s", "z"):  # the whole array, if read, stays for the second pass
            if name in state:
                state.pop(name).close()

    def whole() -> np.ndarray:
        """The member read whole, once (a layout that cannot be streamed by rows)."""
        if "whole" not in state:
            require_memory(info.file_size, where)
            with np.load(path, allow_pickle=False) as loaded:
                try:
                    state["whole"] = np.asarray(loaded[key])
                except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
                    raise InvalidFile(f"{where}: cannot be read safely ({error})") from None
        return state["whole"]

    streamable = not fortran
    return ArrayFile(
        where,
        shape,
        dtype,
        rows if streamable else (lambda a, b: whole()[a:b]),
        None,
        lambda: None,  # the member's stream stays open between chunks, closed after a pass
        whole,
    )


def _fortran(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    with z.open(info) as stream:
        version = np.lib.format.read_magic(stream)
        reader = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        return bool(reader(stream)[1])


_ST_DTYPES = {
    "F64": "<f8",
    "F32": "<f4",
    "F16": "<f2",
    "I64": "<i8",
    "I32": "<i4",
    "I16": "<i2",
    "I8": "i1",
    "U8": "u1",
    "U16": "<u2",
    "U32": "<u4",
    "U64": "<u8",
}


def _safetensors(path: Path, key: str, where: str, size: int) -> ArrayFile:
    with path.open("rb") as stream:
        head = stream.read(8)
        length = struct.unpack("<Q", head)[0] if len(head) == 8 else 0
        if len(head) < 8 or not 2 <= length <= size - 8:
            raise InvalidFile(
                f"{where}: not a .safetensors file (it starts with an 8-byte header length; "
                f"this one declares {length} bytes in a {size}-byte file)"
            )
        try:
            header = json.loads(stream.read(length))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise InvalidFile(
                f"{where}: not a .safetensors file (its header is not JSON)"
            ) from None
    if not isinstance(header, dict):
        raise InvalidFile(f"{where}: not a .safetensors file (its header is not a JSON object)")
    names = sorted(k for k in header if k != "__metadata__")
    if not key:
        if len(names) != 1:
            raise InvalidFile(f"{where}: the file holds {names}; name one as FILE.safetensors:KEY")
        key = names[0]
    if key not in names:
        raise InvalidFile(f"{where}: no tensor {key!r} in the file (it holds {names})")
    entry = header[key]
    where = f"{where} (tensor {key!r})"
    code = entry.get("dtype") if isinstance(entry, dict) else None
    if code not in _ST_DTYPES:
        raise InvalidFile(f"{where}: dtype {code!r} is not one numpy reads (float16/32/64, ints)")
    shape = tuple(int(n) for n in entry.get("shape", []))
    start, stop = (int(x) for x in entry.get("data_offsets", [0, -1]))
    dtype = np.dtype(_ST_DTYPES[code])
    if stop - start != math.prod(shape) * dtype.itemsize or 8 + length + stop > size:
        raise InvalidFile(
            f"{where}: header declares shape {shape} {code} at bytes {start}..{stop}, which the "
            f"{size}-byte file does not hold"
        )
    try:
        from safetensors import safe_open
    except ImportError:
        raise InvalidFile(
            f"{where}: reading .safetensors needs the optional package: "
            "pip install 'nc-verify[safetensors]'"
        ) from None
    handle = safe_open(str(path), framework="numpy")
    tensor = handle.get_slice(key)

    def rows(a: int, b: int) -> np.ndarray:
        return tensor[a:b]

    def cols(a: int, b: int) -> np.ndarray:
        return tensor[:, a:b]

    return ArrayFile(
        where,
        shape,
        dtype,
        rows,
        cols if len(shape) == 2 else None,
        lambda: None,
        lambda: handle.get_tensor(key),
    )


def open_array(spec: str | Path, what: str) -> ArrayFile:
    """The array of ``spec`` (header checked, nothing read yet)."""
    path, key, where, size = _existing(spec, what)
    with path.open("rb") as stream:
        magic = stream.read(4)
    if path.suffix == ".npz" or magic == b"PK\x03\x04":
        if path.suffix != ".npz":
            raise InvalidFile(f"{where}: a .npz archive of arrays, not a single {path.suffix} file")
        return _npz(path, key, where)
    if path.suffix == ".safetensors":
        return _safetensors(path, key, where, size)
    if key:
        raise InvalidFile(f"{where}: a .npy file holds one array; drop ':{key}'")
    return _npy(path, where, size)


def load_small(spec: str | Path, what: str, copies: int = 3) -> np.ndarray:
    """A whole array (labels, W, b), after checking it fits ``copies`` times in memory."""
    f = open_array(spec, what)
    require_memory(copies * 8 * math.prod(f.shape), f"{f.where} (shape {f.shape})")
    return np.asarray(f.whole())


def chunks_of(
    f: ArrayFile, ids: np.ndarray, chunk_rows: int
) -> tuple[Callable[[], Iterator[tuple[np.ndarray, np.ndarray]]], int, bool]:
    """Row chunks (c, d) of features stored (N, d) or (d, N), N = len(ids); returns the chunk
    factory, d, and whether the file is (d, N). (N, d) is taken when both axes have N."""
    N = int(ids.shape[0])
    if len(f.shape) != 2 or 0 in f.shape:
        raise InvalidFile(f"{f.where}: features must be a non-empty 2-D array, not shape {f.shape}")
    transposed = f.shape[0] != N
    if not transposed:
        d, read = f.shape[1], f.rows
    elif f.shape[1] == N:
        d = f.shape[0]
        cols = f.cols
        read = (
            (lambda a, b: cols(a, b).T) if cols is not None else (lambda a, b: f.whole()[:, a:b].T)
        )
    else:
        raise InvalidFile(f"{f.where}: shape {f.shape} has no axis of N={N} entries (the labels)")

    def gen() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for a in range(0, N, chunk_rows):
            b = min(N, a + chunk_rows)
            yield read(a, b), ids[a:b]

    return gen, int(d), transposed
