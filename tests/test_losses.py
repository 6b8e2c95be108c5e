"""Losses as values of an instance: validation, the CE conjugate, the generic certificate against
the MSE one, the CE exact engine in every regime, bias non-uniqueness, honest distance bounds,
and the docs' squared-hinge example."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from verify import DEFAULT, Instance, solve
from verify.encodings import label_smoothing, one_hot
from verify.errors import InvalidArgument, UnknownName
from verify.losses import LOSSES, CrossEntropy, get_loss
from verify.solve.certificate import certify
from verify.solve.gap import loss_gap_parts

ROOT = Path(__file__).resolve().parents[1]
CE = CrossEntropy()


def stochastic(K: int, seed: int) -> np.ndarray:
    A = np.random.default_rng(seed).random((K, K)) ** 3
    return A / A.sum(axis=0)


# --- validation -------------------------------------------------------------------------


def test_mse_is_the_default_and_its_json_is_unchanged():
    inst = Instance(one_hot(3), (2, 2, 2))
    assert inst.loss is LOSSES["mse"]
    assert "loss" not in inst.to_dict()
    assert "loss" not in inst.describe()


def test_ce_round_trips_through_json_and_replace():
    inst = Instance(one_hot(3), (2, 3, 4), loss="ce")
    assert inst.to_dict()["loss"] == "ce"
    assert (
        Instance.from_dict(inst.to_dict()).loss is CE
        or Instance.from_dict(inst.to_dict()).loss.name == "ce"
    )
    assert inst.replace(lambda_b=1.0).loss.name == "ce"


@pytest.mark.parametrize(
    "encoding, lambda_b, words",
    [
        (2 * np.eye(3), 0.0, "column 0 sums to 2.0"),
        (np.eye(3) - 0.1 * (np.ones((3, 3)) - np.eye(3)), 1.0, "entries >= 0"),
        (np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]), 0.0, "row 1 is zero"),
    ],
)
def test_ce_rejects_encodings_that_are_not_soft_targets(encoding, lambda_b, words):
    with pytest.raises(InvalidArgument) as info:
        Instance(encoding, (2, 2, 2), lambda_b=lambda_b, loss="ce")
    message = str(info.value)
    assert message.startswith("encoding=") and words in message and "\n" not in message


def test_a_zero_row_is_fine_when_the_bias_is_regularised():
    enc = np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    assert solve(Instance(enc, (2, 2, 2), lambda_b=1.0, loss="ce")).certified


def test_an_unknown_loss_name_is_refused():
    with pytest.raises(UnknownName, match="loss='hinge': unknown; choose one of ce, mse"):
        get_loss("hinge")
    with pytest.raises(UnknownName):
        Instance(one_hot(3), (2, 2, 2), loss="hinge")


# --- the conjugate ----------------------------------------------------------------------


def test_ce_conjugate_meets_fenchel_young_with_equality_at_the_gradient():
    rng = np.random.default_rng(1)
    Y = stochastic(5, 2)[:, rng.integers(0, 5, 40)]
    Z = 3 * rng.standard_normal((5, 40))
    value, U = CE.value_and_gradient(Z, Y)
    conj = CE.conjugate(U, Y)
    np.testing.assert_allclose(value + conj, np.einsum("ij,ij->j", U, Z), atol=1e-12)
    # and the Fenchel-Young inequality at other points: l(z') + l*(u) >= u^T z'
    Z2 = Z + rng.standard_normal(Z.shape)
    assert np.all(CE.value(Z2, Y) + conj >= np.einsum("ij,ij->j", U, Z2) - 1e-12)
    # outside the domain (q = u + y not a scaled probability vector): +inf
    assert np.all(np.isinf(CE.conjugate(U + 0.5, Y)))


def test_ce_centre_keeps_the_domain_even_for_a_vanishing_probability():
    Y = np.eye(3)[:, [0, 1, 2, 0]]
    U = np.array([[0.0, 0.1, 0.1, 0.0], [0.0, -0.2, 0.1, 0.0], [0.0, 0.1, -0.2, 0.0]])
    U[:, 0] = [-1.0, 1.0, 0.0]  # q = (0, 1, 0): probability 0 at class 0
    w = np.ones(4)
    C = CE.centre(U, Y, w)
    assert np.allclose(C @ w, 0, atol=1e-15)
    assert np.all(np.isfinite(CE.conjugate(C, Y)))


# --- the generic certificate ------------------------------------------------------------


@pytest.mark.parametrize("lambda_b", [0.0, 1e-2, math.inf])
def test_the_generic_gap_certifies_the_mse_minimiser_too(lambda_b):
    inst = Instance(label_smoothing(4, 0.2), (7, 3, 5, 9), 6, 2.5e-3, 1e-2, lambda_b)
    s = solve(inst)
    parts = loss_gap_parts(inst, s.W, s.H, s.b, DEFAULT)
    assert parts["relative_gap"] <= DEFAULT.gap
    assert parts["primal"] == pytest.approx(s.certificate.primal, rel=1e-13)


LAMBDA_B = {"0": 0.0, "small": 1e-4, "one": 1.0, "large": 1e3, "inf": math.inf}
ENCODINGS = {
    "one-hot": one_hot(4),
    "smoothing": label_smoothing(4, 0.2),
    "random": stochastic(4, 0),
}
COUNTS = {"balanced": (6, 6, 6, 6), "imbalanced": (100, 1, 10, 37)}


@pytest.mark.parametrize("lb", list(LAMBDA_B))
@pytest.mark.parametrize("counts", list(COUNTS))
@pytest.mark.parametrize("enc", list(ENCODINGS))
def test_ce_exact_engine_is_certified_in_every_regime(enc, counts, lb):
    inst = Instance(ENCODINGS[enc], COUNTS[counts], 6, 2.5e-3, 1e-2, LAMBDA_B[lb], loss="ce")
    s = solve(inst)
    c = s.certificate
    assert c.certified, c.reason
    assert c.relative_gap <= DEFAULT.gap
    assert s.W.shape == (4, 6) and s.H.shape == (6, inst.N)
    assert (
        c.distance_bounds.Z is None and "Z = WH" not in c.distance_bounds
    )  # CE: not strongly convex
    assert max(c.residuals.values()) <= DEFAULT.residual, c.residuals
    if math.isinf(inst.lambda_b):
        assert not np.any(s.b)


def test_ce_zero_minimiser_regime_is_certified():
    # balanced one-hot: Z = 0 iff c = K sqrt(n lambda_W lambda_H) >= 1, as for MSE
    K, n = 3, 5
    at_one = 1 / (K * math.sqrt(n))
    for scale, zero in [(1.01, True), (0.99, False)]:
        inst = Instance(one_hot(K), (n,) * K, lambda_W=scale * at_one, lambda_H=at_one, loss="ce")
        s = solve(inst)
        assert s.certified
        assert (s.details["rank"] == 0) == zero
        # strictly inside the spectral ball (1/sqrt(1.01)) only when the minimiser is zero
        assert (s.certificate.dual_feasibility < 0.999) == zero


def test_with_lambda_b_zero_the_ce_bias_is_unique_only_along_one():
    inst = Instance(stochastic(4, 3), (5, 8, 2, 6), lambda_W=3e-3, lambda_H=3e-3, loss="ce")
    s = solve(inst)
    shifted = certify(inst, s.W, s.H, s.b + 7.0, "shifted")
    assert shifted.certified
    assert shifted.primal == pytest.approx(s.certificate.primal, rel=1e-13)
    assert "b is NOT unique" in s.certificate.uniqueness
    assert s.certificate.distance_bounds.b is None and "b" not in s.certificate.distance_bounds
    # with lambda_b > 0 the same shift is far from optimal
    inst = inst.replace(lambda_b=1.0)
    s = solve(inst)
    assert not certify(inst, s.W, s.H, s.b + 7.0, "shifted").certified
    assert "b is unique" in s.certificate.uniqueness


def test_a_perturbed_ce_point_is_not_certified_and_its_gradient_bound_holds():
    inst = Instance(
        label_smoothing(4, 0.1), (9, 4, 6, 3), lambda_W=2e-3, lambda_H=5e-3, lambda_b=0.1, loss="ce"
    )
    s = solve(inst)
    far = certify(inst, s.W * (1 + 1e-3), s.H, s.b, "perturbed")
    assert not far.certified and "exceeds" in far.reason
    # a near point: the certified bound on the loss gradient must contain the truth
    near_W = s.W * (1 + 1e-6)
    near = certify(inst, near_W, s.H, s.b, "near")
    X, X0 = near_W @ s.H + s.b[:, None], s.W @ s.H + s.b[:, None]
    moved = np.linalg.norm(CE.gradient(X, inst.Y) - CE.gradient(X0, inst.Y))
    bound = near.distance_bounds.gradient
    assert 0 < moved <= bound + s.certificate.distance_bounds.gradient
    assert bound < 1e-2  # and it is not vacuous


def test_the_ce_hessian_is_the_derivative_of_its_gradient():
    rng = np.random.default_rng(5)
    Z, Y = rng.normal(size=(4, 3)), stochastic(4, 2)[:, :3]
    H = CE.hessian(Z, Y)
    h = 1e-6
    for j in range(4):
        E = np.zeros_like(Z)
        E[j] = h
        fd = (CE.gradient(Z + E, Y) - CE.gradient(Z - E, Y)) / (2 * h)
        assert np.allclose(H[:, :, j].T, fd, atol=1e-8)


@pytest.mark.parametrize("lb", list(LAMBDA_B))
def test_the_ce_engine_ends_with_newton_steps_to_a_hundredfold_stricter_gap(lb):
    inst = Instance(stochastic(4, 1), (30, 3, 12, 7), 4, 2e-3, 4e-3, LAMBDA_B[lb], loss="ce")
    s = solve(inst)
    assert s.certified, s.certificate.reason
    assert s.details["reduced_gap"] <= DEFAULT.gap / 100
    assert 0 < s.details["newton_iterations"] <= 30  # quadratic: a few steps, not hundreds
    assert s.certificate.relative_gap <= DEFAULT.gap / 10


def test_the_ce_certificate_per_class_equals_the_full_pass(monkeypatch):
    from verify.solve import gap

    inst = Instance(stochastic(4, 4), (7, 2, 9, 5), 5, 3e-3, 2e-3, 0.3, loss="ce")
    s = solve(inst)
    per_class = loss_gap_parts(inst, s.W, s.H, s.b, DEFAULT)
    assert per_class["passes"] == "per class (H class-constant)"
    monkeypatch.setattr(gap, "class_constant", lambda instance, H: None)
    full = loss_gap_parts(inst, s.W, s.H, s.b, DEFAULT)
    assert full["passes"] == "full data"
    for key in ("primal", "dual"):
        assert per_class[key] == pytest.approx(full[key], rel=1e-13, abs=0)
    assert per_class["ratio"] == pytest.approx(full["ratio"], rel=1e-12)
    assert per_class["dual_point"] == full["dual_point"]
    # the bounds are square roots of a gap at rounding level: equal to within that rounding
    assert per_class["bounds"].keys() == full["bounds"].keys()
    for key, value in full["bounds"].items():
        assert 0.5 < per_class["bounds"][key] / value < 2, key


def test_an_h_that_is_not_class_constant_takes_the_full_pass():
    inst = Instance(one_hot(3), (4, 4, 4), 3, 1e-2, 1e-2, 0.0, loss="ce")
    s = solve(inst)
    H = s.H.copy()
    H[0, 5] += 1e-3  # one sample of class 1 moves
    parts = loss_gap_parts(inst, s.W, H, s.b, DEFAULT)
    assert parts["passes"] == "full data"
    assert parts["primal"] > s.certificate.primal  # the moved sample is seen
    assert not certify(inst, s.W, H, s.b, "moved").certified


def test_the_ce_premise_on_centred_means_is_proved_by_the_gradient_bound():
    from verify.claims.claim import Context
    from verify.claims.residuals import centred_means_nonzero
    from verify.strategies import Case

    key = "Hbar (I - J) != 0 (certified)"
    nonzero = Instance(one_hot(3), (5, 5, 5), 3, 1e-2, 1e-2, 0.0, loss="ce")
    ctx = Context(Case(nonzero, {}))
    assert centred_means_nonzero(ctx) == {key: 0.0}
    Hbar = ctx.solution.Hbar
    assert np.linalg.norm(Hbar - Hbar.mean(axis=1, keepdims=True)) > 1e-2
    # the zero-minimiser regime (c = K sqrt(n) lambda > 1): the logits are the same for every
    # class, so nothing is proved
    zero = nonzero.replace(lambda_W=0.2, lambda_H=0.2)
    assert centred_means_nonzero(Context(Case(zero, {}))) == {key: 1.0}


def test_the_docs_squared_hinge_example_certifies():
    text = (ROOT / "docs" / "LOSSES.md").read_text()
    block = re.findall(r"```python\n(.*?)```", text, re.S)[-1]
    lines = block.split("class SquaredHinge")[1].split("\ninst =")[0].count("\n")
    assert lines < 40
    exec(compile(block, "docs/LOSSES.md", "exec"), {})


# --- command line -----------------------------------------------------------------------


def _cli(capsys, *argv):
    from verify.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_solves_ce_and_writes_the_loss_in_the_json(capsys, tmp_path):
    import json

    path = tmp_path / "s.json"
    code, out, _ = _cli(
        capsys, "solve", "--loss", "ce", "-K", "3", "--counts", "5,3,2", "--json", str(path)
    )
    assert code == 0 and "certified" in out and "b is NOT unique" in out
    data = json.loads(path.read_text())
    assert data["instance"]["loss"] == "ce" and data["certificate"]["uniqueness"]


@pytest.mark.parametrize(
    "argv, words",
    [
        (("solve", "--loss", "ce", "--encoding", "random:3", "-K", "3"), "column-stochastic"),
        (("solve", "--loss", "hinge"), "loss='hinge': unknown"),
        (("check", "--loss", "ce", "theorem-III.1"), "is about mse, not ce"),
        (("derive", "--loss", "ce", "theorem-III.1"), "is about mse, not ce"),
        (("hunt", "--loss", "ce", "theorem-IV.1"), "is about mse, not ce"),
        (("check", "--loss", "mse", "sphere-ntce-nc"), "is about sphere, not mse"),
    ],
)
def test_cli_bad_loss_input_is_a_one_line_error_and_writes_nothing(capsys, tmp_path, argv, words):
    out = tmp_path / "out.json"
    extra = ("--out", str(tmp_path / "h")) if argv[0] == "hunt" else ("--json", str(out))
    code, _, err = _cli(capsys, *argv, *extra)
    assert code == 2 and words in err and err.count("\n") == 1
    assert not out.exists() and not (tmp_path / "h").exists()


# --- the other engines ------------------------------------------------------------------


@pytest.mark.parametrize("lambda_b", [0.0, 0.1, math.inf])
def test_ce_cvxpy_and_gd_agree_with_exact_and_are_certified(lambda_b):
    from verify.solve.precise import GD_PRECISE, PRECISE

    inst = Instance(
        label_smoothing(3, 0.1),
        (5, 3, 4),
        lambda_W=5e-3,
        lambda_H=5e-3,
        lambda_b=lambda_b,
        loss="ce",
    )
    exact = solve(inst)
    for other in (solve(inst, "cvxpy", **PRECISE), solve(inst, "gd", **GD_PRECISE)):
        assert other.certified, (other.engine, other.certificate.reason)
        assert other.objective == pytest.approx(exact.objective, rel=1e-10)


def test_cvxpy_refuses_a_loss_without_a_cvxpy_form():
    from verify.losses import MSE, Loss

    class Plain(Loss):  # MSE's formulas, but not the MSE class: no CVXPY form
        name = "plain"
        value, gradient, conjugate = MSE.value, MSE.gradient, MSE.conjugate

    inst = Instance(one_hot(3), (2, 2, 2), lambda_b=1.0, loss=Plain())
    with pytest.raises(InvalidArgument, match="has no CVXPY form"):
        solve(inst, "cvxpy")


def test_the_ce_bias_has_no_component_along_one_when_regularised() -> None:
    """Property: cross-entropy does not see b + t1, so every minimiser with lambda_b > 0 has
    1^T b = 0; the engine returns that (the Newton solves, conditioned like 1/lambda_b, left
    1e-13 along 1, which made zhu-theorem-3.1's 'b* = 0' residual 1.7e-05 on a K = 2 instance)."""
    inst = Instance(
        np.eye(2), (1, 1), 4, 1.79920231901, 0.0209418555457, 0.000205885131209, loss="ce"
    )
    s = solve(inst)
    assert s.certified
    assert abs(float(s.b.sum())) <= 1e-16 and float(np.linalg.norm(s.b)) <= 1e-15
