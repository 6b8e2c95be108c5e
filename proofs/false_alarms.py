"""False alarms: how often ``verify check`` refutes a claim that is true.

The other half of measuring the search (``proofs/planted.py`` is the first): every registered
claim whose committed status (``reports/index.json``) is ``proved``, ``verified`` or
``supported`` is checked with :func:`verify.claims.check` at its default examples for seeds
0..S-1, and every certified instance it evaluated is counted (a verdict's ``counts``: the
outcomes ``holds``, ``counterexample``, ``unconfirmed`` and ``between`` rest on a certified
solve). Target (issue 10): no true claim refuted in 10^4 certified instances.
``python -m proofs.false_alarms --seeds 10 --out reports`` writes ``reports/false_alarms.md``
and ``.json``; a refutation is a finding, reported with its counterexample, never dropped.

A registered claim the committed report does not list yet is taken as true when it is a
``theorem`` or ``derived`` claim, or when its evidence can only be local search (its best
verdict is ``supported``); the page says which claims were chosen that way.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from verify.claims import Claim
from verify.claims.verdict import CERTIFIED, Outcome, Verdict
from verify.io import to_jsonable

__all__ = ["TRUE_STATUSES", "main", "measure", "true_claims"]

#: committed statuses of claims taken as true
TRUE_STATUSES = ("proved", "verified", "supported")
#: the target of issue 10
TARGET = 10_000


def _committed(index: Path) -> dict[str, str]:
    """claim id -> committed status, from the report's ``index.json`` ({} when absent)."""
    if not index.is_file():
        return {}
    data = json.loads(index.read_text(encoding="utf-8"))
    return {str(c["id"]): str(c["status"]) for c in data.get("claims", ())}


def _local_search_only(claim_id: str) -> bool:
    # the registry of local-search-only claims is the verdict module's (a claim module marks its
    # id there with ``local_search_only``); its verdict can be ``supported`` at best
    from verify.claims import verdict

    return claim_id in verdict._LOCAL_SEARCH_ONLY


def true_claims(
    index: Path = Path("reports/index.json"), only: tuple[str, ...] = ()
) -> list[tuple[Claim, str, str]]:
    """(claim, its status, where the status comes from) for every true registered claim, in the
    registry's order; ``only`` restricts to those ids (an unknown id raises ``KeyError``)."""
    from . import REGISTRY

    for cid in only:
        if cid not in REGISTRY:
            raise KeyError(f"unknown claim {cid!r}")
    committed = _committed(index)
    out: list[tuple[Claim, str, str]] = []
    for cid, claim in REGISTRY.items():
        if only and cid not in only:
            continue
        if cid in committed:
            status, source = committed[cid], "committed report"
        elif _local_search_only(cid):
            status, source = "supported", "not in the committed report; local search only"
        elif claim.kind in ("theorem", "derived"):
            status, source = claim.kind, "not in the committed report; by its kind"
        else:
            continue
        if status in TRUE_STATUSES or source != "committed report":
            out.append((claim, status, source))
    return out


def _certified(v: Verdict) -> int:
    return sum(n for s, n in v.counts.items() if s in CERTIFIED)


def _key(outcome: Outcome, drawn: bool = True) -> str:
    """An instance, its rotation Q (if any) and, with ``drawn``, the parameters it was drawn
    with, as text: equal keys, the same problem. The drawn parameters matter for the sphere
    (its temperature tau is one); for the UFM they are the recipe of the instance, so without
    them the count is a lower bound."""
    case = outcome.case
    q = None if case.Q is None else case.Q.tolist()
    extra = dict(sorted(case.drawn.items())) if drawn else {}
    return json.dumps(to_jsonable([case.instance.to_dict(), q, extra]), sort_keys=True)


