"""Tests of verify.metrics: hand-computed NC1-NC4, frames, invariances, validation."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import numpy as np
import pytest

from verify.errors import InvalidArgument
from verify.geometry import orthogonal_frame, simplex_etf
from verify.metrics import (
    features_from_arrays,
    nc1,
    nc2_equiangularity,
    nc2_equinorm,
    nc2_etf,
    nc2_of,
    nc3,
    nc3prime,
    nc4,
    nc_metrics,
)


def orthogonal(d: int, seed: int) -> np.ndarray:
    Q, R = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return Q * np.sign(np.diag(R))


def collapsed(Hbar: np.ndarray, counts: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Features sitting exactly on their class means: H = Hbar C."""
    labels = np.repeat(np.arange(len(counts)), counts)
    return Hbar[:, labels], labels


# Two classes on a line (second coordinate 0): class 0 at {0, 2} (mean 1), class 1 at
# {-1, -3} (mean -2). Sigma_W = (1/4)(1 + 1 + 1 + 1) = 1 on the first axis.
H_HAND = np.array([[0.0, 2.0, -1.0, -3.0], [0.0, 0.0, 0.0, 0.0]])
Y_HAND = np.array([0, 0, 1, 1])


def test_nc1_hand_computed() -> None:
    """Centred: h_G = -1/2, m = (3/2, -3/2), Sigma_B = 9/4, NC1 = (1 / (9/4)) / 2 = 2/9.
    Uncentred: m = (1, -2), Sigma_B = (1 + 4)/2 = 5/2, NC1 = (2/5) / 2 = 1/5. The zero second
    axis of Sigma_B is dropped by the pseudo-inverse."""
    assert nc1(H_HAND, Y_HAND) == pytest.approx(2 / 9, rel=1e-14)
    assert nc1(H_HAND, Y_HAND, centred=False) == pytest.approx(1 / 5, rel=1e-14)


def test_nc2_hand_computed() -> None:
    """Uncentred means (1, -2): equinorm std(1, 2)/mean = (1/2)/(3/2) = 1/3; one cosine, so
    equiangularity 0; G = [[1, -2], [-2, 4]], ||G|| = 5, G/5 - (I - J) = [[-.3, .1], [.1, .3]]
    so nc2_etf = sqrt(0.2). Centred means (3/2, -3/2): a simplex ETF, every NC2 metric 0."""
    assert nc2_equinorm(H_HAND, Y_HAND, centred=False) == pytest.approx(1 / 3, rel=1e-14)
    assert nc2_equiangularity(H_HAND, Y_HAND, centred=False) == 0.0
    assert nc2_etf(H_HAND, Y_HAND, centred=False) == pytest.approx(math.sqrt(0.2), rel=1e-14)
    assert nc2_equinorm(H_HAND, Y_HAND) == pytest.approx(0.0, abs=1e-15)
    assert nc2_etf(H_HAND, Y_HAND) == pytest.approx(0.0, abs=1e-15)


def test_nc4_hand_computed() -> None:
    """W = [[1], [-1]], b = (0, 1): the classifier picks class 0 iff h > 1/2, nearest centre
    (1 vs -2) iff h > -1/2; only the sample h = 0 lies between, so NC4 = 1/4. Without the bias
    the classifier's boundary is h = 0, its tie at h = 0 goes to class 0, so NC4 = 0."""
    W = np.array([[1.0, 0.0], [-1.0, 0.0]])
    assert nc4(H_HAND, Y_HAND, W, b=np.array([0.0, 1.0])) == 0.25
    assert nc4(H_HAND, Y_HAND, W) == 0.0


def test_nc1_matches_direct_pseudo_inverse() -> None:
    """Property: NC1 equals tr(Sigma_W pinv(Sigma_B))/K computed directly, both forms."""
    rng = np.random.default_rng(3)
    d, counts = 6, [3, 5, 2, 4]
    labels = np.repeat(np.arange(4), counts)
    H = rng.standard_normal((d, labels.size))
    Hbar = np.stack([H[:, labels == k].mean(axis=1) for k in range(4)], axis=1)
    R = H - Hbar[:, labels]
    Sw = R @ R.T / labels.size
    for centred, M in ((True, Hbar - Hbar.mean(axis=1, keepdims=True)), (False, Hbar)):
        expected = np.trace(Sw @ np.linalg.pinv(M @ M.T / 4)) / 4
        assert nc1(H, labels, centred=centred) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("K", [2, 3, 5])
