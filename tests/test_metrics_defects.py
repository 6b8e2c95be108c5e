"""Issue 16's measured defects of verify.metrics, each as a test that failed before its fix.

1. NC1 jumped nine orders of magnitude for a 20% change of the data (a cutoff on eigenvalues
   of Sigma_B at 1e-9 of the largest, not at the rounding level); a common offset of 1e7 must
   not make a rounding direction count.
2. One centring only (the mean of the class means); the literature's is the sample mean.
3. "NC3" cited Zhu et al. (2021) but computed the self-duality distance.
4. NC4's nearest centre lost precision under a common offset (||hbar_k||^2 - 2 hbar_k . h).
5. The features were copied about four times (memory ~9x the input).
6. Non-finite entries, labels that are not 0..K-1 with every class present.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from verify.errors import InvalidArgument, InvalidFile
from verify.metrics import measure, measure_file, nc1, nc3, nc4, nc_metrics


def three_means(eps: float, d: int = 2, offset: float = 0.0, n: int = 40, seed: int = 0):
    """Class means exactly (-1, 0), (1, 0), (0, eps) (zero-padded to d): noise of std 0.01
    centred within each class, plus ``offset`` on every coordinate; features (d, N)."""
    rng = np.random.default_rng(seed)
    means = np.zeros((d, 3))
    means[:2] = [[-1.0, 1.0, 0.0], [0.0, 0.0, eps]]
    labels = np.repeat(np.arange(3), n)
    noise = 0.01 * rng.standard_normal((d, 3, n))
    noise -= noise.mean(axis=2, keepdims=True)
    H = means[:, labels] + noise.reshape(d, -1)
    return H + offset, labels


def direct_nc1(H: np.ndarray, labels: np.ndarray) -> float:
    """tr(Sigma_W pinv(Sigma_B)) / K with sample-mean centring, the peers' way (numpy's pinv
    at its default cutoff), in float64 on offset-free data."""
    K = int(labels.max()) + 1
    mu = np.stack([H[:, labels == k].mean(axis=1) for k in range(K)], axis=1)
    R = H - mu[:, labels]
    Sw = R @ R.T / H.shape[1]
    M = mu - H.mean(axis=1, keepdims=True)
    return float(np.trace(Sw @ np.linalg.pinv(M @ M.T / K))) / K


def test_defect1_nc1_is_continuous_in_the_data() -> None:
    """eps = 6e-5 and 5e-5 (a 20% change): NC1 ~ noise / eps^2 changes by ~(6/5)^2, as the
    direct pseudo-inverse says; before, eps = 5e-5 gave 9 orders of magnitude less."""
    values = []
    for eps in (6e-5, 5e-5):
        H, y = three_means(eps)
        value = nc1(H, y)
        assert value == pytest.approx(direct_nc1(H, y), rel=1e-6)
        values.append(value)
    assert values[0] > 1e4 and 1.2 < values[1] / values[0] < 1.7


def test_defect1_an_offset_does_not_make_a_rounding_direction_count() -> None:
    """d = 3, K = 3: centred class means have rank 2; a common offset of 1e7 makes the third
    eigenvalue of Sigma_B rounding, which must be dropped (the peers keep it: NC1 ~ 1e12).
    The measurement says how many possible directions were dropped: none here."""
    H0, y = three_means(0.5, d=3)
    H7, _ = three_means(0.5, d=3, offset=1e7)
    assert nc1(H7, y) == pytest.approx(nc1(H0, y), rel=1e-6)
    m = measure(H7, y)
    assert m.info["sigma_b_rank"] == 2 and m.info["sigma_b_dropped"] == 0


def test_defect2_centring_is_a_named_switch_sample_mean_by_default() -> None:
    """Imbalanced counts: the default centring is the sample mean (Papyan et al. 2020), equal
    to the direct formula; 'class-mean' and 'none' are the other two; the JSON names it."""
    rng = np.random.default_rng(5)
    labels = np.repeat(np.arange(3), [5, 20, 60])
    H = 2.0 * rng.standard_normal((4, 3))[:, labels] + 0.3 * rng.standard_normal((4, 85))
    assert nc1(H, labels) == pytest.approx(direct_nc1(H, labels), rel=1e-10)
    by_class = nc1(H, labels, centring="class-mean")
    assert abs(by_class - nc1(H, labels)) > 1e-3 * by_class
    assert nc1(H, labels, centring="none") != by_class
    data = measure(H, labels).as_dict()
    assert data["centring"] == "sample-mean"
    assert "Papyan" in data["conventions"]["centring"]["source"]
    json.dumps(data, allow_nan=False)


def test_defect3_nc3_is_zhus_quantity() -> None:
    """Zhu et al. (2021): ||W M / ||W M||_F - (I - J)/sqrt(K-1)||_F with M the centred means;
    the self-duality distance ||W^T/||W|| - M/||M|| ||_F is a different number."""
    rng = np.random.default_rng(2)
    K, d = 4, 6
    labels = np.repeat(np.arange(K), 5)
    H = rng.standard_normal((d, K))[:, labels] + 0.2 * rng.standard_normal((d, labels.size))
    W = rng.standard_normal((K, d))
    mu = np.stack([H[:, labels == k].mean(axis=1) for k in range(K)], axis=1)
    M = mu - H.mean(axis=1, keepdims=True)
    WM = W @ M
    zhu = np.linalg.norm(WM / np.linalg.norm(WM) - (np.eye(K) - 1 / K) / np.sqrt(K - 1))
    selfdual = np.linalg.norm(W.T / np.linalg.norm(W) - M / np.linalg.norm(M))
    assert nc3(H, labels, W) == pytest.approx(zhu, rel=1e-12)
    assert nc3(H, labels, W, form="self-duality") == pytest.approx(selfdual, rel=1e-12)
    assert abs(zhu - selfdual) > 1e-3


def test_defect4_nearest_centre_is_exact_under_an_offset() -> None:
    """An offset of 1e8 over a unit spread: NC4's nearest centre equals the direct distances
    argmin_k ||h - hbar_k|| for every sample (before, 59% differed)."""
    rng = np.random.default_rng(4)
    K, d, N = 5, 3, 400
    labels = np.concatenate([np.arange(K), rng.integers(0, K, N - K)])
    H = rng.standard_normal((d, K))[:, labels] + rng.standard_normal((d, N)) + 1e8
    W = rng.standard_normal((K, d))
    mu = np.stack([H[:, labels == k].mean(axis=1) for k in range(K)], axis=1)
    nearest = np.argmin(np.linalg.norm(H[:, :, None] - mu[:, None, :], axis=0), axis=1)
    decided = np.argmax(W @ H, axis=0)
    assert nc4(H, labels, W) == pytest.approx(float(np.mean(decided != nearest)), abs=0.0)
    same = np.argmin(np.linalg.norm(H[:, :, None] - mu[:, None, :], axis=0), axis=1)
    assert measure(H, labels, W).values["nc4_no_bias"] == float(np.mean(decided != same))


def test_defect5_features_are_not_copied(tmp_path: Path) -> None:
    """Memory beyond one chunk is O(d^2 + K d): measuring a (N, d) float32 .npy of 12.8 MB in
    chunks of 1000 rows allocates less than a quarter of the input (before: ~4 float64 copies,
    i.e. ~8x). tracemalloc sees numpy's allocations; the memory map is not an allocation."""
    rng = np.random.default_rng(0)
    N, d, K = 50_000, 64, 10
    labels = rng.integers(0, K, N)
    X = (rng.standard_normal((N, d)) + 3 * rng.standard_normal((K, d))[labels]).astype(np.float32)
    np.save(tmp_path / "f.npy", X)
    np.save(tmp_path / "y.npy", labels)
    tracemalloc.start()
    try:
        m = measure_file(tmp_path / "f.npy", tmp_path / "y.npy", chunk_rows=1000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < X.nbytes / 4, peak
    assert m.values["nc1_centred"] == pytest.approx(
        measure(X.astype(np.float64), labels).values["nc1_centred"], rel=1e-9
    )


def test_defect6_nonfinite_entries_say_where_and_how_many(tmp_path: Path) -> None:
    """In memory and streamed from a file: the count and the first [sample, feature]."""
    X = np.ones((30, 4))
    X[7, 2] = np.nan
    X[20, 1] = np.inf
    labels = np.arange(30) % 3
    with pytest.raises(InvalidArgument, match=r"2 non-finite entries.*\[7, 2\]"):
        measure(X, labels)
    np.save(tmp_path / "f.npy", X)
    np.save(tmp_path / "y.npy", labels)
    with pytest.raises(InvalidFile, match=r"2 non-finite entries.*sample 7, feature 2"):
        measure_file(tmp_path / "f.npy", tmp_path / "y.npy", chunk_rows=8)


def test_defect6_a_split_missing_a_class_is_measured() -> None:
    """A test split without class 1 (W has K = 3 rows): the metrics are those of the classes
    present, the classifier still decides among all K, and the measurement names the gap."""
    rng = np.random.default_rng(8)
    labels = np.repeat([0, 2], 10)
    H = rng.standard_normal((4, 3))[:, labels] + 0.1 * rng.standard_normal((4, 20))
    W = rng.standard_normal((3, 4))
    m = measure(H, labels, W)
    assert m.info["classes"] == [0, 2] and m.info["missing_classes"] == [1]
    assert m.info["K"] == 3 and m.info["K_present"] == 2
    legacy = nc_metrics(H, labels, W)
    assert legacy.K == 3 and np.isfinite(legacy.nc1_centred)
