"""A whole hunt: every direction a CLAIM names, the result, and its files.

The JSON (``<out>/<slug>.json``) is the record; the markdown page (``<out>/<slug>.md``) is
rendered from the same data. Same claim, options and seed (and the same example database, or
none) give the same JSON apart from the ``timing`` section.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument
from ..io import atomic_write_json, atomic_write_text
from ..tolerances import DEFAULT, Tolerances
from .engine import DirectionResult, Settings, hunt_direction
from .pool import Runner
from .progress import HuntProgress
from .summary import record
from .target import ClaimRef, resolve, run_slug

__all__ = ["HuntResult", "check_targets", "hunt", "write"]

# "tried" lists the instances the search generated and the optimiser visited (shrinking and
# simplification steps, near-copies of the counterexamples, are only counted in "tried_total")
TRIED_LIMIT = 400
DEFAULT_DATABASE = ".hypothesis/hunt"


@dataclass
class HuntResult:
    spec: str
    slug: str
    relax: tuple[str, ...]
    settings: Settings
    directions: list[DirectionResult] = field(default_factory=list)
    not_hunted: list[str] = field(default_factory=list)
    interrupted: bool = False
    seconds: float = 0.0
    jobs: int = 1
    scheduler: str | None = None

    @property
    def status(self) -> str:
        statuses = [d.status for d in self.directions]
        if "refuted" in statuses:
            return "refuted"
        if self.interrupted:
            return "interrupted"
        if "inconclusive" in statuses:
            return "inconclusive"
        return "survived"

    @property
    def failing(self) -> list[str]:
        return [d.claim.id for d in self.directions if d.status == "refuted"]

    def as_dict(self, timings: bool = True) -> dict[str, Any]:
        primary = next((d for d in self.directions if d.status == "refuted"), None)
        if primary is None:
            primary = next((d for d in self.directions if d.counterexample is not None), None)
        counterexample = None
        if primary is not None and primary.counterexample is not None:
            counterexample = record(
                primary.counterexample,
                direction=primary.claim.id,
                confirmed=bool(primary.confirmation.get("confirmed")),
            )
        closest = [(d, d.closest_call()) for d in self.directions]
        near = [(d, c) for d, c in closest if c is not None]
        closest_call = None
        if near:
            d, c = max(near, key=lambda t: t[1].worst)
            closest_call = record(c, direction=d.claim.id)
        amendment = _amendment(self.directions)
        tried: list[dict[str, Any]] = []
        total = 0
        for d in self.directions:
            for o, phase in zip(d.outcomes, d.phases, strict=True):
                total += 1
                if phase in ("generate", "refine") and len(tried) < TRIED_LIMIT:
                    tried.append(
                        {
                            "direction": d.claim.id,
                            "phase": phase,
                            "status": o.status,
                            "instance": o.case.instance.to_dict(),
                            "residuals": dict(o.residuals),
                        }
                    )
        data: dict[str, Any] = {
            "tool": "nc-verify hunt",
            "claim": self.spec,
            "slug": self.slug,
            "status": self.status,
            "failing_directions": self.failing,
            "relaxed": list(self.relax),
            "budget": self.settings.budget,
            "seed": self.settings.seed,
            "tolerances": self.settings.tol.as_dict(),
            "interrupted": self.interrupted,
            "not_hunted": self.not_hunted,
            "directions": [d.as_dict(timings=False) for d in self.directions],
            "counterexample": counterexample,
            "closest_call": closest_call,
            "amendment": amendment,
            "tried": tried,
            "tried_total": total,
            "run": {
                "database": self.settings.database,
                "scheduler": self.scheduler,
            },
        }
        if timings:
            data["timing"] = {
                "seconds": self.seconds,
                "jobs": self.jobs,
                "directions": {d.claim.id: d.seconds for d in self.directions},
            }
        return data


def _amendment(directions: list[DirectionResult]) -> dict[str, Any] | None:
    """The amendment(s) proposed: one direction's as it is, several combined into one."""
    amended = [d for d in directions if d.amendment]
    if not amended:
        return None
    if len(amended) == 1:
        return {**(amended[0].amendment or {}), "direction": amended[0].claim.id}
    parts = [(d.claim.id, d.amendment or {}) for d in amended]
    statuses = {a.get("status") for _, a in parts}
    return {
        "id": "; ".join(str(a.get("id", f"{i}: none")) for i, a in parts),
        "statement": "; ".join(f"{i}: {a.get('statement')}" for i, a in parts),
        "status": statuses.pop() if len(statuses) == 1 else "mixed",
        "directions": {i: a for i, a in parts},
    }


