"""The sphere model (seed 003): losses, reduction, exact re-evaluation, bounds, solver, claims."""

from __future__ import annotations

from pathlib import Path

import mpmath
import numpy as np
import pytest

from verify.claims import check
from verify.claims.verdict import PASSING, WEAK, Verdict, VerdictStatus, local_search_only
from verify.errors import InvalidArgument, UnknownName, VerifyError
from verify.sphere.bounds import bound, nc_point, nc_value
from verify.sphere.exact import exact_loss, precision
from verify.sphere.losses import value_and_grad
from verify.sphere.metrics import nc_metrics, percent_of_nc
from verify.sphere.model import LOSS_NAMES, SphereProblem, check_unit_rows
from verify.sphere.reduction import check_lift
from verify.sphere.replay import derive_bound
from verify.sphere.solve import local_search
from verify.tolerances import DEFAULT


def _unit(rng: np.random.Generator, *shape: int) -> np.ndarray:
    X = rng.normal(size=shape)
    return X / np.linalg.norm(X, axis=-1, keepdims=True)


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_gradient_matches_central_differences_and_exact_value(loss: str) -> None:
    rng = np.random.default_rng(1)
    labels = np.array([0, 0, 1, 1, 1, 2, 2])
    W, H = _unit(rng, 3, 4), _unit(rng, 7, 4)
    Wl = None if loss == "supcon" else W
    v, gW, gH = value_and_grad(loss, Wl, H, labels, np.ones(7), 0.4)
    E, F, h = rng.normal(size=W.shape), rng.normal(size=H.shape), 1e-6
    Wp = None if Wl is None else W + h * E
    Wm = None if Wl is None else W - h * E
    fd = (
        value_and_grad(loss, Wp, H + h * F, labels, np.ones(7), 0.4)[0]
        - value_and_grad(loss, Wm, H - h * F, labels, np.ones(7), 0.4)[0]
    ) / (2 * h)
    analytic = np.sum(gH * F) + (0.0 if gW is None else np.sum(gW * E))
    assert abs(fd - analytic) <= 1e-7 * max(1.0, abs(analytic))
    assert abs(float(exact_loss(loss, Wl, H, labels, tau=0.4).value) - float(v)) <= 1e-13
    batched = value_and_grad(loss, None if Wl is None else np.stack([W, W]), np.stack([H, H]),
                             labels, np.ones(7), 0.4)[0]  # fmt: skip
    assert np.allclose(batched, v, rtol=0, atol=1e-15)


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_reduction_is_exact_at_lifted_points(loss: str) -> None:
    rng = np.random.default_rng(2)
    p = SphereProblem(loss, (2, 3, 4), 3, 0.3)
    c = check_lift(p, None if loss == "supcon" else _unit(rng, 3, 3), _unit(rng, 3, 3))
    assert c.holds(1e-13), c


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_bound_is_proved_and_attained(loss: str) -> None:
    d = derive_bound(loss, "test")
    assert d.proved
    assert all(s.method == "symbolic" for s in d.steps if s.kind == "algebra")
    for K, n, tau in ((2, 2, 0.5), (3, 4, 0.1), (5, 2, 1.5)):
        assert abs(nc_value(loss, (n,) * K, K - 1, tau) - bound(loss, K, n, tau)) <= 1e-13


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_local_search_at_d_equal_K_minus_1_reaches_the_bound_not_below(loss: str) -> None:
    p = SphereProblem(loss, (3, 3, 3, 3), 3, 0.5)  # d = K - 1: the ETF just fits
    found = local_search(p, starts=6, seed=0, reduced=True)
    b = bound(loss, 4, 3, 0.5)
    assert found.value >= b - 1e-12 and found.value - b <= 1e-9
    assert found.second_order


def test_full_search_with_hessian_check() -> None:
    p = SphereProblem("ntce", (2, 2, 2), 3, 0.5)
    found = local_search(p, starts=3, seed=0)
    assert found.value - bound("ntce", 3, 2, 0.5) <= 1e-9 and found.second_order


