"""All-or-nothing publication of a generated report into a directory shared with other commands.

``reports/`` holds files of three owners: this package (``index.md``, ``index.json``,
``claims/``, the figures it draws in ``figures/`` and the pages ``hunts/<slug>.md``), the hunt
command (``hunts/<slug>.json``) and the benchmarks (``benchmarks.*``, ``figures/benchmarks_*``).
Only our files are replaced, in three phases:

1. **Stage.** The whole report is written into a fresh hidden directory
   ``<out>/.report-staging-XXXX`` (same file system, so renames are atomic) laid out like
   ``<out>``. An error or Ctrl-C in this phase deletes the staging directory; ``<out>`` was
   never touched.
2. **Journal.** The plan (renames from the staging tree into ``<out>``, and our stale files to
   delete) is written atomically to ``<out>/.report-journal.json``. Writing it is the commit
   point.
3. **Apply.** Each rename is atomic (:func:`os.replace`; ``claims/`` is swapped as a whole
   directory) and idempotent, the index last. Then the journal and the staging directory go.

A run killed in phase 3 leaves the journal; :func:`recover` (called by every later run and by
:func:`verify.report.load_index`) finishes the renames, so a reader sees the previous report
or the new one, never a mixture. A lock file (``.report-lock``) keeps two runs from writing the
same directory at once.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import VerifyError
from ..io import atomic_write_json

__all__ = ["JOURNAL", "STAGING_PREFIX", "publish", "recover", "staging"]

JOURNAL = ".report-journal.json"
LOCK = ".report-lock"
STAGING_PREFIX = ".report-staging-"
WHOLE_DIRECTORIES = ("claims",)  # owned entirely by the report: swapped as one directory
LAST = ("index.json", "index.md")  # the entry points move last


def _move(src: Path, dst: Path) -> None:
    """One atomic, idempotent step: ``src`` replaces ``dst`` (a missing ``src`` is done)."""
    if not src.exists():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir() and dst.exists():
        trash = src.with_name(f"{src.name}.old")
        shutil.rmtree(trash, ignore_errors=True)
        os.replace(dst, trash)
    os.replace(src, dst)


def _apply(out: Path, plan: dict[str, Any]) -> None:
    for src, dst in plan["moves"]:
        _move(out / src, out / dst)
    for rel in plan["delete"]:
        (out / rel).unlink(missing_ok=True)
    shutil.rmtree(out / plan["staging"], ignore_errors=True)
    (out / JOURNAL).unlink(missing_ok=True)


def recover(out: str | Path) -> bool:
    """Finish a publication interrupted after its commit point; True if there was one."""
    out = Path(out)
    journal = out / JOURNAL
    if not journal.exists():
        return False
    _apply(out, json.loads(journal.read_text(encoding="utf-8")))
    return True


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    path = out / LOCK
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise VerifyError(
                f"out={str(out)!r}: another `verify report` is writing this directory"
            ) from None
        try:
            yield
        finally:
            path.unlink(missing_ok=True)
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def staging(out: str | Path) -> Iterator[Path]:
    """Lock ``out``, finish any interrupted publication, drop stale staging directories and
    yield a fresh one; it is deleted on any error (the published report is untouched)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with _locked(out):
        recover(out)
        for stale in out.glob(f"{STAGING_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)
        stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
        try:
            yield stage
        except BaseException:
            if not (out / JOURNAL).exists():
                shutil.rmtree(stage, ignore_errors=True)
            raise


def _permissions(stage: Path) -> None:
    """mkdtemp/mkstemp create 0700 directories and 0600 files; publish with the usual modes."""
    umask = os.umask(0)
    os.umask(umask)
    for path in stage.rglob("*"):
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)


def publish(out: str | Path, stage: Path, previous: list[str]) -> None:
    """Move the staged report into ``out``: journal first, then the renames (see module doc).

    ``previous`` lists the files of ours the last report published (its index's
    ``generated``); those not generated again are deleted.
    """
    out = Path(out)
    _permissions(stage)
    moves: list[tuple[str, str]] = []
    generated: list[str] = []
    for path in sorted(stage.rglob("*")):
        rel = path.relative_to(stage)
        top = rel.parts[0]
        if path.is_dir() or top in WHOLE_DIRECTORIES or str(rel) in LAST:
            continue
        moves.append((str(stage.name / rel), str(rel)))
        generated.append(str(rel))
    for top in WHOLE_DIRECTORIES:
        if (stage / top).exists():
            moves.append((f"{stage.name}/{top}", top))
    moves += [(f"{stage.name}/{name}", name) for name in LAST if (stage / name).exists()]
    keep = set(generated) | {m[1] for m in moves}
    delete = [
        rel
        for rel in previous
        if rel not in keep and rel.split("/")[0] not in WHOLE_DIRECTORIES and ".." not in rel
    ]
    plan = {"staging": stage.name, "moves": moves, "delete": delete}
    atomic_write_json(out / JOURNAL, plan)
    _apply(out, plan)
