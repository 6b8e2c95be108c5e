"""``python -m proofs.sphere_<loss>``: the proved bound beside a local search, at one instance."""

from __future__ import annotations

from ..claims import Claim
from .bounds import bound, nc_value
from .model import SphereProblem
from .solve import local_search

__all__ = ["print_theory"]


def print_theory(claim: Claim, loss: str, counts: tuple[int, ...] = (4, 4, 4), d: int = 3,
                 tau: float = 0.5) -> None:  # fmt: skip
    p = SphereProblem(loss, counts, d, tau)
    found = local_search(p, starts=10, seed=0)
    print(f"{claim.id}: {p.describe()}")
    print(f"  proved bound (theory)     {bound(loss, p.K, counts[0], tau):.15f}")
    print(f"  loss at NC (float64)      {nc_value(loss, counts, d, tau):.15f}")
    print(f"  best of 10 local searches {found.value:.15f} (|grad| {found.gradient_norm:.1e}, "
          f"Hessian min {found.hessian_min:.1e})")  # fmt: skip
