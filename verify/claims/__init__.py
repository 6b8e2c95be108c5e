"""Claims, their hypotheses, and checking them against certified solutions."""

from .claim import Claim, Context, Residuals, Uncertified, relative
from .hypotheses import HYPOTHESES, Hypothesis, hypothesis, unmet
from .runner import check, confirm, evaluate
from .verdict import Outcome, Verdict

__all__ = [
    "HYPOTHESES",
    "Claim",
    "Context",
    "Hypothesis",
    "Outcome",
    "Residuals",
    "Uncertified",
    "Verdict",
    "check",
    "confirm",
    "evaluate",
    "hypothesis",
    "relative",
    "unmet",
]
