"""How every figure of a report is drawn: headless, one style, PNG without metadata.

Figures are ``matplotlib.figure.Figure`` on the Agg canvas (pyplot and the global backend are
never touched) saved without metadata, so two runs give byte-identical files. A figure function
writes ``<stage>/figures/<name>.png`` and returns a record ``{"name", "file", "title",
"caption", "claims", "data"}``; ``data`` holds every plotted number (it goes into
``index.json``), at the resolution :mod:`verify.report.canonical` gives it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure

__all__ = ["COLOURS", "new_figure", "save", "style"]

COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")
STYLE: dict[str, Any] = {
    "font.size": 9,
    "axes.titlesize": 10,
    "svg.hashsalt": "nc-verify",
    "path.simplify": False,
}


@contextmanager
def style() -> Iterator[None]:
    with mpl.rc_context(STYLE):  # type: ignore[arg-type]  # keys checked at runtime
        yield


def new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def save(fig: Figure, stage: Path, name: str, dpi: int) -> str:
    """Save ``fig`` as ``<stage>/figures/<name>.png`` (no metadata); return the relative path."""
    rel = f"figures/{name}.png"
    (stage / "figures").mkdir(parents=True, exist_ok=True)
    fig.savefig(stage / rel, dpi=dpi, metadata={"Software": None})
    return rel
