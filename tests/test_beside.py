"""``python -m proofs.<module>``: every claim module prints its theory beside a certified
solution (``verify.claims.beside.print_beside``), and the two agree. The hypersphere's modules
print a proved bound beside local search instead (``tests/test_sphere.py``)."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from proofs import MODULE_NAMES

ROOT = Path(__file__).resolve().parents[1]
#: the paper's modules (the registry's, up to the claims nc-verify derived itself)
MODULES = MODULE_NAMES[: MODULE_NAMES.index("gram_balanced")]
#: nc-verify's own derivations and the cross-entropy literature's claims
OTHERS = tuple(m for m in MODULE_NAMES if m not in MODULES and not m.startswith("sphere_"))
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|[-+]?inf|nan")
_CONTINUED = " " * len("    theory:    ")


def rows(text: str) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, theory, certified) of every row print_beside printed, the values as flat arrays."""
    found: list[tuple[str, np.ndarray, np.ndarray]] = []
    name, parts, current = "", {"theory": "", "certified": ""}, ""
    for line in text.splitlines():
        for label in ("theory", "certified"):
            if line.startswith(f"    {label}:"):
                current = label
                parts[label] = line.split(":", 1)[1]
                break
        else:
            if current and line.startswith(_CONTINUED):
                parts[current] += line
                continue
            if current == "certified":
                found.append((name, *(_numbers(parts[k]) for k in ("theory", "certified"))))
            current = ""
            if line.startswith("  ") and not line.startswith("   "):
                name = line.strip()
    if current == "certified":
        found.append((name, *(_numbers(parts[k]) for k in ("theory", "certified"))))
    return found


def _numbers(text: str) -> np.ndarray:
    return np.array([float(x) for x in _NUMBER.findall(text)])


@pytest.mark.parametrize("module", MODULES)
def test_theory_is_printed_beside_the_certified_value(
    module: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Property: the module's main prints, for each claim it shows, the claim id, the
    certificate, at least one row of theory beside certificate, and the claim's residuals;
    every row agrees to the printed digits (the conjecture's own prediction aside, which its
    counterexample breaks)."""
    main = importlib.import_module(f"proofs.{module}").main
    main()
    _agree(capsys.readouterr().out)


@pytest.mark.parametrize("module", OTHERS)
def test_every_other_module_prints_theory_beside_certificate(
    module: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Property: the same for every other claim module."""
    importlib.import_module(f"proofs.{module}").main()
    _agree(capsys.readouterr().out)


def _agree(out: str) -> None:
    """Every row printed agrees to the printed digits, but a row that only sets the certified
    value beside what a conjecture "says" (which its counterexample breaks), beside a threshold
    ("x vs y", a comparison, not a prediction), or beside a statement with no value."""
    assert "certified by exact" in out and "  residual " in out
    found = rows(out)
    assert found, out
    for name, theory, certified in found:
        if " says " in name or " vs " in name or theory.size == 0:
            continue
        assert theory.size == certified.size > 0, (name, out)
        assert np.allclose(theory, certified, rtol=1e-4, atol=1e-5), (name, theory, certified)


def test_the_conjecture_row_shows_its_counterexample(capsys: pytest.CaptureFixture[str]) -> None:
    """Property: the second instance of ``python -m proofs.conjecture_ssetf`` is a
    counterexample to the "if" direction: the class means are no SSETF (fit residual 1)."""
    importlib.import_module("proofs.conjecture_ssetf").main()
    said = [c for name, _, c in rows(capsys.readouterr().out) if "conjecture says" in name]
    assert [float(c[0]) for c in said] == [0.0, 1.0]


def test_python_dash_m_runs_a_module() -> None:
    """Property: ``python -m proofs.theorem_iv1`` runs as a script (its own __main__)."""
    run = subprocess.run(
        [sys.executable, "-m", "proofs.theorem_iv1"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert run.stdout.startswith("theorem-IV.1: ") and "    theory:" in run.stdout
    ((name, theory, certified),) = rows(run.stdout)
    assert name == "H = Hbar C" and np.allclose(theory, certified, atol=1e-5)


def test_the_sphere_modules_print_their_claim_beside_local_search(capsys) -> None:
    """Property: ``python -m proofs.sphere_imbalance`` prints, per claim, the class-structured
    optimum beside the best full local search (equal: NC1 holds there), and
    ``python -m proofs.sphere_scl_classifier`` SupCon above the class-mean classifier's loss and
    the class means at NormFace's proved minimum."""
    importlib.import_module("proofs.sphere_imbalance").main()
    blocks = capsys.readouterr().out.split("sphere-")[1:]
    assert len(blocks) == 2
    for block in blocks:
        lines = block.splitlines()
        claimed, full = float(lines[1].split()[-1]), float(lines[2].split()[6])
        assert abs(claimed - full) <= 1e-9 * max(1.0, abs(claimed))
    importlib.import_module("proofs.sphere_scl_classifier").main()
    a_supcon, a_mean, b_bound, b_means = (
        float(line.split()[-1]) for line in capsys.readouterr().out.splitlines()[1:]
    )
    assert a_mean <= a_supcon and abs(b_bound - b_means) <= 1e-12
