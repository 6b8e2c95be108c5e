"""Trained networks measured against the certified UFM minimiser.

The unconstrained features model (UFM) treats the last-layer features H as free variables. This
package trains a real network, whose features are a function of the data, on the same objective
and asks how close it gets to the certified global minimiser of the UFM at the same lambdas:
the bias, the geometry of the class means and the self-duality constant.

Modules: :mod:`experiments.data` (scikit-learn's digits, balanced), :mod:`experiments.mlp` (a
numpy 2-layer MLP with manual backprop and full-batch Adam), :mod:`experiments.compare`
(theory, certified minimiser, measurements), :mod:`experiments.digits` (the experiment and its
CLI, ``python -m experiments.digits --out reports/experiments``), :mod:`experiments.report`
(markdown, JSON and figures).

scikit-learn is an optional dependency (the ``experiments`` extra); everything that needs it
raises :class:`experiments.data.MissingExtra` with the install command when it is absent.
"""