def test_precision_raises_digits_of_the_exact_value() -> None:
    W, H = nc_point(3, (2, 2, 2), 3)
    labels = np.repeat(np.arange(3), 2)
    a = exact_loss("nonl", W, H, labels, tau=0.3)
    with precision(80):
        b = exact_loss("nonl", W, H, labels, tau=0.3)
    assert b.error < a.error and abs(a.value - b.value) <= a.error


def test_metrics_are_100_percent_at_nc() -> None:
    W, H = nc_point(4, (3,) * 4, 5)
    scores = percent_of_nc(nc_metrics(W, H, np.repeat(np.arange(4), 3)), 4)
    assert set(scores) == {"w_inst_alignment", "w_class_alignment", "w_erank", "er_inter",
                           "variability"}  # fmt: skip
    assert all(abs(v - 100) <= 1e-9 for v in scores.values()), scores


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"tau": 0.0}, InvalidArgument, "tau=0.0"),
        ({"tau": -1.0}, InvalidArgument, "tau=-1.0"),
        ({"loss": "arcface"}, UnknownName, "loss='arcface'"),
        ({"loss": "supcon", "counts": (1, 2)}, InvalidArgument, "counts="),
        ({"d": 1}, InvalidArgument, "d=1"),
    ],
)
def test_bad_input_names_argument_and_rule(
    kwargs: dict[str, object], error: type[VerifyError], text: str
) -> None:
    args = {"loss": "ntce", "counts": (2, 2), "d": 2, "tau": 0.5, **kwargs}
    with pytest.raises(error, match=text.replace("(", r"\(")):
        SphereProblem(**args)  # type: ignore[arg-type]


def test_d_below_K_minus_1_and_non_unit_rows_are_refused() -> None:
    with pytest.raises(InvalidArgument, match=r"d=2.*K - 1 = 3"):
        SphereProblem("ntce", (2,) * 4, 2, 0.5).require_simplex_room()
    with pytest.raises(InvalidArgument, match="unit vectors"):
        check_unit_rows("prototypes", np.ones((3, 2)), 2)


def test_supported_is_weaker_than_verified_and_never_a_pass() -> None:
    cid = local_search_only("test-sphere-local-search")
    v = Verdict(cid, "verified", DEFAULT, {"holds": 1}, None, reason="r")
    assert v.status == VerdictStatus.SUPPORTED == "supported"
    assert v.status not in PASSING and v.status in WEAK
    assert "local search only" in v.evidence
    assert Verdict("other", "verified", DEFAULT, {}, None).status == "verified"
    assert [s.value for s in VerdictStatus] == [
        "proved", "verified", "supported", "refuted", "inconclusive"
    ]  # fmt: skip


def test_a_registered_sphere_claim_is_proved() -> None:
    from proofs import REGISTRY

    verdict = check(REGISTRY["sphere-nonl-nc"], examples=3, seed=0)
    assert verdict.status == "proved", verdict.reason


def test_planted_orthogonal_frame_claim_is_refuted_through_check_with_a_certified_point() -> None:
    from proofs.sphere_imbalance import PLANTED

    verdict = check(PLANTED["sphere-orthogonal-frame-ntce"], examples=2, shrink=False)
    assert verdict.status == "refuted" and verdict.confirmation["confirmed"]
    assert verdict.counterexample is not None and verdict.counterexample.worst > DEFAULT.refute
    cert = verdict.confirmation["certificate"]
    # the enclosures are disjoint: the point's upper end below the claimed optimum's lower end
    assert mpmath.mpf(cert["found"][1]) < mpmath.mpf(cert["claimed"][0])
    assert cert["relative_gap"] >= DEFAULT.refute and cert["point"]["kind"] == "rows"
    assert cert["claimed_point"]["name"] == "orthogonal frame"


