"""nc-verify: symbolic and certified numeric verification of neural-collapse claims about the
unconstrained features model (UFM) with MSE loss (arXiv 2606.00344).

The claim layer (``Claim``, ``check``, ``hunt``, ``Verdict``, ``assert_claim`` and the residual
helpers) is imported on first use, so ``import verify`` stays light (no Hypothesis, no SymPy).
"""

from __future__ import annotations

import importlib
from typing import Any

from .encodings import (
    encoding_from_spec,
    label_smoothing,
    load_encoding,
    one_hot,
    random_encoding,
    ssetf,
)
from .errors import InvalidArgument, InvalidFile, SolverFailure, UnknownName, VerifyError
from .geometry import (
    Procrustes,
    SSETFFit,
    centring,
    class_means,
    gram,
    nc3_residual,
    orthogonal_frame,
    orthogonal_frame_residual,
    procrustes_nc3prime,
    simplex_etf,
    simplex_etf_residual,
    ssetf_fit,
)
from .instance import Instance, class_assignment
from .metrics import (
    NCMetrics,
    features_from_arrays,
    nc1,
    nc2_equiangularity,
    nc2_equinorm,
    nc2_etf,
    nc2_of,
    nc3,
    nc3prime,
    nc4,
    nc_metrics,
)
from .solve import (
    ENGINES,
    Certificate,
    Solution,
    certify,
    first_order_residuals,
    solve,
    ufm_objective,
)
from .tolerances import DEFAULT, Tolerances

# public name -> the module that defines it, imported when the name is first used (PEP 562)
_LAZY = {
    "Claim": "verify.claims",
    "Context": "verify.claims",
    "Residuals": "verify.claims",
    "Verdict": "verify.claims",
    "check": "verify.claims",
    "relative": "verify.claims",
    "centred_means_nonzero": "verify.claims.residuals",
    "frobenius_gap": "verify.claims.residuals",
    "gram_gap": "verify.claims.residuals",
    "hbar_nonzero": "verify.claims.residuals",
    "nc1_scatter": "verify.claims.residuals",
    "shape_fit": "verify.claims.residuals",
    "hunt": "verify.hunt",
    "assert_claim": "verify.testing",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'verify' has no attribute {name!r}")


__all__ = [
    "DEFAULT",
    "ENGINES",
    "Certificate",
    "Claim",
    "Context",
    "Instance",
    "InvalidArgument",
    "InvalidFile",
    "NCMetrics",
    "Procrustes",
    "Residuals",
    "SSETFFit",
    "Solution",
    "SolverFailure",
    "Tolerances",
    "UnknownName",
    "Verdict",
    "VerifyError",
    "assert_claim",
    "centred_means_nonzero",
    "centring",
    "certify",
    "check",
    "class_assignment",
    "class_means",
    "encoding_from_spec",
    "features_from_arrays",
    "first_order_residuals",
    "frobenius_gap",
    "gram",
    "gram_gap",
    "hbar_nonzero",
    "hunt",
    "label_smoothing",
    "load_encoding",
    "nc1",
    "nc1_scatter",
    "nc2_equiangularity",
    "nc2_equinorm",
    "nc2_etf",
    "nc2_of",
    "nc3",
    "nc3_residual",
    "nc3prime",
    "nc4",
    "nc_metrics",
    "one_hot",
    "orthogonal_frame",
    "orthogonal_frame_residual",
    "procrustes_nc3prime",
    "random_encoding",
    "relative",
    "shape_fit",
    "simplex_etf",
    "simplex_etf_residual",
    "solve",
    "ssetf",
    "ssetf_fit",
    "ufm_objective",
]
