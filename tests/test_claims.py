"""Every registered claim through one battery, the registry checked against itself, and
"quality" tests: planted wrong versions of the claims must be refuted with a small
counterexample, or the verifier is not verifying anything.

Select one claim with ``pytest -k theorem-IV.4``.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import pkgutil
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given

import proofs
from proofs import REGISTRY
from verify.claims import Claim, Context, check, evaluate, unmet
from verify.claims.residuals import frobenius_gap
from verify.claims.verdict import _LOCAL_SEARCH_ONLY  # the ids local_search_only() marked

# the paper's claims that the evidence refutes (findings; see proofs/conjecture_ssetf.py)
# the registered claims nc-verify refutes (the paper's conjecture, its imbalanced form, and the
# soft-target cross-entropy analogue: "if" false for rotated label smoothing at K >= 4, "only
# if" at K = 2 with lambda_b = 0)
REFUTED = {
    "conjecture-ssetf:if",
    "conjecture-ssetf:only-if",
    "conjecture-ssetf-imbalanced",
    "ce-ssetf-analogue:if",
    "ce-ssetf-analogue:only-if",
}
# the ids of docs/CLAIMS.md (groups: theorem-III.4 has parts (a), (b); the conjecture two directions)
CLAIMS_MD_IDS = [
    "theorem-III.1", "proposition-III.2", "lemma-III.3", "theorem-III.4", "theorem-IV.1",
    "corollary-IV.2", "proposition-IV.3", "theorem-IV.4", "conjecture-ssetf",
]  # fmt: skip
IDS = list(REGISTRY)


def test_every_module_in_proofs_is_registered() -> None:
    """Property: the registry is exactly the claims defined in the modules of proofs/ (the bank
    of planted false claims, proofs/planted.py, and the false-alarm measurement over the true
    ones, proofs/false_alarms.py, are no claims and are not registered)."""
    names = {m.name for m in pkgutil.iter_modules(proofs.__path__)} - {
        "planted",
        "false_alarms",
        "report",
    }
    assert names == {m.__name__.rsplit(".", 1)[1] for m in proofs.MODULES}
    defined = {
        obj.id
        for name in names
        for obj in vars(importlib.import_module(f"proofs.{name}")).values()
        if isinstance(obj, Claim)
    }
    assert defined == set(REGISTRY)


def test_the_library_is_given_its_claims_by_entry_point(monkeypatch) -> None:
    """Property: ``verify.claims.registry`` reads the installed claim packages (entry-point
    group ``nc_verify.claims``), finds proofs' registry there, and says how to fix an install
    that registers none (instead of importing ``proofs`` by name)."""
    from importlib.metadata import EntryPoint

    from verify import plugins
    from verify.claims import registry as reg
    from verify.errors import VerifyError

    assert reg.registry() == REGISTRY
    reg.registry.cache_clear()
    monkeypatch.setattr(plugins, "entry_points", lambda group: [])
    with pytest.raises(VerifyError, match=r"'nc_verify\.claims'.*`pip install -e \.`"):
        reg.registry()
    ours = EntryPoint("nc-verify", "proofs:REGISTRY", plugins.CLAIMS)
    other = dataclasses.replace(REGISTRY["theorem-IV.1"], title="another claim, the same id")
    given = [ours, _Given("mine", {other.id: other})]
    monkeypatch.setattr(plugins, "entry_points", lambda group: given)
    with pytest.raises(
        VerifyError, match=r"'theorem-IV\.1' is registered by both mine and nc-verify"
    ):
        reg.registry()
    monkeypatch.undo()
    reg.registry.cache_clear()
    assert reg.registry() == REGISTRY


class _Given:
    """An entry point that loads a given mapping."""

    def __init__(self, name: str, value: object) -> None:
        self.name, self.value = name, value

    def load(self) -> object:
        return self.value


def test_every_claim_of_claims_md_is_registered() -> None:
    """Property: every id of docs/CLAIMS.md is a registered claim id or group."""
    known = set(REGISTRY) | {c.group for c in REGISTRY.values()}
    assert set(CLAIMS_MD_IDS) <= known
    row = re.compile(r"^\| ([a-z]+-[\w.]+) \|", flags=re.M)
    docs = Path(__file__).resolve().parents[1] / "docs" / "CLAIMS.md"
    documented = set(row.findall(docs.read_text()))
    assert set(CLAIMS_MD_IDS) <= documented <= known, sorted(documented - known)
    shared = Path(__file__).resolve().parents[2] / "shared" / "CLAIMS.md"
    if shared.exists():  # beside the checkout in CI; compare with the table itself
        assert set(row.findall(shared.read_text())) == set(CLAIMS_MD_IDS)


@pytest.mark.parametrize("claim_id", IDS)
def test_strategy_draws_only_valid_instances(claim_id: str) -> None:
    """Property: the claim's strategy only draws instances satisfying its hypotheses."""
    claim = REGISTRY[claim_id]

    @given(claim.cases())
    def draws(case) -> None:  # type: ignore[no-untyped-def]
        assert unmet(case.instance, claim.hypotheses) == []

    draws()


