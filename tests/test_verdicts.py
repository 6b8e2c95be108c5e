"""Verdicts a reader can trust (issue 10): every regime searched, failed proof steps never pass,
counterexamples above the certificate's resolution, malformed residuals never judged, and user
claims in every command that takes a claim."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from proofs import REGISTRY
from proofs.planted import PLANTED
from verify import Instance, regimes
from verify.claims import Claim, Context, check
from verify.claims.residuals import frobenius_gap
from verify.claims.runner import confirm, evaluate
from verify.cli import main
from verify.errors import UnknownName
from verify.strategies import Case, Params, build, corners
from verify.symbolic import DERIVATIONS, Derivation, algebra_step, compare
from verify.testing import assert_claim

ROOT = Path(__file__).resolve().parents[1]
MY_CLAIMS = ROOT / "examples" / "my_claims.py"


# --- 1. every regime searched ---------------------------------------------------------------


def _bias_one_branch(ctx: Context) -> dict[str, float]:
    lb, K = ctx.instance.lambda_b, ctx.instance.K
    b = 0.0 if math.isinf(lb) else 1 / ((1 + lb) * K)
    return {"b": frobenius_gap(ctx.solution.b, np.full(K, b), ctx.floor("b"))}


ONE_BRANCH = Claim(
    id="user: b = 1/((1+lambda_b)K) for every lambda_b",
    title="the issue's false claim",
    statement="b = 1/((1+lambda_b)K) 1",
    reference="issue 10, defect 1",
    hypotheses=("one_hot", "balanced"),
    conclusion=_bias_one_branch,
    kind="user",
)


@pytest.mark.parametrize("seed", [0, 2])
def test_a_claim_false_above_the_threshold_is_refuted(seed: int) -> None:
    """Defect 1: called verified at 100 examples for 6 of 10 seeds (seed 2 even at 300)."""
    verdict = check(ONE_BRANCH, examples=50, seed=seed, shrink=False)
    assert verdict.status == "refuted", verdict.reason
    assert regimes.label(verdict.counterexample.case.instance)["lambda_b"] == "above threshold"  # type: ignore[union-attr]


def test_the_above_threshold_branch_is_tested_away_from_the_threshold() -> None:
    """Defect 1: theorem-III.1-constants met the above-threshold branch only at 1 + 1e-6."""
    outcomes: list = []
    from verify.claims.runner import run_search
    from verify.tolerances import DEFAULT

    run_search(REGISTRY["theorem-III.1-constants"], 150, 0, DEFAULT, "exact", outcomes)
    ratios = [
        o.case.instance.lambda_b / regimes.threshold(o.case.instance)
        for o in outcomes
        if o.status == "holds" and regimes.label(o.case.instance)["lambda_b"] == "above threshold"
    ]
    assert sum(r > 1.05 for r in ratios) >= 5, ratios
    assert any(1 < r < 1.05 for r in ratios), ratios


def test_default_check_refutes_the_only_if_direction() -> None:
    """Defect 1: `verify check` with its default examples called conjecture-ssetf:only-if verified."""
    assert check(REGISTRY["conjecture-ssetf:only-if"]).status == "refuted"


@pytest.mark.parametrize("claim_id", sorted(REGISTRY))
def test_corners_reach_every_allowed_regime(claim_id: str) -> None:
    """Property: the deterministic corners alone reach every regime a claim allows, and each
    satisfies the claim's hypotheses (so coverage never rests on luck)."""
    from verify.claims.hypotheses import unmet

    claim = REGISTRY[claim_id]
    cases = corners(frozenset(claim.hypotheses), claim.max_K, claim.with_Q)
    assert all(not unmet(c.instance, claim.hypotheses) for c in cases)
    allowed = regimes.allowed(claim.hypotheses, claim.max_K)
    reached, total, missing = regimes.coverage([regimes.label(c.instance) for c in cases], allowed)
    assert not missing and reached == total


def test_a_verdict_names_the_regimes_it_reached() -> None:
    verdict = check(REGISTRY["theorem-IV.1"], examples=10, seed=0)
    cov = verdict.coverage
    assert verdict.status == "verified" and cov["reached"] == cov["allowed"] > 10
    assert f"regimes {cov['reached']}/{cov['allowed']}" in verdict.evidence
    assert "lambda_b: above threshold" in cov["regimes"]


