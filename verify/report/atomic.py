"""All-or-nothing publication of a report into a directory it shares with other commands and users.

``reports/`` holds files of several owners: this package (``index.md``, ``index.json``,
``claims/``, the figures it draws and the pages ``hunts/<slug>.md``), the hunt command
(``hunts/<slug>.json``), the benchmarks (``benchmarks.*``, ``figures/benchmarks_*``) and anything
a user keeps there. The report's own files are listed in its ``index.json`` (``manifest``, see
:func:`owned`); only those are ever replaced or deleted. A file the new report would write that
exists and is not in that list is never touched: the run refuses with a one-line error
(:func:`check_replaceable`) and changes nothing.

Publication, with ``<out>`` = ``DIR`` and everything staged *beside* it, in ``DIR``'s parent:

1. **Stage.** A fresh directory ``.report-staging-<name>-XXXX`` holds a marker file
   (``.report-staging``) while the new report is written into it, laid out like ``DIR``. An
   error or Ctrl-C deletes it; a kill leaves it with its marker, and the next run deletes it.
   ``DIR`` is not touched in this phase.
2. **Mirror.** Every file of ``DIR`` that is not the old report's is hard-linked (copied where
   links are impossible) into the staging tree at the same place; empty directories and
   symbolic links are recreated. The marker goes last: the staging tree is now the whole new
   ``DIR``.
3. **Switch.** One ``renameat2(RENAME_EXCHANGE)`` swaps the staging tree and ``DIR``: at every
   instant ``DIR`` is the previous report or the new one, whole. (Where the kernel or file
   system cannot exchange, ``DIR`` is renamed aside and the staging tree renamed in: for an
   instant there is no ``DIR``, never a mix, and the next run or reader finishes the switch.)
4. **Reconcile.** The staging path now holds the previous tree. A foreign file written into
   ``DIR`` between phases 2 and 3 (say by a concurrent ``verify hunt``) is moved into the new
   ``DIR``; then the previous tree is deleted. A run killed here leaves it, and the next run
   reconciles it first.

``.report-lock`` (in the parent, ``fcntl.flock``) keeps two runs from publishing beside each
other at once. Hard links keep foreign files' inodes, so their owners' open handles stay valid.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import InvalidArgument, VerifyError

__all__ = [
    "LOCK",
    "MARKER",
    "STAGING_PREFIX",
    "check_replaceable",
    "owned",
    "publish",
    "recover",
    "staging",
]

LOCK = ".report-lock"
STAGING_PREFIX = ".report-staging-"
MARKER = ".report-staging"  # present in a staging tree until it is complete
INDEX = ("index.json", "index.md")

# fault injection for tests: called with the name of each step of publication
FAULT: Callable[[str], None] | None = None


def _fault(step: str) -> None:
    if FAULT is not None:
        FAULT(step)


def _resolve(out: str | Path) -> Path:
    """The real path: a symbolic link to the report directory is followed, not replaced."""
    return Path(os.path.realpath(out))


def _stage_glob(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f"{STAGING_PREFIX}{out.name}-*"))


# ---------------------------------------------------------------------------- ownership


def _manifest(index: Any) -> set[str] | None:
    """The files a report's parsed ``index.json`` says it wrote, or None if it is not one."""
    if not isinstance(index, dict) or not isinstance(index.get("generated"), list):
        return None
    if isinstance(index.get("manifest"), list):
        files = {str(f) for f in index["manifest"]}
    else:  # a report from before the manifest: its index, claim pages and generated files
        files = {str(f) for f in index["generated"]}
        for claim in index.get("claims") or []:
            if isinstance(claim, dict):
                files |= {str(claim[k]) for k in ("page", "json") if isinstance(claim.get(k), str)}
    files |= set(INDEX)
    return {f for f in files if f and not Path(f).is_absolute() and ".." not in Path(f).parts}


