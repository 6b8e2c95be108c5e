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


def _imported(tree: ast.AST) -> set[str]:
    """Top-level package of every import in ``tree``, dynamic ``import_module("...")`` too."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant | ast.JoinedStr)
        ):
            first = node.args[0]
            text = first.value if isinstance(first, ast.Constant) else ast.unparse(first)
            found.add(str(text).strip("f'\"").split(".")[0])
    return found


def test_no_module_of_verify_imports_proofs() -> None:
    """Property: the library is given its claims (entry points, ``verify/plugins.py``); no
    module of ``verify/`` imports ``proofs``, statically or by ``import_module``."""
    offenders = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "verify").rglob("*.py")
        if "proofs" in _imported(ast.parse(path.read_text(), str(path)))
    )
    assert offenders == []


def test_every_cited_document_is_in_the_repository() -> None:
    """Property: code and docs cite documents of this repository (``docs/NAME.md``), never a
    path outside it such as ``../shared/``, and every cited ``docs/*.md`` exists."""
    cited: set[str] = set()
    outside: list[str] = []
    for folder in ("verify", "proofs", "docs", "benchmarks", "experiments", "examples"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".py", ".md", ".j2") or not path.is_file():
                continue
            text = path.read_text()
            if "../shared/" in text:
                outside.append(str(path.relative_to(ROOT)))
            cited |= set(re.findall(r"docs/([A-Z]+\.md)", text))
    assert outside == []
    assert cited and all((ROOT / "docs" / name).exists() for name in cited), cited
