"""Neural-collapse metrics of any features, in every convention of the literature.

- :func:`measure` (arrays) and :func:`measure_file` (.npy / .npz / .safetensors, streamed in
  two passes): every convention of :data:`CONVENTIONS`, named by its source, centred by the
  sample mean by default (:mod:`verify.metrics.measure`); docs/METRICS.md tabulates them.
- :mod:`verify.metrics.conventions`: one function per convention, formula and source in its
  docstring, on the sufficient statistics of :mod:`verify.metrics.stats`.
- The per-metric functions and :func:`nc_metrics` (``verify solve``'s summary, class-mean
  centring) of :mod:`verify.metrics.legacy`.
"""

from __future__ import annotations

from .files import measure_file
from .legacy import (
    NCMetrics,
    features_from_arrays,
    nc1,
    nc2_equiangularity,
    nc2_equinorm,
    nc2_etf,
    nc2_of,
    nc3,
    nc3prime,
    nc4,
    nc_metrics,
)
from .measure import CENTRING_SOURCES, CONVENTIONS, Measurement, from_stats, measure
from .stats import CENTRINGS, ClassStats

__all__ = [
    "CENTRINGS",
    "CENTRING_SOURCES",
    "CONVENTIONS",
    "ClassStats",
    "Measurement",
    "NCMetrics",
    "features_from_arrays",
    "from_stats",
    "measure",
    "measure_file",
    "nc1",
    "nc2_equiangularity",
    "nc2_equinorm",
    "nc2_etf",
    "nc2_of",
    "nc3",
    "nc3prime",
    "nc4",
    "nc_metrics",
]
