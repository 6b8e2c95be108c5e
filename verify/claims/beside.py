"""``python -m proofs.<module>``: a claim's theoretical values beside the certified ones."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..instance import Instance
from ..strategies import Case
from .claim import Claim, Context

__all__ = ["print_beside"]

Theory = Callable[[Context], dict[str, tuple[object, object]]]


def print_beside(claim: Claim, instance: Instance | Case, theory: Theory) -> None:
    """Solve ``instance`` with a certificate and print, for each name ``theory`` returns, the
    theoretical value beside the certified one, then the claim's residuals there.

    A :class:`~verify.strategies.Case` carries what the claim needs beyond the instance (the
    orthogonal Q of a claim ``with_Q``)."""
    case = instance if isinstance(instance, Case) else Case(instance)
    instance = case.instance
    ctx = Context(case)
    certificate = ctx.solution.certificate
    print(f"{claim.id}: {claim.title}")
    print(f"  {instance.describe()}")
    print(
        f"  certified by {certificate.engine}: relative duality gap {certificate.relative_gap:.1e}"
    )
    with np.printoptions(precision=6, suppress=True, linewidth=100):
        for name, (predicted, certified) in theory(ctx).items():
            print(f"  {name}")
            for label, value in (("theory:    ", predicted), ("certified: ", certified)):
                prefix = "    " + label
                print(prefix + np.array2string(np.asarray(value), prefix=prefix))
    for name, value in claim.conclusion(ctx).items():
        print(f"  residual {name}: {value:.1e}")
