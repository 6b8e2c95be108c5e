"""The digits experiment (experiments/): a trained network against the certified UFM minimiser.

Runs the tiny configuration once (a few seconds) and checks its measured discrepancies against
the named tolerances ``experiments.digits.TINY_TOLERANCES``; skipped without scikit-learn.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("sklearn")

from experiments import data as data_module
from experiments.compare import lambda_for_c, theorem_iii1
from experiments.digits import TINY, TINY_TOLERANCES, cases, main, run
from experiments.mlp import Lambdas, gradients, init_network
from experiments.report import read_json, write_json, write_report

# the central finite difference of the gradient check, and how far it may be from backprop
FD_STEP = 1e-6
FD_AGREEMENT = 1e-6


@pytest.fixture(scope="module")
def tiny() -> dict[str, Any]:
    return run(TINY)


def test_tiny_runs_reach_zero_training_error_against_certified_minimisers(
    tiny: dict[str, Any],
) -> None:
    assert len(tiny["runs"]) == len(cases(TINY))
    for r in tiny["runs"]:
        assert r["certified"], r["lambda_b"]
        if r["main"]:
            assert r["network"]["train_error"] == 0.0, (r["encoding"], r["lambda_b"])


@pytest.mark.parametrize("key", sorted(TINY_TOLERANCES))
def test_tiny_network_matches_the_certified_minimiser(tiny: dict[str, Any], key: str) -> None:
    """The measured discrepancy of every tiny sweep run is within its named tolerance."""
    for r in (r for r in tiny["runs"] if r["main"]):
        measured = r["discrepancy"][key]
        assert measured <= TINY_TOLERANCES[key], (
            f"{r['encoding']} lambda_b={r['lambda_b']}: {key} discrepancy {measured:.3e} "
            f"> tolerance {TINY_TOLERANCES[key]:.1e}"
        )


def test_stress_runs_are_measured_and_reported(tiny: dict[str, Any], tmp_path: Path) -> None:
    """The raw-pixel runs are in the JSON with their inputs and c, and in their own table."""
    stress = [r for r in tiny["runs"] if not r["main"]]
    assert [(r["standardised"], r["c"]) for r in stress] == [(False, c) for c in TINY.raw_pixel_cs]
    write_report(tiny, tmp_path)
    md = (tmp_path / "digits.md").read_text(encoding="utf-8")
    part = md.split("## Where the trained network and the UFM part ways")[1]
    assert part.count("| raw [0, 1] |") == len(TINY.raw_pixel_cs)


def test_network_objective_never_below_the_certified_minimum(tiny: dict[str, Any]) -> None:
    """The network's (W, H, b) is a point of the UFM, so F >= f* up to the certificate's gap."""
    for r in tiny["runs"]:
        fstar = r["ufm"]["objective"]
        assert r["network"]["objective"] >= fstar * (1 - max(r["relative_gap"], 1e-12))


def test_trained_bias_follows_the_predicted_branch(tiny: dict[str, Any]) -> None:
    """Above the threshold the trained bias is near (c/lambda_b)/K, far from the mean-label
    branch 1/((1+lambda_b) K); below it, the reverse (one-hot runs)."""
    K = tiny["K"]
    for r in tiny["runs"]:
        t = r["theory"]
        if t is None:
            continue
        lb, b = r["lambda_b"], r["network"]["bias_mean"]
        mean_label = 1 / ((1 + lb) * K)
        if lb > t["threshold"]:
            assert abs(b - t["c"] / (lb * K)) < abs(b - mean_label)
        else:
            assert math.isclose(b, mean_label, rel_tol=TINY_TOLERANCES["bias"])


def test_certified_minimiser_agrees_with_theorem_iii1(tiny: dict[str, Any]) -> None:
    for r in tiny["runs"]:
        t = r["theory"]
        if t is None:
            continue
        assert math.isclose(r["ufm"]["bias_mean"], t["bias"], rel_tol=1e-8)
        assert math.isclose(r["ufm"]["cosine_mean"], t["cosine"], rel_tol=1e-6, abs_tol=1e-9)
        assert math.isclose(r["ufm"]["kappa"], t["kappa"], rel_tol=1e-6)


def test_backprop_matches_finite_differences() -> None:
    rng = np.random.default_rng(1)
    K, p, N = 3, 4, 7
    net = init_network(rng, p, 5, 3, K)
    net.b += rng.normal(size=net.b.shape)
    X = rng.normal(size=(p, N))
    Y = np.eye(K)[:, rng.integers(0, K, N)]
    lam = Lambdas(0.3, 0.2, 0.5, 0.1)
    _, grads, _ = gradients(net, X, Y, lam)
    for param, grad in zip(net.arrays(), grads, strict=True):
        for index in np.ndindex(param.shape):
            old = param[index]
            param[index] = old + FD_STEP
            up = gradients(net, X, Y, lam)[0]
            param[index] = old - FD_STEP
            down = gradients(net, X, Y, lam)[0]
            param[index] = old
            assert abs((up - down) / (2 * FD_STEP) - grad[index]) <= FD_AGREEMENT


def test_report_written_and_regenerated_from_json(tiny: dict[str, Any], tmp_path: Path) -> None:
    json_path = write_json(tiny, tmp_path / "a")
    paths = write_report(tiny, tmp_path / "a")
    assert all(path.is_file() for path in paths)
    md = (tmp_path / "a" / "digits.md").read_text(encoding="utf-8")
    assert md.count("\n| one-hot | standardised |") == len(TINY.lambda_bs)
    assert read_json(json_path)["runs"][0]["lambda_b"] == TINY.lambda_bs[0]
    assert main(["--from-json", str(json_path), "--out", str(tmp_path / "b")]) == 0
    assert (tmp_path / "b" / "digits.md").read_text(encoding="utf-8") == md


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="per_class=0"):
        data_module.load_digits(0)
    with pytest.raises(ValueError, match=r"c=1\.5"):
        lambda_for_c(1.5, 10, 4)
    with pytest.raises(ValueError, match="lambda_b"):
        Lambdas(1.0, 1.0, -1.0)
    with pytest.raises(ValueError, match="c < 1"):
        theorem_iii1(10, 100, Lambdas(1.0, 1.0, 0.0))
    with pytest.raises(ValueError, match=r"d=2"):
        init_network(np.random.default_rng(0), 4, 5, 2, 3)


def test_missing_scikit_learn_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(data_module.MissingExtra, match=r"\.\[experiments\]"):
        data_module.load_digits(5)
