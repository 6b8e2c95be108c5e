"""``build_report``: check every claim, draw the figures, render the pages, publish atomically.

Layout of a report directory (``reports/`` by default)::

    index.md, index.json          the entry point: findings, claim table, reproducibility
    claims/<slug>.md, .json       one page per claim and its data (slugs in index.json)
    hunts/<slug>.md               re-rendered from hunts/<slug>.json (written by verify hunt)
    figures/<name>.png            the contents' figures (figures/benchmarks_* are the benchmarks')
    losses.md, sphere.md, ...     the contents' own pages (verify.report.content; this
                                  project's: proofs/report)
    benchmarks.md, .json          written by the benchmarks, linked when present
    planted.md, .json             written by python -m proofs.planted, linked when present
    false_alarms.md, .json        written by python -m proofs.false_alarms, linked when present

Every file the report writes is listed in ``index.json`` (``manifest``); only those are ever
replaced or deleted by a later report, and a run that would replace any other file refuses
before it starts. See :mod:`verify.report.atomic` for how the new report is switched in whole.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..claims import Claim, Verdict, check
from ..claims.registry import select
from ..claims.verdict import VERDICT_ORDER
from ..errors import InvalidArgument, InvalidFile, VerifyError
from ..io import atomic_write_text, to_jsonable
from ..tolerances import DEFAULT
from . import canonical
from .atomic import MARKER, check_replaceable, publish, staging
from .content import Content, Drawing, contents, heading
from .environment import environment
from .hunt_page import hunt_page
from .hunts import load_hunts
from .pages import claim_page, index_page
from .replaced import replaced_counterexamples
from .text import gap_histogram, slugs_for

__all__ = ["build_report", "load_index", "run_checks"]

Progress = Callable[[str], None]

DPI_RANGE = (20, 600)


def _errored(claim: Claim, error: Exception, examples: int, seed: int) -> Verdict:
    return Verdict(
        claim.id,
        "inconclusive",
        DEFAULT,
        {},
        None,
        reason=f"the check raised {type(error).__name__}: {error}",
        examples=examples,
        seed=seed,
    )


def run_checks(
    claims: list[Claim], examples: int, seed: int, progress: Progress | None = None
) -> tuple[list[Verdict], list[str]]:
    """``check`` every claim; a claim whose check raises is inconclusive, with the error.
    (The checks do not depend on what was imported before them:
    :func:`verify.claims.determinism.deterministic_generation`.)"""
    verdicts, errors = [], []
    for claim in claims:
        if progress:
            progress(f"checking {claim.id}")
        try:
            verdicts.append(check(claim, examples=examples, seed=seed))
        except Exception as error:  # reported in the verdict and by the CLI, never hidden
            verdicts.append(_errored(claim, error, examples, seed))
            errors.append(f"{claim.id}: {type(error).__name__}: {error}")
    return verdicts, errors


def _figure_files(parts: tuple[Content, ...]) -> list[str]:
    """The figures the contents will draw; a name two contents share is an error."""
    files = [f for c in parts for f in c.figure_files()]
    twice = sorted({f for f in files if files.count(f) > 1})
    if twice:
        raise InvalidArgument("figures", twice, "each figure is drawn by one report content")
    return files


def _figures(parts: tuple[Content, ...], drawing: Drawing) -> list[dict[str, Any]]:
    """Every content's figures, checked against what it planned (a new figure cannot be missed)."""
    figures = []
    for part in parts:
        drawn = part.draw(drawing)
        unplanned = sorted({f["file"] for f in drawn} - set(part.figure_files()))
        if unplanned:  # it would write a file the run did not plan, so could not protect
            raise VerifyError(
                f"the report content {part.source!r} drew {unplanned}, "
                "which its figures do not name"
            )
        figures += drawn
    return figures


def _relevant(figures: list[dict[str, Any]], *ids: str) -> list[dict[str, Any]]:
    return [f for f in figures if f["name"] != "gaps" and set(ids) & set(f["claims"])]


def _claim_json(
    claim: Claim, v: Verdict, slug: str, figures: list[dict[str, Any]]
) -> dict[str, Any]:
    from ..symbolic import derivation

    d = None
    if claim.derivation:
        try:
            d = derivation(claim.derivation).as_dict()
        except Exception:  # the verdict's "symbolic" already records the error
            d = None
    return {
        "claim": {
            "id": claim.id,
            "slug": slug,
            "title": claim.title,
            "statement": claim.statement,
            "reference": claim.reference,
            "kind": claim.kind,
            "group": claim.group,
            "hypotheses": list(claim.hypotheses),
            "hypotheses_latex": claim.hypotheses_latex(),
            "premise_statement": claim.premise_statement,
            "notes": claim.notes,
            "relaxed_from": claim.relaxed_from,
        },
        "verdict": canonical.measured_fields(v.as_dict(timings=False), v.tolerances.residual),
        "relative_gap_summary": gap_histogram(v.gaps, v.tolerances.gap),
        "derivation": d,
        "figures": [f["file"] for f in figures],
    }


