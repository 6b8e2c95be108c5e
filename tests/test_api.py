"""The public API is what users import: everything in ``verify.__all__`` resolves, every public
name is in it, and the names the README and examples/ use are exported (the model is
hypothesis's ``_check_exports``)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

import verify

ROOT = Path(__file__).resolve().parents[1]


def test_every_name_in_all_resolves() -> None:
    for name in verify.__all__:
        assert getattr(verify, name) is not None, name


def test_every_public_name_is_in_all() -> None:
    public = {
        name
        for name, value in vars(verify).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name not in ("annotations", "importlib", "Any")
    }
    assert public <= set(verify.__all__), sorted(public - set(verify.__all__))
    assert len(verify.__all__) == len(set(verify.__all__))


def _used_names() -> set[str]:
    """``verify.X`` and ``from verify import X`` in the README's and examples/' Python."""
    names: set[str] = set()
    readme = (ROOT / "README.md").read_text()
    sources = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    sources += [p.read_text() for p in (ROOT / "examples").glob("*.py")]
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.module == "verify":
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "verify":
                names.add(node.attr)
    return names


def test_the_readme_and_examples_use_only_exported_names() -> None:
    used = _used_names()
    assert used, "no use of the verify namespace found"
    assert used <= set(verify.__all__), sorted(used - set(verify.__all__))


@pytest.mark.parametrize("heavy", ["hypothesis", "sympy"])
def test_import_verify_stays_light(heavy: str) -> None:
    """Property: the claim layer is imported on first use, not by ``import verify``."""
    code = f"import sys, verify; print({heavy!r} in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_py_typed_is_shipped() -> None:
    assert (ROOT / "verify" / "py.typed").is_file()


@pytest.mark.parametrize("module", ["gram_balanced", "gram_imbalanced", "ssetf_theorem"])
def test_a_proof_module_prints_theory_beside_the_certificate(module: str) -> None:
    """Property: `python -m proofs.<module>` runs alone (no re-registration, no runpy warning)
    and prints the theoretical value beside the certified one."""
    out = subprocess.run(
        [sys.executable, "-W", "error::RuntimeWarning", "-m", f"proofs.{module}"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert (
        "theory:" in out.stdout
        and "certified:" in out.stdout
        and "relative duality gap" in out.stdout
    )
