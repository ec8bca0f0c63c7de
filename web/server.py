"""The production server: waitress, keeping HTTP/1.1 connections open after a 304 or 204.

Waitress closes the connection after every answer without ``Content-Length``. A 304 or 204
has no body, so where it ends is known without one (RFC 9112 §6.3), and a 304 may not carry a
``Content-Length`` other than its 200's (RFC 9110 §8.6), which waitress would then count as
missing bytes. Closing makes every revalidating client open a new connection, which is what
conditional requests are meant to save; :class:`KeepAliveTask` keeps it open instead.
"""

from __future__ import annotations

from typing import Any

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import WSGITask


class KeepAliveTask(WSGITask):  # type: ignore[misc]
    """Waitress's WSGI task, except that a bodiless answer does not end the connection."""

    def set_close_on_finish(self) -> None:
        """Close as waitress would, unless the answer has no body and HTTP/1.1 keeps it open."""
        keep = (
            not self.has_body
            and not self.wrote_header
            and self.version == "1.1"
            and self.request.headers.get("CONNECTION", "").lower() != "close"
        )
        if not keep:
            super().set_close_on_finish()


class KeepAliveChannel(HTTPChannel):  # type: ignore[misc]
    """A waitress channel whose requests run as :class:`KeepAliveTask`."""

    task_class = KeepAliveTask


def make_server(app: Any, **options: Any) -> Any:
    """A waitress server for ``app`` (``options`` as for ``waitress.serve``), not yet running."""
    sockets: dict[int, Any] = {}
    server = create_server(app, map=sockets, **options)
    for listener in sockets.values():
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = KeepAliveChannel
    return server
