"""The hunt's progress display on stderr (rich): instances tried, certified, best residual.

Shown only when stderr is a terminal (or ``force=True``); otherwise every method is a no-op, so
logs and CI output stay clean.
"""

from __future__ import annotations

import math
import sys
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from ..claims.verdict import Outcome

__all__ = ["HuntProgress"]

_CERTIFIED = ("holds", "between", "counterexample", "unconfirmed", "vacuous")


class HuntProgress:
    def __init__(self, enabled: bool | None = None) -> None:
        if enabled is None:
            enabled = sys.stderr.isatty()
        self._progress: Progress | None = None
        if enabled:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(bar_width=12),
                TextColumn(
                    "{task.completed:.0f} tried · {task.fields[certified]} certified · "
                    "{task.fields[found]} failing · best residual {task.fields[best]}"
                ),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=False,
            )
        self._task: TaskID | None = None
        self._certified = self._found = 0
        self._best = -math.inf

    def __enter__(self) -> HuntProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def start(self, label: str, budget: int) -> None:
        self._certified = self._found = 0
        self._best = -math.inf
        if self._progress is not None:
            self._task = self._progress.add_task(
                label, total=budget, certified=0, found=0, best="-"
            )

    def outcome(self, outcome: Outcome) -> None:
        if outcome.status in _CERTIFIED:
            self._certified += 1
        if outcome.status == "counterexample":
            self._found += 1
        if outcome.residuals:
            self._best = max(self._best, outcome.worst)
        if self._progress is not None and self._task is not None:
            self._progress.update(
                self._task,
                advance=1,
                certified=self._certified,
                found=self._found,
                best=f"{self._best:.2e}" if self._best > -math.inf else "-",
            )
