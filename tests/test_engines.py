"""The certified solver: the exact engine on a grid of regimes, the cvxpy and gd engines against
it, the certificate against perturbed and random points, and the exact engine's Jacobian."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest

from verify import DEFAULT, Instance, solve
from verify.encodings import label_smoothing, one_hot, random_encoding, ssetf
from verify.errors import UnknownName
from verify.solve.certificate import certify
from verify.solve.exact import _envelope, _jacobian, _spectrum

K = 4
# lambda_W != lambda_H (the factorisation's scale s = (lambda_H/lambda_W)^(1/4) is not 1), with
# sqrt(lambda_W lambda_H) = 5e-3, so c = K sqrt(n) 5e-3 < 1 for the counts below
LW, LH = 2.5e-3, 1e-2
ENCODINGS = {
    "one-hot": one_hot(K),
    "smoothing": label_smoothing(K, 0.2),
    "random": random_encoding(K, 7),
    "ssetf": ssetf(K, 1.5, 0.4),
}
COUNTS = {"balanced": (6, 6, 6, 6), "imbalanced": (100, 1, 10, 37)}  # ratio 100
CROSS = dataclasses.replace(DEFAULT, gap=DEFAULT.cross_gap)  # what a second engine must reach


def lambda_b_values(counts: tuple[int, ...]) -> dict[str, float]:
    """lambda_b around the one-hot phase threshold c/(1-c) (of the balanced data with the same
    N/K when the counts are imbalanced, where the instance has no threshold of its own)."""
    n = sum(counts) // len(counts)
    t = Instance(one_hot(K), (n,) * K, K, LW, LH).threshold
    assert t is not None and math.isfinite(t)
    return {
        "0": 0.0,
        "small": 1e-4,
        "threshold": t,
        "below": t * (1 - 1e-9),
        "above": t * (1 + 1e-9),
        "large": 1e3,
        "inf": math.inf,
    }


def assert_certified(solution, tol=DEFAULT):
    c = solution.certificate
    assert c.certified, c.reason
    assert c.reason == ""
    assert c.relative_gap <= tol.gap
    assert c.dual <= c.primal + tol.gap * abs(c.primal)
    worst = max(c.residuals.values())
    assert worst <= tol.residual, c.residuals


def relative(a, b, scale=None) -> float:
    scale = max(np.linalg.norm(b), np.finfo(float).tiny) if scale is None else scale
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)) / scale)


# --- 1. the exact engine on a grid --------------------------------------------------------


@pytest.mark.parametrize("lb_name", list(lambda_b_values(COUNTS["balanced"])))
@pytest.mark.parametrize("d", [K, K + 3], ids=["d=K", "d>K"])
@pytest.mark.parametrize("counts_name", list(COUNTS))
@pytest.mark.parametrize("enc_name", list(ENCODINGS))
def test_exact_engine_is_certified_on_the_grid(enc_name, counts_name, d, lb_name):
    counts = COUNTS[counts_name]
    lambda_b = lambda_b_values(counts)[lb_name]
    inst = Instance(ENCODINGS[enc_name], counts, d, LW, LH, lambda_b)
    if counts_name == "balanced" and lb_name == "threshold":
        assert lambda_b == inst.threshold
    solution = solve(inst, "exact")
    assert solution.W.shape == (K, d) and solution.H.shape == (d, inst.N)
    assert solution.b.shape == (K,)
    assert solution.engine == "exact"
    assert_certified(solution)
    if math.isinf(lambda_b):
        assert not np.any(solution.b)
    assert not solution.regime.startswith("zero")  # these lambdas are small


@pytest.mark.parametrize("lb_name", list(lambda_b_values(COUNTS["balanced"])))
def test_exact_engine_matches_theorem_III_1_on_one_hot_balanced_data(lb_name):
    """The closed-form bias and the rank on both sides of the threshold (not at it, where the
    rank is ill-posed in floating point)."""
    counts = COUNTS["balanced"]
    lambda_b = lambda_b_values(counts)[lb_name]
    inst = Instance(one_hot(K), counts, K + 1, LW, LH, lambda_b)
    c, t = inst.c, inst.threshold
    solution = solve(inst)
    assert_certified(solution)
    if math.isinf(lambda_b):
        expected_b = np.zeros(K)
    else:
        expected_b = np.full(K, (1 / (1 + lambda_b) if lambda_b <= t else c / lambda_b) / K)
    assert relative(solution.b, expected_b, scale=1 / K) <= DEFAULT.residual
    if lb_name in ("0", "small", "below"):
        assert solution.regime == f"rank {K - 1} of {K}"
    elif lb_name in ("above", "large", "inf"):
        assert solution.regime == f"rank {K} of {K} (full)"


@pytest.mark.parametrize("lambda_b", [0.0, 1.0, math.inf])
@pytest.mark.parametrize("c", [1 - 1e-6, 1 - 1e-12, 1.0, 1 + 1e-9, 1 + 1e-6])
@pytest.mark.parametrize("enc_name", ["one-hot", "random"])
def test_exact_engine_is_certified_for_c_close_to_1(enc_name, c, lambda_b):
    n = 6
    lam = c / (K * math.sqrt(n))
    inst = Instance(ENCODINGS[enc_name], (n,) * K, K + 1, 4 * lam, lam / 4, lambda_b)
    assert inst.c == pytest.approx(c, rel=4 * np.finfo(float).eps)
    assert inst.c == pytest.approx(K * math.sqrt(n * inst.lambda_W * inst.lambda_H), rel=1e-15)
    solution = solve(inst)
    assert_certified(solution)
    if enc_name == "one-hot" and c >= 1:  # Theorem III.1's hypothesis c < 1 fails: Z = 0
        assert solution.regime.startswith("zero minimiser")
    if enc_name == "one-hot" and c < 1 and lambda_b == 0:
        assert solution.regime == f"rank {K - 1} of {K}"


@pytest.mark.parametrize("lambda_b", [0.0, 1.0, 1e3, math.inf])
@pytest.mark.parametrize("lam", [10.0, 1e3, 1e6])
@pytest.mark.parametrize("enc_name", list(ENCODINGS))
def test_zero_minimiser_regime(enc_name, lam, lambda_b):
    inst = Instance(ENCODINGS[enc_name], COUNTS["imbalanced"], K + 2, lam, lam, lambda_b)
    solution = solve(inst)
    assert_certified(solution)
    assert solution.regime.startswith("zero minimiser")
    assert solution.details["rank"] == 0
    assert not np.any(solution.W) and not np.any(solution.H)
    # with W = H = 0 the bias minimises 1/(2N)||b1^T - Y||^2 + lambda_b/2 ||b||^2
    expected = np.zeros(K) if math.isinf(lambda_b) else inst.Y.mean(axis=1) / (1 + lambda_b)
    assert relative(solution.b, expected, scale=np.linalg.norm(inst.Y.mean(axis=1))) <= 1e-14


def test_regime_is_not_zero_when_the_solution_is_not():
    solution = solve(Instance(one_hot(K), COUNTS["balanced"], K, LW, LH, 0.0))
    assert solution.regime == f"rank {K - 1} of {K}"
    assert np.any(solution.W)


def test_exact_engine_rejects_options():
    inst = Instance(one_hot(K), COUNTS["balanced"])
    with pytest.raises(TypeError, match="max_iter"):
        solve(inst, "exact", max_iter=3)
    with pytest.raises(TypeError, match="solver"):
        solve(inst, solver="CLARABEL")


def test_unknown_engine_is_an_unknown_name():
    with pytest.raises(UnknownName, match="engine='newton'"):
        solve(Instance(one_hot(K), COUNTS["balanced"]), "newton")


# --- 2. exact against cvxpy -----------------------------------------------------------------

SMALL = [  # K * N <= 60
    ("one-hot", one_hot(3), (4, 6, 5)),
    ("random", random_encoding(3, 1), (4, 6, 5)),
    ("smoothing", label_smoothing(4, 0.3), (3, 3, 3, 3)),
    ("random imbalanced", random_encoding(4, 2), (2, 5, 1, 7)),
]


def agree(first, second) -> None:
    """Two certified solutions of one instance agree as far as their certificates guarantee."""
    c1, c2 = first.certificate, second.certificate
    # both primals lie in [F*, F* + gap]
    assert abs(c1.primal - c2.primal) <= c1.gap + c2.gap + 1e-15 * abs(c1.primal)
    # X = WH + b1^T is within sqrt(2 N gap) of the unique X*
    N = first.instance.N
    X1 = first.Z + first.b[:, None] * np.ones(N)
    X2 = second.Z + second.b[:, None] * np.ones(N)
    bound = c1.distance_bounds.X + c2.distance_bounds.X
    assert np.linalg.norm(X1 - X2) <= bound + 1e-12 * np.linalg.norm(X1)
    if c1.distance_bounds.b is not None:
        bound = c1.distance_bounds.b + c2.distance_bounds.b
        assert np.linalg.norm(first.b - second.b) <= bound + 1e-12 * np.linalg.norm(first.b)


@pytest.mark.parametrize("lambda_b", [0.0, 0.5, math.inf])
@pytest.mark.parametrize(("name", "enc", "counts"), SMALL, ids=[s[0] for s in SMALL])
def test_exact_and_cvxpy_agree(name, enc, counts, lambda_b):
    k = len(counts)
    inst = Instance(enc, counts, k + 1, 2e-2, 1e-2, lambda_b)
    assert k * inst.N <= 60
    exact, cvx = solve(inst, "exact"), solve(inst, "cvxpy")
    assert_certified(exact)
    assert cvx.details["solver"] == "CLARABEL" and cvx.details["status"] == "optimal"
    assert cvx.certificate.relative_gap <= DEFAULT.cross_gap, cvx.certificate.reason
    assert abs(cvx.objective - exact.objective) <= 1e-7 * exact.objective
    assert relative(cvx.Z, exact.Z) <= 1e-4
    scale = max(np.linalg.norm(exact.b), inst.scales()["b"])
    assert relative(cvx.b, exact.b, scale=scale) <= 1e-4
    agree(exact, cvx)
    # the solver's own optimal value is the convex problem's, so it cannot beat the exact one
    # by more than the exact engine's gap
    assert cvx.details["solver_objective"] >= exact.objective - exact.certificate.gap - 1e-12


def test_cvxpy_with_scs():
    inst = Instance(one_hot(3), (4, 6, 5), 4, 2e-2, 1e-2, 0.5)
    exact = solve(inst)
    scs = solve(inst, "cvxpy", solver="scs", eps_abs=1e-9, eps_rel=1e-9)
    assert scs.details["solver"] == "SCS"
    assert scs.certificate.relative_gap <= DEFAULT.cross_gap, scs.certificate.reason
    assert abs(scs.objective - exact.objective) <= 1e-7 * exact.objective
    agree(exact, scs)


def test_cvxpy_unknown_solver():
    inst = Instance(one_hot(3), (4, 6, 5))
    with pytest.raises(UnknownName, match=r"solver='MOSEK_PLUS'.*CLARABEL.*SCS"):
        solve(inst, "cvxpy", solver="MOSEK_PLUS")


# --- 3. the certificate ---------------------------------------------------------------------

PERTURB = [
    ("one-hot", one_hot(3), (4, 6, 5), 0.0),
    ("random imbalanced", random_encoding(K, 1), (4, 60, 5, 1), 0.5),
    ("smoothing bias-free", label_smoothing(3, 0.2), (5, 5, 5), math.inf),
]


@pytest.mark.parametrize(
    ("name", "enc", "counts", "lambda_b"), PERTURB, ids=[p[0] for p in PERTURB]
)
def test_certificate_detects_a_1e_3_perturbation(name, enc, counts, lambda_b):
    k = len(counts)
    inst = Instance(enc, counts, k + 2, 2e-2, 1e-2, lambda_b)
    s = solve(inst)
    assert_certified(s)
    for seed in range(3):
        rng = np.random.default_rng(seed)
        E = rng.standard_normal(s.W.shape)
        W = s.W + 1e-3 * np.linalg.norm(s.W) * E / np.linalg.norm(E)
        c = certify(inst, W, s.H, s.b, "perturbed", DEFAULT)
        assert c.relative_gap > DEFAULT.gap and not c.certified
        assert "gap" in c.reason
        if not math.isinf(lambda_b):
            e = rng.standard_normal(k)
            b = s.b + 1e-3 * np.linalg.norm(s.b) * e / np.linalg.norm(e)
            c = certify(inst, s.W, s.H, b, "perturbed", DEFAULT)
            assert c.relative_gap > DEFAULT.gap and not c.certified
    # the unperturbed point, through the same function, is certified
    assert certify(inst, s.W, s.H, s.b, "exact", DEFAULT).certified


@pytest.mark.parametrize("lambda_b", [0.0, 0.7, math.inf])
def test_weak_duality_at_random_and_near_optimal_points(lambda_b):
    inst = Instance(random_encoding(K, 9), (3, 8, 1, 5), K + 1, 2e-2, 1e-2, lambda_b)
    optimum = solve(inst)
    assert_certified(optimum)
    F = optimum.objective  # >= the true minimum, and within DEFAULT.gap of it
    rng = np.random.default_rng(0)
    for trial in range(20):
        if trial < 10:  # anywhere
            W = rng.uniform(0, 3) * rng.standard_normal(optimum.W.shape)
            H = rng.uniform(0, 3) * rng.standard_normal(optimum.H.shape)
            b = rng.standard_normal(K)
        else:  # close to the optimum, where the dual bound is nearly tight
            size = 10.0 ** -(trial - 9)
            W = optimum.W + size * rng.standard_normal(optimum.W.shape)
            H = optimum.H + size * rng.standard_normal(optimum.H.shape)
            b = optimum.b + size * rng.standard_normal(K)
        if math.isinf(lambda_b):
            b = np.zeros(K)
        c = certify(inst, W, H, b, "random", DEFAULT)
        assert c.dual <= c.primal
        assert c.dual <= F + DEFAULT.gap * F, (trial, c.dual, F)  # a lower bound on min f
        assert c.dual_feasibility >= 0
        if trial < 10:
            assert not c.certified and c.reason


def test_certificate_of_a_bias_in_the_bias_free_ufm_and_of_nan():
    inst = Instance(one_hot(3), (2, 2, 2), 3, 1e-2, 1e-2, math.inf)
    s = solve(inst)
    c = certify(inst, s.W, s.H, np.full(3, 1e-3), "x")
    assert not c.certified and "lambda_b = inf" in c.reason
    W = s.W.copy()
    W[0, 0] = math.nan
    c = certify(inst, W, s.H, s.b, "x")
    assert not c.certified and "NaN" in c.reason
    with pytest.raises(ValueError, match="shape"):
        certify(inst, s.W[:, :2], s.H, s.b, "x")


def dense_residuals(inst, W, H, b, tol=DEFAULT):
    """Stationarity in W, H and b with the bias eliminated (Lemma III.3's (6)-(8)) and balance,
    with dense K x N matrices."""
    N, g, Y = inst.N, inst.gamma, inst.Y
    E = Y - W @ H
    M = np.eye(N) - g * np.ones((N, N)) / N
    lw, lh = inst.lambda_W * N, inst.lambda_H * N
    sc, fl = inst.scales(), tol.floor
    fro = np.linalg.norm

    def rel(lhs, rhs, floor):
        return fro(lhs - rhs) / (fro(lhs) + fro(rhs) + floor)

    return {
        "stationarity W": rel(E @ M @ H.T, lw * W, fl * lw * sc["W"]),
        "stationarity H": rel(W.T @ E @ M, lh * H, fl * lh * sc["H"]),
        "stationarity b": rel(b, g / N * E.sum(axis=1), fl * sc["b"]),
        "balance": rel(
            inst.lambda_W * W.T @ W, inst.lambda_H * H @ H.T, fl * inst.lambda_W * sc["WtW"]
        ),
    }


@pytest.mark.parametrize("lambda_b", [0.0, 0.7, math.inf])
@pytest.mark.parametrize("size", [0.0, 1e-6, 1e-2, 1.0])
def test_blocked_passes_match_the_dense_definitions(monkeypatch, lambda_b, size):
    """The certificate's blocked passes (forced to many small blocks) against dense formulas:
    the residuals of (6)-(8) and balance, the objective, and the dual point's sums."""
    from verify.solve import certificate, passes

    monkeypatch.setattr(passes, "_BLOCK_BYTES", 8 * (K + K + 1) * 64)  # 64 columns a block
    inst = Instance(random_encoding(K, 3), (90, 40, 7, 60), K + 1, 2e-2, 1e-2, lambda_b)
    s = solve(inst)
    rng = np.random.default_rng(1)
    W = s.W + size * rng.standard_normal(s.W.shape)
    H = s.H + size * rng.standard_normal(s.H.shape)
    b = np.zeros(K) if math.isinf(lambda_b) else s.b + size * rng.standard_normal(K)
    got = certificate.first_order_residuals(inst, W, H, b)
    want = dense_residuals(inst, W, H, b)
    assert set(got) == set(want) and got.bias_eliminated
    for key in want:
        assert got[key] == pytest.approx(want[key], rel=1e-6, abs=1e-13), key
    assert certify(inst, W, H, b, "x").residuals == got  # computed when read, the same
    R = W @ H + b[:, None] - inst.Y
    sums = passes._gap_sums(inst, W, H, b)
    assert sums.RRt == pytest.approx(R @ R.T, rel=1e-12, abs=1e-12)
    assert sums.ry == pytest.approx(float(np.vdot(R, inst.Y)), rel=1e-12, abs=1e-12)
    assert sums.r1 == pytest.approx(R.sum(axis=1), rel=1e-12, abs=1e-12)
    assert sums.h1 == pytest.approx(H.sum(axis=1), rel=1e-12, abs=1e-12)
    f = 0.5 / inst.N * np.vdot(R, R) + 0.5 * (
        inst.lambda_W * np.vdot(W, W) + inst.lambda_H * np.vdot(H, H)
    )
    if not math.isinf(lambda_b):
        f += 0.5 * lambda_b * b @ b
    assert certificate.ufm_objective(inst, W, H, b) == pytest.approx(f, rel=1e-13)
    if size == 0.0:
        assert max(got.values()) <= DEFAULT.residual
    if size >= 1e-2:
        assert max(got.values()) > DEFAULT.refute


# --- 4. the exact engine's generalised Jacobian ---------------------------------------------


def thresholded_mean(Yc: np.ndarray, r: np.ndarray, tau: float) -> np.ndarray:
    r"""The map whose Jacobian ``_jacobian`` returns: :math:`r \mapsto \mathrm{SVT}_\tau(Y_c + r1^\top)1/N`,
    by a full SVD (independent of the engine's eigen-decomposition of A A^T)."""
    N = Yc.shape[1]
    U, s, Vt = np.linalg.svd(Yc + r[:, None], full_matrices=False)
    return (U * np.clip(s - tau, 0.0, None)) @ Vt.sum(axis=1) / N


def random_case(seed: int):
    """Centred Yc (K, N) of random rank (zero singular values included), r, and a tau halfway
    between two singular values of A = Yc + r1^T, so at least one is active, away from kinks."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 7))
    N = int(rng.integers(2, 3 * k + 5))  # N < K happens too
    rank = int(rng.integers(0, min(k, N) + 1)) if seed % 2 else min(k, N)
    B = rng.standard_normal((k, rank)) @ rng.standard_normal((rank, N))
    Yc = B - B.mean(axis=1, keepdims=True)
    r = rng.standard_normal(k)
    s = np.linalg.svd(Yc + r[:, None], compute_uv=False)
    positive = s[s > 1e-6 * s[0]]
    i = int(rng.integers(1, positive.size + 1))
    lower = positive[i] if i < positive.size else 0.0
    tau = 0.5 * (positive[i - 1] + lower)
    return Yc, r, tau


@pytest.mark.parametrize("seed", range(16))
def test_jacobian_matches_central_differences(seed):
    Yc, r, tau = random_case(seed)
    k, N = Yc.shape
    sigma, U = _spectrum(Yc @ Yc.T, r, N)
    assert np.all(np.abs(sigma - tau) > 0.1 * tau)  # away from the kinks of the thresholding
    jac = _jacobian(sigma, U, U.T @ (math.sqrt(N) * r), tau)
    h = DEFAULT.fd_step * max(1.0, float(np.linalg.norm(r)))
    fd = np.column_stack(
        [
            (thresholded_mean(Yc, r + h * e, tau) - thresholded_mean(Yc, r - h * e, tau)) / (2 * h)
            for e in np.eye(k)
        ]
    )
    assert np.linalg.norm(fd) > 0.1  # something is active: the comparison is not 0 = 0
    assert relative(jac, fd) <= DEFAULT.fd, (jac, fd)


@pytest.mark.parametrize("lambda_b", [0.0, 0.3])
@pytest.mark.parametrize("seed", range(4))
def test_gradient_of_the_reduced_problem_matches_central_differences(seed, lambda_b):
    r"""The Newton iteration's gradient :math:`\lambda_b b - (r - \mathrm{SVT}_\tau(A)1/N)`, r = m - b,
    is the gradient of :math:`\varphi(b) = \mathrm{env}_\tau(Y - b1^\top)/N + \lambda_b\|b\|^2/2`."""
    Yc, m, tau = random_case(seed)
    k, N = Yc.shape
    Gc = Yc @ Yc.T
    b = np.random.default_rng(seed + 100).standard_normal(k)

    def phi(b):
        sigma, _ = _spectrum(Gc, m - b, N)
        return _envelope(sigma, tau) / N + 0.5 * lambda_b * float(b @ b)

    r = m - b
    grad = lambda_b * b - (r - thresholded_mean(Yc, r, tau))
    h = DEFAULT.fd_step * max(1.0, float(np.linalg.norm(b)))
    fd = np.array([(phi(b + h * e) - phi(b - h * e)) / (2 * h) for e in np.eye(k)])
    assert relative(grad, fd) <= DEFAULT.fd


# --- 5. gradient descent --------------------------------------------------------------------

GD_CASES = [
    ("one-hot", one_hot(3), (4, 6, 5), 0.5),
    ("random", random_encoding(3, 1), (4, 6, 5), 0.0),
    ("smoothing bias-free", label_smoothing(3, 0.2), (5, 5, 5), math.inf),
]


@pytest.mark.parametrize(
    ("name", "enc", "counts", "lambda_b"), GD_CASES, ids=[g[0] for g in GD_CASES]
)
def test_gd_reaches_a_certified_global_minimiser(name, enc, counts, lambda_b):
    inst = Instance(enc, counts, 3, 2e-2, 1e-2, lambda_b)
    gd = solve(inst, "gd", CROSS)
    assert gd.details["stop"] == "stationary", gd.details
    assert gd.certified, gd.certificate.reason
    assert gd.certificate.relative_gap <= DEFAULT.cross_gap
    exact = solve(inst)
    assert_certified(exact)
    agree(exact, gd)
    assert relative(gd.Z, exact.Z) <= 1e-4


def test_gd_stopped_early_is_not_certified():
    inst = Instance(one_hot(3), (4, 6, 5), 3, 2e-2, 1e-2, 0.5)
    gd = solve(inst, "gd", max_iter=5)
    assert gd.details["stop"] == "iteration limit"
    assert gd.details["iterations"] == 5
    assert not gd.certified
    assert gd.certificate.reason
    assert gd.certificate.relative_gap > DEFAULT.gap


def test_gd_divergence_is_an_uncertified_status_not_an_exception():
    inst = Instance(one_hot(3), (4, 6, 5), 3, 2e-2, 1e-2, 0.5)
    gd = solve(inst, "gd", step=1e6)
    assert not gd.certified
    assert "failed" in gd.certificate.reason and "diverged" in gd.certificate.reason
    assert np.all(np.isnan(gd.W))
    bad = solve(inst, "gd", step=-1.0)
    assert not bad.certified and "step" in bad.certificate.reason


# --- 6. invariances -------------------------------------------------------------------------


@pytest.mark.parametrize("lambda_b", [0.0, 0.5, math.inf])
@pytest.mark.parametrize("enc_name", ["one-hot", "random"])
def test_class_mean_gram_does_not_depend_on_d(enc_name, lambda_b):
    counts = COUNTS["imbalanced"]
    base = solve(Instance(ENCODINGS[enc_name], counts, K, LW, LH, lambda_b))
    gram = base.Hbar.T @ base.Hbar
    for d in (K + 1, 3 * K):
        wide = solve(Instance(ENCODINGS[enc_name], counts, d, LW, LH, lambda_b))
        assert_certified(wide)
        assert wide.Hbar.shape == (d, K)
        assert relative(wide.Hbar.T @ wide.Hbar, gram) <= DEFAULT.residual
        assert abs(wide.objective - base.objective) <= DEFAULT.gap * base.objective


@pytest.mark.parametrize("lambda_b", [0.0, 0.5, math.inf])
@pytest.mark.parametrize("enc_name", ["random", "ssetf"])
def test_objective_is_invariant_under_relabelling_the_classes(enc_name, lambda_b):
    enc, counts = ENCODINGS[enc_name], COUNTS["imbalanced"]
    perm = np.array([2, 0, 3, 1])
    inst = Instance(enc, counts, K + 1, LW, LH, lambda_b)
    moved = Instance(enc[perm][:, perm], tuple(counts[i] for i in perm), K + 1, LW, LH, lambda_b)
    s, t = solve(inst), solve(moved)
    assert_certified(s)
    assert_certified(t)
    assert abs(s.objective - t.objective) <= DEFAULT.gap * s.objective
    scale = max(np.linalg.norm(s.b), inst.scales()["b"])
    assert relative(t.b, s.b[perm], scale=scale) <= DEFAULT.residual
    gram_s, gram_t = s.Hbar.T @ s.Hbar, t.Hbar.T @ t.Hbar
    assert relative(gram_t, gram_s[perm][:, perm]) <= DEFAULT.residual


# --- issue 11: the README's example through CVXPY, and the projected dual point ----------------


def test_cvxpy_certifies_the_readme_example():
    """Property: the README's own example is certified through CVXPY (Clarabel, default settings).

    Clarabel stops with a residual whose spectral norm overshoots mu by about 1e-9; scaling the
    whole residual into the ball cost a relative gap of 2.02e-10 (> 1e-10). Clipping only the
    overshooting singular values (the projected dual point) certifies the same returned point."""
    inst = Instance(label_smoothing(3, 0.2), (10, 10, 10), 3, 5e-3, 5e-3, 1.0)
    s = solve(inst, "cvxpy")
    assert s.certificate.dual_feasibility > 1.0  # the raw residual is infeasible: the hard case
    assert_certified(s)
    exact = solve(inst)
    assert abs(s.objective - exact.objective) <= 1e-12 * exact.objective


@pytest.mark.parametrize("lambda_b", [0.0, 0.7, math.inf])
def test_class_sums_of_the_residual_match_the_dense_product(monkeypatch, lambda_b):
    """Property: R C^T gathered block by block (blocks of 64 columns cutting through classes)
    equals the dense product, and Y R^T = Ybar (R C^T)^T."""
    from verify.solve import passes

    monkeypatch.setattr(passes, "_BLOCK_BYTES", 8 * (K + K + 1) * 64)
    inst = Instance(random_encoding(K, 3), (90, 40, 7, 60), K + 1, 2e-2, 1e-2, lambda_b)
    s = solve(inst)
    rng = np.random.default_rng(2)
    W, H = s.W + 1e-3 * rng.standard_normal(s.W.shape), s.H + 1e-3 * rng.standard_normal(s.H.shape)
    R = W @ H + s.b[:, None] - inst.Y
    sums = passes._gap_sums(inst, W, H, s.b)
    assert sums.RCt == pytest.approx(R @ inst.C.T, rel=1e-12, abs=1e-12)
    assert inst.encoding @ sums.RCt.T == pytest.approx(inst.Y @ R.T, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("lambda_b", [0.0, 0.7, math.inf])
@pytest.mark.parametrize("size", [1e-9, 1e-5, 1e-1])
def test_projected_dual_is_a_lower_bound_at_perturbed_points(lambda_b, size):
    """Property: weak duality holds for the dual point the certificate builds (scaled or clipped
    into the ball): its value never exceeds the exact engine's certified minimum, at points
    perturbed from the minimiser by 1e-9 to 1e-1."""
    inst = Instance(label_smoothing(K, 0.3), (5, 9, 2, 7), K, LW, LH, lambda_b)
    best = solve(inst)
    assert_certified(best)
    rng = np.random.default_rng(int(size * 1e9) % 97)
    for _ in range(5):
        W = best.W + size * rng.standard_normal(best.W.shape)
        H = best.H + size * rng.standard_normal(best.H.shape)
        b = best.b if math.isinf(lambda_b) else best.b + size * rng.standard_normal(K)
        c = certify(inst, W, H, b, "perturbed")
        assert c.dual <= best.objective * (1 + 1e-13)


@pytest.mark.parametrize("lambda_b", [1e-30, 1e-12])
@pytest.mark.parametrize("enc_name", ["smoothing", "random"])
def test_a_tiny_lambda_b_is_certified(enc_name, lambda_b):
    """Property: lambda_b = 1e-30 is certified like lambda_b = 0 (it was not: the uncentred
    dual point pays ||Lambda 1||^2 / (2 lambda_b), and the rounding of R 1, about 1e-17, squared
    over 1e-30 left a relative gap of 6.5); the centred point pays nothing for Lambda 1."""
    inst = Instance(ENCODINGS[enc_name], COUNTS["imbalanced"], K, LW, LH, lambda_b)
    s = solve(inst)
    assert_certified(s)
    zero = solve(inst.replace(lambda_b=0.0))
    assert s.objective == pytest.approx(zero.objective, rel=1e-9)


def test_distance_bounds_are_a_typed_record_read_under_the_json_names() -> None:
    """Property: MSE bounds X, Z, scatter (and b for 0 < lambda_b < inf); cross-entropy, not
    strongly convex, bounds no X or Z but the loss gradient; the mapping view (what the JSON
    writes) holds exactly the fields that are not None, under their names."""
    from verify.solve.bounds import NAMES

    mse = solve(Instance(random_encoding(3, 1), (4, 5, 6), 3, 1e-2, 1e-2, 0.5)).certificate
    ce = solve(Instance(np.eye(3), (4, 5, 6), 3, 1e-2, 1e-2, 0.0, loss="ce")).certificate
    for c in (mse, ce):
        present = {
            name for field, name in NAMES.items() if getattr(c.distance_bounds, field) is not None
        }
        assert set(c.distance_bounds) == present == set(c.as_dict()["distance_bounds"])
    assert None not in (mse.distance_bounds.X, mse.distance_bounds.Z, mse.distance_bounds.b)
    assert ce.distance_bounds.X is None and ce.distance_bounds.Z is None
    assert ce.distance_bounds.b is None and ce.distance_bounds.gradient is not None
    assert mse.distance_bounds["Z = WH"] == mse.distance_bounds.Z


def test_small_solves_run_on_one_blas_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hunt-sized solve runs its BLAS on one thread (verify.solve.threads: with threads, a
    busy core makes each small call wait); a large one keeps the process's setting."""
    import importlib

    from threadpoolctl import threadpool_info

    from verify.solve import threads

    solve_module = importlib.import_module(
        "verify.solve"
    )  # the module (verify.solve is a function)

    seen: list[set[int]] = []
    exact = solve_module.ENGINES["exact"]

    def recording(*args: Any, **kwargs: Any) -> Any:
        seen.append({lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"})
        return exact(*args, **kwargs)

    monkeypatch.setitem(solve_module.ENGINES, "exact", recording)
    outside = {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}
    inst = Instance(one_hot(3), (2, 2, 2), 3, 0.05, 0.05, 0.5)
    assert solve_module.solve(inst).certified
    monkeypatch.setattr(threads, "SMALL", inst.K * inst.N - 1)  # now it counts as large
    assert solve_module.solve(inst).certified
    assert seen == [{1}, outside]
    assert {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"} == outside
