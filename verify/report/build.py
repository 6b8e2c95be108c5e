"""``build_report``: check every claim, draw the figures, render the pages, publish atomically.

Layout of a report directory (``reports/`` by default)::

    index.md, index.json          the entry point: findings, claim table, reproducibility
    claims/<slug>.md, .json       one page per claim and its data (slugs in index.json)
    hunts/<slug>.md               re-rendered from hunts/<slug>.json (written by verify hunt)
    figures/<name>.png            our figures (figures/benchmarks_* belong to the benchmarks)
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
from ..errors import InvalidArgument, InvalidFile
from ..io import atomic_write_text, to_jsonable
from ..tolerances import DEFAULT
from . import canonical, losses
from . import figures as fig_a
from . import figures_conjecture as fig_c
from . import figures_nc as fig_b
from . import figures_theorem as fig_t
from . import sphere as sphere_section  # seed 003's section (verify.report.sphere)
from .atomic import MARKER, check_replaceable, publish, staging
from .environment import environment
from .findings import findings
from .hunt_page import hunt_page
from .hunts import conjecture_instances, load_hunts
from .pages import claim_page, index_page
from .replaced import replaced_counterexamples
from .text import gap_histogram, slugs_for

__all__ = ["build_report", "load_index", "run_checks"]

Progress = Callable[[str], None]

# the figures _figures draws (checked against what it returns, so a new figure cannot be missed)
FIGURES = tuple(
    f"figures/{name}.png"
    for name in (
        "onehot_transition",
        "onehot_bias",
        "onehot_grams",
        "conjecture_ssetf",
        "ssetf_regions",
        "nc3_rotation",
        "gaps",
        losses.FIGURE,
    )
)
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


def _figures(
    stage: Path, dpi: int, seed: int, verdicts: list[Verdict], hunts: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    curves = fig_a.sweep()
    instances, flags, used = conjecture_instances(hunts, fig_c.MAX_HUNT_POINTS)
    if instances:
        source = f"instances tried by the hunt(s) {', '.join(used)}"
    else:
        instances = fig_c.sample(seed)
        flags = [False] * len(instances)
        source = f"a fixed-seed sample of balanced instances (seed {seed})"
    return [
        fig_a.transition(stage, dpi, curves),
        fig_a.bias_figure(stage, dpi, curves),
        fig_a.gram_figure(stage, dpi),
        fig_c.conjecture_figure(stage, dpi, fig_c.conjecture_points(instances, flags), source),
        fig_t.ssetf_regions(stage, dpi),
        fig_b.nc3_figure(stage, dpi, seed),
        fig_b.gaps_figure(
            stage, dpi, {v.claim_id: list(v.gaps) for v in verdicts}, _empty(verdicts)
        ),
        losses.minority_figure(stage, dpi),
    ]


def _empty(verdicts: list[Verdict]) -> dict[str, str]:
    """Why a verdict rests on no solve, for the gaps figure."""
    return {
        v.claim_id: "no verdict: the check raised an error (see the claim's page)"
        if v.reason.startswith("the check raised")
        else "no solve: this claim is checked without solving the UFM"
        for v in verdicts
        if not v.gaps
    }


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


def _with_sphere(slugs: dict[str, str]) -> bool:
    """Whether the report has a sphere section: only when it checks a claim of the sphere model
    (a report restricted to other claims does not spend its time on seed 003's hunts)."""
    return any(cid.startswith(sphere_section.PREFIX) for cid in slugs)


def _planned(slugs: dict[str, str], hunts: list[dict[str, Any]]) -> list[str]:
    """The files a report with these claims and hunts will write, relative to its directory."""
    pages = [f"claims/{s}.{ext}" for s in slugs.values() for ext in ("md", "json")]
    return [
        *INDEX_FILES,
        *LOSS_FILES,
        *(sphere_section.FILES if _with_sphere(slugs) else ()),
        *pages,
        *FIGURES,
        *(f"hunts/{h['slug']}.md" for h in hunts),
    ]


INDEX_FILES = ("index.md", "index.json")
LOSS_FILES = (f"{losses.PAGE}.md", f"{losses.PAGE}.json")  # the loss table (verify.report.losses)


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
    check_replaceable(out, _planned(slugs, load_hunts(out)))  # refuse before the work
    with staging(out) as stage:
        verdicts, errors = run_checks(chosen, examples, seed, progress)
        checked = time.perf_counter()
        if progress:
            progress("drawing figures")
        hunts = load_hunts(out)
        figures = _figures(stage, dpi, seed, verdicts, hunts)
        unplanned = {f["file"] for f in figures} - set(FIGURES)
        assert not unplanned, f"figures missing from FIGURES: {sorted(unplanned)}"
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
        _loss_page(stage, verdicts, figures, examples, seed)
        if _with_sphere(slugs):
            sphere_section.write(stage, verdicts, dpi, seed)  # sphere.md, .json, its figure
        links = {cid: f"../claims/{s}.md" for cid, s in slugs.items()}
        generated = [f["file"] for f in figures]
        for h in hunts:
            mine = _relevant(figures, str(h.get("claim", "")).split(" ")[0])
            atomic_write_text(stage / "hunts" / f"{h['slug']}.md", hunt_page(h, links, mine))
            generated.append(f"hunts/{h['slug']}.md")
        index = _index(out, examples, seed, verdicts, by_id, slugs, hunts, figures, generated)
        index["errors"] = errors
        index["timings"] = {
            "checks_seconds": checked - start,
            "figures_seconds": drawn - checked,
            "per_claim_seconds": {v.claim_id: v.seconds for v in verdicts},
        }
        atomic_write_text(stage / "index.md", index_page(index))
        index["manifest"] = sorted(
            {p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file()} - {MARKER}
            | set(INDEX_FILES)
        )
        index["timings"]["total_seconds"] = time.perf_counter() - start
        timings = index.pop("timings")  # kept out of the committed files: they differ every run
        canonical.write_json(stage / "index.json", index)
        index["timings"] = timings
        if progress:
            progress("publishing")
        publish(out, stage, index["manifest"])
    return index


def _loss_page(
    stage: Path, verdicts: list[Verdict], figures: list[dict[str, Any]], examples: int, seed: int
) -> None:
    """The loss table of :mod:`verify.report.losses` for the paper-000 claims of this report."""
    rows = losses.loss_table({v.claim_id: v for v in verdicts}, examples, seed)
    figure = next((f for f in figures if f["name"] == losses.FIGURE), None)
    atomic_write_text(stage / LOSS_FILES[0], losses.losses_page(rows, figure, examples, seed))
    canonical.write_json(stage / LOSS_FILES[1], {"examples": examples, "seed": seed, "rows": rows})


def _index(
    out: Path,
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
            "paper": "arXiv 2606.00344",
            "environment": environment(str(out), examples, seed),
            "seed": seed,
            "examples": examples,
            "tolerances": str(DEFAULT),
            "status_counts": [(s, statuses[s]) for s in order if s in statuses],
            "findings": findings(verdicts, by_id, slugs, hunts),
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
            "beyond": _beyond(out, _with_sphere(slugs)),
            "figures": figures,
            "generated": generated,
        }
    )


#: the pages beyond paper 000: (what, file), the first two written by this report, the rest
#: linked when present (python -m benchmarks.hong_ling, python -m experiments.digits, the
#: sphere benchmark)
BEYOND = (
    ("Which of the paper's claims survive cross-entropy (the loss table)", "losses.md"),
    ("The UFM on the hypersphere (seed 003, Neural Collapse by Design)", "sphere.md"),
    ("Hong & Ling's default instance, by our engine and by their formulation", "hong_ling.md"),
    ("Trained networks against the certified UFM minimiser", "experiments/digits.md"),
    ("Benchmarks of the sphere model", "benchmarks_sphere.md"),
)  # sphere.md is linked only when this report wrote it (a stale one is not ours to link)


def _beyond(out: Path, sphere: bool) -> list[dict[str, str]]:
    written = {"losses.md", *(["sphere.md"] if sphere else [])}
    return [
        {"title": title, "page": page}
        for title, page in BEYOND
        if page in written or (out / page).exists()
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
