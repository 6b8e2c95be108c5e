"""The claims of "The role of class encoding in neural collapse" (arXiv 2606.00344) as code.

One module per claim; ``REGISTRY`` is the one explicit list, in the paper's order, and
``tests/test_claims.py`` asserts that every module here is registered. To write a claim of
your own, copy a module (``theorem_iv1.py`` is the shortest) and hunt it with
``verify hunt my_claims.py:CLAIM``. The registry is built on first use, so
``python -m proofs.<module>`` runs one module (its claim's theory beside a certified solution)
without importing the others first.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from verify.claims import Claim

#: the modules, in the paper's order, then the cross-entropy literature's (the bank of planted
#: false claims, ``planted``, is not one)
MODULE_NAMES = (
    "theorem_iii1",
    "proposition_iii2",
    "lemma_iii3",
    "theorem_iii4",
    "theorem_iv1",
    "corollary_iv2",
    "proposition_iv3",
    "theorem_iv4",
    "conjecture_ssetf",
    "gram_balanced",
    "gram_imbalanced",
    "ssetf_theorem",
    "ssetf_imbalanced",
    # the cross-entropy literature (docs/BEYOND.md section 1)
    "ce_zhu_theorem31",
    "ce_label_smoothing",
    "ce_hong_ling",
    "ce_ssetf_analogue",
    # seed 003: the UFM on the hypersphere (docs/BEYOND.md section 2)
    "sphere_normface",
    "sphere_ntce",
    "sphere_nonl",
    "sphere_supcon",
    "sphere_scl_classifier",
    "sphere_imbalance",
)

#: (module, name) of every registered claim, in order
CLAIM_NAMES = (
    ("theorem_iii1", "CLAIM"),
    ("theorem_iii1", "CONSTANTS"),
    ("proposition_iii2", "CLAIM"),
    ("lemma_iii3", "CLAIM"),
    ("theorem_iii4", "CLAIM_A"),
    ("theorem_iii4", "CLAIM_B"),
    ("theorem_iv1", "CLAIM"),
    ("corollary_iv2", "CLAIM"),
    ("proposition_iv3", "CLAIM"),
    ("theorem_iv4", "CLAIM"),
    ("conjecture_ssetf", "IF"),
    ("conjecture_ssetf", "ONLY_IF"),
    ("gram_balanced", "CLAIM"),
    ("gram_imbalanced", "CLAIM"),
    ("ssetf_theorem", "IF"),
    ("ssetf_theorem", "ONLY_IF"),
    ("ssetf_theorem", "COLLAPSE"),
    ("ssetf_imbalanced", "IF"),
    ("ssetf_imbalanced", "ONLY_IF"),
    ("ssetf_imbalanced", "CONJECTURE"),
    ("ce_zhu_theorem31", "CLAIM"),
    ("ce_zhu_theorem31", "CONSTANTS"),
    ("ce_label_smoothing", "CLAIM"),
    ("ce_label_smoothing", "CONSTANTS"),
    ("ce_hong_ling", "NC1"),
    ("ce_hong_ling", "NC1_SOFT"),
    ("ce_hong_ling", "MINORITY"),
    ("ce_hong_ling", "MINORITY_SMOOTH"),
    ("ce_ssetf_analogue", "IF"),
    ("ce_ssetf_analogue", "ONLY_IF"),
    ("sphere_normface", "CLAIM"),
    ("sphere_ntce", "CLAIM"),
    ("sphere_nonl", "CLAIM"),
    ("sphere_nonl", "PER_SAMPLE"),
    ("sphere_nonl", "BIDIRECTIONAL"),
    ("sphere_supcon", "CLAIM"),
    ("sphere_scl_classifier", "CLAIM"),
    ("sphere_imbalance", "NC1_NTCE"),
    ("sphere_imbalance", "NC1_NONL"),
)


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{name}")


def __getattr__(name: str) -> Any:
    if name == "MODULES":
        value: Any = tuple(_module(m) for m in MODULE_NAMES)
    elif name == "REGISTRY":
        claims: list[Claim] = [getattr(_module(m), attr) for m, attr in CLAIM_NAMES]
        value = {c.id: c for c in claims}
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
