"""The kept-alive connections of a remote store's queries (#16): one write per request, one
connection kept per concurrent query, none kept when the server says it closes.

The write count is read from a recording socket (what reaches the kernel is what is asked of
it); everything else runs against a real ``oxigraph serve`` and a real HTTP/1.0 server.
"""

from __future__ import annotations

import contextlib
import resource
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lhs_kg.config import RemoteEndpoints
from lhs_kg.errors import StoreError
from lhs_kg.store import RemoteStore
from lhs_kg.store.http import STORE_DID_NOT_ANSWER
from lhs_kg.store.lean_http import LeanPool, _OneWrite
from tests.helpers import OxigraphServer

pytestmark = pytest.mark.remote

ASK = b"ASK {}"
HEADERS = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}


class _RecordingSocket:
    """Stands in for a connected socket: keeps every write."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []

    def sendall(self, data: bytes) -> None:
        self.writes.append(bytes(data))


@pytest.mark.parametrize(
    ("body", "writes"),
    [
        pytest.param(ASK, 1, id="bytes-in-one-write"),
        pytest.param([b"ASK ", b"{}"], 3, id="an-iterable-as-http-client-sends-it"),
    ],
)
def test_a_request_with_a_bytes_body_is_one_write(body: object, writes: int) -> None:
    conn = _OneWrite("127.0.0.1", 1)
    sock = _RecordingSocket()
    conn.sock = sock
    headers = {**HEADERS, "Content-Length": "6"}
    conn.request("POST", "/query?default-graph-uri=urn%3Ag", body=body, headers=headers)  # type: ignore[arg-type]
    sent = b"".join(sock.writes)
    assert len(sock.writes) == writes
    assert sent.startswith(b"POST /query?default-graph-uri=urn%3Ag HTTP/1.1\r\n")
    assert b"\r\nContent-Length: 6\r\n" in sent and sent.endswith(b"\r\n\r\nASK {}")


def test_sequential_queries_share_one_connection(oxigraph_server: OxigraphServer) -> None:
    pool = LeanPool(oxigraph_server.url, max_idle=4)
    try:
        answers = [pool.post("/query", ASK, HEADERS, 5.0) for _ in range(5)]
    finally:
        pool.close()
    assert [(status, body) for status, _, body in answers] == [(200, answers[0][2])] * 5
    assert b"true" in answers[0][2] and pool.opened == 1


class _ClosingHandler(BaseHTTPRequestHandler):
    """An HTTP/1.0 server: every answer ends its connection."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = b'{"head":{},"boolean":true}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def closing_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ClosingHandler)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_connection_the_server_ends_is_not_kept(closing_server: str) -> None:
    pool = LeanPool(closing_server, max_idle=4)
    try:
        statuses = [pool.post("/query", ASK, HEADERS, 5.0)[0] for _ in range(3)]
    finally:
        pool.close()
    assert statuses == [200, 200, 200] and pool.opened == 3


def test_idle_connections_beyond_the_ceiling_are_closed(oxigraph_server: OxigraphServer) -> None:
    """Threads that queried at once each opened one; only ``max_idle`` stay open afterwards."""
    pool = LeanPool(oxigraph_server.url, max_idle=2)
    conns = [pool._connect(5.0) for _ in range(3)]
    for conn in conns:
        pool._give(conn)
    kept = list(pool._idle)
    pool.close()
    assert kept == conns[:2] and conns[2].sock is None
    assert [conn.sock for conn in conns] == [None, None, None]  # closed by close()


#: Answers a server may send that are not HTTP a client can read.
UNREADABLE = {
    "a status line that is not HTTP": b"SPARQL 200 fine\r\n\r\n",
    "more headers than http.client reads": b"HTTP/1.1 200 OK\r\n"
    + b"".join(b"X-Dataset-%d: g\r\n" % i for i in range(150))
    + b"Content-Length: 0\r\n\r\n",
    "a header line of 100 kB": b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 100_000 + b"\r\n\r\n",
    "a chunked answer that breaks off": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
    b'Content-Type: application/sparql-results+json\r\n\r\n1a\r\n{"head":{},"bool',
    "nothing at all": b"",
}


def accept_all(listener: socket.socket, handle: Callable[[socket.socket], None]) -> None:
    """Hand every connection ``listener`` accepts to ``handle``, on a thread, until it closes."""

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            handle(conn)

    threading.Thread(target=serve, daemon=True).start()


