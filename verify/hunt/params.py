r"""The few continuous and discrete parameters a drawn case is built from, and rebuilding it.

:func:`verify.strategies.cases` draws an instance from K, the counts, an encoding kind with its
scalars and an integer seed, the coupling :math:`c = K\sqrt{\bar n\lambda_W\lambda_H}`, the
ratio :math:`r = \sqrt{\lambda_W/\lambda_H}` and :math:`\lambda_b`. :class:`Params` records
those numbers (recovered from the case) so the local optimiser can move the continuous ones and
the simplification pass can try fewer classes, smaller counts and rounder numbers, rebuilding a
valid instance each time. When the encoding cannot be rebuilt from its kind (a user's case, or
a strategy that changed), the encoding matrix itself is kept fixed and only K-preserving moves
on the regularisation are made.
"""

from __future__ import annotations

from ..strategies import SCALARS, Params, build, params_of

__all__ = ["SCALARS", "Params", "build", "params_of"]
