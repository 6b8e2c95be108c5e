r"""The canonical form of every committed report file: one JSON encoder, one way to show a
measured error, timings kept apart.

A report must be a function of (code, pinned versions, seed) only. Two machines running the
same code with the same versions still differ in the last bits of floating point: BLAS and
LAPACK pick kernels by CPU (OpenBLAS's Haswell, Sandybridge, Prescott, SkylakeX... kernels
order their sums differently), and so do NumPy's SIMD loops. Measured on one machine by
forcing ``OPENBLAS_CORETYPE=Prescott`` against the default Haswell kernels (same seed, same
draws):

- well-conditioned quantities (instance parameters computed from an SVD, closed forms, a
  counterexample's residual 0.46) differ by at most ~6e-15 relative, the cosine of two class
  means near 6e-5 by 6e-12 relative (cancellation);
- *measured errors* are rounding: a relative duality gap or the distance of an SSETF
  encoding from the nearest SSETF is 2.2e-16 on one kernel and 4.4e-16 or 0 on another; a
  residual of a certified solution where the claim holds moves even more, since a solve may
  end on a different iterate within its certificate (1.3e-8 against 3e-16 on one instance,
  4e-11 against 1.3e-10 on another), so its digits say nothing below the tolerance.

So every float is written with :data:`DIGITS` significant digits (:func:`dumps`,
:func:`write_json`), a measured error at or below its resolution (:data:`RESOLUTION`,
:data:`RESIDUAL_RESOLUTION`) is shown as ``"≤ 1e-12"`` or ``"≤ 1e-06"`` in prose
(:func:`measured_text`) and flushed to 0 in data (:func:`measured`, next to the resolution it
was flushed at), figure data are rounded to
:data:`FIGURE_DIGITS` digits, and timings never enter a committed file (:func:`split_timings`;
they go to the untracked :data:`TIMINGS`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from ..tolerances import DEFAULT

__all__ = [
    "DIGITS",
    "FIGURE_DIGITS",
    "RESIDUAL_RESOLUTION",
    "RESOLUTION",
    "TIMINGS",
    "TIMING_KEYS",
    "below",
    "below_resolution",
    "canonical",
    "dumps",
    "measured",
    "measured_fields",
    "measured_text",
    "rounded",
    "split_timings",
    "write_json",
]

#: Significant digits of every float in a committed JSON file. The last bits of a
#: well-conditioned quantity differ between BLAS kernels by ~1e-15 relative; at 12 digits a
#: difference of 1e-15 changes the written digits with probability ~1e-3 per number.
DIGITS = 12
#: Significant digits of the numbers behind a figure (solver outputs and closed forms
#: evaluated in floating point, measured to differ by up to 6e-12 relative between kernels).
FIGURE_DIGITS = 6
#: The resolution of a relative error computed without a solver, and of a relative duality
#: gap: at or below it a value is rounding (measured: 0 to 1e-13 between kernels). Shown as
#: ``"≤ 1e-12"``.
RESOLUTION = 1e-12
#: The resolution of a residual of a certified solution: the claims' residual tolerance. Below
#: it the value depends on the floating-point path, not on the mathematics (measured between
#: kernels: 1.3e-8 against 3e-16 on one instance, 4e-11 against 1.3e-10 on another), so a
#: residual that holds is shown as ``"≤ 1e-06"``.
RESIDUAL_RESOLUTION = DEFAULT.residual
#: Keys of timing fields (a verdict's ``seconds``, the index's ``timings``): never committed.
TIMING_KEYS = frozenset({"seconds", "timings"})
#: The untracked file, in the report directory, that receives the timings.
TIMINGS = ".timings.json"


def _number(x: float, digits: int) -> float | str:
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return 0.0  # -0.0 too: its sign is rounding
    return float(f"{x:.{digits}g}")


def canonical(value: Any, digits: int = DIGITS) -> Any:
    """``value`` as JSON-ready data: numpy arrays and scalars to lists and Python numbers,
    every float rounded to ``digits`` significant digits, inf and nan as the strings
    ``"inf"``, ``"-inf"``, ``"nan"`` (as :func:`verify.io.to_jsonable` writes them), keys as
    strings."""
    if isinstance(value, dict):
        return {str(k): canonical(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v, digits) for v in value]
    if isinstance(value, np.ndarray):
        return canonical(value.tolist(), digits)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return _number(float(value), digits)
    return value


def rounded(value: Any, digits: int = FIGURE_DIGITS) -> Any:
    """``value`` with every finite float rounded to ``digits`` significant digits (default
    :data:`FIGURE_DIGITS`) and numpy data as Python data; inf and nan stay floats (the JSON
    writer spells them)."""
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [rounded(v, digits) for v in value]
    if isinstance(value, np.ndarray):
        return rounded(value.tolist(), digits)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        x = float(value)
        return _number(x, digits) if math.isfinite(x) else x
    return value


def dumps(value: Any) -> str:
    """The canonical JSON text: :func:`canonical` data, keys sorted, two-space indent, a final
    newline, no NaN or Infinity literals."""
    text = json.dumps(canonical(value), indent=2, sort_keys=True, allow_nan=False)
    return text + "\n"


def write_json(path: str | Path, data: Any) -> Path:
    """Write ``data`` atomically as :func:`dumps` text (the one writer of committed JSON)."""
    from ..io import atomic_write_text

    return atomic_write_text(path, dumps(data))


def below(resolution: float = RESOLUTION) -> str:
    """How a value at or below ``resolution`` is written: ``"≤ 1e-12"``."""
    return f"≤ {resolution:.0e}"


def below_resolution(x: Any, resolution: float = RESOLUTION) -> bool:
    """Whether ``x`` is a finite number at or below ``resolution`` in absolute value."""
    if isinstance(x, bool) or not isinstance(x, int | float | np.integer | np.floating):
        return False
    return math.isfinite(float(x)) and abs(float(x)) <= resolution


def measured(x: Any, resolution: float = RESOLUTION) -> Any:
    """A measured error for JSON: ``0.0`` when at or below ``resolution`` (flushed to zero: the
    file that holds it states the resolution), else ``x`` (rounded by :func:`canonical` when
    written)."""
    return 0.0 if below_resolution(x, resolution) else x


def measured_text(x: Any, resolution: float = RESOLUTION, digits: int = 2) -> str:
    """A measured error for prose: ``"≤ 1e-12"`` at or below ``resolution``, else ``x`` as
    :func:`verify.report.text.fmt` writes it."""
    from .text import fmt

    return below(resolution) if below_resolution(x, resolution) else fmt(x, digits)


#: Fields of a verdict's or confirmation's data that hold residuals (flushed at the residual
#: resolution) and relative duality gaps or relative distances (flushed at RESOLUTION).
RESIDUAL_FIELDS = frozenset({"residuals", "premise", "worst_residual", "change"})
GAP_FIELDS = frozenset({"relative_gaps", "relative_gap", "distance"})
#: Significant digits of the numbers of a confirmation's second engine (its ``"second"``
#: block): it is certified only at ``cross_gap`` (1e-6), and its worst residual was measured
#: to differ by up to 4.5e-5 relative between BLAS kernels (gradient descent's iterates).
SECOND_DIGITS = 2


def measured_fields(data: Any, residual_resolution: float = RESIDUAL_RESOLUTION) -> Any:
    """``data`` (a verdict's, an outcome's or a confirmation's ``as_dict``) with every measured
    error flushed at its resolution (:func:`measured`): the values of :data:`RESIDUAL_FIELDS`
    at ``residual_resolution`` (the claim's residual tolerance), those of :data:`GAP_FIELDS`
    at :data:`RESOLUTION`, at any depth, and the numbers of a second engine's block
    (``"second"``) to :data:`SECOND_DIGITS` digits; a ``"resolution"`` entry records these."""

    def flush(value: Any, resolution: float) -> Any:
        if isinstance(value, dict):
            return {k: flush(v, resolution) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [flush(v, resolution) for v in value]
        return measured(value, resolution)

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if k in RESIDUAL_FIELDS:
                    out[k] = flush(v, residual_resolution)
                elif k in GAP_FIELDS:
                    out[k] = flush(v, RESOLUTION)
                elif k == "second" and isinstance(v, dict):
                    out[k] = rounded(walk(v), SECOND_DIGITS)
                else:
                    out[k] = walk(v)
            return out
        if isinstance(value, list | tuple):
            return [walk(v) for v in value]
        return value

    out = walk(data)
    if isinstance(out, dict):
        out["resolution"] = {
            "residuals": residual_resolution,
            "gaps": RESOLUTION,
            "second_engine_digits": SECOND_DIGITS,
        }
    return out


def split_timings(data: Any) -> tuple[Any, dict[str, Any]]:
    """``data`` without its timing fields (:data:`TIMING_KEYS`, at any depth), and those fields
    keyed by their path (``"claims/0/seconds"``), for :data:`TIMINGS`."""
    found: dict[str, Any] = {}

    def strip(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                here = f"{path}/{k}" if path else str(k)
                if k in TIMING_KEYS:
                    found[here] = v
                else:
                    out[k] = strip(v, here)
            return out
        if isinstance(value, list | tuple):
            return [strip(v, f"{path}/{i}") for i, v in enumerate(value)]
        return value

    return strip(data, ""), found
