"""Atomic file output: nothing is ever half-written; output paths checked before any work.

Files are written to a temporary sibling and moved into place with :func:`os.replace`;
directories are built beside the target and swapped in, so an interrupted run leaves the
previous version intact.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "atomic_directory",
    "atomic_write_json",
    "atomic_write_text",
    "check_directory_output",
    "check_file_output",
    "to_jsonable",
]


def _nearest_existing(path: Path) -> Path:
    """``path`` or its nearest ancestor that exists (``.`` at worst)."""
    while not path.exists() and not path.is_symlink():
        if path.parent == path:
            break
        path = path.parent
    return path


def _check_creatable(name: str, value: str, path: Path) -> None:
    """The missing ``path`` can be created: its nearest existing ancestor is a writable directory."""
    from .errors import InvalidArgument

    base = _nearest_existing(path.parent if str(path.parent) else Path("."))
    if not base.is_dir():
        raise InvalidArgument(name, value, f"cannot be created: {str(base)!r} is not a directory")
    if not os.access(base, os.W_OK | os.X_OK):
        raise InvalidArgument(name, value, f"cannot be created: {str(base)!r} is not writable")


def check_file_output(name: str, value: str | os.PathLike[str]) -> Path:
    """Check, before any work, that ``value`` can be written as a file; raise
    :class:`verify.errors.InvalidArgument` naming ``name`` otherwise. Nothing is written.

    The rules: not empty, not ending in a path separator, not an existing directory, not under a
    regular file, and in a directory we may write (missing parents are created on writing).
    """
    from .errors import InvalidArgument

    text = os.fspath(value)
    if not text.strip():
        raise InvalidArgument(name, text, "must be a file path, not empty")
    if text.endswith(("/", os.sep)):
        raise InvalidArgument(name, text, "must be a file path, not a directory (ends with '/')")
    path = Path(text)
    if path.is_dir():
        raise InvalidArgument(name, text, "must be a file path, but it is an existing directory")
    if path.exists():
        if not path.is_file():
            raise InvalidArgument(name, text, "must be a regular file path")
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise InvalidArgument(
                name, text, f"cannot be replaced: {str(path.parent)!r} is not writable"
            )
        return path
    _check_creatable(name, text, path)
    return path


def check_directory_output(name: str, value: str | os.PathLike[str]) -> Path:
    """Check, before any work, that ``value`` is a writable directory or can be created as one;
    raise :class:`verify.errors.InvalidArgument` naming ``name`` otherwise. Nothing is written."""
    from .errors import InvalidArgument

    text = os.fspath(value)
    if not text.strip():
        raise InvalidArgument(name, text, "must be a directory path, not empty")
    path = Path(text)
    if path.exists():
        if not path.is_dir():
            raise InvalidArgument(name, text, "must be a directory, but it is a file")
        if not os.access(path, os.W_OK | os.X_OK):
            raise InvalidArgument(name, text, "is not writable")
        return path
    _check_creatable(name, text, path)
    return path


def to_jsonable(value: Any) -> Any:
    """Numpy arrays and scalars to lists and floats; inf and nan to the strings "inf", "nan"."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    if isinstance(value, float | np.floating):
        x = float(value)
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x
    return value


def atomic_write_text(path: str | Path, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        # mkstemp creates 0600 files: publish with the mode a plain open() would give
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_json(path: str | Path, data: Any) -> Path:
    text = json.dumps(to_jsonable(data), indent=2, sort_keys=True, allow_nan=False)
    return atomic_write_text(path, text + "\n")


@contextmanager
def atomic_directory(path: str | Path) -> Iterator[Path]:
    """Yield a fresh staging directory; on success it replaces ``path`` as a whole."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = path.with_name(f".{path.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if path.exists():
        os.replace(path, old)
    os.replace(staging, path)
    shutil.rmtree(old, ignore_errors=True)
