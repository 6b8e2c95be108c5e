"""A report is a function of (code, pinned versions, seed): the same files on every machine.

Machines differ in the last bits of floating point (BLAS kernels chosen by CPU). These tests
emulate that on one machine by perturbing every solution of the exact engine by a few units
in the last place, and check that what the report writes does not move; they also check the
constraints file and the commit the reproducibility block records.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from proofs import REGISTRY
from proofs.report import conjecture, nc3, onehot
from verify.claims import check
from verify.claims.verdict import Outcome, Verdict
from verify.report import canonical, environment
from verify.report.gaps import gaps_figure
from verify.report.pages import claim_page
from verify.report.text import slugify

solve_module = importlib.import_module("verify.solve")  # the module (verify.solve is a function)
ROOT = Path(__file__).resolve().parents[1]
DPI = 100
ULPS = 4e-16  # relative size of the perturbation: about two units in the last place


@contextmanager
def last_bits_perturbed(seed: int) -> Iterator[None]:
    """Every solve of the exact engine returns W, H, b moved by ~2 ulps (relative), as another
    BLAS kernel would; the certificate is then computed from the moved point."""
    original = solve_module.ENGINES["exact"]
    rng = np.random.default_rng(seed)

    def wiggle(A: Any) -> Any:
        if A is None:
            return None
        A = np.asarray(A, dtype=float)
        return A * (1 + ULPS * rng.standard_normal(A.shape))

    def engine(instance: Any, tol: Any, **options: Any) -> Any:
        W, H, b, details = original(instance, tol, **options)
        return wiggle(W), wiggle(H), wiggle(b), details

    solve_module.ENGINES["exact"] = engine
    try:
        yield
    finally:
        solve_module.ENGINES["exact"] = original


def _draw(stage: Path) -> dict[str, Any]:
    """Every figure of the report, from small inputs; the canonical text of their records."""
    curves = onehot.sweep()
    instances = conjecture.sample(0, count=40)
    gaps = [solve_module.solve(i, "exact").certificate.relative_gap for i in instances[:20]]
    records = [
        onehot.transition(stage, DPI, curves),
        onehot.bias_figure(stage, DPI, curves),
        onehot.gram_figure(stage, DPI),
        conjecture.conjecture_figure(
            stage,
            DPI,
            conjecture.conjecture_points(instances, [False] * len(instances)),
            "a sample",
        ),
        nc3.nc3_figure(stage, DPI, 0, rotations=4),
        gaps_figure(stage, DPI, {"sample": gaps, "none": []}, {"none": "no solve"}),
    ]
    return {r["name"]: canonical.dumps(r) for r in records}


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_figures_do_not_move_with_the_last_bits(tmp_path: Path) -> None:
    """Property: with every solution moved by ~2 ulps, each figure is the same PNG, byte for
    byte, and its record (caption, plotted numbers) the same canonical JSON."""
    plain, moved = tmp_path / "plain", tmp_path / "moved"
    first = _draw(plain)
    with last_bits_perturbed(1):
        second = _draw(moved)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], f"the record of figure {name} moved"
    a, b = _files(plain), _files(moved)
    assert a.keys() == b.keys() and len(a) == 6
    for name in a:
        assert a[name] == b[name], f"{name} is not byte-identical"


def _jiggled(o: Outcome | None, v: Verdict, rng: np.random.Generator) -> Outcome | None:
    """The outcome another machine could give: residuals within the tolerance and gaps at
    rounding level anywhere below their resolutions."""
    if o is None:
        return None
    tol = v.tolerances.residual
    residuals = {k: float(rng.uniform(0, tol)) if x <= tol else x for k, x in o.residuals.items()}
    gaps = tuple(float(rng.uniform(0, canonical.RESOLUTION)) for _ in o.gaps)
    return replace(o, residuals=residuals, gaps=gaps)


def _without_evidence(page: str) -> str:
    # the evidence phrase is Verdict.evidence (verify.claims.verdict), which still prints the
    # worst residual in full; everything else on the page is the report's
    return "\n".join(line for line in page.splitlines() if not line.startswith("*Evidence:*"))


@pytest.mark.parametrize("claim_id", ["theorem-IV.4", "theorem-III.4(a)"])
def test_claim_page_shows_no_rounding_digits(claim_id: str) -> None:
    """Property: a verdict whose residuals within the tolerance and whose gaps at rounding
    level are replaced by other values below their resolutions renders the same page."""
    claim = REGISTRY[claim_id]
    v = check(claim, examples=5, seed=0)
    assert v.worst is not None and v.gaps
    rng = np.random.default_rng(0)
    other = replace(
        v,
        worst=_jiggled(v.worst, v, rng),
        gaps=tuple(float(rng.uniform(0, canonical.RESOLUTION)) for _ in v.gaps),
    )
    slug = slugify(claim_id)
    first, second = claim_page(claim, v, [], slug), claim_page(claim, other, [], slug)
    assert _without_evidence(first) == _without_evidence(second)
    assert f"≤ {v.tolerances.residual:.0e}" in first


def test_canonical_json_hides_the_last_bits() -> None:
    """Property: the canonical encoder writes floats with DIGITS significant digits, so
    values a few ulps apart give the same text; inf, nan, -0 and numpy data are spelt once."""
    x = 0.46007374536909856
    assert canonical.dumps({"r": x}) == canonical.dumps({"r": np.nextafter(np.nextafter(x, 1), 1)})
    assert canonical.dumps({"r": 0.1 + 0.2}) == canonical.dumps({"r": 0.3})
    data = {"a": np.array([1.0, -0.0]), "b": np.float64(np.inf), "c": float("nan"), "d": True}
    assert json.loads(canonical.dumps(data)) == {"a": [1.0, 0.0], "b": "inf", "c": "nan", "d": True}
    text = canonical.dumps({"z": 1, "a": 2})
    assert text.index('"a"') < text.index('"z"') and text.endswith("}\n")
    assert canonical.measured(3e-13) == 0.0 and canonical.measured(2e-12) == 2e-12
    assert canonical.measured_text(0.0) == "≤ 1e-12"
    assert canonical.measured_text(5e-7, canonical.RESIDUAL_RESOLUTION) == "≤ 1e-06"


def test_measured_fields_flush_rounding_at_any_depth() -> None:
    """Property: residuals within the tolerance and gaps at rounding level are flushed to 0
    wherever they sit in a verdict's data, a second engine's numbers keep two digits;
    larger values and other fields are kept."""
    data = {
        "worst_residual": 3e-9,
        "residuals": {"a": 2e-16, "b": 0.46},
        "relative_gaps": [1e-16, 2e-11],
        "instance": {"lambda_W": 1e-20},
        "confirmation": {
            "tight": {"worst_residual": 0.46, "relative_gaps": [1e-15]},
            "second": {"worst_residual": 0.4350001234, "relative_gaps": [3e-7]},
        },
    }
    out = canonical.measured_fields(data, 1e-6)
    assert out["worst_residual"] == 0.0 and out["residuals"] == {"a": 0.0, "b": 0.46}
    assert out["relative_gaps"] == [0.0, 2e-11] and out["instance"] == {"lambda_W": 1e-20}
    assert out["confirmation"]["tight"] == {"worst_residual": 0.46, "relative_gaps": [0.0]}
    # the second engine is certified at cross_gap only: two digits
    assert out["confirmation"]["second"] == {"worst_residual": 0.44, "relative_gaps": [3e-7]}
    assert out["resolution"]["residuals"] == 1e-6
    assert out["resolution"]["gaps"] == canonical.RESOLUTION


def test_timings_are_split_from_the_data() -> None:
    """Property: split_timings removes every timing field at any depth and returns it by path."""
    data = {"claims": [{"id": "a", "seconds": 1.5}], "timings": {"total_seconds": 3.0}, "x": 1}
    kept, timings = canonical.split_timings(data)
    assert kept == {"claims": [{"id": "a"}], "x": 1}
    assert timings == {"claims/0/seconds": 1.5, "timings": {"total_seconds": 3.0}}


def _dependency_names(spec: list[str]) -> dict[str, str]:
    from packaging.requirements import Requirement

    return {environment.canonical_name(Requirement(r).name): r for r in spec}


def test_constraints_pin_every_dependency() -> None:
    """Property: constraints.txt parses as exact pins, pins every dependency of pyproject.toml
    (runtime and optional) at a version its specifier allows, and, when the run uses the pinned
    versions, every package it depends on."""
    from packaging.requirements import Requirement

    pins = environment.read_constraints(ROOT / environment.CONSTRAINTS)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs += extra
    for name, text in _dependency_names(specs).items():
        assert name in pins, f"{name} ({text}) is not pinned in constraints.txt"
        assert Requirement(text).specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {name}=={pins[name]}, outside {text}"
        )
    assert "nc-verify" not in pins
    run = environment.run_packages(project["dependencies"])
    if not environment.constraints_check(run, ROOT)["differ"]:
        # installed at the pinned versions, their dependencies must all be pinned too (with
        # other versions installed, they may depend on packages the pins never needed)
        assert set(run) <= set(pins), f"not pinned: {sorted(set(run) - set(pins))}"


def test_constraints_check_names_what_differs(tmp_path: Path) -> None:
    """Property: the block says which packages differ from their pins and which are unpinned."""
    (tmp_path / environment.CONSTRAINTS).write_text("# pins\nnumpy==0.0.1\nscipy==1.0\n")
    packages = {"numpy": "2.4.6", "scipy": "1.0", "sympy": "1.14.0"}
    result = environment.constraints_check(packages, tmp_path)
    assert result["found"] and not result["matches"]
    assert result["differ"] == {"numpy": {"run": "2.4.6", "pinned": "0.0.1"}}
    assert result["unpinned"] == ["sympy"]
    assert environment.constraints_check({"scipy": "1.0"}, tmp_path)["matches"]
    (tmp_path / environment.CONSTRAINTS).write_text("numpy>=1\n")
    with pytest.raises(ValueError, match="exact pin"):
        environment.constraints_check(packages, tmp_path)


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def _copy_code(dst: Path) -> None:
    for package in ("verify", "proofs"):
        shutil.copytree(
            ROOT / package, dst / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], dict[str, Any]]:
    """A non-editable install (the package under a site-packages that is no git checkout) and
    a clone of the project in the current directory; returns a function giving the block."""
    site = tmp_path / "site-packages"
    _copy_code(site)
    clone = tmp_path / "clone"
    _copy_code(clone)
    shutil.copy(ROOT / "pyproject.toml", clone / "pyproject.toml")
    shutil.copy(ROOT / environment.CONSTRAINTS, clone / environment.CONSTRAINTS)
    _git(clone, "init", "-q")
    _git(clone, "add", ".")
    _git(clone, "commit", "-q", "-m", "code")
    monkeypatch.setattr(environment, "PROJECT_ROOT", site)
    monkeypatch.chdir(clone)
    return lambda: environment.environment("reports", 3, 0)


def test_non_editable_install_records_the_clone_commit(
    installed: Callable[[], dict[str, Any]], tmp_path: Path
) -> None:
    """Property: run from a clone whose code is the installed code, the block records the
    clone's last commit changing the code (not "unknown"), and a later commit touching only
    reports/ does not change it."""
    clone = tmp_path / "clone"
    code_commit = _git(clone, "rev-parse", "HEAD")
    env = installed()
    assert env["commit"] == code_commit and re.fullmatch(r"[0-9a-f]{40}", code_commit)
    assert env["uncommitted_changes"] is False and "unknown_because" not in env
    assert env["constraints"]["found"]
    (clone / "reports").mkdir()
    (clone / "reports" / "index.md").write_text("a report\n")
    _git(clone, "add", "reports")
    _git(clone, "commit", "-q", "-m", "report")
    assert _git(clone, "rev-parse", "HEAD") != code_commit
    assert installed()["commit"] == code_commit


def test_editable_and_non_editable_installs_write_the_same_block(
    installed: Callable[[], dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property: the block of a non-editable install run from the clone equals the block of
    an editable install of that clone (how the checkout was found is not recorded)."""
    non_editable = installed()
    monkeypatch.setattr(environment, "PROJECT_ROOT", tmp_path / "clone")
    assert environment.environment("reports", 3, 0) == non_editable


