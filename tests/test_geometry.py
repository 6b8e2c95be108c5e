"""Tests of verify.geometry: hand-computed frames, SSETF fits, Procrustes, validation."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from verify.encodings import label_smoothing
from verify.errors import InvalidArgument
from verify.geometry import (
    centring,
    class_means,
    gram,
    nc3_residual,
    orthogonal_frame,
    orthogonal_frame_residual,
    procrustes_nc3prime,
    simplex_etf,
    simplex_etf_residual,
    ssetf_fit,
)


def semi_orthogonal(d: int, K: int, seed: int) -> np.ndarray:
    """A random d x K matrix with orthonormal columns."""
    Q, R = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, K)))
    return Q * np.sign(np.diag(R))


def shifted(K: int, alpha: float, beta: float, P: np.ndarray) -> np.ndarray:
    return alpha * P @ (np.eye(K) - beta / K * np.ones((K, K)))


# --- hand-computed small examples -------------------------------------------------------


def test_centring_hand_computed() -> None:
    """K = 2: I - J = [[1/2, -1/2], [-1/2, 1/2]]; and I - J is a projection."""
    np.testing.assert_allclose(centring(2), [[0.5, -0.5], [-0.5, 0.5]])
    C = centring(5)
    np.testing.assert_allclose(C @ C, C, atol=1e-15)


def test_class_means_hand_computed_unbalanced() -> None:
    """Counts (2, 1, 3): means of the columns [0, 2], [5], [1, 2, 3] are 1, 5, 2."""
    H = np.array([[0.0, 5.0, 2.0, 1.0, 2.0, 3.0], [0.0, 0.0, 2.0, 1.0, 1.0, 1.0]])
    labels = np.array([0, 1, 0, 2, 2, 2])
    np.testing.assert_allclose(class_means(H, labels), [[1.0, 5.0, 2.0], [1.0, 0.0, 1.0]])


def test_gram_hand_computed() -> None:
    """M = [[1, 2], [3, 4]] has M^T M = [[10, 14], [14, 20]]."""
    np.testing.assert_allclose(gram([[1.0, 2.0], [3.0, 4.0]]), [[10.0, 14.0], [14.0, 20.0]])


def test_constructors_hand_computed() -> None:
    """simplex_etf(3, 2) = 2 (I - J) with Gram 4 (I - J); orthogonal_frame(3, 2) = 2 I."""
    E = simplex_etf(3, alpha=2.0)
    np.testing.assert_allclose(E, 2.0 * (np.eye(3) - 1.0 / 3.0))
    np.testing.assert_allclose(E.T @ E, 4.0 * centring(3), atol=1e-14)
    np.testing.assert_allclose(orthogonal_frame(3, alpha=2.0), 2.0 * np.eye(3))


def test_frame_residuals_hand_computed() -> None:
    """K = 4: an OF has simplex residual ||J||/||I|| = 1/2, a simplex ETF has OF residual
    ||I/K - J|| / ||I - J|| = sqrt((K-1)/K) / sqrt(K-1) = 1/2; each has zero residual to itself."""
    P = semi_orthogonal(6, 4, seed=1)
    E, O = simplex_etf(4, 3.0, P), orthogonal_frame(4, 0.5, P)
    assert simplex_etf_residual(E) < 1e-14
    assert orthogonal_frame_residual(O) < 1e-14
    assert simplex_etf_residual(O) == pytest.approx(0.5, abs=1e-14)
    assert orthogonal_frame_residual(E) == pytest.approx(0.5, abs=1e-14)


def test_frame_residuals_of_zero_and_equal_columns() -> None:
    """Property: M = 0 and all-equal columns are no ETF/OF (alpha > 0): residual 1.0."""
    assert simplex_etf_residual(np.zeros((3, 3))) == 1.0
    assert orthogonal_frame_residual(np.zeros((3, 3))) == 1.0
    assert simplex_etf_residual(np.ones((3, 3))) == pytest.approx(1.0, abs=1e-14)


# --- SSETF fit ---------------------------------------------------------------------------


@pytest.mark.parametrize("beta", [-5.0, -0.5, 0.0, 0.3, 1.0, 1.7, 3.0, 40.0])
@pytest.mark.parametrize(("d", "K"), [(3, 3), (7, 4)])
def test_ssetf_fit_recovers_alpha_beta(beta: float, d: int, K: int) -> None:
    """Property: alpha P (I - beta J) is fitted exactly: alpha recovered, beta recovered when
    beta <= 1 and 2 - beta otherwise (the canonical representative), and alpha P_fit S_fit = M."""
    alpha = 1.3
    M = shifted(K, alpha, beta, semi_orthogonal(d, K, seed=K * 100 + d))
    fit = ssetf_fit(M)
    assert fit.alpha == pytest.approx(alpha, rel=1e-12)
    assert fit.beta == pytest.approx(beta if beta <= 1 else 2.0 - beta, abs=1e-10 * max(1, beta))
    assert fit.residual < 1e-12
    np.testing.assert_allclose(fit.P.T @ fit.P, np.eye(K), atol=1e-12)
    np.testing.assert_allclose(shifted(K, fit.alpha, fit.beta, fit.P), M, atol=1e-12 * abs(beta))


def test_ssetf_fit_label_smoothing() -> None:
    """Label smoothing (1-delta) I + (delta/K) 1 1^T is an SSETF: alpha = 1 - delta,
    beta = -delta/(1-delta), P = I (encodings.label_smoothing docstring)."""
    delta = 0.2
    fit = ssetf_fit(label_smoothing(5, delta))
    assert fit.alpha == pytest.approx(0.8, rel=1e-14)
    assert fit.beta == pytest.approx(-0.25, rel=1e-13)
    np.testing.assert_allclose(fit.P, np.eye(5), atol=1e-13)
    assert fit.residual < 1e-14


def test_ssetf_fit_perturbation_scales_linearly() -> None:
    """Property: an SSETF plus eps E has residual > 0 growing linearly in eps."""
    rng = np.random.default_rng(7)
    M0 = shifted(4, 2.0, 0.4, semi_orthogonal(6, 4, seed=3))
    E = rng.standard_normal(M0.shape)
    res = [ssetf_fit(M0 + eps * E).residual for eps in (1e-7, 1e-5, 1e-3)]
    assert all(r > 0 for r in res)
    assert 50 < res[1] / res[0] < 200 and 50 < res[2] / res[1] < 200


@pytest.mark.parametrize(
    "M", [np.zeros((3, 3)), np.ones((4, 3)), np.outer([1.0, -2.0, 3.0], [1, 1])]
)
def test_ssetf_fit_degenerate_frames(M: np.ndarray) -> None:
    """Property: M = 0 and rank-one frames with equal columns are limits of SSETFs with
    alpha -> 0, not SSETFs: alpha 0, beta nan, P = 0, residual 1."""
    fit = ssetf_fit(M)
    assert fit.alpha == 0.0 and math.isnan(fit.beta) and fit.residual == 1.0
    assert not np.any(fit.P) and fit.P.shape == M.shape


# --- NC3 and NC3' --------------------------------------------------------------------------


def test_procrustes_recovers_rotation_and_scale() -> None:
    """Property: for W^T = kappa Hbar Q^T (Hbar full rank) the fit returns Q and kappa."""
    rng = np.random.default_rng(11)
    Hbar = rng.standard_normal((7, 4))
    Q = semi_orthogonal(4, 4, seed=12)
    W = (2.5 * Hbar @ Q.T).T
    fit = procrustes_nc3prime(W, Hbar)
    assert fit.kappa == pytest.approx(2.5, rel=1e-12)
    np.testing.assert_allclose(fit.Q, Q, atol=1e-12)
    assert fit.residual < 1e-14
    assert nc3_residual(W, Hbar) > 0.1  # a genuine rotation breaks NC3
    np.testing.assert_allclose(W.T @ W, 2.5**2 * Hbar @ Hbar.T, atol=1e-12)


def test_procrustes_is_optimal() -> None:
    """Property: no other orthogonal Q or kappa >= 0 gives a smaller absolute misfit."""
    rng = np.random.default_rng(5)
    W, Hbar = rng.standard_normal((3, 5)), rng.standard_normal((5, 3))
    fit = procrustes_nc3prime(W, Hbar)
    best = np.linalg.norm(W.T - fit.kappa * Hbar @ fit.Q.T)
    for seed in range(20):
        Q = semi_orthogonal(3, 3, seed=seed)
        for kappa in (0.0, 0.5 * fit.kappa, fit.kappa, 2.0 * fit.kappa):
            assert best <= np.linalg.norm(W.T - kappa * Hbar @ Q.T) + 1e-12


def test_procrustes_zero_inputs() -> None:
    """All-zero inputs: kappa 0, residual 0. Hbar = 0 with W != 0: kappa 0, residual 1."""
    fit = procrustes_nc3prime(np.zeros((3, 4)), np.zeros((4, 3)))
    assert fit.kappa == 0.0 and fit.residual == 0.0
    np.testing.assert_allclose(fit.Q, np.eye(3))
    fit = procrustes_nc3prime(np.ones((3, 4)), np.zeros((4, 3)))
    assert fit.kappa == 0.0 and fit.residual == 1.0


def test_nc3_residual_hand_computed() -> None:
    """W^T = 2 Hbar gives 0 with the fitted kappa and with kappa=2; with kappa=1 the residual
    is ||2 Hbar - Hbar|| / max(||W||, ||Hbar||) = 1/2."""
    Hbar = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    W = 2.0 * Hbar.T
    assert nc3_residual(W, Hbar) < 1e-15
    assert nc3_residual(W, Hbar, kappa=2.0) < 1e-15
    assert nc3_residual(W, Hbar, kappa=1.0) == pytest.approx(0.5, rel=1e-14)
    assert nc3_residual(-W, Hbar) == 1.0  # best kappa clipped at 0


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: ssetf_fit(np.array([[1.0, np.nan], [0.0, 1.0]])), "M"),
        (lambda: ssetf_fit(np.ones(3)), "M"),
        (lambda: ssetf_fit(np.ones((2, 3))), "M"),  # d < K
        (lambda: ssetf_fit(np.ones((3, 1))), "M"),  # K < 2
        (lambda: ssetf_fit(np.eye(2) + 1j), "M"),
        (lambda: simplex_etf_residual([["a", "b"]]), "M"),
        (lambda: gram(np.full((2, 2), np.inf)), "M"),
        (lambda: centring(1), "K"),
        (lambda: centring(2.0), "K"),  # type: ignore[arg-type]
        (lambda: simplex_etf(3, alpha=0.0), "alpha"),
        (lambda: simplex_etf(3, P=np.ones((3, 3))), "P"),
        (lambda: orthogonal_frame(3, P=np.eye(2)), "P"),
        (lambda: class_means(np.ones((2, 3)), [0, 0, 2]), "labels"),  # class 1 empty
        (lambda: class_means(np.ones((2, 3)), [0, 1, 1], K=3), "labels"),
        (lambda: class_means(np.ones((2, 3)), [0, 1.5, 1]), "labels"),
        (lambda: class_means(np.ones((2, 3)), [0, -1, 1]), "labels"),
        (lambda: class_means(np.ones((2, 3)), [0, 1]), "labels"),
        (lambda: class_means(np.ones((2, 3)), [True, False, True]), "labels"),
        (lambda: class_means(np.ones((2, 0)), []), "H"),
        (lambda: procrustes_nc3prime(np.ones((3, 4)), np.ones((3, 4))), "W"),
        (lambda: nc3_residual(np.ones((2, 3)), np.ones((3, 2)), kappa=-1.0), "kappa"),
        (lambda: nc3_residual(np.ones((2, 3)), np.ones((3, 2)), kappa=math.nan), "kappa"),
    ],
)
def test_validation_names_the_argument(call: Callable[[], object], name: str) -> None:
    """Property: every broken rule raises InvalidArgument whose message starts with the name."""
    with pytest.raises(InvalidArgument) as info:
        call()
    assert str(info.value).startswith(f"{name}=")
    assert info.value.name == name


def test_empty_class_is_named() -> None:
    """Property: an empty class is reported by its index."""
    with pytest.raises(InvalidArgument, match="class 1 has no samples"):
        class_means(np.ones((2, 3)), [0, 0, 2])
