"""Connections to a store server are kept alive and shared by the worker's threads (#16).

A TCP relay in front of a real ``oxigraph serve`` counts the connections the remote store
opens while several threads query it at once: one per thread at most, however many queries
each sends (requests kept 10 connections per host, so threads beyond that opened a new one
for every query).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from lhs_kg.config import RemoteEndpoints
from lhs_kg.store import RemoteStore
from tests.helpers import OxigraphServer

pytestmark = pytest.mark.remote

THREADS = 16
QUERIES_EACH = 8


class CountingRelay:
    """Accepts connections on a free loopback port, counts them, and relays each to ``port``."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted = 0
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            self.accepted += 1
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()

    def drop_connections(self) -> None:
        """Close every relayed connection, as a server does with idle kept-alive ones."""
        for sock in self.open:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.open = []

    def close(self) -> None:
        self.listener.close()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def relay(oxigraph_server: OxigraphServer) -> Iterator[CountingRelay]:
    running = CountingRelay(oxigraph_server.port)
    yield running
    running.close()


def test_each_thread_keeps_its_connection(relay: CountingRelay) -> None:
    url = f"http://127.0.0.1:{relay.port}"
    store = RemoteStore(RemoteEndpoints(f"{url}/query", f"{url}/update", f"{url}/store"))
    barrier = threading.Barrier(THREADS)

    def ask(_: int) -> int:
        answered = 0
        for _ in range(QUERIES_EACH):
            barrier.wait()  # all threads at once, so each needs a connection of its own
            answered += store.query("ASK { }").boolean
        return answered

    try:
        with ThreadPoolExecutor(THREADS) as pool:
            answered = sum(pool.map(ask, range(THREADS)))
    finally:
        store.close()
    assert answered == THREADS * QUERIES_EACH
    assert 1 <= relay.accepted <= THREADS


def test_a_kept_connection_the_server_closed_is_replaced(relay: CountingRelay) -> None:
    """A server closes idle kept-alive connections when it likes: the next query must not fail
    for it, but go once more on a new connection (#16)."""
    url = f"http://127.0.0.1:{relay.port}"
    store = RemoteStore(RemoteEndpoints(f"{url}/query", f"{url}/update", f"{url}/store"))
    try:
        assert store.query("ASK { }").boolean
        relay.drop_connections()
        answers = [store.query("ASK { }").boolean for _ in range(3)]
    finally:
        store.close()
    assert answers == [True, True, True]
    assert relay.accepted == 2