# the sphere claims' property runs local searches of many starts per example (4-12 s each
# under the ci profile); their verdicts are checked in the report test's build: slow here
_SLOW_PROPERTY = ("sphere-",)


@pytest.mark.parametrize(
    "claim_id",
    [
        pytest.param(i, marks=pytest.mark.slow) if i.startswith(_SLOW_PROPERTY) else i
        for i in IDS
        if i not in REFUTED
    ],
)
def test_claim_holds_on_certified_instances(claim_id: str) -> None:
    """Property: at every certified instance satisfying the hypotheses, the claim holds."""
    claim = REGISTRY[claim_id]

    @given(claim.cases())
    def holds(case) -> None:  # type: ignore[no-untyped-def]
        outcome = evaluate(claim, case)
        assert outcome.status in ("holds", "vacuous"), (
            outcome.status,
            outcome.residuals,
            outcome.reason,
        )

    holds()


@pytest.mark.parametrize("claim_id", ["conjecture-ssetf:if", "conjecture-ssetf:only-if"])
def test_refuted_claims_have_a_small_confirmed_counterexample(claim_id: str) -> None:
    """Property: the conjecture's directions are refuted by a shrunk, confirmed counterexample."""
    verdict = check(REGISTRY[claim_id], examples=150, seed=0)
    assert verdict.status == "refuted", verdict.reason
    assert verdict.confirmation["confirmed"]
    assert verdict.counterexample is not None and verdict.counterexample.case.instance.K <= 3
    # not the zero minimiser: the premise proves the class means non-zero, and c < 1
    instance = verdict.counterexample.case.instance
    assert instance.c is not None and instance.c < 1
    assert verdict.counterexample.premise is not None
    assert verdict.counterexample.premise["Hbar != 0 (certified)"] == 0.0


def test_the_imbalanced_conjecture_is_refuted_off_every_boundary() -> None:
    """Issue 15: the natural imbalanced analogue fails for a finite lambda_b under imbalance."""
    verdict = check(REGISTRY["conjecture-ssetf-imbalanced"], examples=50, seed=0)
    assert verdict.status == "refuted", verdict.reason
    instance = verdict.counterexample.case.instance  # type: ignore[union-attr]
    assert not instance.balanced and not math.isinf(instance.lambda_b)


def test_boundary_counterexample_is_not_confirmed() -> None:
    """At c = alpha exactly (label smoothing, no bias) the exact engine's rank-one class means
    differ from an SSETF only in the last digits; confirmation must not call that refuted."""
    from verify.claims.runner import confirm, evaluate
    from verify.encodings import label_smoothing
    from verify.instance import Instance
    from verify.strategies import Case

    # K = 2, delta = 1/2: alpha = 1/2 on 1-perp; n = 1 and lambda = 1/4 give c = 2 * 1/4 = alpha
    case = Case(Instance(label_smoothing(2, 0.5), (1, 1), 2, 0.25, 0.25, math.inf), {})
    claim = REGISTRY["conjecture-ssetf:if"]
    assert evaluate(claim, case).status == "counterexample"  # for the exact engine alone
    assert not confirm(claim, case)["confirmed"]


@pytest.mark.parametrize(("c_over_alpha", "vacuous"), [(1.0, True), (0.9, False)])
def test_centred_means_guard_at_c_equal_to_alpha(c_over_alpha: float, vacuous: bool) -> None:
    """At c = alpha exactly the minimiser's centred class means vanish; the computed ones are of
    the size of the rounding and their shape is noise (here an "SSETF" whose centred part is
    off a simplex ETF by 2e-3). Corollary IV.2's premise must not hold there; below alpha the
    certificate proves the centred means non-zero and the corollary is judged."""
    from verify.claims.residuals import centred_means_nonzero
    from verify.encodings import label_smoothing
    from verify.instance import Instance
    from verify.strategies import Case

    encoding = label_smoothing(3, 0.40235640016095775)  # alpha = 0.5976... (twice)
    alpha = float(np.linalg.svd(encoding, compute_uv=False)[-1])
    lam = c_over_alpha * alpha / (3 * math.sqrt(2))  # c = K sqrt(n) lambda, n = 2
    case = Case(Instance(encoding, (2, 2, 2), 3, lam, lam, 1.4853602359586096), {})
    outcome = evaluate(REGISTRY["corollary-IV.2"], case)
    guard = centred_means_nonzero(Context(case))
    assert guard == {"Hbar (I - J) != 0 (certified)": float(vacuous)}
    assert outcome.status == ("vacuous" if vacuous else "holds"), outcome


