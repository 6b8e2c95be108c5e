"""Settings for re-solving a counterexample as precisely as a second engine can.

Clarabel's defaults stop at gaps near 1e-8, where the class means of a minimiser close to a
phase boundary are still blurred by the solver's error (a rank-one frame looks like an SSETF
with alpha ~ 1e-5). At these settings its relative gap reaches ~1e-14 on small instances.
Kept apart from :mod:`verify.solve.cvx` so importing it does not import CVXPY.
"""

PRECISE: dict[str, float | int] = {
    "tol_gap_abs": 1e-13,
    "tol_gap_rel": 1e-13,
    "tol_feas": 1e-13,
    "tol_ktratio": 1e-10,
    "max_iter": 400,
}

# gradient descent run to a stationarity 1e-12 of its first gradient (linear convergence makes
# that a few thousand iterations more than the default), for at most 10 s
GD_PRECISE: dict[str, float | int] = {"grad_tol": 1e-12, "max_seconds": 10.0}
