r"""The standard symbols, shared by every module so that JSON strings use exactly these names.

- ``K``: number of classes (positive integer); ``n``: samples per class (positive integer).
- ``lambda_W``, ``lambda_H``, ``lambda_b``: the regularisation weights (positive symbols;
  :math:`\lambda_b = 0` is reached by substitution, :math:`\lambda_b\to\infty` by a limit).
- ``c``: the symbol standing for :math:`c = K\sqrt{n\lambda_W\lambda_H}` in the "``_c``" forms.
- ``gamma``: the symbol :math:`\gamma = 1/(1+\lambda_b)` where a proof keeps it abstract.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["K", "c", "c_of", "gamma", "lambda_H", "lambda_W", "lambda_b", "n"]

K = sp.Symbol("K", positive=True, integer=True)
n = sp.Symbol("n", positive=True, integer=True)
lambda_W = sp.Symbol("lambda_W", positive=True)
lambda_H = sp.Symbol("lambda_H", positive=True)
lambda_b = sp.Symbol("lambda_b", positive=True)
c = sp.Symbol("c", positive=True)
gamma = sp.Symbol("gamma", positive=True)

#: :math:`c = K\sqrt{n\lambda_W\lambda_H}` in terms of the model symbols.
c_of = K * sp.sqrt(n * lambda_W * lambda_H)
