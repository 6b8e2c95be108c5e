"""Argument types and output helpers shared by the commands."""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
from collections.abc import Callable
from typing import IO, Any, cast

from rich.console import Console

from ..io import check_directory_output, check_file_output
from ..tolerances import DEFAULT, Tolerances


class _Stdout(io.TextIOBase):
    """``sys.stdout`` (looked up at each write, so tests can capture it) that treats a reader who
    closed the pipe (``verify hunt ... | head -1``) as the reader's choice: the first
    :class:`BrokenPipeError` points file descriptor 1 at ``os.devnull`` and every later write is
    dropped, so the command goes on to write its results and exits with its own status."""

    reader_left = False

    @staticmethod
    def _target() -> Any:
        """``sys.stdout``, unwrapped when a rich ``Live`` display (``console.status``) has
        redirected it to the console itself, which would write back here for ever."""
        out: Any = sys.stdout
        while getattr(type(out), "rich_proxied_file", None) is not None:
            out = out.rich_proxied_file
        return out

    def _left(self) -> None:
        _Stdout.reader_left = True
        try:  # the usual recipe: later writes and the interpreter's final flush go nowhere
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._target().fileno())
            os.close(devnull)
        except (OSError, ValueError, io.UnsupportedOperation):
            pass

    def write(self, text: str) -> int:
        if not _Stdout.reader_left:
            try:
                self._target().write(text)
            except BrokenPipeError:
                self._left()
        return len(text)

    def flush(self) -> None:
        if not _Stdout.reader_left:
            try:
                self._target().flush()
            except BrokenPipeError:
                self._left()

    def isatty(self) -> bool:
        return bool(self._target().isatty())

    def fileno(self) -> int:
        return int(self._target().fileno())

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(sys.stdout, "encoding", None) or "utf-8"

    def writable(self) -> bool:
        return True


# a wide console when piped, so tables stay readable in logs and CI
console = Console(
    file=cast(IO[str], _Stdout()), highlight=False, width=None if sys.stdout.isatty() else 120
)

# --OPTION -> what it must be; checked by every command before it starts work (see check_outputs)
OUTPUTS = {"json": "file", "out": "directory", "database": "directory"}


def positive_int(name: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name}={text!r}: must be an integer") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"{name}={text!r}: must be >= 1")
        return value

    return parse


def real(name: str, allow_inf: bool = False) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name}={text!r}: must be a real number") from None
        if math.isnan(value) or (math.isinf(value) and not allow_inf):
            rule = "must be finite" if not allow_inf else "must not be NaN"
            raise argparse.ArgumentTypeError(f"{name}={text!r}: {rule}")
        return value

    return parse


def counts_arg(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"counts={text!r}: must be comma-separated integers n1,n2,..."
        ) from None


def tolerance_line(tol: Tolerances = DEFAULT) -> str:
    return f"tolerances: {tol}"


def check_output_path(name: str, path: Any) -> None:
    """A file output (``--json``): see :func:`verify.io.check_file_output`."""
    if path is not None:
        check_file_output(name, path)


def check_outputs(args: argparse.Namespace) -> None:
    """Check every output path a command was given (``--json`` a writable file path, ``--out``
    and ``--database`` writable directories) before any work, so a finished computation is
    never lost to a bad path. Raises a one-line :class:`verify.errors.InvalidArgument`."""
    for name, kind in OUTPUTS.items():
        value = getattr(args, name, None)
        if value is None or (name == "database" and getattr(args, "no_database", False)):
            continue
        if name == "out" and getattr(args, "readme_only", False):  # reads --out, writes README
            continue
        if kind == "file":
            check_file_output(f"--{name}", value)
        else:
            check_directory_output(f"--{name}", value)
