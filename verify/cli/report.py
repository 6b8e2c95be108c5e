"""``verify report``: regenerate the verification report (markdown, figures, JSON).

Exit status 0 when the report was written and every check ran; 1 when the report was written
but some claim's check raised (that claim is reported inconclusive, with the error).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.table import Table

from ..errors import InvalidArgument
from ..report.build import DPI_RANGE
from .check import STYLE
from .common import console, positive_int

DESCRIPTION = """Check every registered claim and regenerate, in --out: index.md and index.json
(findings, claim table, reproducibility), claims/<slug>.md and .json, a page per hunt in
hunts/*.json, and the figures. index.json lists every file the report wrote (its manifest):
only those are replaced or deleted; any other file in --out is kept, and a run that would
replace one refuses before it starts. The new report is built beside --out and switched in with
one atomic exchange of two directories (renameat2 on Linux): at every instant --out holds the
previous report or the new one, whole, even if the run is killed. With --update-readme the claim
table between <!-- claims:start --> and <!-- claims:end --> in that file is rewritten from
index.json (the file is checked first)."""


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(name, help="regenerate the verification report", description=DESCRIPTION)
    p.add_argument("--out", default="reports", help="report directory (default: reports)")
    p.add_argument(
        "--examples",
        "-M",
        type=positive_int("examples"),
        default=150,
        help="Hypothesis examples per claim (default: 150)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of every search and sample")
    low, high = DPI_RANGE
    p.add_argument(
        "--dpi",
        type=positive_int("dpi"),
        default=150,
        help=f"figure resolution, {low} to {high} (default: 150)",
    )
    p.add_argument(
        "--update-readme",
        metavar="README",
        default=None,
        help="rewrite the claim table between the markers in README from the report",
    )
    p.add_argument(
        "--readme-only",
        action="store_true",
        help="with --update-readme: do not regenerate, use the existing OUT/index.json",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..report import build_report, load_index, update_readme
    from ..report.build import check_out
    from ..report.readme import check_readme

    if args.readme_only and not args.update_readme:
        raise InvalidArgument("--readme-only", True, "needs --update-readme README")
    out = Path(args.out)
    if args.update_readme:  # before minutes of checks, not after the report is published
        check_readme(args.update_readme)
    errors: list[str] = []
    if args.readme_only:
        index = load_index(out)
    else:
        check_out(out, args.dpi)
        start = time.perf_counter()
        with console.status("checking") as status:
            index = build_report(
                out, args.examples, args.seed, dpi=args.dpi, progress=status.update
            )
        table = Table(title=f"report in {out}/ ({time.perf_counter() - start:.0f} s)")
        for column in ("claim", "status", "evidence"):
            table.add_column(column)
        for c in index["claims"]:
            table.add_row(c["id"], f"[{STYLE[c['status']]}]{c['status']}[/]", c["evidence"])
        console.print(table)
        console.print(f"wrote {out / 'index.md'}")
        errors = index.get("errors", [])
        for error in errors:
            console.print(f"[bold red]check raised[/] {error}")
    if args.update_readme:
        changed = update_readme(args.update_readme, index, out)
        console.print(f"{'updated' if changed else 'unchanged'}: {args.update_readme}")
    return 1 if errors else 0