@contextmanager
def _recording(outcomes: list[Outcome]) -> Iterator[None]:
    """Collect the outcomes ``check`` evaluates (its search fills the list it is given), so the
    certified instances can also be counted once each: the corners are the same at every seed,
    and a search may draw an instance twice."""
    from verify.claims import runner

    original = runner.run_search

    def run_search(*args: Any, **kw: Any) -> Any:
        found = original(*args, **kw)
        outcomes.extend(args[5] if len(args) > 5 else kw["outcomes"])
        return found

    runner.run_search = run_search
    try:
        yield
    finally:
        runner.run_search = original


def _row(
    status: str, source: str, verdicts: list[Verdict], outcomes: list[Outcome]
) -> dict[str, Any]:
    refuted = [v for v in verdicts if v.status == "refuted"]
    certified = [o for o in outcomes if o.status in CERTIFIED]
    distinct = {_key(o) for o in certified}
    instances = {_key(o, drawn=False) for o in certified}
    return {
        "committed status": status,
        "status from": source,
        "seeds": len(verdicts),
        "statuses": [str(v.status) for v in verdicts],
        "certified": [_certified(v) for v in verdicts],
        "certified instances": sum(_certified(v) for v in verdicts),
        "distinct certified instances": len(distinct),
        "distinct certified instances, drawn parameters ignored": len(instances),
        "vacuous": sum(v.counts.get("vacuous", 0) for v in verdicts),
        # instances that were counterexamples for the search's engine, confirmed or not
        "counterexample outcomes": sum(
            v.counts.get("counterexample", 0) + v.counts.get("unconfirmed", 0) for v in verdicts
        ),
        "refutations": len(refuted),
        "refuted at": [
            {
                "seed": v.seed,
                "reason": v.reason,
                "counterexample": None if v.counterexample is None else v.counterexample.as_dict(),
                "confirmation": v.confirmation,
            }
            for v in refuted
        ],
        "inconclusive at": [
            {"seed": v.seed, "reason": v.reason} for v in verdicts if v.status == "inconclusive"
        ],
    }


def measure(
    claims: list[tuple[Claim, str, str]],
    seeds: range,
    examples: int | None = None,
    log: Any = None,
) -> dict[str, dict[str, Any]]:
    """For each claim, its verdict at each seed (``check``'s defaults otherwise; ``examples``
    None is ``check``'s default), with the certified instances counted."""
    from verify.claims import check

    kw: dict[str, Any] = {} if examples is None else {"examples": examples}
    out: dict[str, dict[str, Any]] = {}
    for claim, status, source in claims:
        verdicts: list[Verdict] = []
        outcomes: list[Outcome] = []
        for s in seeds:
            start = time.perf_counter()
            with _recording(outcomes):
                v = check(claim, seed=s, **kw)
            verdicts.append(v)
            if log is not None:
                print(
                    f"{claim.id} seed {s}: {v.status}, {_certified(v)} certified, "
                    f"{time.perf_counter() - start:.1f} s",
                    file=log,
                    flush=True,
                )
        out[claim.id] = _row(status, source, verdicts, outcomes)
    return out


def _totals(result: dict[str, dict[str, Any]]) -> dict[str, int]:
    return {
        "claims": len(result),
        "checks": sum(r["seeds"] for r in result.values()),
        "certified instances": sum(r["certified instances"] for r in result.values()),
        "distinct certified instances": sum(
            r["distinct certified instances"] for r in result.values()
        ),
        "distinct certified instances, drawn parameters ignored": sum(
            r["distinct certified instances, drawn parameters ignored"] for r in result.values()
        ),
        "refutations": sum(r["refutations"] for r in result.values()),
        "counterexample outcomes": sum(r["counterexample outcomes"] for r in result.values()),
        "inconclusive": sum(len(r["inconclusive at"]) for r in result.values()),
    }


