"""The streaming path of verify.metrics: two passes, every file kind, clear refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from verify.errors import InvalidArgument, InvalidFile
from verify.metrics import measure, measure_file
from verify.metrics.classes import classes_of, integer_ids
from verify.metrics.stats import accumulate, array_chunks


def data(N: int = 300, d: int = 6, K: int = 4, seed: int = 1):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, K, N)
    X = 2.0 * rng.standard_normal((K, d))[y] + rng.standard_normal((N, d))
    W = rng.standard_normal((K, d))
    return X, y, W


def test_exactly_two_passes_over_the_data() -> None:
    """One pass for the means, one more for everything else: the chunk factory is called
    twice and every row is read twice."""
    X, y, W = data()
    calls, rows = [0], [0]
    inner = array_chunks(X, y, 64)

    def chunks():
        calls[0] += 1
        for chunk in inner():
            rows[0] += chunk[0].shape[0]
            yield chunk

    accumulate(chunks, classes_of(integer_ids(y), 4), X.shape[1], W)
    assert calls[0] == 2 and rows[0] == 2 * X.shape[0]


def test_every_file_kind_gives_the_in_memory_values(tmp_path: Path) -> None:
    """.npy (N, d) and (d, N), .npz stored and compressed, Fortran order, .safetensors:
    the same values as in memory, to 1e-12."""
    X, y, W = data()
    want = measure(X, y, W).values
    np.save(tmp_path / "a.npy", X)
    np.save(tmp_path / "t.npy", X.T)
    np.save(tmp_path / "f.npy", np.asfortranarray(X))
    np.savez(tmp_path / "s.npz", X=X, y=y)
    np.savez_compressed(tmp_path / "c.npz", X=X.T)
    np.savez(tmp_path / "fo.npz", X=np.asfortranarray(X))
    specs = ["a.npy", "t.npy", "f.npy", "s.npz:X", "c.npz", "fo.npz"]
    try:
        from safetensors.numpy import save_file

        save_file({"X": X, "other": X[:2]}, str(tmp_path / "x.safetensors"))
        specs.append("x.safetensors:X")
    except ImportError:  # the optional extra
        pass
    for spec in specs:
        got = measure_file(f"{tmp_path}/{spec}", y, W, chunk_rows=50).values
        for key, value in want.items():
            assert got[key] == pytest.approx(value, rel=1e-12, abs=1e-14), (spec, key)


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("x.safetensors", b"hello, not a tensor file", "not a .safetensors file"),
        ("x.safetensors", b"\x10\x00\x00\x00\x00\x00\x00\x00{not json!!!!!!}", "not JSON"),
        ("x.npz", b"PK\x03\x04 truncated", "not a .npz archive"),
        ("x.npy", b"\x93NUMPY\x01\x00garbage", "x.npy"),
        ("x.csv", b"1,2,3", "expected a .npy, .npz or .safetensors"),
    ],
)
def test_files_that_are_not_what_they_claim(
    tmp_path: Path, name: str, content: bytes, needle: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidFile, match=needle):
        measure_file(path, np.arange(3) % 2)


def test_labels_need_not_be_0_to_K_minus_1() -> None:
    """Ids {3, 7, 9} with classes=10: three classes present, seven missing, the values of the
    relabelled data; an id >= K is refused with its position; without K, ids >= N are."""
    X, y, _ = data(K=3)
    ids = np.array([3, 7, 9])[y]
    m = measure(X, ids, classes=10)
    assert m.info["classes"] == [3, 7, 9] and len(m.info["missing_classes"]) == 7
    assert m.values == pytest.approx(measure(X, y).values, rel=1e-12)
    with pytest.raises(InvalidArgument, match=r"class id 9 at \[\d+\] but classes says .*K=8"):
        measure(X, ids, classes=8)
    big = y.copy()
    big[5] = 10**12
    with pytest.raises(InvalidArgument, match=r"at \[5\] but there are only N=300"):
        measure(X, big)
    with pytest.raises(InvalidArgument, match="K >= 2 classes"):
        measure(X, np.zeros(300, int))


@pytest.mark.slow
def test_two_million_rows_stream_without_a_copy_of_the_features(tmp_path: Path) -> None:
    """N = 2e6, d = 32 float32 (256 MB on disk) with W: the allocations stay below 1/4 of the
    input (measured 36 MB: the labels, 16 MB of int64, and their sorted copy dominate; a
    float64 copy of the features would be 512 MB), and the values equal an in-memory float64
    measurement of the same data."""
    import tracemalloc

    rng = np.random.default_rng(3)
    N, d, K = 2_000_000, 32, 20
    y = rng.integers(0, K, N)
    X = np.lib.format.open_memmap(tmp_path / "X.npy", mode="w+", dtype=np.float32, shape=(N, d))
    centres = 3 * rng.standard_normal((K, d)).astype(np.float32)
    for a in range(0, N, 250_000):
        X[a : a + 250_000] = centres[y[a : a + 250_000]] + rng.standard_normal(
            (min(250_000, N - a), d), dtype=np.float32
        )
    X.flush()
    W = rng.standard_normal((K, d))
    tracemalloc.start()
    try:
        got = measure_file(tmp_path / "X.npy", y, W, chunk_rows=20_000).values
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < X.nbytes / 4, peak
    want = measure(np.asarray(X, dtype=np.float64), y, W).values
    for key, value in want.items():
        assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
