"""Kept-alive HTTP/1.1 connections to one store server: the hot path of a remote query (#16).

Every page asks the store a few queries, so the client's own cost per round trip counts.
urllib3 writes a request's body apart from its headers (two writes: the server is woken
twice) and parses the URL again on every request; the standard library's ``http.client``
writes the request line, headers and a bytes body at once. Measured against ``oxigraph
serve`` on loopback (2 cores, loaded): 0.22 ms a round trip, against urllib3's 0.36 ms.

One connection serves one query at a time; idle ones are kept (most recently used first) up
to a ceiling, one per thread of a web worker. An idle connection with something to read (the
server closed it, or sent bytes after its last answer) is closed, not used: its next answer
could not be trusted to be the answer to our query (urllib3 checks the same way). One the
server closes between that check and our request fails on its use: that query is sent once
more on a new connection (a query reads only, so sending it twice changes nothing).
"""

from __future__ import annotations

import http.client
import select
import socket
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

_GONE = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)
"""What a kept-alive connection the server closed raises (``RemoteDisconnected`` included)."""


class _OneWrite(http.client.HTTPConnection):
    """An ``http.client`` connection that sends a request with a bytes body in one write
    (the standard one writes the head, then the body: two wake-ups of the server)."""

    def _send_output(self, message_body: Any = None, encode_chunked: bool = False) -> None:
        """Overrides http.client's private sender (checked by tests/engine/test_lean_http.py)."""
        if not isinstance(message_body, bytes):
            standard = getattr(super(), "_send_output")  # noqa: B009 - private, untyped
            standard(message_body, encode_chunked=encode_chunked)
            return
        buffered: list[bytes] = getattr(self, "_buffer")  # noqa: B009 - private, untyped
        buffered.extend((b"", b""))
        head = b"\r\n".join(buffered)
        del buffered[:]
        self.send(head + message_body)


class LeanPool:
    """Kept-alive connections to the host of ``url`` (plain HTTP), at most ``max_idle`` idle."""

    def __init__(self, url: str, max_idle: int) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "localhost"
        self.port = parts.port or 80
        self.max_idle = max_idle
        self._idle: list[_OneWrite] = []
        self._lock = threading.Lock()
        self.opened = 0
        """Connections opened so far (tests and benchmarks read it)."""

    def post(
        self, target: str, body: bytes, headers: Mapping[str, str], timeout_s: float
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        """POST ``body`` to ``target`` (path and query string); the status, headers and whole
        body of the answer. Raises ``OSError`` (``TimeoutError`` past ``timeout_s``) or
        :class:`http.client.HTTPException` (an answer that broke off)."""
        kept = self._take()
        if kept is not None:
            try:
                return self._exchange(kept, target, body, headers, timeout_s)
            except _GONE:
                pass  # closed by the server while idle: once more on a new connection
        return self._exchange(self._connect(timeout_s), target, body, headers, timeout_s)

    def _exchange(
        self,
        conn: _OneWrite,
        target: str,
        body: bytes,
        headers: Mapping[str, str],
        timeout_s: float,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        try:
            if conn.sock is not None:
                conn.sock.settimeout(timeout_s)
            conn.request("POST", target, body=body, headers=dict(headers))
            response = conn.getresponse()
            data = response.read()
        except BaseException:
            conn.close()
            raise
        if response.will_close:
            conn.close()
        else:
            self._give(conn)
        return response.status, response.headers, data

    def _connect(self, timeout_s: float) -> _OneWrite:
        conn = _OneWrite(self.host, self.port, timeout=timeout_s)
        conn.connect()
        assert conn.sock is not None
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.opened += 1
        return conn

    def _take(self) -> _OneWrite | None:
        """The most recently used idle connection that is still quiet, if any."""
        while True:
            with self._lock:
                if not self._idle:
                    return None
                conn = self._idle.pop()
            if not _has_input(conn):
                return conn
            conn.close()

    def _give(self, conn: _OneWrite) -> None:
        with self._lock:
            if len(self._idle) < self.max_idle:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        """Close the idle connections (those in use are kept when their query ends, as a
        store still asked after closing reconnects)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def _has_input(conn: _OneWrite) -> bool:
    """Whether an idle connection has something to read (its end, or stray bytes): ``poll``
    with no wait, which unlike ``select`` takes any descriptor number (a busy worker may hold
    over 1,024 files; urllib3 polls too). A peek on the socket would wait for its timeout."""
    if conn.sock is None:
        return True
    try:
        poller = select.poll()
        poller.register(conn.sock, select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))  # readable, hung up or failed: not to be used again
    except (OSError, ValueError):  # closed meanwhile
        return True
