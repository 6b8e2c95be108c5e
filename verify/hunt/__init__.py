"""Conjecture hunting: search for certified, minimal counterexamples to a claim, relax its
hypotheses, and propose the narrowest amendment the evidence supports.

``hunt(spec, budget, seed, relax=...)`` runs the hunt (``verify hunt`` on the command line) and
``write(result, out)`` writes ``<out>/<slug>.json`` and ``<out>/<slug>.md``.
"""

from .engine import DirectionResult, Settings
from .progress import HuntProgress
from .run import DEFAULT_DATABASE, HuntResult, hunt, write
from .target import ClaimRef, load_file_claims, resolve, run_slug

__all__ = [
    "DEFAULT_DATABASE",
    "ClaimRef",
    "DirectionResult",
    "HuntProgress",
    "HuntResult",
    "Settings",
    "hunt",
    "load_file_claims",
    "resolve",
    "run_slug",
    "write",
]
