"""Validators for public pages: an ETag per store generation and representation, and 304s.

A view that serves the same answer to everyone (a resource page, a list, a dashboard) calls
:func:`public` once it knows which representation it will send (HTML, Turtle, …). That names
the answer with an ETag built from the store's generation, the representation and the URL, and
answers ``If-None-Match`` with 304 before anything is rendered. The tag is weak (``W/``): it
promises the same data, not the same bytes (the JSON-LD writer, for one, may order keys
differently from one rendering to the next). A per-process random epoch in the tag keeps a
restarted server, whose generation starts again at 0, from confirming a copy of older data.

``Cache-Control: public, max-age=0, must-revalidate``: anyone may keep a copy (the dataset is
public), but must ask before each use. A write can land at any moment and the validator makes
asking cheap, so a max-age would only buy staleness.

A store without a generation (a shared remote server, written behind our back) gives no tag
and no caching headers: the server cannot know when its pages change.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from typing import ParamSpec

from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask.typing import ResponseReturnValue
from werkzeug.http import parse_etags, quote_etag, unquote_etag

from web.engine import get_kb

#: Set in the WSGI environ by :func:`public`: (ETag, varies by Accept). The page cache stores
#: only answers that carry it.
PUBLIC_ENVIRON = "lhs_kg.public"
CACHE_CONTROL = "public, max-age=0, must-revalidate"
_EPOCH = "lhs_kg_etag_epoch"
_SAFE = ("GET", "HEAD")

P = ParamSpec("P")


def etag_matches(header: str | None, etag: str, *, star: bool) -> bool:
    """``If-None-Match``'s weak comparison of ``header`` (a list of tags, or ``*``) with ``etag``.

    Werkzeug parses the header (linear, and forgiving: a malformed member matches nothing);
    ``*`` matches only where ``star`` says the resource exists.
    """
    tags = parse_etags(header)
    if tags.star_tag:
        return star
    value, _ = unquote_etag(etag)
    return tags.contains_weak(value)


def make_etag(epoch: str, generation: int, representation: str) -> str:
    """The weak ETag of this request's URL in ``representation`` at ``generation``."""
    environ = request.environ
    url = "\0".join(
        (
            representation,
            environ.get("HTTP_HOST", ""),
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
        )
    )
    digest = hashlib.blake2b(url.encode("utf-8", "backslashreplace"), digest_size=9).hexdigest()
    return quote_etag(f"{epoch}-{generation}-{digest}", weak=True)


def public(representation: str, *, vary_accept: bool = False) -> Response | None:
    """Declare this GET/HEAD answer public; a 304 to send when the client's copy is current.

    Call it once the representation is chosen and before rendering. None: go on and render
    (the ETag and Cache-Control are added to the 200 on the way out). A public answer is the
    same for everyone, so it should not read the session; one that does loses the promise
    (see :class:`PublicAwareSessions`).
    """
    if request.method not in _SAFE:
        return None
    generation = get_kb().store.generation
    if generation is None:
        return None
    etag = make_etag(current_app.extensions[_EPOCH], generation, representation)
    request.environ[PUBLIC_ENVIRON] = (etag, vary_accept)
    if etag_matches(request.headers.get("If-None-Match"), etag, star=False):
        return not_modified(etag, vary_accept)
    return None


def public_page(
    representation: str = "html",
) -> Callable[[Callable[P, ResponseReturnValue]], Callable[P, ResponseReturnValue]]:
    """Decorate a view whose only representation is ``representation`` with :func:`public`."""

    def decorate(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
            early = public(representation)
            return early if early is not None else view(*args, **kwargs)

        return wrapper

    return decorate


def not_modified(etag: str, vary_accept: bool) -> Response:
    """A 304 with the headers its 200 would have carried for caches (RFC 9110 §15.4.5)."""
    response = Response(status=304)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = CACHE_CONTROL
    if vary_accept:
        response.headers["Vary"] = "Accept"
    return response


def _finish(response: Response) -> Response:
    """Put the validator on a public 200; withdraw the promise from anything else."""
    marked = request.environ.get(PUBLIC_ENVIRON)
    if marked is None:
        return response
    if response.status_code != 200:
        del request.environ[PUBLIC_ENVIRON]  # errors are not kept
        return response
    etag, vary_accept = marked
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = CACHE_CONTROL
    if vary_accept and "accept" not in response.headers.get("Vary", "").lower():
        response.vary.add("Accept")
    if etag_matches(request.headers.get("If-None-Match"), etag, star=True):
        return not_modified(etag, vary_accept)  # '*': known only once the resource exists
    return response


class PublicAwareSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, withdrawing the public label from answers that used one.

    Flask saves the session after every ``after_request`` hook (adding ``Vary: Cookie`` and
    perhaps ``Set-Cookie``), and only the session knows whether it was read, so this is the
    one place that can tell that a "public" page was not the same for everyone after all.
    """

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Save as Flask does; then, if the session was used, make the answer private."""
        super().save_session(app, session, response)
        if session.accessed and request.environ.pop(PUBLIC_ENVIRON, None) is not None:
            response.headers.pop("ETag", None)
            response.headers["Cache-Control"] = "private, no-cache"


def share_epoch(app: Flask, epoch: str) -> None:
    """Use ``epoch`` in ETags: the worker processes of one server share it, so a tag one worker
    gave is current at the others (the generation in it comes from the shared store)."""
    app.extensions[_EPOCH] = epoch


def init_app(app: Flask) -> None:
    """Give the app its ETag epoch, the hook that labels public answers, and the sessions."""
    app.extensions[_EPOCH] = secrets.token_hex(4)
    app.after_request(_finish)
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = PublicAwareSessions()
