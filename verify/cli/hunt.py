"""``verify hunt``: search for a certified, minimal counterexample to a claim.

CLAIM is a registered id, a group (each direction of ``conjecture-ssetf`` is hunted and the
report says which fails) or ``path/to/file.py:NAME`` for a Claim in a user's file. Writes
``<out>/<slug>.json`` and ``<out>/<slug>.md`` (``--out`` defaults to ``hunts/`` in the current
directory, never the paper's committed ``reports/hunts/``: pass ``--out reports/hunts`` to add a
hunt to the report). The results are written before anything is printed. Exit status 0 when the
hunt ran (1 with ``--strict`` when the claim was refuted or the hunt inconclusive), 2 on bad
input (nothing written), 130 when interrupted (what was found so far is written).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape

from ..claims.files import claims_named
from ..claims.verdict import Outcome
from ..errors import InvalidArgument
from ..hunt import DEFAULT_DATABASE, HuntResult, hunt, write
from ..hunt.run import check_targets
from ..hunt.summary import premise_line, text
from ..hunt.target import run_slug
from ..losses import get_loss
from ..tolerances import DEFAULT
from .check import add_loss_option, for_loss
from .common import console, positive_int, tolerance_line

DEFAULT_OUT = "hunts"

STYLE = {
    "refuted": "bold red",
    "survived": "green",
    "inconclusive": "yellow",
    "interrupted": "yellow",
    "none": "yellow",
}


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(
        name,
        help="hunt a claim for certified, minimal counterexamples",
        description="Search for a certified, minimal counterexample to a claim, relax its "
        "hypotheses, and propose the narrowest amendment the evidence supports.",
        epilog="CLAIM: a registered id (theorem-IV.4), a group (conjecture-ssetf: each "
        "direction is hunted) or path/to/file.py:NAME. Writes OUT/SLUG.json and OUT/SLUG.md "
        "(OUT is ./hunts unless --out is given; the paper's report reads reports/hunts, so "
        "only `--out reports/hunts` adds a hunt to it), then prints the summary. An existing "
        "OUT/SLUG.json that is not a hunt's record is never replaced. Exit 0 when the hunt ran "
        "(1 with --strict if refuted or inconclusive), 2 on bad input (nothing written), 130 "
        "when interrupted (what was found so far is written).",
    )
    p.add_argument("claim", help="claim id, group, or path/to/file.py:NAME")
    p.add_argument(
        "--budget",
        "-N",
        type=positive_int("budget"),
        default=200,
        help="certified evaluations per claim hunted (default 200)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="same seed, same JSON with --no-database (default 0); with the example database "
        "the counterexamples saved by earlier runs are replayed first, so a later run can stop "
        "at another counterexample (and its JSON differ) while reaching the same verdict",
    )
    p.add_argument(
        "--relax",
        action="extend",
        nargs="+",
        default=[],
        metavar="HYPOTHESIS",
        help="drop these hypotheses of the claim and hunt the generalised claim",
    )
    p.add_argument(
        "--jobs", "-j", type=positive_int("jobs"), default=1, help="worker processes (default 1)"
    )
    p.add_argument(
        "--scheduler", default=None, metavar="ADDRESS", help="Dask scheduler (needs [dask])"
    )
    p.add_argument(
        "--json",
        default=None,
        metavar="PATH",
        help="also write the JSON to this file (checked first: '' or a directory is an error)",
    )
    p.add_argument(
        "--out",
        default=DEFAULT_OUT,
        metavar="DIR",
        help="directory of the hunt's JSON and page (default: ./hunts; the paper's report "
        "reads reports/hunts)",
    )
    p.add_argument(
        "--database",
        default=DEFAULT_DATABASE,
        metavar="DIR",
        help="Hypothesis example database root (default .hypothesis/hunt)",
    )
    p.add_argument("--no-database", action="store_true", help="neither replay nor save examples")
    p.add_argument("--no-amend", action="store_true", help="do not propose or hunt amendments")
    p.add_argument("--strict", action="store_true", help="exit 1 when refuted or inconclusive")
    add_loss_option(
        p, "the loss the claim must be about (exit 2 if it is not; with --relax, a name check)"
    )
    p.set_defaults(run=run)


def _check_dir(name: str, value: str) -> None:
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise InvalidArgument(name, value, "must be a directory, not a file")


def _show_instance(outcome: Outcome) -> None:
    lines = text(outcome, indent="    ").splitlines()
    if outcome.premise:
        lines = [
            f"    {premise_line(dict(outcome.premise))}"
            if line.startswith("    premise: ")
            else line
            for line in lines
        ]
    console.print("\n".join(lines), markup=False, highlight=False)


def _summary(result: HuntResult) -> None:
    for d in result.directions:
        style = STYLE.get(d.status, "")
        console.print(f"[bold]{escape(d.claim.id)}[/]: [{style}]{d.status}[/]", highlight=False)
        if d.ref.relax:
            kept = ", ".join(d.claim.hypotheses) or "none"
            console.print(f"  relaxed claim: drops {', '.join(d.ref.relax)}; keeps {kept}")
        console.print(f"  {d.reason}", markup=False)
        if d.counterexample is not None:
            head = "counterexample" if d.status == "refuted" else "counterexample (unconfirmed)"
            console.print(f"  {head}:")
            _show_instance(d.counterexample)
            conf = d.confirmation
            if conf.get("tight"):
                t, s = conf["tight"], conf["second"]
                console.print(
                    f"    confirmation: exact at gap {t['gap_tolerance']:.0e}: {t['status']} "
                    f"({t['worst_residual']:.2e}); {s['engine']}: {s['status']} "
                    f"({s['worst_residual']:.2e})",
                    markup=False,
                )
        cov = d.as_dict(timings=False)["coverage"]
        console.print(
            f"  covered: {cov['instances']} instances, K {cov['K']}, c {cov['c']}, "
            f"lambda_b {cov['lambda_b']}, encodings {cov['encodings']}, counts {cov['counts']}",
            markup=False,
        )
        closest = d.closest_call()
        if closest is not None and d.status != "refuted":
            console.print(f"  closest call: worst residual {closest.worst:.3e} at")
            _show_instance(closest)
        a = d.amendment
        if a:
            if a["status"] == "none":
                console.print(f"  amendment: {a['statement']}", markup=False)
            else:
                style = STYLE.get(a["status"], "")
                console.print(
                    f"  amendment proposed: [bold]{escape(a['id'])}[/] "
                    f"({'restores' if a.get('restores') else 'adds'} {escape(a['added'])}, keeps "
                    f"{a['keeps']:.0%} of the generated instances): [{style}]{a['status']}[/]",
                    highlight=False,
                )
                console.print(f"    {a['reason']}", markup=False)
    if len(result.directions) > 1:
        failing = ", ".join(result.failing) or "none"
        console.print(f"failing direction(s): {failing}", markup=False)


def run(args: argparse.Namespace) -> int:
    # the output paths were checked by verify.cli.main before this; the files too, here
    _check_dir("out", args.out)
    database = None if args.no_database else args.database
    if database is not None:
        _check_dir("database", database)
    if args.loss is not None:
        # the claim must be about this loss, unless its loss is relaxed (hunted under others)
        get_loss(args.loss)
        if not args.relax:
            for_loss(claims_named(args.claim), args.loss, named=True)
    check_targets(args.out, run_slug(args.claim, tuple(args.relax)))
    result = hunt(
        args.claim,
        budget=args.budget,
        seed=args.seed,
        relax=tuple(args.relax),
        jobs=args.jobs,
        scheduler=args.scheduler,
        database=database,
        amend=not args.no_amend,
    )
    paths = write(result, args.out, args.json)  # first: a closed stdout must not lose it
    _summary(result)
    console.print(tolerance_line(DEFAULT))
    console.print("wrote " + ", ".join(str(p) for p in paths), markup=False)
    console.print(f"{result.seconds:.1f} s")
    if result.interrupted:
        return 130
    return 1 if args.strict and result.status in ("refuted", "inconclusive") else 0
