"""The claim table shared by the README and the report, and rewriting it in the README.

The README holds the table between ``<!-- claims:start -->`` and ``<!-- claims:end -->``;
:func:`update_readme` replaces exactly that section (atomically) with
:func:`claim_table_markdown` of ``reports/index.json``, and a test asserts they agree.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..claims import Verdict
from ..errors import InvalidFile
from ..io import atomic_write_text
from .text import slugs_for, table_cell

__all__ = [
    "END",
    "START",
    "check_readme",
    "claim_table_markdown",
    "readme_table",
    "update_readme",
]

START = "<!-- claims:start -->"
END = "<!-- claims:end -->"


def _rows(source: Sequence[Verdict] | dict[str, Any] | str | Path) -> list[dict[str, str]]:
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            source = dict(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise InvalidFile(
                f"index={str(path)!r}: no such file (run `verify report` first)"
            ) from None
        except ValueError as error:
            raise InvalidFile(f"index={str(path)!r}: not valid JSON ({error})") from None
    if isinstance(source, dict):
        return [
            {"id": c["id"], "slug": c["slug"], "status": c["status"], "evidence": c["evidence"]}
            for c in source["claims"]
        ]
    verdicts: list[Verdict] = list(source)
    slugs = slugs_for(v.claim_id for v in verdicts)
    return [
        {"id": v.claim_id, "slug": slugs[v.claim_id], "status": v.status, "evidence": v.evidence}
        for v in verdicts
    ]


def claim_table_markdown(
    source: Sequence[Verdict] | dict[str, Any] | str | Path, link_prefix: str = "reports/"
) -> str:
    """The claim table (claim, status, evidence) as GitHub markdown, one row per claim.

    ``source`` is a list of verdicts, the parsed ``index.json`` or its path; each claim links
    to ``<link_prefix>claims/<slug>.md`` (``reports/`` suits a README at the repository root).
    """
    lines = ["| claim | status | evidence |", "|---|---|---|"]
    for r in _rows(source):
        link = f"{link_prefix}claims/{r['slug']}.md"
        lines.append(f"| [`{r['id']}`]({link}) | **{r['status']}** | {table_cell(r['evidence'])} |")
    return "\n".join(lines) + "\n"


def _split(text: str, path: Path) -> tuple[str, str, str]:
    start, end = text.find(START), text.find(END)
    if start < 0 or end < 0 or end < start:
        raise InvalidFile(
            f"readme={str(path)!r}: needs the markers {START} and {END}, in that order, "
            "around the claim table"
        )
    return text[: start + len(START)], text[start + len(START) : end], text[end:]


def check_readme(readme: str | Path) -> Path:
    """Check, before any work, that ``readme`` is a UTF-8 file with both markers, in order, that
    can be rewritten; raise a one-line :class:`InvalidFile` otherwise. Nothing is written."""
    from ..io import check_file_output

    path = Path(readme)
    if not path.is_file():
        raise InvalidFile(f"readme={str(path)!r}: no such file")
    check_file_output("readme", path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidFile(f"readme={str(path)!r}: not UTF-8 text") from None
    except OSError as error:
        raise InvalidFile(f"readme={str(path)!r}: cannot be read ({error.strerror})") from None
    _split(text, path)
    return path


def readme_table(readme: str | Path) -> str:
    """The section between the markers of ``readme``, without surrounding blank lines."""
    path = Path(readme)
    return _split(path.read_text(encoding="utf-8"), path)[1].strip("\n") + "\n"


def update_readme(readme: str | Path, index: str | Path | dict[str, Any], out: str | Path) -> bool:
    """Rewrite the claim table of ``readme`` from ``index`` (a report in directory ``out``);
    returns True if the file changed. Links are relative to the README's directory."""
    path = check_readme(readme)
    text = path.read_text(encoding="utf-8")
    head, _, tail = _split(text, path)
    prefix = Path(os.path.relpath(Path(out).resolve(), path.resolve().parent)).as_posix()
    table = claim_table_markdown(index, "" if prefix == "." else f"{prefix}/")
    new = f"{head}\n{table}{tail}"
    if new == text:
        return False
    atomic_write_text(path, new)
    return True
