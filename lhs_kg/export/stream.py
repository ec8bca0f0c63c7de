"""Turning a writer that pushes bytes into an iterator that a web response can pull.

The export runs in a worker thread and hands chunks over a bounded queue, so a slow client slows
the export down instead of letting memory grow; closing the iterator (client gone) stops it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import IO, Any

_CHUNK = 1 << 16
_DEPTH = 16


class _Cancelled(Exception):
    """Raised inside the writer thread when the reader went away."""


class _QueueWriter:
    """A binary file-like object whose writes become chunks on a queue."""

    def __init__(self, chunks: queue.Queue[Any], cancelled: threading.Event) -> None:
        self._chunks = chunks
        self._cancelled = cancelled
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        if self._cancelled.is_set():
            raise _Cancelled
        self._buffer += data
        if len(self._buffer) >= _CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            self._put(bytes(self._buffer))
            self._buffer.clear()

    def _put(self, item: Any) -> None:
        while True:
            if self._cancelled.is_set():
                raise _Cancelled
            try:
                self._chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        """Nothing to release; the thread ends the stream."""


def stream(write: Callable[[IO[bytes]], object]) -> Iterator[bytes]:
    """Run ``write(file)`` in a thread and yield what it writes, chunk by chunk."""
    chunks: queue.Queue[Any] = queue.Queue(maxsize=_DEPTH)
    cancelled = threading.Event()
    done = object()

    def run() -> None:
        writer = _QueueWriter(chunks, cancelled)
        try:
            write(writer)  # type: ignore[arg-type]
            writer.flush()
            writer._put(done)
        except _Cancelled:
            return
        except BaseException as err:  # handed to the reader, which re-raises it
            try:
                writer._put(err)
            except _Cancelled:
                return

    worker = threading.Thread(target=run, name="lhs-kg-export", daemon=True)
    worker.start()
    try:
        while True:
            item = chunks.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        cancelled.set()
        worker.join(timeout=5)
