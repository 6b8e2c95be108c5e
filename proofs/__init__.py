"""The claims of "The role of class encoding in neural collapse" (arXiv 2606.00344) as code.

One module per claim; ``REGISTRY`` is the one explicit list, in the paper's order, and
``tests/test_registry.py`` asserts that every module here is registered. To write a claim of
your own, copy a module (``theorem_iv1.py`` is the shortest) and hunt it with
``verify hunt my_claims.py:CLAIM``.
"""

from verify.claims import Claim

from . import (
    conjecture_ssetf,
    corollary_iv2,
    gram_balanced,
    gram_imbalanced,
    lemma_iii3,
    proposition_iii2,
    proposition_iv3,
    ssetf_imbalanced,
    ssetf_theorem,
    theorem_iii1,
    theorem_iii4,
    theorem_iv1,
    theorem_iv4,
)

MODULES = (
    theorem_iii1,
    proposition_iii2,
    lemma_iii3,
    theorem_iii4,
    theorem_iv1,
    corollary_iv2,
    proposition_iv3,
    theorem_iv4,
    conjecture_ssetf,
    gram_balanced,
    gram_imbalanced,
    ssetf_theorem,
    ssetf_imbalanced,
)

REGISTRY: dict[str, Claim] = {
    c.id: c
    for c in (
        theorem_iii1.CLAIM,
        theorem_iii1.CONSTANTS,
        proposition_iii2.CLAIM,
        lemma_iii3.CLAIM,
        theorem_iii4.CLAIM_A,
        theorem_iii4.CLAIM_B,
        theorem_iv1.CLAIM,
        corollary_iv2.CLAIM,
        proposition_iv3.CLAIM,
        theorem_iv4.CLAIM,
        conjecture_ssetf.IF,
        conjecture_ssetf.ONLY_IF,
        gram_balanced.CLAIM,
        gram_imbalanced.CLAIM,
        ssetf_theorem.IF,
        ssetf_theorem.ONLY_IF,
        ssetf_theorem.COLLAPSE,
        ssetf_imbalanced.IF,
        ssetf_imbalanced.ONLY_IF,
        ssetf_imbalanced.CONJECTURE,
    )
}