def test_planted_etf_under_10_to_1_imbalance_is_refuted_through_check() -> None:
    from proofs.sphere_imbalance import PLANTED

    verdict = check(PLANTED["sphere-etf-10to1-nonl-per-sample"], examples=1, shrink=False)
    assert verdict.status == "refuted", verdict.reason
    assert verdict.confirmation["certificate"]["claimed_point"]["name"] == "simplex ETF"
    # the counterexample is described by the sphere's own parameters, not placeholder lambdas
    ce = verdict.counterexample
    assert ce is not None
    inst, tau = ce.case.instance, ce.case.drawn["tau"]
    assert verdict.reason == (
        f"certified counterexample: sphere: loss=nonl-per-sample, K={inst.K}, "
        f"counts={list(inst.counts)}, d={inst.d}, tau={tau:.10g}"
    )
    assert "lambda" not in verdict.reason and "hypotheses" not in verdict.reason


def test_a_sphere_case_describes_itself_by_the_sphere_parameters() -> None:
    from proofs import REGISTRY
    from verify.sphere.claim import case

    assert (
        case((3, 3), 2, 0.25, "ntce").describe()
        == "sphere: loss=ntce, K=2, n=3 each, d=2, tau=0.25"
    )
    assert case((4, 1, 1), 3, 1 / 3).describe() == (
        "sphere: K=3, counts=[4, 1, 1], d=3, tau=0.3333333333"
    )
    for cid in ("sphere-nonl-bidirectional-nc", "sphere-scl-class-mean-classifier",
                "sphere-ntce-nc1-imbalanced"):  # fmt: skip
        claim = REGISTRY[cid]
        for c in claim.corners():
            text = c.describe()
            assert text.startswith(f"sphere: loss={claim.sphere_loss}, K=") and "lambda" not in text


def test_sphere_planted_claims_are_in_the_planted_bank() -> None:
    from proofs.planted import PLANTED as BANK
    from proofs.sphere_imbalance import PLANTED

    assert set(PLANTED) <= set(BANK)


def test_interval_enclosure_contains_the_exact_value_and_refuses_a_false_gap() -> None:
    """The interval evaluation encloses the 50-digit value (two independent codes), and a point
    not below the claimed optimum (the ETF against itself) certifies nothing."""
    from verify.sphere.certify import (
        RowsPoint,
        Witness,
        _ends,
        certified_gap,
        interval_loss,
        simplex_etf_point,
    )
    from verify.sphere.frames import simplex_etf

    rng = np.random.default_rng(5)
    counts = (3, 2, 2)
    labels = np.repeat(np.arange(3), counts)
    for loss in LOSS_NAMES:
        W, H = _unit(rng, 3, 3), _unit(rng, len(labels), 3)
        Wl = None if loss == "supcon" else W
        point = RowsPoint(Wl, H, tuple(int(y) for y in labels), (1,) * len(labels))
        box = interval_loss(loss, point, 0.3)
        exact = exact_loss(loss, Wl, H, labels, None, 0.3)
        lo, hi = _ends(box)
        # the two enclosures meet (the 50-digit value carries its own error bound)
        with mpmath.workprec(400):
            assert lo <= exact.value + exact.error and exact.value - exact.error <= hi, loss
        assert hi - lo < 1e-40, loss
        # balanced: the exact ETF is the global minimum (proved), so the float64 ETF, a
        # feasible point beside it, cannot be certified below it
        E, y = simplex_etf(3, 3), np.repeat(np.arange(3), 2)
        etf = RowsPoint(None if loss == "supcon" else E, E[y], tuple(int(k) for k in y), (1,) * 6)
        _, gap = certified_gap(Witness(loss, 0.3, etf, simplex_etf_point((2, 2, 2))))
        assert gap <= 0, loss


def test_a_hunted_claim_is_supported_with_its_own_regimes() -> None:
    from proofs import REGISTRY

    verdict = check(REGISTRY["sphere-nonl-nc1-imbalanced"], examples=1, seed=0)
    assert verdict.status == "supported", verdict.reason
    assert verdict.coverage["axes"].startswith("sphere") and not verdict.coverage["missing"]


