r"""The loss part of the report: which of paper 000's claims survive cross-entropy, and the
minority-collapse figure of Hong & Ling's setting.

**The loss table.** Relaxing the loss is a hypothesis like any other: a claim of paper 000 (MSE) is
checked *under cross-entropy* as ``claim.amended("cross_entropy")``: the strategies then draw
cross-entropy instances on soft-target encodings (one-hot, label smoothing, rotated label smoothing,
random column-stochastic; ``verify.strategies.CE_KINDS``) satisfying the claim's other hypotheses,
solved and certified by the cross-entropy engine. A claim whose hypotheses no soft target can meet
(centred labels :math:`Y1 = 0`; the u-SSETF encodings) or that rotates the labels by an orthogonal Q
(soft targets are not closed under it) is *not applicable*, and says why; a claim checked without
a solve (a statement about frames) does not depend on the loss. The MSE column is the report's own
verdict. :func:`loss_table` returns the rows, :func:`losses_page` the markdown.

**The figure** (:func:`minority_figure`): the largest angle between the classifier rows of the
minority classes at certified cross-entropy minimisers, (a) against :math:`\mu/t` for Hong & Ling's
default counts scaled down 100 times, (b) against :math:`n_B/n_A` at a fixed :math:`\mu`, with the
threshold :math:`t = \sqrt{n_B}/N` that ``proofs/ce_hong_ling.py`` derives drawn. The paper's own
formula for its threshold was not in the sources this was written from, so it is not drawn.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from verify.claims import Claim, Verdict, check
from verify.instance import Instance
from verify.io import atomic_write_text
from verify.losses import get_loss
from verify.report import canonical
from verify.report.plot import COLOURS, new_figure, save, style
from verify.solve import solve

__all__ = [
    "FIGURE",
    "FILES",
    "PAGE",
    "loss_table",
    "losses_page",
    "minority_figure",
    "paper_claims",
    "write",
]

FIGURE = "minority_collapse"
#: decimals (degrees) of a minority angle in the figure's record: collapsed rows give arccos
#: of a cosine within rounding of 1, about 1e-6 degrees, which 4 decimals write as 0
ANGLE_DECIMALS = 4
PAGE = "losses"
FILES = (f"{PAGE}.md", f"{PAGE}.json")

#: hypotheses no column-stochastic encoding satisfies, and why
_NOT_SOFT = {
    "labels_centred": "centred labels (Y1 = 0) have negative entries: no soft target",
    "u_ssetf_encoding": "the u-SSETF encodings are not column-stochastic",
}


#: claims whose conclusion is an MSE-only construction, and why
_MSE_ONLY = {
    "lemma-III.3": "its residuals are MSE's first-order conditions (6)-(8); CE's are other equations",
    "theorem-III.4(a)": "it compares with the UFM on centred labels Y - Y11^T/N, which are no soft targets",
}


def paper_claims() -> list[Claim]:
    """The claims of paper 000 (MSE) and those nc-verify derived for its model: the registered
    claims about the UFM that do not assume cross-entropy."""
    from verify.claims.registry import registry

    return [
        c for c in registry().values() if c.model == "ufm" and "cross_entropy" not in c.hypotheses
    ]


def under_ce(claim: Claim) -> Claim:
    """``claim`` checked on cross-entropy instances (the loss relaxed to CE)."""
    return replace(claim.amended("cross_entropy"), id=f"{claim.id} under cross-entropy")


#: paper-000 claims whose cross-entropy version is a registered claim of its own, with the
#: corners and premise CE needs (the rotated label smoothings that break the "if")
_CE_VERSIONS = {
    "conjecture-ssetf:if": "ce-ssetf-analogue:if",
    "conjecture-ssetf:only-if": "ce-ssetf-analogue:only-if",
}


def _ce_version(claim: Claim) -> Claim:
    from verify.claims.registry import registry

    name = _CE_VERSIONS.get(claim.id)
    return registry()[name] if name else under_ce(claim)


def not_applicable(claim: Claim) -> str:
    """Why ``claim`` cannot be asked under cross-entropy ('' if it can)."""
    for h in claim.hypotheses:
        if h in _NOT_SOFT:
            return _NOT_SOFT[h]
    if claim.id in _MSE_ONLY:
        return _MSE_ONLY[claim.id]
    if claim.with_Q:
        return "labels Q Ybar for an orthogonal Q are not soft targets (CE has only permutation symmetry)"
    return ""


def _cell(v: Verdict) -> dict[str, Any]:
    cell: dict[str, Any] = {"status": v.status, "reason": v.reason}
    if v.counterexample is not None:
        cell["counterexample"] = v.counterexample.case.describe()
        cell["worst_residual"] = v.counterexample.worst
    return cell


def loss_table(
    mse: dict[str, Verdict], examples: int, seed: int, claims: list[Claim] | None = None
) -> list[dict[str, Any]]:
    """For each claim of paper 000 in ``mse`` (the report's verdicts), its MSE status and its
    status under cross-entropy (checked here, ``examples`` and ``seed`` as the report's)."""
    rows = []
    for claim in claims if claims is not None else paper_claims():
        if claim.id not in mse:
            continue
        row: dict[str, Any] = {"claim": claim.id, "mse": _cell(mse[claim.id])}
        why = not_applicable(claim)
        if why:
            row["ce"] = {"status": "not applicable", "reason": why}
        elif not mse[claim.id].gaps:
            row["ce"] = {"status": mse[claim.id].status, "reason": "checked without a solve: independent of the loss"}  # fmt: skip
        else:
            try:
                ce_claim = _ce_version(claim)
                row["ce"] = _cell(check(ce_claim, examples=examples, seed=seed))
                if ce_claim.id != f"{claim.id} under cross-entropy":
                    row["ce"]["checked_as"] = ce_claim.id
            except Exception as error:  # reported in the table, never hidden
                row["ce"] = {"status": "inconclusive", "reason": f"the check raised {type(error).__name__}: {error}"}  # fmt: skip
        rows.append(row)
    return rows


def _short(text: str, limit: int = 260) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def losses_page(
    rows: list[dict[str, Any]], figure: dict[str, Any] | None, examples: int, seed: int
) -> str:
    """The markdown page: the table, then the figure."""
    lines = [
        "# Which claims of paper 000 survive a change of loss",
        "",
        'Each claim of "The role of class encoding in neural collapse" (MSE loss), checked again with '
        "the loss relaxed to cross-entropy on soft targets: the same hypotheses plus `cross_entropy`, "
        "instances drawn on one-hot, label-smoothed, rotated label-smoothed and random "
        f"column-stochastic encodings and certified by the CE engine ({examples} examples, seed {seed}).",
        "",
        "| claim | MSE | cross-entropy | counterexample or reason (cross-entropy) |",
        "|---|---|---|---|",
    ]
    for r in rows:
        ce = r["ce"]
        what = ce.get("counterexample") or ce.get("reason", "")
        if "checked_as" in ce:
            what = f"as `{ce['checked_as']}`: {what}"
        if "worst_residual" in ce:
            what = f"{what} (worst residual {ce['worst_residual']:.2g})"
        lines.append(f"| `{r['claim']}` | {r['mse']['status']} | {ce['status']} | {_short(what)} |")
    survived = [r["claim"] for r in rows if r["ce"]["status"] in ("verified", "proved")]
    failed = [r["claim"] for r in rows if r["ce"]["status"] == "refuted"]
    lines += [
        "",
        f"Survive cross-entropy: {', '.join(f'`{c}`' for c in survived) or 'none'}. "
        f"Refuted under cross-entropy: {', '.join(f'`{c}`' for c in failed) or 'none'}.",
        "",
    ]
    if figure is not None:
        lines += [
            f"## {figure['title']}",
            "",
            f"![{figure['title']}]({figure['file']})",
            "",
            figure["caption"],
            "",
        ]
    return "\n".join(lines)


# --- the minority-collapse figure ----------------------------------------------------------


def _angle(W: np.ndarray, group: list[int]) -> float:
    from verify.geometry import minority_angle

    return minority_angle(W, group)


def _point(counts: tuple[int, ...], mu: float, lambda_b: float) -> dict[str, Any] | None:
    K = len(counts)
    inst = Instance(np.eye(K), counts, K, mu, mu, lambda_b, loss=get_loss("ce"))
    s = solve(inst, "exact")
    if not s.certified:
        return None
    low = min(counts)
    group = [k for k, n in enumerate(counts) if n == low]
    # the record keeps what does not move with the BLAS kernel: arccos of a cosine within
    # rounding of 1 is ~1e-6 degrees, and a certified gap's digits past the first are rounding
    angle = round(_angle(s.W, group), ANGLE_DECIMALS)
    gap = float(f"{canonical.measured(s.certificate.relative_gap):.0e}")
    return {"mu": mu, "angle": angle, "gap": gap}


def minority_figure(stage: Path, dpi: int, points: int = 25) -> dict[str, Any]:
    """(a) angle against mu / t; (b) angle against n_B / n_A at fixed mu; certified points only."""
    counts_a = (50,) * 3 + (40,) * 3 + (30,) * 4  # Hong & Ling's default / 100
    t_a = math.sqrt(30) / sum(counts_a)
    lb = 0.02  # their reg_b = 0.01, lambda_b = 2 reg_b
    ratios = np.geomspace(0.2, 5.0, points)
    panel_a = [p for r in ratios if (p := _point(counts_a, float(r * t_a), lb)) is not None]
    kA, kB, nA = 5, 5, 60
    mu_b = 0.0096
    nBs = sorted({int(x) for x in np.geomspace(1, nA, points)})
    panel_b = []
    for nB in nBs:
        counts = (nA,) * kA + (nB,) * kB
        p = _point(counts, mu_b, lb)
        if p is not None:
            panel_b.append(
                {**p, "n_B": nB, "ratio": nB / nA, "threshold": math.sqrt(nB) / sum(counts)}
            )
    # mu_b = sqrt(n_B)/(kA nA + kB n_B): the smaller root in sqrt(n_B) is where collapse starts
    x = (1 - math.sqrt(max(1 - 4 * mu_b * mu_b * kB * kA * nA, 0.0))) / (2 * mu_b * kB)
    ratio_b = x * x / nA
    with style():
        fig = new_figure(9.6, 3.6)
        ax1, ax2 = fig.subplots(1, 2)
        ax1.plot(
            [p["mu"] / t_a for p in panel_a],
            [p["angle"] for p in panel_a],
            "o-",
            color=COLOURS[0],
            ms=3,
        )
        ax1.axvline(1.0, color="k", ls="--", lw=1, label=r"derived $t = \sqrt{n_B}/N$")
        ax1.set_xscale("log")
        ax1.set_xlabel(r"$\mu / t$  ($\mu = \sqrt{\lambda_W\lambda_H}$)")
        ax1.set_ylabel("largest angle between minority classifiers (deg)")
        ax1.set_title(f"(a) counts 3×50, 3×40, 4×30; t = {t_a:.4g}", fontsize=9)
        ax1.legend(fontsize=7)
        ax2.plot(
            [p["ratio"] for p in panel_b],
            [p["angle"] for p in panel_b],
            "o-",
            color=COLOURS[1],
            ms=3,
        )
        ax2.axvline(ratio_b, color="k", ls="--", lw=1, label=r"derived: $\mu = \sqrt{n_B}/N$")
        ax2.set_xscale("log")
        ax2.set_xlabel(r"$n_B / n_A$")
        ax2.set_title(f"(b) {kA}×{nA} majority, {kB}×$n_B$ minority, μ = {mu_b}", fontsize=9)
        ax2.legend(fontsize=7)
        fig.suptitle(
            "Minority collapse under cross-entropy (certified minimisers, exact engine, λ_b = 0.02)"
        )
        rel = save(fig, stage, FIGURE, dpi)
    return {
        "name": FIGURE,
        "file": rel,
        "title": "Minority collapse under cross-entropy",
        "caption": "Largest angle between the classifier rows of the minority classes at certified "
        "cross-entropy minimisers (one-hot, d = K, λ_W = λ_H = μ, λ_b = 0.02 = 2 reg_b). The dashed "
        "line is the threshold derived in proofs/ce_hong_ling.py: the minority classifiers coincide "
        "iff μ ≥ √n_B / N (claim hong-ling-minority-collapse). Hong & Ling state a sharp threshold; "
        "its formula was not in the stored sources, so it is not drawn. Each point records its "
        "angle to 1e-4 degrees and its certified relative duality gap to one digit (0: at or "
        "below 1e-12, rounding).",
        "claims": ["hong-ling-minority-collapse", "ce-minority-collapse-label-smoothing"],
        "data": canonical.rounded({"a": {"counts": list(counts_a), "threshold": t_a, "points": panel_a},
                         "b": {"k_A": kA, "n_A": nA, "k_B": kB, "mu": mu_b, "threshold_ratio": ratio_b, "points": panel_b}}),
    }  # fmt: skip


def write(
    stage: Path, verdicts: list[Verdict], figures: list[dict[str, Any]], examples: int, seed: int
) -> None:
    """The loss table for the paper-000 claims of this report, as markdown and JSON."""
    rows = loss_table({v.claim_id: v for v in verdicts}, examples, seed)
    figure = next((f for f in figures if f["name"] == FIGURE), None)
    atomic_write_text(stage / FILES[0], losses_page(rows, figure, examples, seed))
    canonical.write_json(stage / FILES[1], {"examples": examples, "seed": seed, "rows": rows})
