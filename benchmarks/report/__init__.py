"""The benchmark page of ``benchmarks/run.py``, one room each: :mod:`.targets` (pass / miss and
why), :mod:`.page` (the markdown), :mod:`.figures`, :mod:`.machine`, and :mod:`.common` (what
they share)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from verify.io import atomic_write_json, atomic_write_text

from . import figures
from .machine import machine
from .page import keep_sections, markdown
from .targets import checks

__all__ = ["checks", "keep_sections", "machine", "markdown", "write_report"]


def write_report(results: dict[str, Any], out: Path) -> list[Path]:
    """Write the figures, ``benchmarks.json`` and ``benchmarks.md`` into ``out``, atomically."""
    results["checks"] = checks(results)
    pngs = figures.draw(results, out / "figures")
    json_path = atomic_write_json(out / "benchmarks.json", results)
    page = keep_sections(out / "benchmarks.md", markdown(results, [str(p) for p in pngs]))
    md_path = atomic_write_text(out / "benchmarks.md", page)
    return [*pngs, json_path, md_path]
