"""The HTTP side of a remote store: one session, the authentication the settings choose, and
one place that turns a server's failures into our errors.

A server's own error text is kept in the error's message (the log and the command line show it)
and never in its public text: pages say what went wrong in our words, with status 502 or 503.
Engines that cut an answer say so in headers (Virtuoso: ``X-SPARQL-MaxRows`` for a row limit,
``X-SQL-State: S1TAT`` for an "anytime" answer stopped by its time limit); either is an error
here, never a silently shorter answer.
"""

from __future__ import annotations

import http.client
import logging
import os
import random
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn
from urllib.parse import urlencode, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from lhs_kg.config import RemoteEndpoints
from lhs_kg.engines import engine
from lhs_kg.errors import (
    EngineError,
    QueryError,
    QueryTimeoutError,
    StoreUnavailableError,
    TruncatedResultError,
    WriteConflictError,
)
from lhs_kg.formats import SPARQL_REQUEST_FORMATS
from lhs_kg.store.lean_http import LeanPool

log = logging.getLogger(__name__)

STORE_DID_NOT_ANSWER = "the store did not answer; try again in a moment"
"""What the public is told when the store is unreachable (the URL stays in the log, #12)."""
STORE_FAILED = "the store could not answer this request; the error has been logged"
"""What the public is told when the store answered with an error of its own."""
TIMED_OUT = "the query ran past its time limit"
WRITE_CROSSED = "the store was busy with another write; try again in a moment"
WRITE_CROSSED_PART = (
    "the store was busy with another write and stopped this one; it may have kept part of it, "
    "so look before sending it again"
)
CUT_SHORT = (
    "the store cut its answer short at its row limit; narrow the query (LIMIT, a filter) "
    "or raise the store's limit"
)

_TIMEOUT_TEXT = re.compile(
    r"time[ -]?out|timed out|exceeds the limit|query interrupted|execution time", re.IGNORECASE
)
"""How engines word a query stopped by their time limit (Virtuoso SR171/"estimated execution
time … exceeds the limit", Oxigraph's timeout)."""
_ANYTIME_STATE = "S1TAT"
_CONFLICT_CODE = re.compile(r"\s*(?:Virtuoso\s+)?40001\b")
"""How an engine's error starts when it rolled a write back because it crossed another: SQLSTATE
40001 (serialization failure; Virtuoso's "40001 Error SR172: Transaction deadlocked"). Matched
at the start of the error only: the rest may quote the update, or a syntax error's own words."""
UPDATE_ATTEMPTS = 4
"""How often one update is sent when the engine rolls it back as crossing another write."""
_DIRECT = next(f for f in SPARQL_REQUEST_FORMATS if f.name == "query").media_type
_FORM = next(f for f in SPARQL_REQUEST_FORMATS if f.name == "form").media_type
_URL_PARAMS_MAX = 4000
"""Longest parameter string put in a query's URL (the published sources a query reads by name:
2.6 kB today); a longer graph list (a listed union of many graphs) goes in a form body, as
servers refuse a request head over 8 kB (``oxigraph serve``, nginx, Tomcat)."""
POOL_SIZE = 64
"""Connections kept alive per store host: the most threads ``lhs-kg serve --threads`` runs."""


