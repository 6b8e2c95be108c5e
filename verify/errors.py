"""The error hierarchy.

Every domain error is also a :class:`ValueError`, so callers that already catch
``ValueError`` keep working. Messages name the argument, show its value with
``!r`` and state the rule it broke; the CLI prints them without a traceback.
"""

from __future__ import annotations

from typing import Any


class VerifyError(ValueError):
    """Base class of every error nc-verify raises on purpose."""


class InvalidArgument(VerifyError):
    """An argument broke a documented rule."""

    def __init__(self, name: str, value: Any, rule: str, hint: str | None = None) -> None:
        shown = repr(value)
        if len(shown) > 200:
            shown = shown[:197] + "..."
        message = f"{name}={shown}: {rule}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)
        self.name, self.value, self.rule = name, value, rule


class InvalidFile(VerifyError):
    """A file is not what it claims to be."""


class SolverFailure(VerifyError):
    """A solver could not produce a solution at all (not the same as uncertified)."""


class UnknownName(VerifyError):
    """An unknown claim, engine, hypothesis or encoding name."""

    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        super().__init__(f"{kind}={name!r}: unknown; choose one of {', '.join(sorted(known))}")
