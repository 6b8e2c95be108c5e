"""The markdown page of a hunt, rendered from its JSON data (so the two never disagree)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .summary import premise_line

__all__ = ["markdown"]

_WORD = {
    "refuted": "**REFUTED**",
    "survived": "survived the budget",
    "inconclusive": "*inconclusive*",
    "interrupted": "*interrupted*",
}


def _num(x: Any) -> str:
    if isinstance(x, str):
        return x
    if x is None:
        return "-"
    if isinstance(x, bool | int):
        return str(x)
    x = float(x)
    if math.isinf(x) or math.isnan(x):
        return str(x)
    return f"{x:.4g}" if x == 0 or 1e-3 <= abs(x) < 1e4 else f"{x:.3e}"


def _matrix(rows: list[list[float]]) -> str:
    text = np.array2string(np.asarray(rows, dtype=float), precision=5, suppress_small=True)
    return f"```\n{text}\n```"


def _instance(rec: dict[str, Any]) -> list[str]:
    inst = rec["instance"]
    lines = [
        f"- {rec['describe']}",
        "",
        "| K | counts | N | d | lambda_W | lambda_H | lambda_b | c | lambda_W / lambda_H |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
        f"| {inst['K']} | {inst['counts']} | {rec['N']} | {inst['d']} | {_num(inst['lambda_W'])} "
        f"| {_num(inst['lambda_H'])} | {_num(inst['lambda_b'])} ({rec['lambda_b_mode']}) "
        f"| {_num(rec['c'])}{'' if rec['c_is_balanced_c'] else ' (K sqrt(N/K lambda_W lambda_H))'} "
        f"| {_num(rec['ratio'] ** 2)} |",
        "",
        f"Encoding Ybar (column k is the target of class k; drawn as {rec['drawn']}):",
        "",
        _matrix(inst["encoding"]),
    ]
    if rec.get("Q") is not None:
        lines += ["", "Q:", "", _matrix(rec["Q"])]
    lines += ["", "| residual | value |", "|---|---:|"]
    lines += [f"| {k} | {_num(v)} |" for k, v in rec["residuals"].items()]
    if rec.get("premise"):
        lines += [f"| {premise_line(rec['premise'])} | |"]
    gaps = ", ".join(_num(g) for g in rec["relative_gaps"]) or "-"
    lines += ["", f"Certificate: relative duality gap(s) of the exact engine's solve(s): {gaps}."]
    return lines


def _confirmation(conf: dict[str, Any]) -> list[str]:
    if not conf:
        return []
    if "error" in conf:
        return ["", f"Confirmation could not run: {conf['error']}."]
    t, s = conf["tight"], conf["second"]
    return [
        "",
        "| confirmation | engine | gap tolerance | status | worst residual | relative gap(s) |",
        "|---|---|---:|---|---:|---|",
        f"| 100x tighter gap | {t['engine']} | {_num(t['gap_tolerance'])} | {t['status']} "
        f"| {_num(t['worst_residual'])} | {', '.join(_num(g) for g in t['relative_gaps'])} |",
        f"| second engine | {s['engine']} | {_num(s['gap_tolerance'])} | {s['status']} "
        f"| {_num(s['worst_residual'])} | {', '.join(_num(g) for g in s['relative_gaps'])} |",
    ]


def _coverage(cov: dict[str, Any]) -> list[str]:
    lines = ["| region | visited |", "|---|---|"]
    for key, value in cov.items():
        if isinstance(value, list):
            shown = f"{_num(value[0])} .. {_num(value[1])}"
        elif isinstance(value, dict):
            shown = ", ".join(f"{k}: {v}" for k, v in value.items()) or "-"
        else:
            shown = _num(value)
        lines.append(f"| {key} | {shown} |")
    return lines


def _direction(d: dict[str, Any], level: str = "##") -> list[str]:
    lines = [f"{level} `{d['claim']}`: {_WORD.get(d['status'], d['status'])}", ""]
    lines += [f"*{d['title']}* ({d['reference']}); kind: {d['kind']}.", ""]
    lines += [f"Statement: {d['statement']}", ""]
    hyps = "; ".join(f"`{h['name']}` ({h['statement']})" for h in d["hypotheses"]) or "none"
    lines += [f"Hypotheses: {hyps}."]
    if d.get("premise"):
        lines += [f"Premise (on the solution): {d['premise']}."]
    if d.get("relaxed"):
        r = d["relaxed"]
        lines += [
            "",
            f"**Relaxed claim** (from `{r['from']}`, dropping {', '.join(r['dropped'])}; "
            f"keeping {', '.join(r['kept']) or 'no hypotheses'}): {r['exactly']}.",
        ]
    if d.get("added"):
        lines += ["", f"**Amended claim**: adds {', '.join(d['added'])}."]
    lines += ["", f"Verdict: **{d['status']}**: {d['reason']}", ""]
    b = d["budget"]
    lines += [
        f"Budget {b['requested']} ({b['search']} Hypothesis search in {b['units']} unit(s), "
        f"{b['refine']} local refinement); {b['evaluated']} instances evaluated "
        f"({', '.join(f'{k}: {v}' for k, v in b['by_phase'].items())}); statuses: "
        f"{', '.join(f'{k}: {v}' for k, v in d['counts'].items())}.",
        "",
    ]
    if d["counterexample"] is not None:
        head = "Counterexample" if d["status"] == "refuted" else "Counterexample (not confirmed)"
        lines += [f"{level}# {head}", "", *_instance(d["counterexample"])]
        lines += _confirmation(d["confirmation"])
        lines += ["", f"{d['counterexamples_seen']} certified failing instance(s) seen in all.", ""]
    lines += [f"{level}# Region covered", "", *_coverage(d["coverage"]), ""]
    if d["closest_call"] is not None:
        c = d["closest_call"]
        lines += [
            f"{level}# Closest call (largest residual above the tolerance where the claim did "
            "not fail; if none, the smallest instance within it, where rounding decides the value)",
            "",
            f"Worst residual {_num(c['worst_residual'])} ({c['status']}).",
            "",
        ]
        lines += [*_instance(c), ""]
    a = d.get("amendment")
    if a:
        lines += [f"{level}# Amendment", ""]
        if a.get("status") == "none":
            lines += [a["statement"] + ".", ""]
        else:
            lines += [
                f"Narrowest supported amendment: `{a['id']}`, "
                f"{'restoring' if a.get('restores') else 'adding'} {a['added']} "
                f"(keeps {a['keeps']:.0%} of the instances generated): **{a['status']}**.",
                "",
                f"Amended statement: {a['statement']}.",
                "",
                f"Its hunt: {a['reason']}",
                "",
            ]
        lines += [
            "| candidate | excludes the counterexamples | keeps | supported | note |",
            "|---|---|---:|---|---|",
        ]
        for c in a["candidates"]:
            if c["excludes_all"] or len(c["hypotheses"]) == 1:
                lines.append(
                    f"| {' + '.join(c['hypotheses'])} | {c['excludes']} | {c['keeps']:.0%} "
                    f"| {'yes' if c['supported'] else 'no'} | {c['note']} |"
                )
        lines.append("")
        if len(a.get("attempts", [])) > 1:
            lines += ["Amendments hunted in turn:", ""]
            lines += [
                f"- `{t['claim']}` (keeps {t['keeps']:.0%}): {t['status']}" for t in a["attempts"]
            ]
            lines.append("")
        for sub in a.get("hunts", [])[-1:]:
            lines += _direction(sub, level + "#")
    return lines


def markdown(data: dict[str, Any]) -> str:
    """The page of a hunt, from :meth:`HuntResult.as_dict` data."""
    lines = [f"# Hunt `{data['slug']}`", ""]
    relaxed = ", ".join(data["relaxed"]) or "nothing"
    lines += [
        f"Claim `{data['claim']}` · relaxed: {relaxed} · budget {data['budget']} per claim · "
        f"seed {data['seed']} · overall: **{data['status']}**"
        + (" (interrupted: partial results)" if data["interrupted"] else ""),
        "",
        f"Tolerances: {', '.join(f'{k}={v:.0e}' for k, v in data['tolerances'].items())}.",
        "",
    ]
    if len(data["directions"]) > 1:
        lines += ["| direction | verdict |", "|---|---|"]
        lines += [f"| `{d['claim']}` | {d['status']} |" for d in data["directions"]]
        failing = data["failing_directions"]
        lines += [
            "",
            "Failing direction(s): " + (", ".join(f"`{f}`" for f in failing) or "none") + ".",
            "",
        ]
    for name in data["not_hunted"]:
        lines += [f"`{name}`: not hunted (the run was interrupted).", ""]
    for d in data["directions"]:
        lines += _direction(d)
    return "\n".join(lines).rstrip() + "\n"