def test_an_unconfirmed_sphere_counterexample_is_not_a_refutation() -> None:
    """A conclusion that fails without a point below an optimum, and fails no more when
    re-evaluated: the runner gets the sphere confirmation's reason, and no refutation."""
    from verify.claims import evaluate
    from verify.sphere.claim import SphereClaim, case
    from verify.sphere.exact import DIGITS

    def flaky(ctx):
        return {"fails only at 50 digits": 1.0 if DIGITS[-1] == 50 else 0.0}

    claim = SphereClaim(id="test-flaky", title="t", statement="s", reference="r",
                        hypotheses=("one_hot", "balanced", "c_below_1", "lambda_b_zero"),
                        conclusion=flaky, max_K=2)  # fmt: skip
    c = case((2, 2), 2, 0.5)
    assert evaluate(claim, c).status == "counterexample"
    verdict = check(claim, examples=1, seed=0, shrink=False)
    assert verdict.status == "inconclusive" and "at 80 digits" in verdict.reason


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_per_start_multiplicities_equal_separate_evaluations(loss: str) -> None:
    rng = np.random.default_rng(3)
    W, H = _unit(rng, 4, 3, 3), _unit(rng, 4, 3, 3)
    m = rng.integers(2, 6, size=(4, 3)).astype(float)
    Wl = None if loss == "supcon" else W
    v, _gW, gH = value_and_grad(loss, Wl, H, np.arange(3), m, 0.7)
    for i in range(4):
        vi, _gWi, gHi = value_and_grad(loss, None if Wl is None else W[i], H[i], np.arange(3),
                                      m[i], 0.7)  # fmt: skip
        assert abs(float(vi) - v[i]) <= 1e-14 and np.allclose(gHi, gH[i], atol=1e-14)


def test_batched_hunt_search_matches_one_at_a_time() -> None:
    from verify.sphere.solve import local_search_many

    problems = [SphereProblem("ntce", (2 * r, 2, 2), 2, 0.5) for r in (1, 5)]
    many = local_search_many(problems, 5, 0)
    for p, found in zip(problems, many, strict=True):
        assert abs(found.value - local_search(p, 5, 0, reduced=True, hessian=False).value) <= 1e-12


def test_cli_solve_metrics_and_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from verify.cli import main

    out = tmp_path / "s.json"
    assert main(["sphere", "solve", "--loss", "nonl", "--tau", "0.5", "--K", "3", "--n", "2",
                 "--starts", "3", "--json", str(out)]) == 0  # fmt: skip
    assert out.is_file() and "proved optimum" in capsys.readouterr().out
    W, H = nc_point(3, (2, 2, 2), 3)
    np.save(tmp_path / "f.npy", H)
    np.save(tmp_path / "y.npy", np.repeat(np.arange(3), 2))
    np.save(tmp_path / "bad.npy", 2 * W)
    assert main(["sphere", "metrics", str(tmp_path / "f.npy"), str(tmp_path / "y.npy")]) == 0
    never = tmp_path / "never.json"
    for argv in (
        ["sphere", "solve", "--loss", "ntce", "--tau", "-1", "--K", "3", "--n", "2"],
        ["sphere", "solve", "--loss", "nope", "--tau", "1", "--K", "3", "--n", "2"],
        ["sphere", "solve", "--loss", "ntce", "--tau", "1", "--K", "3", "--n", "2", "--d", "3",
         "--prototypes", str(tmp_path / "bad.npy"), "--json", str(never)],
        ["sphere", "hunt", "--loss", "ntce", "--tau", "1", "--K", "4", "--d", "2"],
    ):  # fmt: skip
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "error:" in err, err
    assert not never.exists()


def test_tangent_bases_are_orthonormal_and_tangent() -> None:
    from verify.sphere.solve import _tangent_bases

    X = _unit(np.random.default_rng(1), 3, 4, 5)
    X[0, 0] = np.eye(5)[0]  # x = e_1 and x = -e_1: the reflection's sign cases
    X[0, 1] = -np.eye(5)[0]
    B = _tangent_bases(X)  # (3, 4, 4, 5)
    assert np.allclose(B @ np.swapaxes(B, -1, -2), np.eye(4), atol=1e-14)
    assert np.allclose(np.einsum("...kd,...d->...k", B, X), 0.0, atol=1e-14)