def owned(out: str | Path) -> set[str]:
    """Relative paths in ``out`` that a report wrote (and so may replace or delete): its
    ``index.json``'s manifest, plus ``hunts/<slug>.md`` beside a hunt's ``hunts/<slug>.json``
    (a page the report re-renders from it). Empty when ``out`` has no report's index."""
    out = Path(out)
    try:
        index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        index = None
    files = _manifest(index) or set()
    for record in out.glob("hunts/*.json"):
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("tool") == "nc-verify hunt":
            files.add(f"hunts/{record.stem}.md")
    return files


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def check_replaceable(out: str | Path, planned: Iterable[str]) -> None:
    """Raise a one-line :class:`InvalidArgument` when a file the report would write (``planned``,
    relative to ``out``) is in the way and not the previous report's own. Nothing is written."""
    out = Path(out)
    if not out.is_dir():
        return
    ours = owned(out)
    blocked: list[str] = []
    for rel in sorted(set(planned)):
        parts = Path(rel).parts
        for i in range(1, len(parts)):  # a parent directory that is a file (or a link)
            parent = out.joinpath(*parts[:i])
            if _exists(parent) and (parent.is_symlink() or not parent.is_dir()):
                blocked.append("/".join(parts[:i]))
        target = out / rel
        if _exists(target) and (rel not in ours or target.is_dir() or target.is_symlink()):
            blocked.append(rel)
    _check_one_file_system(out)
    if blocked:
        unique = sorted(set(blocked))
        shown = ", ".join(unique[:3]) + (f" and {len(unique) - 3} more" if len(unique) > 3 else "")
        raise InvalidArgument(
            "out",
            str(out),
            f"holds {shown}, not written by `verify report` (not in its index.json manifest); "
            "the report never replaces such files: move them away or choose another --out",
        )


def _check_one_file_system(out: Path) -> None:
    """Refuse a mount point inside ``out`` (it could not move with the switch, and deleting the
    previous tree must never reach into another file system) and anything but files,
    directories and symbolic links (a FIFO or socket cannot be linked into the new tree)."""
    device = out.stat().st_dev
    for dirpath, dirnames, filenames in os.walk(out):
        for name in filenames:
            path = Path(dirpath) / name
            if not (path.is_symlink() or path.is_file()):
                rel = path.relative_to(out).as_posix()
                raise InvalidArgument(
                    "out", str(out), f"holds {rel!r}, neither a file nor a directory"
                )
        for name in dirnames:
            path = Path(dirpath) / name
            if path.is_symlink():
                continue
            if os.path.ismount(path) or path.stat().st_dev != device:
                rel = path.relative_to(out).as_posix()
                raise InvalidArgument(
                    "out",
                    str(out),
                    f"holds a mount point {rel!r}: a report directory must be one file system "
                    "(it is switched in whole)",
                )


# ---------------------------------------------------------------------------- locking


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    path = out.parent / LOCK
    while True:
        handle = open(path, "a")  # noqa: SIM115 (held open while the lock is)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise VerifyError(
                f"out={str(out)!r}: another `verify report` is writing beside it "
                f"(lock {str(path)!r}); try again when it has finished"
            ) from None
        try:  # the file we locked may have been unlinked by the run that just finished
            if os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino:
                break
        except FileNotFoundError:
            pass
        handle.close()
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


# ---------------------------------------------------------------------------- recovery


def _tree_files(root: Path) -> Iterator[tuple[str, Path]]:
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        for name in filenames + [d for d in dirnames if (base / d).is_symlink()]:
            path = base / name
            yield path.relative_to(root).as_posix(), path


def _reconcile(old: Path, out: Path) -> None:
    """Move into ``out`` each foreign file of the tree ``old`` that ``out`` lacks (or holds an
    older copy of): what was written into the directory while it was being switched."""
    try:
        mine = _manifest(json.loads((old / "index.json").read_text(encoding="utf-8"))) or set()
    except (OSError, ValueError):
        mine = set()
    ours_now = owned(out) if out.is_dir() else set()
    for rel, path in _tree_files(old):
        if rel in mine or rel == MARKER:
            continue
        target = out / rel
        if _exists(target):
            try:
                if os.path.samefile(path, target) or rel in ours_now:
                    continue
                if path.lstat().st_mtime_ns <= target.lstat().st_mtime_ns:
                    continue
            except OSError:
                continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
        except OSError:
            continue


def _unpublished(stale: Path, out: Path) -> bool:
    """A complete staging tree killed just before its switch: its index is newer than the
    published one (the tree the switch moved aside has the older index)."""
    try:
        return (stale / "index.json").stat().st_mtime_ns > (out / "index.json").stat().st_mtime_ns
    except OSError:
        return False


