"""The reproducibility block: the exact versions of the run, whether they are the pinned ones,
the project's commit, the command to rerun.

A report is a function of (code, pinned versions, seed). ``constraints.txt`` at the root of the
checkout pins every package (``pip install -c constraints.txt .``); the block records the
version of every distribution the run imports from (nc-verify's runtime dependencies and
theirs, markers evaluated for this interpreter) and names each one that differs from its pin.

The commit is the last commit that changed what the report is a function of (``verify/``,
``proofs/``, ``pyproject.toml``, ``constraints.txt``), not ``HEAD``: a commit that only
regenerates ``reports/`` (or edits tests) does not change it, so a fresh clone of the commit
that holds a report records the commit the report records. It is read from the checkout that
holds the imported package (an editable install), or else from the current directory when it
(or a parent) is an nc-verify checkout whose code is the code installed (``pip install .``
from a clone records the clone's commit rather than ``"unknown"``).
"""

from __future__ import annotations

import platform
import re
import shlex
import subprocess
import tomllib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "CODE_PATHS",
    "CONSTRAINTS",
    "checkout",
    "command_line",
    "constraints_check",
    "environment",
    "git_commit",
    "is_project",
    "read_constraints",
    "run_packages",
]

PROJECT = "nc-verify"
#: The constraints file, at the root of the checkout.
CONSTRAINTS = "constraints.txt"
#: The paths of a checkout a report is a function of (with the pinned versions and the seed).
CODE_PATHS = ("verify", "proofs", "pyproject.toml", CONSTRAINTS)
#: The directory holding the imported ``verify`` package: the checkout for an editable install,
#: ``site-packages`` for ``pip install .``.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def canonical_name(name: str) -> str:
    """A distribution name as PEP 503 compares them: ``Jinja2`` -> ``jinja2``, ``a_b`` -> ``a-b``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


# ---------------------------------------------------------------------------------- checkout


def is_project(root: Path) -> bool:
    """Whether ``root/pyproject.toml`` declares the project nc-verify."""
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    name = data.get("project", {}).get("name") if isinstance(data, dict) else None
    return isinstance(name, str) and canonical_name(name) == PROJECT


def _same_code(package_root: Path, root: Path) -> bool:
    """Whether the installed ``verify`` and ``proofs`` under ``package_root`` are the files of
    the checkout ``root`` (every installed source file, byte for byte)."""
    for package in ("verify", "proofs"):
        installed = package_root / package
        if not installed.is_dir():
            return False
        for path in installed.rglob("*"):
            if path.suffix not in (".py", ".j2") or not path.is_file():
                continue
            twin = root / path.relative_to(package_root)
            try:
                if twin.read_bytes() != path.read_bytes():
                    return False
            except OSError:
                return False
    return True


def checkout(package_root: Path | None = None, cwd: Path | None = None) -> tuple[Path | None, str]:
    """The nc-verify checkout this run's code comes from, and how it was found.

    The package's own root when it is the checkout (an editable install, or ``python -m
    verify`` in a clone); else the current directory or its nearest parent with a
    ``pyproject.toml``, when that is nc-verify's and holds the installed code. ``(None,
    reason)`` otherwise. ``package_root`` defaults to :data:`PROJECT_ROOT`.
    """
    package_root = PROJECT_ROOT if package_root is None else package_root
    if is_project(package_root):
        return package_root, "the checkout holding the imported package"
    here = (cwd or Path.cwd()).resolve()
    for root in (here, *here.parents):
        if (root / "pyproject.toml").is_file():
            if not is_project(root):
                break
            if not _same_code(package_root, root):
                return None, f"the installed code differs from the checkout {str(root)!r}"
            return root, "the current directory's checkout (its code is the installed code)"
    return None, "not run from an nc-verify checkout"


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout


def git_commit(root: Path | None = None, how: str = "given") -> dict[str, Any]:
    """The last commit of the checkout ``root`` (found by :func:`checkout` when None) that
    changed :data:`CODE_PATHS`, and whether those paths hold uncommitted changes.

    ``{"commit": "<40 hex digits>", "uncommitted_changes": bool}``, or ``{"commit":
    "unknown", "uncommitted_changes": None, "unknown_because": why}``. How the checkout was
    found is not recorded: an editable and a non-editable install of the same code must write
    the same block.
    """
    if root is None:
        root, how = checkout()
    if root is None:
        return _unknown(how)
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is None or Path(top.strip()).resolve() != root.resolve():
        return _unknown(f"{how} is not the top of a git work tree")
    paths = [p for p in CODE_PATHS if (root / p).exists()]
    last = (_git(root, "log", "-1", "--format=%H", "--", *paths) or "").strip()
    status = _git(root, "status", "--porcelain", "--untracked-files=no", "--", *paths)
    if not re.fullmatch(r"[0-9a-f]{40}", last) or status is None:
        return _unknown(f"git found no commit of {', '.join(paths)} in {how}")
    return {"commit": last, "uncommitted_changes": bool(status.strip())}


def _unknown(why: str) -> dict[str, Any]:
    return {"commit": "unknown", "uncommitted_changes": None, "unknown_because": why}


# ---------------------------------------------------------------------------------- versions


def _requirement_names(requirements: Iterable[str]) -> list[str]:
    """Names of the requirements that apply to this interpreter without extras."""
    try:
        from packaging.requirements import InvalidRequirement, Requirement
    except ImportError:  # pragma: no cover (packaging comes with matplotlib)
        return [
            canonical_name(m[0])
            for r in requirements
            if "extra" not in r.partition(";")[2] and (m := re.match(r"[A-Za-z0-9._-]+", r))
        ]
    names = []
    for text in requirements:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            names.append(canonical_name(req.name))
    return names


def _project_requirements(root: Path | None) -> list[str]:
    """nc-verify's runtime requirements: the installed distribution's, else the checkout's
    ``pyproject.toml``."""
    try:
        found = metadata.requires(PROJECT)
    except metadata.PackageNotFoundError:
        found = None
    if found is not None:
        return list(found)
    if root is not None:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
        return list(data.get("project", {}).get("dependencies", []))
    return []


def run_packages(requirements: Iterable[str] | None = None) -> dict[str, str]:
    """The version of every distribution the run depends on: nc-verify's runtime
    requirements and, recursively, theirs (markers evaluated here), by canonical name."""
    if requirements is None:
        requirements = _project_requirements(checkout()[0])
    versions: dict[str, str] = {}
    todo = _requirement_names(requirements)
    while todo:
        name = todo.pop()
        if name in versions:
            continue
        versions[name] = _version(name)
        try:
            todo += _requirement_names(metadata.requires(name) or [])
        except metadata.PackageNotFoundError:
            continue
    return dict(sorted(versions.items()))


def read_constraints(path: Path) -> dict[str, str]:
    """``name==version`` lines of a constraints file, by canonical name (comments, blank lines
    and options skipped; a line that pins nothing exactly raises ``ValueError``)."""
    pins: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;]+)", line)
        if m is None:
            raise ValueError(f"{path}:{number}: {raw!r} is not an exact pin name==version")
        pins[canonical_name(m[1])] = m[2]
    return pins


def constraints_check(packages: dict[str, str], root: Path | None) -> dict[str, Any]:
    """Whether the run's ``packages`` are the versions ``root/constraints.txt`` pins; names
    those that differ and those it does not pin."""
    path = None if root is None else root / CONSTRAINTS
    if path is None or not path.is_file():
        return {"file": CONSTRAINTS, "found": False, "matches": False, "differ": {}, "unpinned": []}
    pins = read_constraints(path)
    differ = {
        name: {"run": version, "pinned": pins[name]}
        for name, version in packages.items()
        if name in pins and pins[name] != version
    }
    unpinned = sorted(name for name in packages if name not in pins)
    return {
        "file": CONSTRAINTS,
        "found": True,
        "matches": not differ and not unpinned,
        "differ": differ,
        "unpinned": unpinned,
    }


def command_line(out: str, examples: int, seed: int) -> str:
    """The exact command that regenerates a report with these settings."""
    return shlex.join(
        [
            "python",
            "-m",
            "verify",
            "report",
            "--out",
            out,
            "--examples",
            str(examples),
            "--seed",
            str(seed),
        ]
    )


def environment(out: str, examples: int, seed: int) -> dict[str, Any]:
    """Everything a reader needs to rerun the report and get the same files."""
    root, how = checkout()
    packages = run_packages(_project_requirements(root))
    code = git_commit(root, how) if root is not None else _unknown(how)
    return {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "packages": packages,
        "constraints": constraints_check(packages, root),
        "nc_verify": _version(PROJECT),
        **code,
        "seed": seed,
        "examples": examples,
        "command": command_line(out, examples, seed),
    }
