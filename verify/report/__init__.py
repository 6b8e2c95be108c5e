"""Verification reports: markdown a researcher can cite, figures, JSON, reproducibility.

``build_report(out, examples, seed)`` checks every registered claim and regenerates, in
``out`` (``reports/``), ``index.md`` / ``index.json``, a page and a JSON file per claim, a page
per hunt found in ``hunts/*.json`` and the figures, publishing them all at once
(:mod:`verify.report.atomic`). What belongs to a paper (its figures, findings and own pages)
comes from the installed packages of claims (:mod:`verify.report.content`).
``claim_table_markdown`` is the claim table the README shows.
"""

from .atomic import recover
from .build import build_report, load_index, run_checks
from .readme import END, START, claim_table_markdown, readme_table, update_readme
from .text import slugify, slugs_for

__all__ = [
    "END",
    "START",
    "build_report",
    "claim_table_markdown",
    "load_index",
    "readme_table",
    "recover",
    "run_checks",
    "slugify",
    "slugs_for",
    "update_readme",
]
