"""The reproducibility block: package versions, the project's commit, the command to rerun."""

from __future__ import annotations

import platform
import shlex
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["PACKAGES", "command_line", "environment", "git_commit"]

#: Distributions whose versions a report records (cvxpy's solvers are clarabel and scs).
PACKAGES = (
    "numpy",
    "scipy",
    "sympy",
    "cvxpy",
    "clarabel",
    "scs",
    "hypothesis",
    "matplotlib",
    "jinja2",
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def git_commit(root: Path = PROJECT_ROOT) -> str:
    """``git rev-parse HEAD`` of the checkout holding this package, or ``"unknown"``."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    commit = done.stdout.strip()
    return commit if len(commit) == 40 else "unknown"


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
    """Everything a reader needs to rerun the report and get the same JSON."""
    return {
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "packages": {name: _version(name) for name in PACKAGES},
        "nc_verify": _version("nc-verify"),
        "commit": git_commit(),
        "seed": seed,
        "examples": examples,
        "command": command_line(out, examples, seed),
    }
