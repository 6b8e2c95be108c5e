r"""The findings that open the index: refuted claims, amended conjectures, what the project
derived, and the slips in the paper, each recomputed here rather than copied.

Every finding is a dict ``{"kind", "title", "text" (markdown), "data"}``; ``data`` holds the
numbers behind the text, so the JSON says what the markdown says.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from verify.claims import Verdict
from verify.encodings import label_smoothing, ssetf
from verify.errors import UnknownName
from verify.geometry import ssetf_fit
from verify.report.canonical import RESOLUTION, below_resolution, measured, measured_fields
from verify.report.text import fmt, one_line, tex_number

__all__ = ["alpha_constants", "findings", "label_smoothing_sign"]


def alpha_constants() -> dict[str, Any]:
    r"""Check, from the derivation's expressions, that :math:`\alpha_1 = \alpha_2 =
    (1-c)\sqrt{\lambda_W/(n\lambda_H)}` and that neither depends on :math:`\lambda_b`."""
    from verify.symbolic import derivation
    from verify.symbolic.symbols import c, lambda_b, lambda_H, lambda_W, n

    ex = derivation("theorem-III.1").expressions
    a1, a2 = sp.sympify(ex["alpha_1_c"]), sp.sympify(ex["alpha_2_c"])
    target = (1 - c) * sp.sqrt(lambda_W / (n * lambda_H))
    return {
        "alpha_1": sp.latex(a1),
        "alpha_2": sp.latex(a2),
        "equal": bool(sp.simplify(a1 - a2) == 0),
        "matches": bool(sp.simplify(a1 - target) == 0),
        "free_of_lambda_b": lambda_b not in a1.free_symbols | a2.free_symbols,
        "threshold": r"\frac{c}{1-c}"
        if sp.simplify(sp.sympify(ex["threshold_c"]) - c / (1 - c)) == 0
        else sp.latex(sp.sympify(ex["threshold_c"])),
    }


def label_smoothing_sign(
    Ks: tuple[int, ...] = (3, 10), deltas: tuple[float, ...] = (0.1, 0.5, 0.9)
) -> dict[str, Any]:
    r"""Label smoothing :math:`(1-\delta)I + \frac{\delta}{K}11^\top` against the SSETF
    :math:`(1-\delta)(I - \beta J)` with the paper's :math:`\beta = \delta/(1-\delta)` and
    with :math:`\beta = -\delta/(1-\delta)`, plus the :math:`\beta` that ``ssetf_fit`` finds."""
    rows = []
    for K in Ks:
        for delta in deltas:
            Y = label_smoothing(K, delta)
            b = delta / (1 - delta)
            rows.append(
                {
                    "K": K,
                    "delta": delta,
                    "error_paper": float(np.linalg.norm(Y - ssetf(K, 1 - delta, b))),
                    "error_minus": float(np.linalg.norm(Y - ssetf(K, 1 - delta, -b))),
                    "fitted_beta": ssetf_fit(Y).beta,
                    "minus_beta": -b,
                }
            )
    return {
        "rows": rows,
        "max_error_paper_sign": max(r["error_paper"] for r in rows),
        "min_error_paper_sign": min(r["error_paper"] for r in rows),
        "max_error_minus_sign": max(r["error_minus"] for r in rows),
        "max_fit_deviation": max(abs(r["fitted_beta"] - r["minus_beta"]) for r in rows),
    }


def _rounding_free(s: dict[str, Any]) -> dict[str, Any]:
    """:func:`label_smoothing_sign`'s numbers as the report writes them: errors at rounding
    level (``resolution``) flushed to 0, since their digits depend on the machine (see
    :mod:`verify.report.canonical`)."""
    rows = [
        {
            **r,
            "error_paper": measured(r["error_paper"]),
            "error_minus": measured(r["error_minus"]),
        }
        for r in s["rows"]
    ]
    return {
        **s,
        "rows": rows,
        "max_error_minus_sign": measured(s["max_error_minus_sign"]),
        "max_fit_deviation": measured(s["max_fit_deviation"]),
        "resolution": RESOLUTION,
    }


def _tex_bound(x: float) -> str:
    r"""``\le 10^{-12}`` at rounding level, else ``\le`` and the number."""
    if below_resolution(x):
        return rf"\le {tex_number(RESOLUTION)}"
    return rf"\le {tex_number(x)}"


def _refuted(v: Verdict, slug: str) -> dict[str, Any]:
    ce = v.counterexample
    text = f"**[`{v.claim_id}`](claims/{slug}.md) is refuted.** {v.reason}."
    data: dict[str, Any] = {"claim": v.claim_id}
    if ce is not None:
        bad = {k: x for k, x in ce.residuals.items() if x > v.tolerances.residual}
        text += " Failing: " + "; ".join(f"{one_line(k)} = {fmt(x)}" for k, x in bad.items())
        text += f" (refutation threshold {v.tolerances.refute:.0e})."
        data["residuals"] = bad
    conf = v.confirmation
    if conf:
        tight, second = conf.get("tight", {}), conf.get("second", {})
        text += (
            f" Confirmed at a 100x tighter gap (worst residual {fmt(tight.get('worst_residual'))})"
            f" and by the `{second.get('engine')}` engine"
            f" (worst residual {fmt(second.get('worst_residual'), 0)})."
        )
        data["confirmation"] = measured_fields(conf, v.tolerances.residual)
    return {"kind": "refuted", "title": f"{v.claim_id} is refuted", "text": text, "data": data}


def _hunt(h: dict[str, Any]) -> dict[str, Any] | None:
    amendment = h.get("amendment")
    if isinstance(amendment, dict) and amendment.get("status") == "none":
        amendment = None
    if not amendment and h.get("status") != "refuted":
        return None
    page = f"hunts/{h['slug']}.md"
    relaxed = ", ".join(h.get("relaxed") or []) or "nothing"
    text = (
        f"**Hunt [`{h['slug']}`]({page})** on `{h.get('claim')}` (relaxed: {relaxed}): "
        f"{h.get('status')}."
    )
    if amendment:
        if isinstance(amendment, dict):
            said = amendment.get("statement") or amendment.get("note") or amendment.get("id")
            text += f" Amended: {one_line(str(said))}"
            if amendment.get("added"):
                text += f" (adds {one_line(str(amendment['added']))})"
            if amendment.get("status"):
                text += f"; the amended claim, hunted in turn: {amendment['status']}"
            text += "."
        else:
            text += f" Amended: {one_line(str(amendment))}."
    kind = "amended" if amendment else "refuted"
    return {"kind": kind, "title": f"hunt {h['slug']}", "text": text, "data": {"hunt": h["slug"]}}


def _derived(slugs: dict[str, str]) -> list[dict[str, Any]]:
    a = alpha_constants()
    constants = "theorem-III.1-constants"
    check = (
        f" ([`{constants}`](claims/{slugs[constants]}.md) checks it numerically)"
        if constants in slugs
        else ""
    )
    if a["equal"] and a["matches"]:
        text = (
            r"Theorem III.1 leaves $\alpha_1, \alpha_2$ unnamed; the symbolic derivation gives "
            r"$\alpha_1 = \alpha_2 = (1-c)\sqrt{\lambda_W/(n\lambda_H)}$"
            + (r", independent of $\lambda_b$" if a["free_of_lambda_b"] else "")
            + rf", for every K, with the threshold $\lambda_b = {a['threshold']}$"
            + check
            + "."
        )
    else:
        text = (
            rf"The derivation gives $\alpha_1 = {a['alpha_1']}$ and $\alpha_2 = {a['alpha_2']}$, "
            r"not the expected $(1-c)\sqrt{\lambda_W/(n\lambda_H)}$."
        )
    return [{"kind": "derived", "title": "alpha_1, alpha_2", "text": text, "data": a}]


def _smoothing() -> dict[str, Any]:
    s = label_smoothing_sign()
    text = (
        r"Label smoothing $\bar Y = (1-\delta)I_K + \frac{\delta}{K}11^\top$ is the SSETF "
        r"$\alpha(I-\beta J)$ with $\alpha = 1-\delta$ and $\beta = -\delta/(1-\delta)$, "
        r"not $+\delta/(1-\delta)$ as Sec. IV-B writes. Checked numerically here for "
        r"$K \in \lbrace 3, 10 \rbrace$, $\delta \in \lbrace 0.1, 0.5, 0.9 \rbrace$: with the paper's sign "
        rf"$\Vert \bar Y - \alpha(I-\beta J) \Vert_F \ge {tex_number(s['min_error_paper_sign'])}$, "
        rf"with the minus sign ${_tex_bound(s['max_error_minus_sign'])}$ (rounding), and "
        rf"`ssetf_fit` recovers $\beta = -\delta/(1-\delta)$ to within "
        rf"${_tex_bound(s['max_fit_deviation'])}$. The claim is "
        "unaffected (label smoothing is still an SSETF)."
    )
    return {
        "kind": "paper",
        "title": "label smoothing sign",
        "text": text,
        "data": _rounding_free(s),
    }


def _replay_findings(claims: dict[str, Any], slugs: dict[str, str]) -> list[dict[str, Any]]:
    from verify.symbolic import derivation

    seen: dict[str, list[str]] = {}
    for claim in claims.values():
        if not claim.derivation:
            continue
        try:
            found = derivation(claim.derivation).findings
        except UnknownName:
            continue
        for f in found:
            seen.setdefault(f, []).append(claim.id)
    out = []
    for text, ids in seen.items():
        if "label smoothing" in text.lower() or "alpha_1, alpha_2 unnamed" in text:
            continue  # reported above, recomputed rather than copied
        links = ", ".join(f"[`{i}`](claims/{slugs[i]}.md)" for i in ids)
        out.append(
            {"kind": "paper", "title": "proof replay", "text": f"{text} ({links})", "data": {}}
        )
    return out


_SETTLED = (
    "conjecture-ssetf:if",
    "conjecture-ssetf:only-if",
    "theorem-ssetf:if",
    "theorem-ssetf:only-if",
    "theorem-ssetf:collapse",
)


def _settled(verdicts: list[Verdict], slugs: dict[str, str]) -> list[dict[str, Any]]:
    """The paper's conjecture beside its corrected, proved form (when both were checked)."""
    status = {v.claim_id: v.status for v in verdicts}
    if not all(cid in status for cid in _SETTLED):
        return []

    def link(cid: str) -> str:
        return f"[`{cid}`](claims/{slugs[cid]}.md): {status[cid]}"

    text = (
        "**The conjecture of Sec. IV-B, settled.** As stated it fails in both directions ("
        + ", ".join(link(c) for c in _SETTLED[:2])
        + "). The corrected theorem, for balanced data, every K and every λ_b, with "
        r"$a = \|\bar Y(I-J)\|_F/\sqrt{K-1}$: $\bar H \ne 0$ is an SSETF iff the centred encoding "
        r"$\bar Y(I-J)$ is a scaled simplex ETF with $a > c$ (λ_b = 0; then $\bar H$ is a simplex "
        r"ETF) or $\bar Y$ is an SSETF with $a > c$ (λ_b > 0); with $a \le c$ the centred class "
        "means vanish, and the class means lie on one line or are zero ("
        + ", ".join(link(c) for c in _SETTLED[2:])
        + "; proof replayed in `proofs/ssetf_theorem.py`; figure *The corrected SSETF theorem* "
        "below)."
    )
    if "conjecture-ssetf-imbalanced" in status and "theorem-ssetf-imbalanced:if" in status:
        text += (
            r" Under imbalance the frame must be taken along $u = D^{1/2}1/\sqrt N$: the theorem "
            r"with $J \to uu^\top$ holds ("
            + ", ".join(
                link(c)
                for c in ("theorem-ssetf-imbalanced:if", "theorem-ssetf-imbalanced:only-if")
                if c in status
            )
            + "), the analogue with J kept does not ("
            + link("conjecture-ssetf-imbalanced")
            + ")."
        )
    return [{"kind": "settled", "title": "the conjecture, settled", "text": text, "data": status}]


def findings(
    verdicts: list[Verdict],
    claims: dict[str, Any],
    slugs: dict[str, str],
    hunts: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The conjecture settled, refuted claims, hunts' amendments, derived results, then the
    paper's small slips."""
    out = _settled(verdicts, slugs)
    out += [_refuted(v, slugs[v.claim_id]) for v in verdicts if v.status == "refuted"]
    out += [f for f in (_hunt(h) for h in hunts) if f is not None]
    for v in verdicts:
        if v.status == "inconclusive":
            out.append(
                {
                    "kind": "inconclusive",
                    "title": f"{v.claim_id} is inconclusive",
                    "text": f"[`{v.claim_id}`](claims/{slugs[v.claim_id]}.md) is inconclusive: "
                    f"{one_line(v.reason)}.",
                    "data": {"claim": v.claim_id},
                }
            )
    out += _derived(slugs)
    for v in verdicts:
        claim = claims[v.claim_id]
        if claim.kind == "derived" and claim.id != "theorem-III.1-constants":
            out.append(
                {
                    "kind": "derived",
                    "title": claim.id,
                    "text": f"Derived by nc-verify: {claim.statement} "
                    f"([`{claim.id}`](claims/{slugs[claim.id]}.md): {v.status}).",
                    "data": {"claim": claim.id, "status": v.status},
                }
            )
    out.append(_smoothing())
    out += _replay_findings(claims, slugs)
    return out
