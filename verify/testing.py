"""Asserting claims in your own test suite, under Hypothesis.

:func:`assert_claim` searches the claim's instances with Hypothesis (targeting the worst
residual, shrinking what fails), solves each with a certificate, and raises
:class:`AssertionError` carrying the shrunk counterexample in readable form: the instance, its
encoding, the residuals and the certificate, and whether a second engine confirmed it.
:func:`claim_test` turns a claim into a pytest test function::

    from verify.testing import assert_claim, claim_test
    from my_claims import MY_CLAIM

    def test_my_claim():
        assert_claim(MY_CLAIM, examples=50, seed=0)

    test_my_claim_again = claim_test(MY_CLAIM, examples=50, seed=1)

``examples=None`` takes ``max_examples`` from the active Hypothesis settings profile, so
``pytest --hypothesis-profile=thorough`` hunts harder. An instance whose solve could not be
certified fails the assertion too (nothing passes silently) unless ``allow_uncertified=True``;
so does a claim whose derivation (its proof replay) fails or cannot be built.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import settings

from .claims import Claim
from .claims.files import claims_named
from .claims.runner import confirm, coverage, replay, run_search
from .claims.verdict import Outcome
from .hunt.summary import text
from .tolerances import DEFAULT, Tolerances

__all__ = ["assert_claim", "claim_test"]


def _confirmation(claim: Claim, found: Outcome, tol: Tolerances) -> str:
    try:
        conf = confirm(claim, found.case, tol)
    except Exception as error:  # a second engine that is missing or fails: say so
        return f"not confirmed: the confirmation could not run ({type(error).__name__}: {error})"
    t, s = conf["tight"], conf["second"]
    word = "confirmed" if conf["confirmed"] else "NOT confirmed"
    return (
        f"{word}: exact engine at gap {t['gap_tolerance']:.0e} says {t['status']} "
        f"(worst {t['worst_residual']:.2e}); {s['engine']} says {s['status']} "
        f"(worst {s['worst_residual']:.2e})"
    )


def assert_claim(
    claim: Claim | str,
    examples: int | None = None,
    seed: int = 0,
    tol: Tolerances = DEFAULT,
    confirm_counterexample: bool = True,
    allow_uncertified: bool = False,
) -> list[Outcome]:
    """Raise AssertionError with the shrunk counterexample if ``claim`` fails on a certified
    instance drawn by its strategy (its corners first); return the outcomes evaluated otherwise.

    ``claim`` is a :class:`~verify.claims.Claim`, or its name as ``verify check`` takes it: a
    registered id or ``path/to/file.py:NAME`` (which must name a single claim).
    """
    if isinstance(claim, str):
        named = claims_named(claim)
        if len(named) != 1:
            ids = ", ".join(c.id for c in named)
            raise TypeError(
                f"claim={claim!r} names {len(named)} claims ({ids}); assert one at a time"
            )
        claim = named[0]
    if not isinstance(claim, Claim):
        raise TypeError(f"claim={claim!r}: must be a verify.claims.Claim or a claim's name")
    symbolic = replay(claim)  # a failed proof replay fails here, as it makes check inconclusive
    if symbolic.get("error") or symbolic.get("failed"):
        step = symbolic.get("error") or f"a proof step fails: {symbolic['failed'][0]}"
        raise AssertionError(
            f"{claim.id}: its derivation {claim.derivation!r} does not hold: {step}"
        )
    n = examples if examples is not None else settings().max_examples
    outcomes: list[Outcome] = []
    found = run_search(claim, n, seed, tol, "exact", outcomes)
    if found is not None:
        lines = [
            f"{claim.id} fails at a certified instance (seed={seed}, shrunk by Hypothesis):",
            text(found, indent="  "),
            f"tolerances: residual={tol.residual:.0e}, refute={tol.refute:.0e}, gap={tol.gap:.0e}",
        ]
        if confirm_counterexample:
            lines.append(_confirmation(claim, found, tol))
        raise AssertionError("\n".join(lines))
    malformed = [o for o in outcomes if o.status == "malformed"]
    if malformed:
        raise AssertionError(
            f"{claim.id}: {len(malformed)} malformed outcome(s): {malformed[0].reason}; e.g.\n"
            f"{text(malformed[0], indent='  ')}"
        )
    uncertified = [o for o in outcomes if o.status == "uncertified"]
    if uncertified and not allow_uncertified:
        raise AssertionError(
            f"{claim.id}: {len(uncertified)} solve(s) could not be certified, so the claim was "
            f"not checked there; e.g.\n{text(uncertified[0], indent='  ')}"
        )
    unconfirmed = [o for o in outcomes if o.status == "unconfirmed"]
    if unconfirmed:
        raise AssertionError(
            f"{claim.id}: {len(unconfirmed)} counterexample(s) for the exact engine that "
            f"confirmation did not reproduce (too close to a boundary to call); e.g.\n"
            f"{text(unconfirmed[0], indent='  ')}\n{unconfirmed[0].reason}"
        )
    between = [o for o in outcomes if o.status == "between"]
    if between:
        worst = max(between, key=lambda o: o.worst)
        raise AssertionError(
            f"{claim.id}: {len(between)} instance(s) with a residual between the tolerances "
            f"{tol.residual:.0e} and {tol.refute:.0e} (too close to call); the worst:\n"
            f"{text(worst, indent='  ')}"
        )
    if not any(o.status == "holds" for o in outcomes):
        raise AssertionError(
            f"{claim.id}: no instance satisfied the premise, so nothing was checked"
        )
    missing = coverage(claim, outcomes, tol)["missing"]
    if missing:
        raise AssertionError(
            f"{claim.id}: the search never reached these regimes its hypotheses allow: "
            + ", ".join(missing)
        )
    return outcomes


def claim_test(
    claim: Claim, examples: int | None = None, seed: int = 0, tol: Tolerances = DEFAULT
) -> Callable[[], None]:
    """A pytest test function asserting ``claim`` (assign it to a ``test_*`` name)."""

    def test() -> None:
        assert_claim(claim, examples=examples, seed=seed, tol=tol)

    test.__name__ = "test_" + "".join(ch if ch.isalnum() else "_" for ch in claim.id)
    test.__doc__ = f"Property: {claim.statement} ({claim.id})."
    return test
