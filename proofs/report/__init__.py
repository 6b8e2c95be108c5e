"""This project's part of ``verify report``: the paper's figures and findings, the loss table
and seed 003's section, handed to the library as one :class:`verify.report.content.Content`
(entry point ``nc_verify.report``: ``proofs.report:CONTENT``).

- :mod:`.onehot`: Theorem III.1's closed forms against certified solutions (three figures);
- :mod:`.conjecture`: the SSETF conjecture's figure, from the hunts' instances;
- :mod:`.regions`: the corrected theorem's regions for label smoothing;
- :mod:`.nc3`: NC3 against NC3' under rotations of the labels;
- :mod:`.findings`: what opens the index (the conjecture settled, refutations, derived results);
- :mod:`.losses`: which claims survive cross-entropy, and Hong & Ling's minority collapse;
- :mod:`.sphere`: the UFM on the hypersphere (seed 003).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from verify.report.content import Content, Drawing
from verify.report.gaps import gaps_figure, why_empty

from . import conjecture, losses, nc3, onehot, regions, sphere
from .findings import findings

__all__ = ["CONTENT"]


def draw(d: Drawing) -> list[dict[str, Any]]:
    """The figures of the index, in its order."""
    curves = onehot.sweep()
    instances, flags, used = conjecture.conjecture_instances(d.hunts, conjecture.MAX_HUNT_POINTS)
    if instances:
        source = f"instances tried by the hunt(s) {', '.join(used)}"
    else:
        instances = conjecture.sample(d.seed)
        flags = [False] * len(instances)
        source = f"a fixed-seed sample of balanced instances (seed {d.seed})"
    points = conjecture.conjecture_points(instances, flags)
    gaps = {v.claim_id: list(v.gaps) for v in d.verdicts}
    return [
        onehot.transition(d.stage, d.dpi, curves),
        onehot.bias_figure(d.stage, d.dpi, curves),
        onehot.gram_figure(d.stage, d.dpi),
        conjecture.conjecture_figure(d.stage, d.dpi, points, source),
        regions.ssetf_regions(d.stage, d.dpi),
        nc3.nc3_figure(d.stage, d.dpi, d.seed),
        gaps_figure(d.stage, d.dpi, gaps, why_empty(d.verdicts)),
        losses.minority_figure(d.stage, d.dpi),
    ]


def _with_sphere(ids: Collection[str]) -> bool:
    """Whether a report of these claim ids has seed 003's section: only with a sphere claim (a
    report restricted to other claims does not spend its time on seed 003's hunts)."""
    return any(i.startswith(sphere.PREFIX) for i in ids)


def pages(ids: Collection[str]) -> tuple[str, ...]:
    """The loss table always; seed 003's section when :func:`_with_sphere`."""
    return (*losses.FILES, *(sphere.FILES if _with_sphere(ids) else ()))


def write(d: Drawing, figures: list[dict[str, Any]]) -> None:
    losses.write(d.stage, d.verdicts, figures, d.examples, d.seed)
    if _with_sphere([v.claim_id for v in d.verdicts]):
        sphere.write(d.stage, d.verdicts, d.dpi, d.seed)


CONTENT = Content(
    title='"The role of class encoding in neural collapse"',
    lead="The claims of arXiv 2606.00344 about the unconstrained features model with MSE loss "
    "(and, below, of the cross-entropy and hypersphere literature)",
    source="arXiv 2606.00344",
    figures=(
        "onehot_transition",
        "onehot_bias",
        "onehot_grams",
        "conjecture_ssetf",
        "ssetf_regions",
        "nc3_rotation",
        "gaps",
        losses.FIGURE,
    ),
    draw=draw,
    findings=findings,
    pages=pages,
    write=write,
    beyond=(
        ("Which of the paper's claims survive cross-entropy (the loss table)", "losses.md"),
        ("The UFM on the hypersphere (seed 003, Neural Collapse by Design)", "sphere.md"),
        ("Hong & Ling's default instance, by our engine and by their formulation", "hong_ling.md"),
        ("Trained networks against the certified UFM minimiser", "experiments/digits.md"),
        ("Benchmarks of the sphere model", "benchmarks_sphere.md"),
    ),
)
