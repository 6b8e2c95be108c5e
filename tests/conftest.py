"""Hypothesis profiles. Hypothesis loads its own derandomised ``ci`` profile when CI is set;
``dev`` (default here), ``thorough`` and ``hunt`` are ours: pick one with
``pytest --hypothesis-profile=thorough``."""

import os

from hypothesis import HealthCheck, settings

_common = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("dev", max_examples=20, **_common)
settings.register_profile("thorough", max_examples=300, **_common)
settings.register_profile("hunt", max_examples=2000, **_common)
settings.register_profile("ci", parent=settings.get_profile("ci"), **_common)

if not os.environ.get("CI"):
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
else:
    settings.load_profile("ci")