def test_commit_is_unknown_when_the_clone_is_not_the_installed_code(
    installed: Callable[[], dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property: a clone whose code differs from the installed code, or a directory that is
    not nc-verify's, gives commit "unknown" and says why."""
    clone = tmp_path / "clone"
    with (clone / "verify" / "__init__.py").open("a") as handle:
        handle.write("# changed\n")
    env = installed()
    assert env["commit"] == "unknown" and "differs" in env["unknown_because"]
    other = tmp_path / "other"
    other.mkdir()
    (other / "pyproject.toml").write_text('[project]\nname = "something-else"\n')
    monkeypatch.chdir(other)
    env = installed()
    assert env["commit"] == "unknown"
    assert "not run from an nc-verify checkout" in env["unknown_because"]


def test_uncommitted_code_is_flagged(
    installed: Callable[[], dict[str, Any]], tmp_path: Path
) -> None:
    """Property: uncommitted changes to the code of the checkout are recorded as such."""
    clone = tmp_path / "clone"
    path = clone / "pyproject.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# local change\n", encoding="utf-8")
    assert installed()["uncommitted_changes"] is True


@pytest.mark.slow
def test_report_is_the_same_files_when_the_last_bits_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property: a report built twice, once with every solution moved by ~2 ulps, is the same
    files, byte for byte."""
    from verify.report import build_report

    claims = ["theorem-IV.4", "theorem-III.4(a)"]
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        monkeypatch.chdir(tmp_path / run)  # the same --out, as the command records it
        with last_bits_perturbed(1) if run == "b" else contextlib.nullcontext():
            build_report("reports", examples=10, seed=0, claims=claims, dpi=40)
    a, b = _files(tmp_path / "a" / "reports"), _files(tmp_path / "b" / "reports")
    assert a.keys() == b.keys()
    assert [name for name in a if a[name] != b[name]] == []


@pytest.mark.slow
def test_the_committed_report_is_what_the_code_generates(tmp_path: Path) -> None:
    """Property: ``reports/`` regenerated at the settings its index records (about 5 minutes)
    is the committed files, byte for byte, but for where and from which commit it was run.
    Any change meant to preserve behaviour (issue 12's redesign, a faster engine) is checked
    by it; a change that moves a verdict or a figure fails it until the reports are
    regenerated."""
    from verify.report import build_report

    committed = ROOT / "reports"
    index = json.loads((committed / "index.json").read_text(encoding="utf-8"))
    out = tmp_path / "reports"
    shutil.copytree(committed, out)
    build_report(out, examples=index["examples"], seed=index["seed"])
    local = {"command", "commit", "uncommitted_changes", "unknown_because"}

    def where_aside(name: str, data: bytes) -> Any:
        if name == "index.json":
            found = json.loads(data)
            found["environment"] = {k: v for k, v in found["environment"].items() if k not in local}
            return found
        if name == "index.md":
            lines = data.decode().splitlines()
            return [x for x in lines if "verify report" not in x and "commit `" not in x]
        return data

    for name in index["manifest"]:
        before, after = (committed / name).read_bytes(), (out / name).read_bytes()
        assert where_aside(name, before) == where_aside(name, after), name


_CHECK_AFTER_IMPORTS = """
import importlib, json, pkgutil, sys
if sys.argv[1] == "everything":  # what a report run has loaded before its checks
    import verify
    for info in pkgutil.walk_packages(verify.__path__, "verify."):
        if info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except Exception:
            pass
from proofs.theorem_iv1 import CLAIM
from verify.claims import check
print(json.dumps(check(CLAIM, examples=25, seed=3).as_dict(timings=False), sort_keys=True))
"""


def test_a_check_does_not_depend_on_what_was_imported_before() -> None:
    """Property: the same seed gives the same verdict whether the process imported one claim
    module or the whole library first. Hypothesis also draws the literals of the modules loaded
    so far; ``deterministic_generation`` empties that pool, the one fix of that problem."""
    runs = [
        subprocess.run(
            [sys.executable, "-c", _CHECK_AFTER_IMPORTS, which],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            timeout=300,
        ).stdout
        for which in ("one", "everything")
    ]
    assert runs[0] and runs[0] == runs[1]


@contextmanager
def other_singular_vectors(seed: int) -> Iterator[None]:
    """np.linalg.svd as another LAPACK may return it: the singular vectors of each repeated
    singular value rotated by a random orthogonal matrix (still a valid SVD)."""
    original, rng = np.linalg.svd, np.random.default_rng(seed)

    def svd(A: Any, *args: Any, **kwargs: Any) -> Any:
        out = original(A, *args, **kwargs)
        if not kwargs.get("compute_uv", True) or np.ndim(A) != 2:
            return out
        U, s, Vt = (np.array(x) for x in out)
        start = 0
        while start < s.size:
            end = start + 1
            while end < s.size and abs(s[end] - s[start]) <= 1e-12 * max(s[0], 1.0):
                end += 1
            if end - start > 1:
                R = np.linalg.qr(rng.standard_normal((end - start, end - start)))[0]
                U[:, start:end] = U[:, start:end] @ R
                Vt[start:end] = R.T @ Vt[start:end]
            start = end
        return U, s, Vt

    np.linalg.svd = svd
    try:
        yield
    finally:
        np.linalg.svd = original


def test_drawn_encodings_and_frames_do_not_depend_on_lapacks_singular_vectors() -> None:
    """Every encoding kind a strategy builds, and the sphere's simplex ETF (its NC point), are
    the same when the SVD returns another basis of a repeated singular value (both once took
    their basis of 1^perp from the SVD of I - J: the rotated smoothing drew other encodings
    from the same seed on another machine, and the sphere proofs perturbed another NC point)."""
    from verify.sphere.frames import simplex_etf
    from verify.strategies import SCALARS, Params, encoding_of

    kinds = ("one_hot", "smooth", "ssetf", "rotated_one_hot", "shifted_frame", "gaussian",
             "low_rank", "u_ssetf", "rotated_smooth", "stochastic")  # fmt: skip
    values = {"delta": 0.3, "alpha": 1.5, "beta": 0.5, "shift": 0.5}
    for K in (3, 4, 5):
        for kind in kinds:
            scalars = {name: values[name] for name in SCALARS.get(kind, ())}
            p = Params(kind, K, (2,) * K, 0, 0.5, 1.0, 0.0, scalars=scalars, seed=3, rank=2)
            here = encoding_of(p)
            with other_singular_vectors(K):
                there = encoding_of(p)
            np.testing.assert_allclose(there, here, rtol=0, atol=1e-12, err_msg=f"{kind}, K={K}")
        here = simplex_etf(K, K + 1)
        with other_singular_vectors(K):
            there = simplex_etf(K, K + 1)
        np.testing.assert_allclose(there, here, rtol=0, atol=1e-12, err_msg=f"simplex ETF, K={K}")
