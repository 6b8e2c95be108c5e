"""The error hierarchy.

Every domain error is also a :class:`ValueError`, so callers that already catch
``ValueError`` keep working. Messages name the argument, show its value with
``!r`` and state the rule it broke; the CLI prints them without a traceback.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def shown(value: Any, limit: int = 200) -> str:
    """``repr(value)`` on one line of at most ``limit`` characters; an array whose one-line repr
    is longer is summarised by its shape and dtype (it may hold millions of entries)."""
    if isinstance(value, np.ndarray) and value.size > 64:
        return f"array(shape={value.shape}, dtype={value.dtype})"
    text = " ".join(repr(value).split())
    if isinstance(value, np.ndarray) and len(text) > limit:
        return f"array(shape={value.shape}, dtype={value.dtype})"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def nonfinite_summary(array: np.ndarray) -> str:
    """How many entries of ``array`` are NaN or infinite and where the first is, e.g.
    ``"3 non-finite entries (NaN or inf), first at [2, 5] (nan)"``; "" when all are finite."""
    bad = ~np.isfinite(array)
    count = int(np.count_nonzero(bad))
    if not count:
        return ""
    first = np.unravel_index(int(np.argmax(bad)), array.shape)
    where = "[" + ", ".join(str(int(i)) for i in first) + "]"
    noun = "entry" if count == 1 else "entries"
    return f"{count} non-finite {noun} (NaN or inf), first at {where} ({array[first].item()!r})"


class VerifyError(ValueError):
    """Base class of every error nc-verify raises on purpose."""


class InvalidArgument(VerifyError):
    """An argument broke a documented rule."""

    def __init__(self, name: str, value: Any, rule: str, hint: str | None = None) -> None:
        message = f"{name}={shown(value)}: {rule}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)
        self.name, self.value, self.rule = name, value, rule


class InvalidFile(VerifyError):
    """A file is not what it claims to be."""


class TooLarge(VerifyError):
    """The work asked for cannot fit in this machine's memory (estimated before allocating)."""


class SolverFailure(VerifyError):
    """A solver could not produce a solution at all (not the same as uncertified)."""


class UnknownName(VerifyError):
    """An unknown claim, engine, hypothesis or encoding name."""

    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        super().__init__(f"{kind}={name!r}: unknown; choose one of {', '.join(sorted(known))}")