def test_collapsed_simplex_etf(K: int) -> None:
    """Property: features collapsed onto a simplex ETF have NC1 = 0 and every NC2 metric 0 in
    both forms (a simplex ETF is already centred)."""
    H, labels = collapsed(simplex_etf(K, 2.0, orthogonal(K + 2, seed=K)[:, :K]), [3] * K)
    m = nc_metrics(H, labels)
    for name in ("nc1", "nc2_equinorm", "nc2_equiangularity", "nc2_etf"):
        assert getattr(m, f"{name}_centred") < 1e-12
        assert getattr(m, f"{name}_uncentred") < 1e-12
    assert m.nc2_of_uncentred > 0.1


def test_collapsed_orthogonal_frame() -> None:
    """An OF (K = 4): uncentred nc2_of = 0, centred nc2_etf = 0, uncentred nc2_etf =
    ||I/2 - (I-J)/sqrt(3)||_F = sqrt(2 - 2 sqrt(3/4))."""
    H, labels = collapsed(orthogonal_frame(4, 3.0, orthogonal(6, seed=1)[:, :4]), [2, 2, 2, 2])
    m = nc_metrics(H, labels)
    assert m.nc2_of_uncentred < 1e-12 and m.nc2_etf_centred < 1e-12
    assert m.nc2_etf_uncentred == pytest.approx(math.sqrt(2 - 2 * math.sqrt(0.75)), rel=1e-12)
    assert m.nc2_equiangularity_uncentred < 1e-12 and m.nc1_uncentred == 0.0
    assert nc2_of(H, labels) == m.nc2_of_uncentred


@pytest.mark.parametrize("beta", [-2.0, 0.3, 1.5])
def test_centred_ssetf_is_etf_for_unbalanced_counts(beta: float) -> None:
    """Property (Prop. III.2): SSETF class means centred by the mean of the class means form
    a simplex ETF, whatever the counts (centring by the sample mean would not)."""
    K = 3
    Hbar = 1.5 * orthogonal(5, seed=2)[:, :K] @ (np.eye(K) - beta / K * np.ones((K, K)))
    H, labels = collapsed(Hbar, [1, 4, 9])
    assert nc2_etf(H, labels, centring="class-mean") < 1e-12
    assert nc2_etf(H, labels, centred=True) < 1e-12  # the older spelling of class-mean
    assert nc2_etf(H, labels, centred=False) > 1e-3
    assert nc2_etf(H, labels) > 1e-3  # the sample mean (default) is not the UFM's centring


def test_nc3_self_dual_and_rotated() -> None:
    """Property: W^T = kappa Hbar gives NC3 = NC3' = 0 (uncentred); rotating the classifier's
    rows, W -> Q W, keeps NC3' = 0 but makes NC3 > 0."""
    rng = np.random.default_rng(9)
    labels = np.repeat(np.arange(4), 3)
    H = rng.standard_normal((6, 12))
    Hbar = np.stack([H[:, labels == k].mean(axis=1) for k in range(4)], axis=1)
    W = 0.7 * Hbar.T
    sd = "self-duality"
    assert nc3(H, labels, W, centred=False, form=sd) < 1e-14
    assert nc3prime(H, labels, W, centred=False) < 1e-14
    QW = orthogonal(4, seed=4) @ W
    assert nc3(H, labels, QW, centred=False, form=sd) > 0.1
    assert nc3prime(H, labels, QW, centred=False) < 1e-13


def test_nc4_zero_for_nearest_centre_classifier() -> None:
    """Property: W = Hbar^T, b_k = -||hbar_k||^2 / 2 is the nearest-centre rule, so NC4 = 0."""
    rng = np.random.default_rng(21)
    labels = rng.integers(0, 5, size=200)
    labels[:5] = np.arange(5)
    H = rng.standard_normal((8, 200))
    Hbar = np.stack([H[:, labels == k].mean(axis=1) for k in range(5)], axis=1)
    b = -0.5 * np.sum(Hbar**2, axis=0)
    assert nc4(H, labels, Hbar.T, b) == 0.0
    assert nc4(H, labels, -Hbar.T, -b) > 0.5