def hunt(
    spec: str,
    budget: int = 200,
    seed: int = 0,
    relax: tuple[str, ...] = (),
    jobs: int = 1,
    scheduler: str | None = None,
    database: str | None = DEFAULT_DATABASE,
    amend: bool = True,
    tol: Tolerances = DEFAULT,
    progress: HuntProgress | None = None,
) -> HuntResult:
    """Hunt every direction ``spec`` names. Bad input raises before anything runs; Ctrl-C ends
    the hunt early with ``interrupted=True`` and what was found so far.

    With ``jobs > 1`` worker processes come from a fork server (:mod:`verify.workers`) and
    re-import the calling script, so call ``hunt`` from a script under
    ``if __name__ == "__main__":`` (the CLI does).
    """
    refs: list[ClaimRef] = resolve(spec, relax)
    slug = run_slug(spec, relax)
    db = None if database is None else str(Path(database) / slug)
    settings = Settings(budget, seed, tol, db, amend)
    result = HuntResult(spec, slug, relax, settings, jobs=jobs, scheduler=scheduler)
    start = time.perf_counter()
    runner = Runner(jobs, scheduler)
    progress = progress or HuntProgress()
    try:
        with progress:
            for ref in refs:
                if result.interrupted:
                    result.not_hunted.append(ref.load().id)
                    continue
                direction = hunt_direction(ref, settings, runner, progress)
                result.directions.append(direction)
                result.interrupted |= direction.interrupted
    finally:
        runner.close()
    result.seconds = time.perf_counter() - start
    return result


def _is_hunt_record(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("tool") == "nc-verify hunt"


def check_targets(out: str | Path, slug: str) -> None:
    """Refuse (before the hunt) to replace ``<out>/<slug>.json`` or ``.md`` unless a hunt wrote
    them: the JSON must be a hunt's record (``"tool": "nc-verify hunt"``), and the page is
    replaced only beside such a record."""
    out = Path(out)
    record, page = out / f"{slug}.json", out / f"{slug}.md"
    for path in (record, page):
        if (path.exists() or path.is_symlink()) and not path.is_file():
            raise InvalidArgument("--out", str(out), f"{str(path)!r} is not a regular file")
    if record.exists() and not _is_hunt_record(record):
        raise InvalidArgument(
            "--out", str(out), f"{str(record)!r} exists and is not a hunt's record; not replaced"
        )
    if page.exists() and not record.exists():
        raise InvalidArgument(
            "--out", str(out), f"{str(page)!r} exists and no hunt wrote it; not replaced"
        )


def write(result: HuntResult, out: str | Path, json_path: str | Path | None = None) -> list[Path]:
    """Write ``<out>/<slug>.json``, ``<out>/<slug>.md`` and, if asked, a copy of the JSON
    (after :func:`check_targets`, so only a hunt's earlier files are ever replaced).

    The page is ``verify report``'s (:func:`verify.report.hunt_page.hunt_page`, the one writer of
    a hunt's page), rendered from the JSON just written, without the report's links and figures
    (``verify report`` adds them when it re-renders the page under ``reports/hunts``)."""
    from ..report.hunt_page import hunt_page

    data = result.as_dict()
    out = Path(out)
    check_targets(out, result.slug)
    paths = [atomic_write_json(out / f"{result.slug}.json", data)]
    record = json.loads(paths[0].read_text(encoding="utf-8"))
    paths.append(atomic_write_text(out / f"{result.slug}.md", hunt_page(record, {}, [])))
    if json_path is not None:
        paths.append(atomic_write_json(json_path, data))
    return paths
