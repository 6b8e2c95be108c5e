"""Output safety: nothing a user owns is lost or dirtied, every output path is checked before the
work, a closed pipe or Ctrl-C never loses results, and ``verify report`` switches a report in
whole, even when killed at any step (issue 11)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

from verify.cli import build_parser, main
from verify.errors import InvalidArgument, VerifyError
from verify.report import atomic, build_report, recover

ROOT = Path(__file__).resolve().parents[1]
CLAIM, DPI = "theorem-IV.4", 40
TIMING_KEYS = {"seconds", "timings"}
VERIFY = [sys.executable, "-m", "verify"]


def _fake_figures(parts: Any, drawing: Any) -> list[dict[str, Any]]:
    """Stand-ins for the report's figures (same files, seed-dependent bytes): these tests are
    about how files are published, and drawing the real ones takes most of a build."""
    from verify.report.build import _figure_files

    stage, seed = drawing.stage, drawing.seed
    records = []
    for rel in _figure_files(parts):
        (stage / rel).parent.mkdir(parents=True, exist_ok=True)
        (stage / rel).write_bytes(f"{rel}, seed {seed}".encode())
        name = Path(rel).stem
        records.append(
            {"name": name, "file": rel, "title": name, "caption": name, "claims": [], "data": {}}
        )
    return records


@pytest.fixture(autouse=True)
def fast_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("verify.report.build._figures", _fake_figures)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str, *named: str) -> bool:
    lines = err.strip().splitlines()
    return len(lines) == 1 and "Traceback" not in err and all(n in err for n in named)


def files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (hidden ones too), JSON without its timing fields."""
    snap = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            rel, data = p.relative_to(root).as_posix(), p.read_bytes()
            if rel.endswith(".json"):
                with suppress(ValueError):
                    data = json.dumps(_strip(json.loads(data)), sort_keys=True).encode()
            snap[rel] = data
    return snap


def _strip(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _strip(v) for k, v in data.items() if k not in TIMING_KEYS}
    if isinstance(data, list):
        return [_strip(v) for v in data]
    return data


@contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """``path`` (a directory) made unwritable, for root too (an immutable inode)."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None:
            pytest.skip("root without chattr: cannot make a directory unwritable")
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
        if done.returncode != 0:
            pytest.skip("chattr +i not permitted here")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        path.chmod(0o500)
        try:
            yield
        finally:
            path.chmod(0o755)


def _fail(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the work started before the bad argument was refused")


def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to start the real work fails the test: errors must come before it."""
    monkeypatch.setattr("verify.report.build.run_checks", _fail)
    monkeypatch.setattr("verify.cli.hunt.hunt", _fail)


# ------------------------------------------------------------------ 1. foreign files in --out


def test_report_keeps_files_it_did_not_write(tmp_path: Path) -> None:
    """Property (issue 11, data loss 1): a user's claims/my_claims.py, figures/mine.png and
    notes.txt in --out survive two reports byte for byte; the report's own files are replaced."""
    out = tmp_path / "reports"
    (out / "claims").mkdir(parents=True)
    (out / "figures").mkdir()
    mine = {
        "claims/my_claims.py": b"# my claims\n",
        "figures/mine.png": b"my figure",
        "notes.txt": b"notes",
    }
    for rel, data in mine.items():
        (out / rel).write_bytes(data)
    (out / "notes.txt").chmod(0o600)
    link = tmp_path / "link"
    link.symlink_to(out)
    first = build_report(out, examples=2, seed=1, claims=[CLAIM], dpi=DPI)
    second = build_report(link, examples=2, seed=2, claims=[CLAIM], dpi=DPI)
    for rel, data in mine.items():
        assert (out / rel).read_bytes() == data, rel
    assert (out / "notes.txt").stat().st_mode & 0o777 == 0o600
    assert link.is_symlink() and (link / "index.json").is_file()
    assert first["seed"] == 1 and second["seed"] == 2
    manifest = json.loads((out / "index.json").read_text())["manifest"]
    assert not set(mine) & set(manifest) and {"index.md", "index.json"} <= set(manifest)