def test_a_missed_regime_makes_the_verdict_inconclusive(monkeypatch: pytest.MonkeyPatch) -> None:
    """Property: with the corners off and a search too short, the missing regimes are named."""
    import verify.claims.runner as runner

    original = runner.run_search
    monkeypatch.setattr(
        runner, "run_search", lambda *a, **k: original(*a, **{**k, "corners": False})
    )
    verdict = check(REGISTRY["theorem-IV.1"], examples=2, seed=0)
    assert verdict.status == "inconclusive"
    assert "never reached" in verdict.reason and "lambda_b:" in verdict.reason


def test_the_planted_bank_is_large_and_each_claim_says_where_it_is_false() -> None:
    assert len(PLANTED) >= 20
    assert all(where for _, where in PLANTED.values())


@pytest.mark.parametrize("claim_id", sorted(PLANTED))
def test_a_planted_claim_is_refuted_by_the_default_check(claim_id: str) -> None:
    """Property: every planted false claim is refuted by `verify check`'s defaults (seed 0 here;
    `pytest -m slow` runs seeds 0..9, and `python -m proofs.planted` writes the rates)."""
    claim, where = PLANTED[claim_id]
    verdict = check(claim, seed=0, shrink=False)
    assert verdict.status == "refuted", (where, verdict.reason)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(1, 10))
@pytest.mark.parametrize("claim_id", sorted(PLANTED))
def test_a_planted_claim_is_refuted_at_every_seed(claim_id: str, seed: int) -> None:
    claim, where = PLANTED[claim_id]
    verdict = check(claim, seed=seed, shrink=False)
    assert verdict.status == "refuted", (where, seed, verdict.reason)


# --- 2. failed proof steps never pass ---------------------------------------------------------


def _false_derivation() -> Derivation:
    x = sp.Symbol("x", positive=True)
    return Derivation(
        "test-false-step",
        "a derivation with one false step",
        {},
        (algebra_step("x + x = 2x", x + x, 2 * x), algebra_step("x^2 = x", x**2, x)),
    )


