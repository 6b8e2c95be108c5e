"""What a package of claims adds to the report: its title, figures, findings and pages.

The library renders what every report has (a page and a JSON file per claim and per hunt, the
index, the reproducibility table); what belongs to a paper comes from the package that holds
its claims, under the entry-point group ``nc_verify.report`` (this project's is
``proofs.report:CONTENT``), as a :class:`Content`. The library imports no paper's module.

Every figure a content draws is a record ``{"name", "file", "title", "caption", "claims",
"data"}`` (:mod:`verify.report.plot`); the library links each to the claims it names and puts
the records in ``index.json``. A finding is ``{"kind", "title", "text", "data"}``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..claims import Claim, Verdict
from ..errors import VerifyError

__all__ = ["REPORT", "Content", "Drawing", "contents", "heading"]

REPORT = "nc_verify.report"


@dataclass(frozen=True)
class Drawing:
    """What a content's figures and pages are drawn from: the staged directory, the report's
    settings, its verdicts (in the report's order) and the hunts found in ``<out>/hunts``."""

    stage: Path
    dpi: int
    seed: int
    examples: int
    verdicts: list[Verdict]
    hunts: list[dict[str, Any]]


Findings = Callable[
    [list[Verdict], dict[str, Claim], dict[str, str], list[dict[str, Any]]], list[dict[str, Any]]
]


@dataclass(frozen=True)
class Content:
    """A paper's part of the report.

    ``figures`` names the figures ``draw`` returns, in the index's order (planned before any
    work, so that a run never replaces a file it did not write); ``pages(ids)`` the other files
    ``write`` adds for a report of those claim ids, relative to the report directory;
    ``findings(verdicts, claims, slugs, hunts)`` opens the index; ``beyond`` lists (title, page)
    of pages beyond the paper, linked when this report wrote them or they exist.
    """

    title: str  # the index's heading: "Verification report: <title>"
    lead: str  # the index's first sentence, up to "checked by nc-verify ..."
    source: str  # what the index records as its paper, e.g. an arXiv id
    figures: tuple[str, ...]
    draw: Callable[[Drawing], list[dict[str, Any]]]
    findings: Findings
    pages: Callable[[Collection[str]], tuple[str, ...]] = lambda ids: ()
    write: Callable[[Drawing, list[dict[str, Any]]], None] = lambda drawing, figures: None
    beyond: tuple[tuple[str, str], ...] = ()

    def figure_files(self) -> tuple[str, ...]:
        return tuple(f"figures/{name}.png" for name in self.figures)


@cache
def contents() -> tuple[Content, ...]:
    """Every registered :class:`Content`, by entry-point name; an error for anything else."""
    from .. import plugins

    found = plugins.load(REPORT)
    for name, obj in found:
        if not isinstance(obj, Content):
            raise VerifyError(
                f"the entry point {name!r} of {REPORT!r} is a {type(obj).__name__}, "
                "not a verify.report.content.Content"
            )
    return tuple(obj for _, obj in found)


def heading(parts: tuple[Content, ...] | None = None) -> dict[str, str]:
    """The index's ``title`` and ``lead`` from ``parts`` (the registered contents by default)."""
    parts = contents() if parts is None else parts
    return {
        "title": " and ".join(part.title for part in parts),
        "lead": " ".join(part.lead for part in parts),
    }