def test_newton_direction_descends_where_the_hessian_is_indefinite() -> None:
    from verify.sphere.solve import _newton_direction

    rng = np.random.default_rng(2)
    A = rng.normal(size=(6, 5, 5))
    Hs = (A + np.swapaxes(A, 1, 2)) / 2  # indefinite
    Hs[0] = np.eye(5) * 3.0  # positive definite: the plain Newton step
    g = rng.normal(size=(6, 5))
    step, k = _newton_direction(Hs, g)
    assert np.all(np.sum(step * g, axis=1) < 0)
    assert np.allclose(step[0], -g[0] / (3.0 + 3e-6), rtol=1e-12) and k[0] == 0
    # the shift's exponent: the smallest 4^k that makes -5 I + 4^k 1e-6 * 5 I definite is
    # k = 10, found from the floor, or from a quarter below the last shift (a hint)
    minus = np.broadcast_to(-5.0 * np.eye(5), (3, 5, 5)).copy()
    for hint in (None, np.array([10.0, 3.0, 0.0])):
        step, k = _newton_direction(minus, g[:3], hint)
        assert np.array_equal(k, [10, 10, 10]), (hint, k)
        assert np.allclose(step, -g[:3] / (-5.0 + 5e-6 * 4.0**10), rtol=1e-12)


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_newton_hunt_search_reaches_the_tolerance_and_the_descent_optimum(loss: str) -> None:
    """The batched Newton phase ends first-order critical (gradient <= tol) at values no
    higher than descent alone reaches from the same starts, and the lift of its point is
    first- and second-order critical on the full problem."""
    from verify.sphere.reduction import check_critical_lift
    from verify.sphere.solve import local_search_many

    problems = [SphereProblem(loss, (2 * r, 2, 2), 3, 0.5) for r in (1, 5)]
    newton = local_search_many(problems, 4, 0)
    descent = local_search_many(problems, 4, 0, newton=False)
    for p, a, b in zip(problems, newton, descent, strict=True):
        assert a.gradient_norm <= DEFAULT.sphere_gradient
        assert a.value <= b.value + 1e-10 * max(1.0, abs(b.value))
        lifted = check_critical_lift(p, a.W, a.H)
        assert lifted.holds(10 * DEFAULT.sphere_gradient, DEFAULT.sphere_hessian), lifted


