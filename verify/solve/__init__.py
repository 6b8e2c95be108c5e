"""Certified global solvers of the UFM behind one interface.

``solve(instance, engine)`` runs an engine and certifies what it returns with the same
:func:`~verify.solve.certificate.certify`, so no engine is trusted on its word.
``ENGINES`` is the registry, in order of preference.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..errors import SolverFailure, UnknownName
from ..instance import Instance, require_memory, solve_bytes
from ..tolerances import DEFAULT, Tolerances
from .certificate import Certificate, certify, first_order_residuals, ufm_objective
from .exact import solve_exact
from .threads import blas_threads_for

__all__ = [
    "ENGINES",
    "Certificate",
    "Solution",
    "certify",
    "first_order_residuals",
    "solve",
    "ufm_objective",
]

Engine = Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]]


def _cvxpy(
    instance: Instance, tol: Tolerances, **options: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    from .cvx import solve_cvxpy

    return solve_cvxpy(instance, tol, **options)


def _gd(
    instance: Instance, tol: Tolerances, **options: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
    from .gd import solve_gd

    return solve_gd(instance, tol, **options)


ENGINES: dict[str, Engine] = {"exact": solve_exact, "cvxpy": _cvxpy, "gd": _gd}


@dataclass(frozen=True, eq=False)
class Solution:
    """A candidate global minimiser (W (K, d), H (d, N), b (K,)) with its certificate."""

    instance: Instance
    W: np.ndarray
    H: np.ndarray
    b: np.ndarray
    certificate: Certificate
    seconds: float
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def engine(self) -> str:
        return self.certificate.engine

    @property
    def certified(self) -> bool:
        return self.certificate.certified

    @property
    def objective(self) -> float:
        return self.certificate.primal

    @property
    def Z(self) -> np.ndarray:
        return self.W @ self.H

    @property
    def Hbar(self) -> np.ndarray:
        """Class means of H, (d, K)."""
        return self.instance.class_means(self.H)

    @property
    def regime(self) -> str:
        """Which regime the solution is in: the zero minimiser, or the rank of Z = WH."""
        rank = self.details.get("rank")
        if rank is None:
            sv = np.linalg.svd(self.Z, compute_uv=False)
            rank = int(
                np.sum(sv > self.certificate.tolerances.rank * max(sv.max(initial=0.0), 1.0))
            )
        if rank == 0:
            return "zero minimiser (W = 0, H = 0)"
        K = self.instance.K
        return f"rank {rank} of {K}" + (" (full)" if rank == K else "")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: W, H (columns ordered by class), b, objective, gap, certificate, instance."""
        c = self.certificate
        return {
            "instance": self.instance.to_dict(),
            "engine": self.engine,
            "certified": c.certified,
            "objective": c.primal,
            "dual_objective": c.dual,
            "relative_gap": c.relative_gap,
            "regime": self.regime,
            "certificate": c.as_dict(),
            "W": self.W.tolist(),
            "H": self.H.tolist(),
            "b": self.b.tolist(),
            "seconds": self.seconds,
        }


def solve(
    instance: Instance,
    engine: str = "exact",
    tol: Tolerances = DEFAULT,
    *,
    progress: Callable[[str], None] | None = None,
    **options: Any,
) -> Solution:
    """Global minimiser of the UFM for ``instance`` by ``engine``, certified by our own code.

    A solver that fails or cannot be certified gives an uncertified :class:`Solution` whose
    ``certificate.reason`` says why; it never raises for a numerical failure. An instance that
    cannot fit in the available memory raises :class:`~verify.errors.TooLarge` before anything
    is allocated. ``progress``, if given, is called with a line saying what is being done (the
    exact engine reports each Newton step).
    """
    if engine not in ENGINES:
        raise UnknownName("engine", engine, list(ENGINES))
    K, d, N = instance.K, instance.d, instance.N
    needed = solve_bytes(K, N, d)
    if needed > 2**28:  # small solves (all of a hunt's) skip reading /proc/meminfo
        require_memory(needed, f"the instance (K={K}, N={N}, d={d})")
    if progress is not None:
        if engine == "exact":
            options = {**options, "progress": progress}
        else:
            progress(f"{engine}: solving")
    start = time.perf_counter()
    with blas_threads_for(K, N):  # small solves on one thread (verify.solve.threads)
        try:
            W, H, b, details = ENGINES[engine](instance, tol, **options)
        except SolverFailure as failure:
            W, H, b = np.full((K, d), math.nan), np.full((d, N), math.nan), np.full(K, math.nan)
            certificate = certify(instance, W, H, b, engine, tol)
            certificate = replace(certificate, reason=f"{engine} failed: {failure}")
            return Solution(instance, W, H, b, certificate, time.perf_counter() - start, {})
        if progress is not None:
            progress("certifying: primal, dual and duality gap")
        certificate = certify(instance, W, H, b, engine, tol, details)
    return Solution(instance, W, H, b, certificate, time.perf_counter() - start, details)