def _clean(out: Path) -> bool:
    """Finish or undo what a killed run left beside ``out``; True if there was anything."""
    found = False
    for stale in _stage_glob(out):
        found = True
        marked = (stale / MARKER).exists()
        if not out.exists() and not marked and (stale / "index.json").exists():
            os.replace(stale, out)  # killed between the two renames of the fallback switch
            continue
        if not marked and not _unpublished(stale, out):  # the previous DIR after a switch
            _reconcile(stale, out)
        shutil.rmtree(stale, ignore_errors=True)
    (out / MARKER).unlink(missing_ok=True)
    # what the earlier design (staging and journal inside out) could leave
    for legacy in [*out.glob(f"{STAGING_PREFIX}*"), out / LOCK, out / ".report-journal.json"]:
        found = True if _exists(legacy) else found
        if legacy.is_dir() and not legacy.is_symlink():
            shutil.rmtree(legacy, ignore_errors=True)
        else:
            legacy.unlink(missing_ok=True)
    return found


def recover(out: str | Path) -> bool:
    """Clean up after a run killed while writing the report in ``out``: delete unfinished staging
    trees, move back foreign files a switch left behind. ``out`` itself was whole all along
    (previous or new report); True if there was anything to clean."""
    out = _resolve(out)
    if not out.parent.is_dir():
        return False
    with _locked(out):
        return _clean(out)


# ---------------------------------------------------------------------------- staging


@contextmanager
def staging(out: str | Path) -> Iterator[Path]:
    """Lock ``out``'s parent, clean up after killed runs and yield a fresh staging directory
    beside ``out``; it is deleted on any error (the published report is untouched)."""
    out = _resolve(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with _locked(out):
        _clean(out)
        stage = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{out.name}-", dir=out.parent))
        (stage / MARKER).write_text("unfinished report; deleted by the next `verify report`\n")
        try:
            yield stage
        finally:
            shutil.rmtree(stage, ignore_errors=True)


def _permissions(stage: Path, out: Path) -> None:
    """mkdtemp/mkstemp create 0700 directories and 0600 files; publish with the usual modes."""
    umask = os.umask(0)
    os.umask(umask)
    for path in stage.rglob("*"):
        if not path.is_symlink():
            path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)
    mode = stat.S_IMODE(out.stat().st_mode) if out.is_dir() else 0o777 & ~umask
    stage.chmod(mode)


def _mirror(out: Path, stage: Path, ours: set[str]) -> None:
    """Hard-link every file of ``out`` that is not the old report's into ``stage``."""
    for dirpath, dirnames, filenames in os.walk(out):
        base = Path(dirpath)
        rel_base = base.relative_to(out)
        target_base = stage / rel_base
        for name in list(dirnames):
            src = base / name
            if src.is_symlink():
                dirnames.remove(name)
                filenames.append(name)
                continue
            dst = target_base / name
            if not dst.exists():
                dst.mkdir()
                dst.chmod(stat.S_IMODE(src.stat().st_mode))
        for name in filenames:
            src, rel = base / name, (rel_base / name).as_posix()
            if rel in ours or rel == MARKER:
                continue
            dst = target_base / name
            if src.is_symlink():
                os.symlink(os.readlink(src), dst)
            elif src.is_file():
                try:
                    os.link(src, dst)
                except OSError:
                    shutil.copy2(src, dst)
            else:
                raise InvalidArgument(
                    "out", str(out), f"holds {rel!r}, neither a file nor a directory"
                )


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap the paths ``a`` and ``b`` atomically (Linux renameat2); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def publish(out: str | Path, stage: Path, manifest: list[str]) -> None:
    """Switch ``out`` to the staged report (see the module doc). ``manifest`` lists every file
    the report wrote in ``stage`` (relative paths); the previous report's files not in it are
    dropped, everything else in ``out`` is kept."""
    out = _resolve(out)
    check_replaceable(out, manifest)
    _permissions(stage, out)  # before the mirror: its hard links are other people's files
    _fault("mirror")
    if out.is_dir():
        _mirror(out, stage, owned(out))
    _fault("complete")
    (stage / MARKER).unlink()
    _fault("switch")
    if not out.exists():
        os.rename(stage, out)
        _fault("switched")
        return
    if not _exchange(stage, out):  # the fallback: an instant with no out, never a mix
        previous = stage.with_name(f"{stage.name}-previous")
        os.rename(out, previous)
        _fault("aside")
        os.rename(stage, out)
        stage = previous
    _fault("switched")
    _reconcile(stage, out)
    _fault("reconciled")
    shutil.rmtree(stage, ignore_errors=True)