def test_metrics_invariant_under_rotation() -> None:
    """Property: rotating the feature space, H -> R H and W -> W R^T, changes no metric."""
    rng = np.random.default_rng(13)
    d, K, N = 7, 4, 40
    labels = np.concatenate([np.arange(K), rng.integers(0, K, size=N - K)])
    H = rng.standard_normal((d, N)) + 3.0 * rng.standard_normal((d, K))[:, labels]
    W, b = rng.standard_normal((K, d)), rng.standard_normal(K)
    R = orthogonal(d, seed=14)
    before = nc_metrics(H, labels, W, b).as_dict()
    after = nc_metrics(R @ H, labels, W @ R.T, b).as_dict()
    assert before.keys() == after.keys()
    for key, value in before.items():
        assert after[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key


def test_nc_metrics_without_W_and_json() -> None:
    """Property: without W the W-dependent fields are None; as_dict is strict JSON, with
    undefined values as strings (all-zero features: NC1 0, equinorm 'nan')."""
    m = nc_metrics(np.zeros((3, 4)), [0, 1, 2, 2])
    assert m.nc3_centred is None and m.nc4 is None and m.nc1_centred == 0.0
    data = m.as_dict()
    assert data["nc2_equinorm_centred"] == "nan" and data["K"] == 3 and data["N"] == 4
    json.dumps(data, allow_nan=False)
    spread = nc_metrics(np.array([[1.0, -1.0, 0.0]]), [0, 0, 1], W=np.ones((2, 1)))
    assert spread.as_dict()["nc1_centred"] == "inf"  # means coincide, features do not
    json.dumps(spread.as_dict(), allow_nan=False)


def test_features_from_arrays_layouts() -> None:
    """(N, d) and (d, N) give the same H (d, N); square (d == N) is read as (N, d); integral
    float labels are accepted."""
    X = np.arange(12.0).reshape(4, 3)  # N = 4 samples of d = 3
    H1, _ = features_from_arrays(X, [0, 1, 1, 0])
    H2, y2 = features_from_arrays(X.T, np.array([0.0, 1.0, 1.0, 0.0]))
    np.testing.assert_array_equal(H1, X.T)
    np.testing.assert_array_equal(H2, X.T)
    assert y2.dtype == np.int64 and list(y2) == [0, 1, 1, 0]
    S = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(features_from_arrays(S, [0, 1, 2])[0], S.T)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: nc1(np.array([[np.nan, 1.0]]), [0, 1]), "H"),
        (lambda: nc1(np.ones(4), [0, 1, 0, 1]), "H"),
        (lambda: nc1(np.ones((2, 0)), []), "H"),
        (lambda: nc1(np.ones((2, 3)), [0, 0, 0]), "labels"),  # K = 1
        (lambda: nc1(np.ones((2, 3)), [0, 3, 3]), "labels"),  # id >= N without W
        (lambda: nc1(np.ones((2, 3)), [0, 1]), "labels"),
        (lambda: nc1(np.ones((2, 3)), [0, 0.5, 1]), "labels"),
        (lambda: nc1(np.ones((2, 3)), ["a", "b", "c"]), "labels"),
        (lambda: nc3(np.ones((2, 3)), [0, 1, 1], np.ones((2, 3))), "W"),
        (lambda: nc3(np.ones((2, 3)), [0, 1, 1], None), "W"),  # type: ignore[arg-type]
        (lambda: nc3(np.ones((2, 3)), [0, 2, 1], np.ones((2, 2))), "labels"),  # id >= K of W
        (lambda: nc3(np.ones((2, 3)), [0, 1, 1], np.ones((2, 2)), form="x"), "form"),
        (lambda: nc1(np.ones((2, 3)), [0, 1, 1], centring="global"), "centring"),
        (lambda: nc4(np.ones((2, 3)), [0, 1, 1], np.ones((2, 2)), np.ones(3)), "b"),
        (lambda: nc4(np.ones((2, 3)), [0, 1, 1], np.ones((2, 2)), [0.0, math.inf]), "b"),
        (lambda: nc_metrics(np.ones((2, 3)), [0, 1, 1], b=np.ones(2)), "b"),
        (lambda: nc_metrics(np.ones((2, 3)), [0, 1, 1], tol=1e-9), "tol"),  # type: ignore[arg-type]
        (lambda: features_from_arrays(np.ones((3, 5)), [0, 1, 1, 0]), "features"),
        (lambda: features_from_arrays(np.ones((3, 4)), [0, 1.5, 1, 0]), "labels"),
        (lambda: features_from_arrays(np.ones((3, 4)), [0, -1, 1, 0]), "labels"),
        (lambda: features_from_arrays(np.ones((3, 4)), [[0, 1, 1, 0]]), "labels"),
    ],
)
def test_validation_names_the_argument(call: Callable[[], object], name: str) -> None:
    """Property: every broken rule raises InvalidArgument whose message starts with the name."""
    with pytest.raises(InvalidArgument) as info:
        call()
    assert str(info.value).startswith(f"{name}=")
