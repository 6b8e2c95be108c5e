"""``verify list`` and ``verify check``: the claims, and their verdicts with evidence."""

from __future__ import annotations

import argparse

from rich.table import Table

from ..claims import Claim, Verdict, check
from ..claims.files import claims_named
from ..claims.registry import select
from ..errors import InvalidArgument
from ..io import atomic_write_json
from ..losses import LOSSES, get_loss
from ..tolerances import DEFAULT
from .common import check_output_path, console, positive_int, tolerance_line

STYLE = {
    "proved": "bold green",
    "verified": "green",
    "supported": "cyan",  # local search only: weaker than verified, not a pass
    "refuted": "bold red",
    "inconclusive": "yellow",
}


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    if name == "list":
        p = sub.add_parser(name, help="the claims, their hypotheses and references")
        p.set_defaults(run=run_list)
        return
    p = sub.add_parser(
        name,
        help="check claims: symbolic replay and certified numerics",
        description="Check claims (all by default) and print a verdict table.",
    )
    p.add_argument(
        "claims",
        nargs="*",
        help="claim ids or groups (see `verify list`), or path/to/file.py:NAME for your own",
    )
    add_loss_option(p, "check only the claims about this loss (default: every claim)")
    p.add_argument("--examples", "-M", type=positive_int("examples"), default=50)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", default=None)
    p.add_argument(
        "--strict", action="store_true", help="exit 1 if any claim is refuted or inconclusive"
    )
    p.set_defaults(run=run_check)


def add_loss_option(p: argparse.ArgumentParser, help: str) -> None:
    """``--loss NAME``: one of :data:`verify.losses.LOSSES` (an unknown name is exit 2)."""
    p.add_argument("--loss", default=None, metavar="|".join(LOSSES), help=help)


def claim_loss(claim: Claim) -> str:
    """The loss a claim is about: cross-entropy when it assumes ``cross_entropy``, else MSE;
    ``sphere`` for the hypersphere model's claims (its losses are in each claim's id)."""
    if claim.model != "ufm":
        return claim.model
    return "ce" if "cross_entropy" in claim.hypotheses else "mse"


def for_loss(claims: list[Claim], loss: str | None, named: bool) -> list[Claim]:
    """The claims about ``loss`` (all for None). A claim named explicitly that is about another
    loss is an error (``named``); a group or the default selection keeps the ones that fit."""
    if loss is None:
        return claims
    name = get_loss(loss).name
    if named:
        other = [c for c in claims if claim_loss(c) != name]
        if other:
            c = other[0]
            raise InvalidArgument(
                "loss",
                loss,
                f"claim {c.id!r} is about {claim_loss(c)}, not {name} (to test it under another "
                f"loss, hunt it with --relax)",
            )
    return [c for c in claims if claim_loss(c) == name]


def run_list(args: argparse.Namespace) -> int:
    table = Table(title="claims")
    for column in ("id", "kind", "loss", "hypotheses", "reference"):
        table.add_column(column)
    for claim in select(None):
        hyps = claim.hypotheses_text()
        if claim.premise is not None:
            hyps += " (premise on the solution)"
        table.add_row(claim.id, claim.kind, claim_loss(claim), hyps, claim.reference)
    console.print(table)
    return 0


def verdict_table(verdicts: list[Verdict]) -> Table:
    table = Table(title="verdicts")
    columns = ("claim", "status", "instances", "regimes", "worst residual (tol)", "time")
    for column in columns:
        table.add_column(column, justify="left" if column in ("claim", "status") else "right")
    for v in verdicts:
        tried = sum(v.counts.values())
        worst = f"{v.worst_residual:.1e} ({v.tolerances.residual:.0e})"
        cov = v.coverage
        regimes = f"{cov['reached']}/{cov['allowed']}" if cov else ""
        table.add_row(
            v.claim_id,
            f"[{STYLE[v.status]}]{v.status}[/]",
            str(tried),
            regimes,
            worst,
            f"{v.seconds:.1f} s",
        )
    return table


def _claims(specs: list[str]) -> list[Claim]:
    """The claims named (ids, groups or FILE.py:NAME), each once, in order; all for none."""
    if not specs:
        return select(None)
    chosen: list[Claim] = []
    for spec in specs:
        chosen.extend(c for c in claims_named(spec) if all(c is not d for d in chosen))
    return chosen


def run_check(args: argparse.Namespace) -> int:
    check_output_path("json", args.json)
    claims = for_loss(_claims(args.claims), args.loss, named=bool(args.claims))
    if not claims:
        raise InvalidArgument("loss", args.loss, "no claim selected is about this loss")
    verdicts = []
    with console.status("checking") as status:
        for claim in claims:
            status.update(f"checking {claim.id}")
            verdicts.append(check(claim, examples=args.examples, seed=args.seed))
    if args.json:  # results first: a reader who closes the pipe early loses nothing
        atomic_write_json(
            args.json,
            {
                "seed": args.seed,
                "examples": args.examples,
                "verdicts": [v.as_dict() for v in verdicts],
            },
        )
    console.print(verdict_table(verdicts))
    for v in verdicts:
        if v.status in ("refuted", "inconclusive"):
            console.print(f"[{STYLE[v.status]}]{v.claim_id}[/]: {v.reason}")
            if v.counterexample is not None:
                console.print(
                    "  residuals: "
                    + ", ".join(f"{k} = {x:.3e}" for k, x in v.counterexample.residuals.items())
                )
    console.print(tolerance_line(DEFAULT))
    if args.json:
        console.print(f"wrote {args.json}")
    failed = any(v.status in ("refuted", "inconclusive") for v in verdicts)
    return 1 if args.strict and failed else 0
