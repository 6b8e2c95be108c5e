"""Golden values: every convention of verify.metrics against its source's formula, evaluated
independently (SymPy, exact rationals, from the raw samples; no shared code path) on one tiny
instance: d = 3, K = 3 classes with counts 2, 2, 4 (imbalanced, so the centrings differ).

The values printed by ``python tests/test_metrics_conventions.py`` are docs/METRICS.md's
golden column.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from verify.metrics import measure, measure_file

SAMPLES = {
    0: [(0, 0, 1), (2, 0, 1)],
    1: [(0, 2, 0), (0, 4, 2)],
    2: [(-3, 0, 0), (-1, 0, 0), (-2, -1, 1), (-2, 1, -1)],
}
W_ROWS = [(1, 0, 0), (0, 1, 0), (-1, -1, 1)]
B = (0, -1, 2)
K = 3


def arrays() -> tuple[np.ndarray, np.ndarray]:
    X = np.array([h for k in range(K) for h in SAMPLES[k]], dtype=float)
    y = np.array([k for k in range(K) for _ in SAMPLES[k]])
    return X, y


def _golden() -> dict[str, float]:
    """Each metric from its source's formula, in exact arithmetic where it is rational."""
    H = {k: [sp.Matrix(h) for h in SAMPLES[k]] for k in range(K)}
    n = {k: len(H[k]) for k in range(K)}
    N = sum(n.values())
    mu = {k: sum(H[k], sp.zeros(3, 1)) / n[k] for k in range(K)}
    Sw = sum((((h - mu[k]) * (h - mu[k]).T) for k in range(K) for h in H[k]), sp.zeros(3)) / N
    W = sp.Matrix(W_ROWS)
    centres = {
        "centred": sum((h for k in range(K) for h in H[k]), sp.zeros(3, 1)) / N,  # sample mean
        "uncentred": sp.zeros(3, 1),
    }
    out: dict[str, float] = {}
    etf = (sp.eye(K) - sp.ones(K) / K) / sp.sqrt(K - 1)

    def fro(A: sp.Matrix) -> sp.Expr:
        return sp.sqrt(sum(x**2 for x in A))

    def dist(G: sp.Matrix, target: sp.Matrix) -> float:
        return float(sp.N(fro(G / fro(G) - target), 30))

    for form, g in centres.items():
        M = sp.Matrix.hstack(*[mu[k] - g for k in range(K)])
        Sb = M * M.T / K
        out[f"nc1_{form}"] = float((Sw * Sb.pinv()).trace() / K)
        out[f"nc2_etf_{form}"] = dist(M.T * M, etf)
        norms = [sp.sqrt((M[:, k].T * M[:, k])[0]) for k in range(K)]
        mean = sum(norms) / K
        out[f"nc2_equinorm_{form}"] = float(
            sp.N(sp.sqrt(sum((x - mean) ** 2 for x in norms) / K) / mean, 30)
        )
        cos = [
            (M[:, k].T * M[:, l])[0] / (norms[k] * norms[l])
            for k, l in itertools.combinations(range(K), 2)
        ]
        cmean = sum(cos) / len(cos)
        out[f"nc2_equiangularity_{form}"] = float(
            sp.N(sp.sqrt(sum((c - cmean) ** 2 for c in cos) / len(cos)), 30)
        )
        WM = W * M
        out[f"nc3_zhu_{form}"] = dist(WM, etf)
        out[f"nc3_self_duality_{form}"] = float(sp.N(fro(W.T / fro(W) - M / fro(M)), 30))
        # NC3' closed form: min ||W^T - kappa M Q^T||^2 = ||W||^2 - ||WM||_*^2 / ||M||^2
        nuclear = float(np.sum(np.linalg.svd(np.array(WM, dtype=float), compute_uv=False)))
        nM2, nW = float(sum(x**2 for x in M)), float(fro(W))
        kappa = nuclear / nM2
        out[f"nc3prime_{form}"] = math.sqrt(max(nW**2 - nuclear**2 / nM2, 0.0)) / max(
            nW, kappa * math.sqrt(nM2)
        )
        if form == "centred":
            trW, trB = Sw.trace(), Sb.trace()
            out["nc1_tirer_centred"] = float(trW / trB)
            out["nc1_rangamani_centred"] = float(trW / (trW + trB))
            logs = [sp.log(x) for x in norms]
            lmean = sum(logs) / K
            out["nc2_equinorm_log_centred"] = float(
                sp.N(sp.sqrt(sum((x - lmean) ** 2 for x in logs) / K), 30)
            )
            shift = sp.Rational(1, K - 1)
            out["nc2_max_angle_centred"] = float(
                sp.N(sum(abs(c + shift) for c in cos) / len(cos), 30)
            )
            out["nc2_interference_centred"] = float(
                sp.N(sum(c + shift for c in cos) / len(cos), 30)
            )
            unit = [M[:, k] / norms[k] for k in range(K)]
            out["nc2_uniformity_centred"] = float(
                sp.N(
                    sum(
                        -sp.log(fro(unit[k] - unit[l]))
                        for k, l in itertools.combinations(range(K), 2)
                    )
                    / len(cos),
                    30,
                )
            )
            wc = [(W[k, :] * M[:, k])[0] / (fro(W[k, :]) * norms[k]) for k in range(K)]
            wmean = sum(wc) / K
            out["nc3_uniform_duality_centred"] = float(
                sp.N(sp.sqrt(sum((c - wmean) ** 2 for c in wc) / K) / wmean, 30)
            )
            # the nonzero singular values exactly, from the eigenvalues of M^T M (in float64 the
            # square root of a rounding-level eigenvalue, ~1.5e-8, moved this value by 6e-8
            # on some machines' LAPACK and not on others)
            sv = [sp.sqrt(e) for e, m in (M.T * M).eigenvals().items() for _ in range(m) if e]
            p_sv = [x / sum(sv) for x in sv]
            out["effective_rank_centred"] = float(
                sp.N(sp.exp(-sum(x * sp.log(x) for x in p_sv)), 30)
            )
            # Han et al.: Sigma_B restricted to its top K-1 eigenvectors (rank K-1 here: = pinv)
            lam, V = np.linalg.eigh(np.array(Sb, dtype=float))
            top = np.argsort(lam)[::-1][: K - 1]
            inv = V[:, top] @ np.diag(1 / lam[top]) @ V[:, top].T
            out["nc1_han_centred"] = float(np.trace(np.array(Sw, dtype=float) @ inv) / K)
    var = {k: sum(((h - mu[k]).T * (h - mu[k]))[0] for h in H[k]) / n[k] for k in range(K)}
    cd = [
        (var[k] + var[l]) / (2 * ((mu[k] - mu[l]).T * (mu[k] - mu[l]))[0])
        for k, l in itertools.combinations(range(K), 2)
    ]
    out["nc1_cdnv"] = float(sum(cd) / len(cd))
    G0 = sp.Matrix.hstack(*[mu[k] for k in range(K)])
    out["nc2_of_uncentred"] = dist(G0.T * G0, sp.eye(K) / sp.sqrt(K))
    out["nc2_etf_classifier"] = dist(W * W.T, etf)
    b = sp.Matrix(B)
    wrong = wrong0 = 0
    for k in range(K):
        for h in H[k]:
            d2 = [((h - mu[j]).T * (h - mu[j]))[0] for j in range(K)]
            near = d2.index(min(d2))
            assert d2.count(min(d2)) == 1
            logits = list(W * h + b)
            logits0 = list(W * h)
            assert logits.count(max(logits)) == 1 and logits0.count(max(logits0)) == 1
            wrong += logits.index(max(logits)) != near
            wrong0 += logits0.index(max(logits0)) != near
    out["nc4"] = wrong / N
    out["nc4_no_bias"] = wrong0 / N
    return out


