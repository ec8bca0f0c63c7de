"""Progress of long CLI work, drawn with ``rich`` on stderr when it is a terminal, and nothing
when it is piped or redirected (so logs and scripts see only the summary line).

The engine reports through plain callbacks (``lhs_kg`` never prints); a :class:`Bar` is such a
callback and draws it. Summary lines say what was done, how much and how long it took
(:func:`summary`).
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

BYTES = "bytes"
COUNT = "count"
STEPS = "steps"


def on_terminal(stream: TextIO | None = None) -> bool:
    """True when ``stream`` (default stderr) is an interactive terminal."""
    stream = stream if stream is not None else sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real file
        return False


def beside_output() -> bool:
    """True when a bar may be drawn while data goes to stdout: stderr is a terminal and stdout
    is not (``lhs-kg dump > file.nq``), so the bar never mixes with the data."""
    return on_terminal(sys.stderr) and not on_terminal(sys.stdout)


class Bar:
    """A progress bar (``unit`` BYTES or COUNT) or a spinner with the current step (STEPS).

    Use it as a context manager; call :meth:`update` (done, total) or :meth:`step` (text).
    When stderr is not a terminal (or ``enabled`` is False) it does nothing at all.
    """

    def __init__(
        self,
        label: str,
        unit: str = COUNT,
        *,
        stream: TextIO | None = None,
        enabled: bool = True,
    ) -> None:
        self.label = label
        self.unit = unit
        self.enabled = enabled
        self.started = time.perf_counter()
        self._stream = stream if stream is not None else sys.stderr
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> Bar:
        self.started = time.perf_counter()
        if self.enabled and on_terminal(self._stream):
            self._progress = Progress(
                *self._columns(),
                console=Console(file=self._stream),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=None)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def _columns(self) -> list[ProgressColumn | str]:
        text = TextColumn("{task.description}")
        if self.unit == STEPS:
            return [SpinnerColumn(), text, TimeElapsedColumn()]
        amount = DownloadColumn() if self.unit == BYTES else MofNCompleteColumn()
        return [text, BarColumn(), amount, TimeElapsedColumn(), TimeRemainingColumn()]

    @property
    def seconds(self) -> float:
        """Seconds since the bar started."""
        return time.perf_counter() - self.started

    def update(self, done: float, total: float | None = None, label: str | None = None) -> None:
        """Show ``done`` of ``total`` (unknown total: a running bar), optionally a new label."""
        if self._progress is None or self._task is None:
            return
        self._progress.update(
            self._task,
            completed=done,
            total=total if total else None,
            description=label if label is not None else self.label,
        )

    def step(self, text: str) -> None:
        """Show what is being done now (the spinner's text)."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=f"{self.label}: {text}")


def summary(verb: str, triples: int, seconds: float, files: int | None = None) -> str:
    """``loaded 1,000,000 triples from 3 files in 19.2 s``."""
    what = f"{verb} {triples:,} triple{'s' if triples != 1 else ''}"
    if files is not None:
        what += f" from {files:,} file{'s' if files != 1 else ''}"
    return f"{what} in {seconds:.1f} s"