def test_the_lift_check_sees_a_critical_point_that_is_no_minimum() -> None:
    """The lift check is not vacuous: NTCE with each class's features at the antipode of its
    prototype is critical (by symmetry) on the full problem, and its Hessian says it is no
    minimum."""
    from verify.sphere.reduction import check_critical_lift

    p = SphereProblem("ntce", (2, 2), 3, 0.5)
    W = np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]])
    G = np.array([[-1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])  # each class's features at the wrong pole
    lifted = check_critical_lift(p, W, G)
    assert lifted.gradient_norm <= 1e-12  # critical (by symmetry) ...
    assert not lifted.holds(DEFAULT.sphere_gradient, DEFAULT.sphere_hessian)  # ... not a minimum


def _rows(W: np.ndarray | None, H: np.ndarray) -> np.ndarray:
    return H if W is None else np.concatenate([W, H], axis=-2)


def _euclidean_gradient(
    loss: str, X: np.ndarray, K: int, labels: np.ndarray, m: np.ndarray, tau: float
) -> np.ndarray:
    W = X[..., :K, :] if K else None
    _, gW, gH = value_and_grad(loss, W, X[..., K:, :], labels, m, tau)
    return _rows(gW, gH)


# multiplicities: one sample a row, non-integer per row, and one set per batch entry
_MULTIPLICITIES = ("ones", "weights", "per-batch")


@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("kind", _MULTIPLICITIES)
def test_closed_form_euclidean_hessian_matches_central_differences_of_the_gradient(
    loss: str, kind: str
) -> None:
    """Column by column, the closed-form Hessian against central differences of the analytic
    gradient (itself tested against the value), at random points off NC, in the full
    coordinates of R^d per row (identity bases); its gradient is the loss's gradient."""
    from verify.sphere.hessian import hessian_in_bases

    rng = np.random.default_rng(7)
    labels, tau, d = np.array([0, 0, 1, 1, 1, 2, 2]), 0.4, 4
    M, K = len(labels), 0 if loss == "supcon" else 3
    m = {"ones": np.ones(M), "weights": rng.uniform(1.5, 4.0, M),
         "per-batch": rng.uniform(1.5, 4.0, (2, M))}[kind]  # fmt: skip
    X = _unit(rng, 2, K + M, d)
    W = X[:, :K] if K else None
    Hb, grad = hessian_in_bases(loss, W, X[:, K:], labels, m, tau,
                                np.broadcast_to(np.eye(d), (2, K + M, d, d)))  # fmt: skip
    assert np.allclose(grad, _euclidean_gradient(loss, X, K, labels, m, tau), atol=1e-14)
    h, fd = 1e-5, np.zeros_like(Hb)
    for j in range((K + M) * d):
        E = np.zeros_like(X)
        E[:, j // d, j % d] = h
        up = _euclidean_gradient(loss, X + E, K, labels, m, tau)
        down = _euclidean_gradient(loss, X - E, K, labels, m, tau)
        fd[:, :, j] = ((up - down) / (2 * h)).reshape(2, -1)
    scale = np.max(np.abs(Hb))
    assert scale > 0.1  # not vacuous
    assert np.max(np.abs(Hb - fd)) <= 1e-8 * scale
    assert np.allclose(Hb, np.swapaxes(Hb, -1, -2), rtol=0, atol=1e-14 * scale)


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_closed_form_riemannian_hessian_is_the_second_derivative_along_the_retraction(
    loss: str,
) -> None:
    """v^T Hess f(x) v = d^2/dt^2 f(R(x + t v)) at t = 0 for the row normalisation R, a
    second-order retraction, at any point (not only critical ones): this checks the projection
    and the sphere's curvature term (-x_r^T grad_r f), which differences of the gradient alone
    do not."""
    from verify.sphere.hessian import tangent_hessian
    from verify.sphere.solve import _normalise, _tangent_bases

    rng = np.random.default_rng(8)
    labels, tau, d = np.arange(3), 0.6, 4
    K = 0 if loss == "supcon" else 3
    m = np.array([5.0, 2.0, 3.0])
    X = _unit(rng, K + 3, d)
    B = _tangent_bases(X)
    Hr = tangent_hessian(loss, X[:K] if K else None, X[K:], labels, m, tau, B)
    assert np.allclose(Hr, Hr.T, atol=1e-14)

    def f(Y: np.ndarray) -> float:
        return float(value_and_grad(loss, Y[:K] if K else None, Y[K:], labels, m, tau)[0])

    radial = np.sum(_euclidean_gradient(loss, X, K, labels, m, tau) * X, axis=-1)
    assert np.max(np.abs(radial)) > 0.05  # the curvature term matters at this point
    t = 1e-3
    for _ in range(6):
        c = np.asarray(rng.standard_normal((Hr.shape[0],)))
        V = (c.reshape(K + 3, 1, d - 1) @ B)[:, 0, :]  # tangent: each row orthogonal to x_r
        second = (f(_normalise(X + t * V)) - 2 * f(X) + f(_normalise(X - t * V))) / t**2
        assert abs(c @ Hr @ c - second) <= 1e-5 * max(1.0, abs(second)), (c @ Hr @ c, second)


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_newton_phase_hessian_of_selected_starts_matches_forward_differences(loss: str) -> None:
    """The objective's Hessian of a hunt's batch (per-start multiplicities, a subset of the
    starts selected) in the tangent bases, against forward differences of the Riemannian
    gradient's coordinates along each basis vector (the finite-difference Hessians it replaced)."""
    from verify.sphere.solve import _normalise, _Objective, _tangent_bases

    rng = np.random.default_rng(9)
    p = SphereProblem(loss, (6, 2, 2), 3, 0.5)
    f = _Objective(p, reduced=True)
    f.m = rng.uniform(2.0, 6.0, size=(5, 3))
    sel = np.array([4, 1, 2])
    X = _normalise(rng.normal(size=(3, f.rows(), 3)))
    B = _tangent_bases(X)
    Hr = f.hessian(X, sel, B)
    a, rows, k = 3, f.rows(), 2
    _, G = f(X, sel)
    h, fd = 1e-6, np.zeros_like(Hr)
    for j in range(rows * k):
        V = np.zeros_like(X)
        V[:, j // k] = B[:, j // k, j % k]
        _, Gp = f(X + h * V, sel)
        _, Gm = f(X - h * V, sel)
        D = (Gp - Gm) / (2 * h)  # Euclidean Hessian times b_j
        radial = np.sum(G * X, axis=-1)  # (a, rows)
        col = D - radial[:, :, None] * V  # minus the curvature term along b_j
        fd[:, :, j] = (B @ col[..., None]).reshape(a, -1)  # in the tangent bases
    assert np.max(np.abs(Hr - fd)) <= 1e-7 * max(1.0, np.max(np.abs(Hr)))


def test_batched_cholesky_flags_indefinite_matrices_with_and_without_the_gufunc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shift search's factorisation: NaN exactly where a matrix is not positive definite,
    by numpy's batched gufunc and by the one-at-a-time LAPACK fallback alike, and the Newton
    direction the same through both."""
    import verify.sphere.solve as solve
    from verify.sphere.solve import _batched_cholesky, _newton_direction

    rng = np.random.default_rng(10)
    A = rng.normal(size=(5, 4, 4))
    S = A @ np.swapaxes(A, 1, 2) + 0.1 * np.eye(4)  # positive definite
    S[1] -= 20 * np.eye(4)  # not
    S[3, 0, 0] = -1.0  # not (a negative diagonal entry)
    g = rng.normal(size=(5, 4))
    ref = _batched_cholesky(S)
    direction, _ = _newton_direction(S, g)
    monkeypatch.setattr(solve, "_cholesky_lo", None)
    slow = _batched_cholesky(S)
    bad = np.array([False, True, False, True, False])
    for L in (ref, slow):
        assert np.array_equal(np.isnan(L).all(axis=(1, 2)), bad)
        assert np.allclose(L[~bad] @ np.swapaxes(L[~bad], 1, 2), S[~bad], atol=1e-12)
    assert np.allclose(_newton_direction(S, g)[0], direction, rtol=1e-12, atol=0)
    assert np.all(np.sum(direction * g, axis=1) < 0)


def test_cli_hunt_prints_the_full_problem_check_of_every_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`verify sphere hunt` shows, per ratio, whether the lift of the reduced optimum is first-
    and second-order critical on the full problem, with the numbers the JSON records; a row
    that is not critical says so."""
    import json

    from rich.console import Console

    from verify.cli import main
    from verify.cli.sphere import hunt_table

    out = tmp_path / "h.json"
    assert main(["sphere", "hunt", "--loss", "ntce", "--tau", "0.5", "--K", "3", "--n", "2",
                 "--ratios", "1,5", "--starts", "3", "--json", str(out)]) == 0  # fmt: skip
    text = capsys.readouterr().out
    data = json.loads(out.read_text())
    assert "full problem" in text and "Hessian min" in text
    for row in data["rows"]:
        assert row["lift_critical"] is True
        full = row["full_problem"]
        assert f"{full['gradient_norm']:.1e}, {full['hessian_min']:.1e}" in text
    assert text.count(" critical │") == len(data["rows"]) and "NOT critical" not in text
    bad = dict(data["rows"][0], lift_critical=False,
               full_problem={"gradient_norm": 2e-3, "hessian_min": -0.5, "hessian_max": 4.0})  # fmt: skip
    console = Console(record=True, width=200)
    console.print(hunt_table(dict(data, rows=[bad])))
    rendered = console.export_text()
    assert "NOT critical" in rendered and "2.0e-03, -5.0e-01" in rendered
