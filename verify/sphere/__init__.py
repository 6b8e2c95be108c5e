"""The unconstrained features model on the hypersphere (seed 003, arXiv 2605.20302).

:mod:`.model` (the problem), :mod:`.losses` (value and gradient), :mod:`.reduction` (the
class-structured reduction, checked), :mod:`.exact` (high-precision re-evaluation),
:mod:`.bounds` and :mod:`.replay` (proved balanced optima), :mod:`.solve` (local search with a
second-order check), :mod:`.claim` and :mod:`.checks` (claims), :mod:`.metrics` (NC measures).
"""

from .losses import value_and_grad
from .model import LOSS_NAMES, SphereProblem

__all__ = ["LOSS_NAMES", "SphereProblem", "value_and_grad"]
