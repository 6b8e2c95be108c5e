"""``verify metrics`` side by side with the torch-based metric libraries, in one run.

Usage, from the repository root::

    python benchmarks/metrics_peers.py --peers-dir /tmp/peers --peer-python /tmp/peervenv/bin/python
    python benchmarks/metrics_peers.py ... --only agreement     # the ten feature sets only
    python benchmarks/metrics_peers.py --render                 # the section again from the JSON

Peers (their code is **not** part of nc-verify and is never copied into it): each is imported
from an extracted snapshot of its repository, ``DIR/<owner>_<name>`` under ``--peers-dir``
(environment ``NC_PEERS_DIR``), or from ``--rhubarbwu``, ``--tding1``, ``--jinxinzhou``
(environment ``NC_PEER_RHUBARBWU`` ...), and run by ``--peer-python`` (environment
``NC_PEER_PYTHON``), the python of a separate virtual environment with torch, numpy and scipy.
A peer whose folder or python is missing is a row saying so.

- rhubarbwu/neural-collapse: its accumulators (``MeanAccumulator``, ``CovarAccumulator``,
  ``VarNormAccumulator``, ``DecAccumulator``) over batches, then its measure functions.
- tding1/Neural-Collapse (``validate_NC.py``) and jinxinzhou/nc_loss (``evaluate.py``): their
  ``compute_info``, ``compute_Sigma_W``, ``compute_Sigma_B``, ``compute_ETF``,
  ``compute_W_H_relation``, fed by a stand-in model (the identity backbone: its features are
  the batch, its logits W h + b) and data loader; NC1 as their ``main()`` forms it,
  tr(Sigma_W pinv(Sigma_B)) / K with ``scipy.linalg.pinv``. Both scripts import torchvision
  for their data sets only; it is replaced by an empty stand-in module (torchvision does not
  install beside the CPU torch here). Their top-1/top-5 accuracy (``compute_accuracy``) is
  replaced by a stub (K = 3 has no top 5; accuracies are not compared), ``Tensor.cuda`` by
  the identity (CPU only), and tding1's hard-coded CIFAR-10 counts by the set's counts.

Two parts:

- ``agreement``: ten float64 feature sets (:func:`feature_sets`); every tool computes in
  float64 (torch's default dtype set to float64 in the peers' processes, so their
  ``torch.eye``/``torch.empty`` are float64 too); relative difference per metric where the
  definitions coincide (:data:`PAIRS`), and the definitions that differ named with why.
- ``scale``: N = 200,000, d = 512, K = 100 float32 in an .npy file (benchmarks/metrics_scale.py's
  generator); each tool in a fresh process with single-threaded BLAS/torch; wall time from
  outside (interpreter start and imports included) and peak resident memory (the child's own
  ``VmHWM`` at its end: ``wait4``'s ``ru_maxrss`` also counts the parent's pages that the
  forked child held until its exec, which made every row the parent's 559 MiB in a first run).
  nc-verify streams the memory-mapped file (``measure_file``); the peers get batches of
  ``--batch`` rows read from the file into fresh memory (a data loader's way: no memory map
  counted in their resident memory), in their own default dtype (float32; rhubarbwu also in
  float64, its ``dtype`` option).

Writes reports/benchmarks_metrics.json (key ``peers``, the rest of the file kept) and the
section between ``<!-- metrics-peers:start -->`` and ``<!-- metrics-peers:end -->`` of
reports/benchmarks.md, placed right after the metrics-scale section (the mechanism of
metrics_scale.py; benchmarks/run.py keeps every such section when it rewrites the page).

Only numpy and the standard library are imported at module level: the peer processes run this
file with the peer environment's python, which has no nc-verify.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- metrics-peers:start -->", "<!-- metrics-peers:end -->"
SCALE_END = "<!-- metrics-scale:end -->"
SINGLE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
PEERS = {
    "rhubarbwu/neural-collapse": ("rhubarbwu", "rhubarbwu_neural-collapse"),
    "tding1/Neural-Collapse": ("tding1", "tding1_Neural-Collapse"),
    "jinxinzhou/nc_loss": ("jinxinzhou", "jinxinzhou_nc_loss"),
}
SCALE = (200_000, 512, 100)

# (peer, peer's key, nc-verify's key, what nc-verify is given): where the definitions coincide.
# "W_centred": nc-verify is given W - 1 mean(W) (jinxinzhou centres the classifier's rows).
PAIRS: list[tuple[str, str, str, str]] = [
    ("rhubarbwu/neural-collapse", "nc1_pinv", "nc1_centred", "W"),
    ("rhubarbwu/neural-collapse", "nc1_svd", "nc1_han_centred", "W"),
    ("rhubarbwu/neural-collapse", "nc1_quotient", "nc1_tirer_centred", "W"),
    ("rhubarbwu/neural-collapse", "nc1_cdnv", "nc1_cdnv", "W"),
    ("rhubarbwu/neural-collapse", "nc2_etf_error", "nc2_etf_centred", "W"),
    ("rhubarbwu/neural-collapse", "nc2_equinorm", "nc2_equinorm_centred", "W"),
    ("rhubarbwu/neural-collapse", "nc2_log_kernel_mean", "nc2_uniformity_centred", "W"),
    ("rhubarbwu/neural-collapse", "nc3_self_duality_error", "nc3_zhu_centred", "W"),
    ("rhubarbwu/neural-collapse", "nc3_uniform_duality", "nc3_uniform_duality_centred", "W"),
    ("rhubarbwu/neural-collapse", "nc4_mismatch", "nc4_no_bias", "W"),
    ("tding1/Neural-Collapse", "nc1", "nc1_centred", "W"),
    ("tding1/Neural-Collapse", "nc2_etf_w", "nc2_etf_classifier", "W"),
    ("tding1/Neural-Collapse", "nc3_wh", "nc3_zhu_centred", "W"),
    ("jinxinzhou/nc_loss", "nc1", "nc1_centred", "W"),
    ("jinxinzhou/nc_loss", "nc2_etf_w", "nc2_etf_classifier", "W_centred"),
    ("jinxinzhou/nc_loss", "nc3_wh", "nc3_zhu_centred", "W_centred"),
]

DIFFER = [
    "rhubarbwu `MeanAccumulator.compute()` centres by the mean of the class means by default "
    "(`weighted=False`), not by the sample mean; its `weighted=True` raises a shape error "
    "(counts (K, 1) @ means (K, d)), so the harness forms the sample mean from the "
    "accumulator's own counts and means. Both centrings are compared, with nc-verify's "
    "`class-mean` and `sample-mean`.",
    "rhubarbwu `self_duality_error` is Zhu et al.'s ||W M/||W M|| - (I - J)/sqrt(K-1)|| "
    "(nc-verify `nc3_zhu_centred`), not the self-duality distance ||W^T/||W|| - M/||M|| || "
    "(nc-verify `nc3_self_duality_centred`, which no torch peer computes).",
    "rhubarbwu `nc2_equinorm` and `nc3_uniform_duality` are this harness's reductions (population "
    "std / mean) of the library's per-class `mean_norms` and `similarities(cos=True)`; the "
    "README's `similarities(...).var()` (variance of dot products, not cosines) is another "
    "quantity and is not compared.",
    "rhubarbwu `kernel_stats(..., kernel=log_kernel)[0]` (mean of log 1/||m^_k - m^_l||) is "
    "nc-verify's hyperspherical uniformity; its `[1]` (the variance) and `dist_kernel`'s "
    "variance have no nc-verify counterpart.",
    "rhubarbwu `clf_ncc_agreement` decides by argmax W h without the bias: 1 - agreement is "
    "nc-verify `nc4_no_bias`; its nearest centre uses the expansion ||h||^2 + ||m||^2 - 2 h.m.",
    "jinxinzhou `compute_ETF` and `compute_W_H_relation` centre the classifier's rows "
    "(W - 1 mean_k w_k^T) first; tding1's and Zhu et al.'s do not. They are compared with "
    "nc-verify given the centred W (the `W_centred` rows).",
    "tding1/jinxinzhou `compute_Wh_b_relation` (||W h_G + b||) has no nc-verify counterpart.",
    "NC1 of the CDNV: rhubarbwu divides the class variances by n_k, as Galanti et al. and "
    "nc-verify (nc-toolbox by n_k - 1).",
]


# --- the feature sets ------------------------------------------------------------------------


def _three_means(eps: float, d: int = 2, offset: float = 0.0, n: int = 40, seed: int = 0):
    """Class means exactly (-1, 0), (1, 0), (0, eps) (zero-padded), noise 0.01 centred within
    each class, plus ``offset`` on every coordinate (tests/test_metrics_defects.py's data)."""
    rng = np.random.default_rng(seed)
    means = np.zeros((3, d))
    means[:, :2] = [[-1.0, 0.0], [1.0, 0.0], [0.0, eps]]
    labels = np.repeat(np.arange(3), n)
    noise = 0.01 * rng.standard_normal((3, n, d))
    noise -= noise.mean(axis=1, keepdims=True)
    return means[labels] + noise.reshape(-1, d) + offset, labels


def _clustered(rng: np.random.Generator, counts: list[int], d: int, spread: float, noise: float):
    K = len(counts)
    labels = np.repeat(np.arange(K), counts)
    rng.shuffle(labels)
    centres = spread * rng.standard_normal((K, d))
    return centres[labels] + noise * rng.standard_normal((labels.size, d)), labels


def _etf(K: int, d: int, seed: int) -> np.ndarray:
    Q = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, K)))[0]
    return (Q @ (np.eye(K) - 1.0 / K) * np.sqrt(K / (K - 1))).T


