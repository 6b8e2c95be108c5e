"""A case: an instance with what a claim needs beside it, and how it was drawn.

Below the strategies that draw cases and the verdicts that record them, so that neither has to
import the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .instance import Instance

__all__ = ["Case"]


@dataclass(frozen=True, eq=False)
class Case:
    """An instance with the extra objects a claim needs (e.g. an orthogonal Q) and how it was drawn."""

    instance: Instance
    Q: np.ndarray | None = None
    drawn: dict[str, Any] = field(default_factory=dict)

    def parameters(self) -> list[tuple[str, str]] | None:
        """The (name, value) rows a report shows for this case instead of the instance's own
        (its lambdas and the hypotheses they satisfy), for a model that does not use them;
        None: show the instance."""
        return None

    def describe(self) -> str:
        parts = [self.instance.describe()]
        if self.drawn:
            # 10 digits: the distance from a boundary shows, the last bits of rounding do not
            shown = (
                f"{k}={v:.10g}" if isinstance(v, float) else f"{k}={v}"
                for k, v in self.drawn.items()
            )
            parts.append("drawn as " + ", ".join(shown))
        return "; ".join(parts)