def _planned(
    parts: tuple[Content, ...], slugs: dict[str, str], hunts: list[dict[str, Any]]
) -> list[str]:
    """The files a report with these claims and hunts will write, relative to its directory."""
    pages = [f"claims/{s}.{ext}" for s in slugs.values() for ext in ("md", "json")]
    return [
        *INDEX_FILES,
        *(f for part in parts for f in part.pages(slugs)),
        *pages,
        *_figure_files(parts),
        *(f"hunts/{h['slug']}.md" for h in hunts),
    ]


INDEX_FILES = ("index.md", "index.json")


def check_out(out: str | Path, dpi: int = 150) -> Path:
    """Check ``out`` and ``dpi`` before any work: a one-line :class:`InvalidArgument` if ``out``
    is a file, lies under one, or its parent (where the report is staged) is not writable."""
    from ..io import check_directory_output

    low, high = DPI_RANGE
    if not low <= dpi <= high:
        raise InvalidArgument("dpi", dpi, f"must be between {low} and {high} (dots per inch)")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InvalidArgument(
            "out", str(out), "must be a directory (the report is a tree of files)"
        )
    check_directory_output("out", out)
    real, here = Path(os.path.realpath(out)), Path.cwd().resolve()
    if real == here or real in here.parents:
        raise InvalidArgument(
            "out",
            str(out),
            "must not be the current directory or one of its parents (the "
            "report is switched in as a whole directory, which would move the ground under you)",
        )
    parent = real.parent
    if parent.is_dir() and not os.access(parent, os.W_OK | os.X_OK):
        raise InvalidArgument(
            "out",
            str(out),
            f"its parent {str(parent)!r} must be writable (the report is staged "
            "beside it and switched in whole)",
        )
    return out