def feature_sets() -> list[dict[str, Any]]:
    """Ten feature sets (X (N, d) float64, labels, W (K, d), b (K,)), every class present."""
    out: list[dict[str, Any]] = []

    def add(name: str, what: str, X: np.ndarray, y: np.ndarray, seed: int, W=None) -> None:
        rng = np.random.default_rng(1000 + seed)
        K = int(y.max()) + 1
        means = np.stack([X[y == k].mean(axis=0) for k in range(K)])
        if W is None:  # a classifier near the centred class means, not exactly them
            W = means - means.mean(axis=0) + 0.3 * rng.standard_normal(means.shape)
        b = 0.1 * rng.standard_normal(K)
        out.append({"name": name, "what": what, "X": X, "y": y.astype(np.int64), "W": W, "b": b})

    rng = np.random.default_rng(1)
    X, y = _clustered(rng, [25] * 4, 6, 2.0, 0.5)
    add("balanced", "K = 4, d = 6, n = 25 each, noise 0.5", X, y, 1)
    rng = np.random.default_rng(5)
    X, y = _clustered(rng, [5, 20, 60], 4, 2.0, 0.3)
    add("imbalanced-3", "K = 3, d = 4, counts 5, 20, 60", X, y, 2)
    rng = np.random.default_rng(7)
    X, y = _clustered(rng, [int(200 * 0.7**k) + 3 for k in range(10)], 32, 1.0, 0.4)
    add("imbalanced-10", "K = 10, d = 32, counts 200 * 0.7^k + 3", X, y, 3)
    K, n = 5, 30
    y = np.repeat(np.arange(K), n)
    X = _etf(K, 8, 4)[y] + 1e-3 * np.random.default_rng(4).standard_normal((K * n, 8))
    add(
        "near-etf",
        "simplex ETF K = 5 in d = 8 plus noise 1e-3, W = the ETF",
        X,
        y,
        4,
        _etf(K, 8, 4),
    )
    X, y = _three_means(6e-5)
    add("eps-6e-5", "means (-1,0), (1,0), (0,6e-5), noise 0.01 (issue 16, defect 1)", X, y, 5)
    X, y = _three_means(5e-5)
    add("eps-5e-5", "the same with eps = 5e-5", X, y, 6)
    X, y = _three_means(0.5, d=3, offset=1e7)
    add("offset-1e7", "means (-1,0,0), (1,0,0), (0,0.5,0) + 1e7, noise 0.01 (defect 1)", X, y, 7)
    rng = np.random.default_rng(4)
    K, N = 5, 400
    y = np.concatenate([np.arange(K), rng.integers(0, K, N - K)])
    X = rng.standard_normal((K, 3))[y] + rng.standard_normal((N, 3)) + 1e8
    add("offset-1e8", "K = 5, d = 3, unit spread + 1e8 (defect 4)", X, y, 8)
    rng = np.random.default_rng(9)
    X, y = _clustered(rng, [40] * 10, 5, 2.0, 0.5)
    add("d-below-K", "K = 10 classes in d = 5 (Sigma_B of rank d)", X, y, 9)
    rng = np.random.default_rng(10)
    X, y = _clustered(rng, list(rng.integers(150, 350, 20)), 64, 3.0, 1.0)
    add("bench-like", "K = 20, d = 64, N ~ 5000, the scale case's kind", X, y, 10)
    return out


def write_sets(folder: Path) -> list[dict[str, Any]]:
    sets = feature_sets()
    for i, s in enumerate(sets):
        for key in ("X", "y", "W", "b"):
            np.save(folder / f"{i}_{key}.npy", s[key])
    return sets