def test_check_is_deterministic() -> None:
    """Property: the same seed gives the same verdict JSON, timings aside."""
    claim = REGISTRY["theorem-IV.4"]
    first = check(claim, examples=15, seed=3).as_dict(timings=False)
    second = check(claim, examples=15, seed=3).as_dict(timings=False)
    assert first == second


# --- quality tests: planted wrong claims ------------------------------------------------


def _planted(claim: Claim, conclusion, **changes) -> Claim:  # type: ignore[no-untyped-def]
    return dataclasses.replace(
        claim, id=claim.id + " (planted)", conclusion=conclusion, derivation=None, **changes
    )


def _wrong_kappa(ctx: Context) -> dict[str, float]:
    """Theorem IV.4 with lambda_W and lambda_H swapped in kappa."""
    inst, s = ctx.instance, ctx.solution
    kappa2 = inst.lambda_W * (inst.n or 1) / inst.lambda_H
    return {"wrong kappa": frobenius_gap(s.W.T @ s.W, kappa2 * s.Hbar @ s.Hbar.T, ctx.floor("WtW"))}


def _wrong_threshold(ctx: Context) -> dict[str, float]:
    """Theorem III.1's bias with the threshold c/(1+c) instead of c/(1-c)."""
    inst, s = ctx.instance, ctx.solution
    c, lb, K = inst.c, inst.lambda_b, inst.K
    assert c is not None
    b = 1 / (1 + lb) / K if lb <= c / (1 + c) else c / lb / K
    return {"bias": frobenius_gap(s.b, np.full(K, b), ctx.floor("b"))}


def _bias_ignores_lambda_b(ctx: Context) -> dict[str, float]:
    """Theorem III.4(a)'s conclusion claimed for every lambda_b."""
    s = ctx.solution
    return {"b = Y1/N": frobenius_gap(s.b, ctx.instance.Y.mean(axis=1), ctx.floor("b"))}


PLANTED = {
    "wrong-constant": _planted(REGISTRY["theorem-IV.4"], _wrong_kappa),
    "wrong-threshold": _planted(REGISTRY["theorem-III.1"], _wrong_threshold),
    "dropped-hypothesis-lambda_b": _planted(
        REGISTRY["theorem-III.4(a)"], _bias_ignores_lambda_b, hypotheses=()
    ),
    "dropped-hypothesis-one_hot": REGISTRY["theorem-III.1"].relaxed("one_hot"),
    "dropped-hypothesis-balanced": REGISTRY["theorem-IV.4"].relaxed("balanced"),
    "dropped-hypothesis-c_below_1": REGISTRY["theorem-III.1"].relaxed("c_below_1"),
}


@pytest.mark.parametrize("name", list(PLANTED))
def test_planted_false_claim_is_refuted(name: str) -> None:
    """Property: a planted false claim is refuted by a confirmed counterexample with K <= 3."""
    verdict = check(PLANTED[name], examples=60, seed=0)
    assert verdict.status == "refuted", (verdict.status, verdict.reason)
    case = verdict.counterexample.case  # type: ignore[union-attr]
    # c_below_1 dropped: the failures sit at c >= 1, where the minimiser is zero; the smaller
    # ones Hypothesis meets are exactly at c = 1, which no second engine resolves, so the
    # smallest *confirmed* one it reaches has K = 4 (a known limit, see the issue notes)
    largest = 4 if name == "dropped-hypothesis-c_below_1" else 3
    assert largest >= case.instance.K, case.describe()
    assert math.isfinite(verdict.counterexample.worst)  # type: ignore[union-attr]


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", sorted(set(REGISTRY) - REFUTED))
def test_claim_survives_an_exhaustive_check(claim_id: str) -> None:
    """Property (slow, `pytest -m slow`): every claim other than the conjecture's refuted
    directions is proved or verified on 700 drawn instances and its corners, with no
    inconclusive case; a claim whose evidence can only be local search (the hypersphere's
    non-convex losses without a proved bound) is ``supported``, its best status."""
    verdict = check(REGISTRY[claim_id], examples=700, seed=1)
    best = ("supported",) if claim_id in _LOCAL_SEARCH_ONLY else ("proved", "verified")
    assert verdict.status in best, (verdict.status, verdict.reason)