GOLDEN = _golden()


def test_every_value_has_a_golden_and_agrees() -> None:
    """measure() on the instance: every key it returns has an independent golden value here,
    and agrees with it to 1e-12 (relative)."""
    X, y = arrays()
    values = measure(X, y, np.array(W_ROWS, float), np.array(B, float)).values
    assert set(values) == set(GOLDEN)
    for key, value in values.items():
        assert value == pytest.approx(GOLDEN[key], rel=1e-12, abs=1e-15), key


def test_the_golden_values_are_not_degenerate() -> None:
    """The instance separates the conventions: no two NC1 forms coincide, NC4 is not 0."""
    nc1s = [
        GOLDEN[k] for k in ("nc1_centred", "nc1_tirer_centred", "nc1_rangamani_centred", "nc1_cdnv")
    ]
    assert len({round(v, 12) for v in nc1s}) == 4
    assert GOLDEN["nc3_zhu_centred"] != pytest.approx(GOLDEN["nc3_self_duality_centred"])
    assert 0 < GOLDEN["nc4"] < 1


def test_streamed_file_equals_in_memory(tmp_path: Path) -> None:
    """The same instance from .npy (rows of 3), .npz and transposed: identical values."""
    X, y = arrays()
    np.save(tmp_path / "X.npy", X.astype(np.float32))
    np.save(tmp_path / "y.npy", y)
    np.savez_compressed(tmp_path / "a.npz", X=X.T, y=y)
    W, b = np.array(W_ROWS, float), np.array(B, float)
    for spec, labels in ((tmp_path / "X.npy", tmp_path / "y.npy"), (f"{tmp_path / 'a.npz'}:X", y)):
        values = measure_file(spec, labels, W, b, chunk_rows=3).values
        for key, value in values.items():
            assert value == pytest.approx(GOLDEN[key], rel=1e-12, abs=1e-15), (spec, key)


def test_simplex_etf_goldens() -> None:
    """Collapsed features on a simplex ETF (K = 4): NC1 = NC2 = 0, equiangularity 0, the
    uniformity at its minimum -1/2 log(2K/(K-1)), effective rank K-1; W = M^T gives NC3 = 0."""
    Kq = 4
    M = np.eye(Kq) - 1 / Kq
    labels = np.repeat(np.arange(Kq), 3)
    H = M[:, labels]
    v = measure(H, labels, M.T).values
    assert v["nc1_centred"] == 0.0 and v["nc2_etf_centred"] < 1e-14
    assert v["nc2_uniformity_centred"] == pytest.approx(
        -0.5 * math.log(2 * Kq / (Kq - 1)), rel=1e-13
    )
    assert v["effective_rank_centred"] == pytest.approx(Kq - 1, rel=1e-12)
    assert v["nc3_zhu_centred"] < 1e-14 and v["nc3_self_duality_centred"] < 1e-14
    assert v["nc3_uniform_duality_centred"] < 1e-14 and v["nc4"] == 0.0


if __name__ == "__main__":
    for key, value in GOLDEN.items():
        print(f"{key}\t{value:.12g}")
