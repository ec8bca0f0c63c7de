"""A remote store is sent the query's time limit, so the server can stop when we stop waiting (#12),
in the parameter its engine reads (none for Oxigraph, whose server takes ``--timeout-s``), and
the result format only in ``Accept`` (a ``format`` parameter beside it made Virtuoso answer 406).

Measured with oxigraph 0.5.13: ``oxigraph serve --timeout-s 1`` checks its limit coarsely (a
4-way cartesian COUNT ran ~20 s before it was cancelled), so the engine's own limit is sent and
configured, but how fast it bites is the server's business.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lhs_kg.config import RemoteEndpoints
from lhs_kg.store import RemoteStore
from tests.helpers import sparql_request


class _Recorder(BaseHTTPRequestHandler):
    """Answers an ASK with ``true`` (a SELECT with one empty row) and keeps the form it was sent.

    Virtuoso's profile sends an ASK as a one-row SELECT, so both forms of "yes" are answered.
    """

    seen: list[dict[str, list[str]]] = []  # noqa: RUF012 - shared by the handler instances
    accepts: list[str] = []  # noqa: RUF012

    def do_POST(self) -> None:
        _, form = sparql_request(self)
        self.seen.append(form)
        self.accepts.append(self.headers.get("Accept", ""))
        asked = " ".join(form.get("query", [])).upper()
        body = (
            b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'
            if "SELECT" in asked
            else b'{"head":{},"boolean":true}'
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def recorder() -> Iterator[str]:
    """A real HTTP server on loopback that records the requests it gets."""
    _Recorder.seen = []
    _Recorder.accepts = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _asked(seen: list[dict[str, list[str]]]) -> dict[str, list[str]]:
    """The form of the test's own query (Virtuoso's profile lists our graphs first and names
    the query's dataset in ``define`` lines before it)."""
    ours = ("ASK {}", "SELECT * {}\nLIMIT 1\n")  # Virtuoso's profile sends ASK as a SELECT
    (form,) = [form for form in seen if _without_dataset(form) in ours]
    return form


def _without_dataset(form: dict[str, list[str]]) -> str:
    (query,) = form.get("query", [""])
    return re.sub(r"\A(?:define input:\S+ <[^>]*>\n)*", "", query)


@pytest.mark.parametrize(("engine", "param"), [("virtuoso", "timeout"), ("generic", "timeout")])
def test_the_query_timeout_is_sent_in_ms_to_engines_that_take_one(
    recorder: str, engine: str, param: str
) -> None:
    endpoints = RemoteEndpoints(
        f"{recorder}/query", f"{recorder}/update", f"{recorder}/store", engine=engine
    )
    with RemoteStore(endpoints) as store:
        assert store.query("ASK {}", union=False, timeout_s=2.5).boolean
    form = _asked(_Recorder.seen)
    assert form[param] == ["2500"]


def test_oxigraph_is_sent_no_timeout_parameter(recorder: str) -> None:
    endpoints = RemoteEndpoints(f"{recorder}/query", f"{recorder}/update", f"{recorder}/store")
    with RemoteStore(endpoints) as store:
        assert store.query("ASK {}", union=False, timeout_s=2.5).boolean
    (form,) = _Recorder.seen
    assert sorted(form) == ["query"]


@pytest.mark.parametrize("engine", ["oxigraph", "virtuoso", "generic"])
def test_the_result_format_is_asked_in_accept_only(recorder: str, engine: str) -> None:
    """Regression (#16): SPARQLWrapper also sent format=xml, and Virtuoso answered 406."""
    endpoints = RemoteEndpoints(
        f"{recorder}/query", f"{recorder}/update", f"{recorder}/store", engine=engine
    )
    with RemoteStore(endpoints) as store:
        assert store.query("ASK {}", union=False).boolean
    assert not {"format", "output", "results"} & set(_asked(_Recorder.seen))
    assert set(_Recorder.accepts) == {"application/sparql-results+json"}