# --- the peers, each in the peer environment's python ---------------------------------------


def _own_peak() -> int:
    """This process's peak resident memory in bytes: VmHWM of /proc/self/status, which
    counts only this program's own address space (wait4's ru_maxrss also counts the
    parent's pages that a forked child held until its exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return -1


class _Stub(types.ModuleType):
    """An empty module whose every attribute is an inert class (torchvision's data sets)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return type(name, (), {"__init__": lambda self, *a, **k: None})


def _peer_setup(source: str, dtype: str) -> Any:
    import torch

    torch.set_num_threads(1)
    torch.set_default_dtype(getattr(torch, dtype))
    torch.Tensor.cuda = lambda self, *a, **k: self  # type: ignore[method-assign]
    for m in (
        "torchvision",
        "torchvision.datasets",
        "torchvision.transforms",
        "torchvision.models",
    ):
        sys.modules.setdefault(m, _Stub(m))
    sys.path.insert(0, source)
    return torch


def _batches(path: Path, labels: np.ndarray, rows: int, dtype: np.dtype):
    """Batches (features, labels) read from an .npy file into fresh memory (no memory map)."""
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        read_header = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        shape, fortran, stored = read_header(f)
        assert not fortran
        N, d = shape
        for a in range(0, N, rows):
            c = min(rows, N - a)
            X = np.fromfile(f, dtype=stored, count=c * d).reshape(c, d)
            yield X.astype(dtype, copy=False), labels[a : a + c]


class _Loader:
    """A re-iterable data loader over the file's batches, as torch tensors."""

    def __init__(self, torch: Any, path: Path, labels: np.ndarray, rows: int, dtype: np.dtype):
        self.torch, self.path, self.labels, self.rows, self.dtype = torch, path, labels, rows, dtype

    def __iter__(self):
        for X, y in _batches(self.path, self.labels, self.rows, self.dtype):
            yield self.torch.from_numpy(X), self.torch.from_numpy(y)


def run_rhubarbwu(torch: Any, loader: _Loader, W: np.ndarray, K: int, d: int, dtype: Any):
    from neural_collapse.accumulate import (  # type: ignore[import-not-found]
        CovarAccumulator,
        DecAccumulator,
        MeanAccumulator,
        VarNormAccumulator,
    )

    Wt = torch.from_numpy(W).to(dtype)
    mean_accum = MeanAccumulator(K, d, "cpu", dtype=dtype)
    for X, y in loader:
        mean_accum.accumulate(X, y)
    means, mG_class = mean_accum.compute()  # the library's default: the mean of the class means
    # compute(weighted=True) raises here (ns (K, 1) @ avg (K, d)); the sample mean from the
    # accumulator's own counts and means instead
    ns = mean_accum.ns_samples.to(dtype)
    mG_sample = ns @ means / ns.sum()
    covar_accum = CovarAccumulator(K, d, "cpu", dtype=dtype, M=means)
    var_accum = VarNormAccumulator(K, d, "cpu", dtype=dtype, M=means)
    dec_accum = DecAccumulator(K, d, "cpu", dtype=dtype, M=means, W=Wt)
    for X, y in loader:
        covar_accum.accumulate(X, y, means)
        var_accum.accumulate(X, y, means)
        dec_accum.accumulate(X, y, Wt, means)
    covar_within = covar_accum.compute()
    var_norms, _ = var_accum.compute()
    stats = (Wt, means, covar_within, var_norms, dec_accum)
    return {
        "sample-mean": _rhubarbwu_values(*stats, mG_sample),
        "class-mean": _rhubarbwu_values(*stats, mG_class),
    }


def _rhubarbwu_values(Wt, means, covar_within, var_norms, dec_accum, mG) -> dict[str, Any]:
    """rhubarbwu's measures at one global mean mG; a metric it cannot compute here is the
    error it raised."""
    from neural_collapse.kernels import kernel_stats, log_kernel  # type: ignore[import-not-found]
    from neural_collapse.measure import (  # type: ignore[import-not-found]
        clf_ncc_agreement,
        covariance_ratio,
        mean_norms,
        self_duality_error,
        similarities,
        simplex_etf_error,
        variability_cdnv,
    )

    def equinorm() -> Any:
        norms = mean_norms(means, mG)
        return norms.std(correction=0) / norms.mean()

    def uniform_duality() -> Any:
        cos = similarities(Wt, means, mG, cos=True)
        return cos.std(correction=0) / cos.mean().abs()

    metrics = {
        "nc1_pinv": lambda: covariance_ratio(covar_within, means, mG),
        "nc1_svd": lambda: covariance_ratio(covar_within, means, mG, "svd"),
        "nc1_quotient": lambda: covariance_ratio(covar_within, means, mG, "quotient"),
        "nc1_cdnv": lambda: variability_cdnv(var_norms, means),
        "nc2_etf_error": lambda: simplex_etf_error(means, mG),
        "nc2_equinorm": equinorm,
        "nc2_log_kernel_mean": lambda: kernel_stats(means, mG, kernel=log_kernel)[0],
        "nc3_self_duality_error": lambda: self_duality_error(Wt, means, mG),
        "nc3_uniform_duality": uniform_duality,
        "nc4_mismatch": lambda: 1.0 - clf_ncc_agreement(dec_accum),
    }
    v: dict[str, Any] = {}
    for key, f in metrics.items():
        try:
            v[key] = float(f())
        except Exception as e:  # a metric the library cannot compute here
            v[key] = f"error: {type(e).__name__}: {str(e).splitlines()[0][:120]}"
    return v


def _stand_in_model(torch: Any, W: np.ndarray, b: np.ndarray, dtype: Any, hook: Any):
    """The identity backbone: features = the batch (a fresh tensor, as a network's output),
    logits W h + b; ``hook`` receives the classifier's input as a forward pre-hook would."""
    Wt, bt = torch.from_numpy(W).to(dtype), torch.from_numpy(b).to(dtype)

    def model(inputs: Any) -> Any:
        features = inputs.clone()
        logits = features @ Wt.T + bt
        if hook is None:
            return logits, features
        hook(None, (features,))
        return (logits,)

    return model, Wt


def run_tding1(torch: Any, loader: _Loader, W: np.ndarray, b: np.ndarray, counts: list[int], dtype):
    import scipy.linalg as scilin
    import validate_NC as v  # type: ignore[import-not-found]

    v.compute_accuracy = lambda output, target, topk=(1,): [torch.zeros(()) for _ in topk]
    v.CIFAR10_TRAIN_SAMPLES = tuple(counts)  # its compute_info divides by hard-coded counts
    args = types.SimpleNamespace(device="cpu", dataset="cifar10")
    fc_features = v.FCFeatures()
    model, Wt = _stand_in_model(torch, W, b, dtype, fc_features)
    mu_G, mu_c, _, _ = v.compute_info(args, model, fc_features, loader, isTrain=True)
    Sigma_W = v.compute_Sigma_W(args, model, fc_features, mu_c, loader, isTrain=True)
    Sigma_B = v.compute_Sigma_B(mu_c, mu_G)
    nc3, _ = v.compute_W_H_relation(Wt, mu_c, mu_G)
    return {
        "sample-mean": {
            "nc1": float(np.trace(Sigma_W @ scilin.pinv(Sigma_B)) / len(mu_c)),
            "nc2_etf_w": float(v.compute_ETF(Wt)),
            "nc3_wh": float(nc3),
        }
    }


def run_jinxinzhou(torch: Any, loader: _Loader, W: np.ndarray, b: np.ndarray, dtype: Any):
    import evaluate as e  # type: ignore[import-not-found]
    import scipy.linalg as scilin

    e.compute_accuracy = lambda output, target, topk=(1,): [torch.zeros(()) for _ in topk]
    model, Wt = _stand_in_model(torch, W, b, dtype, None)
    mu_G, mu_c, before, _, _, _ = e.compute_info(model, loader, "cpu")
    Sigma_W = e.compute_Sigma_W(before, mu_c, "cpu")
    Sigma_B = e.compute_Sigma_B(mu_c, mu_G)
    nc3, _ = e.compute_W_H_relation(Wt, mu_c, mu_G, "cpu")
    return {
        "sample-mean": {
            "nc1": float(np.trace(Sigma_W @ scilin.pinv(Sigma_B)) / len(mu_c)),
            "nc2_etf_w": float(e.compute_ETF(Wt, "cpu")),
            "nc3_wh": float(nc3),
        }
    }


def peer_child(peer: str, source: str, files: list[Path], dtype: str, rows: int) -> None:
    """Run one peer on each (X, y, W, b) of ``files`` (paths of X.npy; siblings y, W, b)."""
    torch = _peer_setup(source, "float64" if dtype == "float64" else "float32")
    tdtype = getattr(torch, dtype)
    npdtype = np.dtype(dtype)
    results = []
    for x in files:
        y = np.load(x.with_name(x.name.replace("X", "y")))
        W = np.load(x.with_name(x.name.replace("X", "W")))
        b = np.load(x.with_name(x.name.replace("X", "b")))
        K, d = W.shape
        counts = np.bincount(y, minlength=K).tolist()
        loader = _Loader(torch, x, y, rows, npdtype)
        Wd, bd = W.astype(npdtype), b.astype(npdtype)
        t0 = time.perf_counter()
        try:
            if peer == "rhubarbwu/neural-collapse":
                values = run_rhubarbwu(torch, loader, Wd, K, d, tdtype)
            elif peer == "tding1/Neural-Collapse":
                values = run_tding1(torch, loader, Wd, bd, counts, tdtype)
            else:
                values = run_jinxinzhou(torch, loader, Wd, bd, tdtype)
            results.append({"values": values, "compute_seconds": time.perf_counter() - t0})
        except Exception as e:
            results.append({"error": f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"})
    print(json.dumps({"torch": torch.__version__, "results": results, "own_peak": _own_peak()}))


# --- nc-verify, in this project's python -----------------------------------------------------


def direct_reference(X: np.ndarray, y: np.ndarray, W: np.ndarray, drop_first: bool = False):
    """NC1 (Papyan, sample-mean centring) and Zhu's NC3 straight from their formulas, the
    means and residuals in extended precision (``np.longdouble``), then ``np.linalg.pinv``
    in float64. ``drop_first``: each class's first sample left out of Sigma_W (what
    jinxinzhou's ``compute_info`` does on the CPU, see :data:`FINDINGS`)."""
    Xl = np.asarray(X, dtype=np.longdouble)
    K = int(y.max()) + 1
    mu = np.stack([Xl[y == k].mean(axis=0) for k in range(K)])
    R = Xl - mu[y]
    if drop_first:
        R[[int(np.flatnonzero(y == k)[0]) for k in range(K)]] = 0
    Sw = np.asarray(R.T @ R / len(y), dtype=np.float64)
    M = np.asarray(mu - Xl.mean(axis=0), dtype=np.float64)  # (K, d), centred
    nc1 = float(np.trace(Sw @ np.linalg.pinv(M.T @ M / K))) / K
    WM = W @ M.T
    target = (np.eye(K) - 1.0 / K) / np.sqrt(K - 1)
    return {"nc1": nc1, "nc3_zhu": float(np.linalg.norm(WM / np.linalg.norm(WM) - target))}


def ours_values(X: Any, y: np.ndarray, W: np.ndarray, b: np.ndarray) -> dict[str, Any]:
    from verify.metrics import measure

    out = {}
    for centring in ("sample-mean", "class-mean"):
        m = measure(X, y, W, b, centring=centring)
        out[centring] = {k: _num(v) for k, v in m.values.items()}
    Wc = W - W.mean(axis=0)
    m = measure(X, y, Wc, b)
    out["W_centred"] = {k: _num(v) for k, v in m.values.items()}
    return out


def _num(v: Any) -> Any:
    return None if v is None else float(v)


def ours_child(folder: Path) -> None:
    from verify.metrics import measure_file

    t0 = time.perf_counter()
    m = measure_file(
        folder / "X.npy", folder / "y.npy", folder / "W.npy", folder / "b.npy", progress=False
    )
    values = {k: _num(v) for k, v in m.values.items()}
    seconds = time.perf_counter() - t0
    out = {"values": {"sample-mean": values}, "compute_seconds": seconds, "own_peak": _own_peak()}
    print(json.dumps(out))


# --- the parent ------------------------------------------------------------------------------


def run_measured(argv: list[str], timeout: float) -> dict[str, Any]:
    """Run ``argv`` with single-threaded BLAS: wall time, its JSON line (with the child's own
    peak memory) and wait4's ru_maxrss."""
    env = dict(os.environ, **SINGLE_THREAD)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, text=True, env=env)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                proc.returncode = -9
                return {"status": f"timeout after {timeout:.0f} s"}
            time.sleep(0.05)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        tail = stderr.strip().splitlines()[-1] if stderr.strip() else str(proc.returncode)
        return {"status": f"failed: {tail[:300]}"}
    out = json.loads(stdout.strip().splitlines()[-1])
    return {
        "status": "ok",
        "seconds": wall,
        "peak_bytes": out.pop("own_peak"),  # the child's own VmHWM
        "ru_maxrss_bytes": usage.ru_maxrss * 1024,  # wait4 (Linux: KiB), parent's pages too
        **out,
    }


def peer_sources(args: argparse.Namespace) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for peer, (short, folder) in PEERS.items():
        explicit = getattr(args, short) or os.environ.get(f"NC_PEER_{short.upper()}")
        path = (
            Path(explicit)
            if explicit
            else Path(args.peers_dir) / folder
            if args.peers_dir
            else None
        )
        out[peer] = str(path) if path is not None and path.is_dir() else None
    return out


def _skip(peer: str, source: str | None, python: str | None) -> str | None:
    if python is None or not Path(python).exists():
        return "not run: no peer python (--peer-python or NC_PEER_PYTHON, a venv with torch)"
    if source is None:
        return (
            f"not run: its code is absent (--peers-dir DIR with DIR/{PEERS[peer][1]}, or "
            f"--{PEERS[peer][0]} PATH)"
        )
    return None


def _peer_argv(python: str, peer: str, source: str, files: list[Path], dtype: str, rows: int):
    return [
        python,
        __file__,
        "--peer-child",
        peer,
        "--source",
        source,
        "--dtype",
        dtype,
        "--batch",
        str(rows),
        *map(str, files),
    ]


def _rel(a: Any, b: Any) -> float | str:
    if isinstance(b, str):
        return b
    if a is None or b is None:
        return "missing"
    if not (np.isfinite(a) and np.isfinite(b)):
        return 0.0 if a == b else float("inf")
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))


