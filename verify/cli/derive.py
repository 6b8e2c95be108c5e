"""``verify derive CLAIM``: the SymPy derivation and proof replay of a claim."""

from __future__ import annotations

import argparse

import sympy as sp

from ..claims.registry import select
from ..errors import InvalidArgument
from ..io import atomic_write_json
from .check import add_loss_option, for_loss
from .common import console


def add_parser(sub: argparse._SubParsersAction, name: str) -> None:
    p = sub.add_parser(
        name,
        help="symbolic derivation and proof replay of a claim",
        description="Print a claim's derived expressions (LaTeX and plain text) and "
        "its proof replay, each step decided by SymPy.",
    )
    p.add_argument("claim", help="claim id or group (see `verify list`)")
    add_loss_option(p, "the loss the claim must be about (exit 2 if it is not)")
    p.add_argument(
        "--json",
        default=None,
        help="write the expressions as SymPy strings, and the steps, to this file (checked "
        "first: '' or a directory is an error)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..symbolic import derivation

    ids = sorted(
        {c.derivation for c in for_loss(select([args.claim]), args.loss, True) if c.derivation}
    )
    if not ids:
        raise InvalidArgument(
            "claim", args.claim, "has no symbolic part; it is checked numerically only"
        )
    derivations = [derivation(did) for did in ids]
    out = {did: d.as_dict() for did, d in zip(ids, derivations, strict=True)}
    if args.json:  # written before anything is printed: a closed stdout cannot lose it
        atomic_write_json(args.json, out)
    for d in derivations:
        console.rule(f"{d.claim_id}: {d.title}")
        for name, expr in d.expressions.items():
            console.print(f"[bold]{name}[/bold] = {sp.sstr(expr)}")
            console.print(f"    LaTeX: {sp.latex(expr)}", soft_wrap=True)
        for i, step in enumerate(d.steps, 1):
            mark = {True: "[green]holds[/]", False: "[red]FAILS[/]", None: "[yellow]numeric[/]"}[
                step.holds
            ]
            console.print(f"{i:2d}. [{step.kind}] {mark}  {step.description}")
            if step.kind != "algebra" and step.reason:
                console.print(f"      left to the certified numeric layer: {step.reason}")
        status = (
            "proved"
            if d.proved and all(s.kind == "algebra" for s in d.steps)
            else ("every algebra step holds" if d.proved else "an algebra step FAILS")
        )
        console.print(f"[bold]{d.claim_id}[/bold]: {status}")
    if args.json:
        console.print(f"wrote {args.json}")
    return 0
