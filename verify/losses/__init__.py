"""Convex per-sample losses of the UFM, as values an :class:`~verify.instance.Instance` carries.

``LOSSES`` maps the command line's ``--loss NAME`` to the loss; :func:`get_loss` resolves a
name (or passes a :class:`Loss` through) and rejects an unknown one. The protocol and how to add
a loss of your own: :mod:`verify.losses.base` and docs/LOSSES.md.
"""

from __future__ import annotations

from ..errors import UnknownName
from .base import Loss
from .ce import CrossEntropy
from .mse import MSE

__all__ = ["LOSSES", "MSE", "CrossEntropy", "Loss", "get_loss"]

LOSSES: dict[str, Loss] = {"mse": MSE(), "ce": CrossEntropy()}


def get_loss(loss: str | Loss) -> Loss:
    """The loss named ``loss`` (``"mse"``, ``"ce"``), or ``loss`` itself if it is a :class:`Loss`."""
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, str) and loss in LOSSES:
        return LOSSES[loss]
    raise UnknownName("loss", str(loss), list(LOSSES))
