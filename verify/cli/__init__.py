"""Check the claims of *The role of class encoding in neural collapse* with certified solves.

Every domain error (:class:`verify.errors.VerifyError`, a ValueError) is printed as one line on
stderr without a traceback, with exit status 2, and every output path is checked before any work
starts. Ctrl-C exits with 130 however often it is pressed (the first press interrupts, later
ones are ignored while the command saves what it has). A reader who closes stdout early
(``verify hunt ... | head -1``) does not stop the command: its results are still written.
"""

from __future__ import annotations

import _thread
import argparse
import importlib
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Any

from ..errors import VerifyError
from ..workers import prestart
from .common import check_outputs

__all__ = ["COMMANDS", "main"]

# command name -> module in verify.cli (imported lazily so `verify --help` stays fast)
COMMANDS: dict[str, str] = {
    "solve": "solve",
    "metrics": "metrics",
    "list": "check",
    "check": "check",
    "derive": "derive",
    "hunt": "hunt",
    "report": "report",
    "sphere": "sphere",  # seed 003: the UFM on the hypersphere (docs/SPHERE.md)
}

DESCRIPTION = (
    "Check the claims of 'The role of class encoding in neural collapse' (arXiv 2606.00344): "
    "certified UFM solves, SymPy derivations, counterexample hunts and a report. "
    "Run `verify COMMAND --help` for a command's options."
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"verify: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="verify", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, module in COMMANDS.items():
        importlib.import_module(f"verify.cli.{module}").add_parser(sub, name)
    return parser


class _Interrupts:
    """A SIGINT handler: the first press raises KeyboardInterrupt, later ones are counted and
    ignored, so a command unwinding after Ctrl-C (a hunt writing what it found) is not cut off
    half-way and the exit status is 130, not death by signal (-2).

    A press that lands in code whose exceptions Python ignores (a gc callback, a ``__del__``)
    is lost there: :meth:`unraisable` sees it, forgets the press and delivers it again, so it
    reaches the command instead of leaving it running with every later press ignored."""

    def __init__(self, previous_hook: Any) -> None:
        self.presses = 0
        self.previous_hook = previous_hook

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.presses += 1
        if self.presses == 1:
            raise KeyboardInterrupt

    def unraisable(self, info: Any) -> None:
        if not isinstance(info.exc_value, KeyboardInterrupt):
            self.previous_hook(info)
            return
        # Deliver it again from another thread once the hook has returned: raised here, it
        # would be ignored like the first.
        self.presses = 0
        threading.Timer(0.01, _thread.interrupt_main).start()


def _run(args: argparse.Namespace) -> int:
    try:
        try:
            check_outputs(args)
            return int(args.run(args) or 0)
        except VerifyError as error:
            print(f"verify {args.command}: error: {error}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print(f"verify {args.command}: interrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:  # a print outside the console: the reader left, not a failure
            return 0
    except KeyboardInterrupt:  # a press while reporting the first one
        return 130


class _Peek(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise ValueError(message)


def _prestart_workers(argv: Sequence[str]) -> None:
    """``verify hunt ... --jobs N``: start the workers' fork server (:mod:`verify.workers`)
    before this process's own imports, so its imports overlap them; anything unusual in
    ``argv`` is left to the real parser."""
    peek = _Peek(add_help=False)
    peek.add_argument("command", nargs="?")
    peek.add_argument("--jobs", "-j", type=int, default=1)
    peek.add_argument("--scheduler")
    try:
        known, _ = peek.parse_known_args(list(argv))
    except ValueError:
        return
    if known.command == "hunt" and known.scheduler is None:
        prestart(known.jobs)


def main(argv: Sequence[str] | None = None) -> int:
    """The ``verify`` command; ``argv`` None means ``sys.argv[1:]`` (a real process: SIGINT is
    then ignored on the way out, so no press can turn the exit status into a signal)."""
    handler = _Interrupts(sys.unraisablehook)
    previous: Any = None
    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread: leave SIGINT alone
        previous = None
    else:
        sys.unraisablehook = handler.unraisable
    try:
        _prestart_workers(sys.argv[1:] if argv is None else argv)
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exit:  # --help, or a usage error already printed on one line
            return int(exit.code or 0)
        return _run(args)
    except KeyboardInterrupt:  # pressed while starting up
        print("verify: interrupted", file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            sys.unraisablehook = handler.previous_hook
            if argv is None:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
            else:
                signal.signal(signal.SIGINT, previous)
