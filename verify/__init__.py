"""nc-verify: symbolic and certified numeric verification of neural-collapse claims about the
unconstrained features model (UFM) with MSE loss (arXiv 2606.00344)."""

from .encodings import (
    encoding_from_spec,
    label_smoothing,
    load_encoding,
    one_hot,
    random_encoding,
    ssetf,
)
from .errors import InvalidArgument, InvalidFile, SolverFailure, UnknownName, VerifyError
from .instance import Instance, class_assignment
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

__all__ = [
    "DEFAULT",
    "ENGINES",
    "Certificate",
    "Instance",
    "InvalidArgument",
    "InvalidFile",
    "Solution",
    "SolverFailure",
    "Tolerances",
    "UnknownName",
    "VerifyError",
    "certify",
    "class_assignment",
    "encoding_from_spec",
    "first_order_residuals",
    "label_smoothing",
    "load_encoding",
    "one_hot",
    "random_encoding",
    "solve",
    "ssetf",
    "ufm_objective",
]
