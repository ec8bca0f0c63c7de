"""Sending graphs of the published view to a partner's SPARQL 1.1 store.

Two standard ways: the Graph Store HTTP Protocol (``PUT <endpoint>?graph=<iri>`` replaces the
partner's copy of each graph) or SPARQL 1.1 Update (``DROP SILENT GRAPH`` then ``INSERT DATA``,
one request per graph). Only the given http(s) URL is contacted: redirects are refused and proxy
and ``.netrc`` settings from the environment are ignored, so credentials never leave for another
host. Network failures and 502/503/504 answers are retried with exponential backoff, a bounded
number of times. Pushing only reads the local store.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO
from urllib.parse import urlsplit

import pyoxigraph as ox
import requests

from lhs_kg.config import Settings
from lhs_kg.errors import InputError, StoreUnavailableError
from lhs_kg.export.dump import check_iri, graph_quads
from lhs_kg.formats import SPARQL_REQUEST_FORMATS, rdf_format
from lhs_kg.graphs import published_graphs
from lhs_kg.store import Store

RETRY_STATUSES = (502, 503, 504)
PushProgress = Callable[[str, int], None]
"""Called after each graph with (graph IRI, triples sent)."""


class PushError(StoreUnavailableError):
    """The partner's store could not be reached or refused the data; the message names the URL."""


@dataclass(frozen=True)
class PushSummary:
    """What a push sent and where."""

    url: str
    graphs: int
    triples: int
    seconds: float


def check_url(url: str) -> str:
    """An http(s) URL with a host, or :class:`InputError` (``file://``, ``ftp://`` … refused)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"--to must be an http(s) URL with a host, got {url!r}")
    if parts.username or parts.password:
        raise InputError("put credentials in --user and --password-env, not in the URL")
    return url.strip()


def push(
    store: Store,
    settings: Settings,
    url: str,
    *,
    graphs: list[str] | None = None,
    user: str | None = None,
    password: str | None = None,
    update_endpoint: bool = False,
    retries: int = 3,
    backoff_s: float = 0.25,
    timeout_s: float = 60.0,
    progress: PushProgress | None = None,
) -> PushSummary:
    """Send the published graphs (or the given ones) to ``url``; raise :class:`PushError`."""
    target = check_url(url)
    published = published_graphs(store, settings)
    chosen = published
    if graphs:
        public = set(published)
        chosen = []
        for raw in graphs:
            iri = check_iri(raw, "graph").value
            if iri not in public:
                raise InputError(f"graph <{iri}> is not part of the published knowledge base")
            chosen.append(iri)
    if retries < 0 or retries > 10:
        raise InputError("retries must be between 0 and 10")
    session = requests.Session()
    session.trust_env = False  # no proxies or .netrc credentials from the environment
    if user:
        session.auth = (user, password or "")
    started = time.perf_counter()
    total = 0
    try:
        for graph in chosen:
            with tempfile.TemporaryFile() as body:
                count = _write_body(store, graph, body, update_endpoint)
                send = _sender(session, target, graph, body, update_endpoint, timeout_s)
                _with_retries(send, target, retries, backoff_s)
            total += count
            if progress:
                progress(graph, count)
    finally:
        session.close()
    return PushSummary(target, len(chosen), total, time.perf_counter() - started)


def _write_body(store: Store, graph: str, body: IO[bytes], update: bool) -> int:
    """Spool the graph as N-Triples (or as an update request) to a temporary file."""
    count = 0

    def triples() -> object:
        nonlocal count
        for quad in graph_quads(store, graph):
            count += 1
            yield quad.triple

    if update:
        name = ox.NamedNode(graph)
        body.write(f"DROP SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{\n".encode())
        ox.serialize(triples(), body, ox.RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
        body.write(b"} }\n")
    else:
        ox.serialize(triples(), body, ox.RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
    return count


def _sender(
    session: requests.Session, url: str, graph: str, body: IO[bytes], update: bool, timeout_s: float
) -> Callable[[], requests.Response]:
    def send() -> requests.Response:
        body.seek(0)
        if update:
            return session.post(
                url,
                data=body,
                timeout=timeout_s,
                allow_redirects=False,
                headers={"Content-Type": SPARQL_REQUEST_FORMATS[2].media_type},
            )
        return session.put(
            url,
            params={"graph": graph},
            data=body,
            timeout=timeout_s,
            allow_redirects=False,
            headers={"Content-Type": rdf_format("nt").media_type},
        )

    return send


def _with_retries(
    send: Callable[[], requests.Response], url: str, retries: int, backoff_s: float
) -> None:
    """Send, retrying network errors and 502/503/504 with delays backoff, 2×backoff, …"""
    attempt = 0
    while True:
        try:
            response = send()
        except requests.RequestException as err:
            reason = _reason(err)
            if attempt >= retries:
                raise PushError(
                    f"cannot push to {url}: {reason} (after {attempt + 1} attempts)"
                ) from None
        else:
            status = response.status_code
            if status < 300:
                return
            if status not in RETRY_STATUSES or attempt >= retries:
                detail = " ".join(response.text[:200].split())
                what = (
                    "redirected elsewhere (not followed)"
                    if 300 <= status < 400
                    else (f"answered {status}")
                )
                raise PushError(
                    f"cannot push to {url}: it {what}" + (f": {detail}" if detail else "")
                )
        time.sleep(backoff_s * (2**attempt))
        attempt += 1


def _reason(err: requests.RequestException) -> str:
    if isinstance(err, requests.ConnectionError):
        return "connection failed (is the server up?)"
    if isinstance(err, requests.Timeout):
        return "timed out"
    return type(err).__name__