@pytest.mark.parametrize("rel", ["index.md", "index.json", "figures/gaps.png", "claims"])
def test_report_refuses_to_replace_a_file_it_did_not_write(
    rel: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property (data loss 1): a file of the user's where the report would write refuses the
    run with one line naming it, before any check runs, and --out is left as it was."""
    out = tmp_path / "reports"
    (out / rel).parent.mkdir(parents=True, exist_ok=True)
    (out / rel).write_bytes(b"the user's")
    before = files(out)
    no_work(monkeypatch)
    code, _, err = run(capsys, "report", "--out", str(out), "--dpi", str(DPI))
    assert code == 2 and one_line_error(err, rel, "not written by `verify report`")
    assert files(out) == before
    assert not list(tmp_path.glob(".report-*"))


def test_a_reports_previous_files_are_its_own(tmp_path: Path) -> None:
    """Property: files listed by the previous index.json (its manifest) are replaced or
    removed, those of an older index without a manifest too; a hunt's page beside its JSON is
    re-rendered; anything else blocks."""
    out = tmp_path / "r"
    (out / "hunts").mkdir(parents=True)
    (out / "hunts/h.json").write_text(json.dumps({"tool": "nc-verify hunt"}))
    (out / "hunts/h.md").write_text("page")
    (out / "hunts/x.md").write_text("mine")
    (out / "index.json").write_text(
        json.dumps({"generated": ["figures/a.png"], "claims": [{"page": "claims/c.md"}]})
    )
    ours = atomic.owned(out)
    assert {"figures/a.png", "claims/c.md", "index.json", "index.md", "hunts/h.md"} <= ours
    assert "hunts/x.md" not in ours
    atomic.check_replaceable(out, ["index.json", "claims/c.md", "hunts/h.md", "figures/a.png"])
    with pytest.raises(InvalidArgument, match=r"hunts/x\.md"):
        atomic.check_replaceable(out, ["hunts/x.md"])
    (out / "index.json").write_text("{ corrupt")
    with pytest.raises(InvalidArgument, match=r"index\.json"):
        atomic.check_replaceable(out, ["index.json"])


def test_hunt_never_replaces_a_file_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property: an OUT/SLUG.json that is not a hunt's record refuses the hunt before it runs."""
    (tmp_path / "theorem-IV.4.json").write_text('{"mine": true}')
    no_work(monkeypatch)
    code, _, err = run(capsys, "hunt", CLAIM, "--out", str(tmp_path), "--no-database")
    assert code == 2 and one_line_error(err, "theorem-IV.4.json", "not a hunt's record")
    assert (tmp_path / "theorem-IV.4.json").read_text() == '{"mine": true}'


# ------------------------------------------------------------------ 2. a closed stdout pipe


def _closed_pipe_run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Run ``verify ARGV`` with stdout a pipe whose reader has already gone (``| head -0``)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            [*VERIFY, *argv], stdout=write, stderr=subprocess.PIPE, cwd=cwd, timeout=300
        )
    finally:
        os.close(write)