def test_a_failed_algebra_step_makes_the_verdict_inconclusive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Defect 2: such a claim came out `verified` with "1 algebra steps checked"."""
    monkeypatch.setitem(DERIVATIONS, "test-false-step", _false_derivation)
    claim = Claim(**{**_fields(REGISTRY["theorem-IV.1"]), "derivation": "test-false-step"})
    verdict = check(claim, examples=5, seed=0)
    assert verdict.status == "inconclusive"
    assert "step 2 (x^2 = x)" in verdict.reason
    assert "1/2 algebra steps hold" in verdict.evidence


def test_a_cited_lemma_whose_check_fails_blocks_the_proof(monkeypatch: pytest.MonkeyPatch) -> None:
    """Property: a lemma is only as good as its numeric check; a failing one is a failed step."""
    from verify.symbolic import lemma_step

    x = sp.Symbol("x", positive=True)
    steps = (
        algebra_step("x = x", x, x),
        lemma_step("a lemma", "a citation", lambda: (False, "off by 1")),
    )
    monkeypatch.setitem(DERIVATIONS, "test-lemma", lambda: Derivation("t", "t", {}, steps))
    claim = Claim(**{**_fields(REGISTRY["proposition-III.2"]), "derivation": "test-lemma"})
    verdict = check(claim, examples=5, seed=0)
    assert verdict.status == "inconclusive" and "step 2 (a lemma): off by 1" in verdict.reason


def test_the_corrected_conjecture_and_the_gram_closed_form_are_proved() -> None:
    """Issue 15: each replay is symbolic algebra and cited lemmas whose checks pass."""
    for claim_id in (
        "gram-balanced",
        "theorem-ssetf:if",
        "theorem-ssetf:only-if",
        "theorem-ssetf:collapse",
    ):
        verdict = check(REGISTRY[claim_id], examples=30, seed=0)
        assert verdict.status == "proved", (claim_id, verdict.reason)
        assert "cited lemmas, each checked" in verdict.evidence


def _fields(claim: Claim) -> dict:
    import dataclasses

    return {f.name: getattr(claim, f.name) for f in dataclasses.fields(claim)}


def test_an_unknown_derivation_is_refused_when_the_claim_is_built() -> None:
    """Defect 2: an unknown `derivation=` made `Verdict.evidence` raise KeyError."""
    with pytest.raises(UnknownName, match="no-such-derivation"):
        Claim(**{**_fields(REGISTRY["theorem-IV.1"]), "derivation": "no-such-derivation"})


def test_compare_draws_points_for_the_symbols_of_both_sides() -> None:
    """Defect 2: compare(x + 1, x) raised TypeError (lhs - rhs = 1 has no free symbols)."""
    x = sp.Symbol("x")
    verdict = compare(x + 1, x)
    assert not verdict.holds and "x=" in verdict.counterexample


def test_proved_needs_every_step_reduced_symbolically(monkeypatch: pytest.MonkeyPatch) -> None:
    """Property: a step SymPy decided only at random points is evidence, not a proof."""
    x = sp.Symbol("x", positive=True)
    step = algebra_step("x = x", x, x)
    numeric = type(step)(step.description, x, x, "algebra", True, method="numeric-random-points")
    monkeypatch.setitem(
        DERIVATIONS, "test-random-points", lambda: Derivation("t", "t", {}, (step, numeric))
    )
    claim = Claim(**{**_fields(REGISTRY["proposition-III.2"]), "derivation": "test-random-points"})
    verdict = check(claim, examples=5, seed=0)
    assert verdict.status == "verified", verdict.reason
    assert REGISTRY["proposition-III.2"].derivation is not None
    assert check(REGISTRY["proposition-III.2"], examples=5, seed=0).status == "proved"


# --- 3. counterexamples above the certificate's resolution ------------------------------------


def _gram_without_floor(ctx: Context) -> dict[str, float]:
    from proofs.theorem_iii1 import lambdified

    inst, s = ctx.instance, ctx.solution
    _, G = lambdified()(inst.K, inst.n, inst.lambda_W, inst.lambda_H, inst.lambda_b)
    return {"gram, no floor": frobenius_gap(s.Hbar.T @ s.Hbar, np.asarray(G, dtype=float))}


NO_FLOOR = Claim(
    id="user: derived Gram without a floor",
    title="t",
    statement="t",
    reference="issue 10, defect 3",
    hypotheses=("one_hot", "balanced"),
    conclusion=_gram_without_floor,
    kind="user",
)


def test_a_violation_below_the_certificates_resolution_is_not_confirmed() -> None:
    """Defect 3: 1 - c = 1e-13, |WH| ~ 5e-13 under a certified error bound ~ 5e-7."""
    lam = 0.07905694150420157
    case = Case(Instance(np.eye(4), (10,) * 4, 4, lam, lam, 0.0))
    assert evaluate(NO_FLOOR, case).status == "counterexample"
    confirmation = confirm(NO_FLOOR, case)
    assert not confirmation["confirmed"]
    assert not confirmation["resolution"]["resolved"]


def test_resolution_alone_rejects_noise_off_the_boundary() -> None:
    """Property: the resolution check, not only the boundary rule, rejects noise: c = 0.99999 is
    far from the level 1 for `boundary`, but |WH| ~ 1e-5 is still under its error bound."""
    lam = (1 - 1e-5) / (4 * math.sqrt(10))
    case = Case(Instance(np.eye(4), (10,) * 4, 4, lam, lam, 0.0))
    confirmation = confirm(NO_FLOOR, case)
    assert not confirmation["boundary"]["on_boundary"]
    if evaluate(NO_FLOOR, case).status == "counterexample":
        assert not confirmation["confirmed"]


def test_a_counterexample_on_a_regime_boundary_is_not_confirmed() -> None:
    """Defect 3: the report's headline counterexample to conjecture-ssetf:if sat at
    c/alpha = 1 - 1e-16 (K=3, delta=0.5, lambda_W=1/24, lambda_H=2/3, lambda_b=inf)."""
    p = Params("smooth", 3, (1, 1, 1), 0, 0.5, 0.25, math.inf, "inf", {"delta": 0.5})
    case = build(p)
    assert case is not None
    assert regimes.boundary_distance(case.instance) < 1e-9
    confirmation = confirm(REGISTRY["conjecture-ssetf:if"], case)
    assert confirmation["boundary"]["on_boundary"] and not confirmation["confirmed"]


def test_a_robust_counterexample_is_confirmed() -> None:
    """The issue's robust counterexample to conjecture-ssetf:if: K=2, lambda_W=0.225,
    lambda_H=0.9, lambda_b=inf (c/alpha = 1.8) is still confirmed."""
    from verify.encodings import label_smoothing

    case = Case(Instance(label_smoothing(2, 0.5), (1, 1), 2, 0.225, 0.9, math.inf))
    confirmation = confirm(REGISTRY["conjecture-ssetf:if"], case)
    assert confirmation["confirmed"], confirmation
    assert confirmation["resolution"]["resolved"]


def test_the_refuted_conjecture_counterexample_is_off_every_boundary() -> None:
    """Property: shrinking keeps a robust counterexample (no trade for one rounding decides)."""
    verdict = check(REGISTRY["conjecture-ssetf:if"], examples=50, seed=0)
    assert verdict.status == "refuted"
    assert regimes.boundary_distance(verdict.counterexample.case.instance) > 1e-6  # type: ignore[union-attr]


# --- malformed residuals (issue 11, item 8) ------------------------------------------------------


def _claim_returning(value: object, solve: bool = True) -> Claim:
    def conclusion(ctx: Context) -> dict[str, float]:
        if solve:
            ctx.solution  # noqa: B018
        return value  # type: ignore[return-value]

    return Claim(
        id="user: malformed", title="t", statement="t", reference="t", hypotheses=(),
        conclusion=conclusion, kind="user",
    )  # fmt: skip


@pytest.mark.parametrize(
    "value",
    [
        {"ok": 0.0, "bad": math.nan},
        {"bad": math.nan, "ok": 0.0},
        {"r": -1e-3},
        {"r": math.inf},
        {},
        None,
        [0.0],
        "0",
        {"r": True},
    ],
    ids=["nan-last", "nan-first", "negative", "inf", "empty", "none", "list", "str", "bool"],
)
def test_a_residual_that_is_not_a_finite_number_is_malformed(value: object) -> None:
    """Item 8: NaN passed or failed by dict order; a NaN from a claim that never solved was a
    "certified counterexample"; negative residuals and an empty dict were accepted."""
    verdict = check(_claim_returning(value), examples=3, seed=0)
    assert verdict.status == "inconclusive", verdict.reason
    assert "malformed" in verdict.reason
    assert verdict.counts.get("malformed", 0) > 0 and not verdict.counts.get("counterexample")


def test_a_claim_that_never_solves_cannot_be_a_certified_nan_counterexample() -> None:
    verdict = check(_claim_returning({"r": math.nan}, solve=False), examples=3, seed=0)
    assert verdict.status == "inconclusive" and verdict.counterexample is None


def test_a_claim_that_raises_is_malformed_not_a_crash() -> None:
    def raises(ctx: Context) -> dict[str, float]:
        raise ZeroDivisionError("division by zero")

    claim = Claim(id="u", title="t", statement="t", reference="t", hypotheses=(), conclusion=raises)
    verdict = check(claim, examples=3, seed=0)
    assert verdict.status == "inconclusive" and "ZeroDivisionError" in verdict.reason


# --- 4. FILE.py:NAME in every command ----------------------------------------------------------


def test_verify_check_takes_a_claim_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 4: `verify check FILE.py:NAME` was refused."""
    out = tmp_path / "v.json"
    code = main(
        ["check", f"{MY_CLAIMS}:BIAS_IS_MEAN_LABEL", "--examples", "20", "--json", str(out)]
    )
    assert code == 0
    (verdict,) = json.loads(out.read_text())["verdicts"]
    assert verdict["claim"] == "my-bias-is-mean-label" and verdict["status"] == "refuted"