def build_report(
    out: str | Path = "reports",
    examples: int = 30,
    seed: int = 0,
    claims: list[str] | None = None,
    dpi: int = 150,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Regenerate the report in ``out`` and return its index (also written as ``index.json``).

    ``claims`` restricts the report to some claims (ids or groups; all by default).
    """
    out = check_out(out, dpi)
    start = time.perf_counter()
    chosen = select(claims)
    by_id = {c.id: c for c in chosen}
    slugs = slugs_for(by_id)
    parts = contents()
    # read once: the hunt pages planned (and checked) are the ones written, even if a hunt
    # finishes into out/hunts while the checks run
    hunts = load_hunts(out)
    planned = _planned(parts, slugs, hunts)
    check_replaceable(out, planned)  # refuse before the work
    with staging(out) as stage:
        verdicts, errors = run_checks(chosen, examples, seed, progress)
        checked = time.perf_counter()
        if progress:
            progress("drawing figures")
        drawing = Drawing(stage, dpi, seed, examples, verdicts, hunts)
        figures = _figures(parts, drawing)
        drawn = time.perf_counter()
        if progress:
            progress("writing pages")
        (stage / "claims").mkdir()
        for v in verdicts:
            claim, slug = by_id[v.claim_id], slugs[v.claim_id]
            mine = _relevant(figures, claim.id, claim.relaxed_from)
            replaced = replaced_counterexamples(claim, hunts)
            page = claim_page(claim, v, mine, slug, replaced)
            atomic_write_text(stage / "claims" / f"{slug}.md", page)
            data = _claim_json(claim, v, slug, mine) | ({"replaced": replaced} if replaced else {})
            canonical.write_json(stage / "claims" / f"{slug}.json", data)
        for part in parts:
            part.write(drawing, figures)  # the content's own pages (a paper's loss table, ...)
        links = {cid: f"../claims/{s}.md" for cid, s in slugs.items()}
        generated = [f["file"] for f in figures]
        for h in hunts:
            mine = _relevant(figures, str(h.get("claim", "")).split(" ")[0])
            atomic_write_text(stage / "hunts" / f"{h['slug']}.md", hunt_page(h, links, mine))
            generated.append(f"hunts/{h['slug']}.md")
        index = _index(
            out, parts, examples, seed, verdicts, by_id, slugs, hunts, figures, generated
        )
        index["errors"] = errors
        index["timings"] = {
            "checks_seconds": checked - start,
            "figures_seconds": drawn - checked,
            "per_claim_seconds": {v.claim_id: v.seconds for v in verdicts},
        }
        atomic_write_text(stage / "index.md", index_page(index, heading(parts)))
        index["manifest"] = sorted(
            {p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file()} - {MARKER}
            | set(INDEX_FILES)
        )
        unplanned = sorted(set(index["manifest"]) - set(planned))
        if unplanned:  # files no check protected: a content wrote what its pages do not name
            raise VerifyError(f"the report wrote {unplanned}, which no report content planned")
        index["timings"]["total_seconds"] = time.perf_counter() - start
        timings = index.pop("timings")  # kept out of the committed files: they differ every run
        canonical.write_json(stage / "index.json", index)
        index["timings"] = timings
        if progress:
            progress("publishing")
        publish(out, stage, index["manifest"])
    return index


def _index(
    out: Path,
    parts: tuple[Content, ...],
    examples: int,
    seed: int,
    verdicts: list[Verdict],
    by_id: dict[str, Claim],
    slugs: dict[str, str],
    hunts: list[dict[str, Any]],
    figures: list[dict[str, Any]],
    generated: list[str],
) -> dict[str, Any]:
    statuses: dict[str, int] = {}
    for v in verdicts:
        statuses[v.status] = statuses.get(v.status, 0) + 1
    order = VERDICT_ORDER
    return to_jsonable(
        {
            "paper": ", ".join(part.source for part in parts),
            "environment": environment(str(out), examples, seed),
            "seed": seed,
            "examples": examples,
            "tolerances": str(DEFAULT),
            "status_counts": [(s, statuses[s]) for s in order if s in statuses],
            "findings": [f for p in parts for f in p.findings(verdicts, by_id, slugs, hunts)],
            "claims": [
                {
                    "id": v.claim_id,
                    "slug": slugs[v.claim_id],
                    "page": f"claims/{slugs[v.claim_id]}.md",
                    "json": f"claims/{slugs[v.claim_id]}.json",
                    "title": by_id[v.claim_id].title,
                    "statement": by_id[v.claim_id].statement,
                    "kind": by_id[v.claim_id].kind,
                    "reference": by_id[v.claim_id].reference,
                    "status": v.status,
                    "reason": v.reason,
                    "evidence": v.evidence,
                    "counts": v.counts,
                }
                for v in verdicts
            ],
            "hunts": [
                {
                    "slug": h["slug"],
                    "claim": str(h.get("claim", "")),
                    "status": str(h.get("status", "")),
                    "relaxed": ", ".join(map(str, h.get("relaxed") or [])) or "nothing",
                    "page": f"hunts/{h['slug']}.md",
                    "json": h["json"],
                }
                for h in hunts
            ],
            "benchmarks": "benchmarks.md" if (out / "benchmarks.md").exists() else None,
            "planted": "planted.md" if (out / "planted.md").exists() else None,
            "false_alarms": "false_alarms.md" if (out / "false_alarms.md").exists() else None,
            "beyond": _beyond(out, parts, slugs),
            "figures": figures,
            "generated": generated,
        }
    )


def _beyond(out: Path, parts: tuple[Content, ...], slugs: dict[str, str]) -> list[dict[str, str]]:
    """Each content's pages beyond its paper: linked when this report writes them, or when
    another command left them in ``out`` (a stale page of ours is not linked)."""
    from ..claims.registry import registry

    written = {f for part in parts for f in part.pages(slugs)}
    ours = {f for part in parts for f in part.pages(registry())}
    return [
        {"title": title, "page": page}
        for part in parts
        for title, page in part.beyond
        if page in written or (page not in ours and (out / page).exists())
    ]


def load_index(out: str | Path = "reports") -> dict[str, Any]:
    """The published ``index.json`` of ``out``; a one-line :class:`InvalidFile` when it is
    missing or not a report's index (say, truncated by hand)."""
    path = Path(out) / "index.json"
    if not path.is_file():
        raise InvalidFile(f"index={str(path)!r}: no such file (run `verify report` first)")
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InvalidFile(f"index={str(path)!r}: not UTF-8 text (run `verify report`)") from None
    except ValueError as error:
        raise InvalidFile(
            f"index={str(path)!r}: not valid JSON ({error}); run `verify report` to regenerate it"
        ) from None
    claims = index.get("claims") if isinstance(index, dict) else None
    if not isinstance(claims, list) or not all(
        isinstance(c, dict) and {"id", "slug", "status", "evidence"} <= c.keys() for c in claims
    ):
        raise InvalidFile(
            f"index={str(path)!r}: not a report's index (needs a list of claims with id, slug, "
            "status and evidence); run `verify report` to regenerate it"
        )
    return dict(index)
