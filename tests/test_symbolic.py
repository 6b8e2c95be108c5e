"""Tests of the symbolic layer (verify/symbolic) and of the replays that proofs/ registers with
it: every derivation checked, and cross-checked numerically against independent numpy
computations."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.optimize
import sympy as sp

import verify.symbolic.core as core
from proofs import lemma_iii3, theorem_iii1
from verify.errors import UnknownName
from verify.symbolic import check_equal, compare, derivation, derivations
from verify.symbolic.core import Derivation, algebra_step, numeric_step
from verify.symbolic.symbols import c, lambda_b, lambda_H, lambda_W, n

CLAIM_IDS = list(derivations())
ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- battery
@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_every_algebra_step_holds(claim_id: str) -> None:
    """Property: every algebra step of every registered derivation is decided True."""
    d = derivation(claim_id)
    assert d.claim_id == claim_id
    failed = [s.description for s in d.steps if s.kind == "algebra" and s.holds is not True]
    assert not failed, failed
    assert d.proved


@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_steps_are_well_formed_and_serialisable(claim_id: str) -> None:
    """Property: numeric steps carry a reason and no verdict, a cited lemma its citation and a
    passing check; the JSON and markdown render."""
    d = derivation(claim_id)
    assert {s.kind for s in d.steps} <= {"algebra", "numeric", "lemma"}
    for s in d.steps:
        if s.kind == "numeric":
            assert s.holds is None and s.reason
        elif s.kind == "lemma":
            assert s.holds is True and s.reason.startswith("cited: ") and s.rhs
        else:
            assert s.method in {"symbolic", "numeric-random-points"}
    blob = json.loads(json.dumps(d.as_dict()))
    assert blob["claim_id"] == claim_id and blob["proved"] is True
    assert claim_id in d.latex() and "```math" in d.latex()


def test_unknown_claim_is_refused() -> None:
    """Property: an unknown id raises UnknownName (a ValueError) listing the known ids."""
    with pytest.raises(UnknownName, match=r"theorem-III\.1"):
        derivation("theorem-IX.9")
    with pytest.raises(ValueError):
        derivation("")


# --------------------------------------------------------------------------- Theorem III.1
def test_theorem_iii1_closed_forms() -> None:
    """Property: the derived constants have the expected closed forms, printed with the
    standard symbol names."""
    ex = theorem_iii1.derive().expressions
    for key in ("c", "threshold", "b_below", "b_above", "gram_below_coeff_I_minus_J",
                "gram_above", "alpha_1", "alpha_2", "kappa"):  # fmt: skip
        assert key in ex
    alpha = (1 - c) * sp.sqrt(lambda_W / (n * lambda_H))
    assert check_equal(ex["alpha_1_c"], alpha) and check_equal(ex["alpha_2_c"], alpha)
    assert check_equal(ex["threshold_c"], c / (1 - c))
    assert check_equal(ex["b_above_c"] * theorem_iii1.K, c / lambda_b)
    assert "lambda_W" in str(ex["alpha_1"]) and "lambda_H" in str(ex["kappa"])


def _numpy_minimiser(K: int, nn: int, lW: float, lH: float, b: np.ndarray) -> dict:
    """Independent numpy: SVT of A = C - b 1^T at tau, balanced factorisation, class means."""
    C = np.kron(np.eye(K), np.ones((1, nn)))
    N = K * nn
    tau = N * np.sqrt(lW * lH)
    A = C - b[:, None]
    U, S, Vt = np.linalg.svd(A, full_matrices=False)
    Sz = np.maximum(S - tau, 0.0)
    W = (lH / lW) ** 0.25 * U * np.sqrt(Sz)
    H = (lW / lH) ** 0.25 * np.sqrt(Sz)[:, None] * Vt
    Hbar = H @ C.T / nn
    Pi = (U * np.minimum(S, tau)) @ Vt
    return {"C": C, "W": W, "H": H, "Hbar": Hbar, "Pi1": Pi @ np.ones(N), "N": N}


def _instances(seed: int) -> list[tuple[int, int, float, float, float]]:
    rng = np.random.default_rng(seed)
    K, nn = int(rng.integers(2, 7)), int(rng.integers(1, 5))
    cval = float(rng.uniform(0.05, 0.95))
    ratio = float(rng.uniform(0.2, 5.0))  # lambda_W / lambda_H
    prod = (cval / K) ** 2 / nn
    lW, lH = np.sqrt(prod * ratio), np.sqrt(prod / ratio)
    thr = cval / (1 - cval)
    lbs = [0.0, thr * float(rng.uniform(0.1, 0.9)), thr, thr * float(rng.uniform(1.1, 10.0))]
    return [(K, nn, lW, lH, lb) for lb in lbs]


@pytest.mark.parametrize("seed", range(6))
def test_theorem_iii1_lambdified_matches_numpy(seed: int) -> None:
    """Property: below, at and above the threshold, the lambdified b solves the b-equation
    lambda_b N b = (A - SVT(A)) 1 and the lambdified Gram equals numpy's; NC3 holds with the
    derived kappa, and the point is stationary for the UFM (Lemma III.3's gradients)."""
    f = theorem_iii1.lambdified()
    for K, nn, lW, lH, lb in _instances(seed):
        b, gram = f(K, nn, lW, lH, lb)
        m = _numpy_minimiser(K, nn, lW, lH, b)
        assert np.allclose(lb * m["N"] * b, m["Pi1"], atol=1e-10)
        assert np.allclose(gram, m["Hbar"].T @ m["Hbar"], atol=1e-10)
        kappa = np.sqrt(nn * lH / lW)
        assert np.allclose(m["W"].T, kappa * m["Hbar"], atol=1e-10)
        grads = lemma_iii3.gradients_numeric(m["W"], m["H"], b, m["C"], lW, lH, lb)
        assert max(float(np.abs(g).max()) for g in grads) < 1e-10


def test_theorem_iii1_degenerate_c_at_least_one() -> None:
    """Property: for c >= 1 the lambdified minimiser has zero Gram and b = 1/(K(1+lambda_b)),
    which solves the b-equation with SVT(A) = 0."""
    K, nn, lb = 3, 2, 0.7
    lW = lH = 1.5 / (K * np.sqrt(nn))  # c = 1.5
    b, gram = theorem_iii1.lambdified()(K, nn, lW, lH, lb)
    assert np.allclose(gram, 0.0) and np.allclose(b, 1 / (K * (1 + lb)))
    m = _numpy_minimiser(K, nn, lW, lH, b)
    assert np.allclose(m["H"], 0.0) and np.allclose(lb * m["N"] * b, m["Pi1"], atol=1e-12)


def test_theorem_iii1_beats_local_search() -> None:
    """Property: no L-BFGS run on the non-convex UFM (d = K) finds a lower objective than the
    derived minimiser (independent of the convex reduction)."""
    rng = np.random.default_rng(7)
    K, nn, lW, lH = 3, 2, 0.01, 0.02
    for lb in (0.05, 3.0):
        b, _ = theorem_iii1.lambdified()(K, nn, lW, lH, lb)
        m = _numpy_minimiser(K, nn, lW, lH, b)
        best = lemma_iii3.objective_numeric(m["W"], m["H"], b, m["C"], lW, lH, lb)
        shapes = [(K, K), (K, m["N"]), (K,)]
        sizes = [int(np.prod(s)) for s in shapes]

        def split(x: np.ndarray, shapes=shapes, sizes=sizes) -> list[np.ndarray]:
            parts = np.split(x, np.cumsum(sizes)[:-1])
            return [p.reshape(s) for p, s in zip(parts, shapes, strict=True)]

        def fun(x: np.ndarray, lb: float = lb, Y: np.ndarray = m["C"]) -> tuple[float, np.ndarray]:
            Wx, Hx, bx = split(x)
            g = lemma_iii3.gradients_numeric(Wx, Hx, bx, Y, lW, lH, lb)
            val = lemma_iii3.objective_numeric(Wx, Hx, bx, Y, lW, lH, lb)
            return val, np.concatenate([gi.ravel() for gi in g])

        for _ in range(3):
            x0 = rng.standard_normal(sum(sizes))
            options = {"gtol": 1e-12, "ftol": 1e-15, "maxiter": 5000}
            res = scipy.optimize.minimize(fun, x0, jac=True, method="L-BFGS-B", options=options)
            assert res.fun >= best - 1e-9


# --------------------------------------------------------------------------- Lemma III.3
@pytest.mark.parametrize("seed", range(3))
def test_lemma_iii3_gradients_match_finite_differences(seed: int) -> None:
    """Property: the derived gradients agree with central finite differences."""
    assert lemma_iii3.fd_check(seed) < 1e-6


# --------------------------------------------------------------------------- quality tests
def test_planted_wrong_threshold_is_refuted() -> None:
    """Property: the checker can fail: c/(1+c) is not the threshold, with a counterexample."""
    thr = theorem_iii1.derive().expressions["threshold_c"]
    assert not check_equal(thr, c / (1 + c))
    verdict = compare(thr, c / (1 + c))
    assert not verdict.holds
    step = algebra_step("planted: threshold = c/(1+c)", thr, c / (1 + c))
    planted = Derivation("theorem-III.1", "planted", {}, (step,))
    assert step.holds is False and not planted.proved


def test_planted_wrong_gram_and_shape_are_refuted() -> None:
    """Property: a wrong alpha, a wrong matrix entry and a shape mismatch are all refuted."""
    alpha = theorem_iii1.derive().expressions["alpha_1_c"]
    assert not check_equal(alpha, (1 - c) * sp.sqrt(lambda_W / lambda_H))
    x = sp.Symbol("x")
    assert not check_equal(sp.Matrix([[x, 1]]), sp.Matrix([[x, 2]]))
    assert not check_equal(sp.Matrix([[x, 1]]), sp.Matrix([[x], [1]]))


def test_random_point_fallback_reports_its_method(monkeypatch: pytest.MonkeyPatch) -> None:
    """Property: when simplification is unavailable the identity is decided at random points
    and the verdict says so; a false identity still fails there."""
    monkeypatch.setattr(core, "_scalar_zero", lambda diff: False)
    x = sp.Symbol("x", positive=True)
    good = compare(sp.sqrt(x) ** 2 * (x + 1), x**2 + x)
    assert good.holds and good.method == "numeric-random-points"
    bad = compare((x + 1) ** 2, x**2 + 1)
    assert not bad.holds and "x=" in bad.counterexample


def test_numeric_step_requires_reason() -> None:
    """Property: a numeric step without a reason is refused."""
    with pytest.raises(ValueError, match="reason"):
        numeric_step("no reason", sp.Integer(0), sp.Integer(0), "")


# --------------------------------------------------------------------------- layering
@pytest.mark.parametrize("module", ["verify", "verify.symbolic"])
def test_the_library_does_not_import_the_proofs(module: str) -> None:
    """Property: importing the library (or its symbolic layer) imports nothing of ``proofs``;
    the proof modules register their derivations only when the registry is first needed."""
    code = (
        f"import sys, {module}\n"
        "loaded = sorted(m for m in sys.modules if m == 'proofs' or m.startswith('proofs.'))\n"
        "print(loaded)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert run.stdout.strip() == "[]", run.stdout


def test_a_derivation_is_found_without_importing_proofs_first() -> None:
    """Property: ``derivation(name)`` of a name only a proof module registers loads the proof
    modules itself (in a fresh process, where nothing imported them)."""
    code = (
        "import sys\n"
        "from verify.symbolic import DERIVATIONS, derivation\n"
        "assert 'theorem-IV.1' not in DERIVATIONS\n"
        "print(derivation('theorem-IV.1').claim_id, 'proofs.theorem_iv1' in sys.modules)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert run.stdout.split() == ["theorem-IV.1", "True"], run.stdout + run.stderr