def _markdown(
    result: dict[str, dict[str, Any]], examples: int, seeds: int, default: bool = True
) -> str:
    t = _totals(result)
    again = f"--seeds {seeds}" + ("" if default else f" --examples {examples}")
    met = t["refutations"] == 0 and t["distinct certified instances"] >= TARGET
    lines = [
        "# False alarms: does `verify check` refute a true claim?",
        "",
        f"Every registered claim whose committed status is {', '.join(TRUE_STATUSES)} is checked "
        f"with `verify.claims.check` at {examples} examples"
        + (" (its default)" if default else "")
        + f", seeds 0..{seeds - 1}. "
        "A certified instance is one whose solve was certified (outcome holds, counterexample, "
        "unconfirmed or between); the deterministic corners are the same at every seed and a "
        "search may draw an instance twice, so the distinct instances are counted too (each "
        "instance, with its rotation and the parameters it was drawn with, such as the sphere's "
        "temperature, once per claim). Target (issue 10): no true claim refuted in "
        f"{TARGET:,} certified instances. Regenerate with "
        f"`python -m proofs.false_alarms {again} --out reports`.",
        "",
        "| claim | status | seeds | certified instances | distinct | premise failed "
        "| refutations | inconclusive |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for cid, r in result.items():
        status = r["committed status"]
        if r["status from"] != "committed report":
            status += " (not in the committed report)"
        lines.append(
            f"| `{cid}` | {status} | {r['seeds']} | {r['certified instances']} "
            f"| {r['distinct certified instances']} | {r['vacuous']} "
            f"| {r['refutations']} | {len(r['inconclusive at'])} |"
        )
    lines += [
        "",
        f"**{t['refutations']} refutations in {t['certified instances']:,} certified instances** "
        f"({t['distinct certified instances']:,} distinct, "
        f"{t['distinct certified instances, drawn parameters ignored']:,} with the drawn "
        f"parameters ignored; {t['claims']} claims, "
        f"{t['checks']} checks; {t['counterexample outcomes']} instances were counterexamples "
        "for the search's engine before confirmation). Target "
        + ("met" if met else "not met")
        + " (counted on the distinct instances).",
    ]
    findings = [(cid, f) for cid, r in result.items() for f in r["refuted at"]]
    if findings:
        lines += ["", "## Refutations of claims taken as true (findings)", ""]
        for cid, f in findings:
            lines.append(f"- `{cid}`, seed {f['seed']}: {f['reason']}")
    weak = [(cid, f) for cid, r in result.items() for f in r["inconclusive at"]]
    if weak:
        lines += ["", "## Inconclusive checks (not refutations, not passes)", ""]
        for cid, f in weak:
            lines.append(f"- `{cid}`, seed {f['seed']}: {f['reason']}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m proofs.false_alarms", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--examples", type=int, default=None, help="default: check's default")
    parser.add_argument("--out", default="reports")
    parser.add_argument("--index", default=None, help="the committed report's index.json")
    parser.add_argument("--claim", action="append", default=[], help="only these claim ids")
    args = parser.parse_args(argv)
    import inspect

    from verify.claims import check
    from verify.io import atomic_write_json, atomic_write_text, check_directory_output

    out = check_directory_output("--out", args.out)
    default = int(inspect.signature(check).parameters["examples"].default)
    examples = default if args.examples is None else args.examples
    index = Path(args.index) if args.index else Path(__file__).parent.parent / "reports/index.json"
    claims = true_claims(index, tuple(args.claim))
    start = time.perf_counter()
    result = measure(claims, range(args.seeds), examples, log=sys.stderr)
    seconds = time.perf_counter() - start
    text = _markdown(result, examples, args.seeds, examples == default)
    data = {
        "examples": examples,
        "seeds": args.seeds,
        "target": TARGET,
        "totals": _totals(result),
        "claims": result,
    }
    atomic_write_json(out / "false_alarms.json", data)
    atomic_write_text(out / "false_alarms.md", text)
    print(text)
    print(f"{seconds:.0f} s", file=sys.stderr)
    return 0 if data["totals"]["refutations"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
