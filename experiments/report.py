"""The digits experiment's outputs: ``digits.json`` (every number), ``digits.md`` (the report
section) and ``figures/*.png`` (headless Figure objects, saved without metadata).

The markdown's summary sentences are computed from the numbers, so a rerun can never leave a
claim behind that its numbers no longer support.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .compare import theorem_iii1
from .mlp import Lambdas

__all__ = ["FIGURES", "JSON_NAME", "MARKDOWN_NAME", "read_json", "write_json", "write_report"]

JSON_NAME = "digits.json"
MARKDOWN_NAME = "digits.md"
FIGURES = "figures"
DPI = 110
# x axis of lambda_b: symmetric log, linear below this, so lambda_b = 0 can be drawn
LAMBDA_B_LINEAR = 0.05
COMMAND = "python -m experiments.digits --out reports/experiments"
# a relative error of the mean cosine is shown only where the UFM's cosine is at least this big
# (label smoothing puts it at 0 near lambda_b = 1, where only the absolute error means anything)
COSINE_RELATIVE_FLOOR = 1e-3


def write_json(result: dict[str, Any], out: Path) -> Path:
    """Write ``<out>/digits.json``."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / JSON_NAME
    path.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return path


def read_json(path: Path) -> dict[str, Any]:
    """A ``digits.json`` written by :func:`write_json`."""
    if not path.is_file():
        raise FileNotFoundError(f"--from-json {path}: no such file")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _main(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The lambda_b sweeps (standardised pixels, the configuration's c)."""
    return [r for r in result["runs"] if r.get("main", True)]


def _stress(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The raw-pixel and control runs."""
    return [r for r in result["runs"] if not r.get("main", True)]


def _one_hot(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in _main(result) if r["delta"] is None]


def _smoothed(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in _main(result) if r["delta"] is not None]


def _theory_curve(result: dict[str, Any], key: str) -> tuple[np.ndarray, np.ndarray]:
    """Theorem III.1's ``key`` ("bias" or "cosine") on a grid of lambda_b."""
    first = _one_hot(result)[0]
    top = max(r["lambda_b"] for r in result["runs"]) * 2
    grid = np.concatenate(([0.0], np.geomspace(LAMBDA_B_LINEAR / 10, top, 300)))
    values = [
        theorem_iii1(result["K"], result["n"], Lambdas(first["lambda_W"], first["lambda_H"], lb))[
            key
        ]
        for lb in grid
    ]
    return grid, np.array(values)


def _axes_lambda_b(ax: Any, threshold: float) -> None:
    ax.set_xscale("symlog", linthresh=LAMBDA_B_LINEAR)
    ax.set_xlabel(r"$\lambda_b$")
    ax.axvline(threshold, color="grey", lw=0.8, ls=":", label=r"threshold $c/(1-c)$")


def _save(fig: Figure, out: Path, name: str) -> Path:
    (out / FIGURES).mkdir(parents=True, exist_ok=True)
    path = out / FIGURES / f"{name}.png"
    fig.savefig(path, dpi=DPI, metadata={"Software": None})
    return path


def _points(ax: Any, runs: list[dict[str, Any]], key: str, label: str, marker: str) -> None:
    x = [r["lambda_b"] for r in runs]
    ax.plot(
        x,
        [r["ufm"][key] for r in runs],
        marker,
        mfc="none",
        ms=10,
        color="black",
        ls="none",
        label=f"certified UFM, {label}",
    )
    ax.plot(
        x,
        [r["network"][key] for r in runs],
        marker,
        ms=5,
        color="tab:red",
        ls="none",
        label=f"trained network, {label}",
    )


def _bias_figure(result: dict[str, Any], out: Path) -> Path:
    theory = _one_hot(result)[0]["theory"]
    K, c = result["K"], theory["c"]
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.add_subplot()
    grid, bias = _theory_curve(result, "bias")
    ax.plot(grid, bias, color="tab:blue", label="Theorem III.1 (one-hot)")
    ax.plot(
        grid,
        1 / ((1 + grid) * K),
        color="tab:blue",
        ls="--",
        lw=0.8,
        label=r"mean label$/(1+\lambda_b)$",
    )
    positive = grid > 0
    ax.plot(
        grid[positive],
        c / (grid[positive] * K),
        color="tab:green",
        ls="--",
        lw=0.8,
        label=r"$(c/\lambda_b)/K$",
    )
    _points(ax, _one_hot(result), "bias_mean", "one-hot", "o")
    if _smoothed(result):
        _points(ax, _smoothed(result), "bias_mean", "label smoothing", "s")
    _axes_lambda_b(ax, theory["threshold"])
    ax.set_yscale("log")
    ax.set_ylim(bias.min() / 2, 2 / K)
    ax.set_ylabel("mean entry of the bias b")
    ax.set_title("Bias: trained network vs certified UFM minimiser")
    ax.legend(fontsize=7)
    return _save(fig, out, "bias")


def _cosine_figure(result: dict[str, Any], out: Path) -> Path:
    theory = _one_hot(result)[0]["theory"]
    K = result["K"]
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.add_subplot()
    grid, cos = _theory_curve(result, "cosine")
    ax.plot(grid, cos, color="tab:blue", label=r"Theorem III.1: $-\beta/(K-\beta)$")
    ax.axhline(-1 / (K - 1), color="grey", lw=0.8, ls="--", label="simplex ETF, -1/(K-1)")
    ax.axhline(0.0, color="grey", lw=0.8, ls="-.", label="orthogonal frame, 0")
    _points(ax, _one_hot(result), "cosine_mean", "one-hot", "o")
    if _smoothed(result):
        _points(ax, _smoothed(result), "cosine_mean", "label smoothing", "s")
    _axes_lambda_b(ax, theory["threshold"])
    ax.set_ylabel("mean cosine of two class means (uncentred)")
    ax.set_title("Class means: the ETF-to-OF transition")
    ax.legend(fontsize=7)
    return _save(fig, out, "cosines")


def _kappa_figure(result: dict[str, Any], out: Path) -> Path:
    runs = result["runs"]
    labels = [_short(r) for r in runs]
    x = np.arange(len(runs))
    fig = Figure(figsize=(7.2, 4.0), layout="constrained")
    ax, ax2 = fig.subplots(1, 2)
    theory = _one_hot(result)[0]["theory"]["kappa"]
    ax.axhline(theory, color="tab:blue", label=r"Theorem IV.4: $\sqrt{n\lambda_H/\lambda_W}$")
    ax.plot(
        x,
        [r["ufm"]["kappa"] for r in runs],
        "o",
        mfc="none",
        ms=10,
        color="black",
        label="certified UFM",
    )
    ax.plot(
        x,
        [r["network"]["kappa"] for r in runs],
        "o",
        ms=5,
        color="tab:red",
        label="trained network",
    )
    ax.set_ylabel(r"$\kappa$ of the Procrustes fit $W^\top = \kappa \bar H Q^\top$")
    ax.legend(fontsize=7)
    floor = 1e-16
    ax2.semilogy(
        x,
        [max(r["ufm"]["nc3prime_residual"], floor) for r in runs],
        "o",
        mfc="none",
        ms=10,
        color="black",
        label="certified UFM",
    )
    ax2.semilogy(
        x,
        [max(r["network"]["nc3prime_residual"], floor) for r in runs],
        "o",
        ms=5,
        color="tab:red",
        label="trained network",
    )
    ax2.set_ylabel("NC3' relative residual")
    ax2.legend(fontsize=7)
    for a in (ax, ax2):
        a.set_xticks(x, labels, rotation=60, fontsize=7)
    fig.suptitle("Self-duality up to rotation (NC3')")
    return _save(fig, out, "kappa")


def _training_figure(result: dict[str, Any], out: Path) -> Path:
    fig = Figure(figsize=(7.2, 4.0), layout="constrained")
    ax, ax2 = fig.subplots(1, 2)
    for r in result["runs"]:
        h = r["history"]
        fstar = r["ufm"]["objective"]
        excess = np.maximum((np.array(h["objective"]) - fstar) / fstar, 1e-16)
        ls = "-" if r.get("main", True) else "--"  # stress runs dashed (colours repeat after 10)
        ax.semilogy(h["iteration"], excess, lw=0.9, ls=ls, label=_short(r))
        ax2.plot(h["iteration"], h["train_error"], lw=0.9, ls=ls)
    ax.set_xlabel("Adam iteration")
    ax.set_ylabel(r"$(F - f^\star)/f^\star$")
    ax.legend(fontsize=6)
    ax2.set_xlabel("Adam iteration")
    ax2.set_ylabel("training error")
    ax2.set_yscale("symlog", linthresh=1e-3)
    fig.suptitle("Training: objective above the certified minimum, and training error")
    return _save(fig, out, "training")


def _short(r: dict[str, Any]) -> str:
    enc = "1-hot" if r["delta"] is None else f"LS{r['delta']:g}"
    extra = "" if r.get("main", True) else f" c={r['c']:g}" + ("" if r["standardised"] else " raw")
    return f"{enc} λb={r['lambda_b']:g}{extra}"


def _g(x: float, digits: int = 4) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}g}"


def _e(x: float) -> str:
    return f"{x:.1e}"


def _branch_check(r: dict[str, Any], K: int) -> str:
    """Which Theorem III.1 bias branch the network's mean bias is nearer (one-hot)."""
    t = r["theory"]
    lb = r["lambda_b"]
    first = 1 / ((1 + lb) * K)
    second = t["c"] / (lb * K) if lb > 0 else math.inf
    b = r["network"]["bias_mean"]
    nearer = "mean label/(1+lambda_b)" if abs(b - first) <= abs(b - second) else "c/lambda_b"
    return nearer


def _cosine_relative(r: dict[str, Any]) -> float | None:
    """|cos net - cos UFM| / |cos UFM|, or None where |cos UFM| < COSINE_RELATIVE_FLOOR."""
    ufm = abs(r["ufm"]["cosine_mean"])
    return None if ufm < COSINE_RELATIVE_FLOOR else r["discrepancy"]["cosine_mean"] / ufm


def _summary(result: dict[str, Any]) -> list[str]:
    runs = _main(result)
    K = result["K"]
    lines = []
    zero = [r for r in runs if r["network"]["train_error"] == 0.0]
    lines.append(
        f"- Training error zero at the end: {len(zero)} of {len(runs)} runs"
        + (
            f" (first reached by iteration {max(r['first_zero_error_iteration'] or 0 for r in zero)}"
            " at the latest)."
            if zero
            else "."
        )
    )
    certified = [r for r in runs if r["certified"]]
    lines.append(
        f"- Certified UFM minimisers: {len(certified)} of {len(runs)} (largest relative duality "
        f"gap {max(r['relative_gap'] for r in runs):.1e})."
    )
    for key, what in (
        ("objective_excess", "objective above the certified minimum, (F - f*)/f*"),
        ("bias", "bias, ||b - b*|| / ||b*||"),
        ("cosine_mean", "mean cosine of the class means, |net - UFM|"),
        ("gram", "class-mean Gram, ||G - G*||_F / ||G*||_F"),
        ("classifier_gram", "classifier Gram W W^T, relative"),
        ("kappa", "kappa of NC3', relative"),
    ):
        worst = max(runs, key=lambda r: r["discrepancy"][key])
        lines.append(
            f"- Largest discrepancy in the {what}: {worst['discrepancy'][key]:.1e} ({_short(worst)})."
        )
    centred = [r["discrepancy"].get("gram_centred") for r in runs]
    common = [r["discrepancy"].get("gram_common") for r in runs]
    if None not in centred and None not in common:
        lines.append(
            "- The class-mean Gram's difference, split: the centred (ETF) part of the network's "
            f"Gram differs from the UFM's by {min(centred):+.1e} .. {max(centred):+.1e} "
            "(relative), the common part (the mean class mean's) by "
            f"{min(common):+.1e} .. {max(common):+.1e} (relative to tr G*)."
        )
    relative = [(x, r) for r in runs if (x := _cosine_relative(r)) is not None]
    if relative:
        x, worst = max(relative, key=lambda pair: pair[0])
        lines.append(
            f"- Largest relative discrepancy in the mean cosine (where |cos UFM| >= "
            f"{COSINE_RELATIVE_FLOOR:g}): {x:.1e} ({_short(worst)}, network "
            f"{worst['network']['cosine_mean']:.4g}, UFM {worst['ufm']['cosine_mean']:.4g})."
        )
    onehot = _one_hot(result)
    agree = [r for r in onehot if _branch_check(r, K) == r["theory"]["branch"]]
    lines.append(
        f"- Bias branch of Theorem III.1 nearest to the trained bias equals the predicted branch "
        f"in {len(agree)} of {len(onehot)} one-hot runs."
    )
    return lines


def _stress_lines(result: dict[str, Any]) -> list[str]:
    """One sentence per stress run, from its numbers."""
    lines = []
    for r in _stress(result):
        gap = r["discrepancy"]
        lines.append(
            f"- {_short(r)}: training error {r['network']['train_error']:.4g}, "
            f"(F - f*)/f* = {gap['objective_excess']:.1e}, bias {gap['bias']:.1e}, "
            f"class-mean Gram {gap['gram']:.1e}, classifier Gram {gap['classifier_gram']:.1e}, "
            f"kappa {gap['kappa']:.1e} (relative errors), NC1 {_metric(r['network'], 'nc1_centred'):.1e}."
        )
    return lines


def _metric(side: dict[str, Any], name: str) -> float:
    """A metric of ``verify.metrics.nc_metrics(...).as_dict()``; nan if that version lacks it."""
    return float(side["metrics"].get(name, math.nan))


def _row(r: dict[str, Any]) -> str:
    """One table row of a run."""
    net, ufm, gap = r["network"], r["ufm"], r["discrepancy"]
    t = r["theory"]
    return (
        "| "
        + " | ".join(
            [
                "one-hot" if r["delta"] is None else f"smoothing {r['delta']:g}",
                "standardised" if r.get("standardised", True) else "raw [0, 1]",
                f"{r.get('c', math.nan):g}",
                f"{r['lambda_b']:g}",
                "-" if t is None else t["branch"],
                _g(net["train_error"]),
                _e(gap["objective_excess"]),
                _g(net["bias_mean"]),
                _g(ufm["bias_mean"]),
                "-" if t is None else _g(t["bias"]),
                _e(gap["bias"]),
                _g(net["cosine_mean"]),
                _g(ufm["cosine_mean"]),
                "-" if t is None else _g(t["cosine"]),
                "-" if (x := _cosine_relative(r)) is None else _e(x),
                _e(gap["gram"]),
                _g(net["kappa"]),
                _g(ufm["kappa"]),
                _e(net["nc3prime_residual"]),
                _e(_metric(net, "nc1_centred")),
                _e(_metric(net, "nc2_etf_centred")),
            ]
        )
        + " |"
    )


def _assembled(result: dict[str, Any]) -> str:
    """The note of a JSON assembled from more than one process, if any."""
    note = result.get("assembled")
    return f"\n- Assembled: {note}." if note else ""


def _markdown(result: dict[str, Any], figures: list[Path], out: Path) -> str:
    cfg = result["config"]
    first = result["runs"][0]
    theory = _one_hot(result)[0]["theory"]
    v = result["versions"]
    rows = [_row(r) for r in _main(result)]
    stress_rows = [_row(r) for r in _stress(result)]
    header = (
        "| encoding | pixels | c | λb | Thm III.1 branch | train error | (F-f*)/f* | b net | b UFM | b Thm III.1 "
        "| b rel. err | cos net | cos UFM | cos Thm III.1 | cos rel. err | Gram rel. err | κ net | κ UFM "
        "| NC3' net | NC1 net | NC2-ETF net |\n"
        "|" + "---|" * 21
    )
    figs = "\n\n".join(f"![{p.stem}]({p.relative_to(out).as_posix()})" for p in figures)
    return f"""# Trained networks against the certified UFM minimiser (scikit-learn digits)

Generated by `{result.get("command", COMMAND)}` (code: `experiments/`, guide: `docs/EXPERIMENTS.md`); every number
is in [{JSON_NAME}]({JSON_NAME}).

## Setup

- Data: scikit-learn's digits, the first n = {result["n"]} images of each of K = {result["K"]}
  classes (N = {result["N"]}, balanced), pixels standardised.
- Network: x (64) → ReLU layer of width {cfg["width"]} → linear features h (d = {cfg["d"]}) →
  scores W h + b. numpy, manual backprop, full-batch Adam for {cfg["iterations"]} steps with a
  cosine-decayed step from {cfg["learning_rate"]:g}, seed {cfg["seed"]}, float64.
- Objective: the UFM objective at the network's (W, H, b), with H the features of all N
  training images: 1/(2N)||WH + b1ᵀ - Y||² + λW/2 ||W||² + λH/2 ||H||² + λb/2 ||b||², no
  decay on the backbone. So F ≥ f*, the certified global minimum of the UFM.
- λW = λH = {first["lambda_W"]:.6g}, so c = K√n λ = {theory["c"]:g} and the threshold
  c/(1-c) = {theory["threshold"]:.4g}; κ of Theorem IV.4 is √(nλH/λW) = {theory["kappa"]:.6g}.
  One-hot for λb ∈ {{{", ".join(f"{x:g}" for x in cfg["lambda_bs"])}}}, label smoothing
  δ = {cfg["smoothing"]:g} for λb ∈ {{{", ".join(f"{x:g}" for x in cfg["smoothing_lambda_bs"])}}}.
- The UFM side: `verify.solve` (exact engine, certified by its duality gap) at the same
  (encoding, n, d, λW, λH, λb); the metrics of both sides: `verify.metrics.nc_metrics` and the
  Procrustes fit of `verify.geometry.procrustes_nc3prime` on the uncentred class means.
- Wall time: {result["wall_seconds"]:.0f} s (Python {v["python"]}, numpy {v["numpy"]},
  scikit-learn {v["scikit-learn"]}, BLAS on one thread).{_assembled(result)}

## Summary (computed from the numbers)

{chr(10).join(_summary(result))}

## Every run

b: mean entry of the bias; cos: mean cosine between two uncentred class means; Gram: class-mean
Gram Hbarᵀ Hbar (rotation-invariant, so network and UFM compare directly); NC1 and NC2-ETF:
`verify.metrics` (centred); NC3': relative residual of the Procrustes fit.

{header}
{chr(10).join(rows)}

## Where the trained network and the UFM part ways

The same network, optimiser and step count, one-hot labels and λb = 0, on pixels only scaled to
[0, 1] (not standardised), and a control on standardised pixels at the same c. The UFM does not
see the inputs at all: its minimiser is the same for both, so any difference is the network's
(its landscape and its optimiser), not the theory's.

{chr(10).join(_stress_lines(result)) or "(no such runs in this configuration)"}

{header}
{chr(10).join(stress_rows)}

## Figures

{figs}
"""


def write_report(result: dict[str, Any], out: Path) -> list[Path]:
    """Write the figures and ``<out>/digits.md``; return their paths (the JSON's first)."""
    figures = [
        _bias_figure(result, out),
        _cosine_figure(result, out),
        _kappa_figure(result, out),
        _training_figure(result, out),
    ]
    md = out / MARKDOWN_NAME
    md.write_text(_markdown(result, figures, out), encoding="utf-8")
    return [out / JSON_NAME, md, *figures]