@pytest.fixture
def raw_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """A TCP server that reads a request and answers ``request.param`` as it is, then closes."""
    listener = socket.create_server(("127.0.0.1", 0))
    answer: bytes = request.param

    def answer_once(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(answer)

    accept_all(listener, answer_once)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


@pytest.mark.parametrize("raw_server", UNREADABLE.values(), ids=UNREADABLE, indirect=True)
def test_an_answer_that_is_not_readable_http_is_a_clear_error(
    raw_server: str, request: pytest.FixtureRequest
) -> None:
    """The store's error names what happened; the public text says only that the store did not
    answer (no server text, no traceback)."""
    endpoints = RemoteEndpoints(f"{raw_server}/query", f"{raw_server}/update", None)
    with RemoteStore(endpoints) as store, pytest.raises(StoreError) as caught:
        store.query("ASK {}", union=False, named_graphs=[])
    assert caught.value.public == STORE_DID_NOT_ANSWER
    assert "Traceback" not in str(caught.value)
    said = str(caught.value)
    assert raw_server.rsplit(":", 1)[1] in said
    # a server that answered is not said to be unreachable; one that hung up without a word is
    assert ("not readable HTTP" in said) == (request.node.callspec.id != "nothing at all"), said


ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
    b"Content-Length: 26\r\n\r\n" + b'{"head":{},"boolean":true}'
)


#: Set by the test once it read an answer; then the chatty server sends its stray bytes, which
#: so arrive on the idle connection (sent sooner, the reader may take them in with the answer).
ANSWERED = threading.Event()
#: Set by the chatty server once it sent its stray bytes after an answer.
STRAY_SENT = threading.Event()


@pytest.fixture
def chatty_server() -> Iterator[str]:
    """Keeps each connection open and answers every request on it, then, a moment later,
    sends bytes nobody asked for (a server bug, or a proxy's leftovers)."""
    listener = socket.create_server(("127.0.0.1", 0))
    STRAY_SENT.clear()

    def talk(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):  # the client may reset it: unread bytes
            while conn.recv(65536):
                conn.sendall(ANSWER)
                ANSWERED.wait(10)
                conn.sendall(b"HTTP/1.1 500 Stray\r\nContent-Length: 0\r\n\r\n")
                STRAY_SENT.set()

    accept_all(
        listener, lambda conn: threading.Thread(target=talk, args=(conn,), daemon=True).start()
    )
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_an_idle_connection_with_stray_bytes_is_not_used_again(chatty_server: str) -> None:
    """Read as the next answer, the stray bytes would have answered our next query (a 500)."""
    pool = LeanPool(chatty_server, max_idle=4)
    try:
        statuses = []
        for _ in range(3):
            ANSWERED.clear()
            STRAY_SENT.clear()
            statuses.append(pool.post("/query", ASK, HEADERS, 5.0)[0])
            ANSWERED.set()
            assert STRAY_SENT.wait(10)  # the stray bytes arrive while the connection is idle
            time.sleep(0.05)  # and reach this end of it
    finally:
        pool.close()
    assert statuses == [200, 200, 200] and pool.opened == 3


def test_an_idle_connection_the_server_closed_is_replaced_before_use(closing_server: str) -> None:
    """Seen closed while idle, it is not written to (no failed send, no second try)."""
    pool = LeanPool(closing_server, max_idle=4)
    conn = pool._connect(5.0)
    pool._give(conn)
    assert pool._take() is conn  # quiet: kept
    pool._give(conn)
    conn.sock.shutdown(socket.SHUT_RD)  # type: ignore[union-attr]  # as if the server hung up
    try:
        assert pool._take() is None and conn.sock is None
        assert pool.post("/query", ASK, HEADERS, 5.0)[0] == 200 and pool.opened == 2
    finally:
        pool.close()


def test_an_idle_connection_past_descriptor_1024_is_still_kept(
    oxigraph_server: OxigraphServer,
) -> None:
    """``select`` refuses descriptors from 1,024 on: every kept connection was closed then."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1200:  # a machine whose default is 1,024 open files
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(1200, hard), hard))
    held = [socket.socket() for _ in range(1100)]  # a busy worker's open files
    pool = LeanPool(oxigraph_server.url, max_idle=4)
    try:
        for _ in range(3):
            pool.post("/query", ASK, HEADERS, 5.0)
        assert pool.opened == 1
    finally:
        pool.close()
        for sock in held:
            sock.close()