def compare(ours: dict[str, Any], peers: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows (peer, centring, peer key, our key, ours, theirs, relative difference)."""
    rows = []
    for peer, pkey, okey, given in PAIRS:
        theirs = peers.get(peer)
        if not theirs:
            continue
        for centring, values in theirs.items():
            mine = ours["W_centred"] if given == "W_centred" else ours.get(centring)
            if mine is None or pkey not in values:
                continue
            rows.append(
                {
                    "peer": peer,
                    "centring": centring,
                    "peer_key": pkey,
                    "ours_key": okey + (" (W centred)" if given == "W_centred" else ""),
                    "ours": mine.get(okey),
                    "theirs": values[pkey],
                    "rel": _rel(mine.get(okey), values[pkey]),
                }
            )
    return rows


def run_agreement(python: str | None, sources: dict[str, str | None], timeout: float):
    with tempfile.TemporaryDirectory(prefix="nc-peers-agree-") as tmp:
        folder = Path(tmp)
        sets = write_sets(folder)
        files = [folder / f"{i}_X.npy" for i in range(len(sets))]
        peer_runs: dict[str, Any] = {}
        for peer in PEERS:
            skip = _skip(peer, sources[peer], python)
            if skip:
                peer_runs[peer] = {"status": skip}
                continue
            assert python is not None and sources[peer] is not None
            argv = _peer_argv(python, peer, str(sources[peer]), files, "float64", 10_000)
            peer_runs[peer] = run_measured(argv, timeout)
        out = []
        for i, s in enumerate(sets):
            ours = ours_values(s["X"], s["y"], s["W"], s["b"])
            theirs = {}
            errors = {}
            for peer, run in peer_runs.items():
                if run.get("status") != "ok":
                    continue
                r = run["results"][i]
                if "error" in r:
                    errors[peer] = r["error"]
                else:
                    theirs[peer] = r["values"]
            ref = direct_reference(s["X"], s["y"], s["W"])
            reference = {
                "nc1_centred": [ours["sample-mean"]["nc1_centred"], ref["nc1"]],
                "nc3_zhu_centred": [ours["sample-mean"]["nc3_zhu_centred"], ref["nc3_zhu"]],
            }
            for peer, key in (
                ("tding1/Neural-Collapse", "nc1"),
                ("tding1/Neural-Collapse", "nc3_wh"),
                ("rhubarbwu/neural-collapse", "nc1_pinv"),
                ("rhubarbwu/neural-collapse", "nc3_self_duality_error"),
            ):
                value = theirs.get(peer, {}).get("sample-mean", {}).get(key)
                if isinstance(value, float):
                    reference[f"{peer} {key}"] = [value, ref["nc1" if "nc1" in key else "nc3_zhu"]]
            jz = theirs.get("jinxinzhou/nc_loss", {}).get("sample-mean", {}).get("nc1")
            if isinstance(jz, float):
                dropped = direct_reference(s["X"], s["y"], s["W"], drop_first=True)["nc1"]
                reference["jinxinzhou/nc_loss nc1 (first sample of each class dropped)"] = [
                    jz,
                    dropped,
                ]
            out.append(
                {
                    "set": s["name"],
                    "reference": {
                        k: {"value": v[0], "reference": v[1], "rel": _rel(*v)}
                        for k, v in reference.items()
                    },
                    "what": s["what"],
                    "N": int(s["X"].shape[0]),
                    "d": int(s["X"].shape[1]),
                    "K": int(s["W"].shape[0]),
                    "rows": compare(ours, theirs),
                    "peer_errors": errors,
                }
            )
    status = {p: r.get("status") for p, r in peer_runs.items()}
    return {"sets": out, "peer_status": status, "torch": _torch_of(peer_runs)}


def _torch_of(runs: dict[str, Any]) -> str | None:
    return next((r["torch"] for r in runs.values() if r.get("status") == "ok"), None)


def run_scale(
    python: str | None, sources: dict[str, str | None], timeout: float, rows: int, N: int
):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from metrics_scale import generated_case

    _, d, K = SCALE
    with generated_case("nc-peers-scale-", N, d, K) as (folder, generated, input_bytes):
        tools: list[tuple[str, list[str] | None, str]] = [
            ("nc-verify", [sys.executable, __file__, "--ours-child", str(folder)], "")
        ]
        for peer in PEERS:
            variants = ["float32", "float64"] if peer.startswith("rhubarbwu") else ["float32"]
            for dtype in variants:
                skip = _skip(peer, sources[peer], python)
                argv = (
                    None
                    if skip
                    else _peer_argv(
                        python or "", peer, str(sources[peer]), [folder / "X.npy"], dtype, rows
                    )
                )
                tools.append((f"{peer} ({dtype})", argv, skip or ""))
        results = []
        load = []
        for name, argv, skip in tools:  # one after another, each in a fresh process
            load.append(os.getloadavg()[0])
            if argv is None:
                results.append({"tool": name, "status": skip})
                continue
            r = run_measured(argv, timeout)
            if r.get("status") == "ok" and "results" in r:
                inner = r.pop("results")[0]
                if "error" in inner:
                    r = {"status": f"failed: {inner['error']}"}
                else:
                    r.update(inner)
            results.append({"tool": name, **r})
            print(
                f"{name}: {r.get('status')} {r.get('seconds', 0):.1f} s",
                file=sys.stderr,
                flush=True,
            )
        ours = next((r for r in results if r["tool"] == "nc-verify" and r["status"] == "ok"), None)
        for r in results:
            if ours is None or r is ours or r.get("status") != "ok":
                continue
            peer = r["tool"].split(" (")[0]
            r["agreement"] = compare({**ours["values"], "W_centred": None}, {peer: r["values"]})
    return {
        "N": N,
        "d": d,
        "K": K,
        "input_bytes": input_bytes,
        "generate_seconds": generated,
        "batch_rows": rows,
        "load_before_each": load,
        "rows": results,
    }


# --- the report ------------------------------------------------------------------------------


# both values below this: a difference of rounding residues, not shown as relative
NEAR_ZERO = 1e-12


def _cell(row: dict[str, Any]) -> float | str:
    """The row's relative difference, or a string when it is not a number to compare."""
    a, b = row["ours"], row["theirs"]
    if isinstance(b, str):
        return "not computed"
    if isinstance(a, float) and isinstance(b, float) and max(abs(a), abs(b)) < NEAR_ZERO:
        return 0.0
    return row["rel"]


OFFSET_SETS = ("offset-1e7", "offset-1e8")
ILL_CONDITIONED = ("near-etf", "eps-6e-5", "eps-5e-5")


def _findings(agree: dict[str, Any]) -> list[str]:
    """What the numbers say, computed from them (the page's bullet points)."""
    sets = agree["sets"]
    lines = []
    plain = [s for s in sets if s["set"] not in OFFSET_SETS]
    for peer in PEERS:
        rels = [
            (_cell(r), r["peer_key"], s["set"])
            for s in plain
            for r in s["rows"]
            if r["peer"] == peer
            and not isinstance(_cell(r), str)
            and not (peer == "jinxinzhou/nc_loss" and r["peer_key"] == "nc1")
        ]
        if rels:
            worst = max(rels)
            row = next(
                r
                for s in plain
                if s["set"] == worst[2]
                for r in s["rows"]
                if r["peer"] == peer and r["peer_key"] == worst[1]
            )
            well = [x for x in rels if x[2] not in ILL_CONDITIONED]
            lines.append(
                f"- **{peer}**, the {len(plain)} sets without a common offset: every compared "
                f"value within {worst[0]:.1e} of nc-verify's (largest: `{worst[1]}` on "
                f"{worst[2]}, {row['theirs']:.6g} against {row['ours']:.6g}, absolute "
                f"{abs(row['theirs'] - row['ours']):.1e})"
                + (
                    f"; on the {len(plain) - len(ILL_CONDITIONED)} well-conditioned ones within "
                    f"{max(well)[0]:.1e}"
                    if well
                    else ""
                )
                + ("; NC1 apart, see below." if peer == "jinxinzhou/nc_loss" else ".")
            )
    lines.append(
        "- Above 1e-13 without an offset, the compared quantity itself is ill-conditioned: on "
        "near-etf, `nc3_uniform_duality` is the spread of cosines equal to 1 - O(1e-8) and "
        "`nc2_etf_error`, `nc3_*` are distances of order 1e-4 from the ETF; on eps-6e-5 and "
        "eps-5e-5 one centred class mean has norm ~4e-5 built from coordinates of order 1, so "
        "each float64 computation carries a relative rounding of ~1e-16 / 4e-5 there "
        "(rhubarbwu's `normalize` also divides by ||x|| + 2.2e-16)."
    )
    for s in sets:
        if s["set"] not in OFFSET_SETS:
            continue
        ref = s["reference"]
        peers_nc1 = [
            f"{k.split(' ')[0].split('/')[0]} {v['rel']:.1e}"
            for k, v in ref.items()
            if k.endswith("nc1") or k.endswith("nc1_pinv")
        ]
        lines.append(
            f"- **{s['set']}**: NC1 from its formula with the means and residuals in extended "
            f"precision (`np.longdouble`, 64-bit mantissa) agrees with nc-verify to "
            f"{ref['nc1_centred']['rel']:.1e} and with the peers to " + ", ".join(peers_nc1) + " "
            f"(Zhu's NC3: nc-verify {ref['nc3_zhu_centred']['rel']:.1e}). The peers sum the "
            "features about 0, so a common offset costs them digits; nc-verify sums about a "
            "point inside the data."
        )
    jz = [
        (
            s["set"],
            r["rel"],
            s["reference"].get("jinxinzhou/nc_loss nc1 (first sample of each class dropped)"),
        )
        for s in sets
        for r in s["rows"]
        if r["peer"] == "jinxinzhou/nc_loss"
        and r["peer_key"] == "nc1"
        and isinstance(r["rel"], float)
    ]
    if jz:
        worst_drop = max(x[2]["rel"] for x in jz if x[2] and x[0] not in OFFSET_SETS)
        lines.append(
            "- **jinxinzhou NC1** differs by "
            f"{min(x[1] for x in jz):.1e} to {max(x[1] for x in jz):.1e}: a defect of "
            "`evaluate.py` on the CPU. `compute_info` stores each class's first feature row "
            "as `mu_c_dict[y] = features[b, :]` (a view) and appends "
            "`features[b, :].detach().cpu().numpy()` to the class's list; on the CPU `.cpu()` "
            "returns the same tensor and `.numpy()` shares its memory, so the in-place "
            "`mu_c_dict[y] += ...` and `/= n` turn that stored row into the class mean, and "
            "Sigma_W loses one sample per class (on a GPU `.cpu()` copies and the defect is "
            "absent). Confirmed: NC1 from its formula with each class's first sample left out "
            f"of Sigma_W reproduces jinxinzhou's value to {worst_drop:.1e} on every set "
            "without an offset."
        )
    svd_fail = sorted(
        {
            s["set"]
            for s in sets
            for r in s["rows"]
            if r["peer_key"] == "nc1_svd" and isinstance(r["theirs"], str)
        }
    )
    if svd_fail:
        lines.append(
            "- **rhubarbwu `nc1_svd`** (Han et al.) raises on "
            + ", ".join(svd_fail)
            + ": `scipy.sparse.linalg.svds(Sigma_B, k=K-1)` needs K - 1 < d; nc-verify's "
            "`nc1_han_centred` takes the top min(K-1, d) directions."
        )
    for s in sets:
        for r in s["rows"]:
            if (
                r["peer_key"] == "nc4_mismatch"
                and r["centring"] == "sample-mean"
                and isinstance(r["rel"], float)
                and r["rel"] > 1e-12
            ):
                lines.append(
                    f"- **rhubarbwu NC4** on {s['set']}: {r['theirs']:.4g} against "
                    f"nc-verify's {r['ours']:.4g}: its nearest class centre expands "
                    "||h||^2 + ||m||^2 - 2 h.m, which loses the decisions under an offset "
                    "(issue 16's defect 4, fixed in nc-verify)."
                )
    return lines


def _scale_findings(scale: dict[str, Any]) -> list[str]:
    """nc-verify against the fastest peer and against 1.5x the input's size (issue 16)."""
    ok = [r for r in scale["rows"] if r.get("status") == "ok"]
    ours = next((r for r in ok if r["tool"] == "nc-verify"), None)
    others = [r for r in ok if r["tool"] != "nc-verify"]
    if ours is None or not others:
        return []
    fastest = min(others, key=lambda r: r["seconds"])
    size = scale["input_bytes"]
    faster = ours["seconds"] < fastest["seconds"]
    within = ours["peak_bytes"] <= 1.5 * size
    return [
        f"- nc-verify {ours['seconds']:.1f} s, the fastest peer ({fastest['tool']}) "
        f"{fastest['seconds']:.1f} s: nc-verify is "
        + (
            f"{fastest['seconds'] / ours['seconds']:.1f}x faster"
            if faster
            else f"{ours['seconds'] / fastest['seconds']:.1f}x slower"
        )
        + f" (inside the process: {ours['compute_seconds']:.1f} s against "
        f"{fastest['compute_seconds']:.1f} s). Peak memory {ours['peak_bytes'] / 2**20:,.0f} MiB "
        f"= {ours['peak_bytes'] / size:.2f}x the input ("
        + ("within" if within else "above")
        + " issue 16's 1.5x); the smallest peer peak "
        f"{min(r['peak_bytes'] for r in others) / 2**20:,.0f} MiB.",
    ] + [
        f"- {r['tool']}: relative differences {min(v):.1e} to {max(v):.1e} over "
        f"{len(v)} compared values"
        + (" (NC1 carries its CPU defect, above)" if r["tool"].startswith("jinxinzhou") else "")
        + "."
        for r in others
        if (
            v := [
                x
                for a in r.get("agreement", [])
                if a["centring"] == "sample-mean" and not isinstance(x := _cell(a), str)
            ]
        )
    ]


def _fmt(x: Any) -> str:
    if isinstance(x, str):
        return x
    if x is None:
        return "–"
    return f"{x:.1e}" if x != 0 else "0"


def _markdown(res: dict[str, Any]) -> str:
    meta = res["meta"]
    lines = [
        "## verify metrics beside the torch-based peers",
        "",
        "Written by `python benchmarks/metrics_peers.py` (this section only): nc-verify and "
        "rhubarbwu/neural-collapse, tding1/Neural-Collapse, jinxinzhou/nc_loss in one run, "
        f"each peer in its own process with a separate venv's python (torch {meta.get('torch')}, "
        "CPU), imported from its repository's snapshot (commits below). "
        f"{meta['note']}",
        "",
    ]
    agree = res.get("agreement")
    if agree:
        lines += [
            "### Agreement on ten float64 feature sets",
            "",
            "Largest relative difference |ours - theirs| / max(|ours|, |theirs|) over the "
            "metrics whose definitions coincide (the peer's key = nc-verify's key below); "
            "sample-mean centring unless the column says class-mean (rhubarbwu's default).",
            "",
        ]
        peers = list(PEERS)
        head = ["set", "N, d, K"]
        cols: list[tuple[str, str]] = []
        for p in peers:
            cents = ["sample-mean", "class-mean"] if p.startswith("rhubarbwu") else ["sample-mean"]
            for c in cents:
                cols.append((p, c))
                head.append(p.split("/")[0] + ("" if c == "sample-mean" else " (class-mean)"))
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for s in agree["sets"]:
            cells = [f"{s['set']}", f"{s['N']}, {s['d']}, {s['K']}"]
            for p, c in cols:
                rel = [_cell(r) for r in s["rows"] if r["peer"] == p and r["centring"] == c]
                nums = [x for x in rel if not isinstance(x, str)]
                errs = len(rel) - len(nums)
                if p in s["peer_errors"]:
                    cells.append("failed: " + s["peer_errors"][p][:60])
                elif not rel:
                    cells.append("–")
                else:
                    worst = max(nums) if nums else None
                    worst_key = next(
                        (
                            r["peer_key"]
                            for r in s["rows"]
                            if r["peer"] == p and r["centring"] == c and _cell(r) == worst
                        ),
                        "",
                    )
                    cell = _fmt(worst) + (f" ({worst_key})" if worst and worst > 1e-12 else "")
                    if errs:
                        cell += f"; {errs} not computed"
                    cells.append(cell)
            lines.append("| " + " | ".join(cells) + " |")
        lines += [
            "",
            "Per metric: the largest relative difference over the eight sets without a common "
            "offset (and where), and on each offset set:",
            "",
            "| peer | peer's key | nc-verify's key | centring | max, 8 sets | where | "
            + " | ".join(OFFSET_SETS)
            + " |",
            "|---|---|---|---|---:|---|" + "---:|" * len(OFFSET_SETS),
        ]
        for p, pkey, okey, given in PAIRS:
            cents = ["sample-mean", "class-mean"] if p.startswith("rhubarbwu") else ["sample-mean"]
            for c in cents:
                found = {
                    s["set"]: _cell(r)
                    for s in agree["sets"]
                    for r in s["rows"]
                    if r["peer"] == p and r["peer_key"] == pkey and r["centring"] == c
                }
                if not found:
                    continue
                plain = [(x, n) for n, x in found.items() if n not in OFFSET_SETS]
                nums = [(x, n) for x, n in plain if not isinstance(x, str)]
                worst = max(nums) if nums else ("not computed", "")
                extra = len(plain) - len(nums)
                key = okey + (" (W centred)" if given == "W_centred" else "")
                where = worst[1] + (f"; not computed on {extra}" if extra else "")
                offs = " | ".join(_fmt(found.get(n)) for n in OFFSET_SETS)
                lines.append(
                    f"| {p.split('/')[0]} | `{pkey}` | `{key}` | {c} | {_fmt(worst[0])} | "
                    f"{where} | {offs} |"
                )
        lines += [
            "",
            "What the numbers say:",
            "",
            *_findings(agree),
            "",
            "Definitions that differ:",
            "",
        ]
        lines += [f"- {d}" for d in DIFFER]
        lines += [""]
    scale = res.get("scale")
    if scale:
        size = scale["input_bytes"]
        lines += [
            f"### Scale: N = {scale['N']:,}, d = {scale['d']}, K = {scale['K']}, float32 "
            f"({size / 2**20:,.0f} MiB)",
            "",
            "Each tool in a fresh process, one after another; wall time from outside (interpreter "
            "start and imports included), peak resident memory the process's own (`VmHWM` at its end); "
            "compute = inside the "
            "process, after imports. Peers read batches of "
            f"{scale['batch_rows']:,} rows from the file into fresh memory.",
            "",
            "| tool | status | wall (s) | compute (s) | peak memory | peak / input | load avg (1 min) before |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for r, load in zip(scale["rows"], scale["load_before_each"], strict=True):
            ok = r.get("status") == "ok"
            lines.append(
                f"| {r['tool']} | {r['status'] if len(r['status']) < 100 else r['status'][:100]} | "
                + (
                    f"{r['seconds']:.1f} | {r['compute_seconds']:.1f} | "
                    f"{r['peak_bytes'] / 2**20:,.0f} MiB | {r['peak_bytes'] / size:.2f} |"
                    if ok
                    else "– | – | – | – |"
                )
                + f" {load:.1f} |"
            )
        lines += ["", "Agreement on the scale case (relative difference against nc-verify):", ""]
        for r in scale["rows"]:
            if not r.get("agreement"):
                continue
            parts = [
                f"`{a['peer_key']}`{'' if a['centring'] == 'sample-mean' else ' (class-mean)'} {_fmt(a['rel'])}"
                for a in r["agreement"]
                if a["centring"] == "sample-mean" or not r["tool"].startswith("rhubarbwu")
            ]
            lines.append(f"- {r['tool']}: " + ", ".join(parts))
        lines += ["", *_scale_findings(scale), ""]
    lines += [f"Peers: {', '.join(f'{k} @ {v}' for k, v in meta.get('commits', {}).items())}.", ""]
    lines += [f"Machine: {meta['machine']}; {meta['when']}.", ""]
    return "\n".join(lines)


def write_reports(res: dict[str, Any]) -> None:
    from verify.io import atomic_write_json

    md = ROOT / "reports" / "benchmarks.md"
    text = md.read_text() if md.exists() else ""
    block = f"{START}\n{_markdown(res)}{END}"
    if START in text and END in text and text.index(START) < text.index(END):
        head, rest = text.split(START, 1)  # this section out, wherever it is
        text = head.rstrip("\n") + "\n" + rest.split(END, 1)[1]
    if SCALE_END in text:  # right after the metrics-scale section, the page's metrics part
        head, tail = text.split(SCALE_END, 1)
        new = head + SCALE_END + "\n\n" + block + tail
    else:
        new = text + ("" if text.endswith("\n") or not text else "\n") + "\n" + block + "\n"
    tmp = md.with_suffix(".md.tmp-peers")
    tmp.write_text(new)
    os.replace(tmp, md)
    path = ROOT / "reports" / "benchmarks_metrics.json"
    saved = json.loads(path.read_text()) if path.exists() else {}
    saved["peers"] = res
    atomic_write_json(path, saved)


def _commits(sources: dict[str, str | None]) -> dict[str, str]:
    """The snapshot commit of each peer (the mirror's HEAD), where known."""
    out = {}
    for peer, src in sources.items():
        if src is None:
            continue
        mirror = Path("/work/.mirror") / peer.replace("/", "+") / "repo"
        git = mirror if mirror.exists() else Path(src)
        r = subprocess.run(
            ["git", "--git-dir", str(git), "rev-parse", "HEAD"], capture_output=True, text=True
        )
        out[peer] = r.stdout.strip()[:12] if r.returncode == 0 else "unknown"
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--peers-dir", default=os.environ.get("NC_PEERS_DIR"))
    p.add_argument("--peer-python", default=os.environ.get("NC_PEER_PYTHON"))
    for short in ("rhubarbwu", "tding1", "jinxinzhou"):
        p.add_argument(f"--{short}", default=None, help=f"the {short} snapshot's folder")
    p.add_argument("--only", choices=("agreement", "scale"), default=None)
    p.add_argument("--timeout", type=float, default=1800.0)
    p.add_argument("--batch", type=int, default=10_000, help="rows per batch fed to the peers")
    p.add_argument("--rows", type=int, default=SCALE[0], help="N of the scale case")
    p.add_argument("--render", action="store_true", help="rewrite the section from the JSON")
    p.add_argument("--no-write", action="store_true", help="print, write no report")
    p.add_argument("--peer-child", default=None, help=argparse.SUPPRESS)
    p.add_argument("--ours-child", default=None, help=argparse.SUPPRESS)
    p.add_argument("--source", default=None, help=argparse.SUPPRESS)
    p.add_argument("--dtype", default="float64", help=argparse.SUPPRESS)
    p.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.peer_child:
        peer_child(
            args.peer_child, args.source, [Path(f) for f in args.files], args.dtype, args.batch
        )
        return
    sys.path.insert(0, str(ROOT))
    if args.ours_child:
        ours_child(Path(args.ours_child))
        return
    if args.render:
        saved = json.loads((ROOT / "reports" / "benchmarks_metrics.json").read_text())
        write_reports(saved["peers"])
        return
    sources = peer_sources(args)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = os.getloadavg()
    res: dict[str, Any] = {}
    if args.only in (None, "agreement"):
        res["agreement"] = run_agreement(args.peer_python, sources, args.timeout)
    if args.only in (None, "scale"):
        res["scale"] = run_scale(args.peer_python, sources, args.timeout, args.batch, args.rows)
    res["meta"] = {
        "when": started,
        "command": " ".join(["python benchmarks/metrics_peers.py", *sys.argv[1:]]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {np.__version__}",
        "torch": (res.get("agreement") or {}).get("torch"),
        "note": "One run on a shared machine (2 cores, other agents' jobs running; load average "
        "at the start: "
        + ", ".join(f"{x:.1f}" for x in load)
        + ", at the end: "
        + ", ".join(f"{x:.1f}" for x in os.getloadavg())
        + "); every tool with "
        "single-threaded BLAS and torch: timings are indicative, not quiet-machine numbers.",
        "commits": _commits(sources),
    }
    if not args.no_write:
        path = ROOT / "reports" / "benchmarks_metrics.json"
        saved = json.loads(path.read_text()) if path.exists() else {}
        saved["peers"] = res
        from verify.io import atomic_write_json

        atomic_write_json(path, saved)  # the measurements first, then the page from them
        write_reports(res)
    print(json.dumps(res, indent=1, default=str))


if __name__ == "__main__":
    main()
