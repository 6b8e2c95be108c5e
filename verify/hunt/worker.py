"""What a hunt's worker process needs, imported once by the fork server (:mod:`verify.workers`)
before it forks the workers: the work units' modules and the claim registry (with the proof
modules it loads, SymPy among them), about 3.4 s that each spawned worker would pay again."""

import contextlib

from ..claims.registry import registry
from . import units  # noqa: F401  (the units run here)

with contextlib.suppress(Exception):  # a broken plugin is reported where it is used, not here
    registry()
