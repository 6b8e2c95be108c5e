"""Argument types and output helpers shared by the commands."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from typing import Any

from rich.console import Console

from ..errors import InvalidArgument
from ..tolerances import DEFAULT, Tolerances

# a wide console when piped, so tables stay readable in logs and CI
console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)


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
    if path is not None and str(path).endswith("/"):
        raise InvalidArgument(name, str(path), "must be a file path, not a directory")