@pytest.mark.parametrize(
    "spec, message",
    [
        ("examples/nothing.py:X", "no such file"),
        (f"{MY_CLAIMS}:NOPE", "defines no 'NOPE'"),
        (f"{MY_CLAIMS}", "name the claim in the file"),
    ],
)
def test_check_and_hunt_refuse_a_bad_claim_file_alike(
    spec: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in (["check", spec], ["hunt", spec, "--no-database"]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_claim_file_that_exits_at_import_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sys\nsys.exit(3)\n")
    assert main(["check", f"{bad}:X"]) == 2
    assert "SystemExit" in capsys.readouterr().err


def test_assert_claim_takes_a_claim_file() -> None:
    with pytest.raises(AssertionError, match="fails at a certified instance"):
        assert_claim(f"{MY_CLAIMS}:BIAS_IS_MEAN_LABEL", examples=20, seed=0)
    assert_claim("theorem-IV.4", examples=5, seed=0)


@pytest.mark.parametrize(
    "c, lambda_b, region",
    [(0.4, 0.5, "SSETF"), (0.4, math.inf, "SSETF"), (0.85, 30.0, "line"), (0.85, math.inf, "line"),
     (0.85, 1.0, "zero"), (1.1, math.inf, "zero"), (0.4, 0.0, "SSETF"), (0.85, 0.0, "zero")],
)  # fmt: skip
def test_label_smoothing_regions_follow_the_corrected_theorem(
    c: float, lambda_b: float, region: str
) -> None:
    """Issue 15: certified class means are an SSETF, a line or zero where the theorem says."""
    from proofs.report.regions import classify, predicted
    from verify.encodings import label_smoothing

    lam = c / (3 * math.sqrt(4))
    inst = Instance(label_smoothing(3, 0.3), (4, 4, 4), 3, lam, lam, lambda_b)
    assert predicted(0.3, c, lambda_b) == region
    assert classify(inst) == region


# ------------------------------------------------------------ boundaries, decided exactly


def _one_hot_k2(lambda_W: float, lambda_b: float) -> Instance:
    """One-hot, K = 2, four samples a class, lambda_H = 1/4: c = 1 exactly at lambda_W = 1/4."""
    return Instance(np.eye(2), (4, 4), 2, lambda_W, 0.25, lambda_b)


@pytest.mark.parametrize("lambda_b", [0.0, 0.5, math.inf])
def test_exact_arithmetic_decides_the_level_itself(lambda_b: float) -> None:
    """Property: (0, 0, b*) is the minimiser from c = 1 on, in the instance's own rationals:
    at lambda_W = 1/4 and one ulp above, not one ulp below (where Z* is tiny but nonzero)."""
    from verify.claims.exact import zero_is_the_minimiser

    assert zero_is_the_minimiser(_one_hot_k2(0.25, lambda_b))
    assert zero_is_the_minimiser(_one_hot_k2(math.nextafter(0.25, 1), lambda_b))
    assert not zero_is_the_minimiser(_one_hot_k2(math.nextafter(0.25, 0), lambda_b))


def test_exact_arithmetic_decides_nothing_for_another_loss() -> None:
    """Property: the rational KKT test is the MSE loss's; a cross-entropy instance at the
    same numbers (whose zero point is not the minimiser) is never decided by it."""
    from verify.claims.exact import zero_is_the_minimiser

    ce = Instance(np.eye(2), (4, 4), 2, 0.25, 0.25, 0.5, loss="ce")
    assert not zero_is_the_minimiser(ce)


def test_the_exact_psd_test_agrees_with_eigenvalues() -> None:
    """Property: the rational elimination says PSD exactly when the smallest eigenvalue is
    >= 0, on matrices whose eigenvalues are far from 0 or exactly 0 (rank-deficient Grams)."""
    from fractions import Fraction

    from verify.claims.exact import _psd

    rng = np.random.default_rng(0)
    for trial in range(200):
        K = int(rng.integers(1, 5))
        B = rng.integers(-3, 4, size=(K, int(rng.integers(1, K + 1)))).astype(float)
        A = B @ B.T - (float(rng.integers(0, 3)) if trial % 2 else 0.0) * np.eye(K)
        lowest = float(np.linalg.eigvalsh(A)[0])
        if 0 < abs(lowest) < 1e-6:
            continue
        exact = [[Fraction(float(x)) for x in row] for row in A]
        assert _psd(exact) == (lowest > -1e-9), (A, lowest)


@pytest.mark.parametrize("cid", ["planted:ssetf-if-closed", "planted:nonzero-up-to-c-1"])
def test_a_wrong_inequality_at_the_boundary_is_refuted_exactly(cid: str) -> None:
    """Property: a claim that is false only *at* a singular level (a >= c where a > c is
    needed; the zero minimiser claimed only for c > 1) is refuted, with exact arithmetic as
    the confirming engine, at the default number of examples."""
    verdict = check(PLANTED[cid][0], seed=0, shrink=False)
    assert verdict.status == "refuted", verdict.reason
    assert verdict.confirmation is not None
    assert verdict.confirmation["second"]["engine"] == "exact arithmetic"


def test_exact_arithmetic_does_not_confirm_one_ulp_inside() -> None:
    """Property: one ulp below c = 1 the class means are nonzero but far below what the
    certificate resolves, so "Hbar != 0" (true there) fails numerically; exact arithmetic
    cannot decide it (the zero point is not the minimiser), and the failure is not confirmed."""
    claim = PLANTED["planted:nonzero-up-to-c-1"][0]
    conf = confirm(claim, Case(_one_hot_k2(math.nextafter(0.25, 0), 0.5)))
    assert conf["boundary"]["on_boundary"]
    assert not conf["confirmed"] and conf["second"]["engine"] != "exact arithmetic"


def test_assert_claim_fails_on_a_failed_proof_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 10, defect 2, in ``assert_claim``: a claim whose replay has a false step made
    ``check`` inconclusive but passed ``assert_claim`` silently."""
    from verify.testing import assert_claim

    monkeypatch.setitem(DERIVATIONS, "test-false-step", _false_derivation)
    claim = Claim(**{**_fields(REGISTRY["theorem-IV.1"]), "derivation": "test-false-step"})
    with pytest.raises(
        AssertionError, match=r"derivation 'test-false-step' does not hold.*x\^2 = x"
    ):
        assert_claim(claim, examples=5, seed=0)
