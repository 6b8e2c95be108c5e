"""The ``verify`` command line: one module per command, registered in ``COMMANDS``.

Every domain error (:class:`verify.errors.VerifyError`, a ValueError) is printed as one line on
stderr without a traceback, with exit status 2; Ctrl-C exits with 130.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from ..errors import VerifyError

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
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"verify: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="verify", description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, module in COMMANDS.items():
        importlib.import_module(f"verify.cli.{module}").add_parser(sub, name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:  # --help, or a usage error already printed on one line
        return int(exit.code or 0)
    try:
        return int(args.run(args) or 0)
    except VerifyError as error:
        print(f"verify {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"verify {args.command}: interrupted", file=sys.stderr)
        return 130