class _Bearer(AuthBase):
    """``Authorization: Bearer <token>``."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def auth_for(endpoints: RemoteEndpoints) -> AuthBase | None:
    """The authentication the settings name (digest answers the server's challenge)."""
    if endpoints.auth == "bearer" and endpoints.token:
        return _Bearer(endpoints.token)
    if endpoints.auth in ("basic", "digest") and endpoints.user:
        scheme = HTTPDigestAuth if endpoints.auth == "digest" else HTTPBasicAuth
        return scheme(endpoints.user, endpoints.password or "")
    return None


def _lean_allowed(endpoints: RemoteEndpoints) -> bool:
    """Whether queries may skip requests: plain HTTP and no proxy in the environment (requests
    honours ``*_PROXY``; the lean pool does not). Under Digest auth queries go without
    credentials first (Virtuoso reads on an anonymous endpoint) and through requests, which
    answers the challenge, once the query endpoint asks for them."""
    if not endpoints.query.startswith("http://"):
        return False
    return not any(k.lower().endswith("_proxy") and v for k, v in os.environ.items())


Headers = Mapping[str, str] | http.client.HTTPMessage
"""An answer's headers, looked up by any case (requests' and http.client's own types)."""


class SparqlHttp:
    """Requests to one server's endpoints, with its errors made ours."""

    def __init__(self, endpoints: RemoteEndpoints, timeout_s: float) -> None:
        self.endpoints = endpoints
        self.timeout_s = timeout_s
        self.session = requests.Session()
        self.session.auth = auth_for(endpoints)
        # one kept-alive connection per thread of the web worker: requests keeps 10 by default,
        # so threads beyond that opened (and closed) a new connection per query (#16)
        for scheme in ("http://", "https://"):
            self.session.mount(scheme, HTTPAdapter(pool_connections=4, pool_maxsize=POOL_SIZE))
        self._query_as_body = engine(endpoints.engine).query_as_body
        self._lean: LeanPool | None = None
        self._lean_headers: dict[str, str] = {}
        if _lean_allowed(endpoints):
            self._lean = LeanPool(endpoints.query, POOL_SIZE)
            if endpoints.auth == "bearer" and endpoints.token:
                self._lean_headers["Authorization"] = f"Bearer {endpoints.token}"
            elif endpoints.auth == "basic" and endpoints.user:
                credentials = f"{endpoints.user}:{endpoints.password or ''}"
                basic = urllib3.make_headers(basic_auth=credentials)["authorization"]
                self._lean_headers["Authorization"] = basic

    def scrub(self, text: str) -> str:
        """``text`` without the store's own addresses (a server may echo them in its errors)."""
        for url in (self.endpoints.query, self.endpoints.update, self.endpoints.graph_store):
            text = text.replace(url, "the store")
            host = urlsplit(url).netloc
            if host:
                text = text.replace(host, "the store")
        return text

    def send(
        self,
        method: str,
        url: str,
        *,
        what: str,
        timeout_s: float | None = None,
        ok_statuses: tuple[int, ...] = (),
        **kwargs: Any,
    ) -> requests.Response:
        """One request; any failure becomes a :class:`~lhs_kg.errors.StoreError` or
        :class:`~lhs_kg.errors.QueryTimeoutError` whose public text names nothing internal."""
        try:
            response = self.session.request(
                method, url, timeout=timeout_s or self.timeout_s, **kwargs
            )
        except requests.Timeout as err:
            raise QueryTimeoutError(f"{url} did not answer {what} in time: {err}").with_public(
                TIMED_OUT
            ) from None
        except requests.RequestException as err:
            raise StoreUnavailableError(
                f"cannot reach the SPARQL server at {url}: {err}"
            ).with_public(STORE_DID_NOT_ANSWER) from None
        if response.status_code >= 400 and response.status_code not in ok_statuses:
            _refuse(url, what, response.status_code, response.text)
        return response

    def update(self, url: str, text: str, *, again: bool) -> None:
        """POST one SPARQL update. With ``again``, one the engine rolled back as crossing
        another write (a deadlock, SQLSTATE 40001) is sent again after a short random pause.

        ``again`` is for requests the engine runs as one transaction (40001: undone as a
        whole) and for those whose second run changes nothing more (the write lock's claims
        and releases, a generation's renewal). An engine that keeps the operations before a
        failing one (Virtuoso 7) may have kept part of another write: that one is not sent
        again, and the error says what may have happened.
        """
        pause = 0.05
        for attempt in range(1, UPDATE_ATTEMPTS + 1):
            try:
                self.send("POST", url, what="an update", data={"update": text})
                return
            except WriteConflictError as err:
                if not again:
                    raise err.with_public(WRITE_CROSSED_PART) from None
                if attempt == UPDATE_ATTEMPTS:
                    raise
                log.info("%s rolled back an update that crossed another; sending it again", url)
                time.sleep(pause * (1 + random.random()))  # jitter, not a secret
                pause *= 2

    def query(
        self,
        url: str,
        text: str,
        params: list[tuple[str, str]],
        accept: str,
        timeout_s: float,
    ) -> Answer:
        """POST one SPARQL query (``params``: the dataset and limits beside it) and read the
        whole answer.

        The hot path of every page: over plain HTTP without a proxy it goes through kept-alive
        ``http.client`` connections (:mod:`lhs_kg.store.lean_http`: one write per request, 0.22
        ms a round trip against urllib3's 0.36 ms, #16). Where the engine reads it (Oxigraph),
        the query is the request's body (``application/sparql-query``: nothing to URL-encode,
        a quarter of a millisecond per page-sized query) and the few parameters go in the URL;
        otherwise (or with a long graph list) all is form-encoded. HTTPS, proxies and a query
        endpoint that asked for Digest credentials go form-encoded through requests.
        """
        query = urlencode(params) if params else ""
        lean = self._lean  # once: another thread may drop it (a Digest endpoint's first 401)
        if lean is None:
            response = self.send(
                "POST",
                url,
                what="a query",
                timeout_s=timeout_s,
                data=[("query", text), *params],
                headers={"Accept": accept},
            )
            return Answer(response.status_code, response.headers, response.content)
        if self._query_as_body and len(query) <= _URL_PARAMS_MAX:
            content_type, body = _DIRECT, text
        else:  # an engine that reads forms only, or a long graph list: all of it in a form
            content_type, body, query = _FORM, urlencode([("query", text), *params]), ""
        headers = {**self._lean_headers, "Accept": accept, "Content-Type": content_type}
        parts = urlsplit(url)  # the endpoint's own query string (an API key, say) is kept
        in_url = "&".join(q for q in (parts.query, query) if q)
        target = (parts.path or "/") + (f"?{in_url}" if in_url else "")
        try:
            status, got, answer = lean.post(target, body.encode("utf-8"), headers, timeout_s)
        except TimeoutError as err:
            raise QueryTimeoutError(f"{url} did not answer a query in time: {err}").with_public(
                TIMED_OUT
            ) from None
        except OSError as err:
            raise StoreUnavailableError(
                f"cannot reach the SPARQL server at {url}: {type(err).__name__}: {err}"
            ).with_public(STORE_DID_NOT_ANSWER) from None
        except http.client.HTTPException as err:  # it answered, but not in HTTP we can read
            raise StoreUnavailableError(
                f"the SPARQL server at {url} sent an answer that is not readable HTTP: "
                f"{type(err).__name__}: {str(err)[:200]}"
            ).with_public(STORE_DID_NOT_ANSWER) from None
        if status == 401 and self.endpoints.auth == "digest":
            log.info("%s asks for Digest auth: queries go through requests from now on", url)
            self._lean = None
            lean.close()
            return self.query(url, text, params, accept, timeout_s)
        if status >= 400:
            _refuse(url, "a query", status, answer.decode("utf-8", "replace"))
        return Answer(status, got, answer)

    def close(self) -> None:
        """Close every kept connection."""
        self.session.close()
        if self._lean is not None:
            self._lean.close()


@dataclass(frozen=True)
class Answer:
    """A server's answer to a query: status, headers (any case) and the whole body."""

    status: int
    headers: Headers
    content: bytes


def _refuse(url: str, what: str, status: int, text: str) -> NoReturn:
    """Raise the error for a server's failing status; its own text goes to the log only."""
    detail = text[:1000].strip()
    log.warning("%s answered %s to %s: %s", url, status, what, detail)
    message = f"{url} answered {status} to {what}: {detail}"
    if status >= 500 and _CONFLICT_CODE.match(detail):  # before the time limit's words
        raise WriteConflictError(message).with_public(WRITE_CROSSED)
    if _TIMEOUT_TEXT.search(detail):
        raise QueryTimeoutError(message).with_public(TIMED_OUT)
    if status in (401, 403):
        raise EngineError(message).with_public(f"the store refused our credentials ({status})")
    if status < 500 and what in ("a query", "an update"):
        # the engine could not read what we sent (a dialect it does not speak)
        raise QueryError(message).with_public(f"the store refused this request ({status})")
    raise EngineError(message).with_public(f"{STORE_FAILED} ({status})")


def check_complete(headers: Headers, url: str) -> None:
    """Refuse an answer the engine says it cut (row limit or an anytime time limit)."""
    if headers.get("X-SQL-State", "").strip() == _ANYTIME_STATE:
        raise QueryTimeoutError(
            f"{url} stopped the query at its time limit and sent a partial answer: "
            f"{headers.get('X-SQL-Message', '')}"
        ).with_public(TIMED_OUT)
    cap = headers.get("X-SPARQL-MaxRows")
    if cap is not None:
        raise TruncatedResultError(
            f"{url} cut the answer at {cap} rows (its ResultSetMaxRows)"
        ).with_public(CUT_SHORT)


def check_row_limit(count: int, limit: int | None, url: str) -> None:
    """Refuse an answer exactly as long as the engine's row limit: it was most likely cut.

    For answers whose cut the engine does not announce (Virtuoso's CONSTRUCT and DESCRIBE).
    """
    if limit is not None and count >= limit:
        raise TruncatedResultError(
            f"{url} sent {count:,} results, its row limit: the answer was most likely cut"
        ).with_public(CUT_SHORT)