@pytest.mark.parametrize(
    "argv",
    [
        ["check", CLAIM, "-M", "2", "--json", "r.json"],
        ["solve", "-K", "3", "-n", "2", "--json", "r.json"],
        ["derive", CLAIM, "--json", "r.json"],
        ["hunt", CLAIM, "--budget", "3", "--no-database", "--no-amend", "--json", "r.json"],
    ],
    ids=["check", "solve", "derive", "hunt"],
)
def test_results_survive_a_closed_stdout(argv: list[str], tmp_path: Path) -> None:
    """Property (data loss 2): a reader closing the pipe is its choice: the JSON is written,
    the exit status is 0 and there is no traceback."""
    done = _closed_pipe_run(argv, tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    assert b"Traceback" not in done.stderr and b"BrokenPipe" not in done.stderr
    assert json.loads((tmp_path / "r.json").read_text())


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pseudo-terminal")
def test_a_terminal_with_the_status_spinner_works(tmp_path: Path) -> None:
    """Property: on a terminal (where rich's status display redirects sys.stdout to the
    console), the pipe-safe stdout does not write back into itself: the command finishes."""
    import pty
    import threading

    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        with suppress(OSError):
            while data := os.read(master, 4096):
                chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        done = subprocess.run(
            [*VERIFY, "check", CLAIM, "-M", "2", "--json", "r.json"],
            stdout=slave,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            timeout=120,
        )
    finally:
        os.close(slave)
        reader.join(timeout=5)
        os.close(master)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert b"verified" in b"".join(chunks) and (tmp_path / "r.json").is_file()


def test_hunt_writes_before_it_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property (data loss 2): the hunt's files exist before its first line is printed."""
    from verify.cli import hunt as cli_hunt

    seen: list[bool] = []
    monkeypatch.setattr(
        cli_hunt, "_summary", lambda result: seen.append((tmp_path / "h.json").is_file())
    )
    code, _, _ = run(
        capsys,
        "hunt",
        CLAIM,
        "--budget",
        "3",
        "--no-database",
        "--no-amend",
        "--json",
        str(tmp_path / "h.json"),
        "--out",
        str(tmp_path / "o"),
    )
    assert code == 0 and seen == [True]


# ------------------------------------------------------------------ 3. output paths up front


def _bad_paths(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "file").write_text("x")
    (tmp_path / "dir").mkdir()
    return {
        "existing directory": str(tmp_path / "dir"),
        "under a file": str(tmp_path / "file" / "x.json"),
        "empty": "",
        "trailing slash": str(tmp_path / "newdir") + "/",
    }


@pytest.mark.parametrize("command", ["hunt", "check", "solve", "derive", "metrics"])
@pytest.mark.parametrize("case", ["existing directory", "under a file", "empty", "trailing slash"])
def test_a_bad_json_path_is_refused_before_the_work(
    command: str,
    case: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Property (data loss 3, tracebacks, polish): --json that cannot be a file (an existing
    directory, under a regular file, '' or 'newdir/') is one line naming --json, exit 2,
    before any work."""
    value = _bad_paths(tmp_path)[case]
    no_work(monkeypatch)
    monkeypatch.setattr("verify.cli.check.check", _fail)
    monkeypatch.setattr("verify.cli.solve.solve", _fail)
    argv = {
        "hunt": ["hunt", CLAIM, "--no-database", "--out", str(tmp_path / "o")],
        "check": ["check", CLAIM, "-M", "2"],
        "solve": ["solve", "-K", "2"],
        "derive": ["derive", CLAIM],
        "metrics": ["metrics", "f.npy", "y.npy"],
    }[command]
    code, _, err = run(capsys, *argv, "--json", value)
    assert code == 2 and one_line_error(err, "--json"), err
    assert not (tmp_path / "o").exists() and not (tmp_path / "newdir").exists()


def test_json_in_an_unwritable_directory_is_refused_before_the_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property (data loss 3): --json in a directory we may not write (new or existing file) is
    one line naming --json, before the work, instead of a PermissionError after it."""
    monkeypatch.setattr("verify.cli.check.check", _fail)
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "old.json").write_text("{}")
    with unwritable(locked):
        for name in ("v.json", "old.json", "sub/v.json"):
            code, _, err = run(capsys, "check", CLAIM, "--json", str(locked / name))
            assert code == 2 and one_line_error(err, "--json", "not writable"), err


@pytest.mark.parametrize("option", ["--out", "--database"])
def test_hunt_directories_are_checked_before_the_hunt(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property (data loss 3): --out/--database under a regular file, or in an unwritable
    directory, is one line naming the option, before the hunt runs (no lost hunt)."""
    no_work(monkeypatch)
    (tmp_path / "file").write_text("x")
    code, _, err = run(capsys, "hunt", CLAIM, option, str(tmp_path / "file" / "d"))
    assert code == 2 and one_line_error(err, option, "not a directory")
    locked = tmp_path / "locked"
    locked.mkdir()
    with unwritable(locked):
        code, _, err = run(capsys, "hunt", CLAIM, option, str(locked / "d"))
        assert code == 2 and one_line_error(err, option, "not writable")
        code, _, err = run(capsys, "hunt", CLAIM, option, str(locked))
        assert code == 2 and one_line_error(err, option, "not writable")


def test_report_out_is_checked_before_the_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property (data loss 3): report --out a file, under a file, unwritable, or beside
    nothing writable: one line naming --out, exit 2, before any check."""
    no_work(monkeypatch)
    (tmp_path / "file").write_text("x")
    for value in (tmp_path / "file", tmp_path / "file" / "r"):
        code, _, err = run(capsys, "report", "--out", str(value))
        assert code == 2 and one_line_error(err, "out"), err
    locked = tmp_path / "locked"
    (locked / "reports").mkdir(parents=True)
    with unwritable(locked):
        code, _, err = run(capsys, "report", "--out", str(locked / "reports"))
        assert code == 2 and one_line_error(err, "out", "writable"), err
    assert not list(tmp_path.rglob(".report-*"))


def test_report_refuses_what_it_cannot_switch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property: --out the current directory (or above it), holding a FIFO, or holding a mount
    point is one line naming out, before any check; nothing is written."""
    no_work(monkeypatch)
    out = tmp_path / "r"
    (out / "data").mkdir(parents=True)
    monkeypatch.chdir(out / "data")
    for value in (".", "..", str(out)):
        code, _, err = run(capsys, "report", "--out", value)
        assert code == 2 and one_line_error(err, "out", "current directory"), err
    monkeypatch.chdir(tmp_path)
    os.mkfifo(out / "pipe")
    code, _, err = run(capsys, "report", "--out", str(out))
    assert code == 2 and one_line_error(err, "out", "pipe", "neither a file nor a directory")
    (out / "pipe").unlink()
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: str(p).endswith("data") or real(p))
    code, _, err = run(capsys, "report", "--out", str(out))
    assert code == 2 and one_line_error(err, "out", "mount point 'data'"), err
    assert sorted(p.name for p in out.iterdir()) == ["data"]


# ------------------------------------------------------------------ 4. killed at every step


@pytest.fixture(scope="module")
def previous_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A report (seed 1) in a directory that also holds a user's files; and a pristine copy."""
    base = tmp_path_factory.mktemp("killed")
    out = base / "reports"
    (out / "hunts").mkdir(parents=True)
    (out / "claims").mkdir()
    (out / "notes.txt").write_text("the user's notes")
    (out / "claims" / "my_claims.py").write_text("# mine\n")
    (out / "empty").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("verify.report.build._figures", _fake_figures)
        build_report(out, examples=2, seed=1, claims=[CLAIM], dpi=DPI)
    pristine = base / "pristine"
    shutil.copytree(out, pristine, symlinks=True)
    return out, pristine


MUTATORS = ("replace", "rename", "link", "unlink", "rmdir", "symlink")


def _kill_at(k: int) -> None:
    """In a forked child: SIGKILL the process just before its k-th file-system change."""
    count = [0]

    def step() -> None:
        count[0] += 1
        if count[0] == k:
            os.kill(os.getpid(), signal.SIGKILL)

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            step()
            return fn(*args, **kwargs)

        return wrapped

    for name in MUTATORS:
        setattr(os, name, wrap(getattr(os, name)))
    shutil.rmtree = wrap(shutil.rmtree)  # type: ignore[assignment]
    if hasattr(atomic, "_exchange"):
        atomic._exchange = wrap(atomic._exchange)


def _restore(src: Path, dst: Path) -> None:
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst, symlinks=True)


def test_killed_at_every_step_of_the_publication(
    previous_report: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property (data loss 4): `verify report` SIGKILLed before each file-system change of its
    publish step (every rename, link, unlink, the switch) leaves --out exactly the previous
    report or exactly the new one, with the user's files, never a mix; the next run cleans up
    what the killed one left (no .report-lock, no .report-staging-*)."""
    out, pristine = previous_report
    _restore(pristine, out)
    old = files(out)
    results: list[tuple[int, dict[str, bytes]]] = []
    real_publish = atomic.publish

    def killing_publish(*args: Any, **kwargs: Any) -> None:
        stage = Path(args[1])
        saved = tmp_path / "stage"
        shutil.copytree(stage, saved, symlinks=True)
        for k in range(1, 200):
            _restore(pristine, out)
            _restore(saved, stage)
            pid = os.fork()
            if pid == 0:  # the child: killed at step k, or done
                try:
                    _kill_at(k)
                    real_publish(*args, **kwargs)
                finally:
                    os._exit(0)
            _, status = os.waitpid(pid, 0)
            killed = os.WIFSIGNALED(status)
            results.append((k, files(out)))
            if not killed:
                break
        _restore(pristine, out)
        _restore(saved, stage)
        real_publish(*args, **kwargs)

    monkeypatch.setattr("verify.report.build.publish", killing_publish)
    build_report(out, examples=2, seed=2, claims=[CLAIM], dpi=DPI)
    new = files(out)
    assert old != new and len(results) > 3
    for k, snap in results:
        assert snap in (old, new), f"killed before change {k}: a mixed report"
    assert results[-1][1] == new
    recover(out)
    leftovers = [*out.parent.glob(".report-*"), *out.rglob(".report-*")]
    assert not leftovers
    assert (out / "notes.txt").read_text() == "the user's notes"


@pytest.mark.parametrize("stage", ["run_checks", "_figures", "claim_page", "index_page"])
def test_killed_while_building_leaves_the_previous_report(
    stage: str, previous_report: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property (data loss 4): SIGKILL while checking, drawing, writing pages or the index
    changes nothing in --out; the next run deletes the dead run's staging tree and lock."""
    out, pristine = previous_report
    _restore(pristine, out)
    before = files(out)
    pid = os.fork()
    if pid == 0:
        try:

            def die(*args: Any, **kwargs: Any) -> str:
                os.kill(os.getpid(), signal.SIGKILL)
                return ""

            monkeypatch.setattr(f"verify.report.build.{stage}", die)
            build_report(out, examples=2, seed=3, claims=[CLAIM], dpi=DPI)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status)
    assert files(out) == before
    assert list(out.parent.glob(".report-staging-*"))  # what the dead run left
    recover(out)
    assert not list(out.parent.glob(".report-*")) and files(out) == before


def test_leftovers_of_the_earlier_design_are_removed(
    previous_report: tuple[Path, Path],
) -> None:
    """Property: a lock, staging tree or journal the earlier design left inside --out (and
    tracked nowhere) is removed by the next run, not mirrored into the new report."""
    out, pristine = previous_report
    _restore(pristine, out)
    (out / ".report-staging-old").mkdir()
    (out / ".report-staging-old" / "x.png").write_bytes(b"x")
    (out / ".report-lock").write_text("")
    (out / ".report-journal.json").write_text("{}")
    build_report(out, examples=2, seed=1, claims=[CLAIM], dpi=DPI)
    assert not list(out.glob(".report-*")) and not list(out.parent.glob(".report-*"))


def test_a_run_killed_just_before_the_switch_resurrects_nothing(
    previous_report: tuple[Path, Path],
) -> None:
    """Property: a complete staging tree left by a run killed just before its switch is
    deleted by the next run, not merged: a file the user deleted meanwhile stays deleted."""
    out, pristine = previous_report
    _restore(pristine, out)
    before = files(out)
    pid = os.fork()
    if pid == 0:
        try:

            def die(step: str) -> None:
                if step == "switch":
                    os.kill(os.getpid(), signal.SIGKILL)

            atomic.FAULT = die
            build_report(out, examples=2, seed=2, claims=[CLAIM], dpi=DPI)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and files(out) == before
    (out / "notes.txt").unlink()
    assert recover(out)
    assert not (out / "notes.txt").exists() and not list(out.parent.glob(".report-*"))


def test_a_file_written_during_the_switch_is_kept(
    previous_report: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property: a foreign file that appears in --out after the mirror and before the switch
    (a concurrent `verify hunt`) is moved into the new report, not lost."""
    out, pristine = previous_report
    _restore(pristine, out)

    def meanwhile(step: str) -> None:
        if step == "switch":
            (out / "hunts" / "late.json").write_text('{"late": 1}')

    monkeypatch.setattr(atomic, "FAULT", meanwhile)
    build_report(out, examples=2, seed=1, claims=[CLAIM], dpi=DPI)
    assert (out / "hunts" / "late.json").read_text() == '{"late": 1}'


def test_without_an_atomic_exchange_there_is_never_a_mix(
    previous_report: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property: where renameat2 cannot exchange, the fallback (rename aside, rename in) killed
    between its two renames leaves no --out for an instant, never a mix, and the next run or
    `recover` puts the new report in place, whole."""
    out, pristine = previous_report
    _restore(pristine, out)
    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    build_report(out, examples=2, seed=2, claims=[CLAIM], dpi=DPI)
    new = files(out)
    _restore(pristine, out)
    pid = os.fork()
    if pid == 0:
        try:

            def die(step: str) -> None:
                if step == "aside":
                    os.kill(os.getpid(), signal.SIGKILL)

            atomic.FAULT = die
            build_report(out, examples=2, seed=2, claims=[CLAIM], dpi=DPI)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and not out.exists()
    assert recover(out)
    assert files(out) == new
    assert not list(out.parent.glob(".report-*"))


@pytest.mark.slow
def test_verify_report_killed_at_random_instants(tmp_path: Path) -> None:
    """Property (data loss 4), end to end: `verify report` in a subprocess, SIGKILLed at random
    instants of a run, leaves --out the previous report or the new one, with the user's file;
    the next run finishes cleanly and leaves nothing beside it."""
    import random

    out = tmp_path / "reports"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    cmd = [*VERIFY, "report", "--out", str(out), "--examples", "2", "--dpi", str(DPI)]
    code = tmp_path / "code"  # a frozen copy (and the cwd): every run below is of the same code
    for package in ("verify", "proofs"):
        shutil.copytree(
            ROOT / package, code / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    env = {**os.environ, "PYTHONPATH": str(code)}

    def report(seed: int) -> None:
        done = subprocess.run(
            [*cmd, "--seed", str(seed)], capture_output=True, timeout=900, env=env, cwd=code
        )
        assert done.returncode == 0, done.stderr.decode()[-3000:]

    report(1)
    old, pristine = files(out), tmp_path / "pristine"
    shutil.copytree(out, pristine, symlinks=True)
    start = time.perf_counter()
    report(2)
    total, new = time.perf_counter() - start, files(out)
    assert old != new
    rng = random.Random(0)
    delays = [*sorted(rng.uniform(0.5, total) for _ in range(4)), total - 0.5, total - 0.2]
    for delay in delays:
        _restore(pristine, out)
        proc = subprocess.Popen(
            [*cmd, "--seed", "2"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=code,
        )
        time.sleep(max(delay, 0.1))
        proc.kill()
        proc.wait(timeout=60)
        snap = files(out)
        changed = sorted(k for k in set(snap) | set(new) if snap.get(k) != new.get(k))
        assert snap in (old, new), f"killed after {delay:.2f} s: a mixed report: {changed[:5]}"
    report(2)
    assert files(out) == new
    assert not list(tmp_path.glob(".report-*")) and not list(out.rglob(".report-*"))


def test_report_leftovers_are_ignored_by_git() -> None:
    """Property (data loss 4): the lock and staging trees beside a report are git-ignored."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    names = [".report-lock", ".report-staging-reports-abc123/x", "hunts/x.json"]
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", *names], cwd=ROOT, capture_output=True, text=True
    )
    assert set(done.stdout.split()) == set(names)


def test_concurrent_reports_lock_each_other_out(tmp_path: Path) -> None:
    """Property: while one run holds the lock beside --out, another refuses with one line."""
    out = tmp_path / "reports"
    busy = pytest.raises(VerifyError, match="another `verify report`")
    with atomic.staging(out), busy, atomic.staging(out):
        pass
    assert not list(tmp_path.glob(".report-*"))


# ------------------------------------------------------------------ 6. user hunts stay out


def test_a_user_file_hunt_writes_outside_the_paper_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property (item 6): by default a hunt writes into ./hunts of the current directory, so the
    README's examples, run in the checkout, never add to the committed reports/hunts/."""
    assert build_parser().parse_args(["hunt", "examples/my_claims.py:X"]).out == "hunts"
    assert build_parser().parse_args(["hunt", CLAIM]).out == "hunts"
    claims = tmp_path / "mine.py"
    claims.write_text(
        "from verify.claims import Claim\n"
        "TRIVIAL = Claim(id='my-trivial', title='t', statement='t', reference='r',\n"
        "    hypotheses=(), conclusion=lambda ctx: {'r': 0.0}, kind='user')\n"
    )
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "hunt", f"{claims}:TRIVIAL", "--budget", "2", "--no-database")
    assert code == 0, err
    assert (tmp_path / "hunts" / "mine-TRIVIAL.json").is_file()
    assert not (tmp_path / "reports").exists()
    code, help_text, _ = run(capsys, "hunt", "--help")
    assert code == 0 and "reports/hunts" in help_text and "./hunts" in help_text


def test_hunts_directory_is_ignored_by_git() -> None:
    """Property (item 6): ./hunts of a hunt run in the checkout is not a tracked change."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", "hunts/x.json"], cwd=ROOT, capture_output=True
    )
    assert done.returncode == 0


# ------------------------------------------------------------------ tracebacks


@pytest.mark.parametrize("dpi", ["1", "19", "601", "100000"])
def test_report_dpi_is_bounded(
    dpi: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Property: --dpi outside 20..600 is one line naming dpi, exit 2, before any check."""
    no_work(monkeypatch)
    code, _, err = run(capsys, "report", "--out", str(tmp_path / "r"), "--dpi", dpi)
    assert code == 2 and one_line_error(err, "dpi", "between 20 and 600")
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("content", ["{ corrupt", "[]", '{"claims": 3}', "\xff\xfe"])
def test_readme_only_with_a_corrupt_index(
    content: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Property: --readme-only on a corrupt index.json is one line naming it; README unchanged."""
    from verify.report import END, START

    out = tmp_path / "r"
    out.mkdir()
    (out / "index.json").write_bytes(content.encode("latin-1"))
    readme = tmp_path / "README.md"
    readme.write_text(f"{START}\nold\n{END}\n")
    code, _, err = run(
        capsys, "report", "--out", str(out), "--update-readme", str(readme), "--readme-only"
    )
    assert code == 2 and one_line_error(err, "index.json"), err
    assert readme.read_text() == f"{START}\nold\n{END}\n"


@pytest.mark.parametrize("case", ["missing", "no markers", "directory", "binary"])
def test_update_readme_is_checked_before_the_report(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property: a bad --update-readme file is refused before the report is built or published."""
    readme = tmp_path / "README.md"
    if case == "no markers":
        readme.write_text("no markers\n")
    elif case == "directory":
        readme.mkdir()
    elif case == "binary":
        readme.write_bytes(b"\xff\xfe\x00")
    no_work(monkeypatch)
    out = tmp_path / "r"
    code, _, err = run(capsys, "report", "--out", str(out), "--update-readme", str(readme))
    assert code == 2 and one_line_error(err, "readme"), err
    assert not out.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_four_quick_ctrl_c_exit_130(tmp_path: Path) -> None:
    """Property: four SIGINTs in quick succession, once the command runs, end it with status
    130, not by the signal (-2), print no traceback, and keep what the hunt found."""
    marker = tmp_path / "running"
    claims = tmp_path / "slow.py"
    claims.write_text(
        "import time\n"
        "from pathlib import Path\n"
        "from verify.claims import Claim\n"
        "def conclusion(ctx):\n"
        f"    Path({str(marker)!r}).touch()\n"
        "    time.sleep(0.05)\n"
        "    return {'r': 0.0}\n"
        "SLOW = Claim(id='my-slow', title='t', statement='t', reference='r', hypotheses=(),\n"
        "    conclusion=conclusion, kind='user')\n"
    )
    proc = subprocess.Popen(
        [*VERIFY, "hunt", f"{claims}:SLOW", "--budget", "100000", "--no-database", "--no-amend"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the hunt never evaluated the claim"
    for _ in range(4):
        proc.send_signal(signal.SIGINT)
        time.sleep(0.002)
    try:
        _, err = proc.communicate(timeout=120)
    finally:  # a failure must not leave the process to warn in a later test
        proc.kill()
    assert proc.returncode == 130, err.decode()
    assert b"Traceback" not in err
    assert (tmp_path / "hunts" / "slow-SLOW.json").is_file()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_four_quick_ctrl_c_in_a_check_exit_130(tmp_path: Path) -> None:
    """Property: the same for `verify check`, which has no handler of its own: once the
    command has used more CPU than its imports need, four quick SIGINTs exit 130."""
    proc = subprocess.Popen(
        [*VERIFY, "check", CLAIM, "-M", "100000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and _cpu_seconds(proc.pid) < 6:
        time.sleep(0.05)
    for _ in range(4):
        proc.send_signal(signal.SIGINT)
        time.sleep(0.002)
    try:
        _, err = proc.communicate(timeout=120)
    finally:  # a failure must not leave the process to warn in a later test
        proc.kill()
    assert proc.returncode == 130, err.decode()
    assert b"Traceback" not in err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_ctrl_c_lost_in_a_destructor_still_ends_the_command(tmp_path: Path) -> None:
    """Property: a press that lands where Python ignores exceptions (here a ``__del__``; in CI
    it was a gc callback) is delivered again, so one Ctrl-C still exits 130 without a
    traceback, instead of leaving the command running with every later press ignored."""
    claims = tmp_path / "lost.py"
    claims.write_text(
        "import signal, time\n"
        "from verify.claims import Claim\n"
        "class Press:\n"
        "    def __del__(self):\n"
        "        signal.raise_signal(signal.SIGINT)\n"
        "CALLS = []\n"
        "def conclusion(ctx):\n"
        "    CALLS.append(1)\n"
        "    if len(CALLS) == 1:\n"
        "        Press()\n"
        "    time.sleep(0.01)\n"
        "    return {'r': 0.0}\n"
        "LOST = Claim(id='my-lost', title='t', statement='t', reference='r', hypotheses=(),\n"
        "    conclusion=conclusion, kind='user')\n"
    )
    proc = subprocess.Popen(
        [*VERIFY, "check", f"{claims}:LOST", "-M", "100000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    try:
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, err.decode()
    assert b"Traceback" not in err and b"Exception ignored" not in err, err.decode()


# ------------------------------------------------------------------ polish


def test_top_level_help_has_no_developer_text(capsys: pytest.CaptureFixture[str]) -> None:
    """Property: `verify --help` describes the tool, not its module layout."""
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "COMMANDS" not in out and "one module per command" not in out
    assert "neural collapse" in out


def test_hunt_premise_reads_as_what_it_means() -> None:
    """Property: a premise that holds is shown as holding, not as 'Hbar = 0 ... = 0.000e+00'."""
    from verify.hunt.summary import premise_line

    holds = premise_line({"Hbar != 0 (certified)": 0.0})
    assert holds == "premise: holds (Hbar != 0 (certified))" and "= 0.000" not in holds
    fails = premise_line({"Hbar != 0 (certified)": 1.0, "Ybar is an SSETF": 0.0})
    assert fails == "premise: fails (Hbar != 0 (certified))"
