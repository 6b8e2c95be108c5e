"""Settings for re-solving a counterexample as precisely as the second engine can.

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
