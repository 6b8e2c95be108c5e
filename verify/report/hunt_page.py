"""The page of one hunt, re-rendered from its JSON (``hunts/<slug>.json``, see
:mod:`verify.report.hunts` for the format and how it is read)."""

from __future__ import annotations

import json
import math
from typing import Any

from ..io import to_jsonable
from .hunts import record_instance, tried_records, worst_residual
from .pages import instance_view, render
from .text import fmt, one_line

__all__ = ["hunt_page"]

SHOWN = {
    "tool", "claim", "slug", "json", "status", "relaxed", "budget", "seed", "counterexample",
    "closest_call", "amendment", "tried", "tried_total", "directions", "timing",
}  # fmt: skip
AMENDMENT_FIELDS = ("id", "statement", "added", "keeps", "status", "reason", "direction")


def _record(record: Any) -> dict[str, Any] | None:
    if not record:
        return None
    inst = record_instance(record)
    residuals = record.get("residuals") if isinstance(record, dict) else None
    return {
        "instance": instance_view(inst) if inst is not None else None,
        "residuals": residuals if isinstance(residuals, dict) else {},
        "worst": worst_residual(record),
        "direction": record.get("direction") if isinstance(record, dict) else None,
        "confirmed": record.get("confirmed") if isinstance(record, dict) else None,
        "raw": json.dumps(to_jsonable(record), indent=2, sort_keys=True)[:4000],
    }


def _link(claim_id: str, links: dict[str, str]) -> str:
    base = claim_id.split(" without ")[0].split(" with ")[0]
    target = links.get(claim_id) or links.get(base)
    return f"[`{claim_id}`]({target})" if target else f"`{claim_id}`"


def _directions(hunt: dict[str, Any], links: dict[str, str]) -> list[dict[str, str]]:
    rows = []
    for d in hunt.get("directions") or []:
        if not isinstance(d, dict):
            continue
        raw = d.get("budget")
        budget: dict[str, Any] = raw if isinstance(raw, dict) else {}
        reason = one_line(str(d.get("reason", "")))
        rows.append(
            {
                "claim": _link(str(d.get("claim", "")), links),
                "status": str(d.get("status", "")),
                "evaluated": str(budget.get("evaluated", "")),
                "seen": str(d.get("counterexamples_seen", "")),
                "reason": reason if len(reason) <= 240 else reason[:237] + "...",
            }
        )
    return rows


def _amendment(amendment: Any) -> dict[str, Any] | None:
    if not amendment:
        return None
    if not isinstance(amendment, dict):
        return {"fields": [("amendment", one_line(str(amendment)))]}
    fields = [(k, one_line(json.dumps(to_jsonable(amendment[k])) if not isinstance(amendment[k], str) else amendment[k]))
              for k in AMENDMENT_FIELDS if amendment.get(k) not in (None, "", [])]  # fmt: skip
    return {"fields": fields}


def _top(tried: list[Any], count: int = 15) -> list[dict[str, str]]:
    ranked = sorted(
        ((worst_residual(r), i, r) for i, r in enumerate(tried)),
        key=lambda t: (-(t[0] if t[0] is not None else -math.inf), t[1]),
    )
    top = []
    for w, i, r in ranked[:count]:
        inst = record_instance(r)
        top.append(
            {
                "index": str(i),
                "worst": fmt(w),
                "status": str(r.get("status", "")) if isinstance(r, dict) else "",
                "direction": str(r.get("direction", "")) if isinstance(r, dict) else "",
                "instance": inst.describe() if inst is not None else "(no readable instance)",
            }
        )
    return top


def hunt_page(hunt: dict[str, Any], links: dict[str, str], figures: list[dict[str, Any]]) -> str:
    """Markdown for one hunt; ``links`` maps claim ids to their pages (relative to hunts/)."""
    tried = tried_records(hunt)
    budget = hunt.get("budget")
    if isinstance(budget, dict):
        budget = budget.get("requested", budget)
    return render(
        "hunt.md.j2",
        h=hunt,
        claim=_link(str(hunt.get("claim", "")), links),
        relaxed=", ".join(map(str, hunt.get("relaxed") or [])) or "nothing",
        budget="?" if budget is None else budget,
        seed=hunt.get("seed", "?"),
        directions=_directions(hunt, links),
        counterexample=_record(hunt.get("counterexample")),
        closest=_record(hunt.get("closest_call")),
        amendment=_amendment(hunt.get("amendment")),
        tried=len(tried),
        tried_total=hunt.get("tried_total", len(tried)),
        top=_top(tried),
        others={k: v for k, v in hunt.items() if k not in SHOWN},
        figures=figures,
    )
