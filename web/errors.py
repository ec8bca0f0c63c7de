"""Error pages: every failure becomes a readable page (or JSON for API clients), never a trace.

Engine errors map to 4xx by kind; anything unexpected is logged and shown as a plain 500 page.
Everything from the URL or data is escaped by Jinja's autoescaping.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from lhs_kg.errors import (
    BusyError,
    EngineError,
    InputError,
    LhsKgError,
    QueryRejectedError,
    QueryTimeoutError,
    StoreUnavailableError,
    TooLargeError,
    TruncatedResultError,
    UnknownQueryError,
)
from lhs_kg.formats import JSON, PAGE, PLAIN_TEXT
from web.negotiation import choose


def status_for(err: LhsKgError) -> int:
    """The HTTP status of an engine error."""
    if isinstance(err, UnknownQueryError):
        return 404
    if isinstance(err, QueryTimeoutError | BusyError):
        return 503
    if isinstance(err, StoreUnavailableError | EngineError | TruncatedResultError):
        return 502
    if isinstance(err, TooLargeError):
        return 413
    if isinstance(err, QueryRejectedError | InputError):
        return 400
    return 400


def public_message(err: LhsKgError) -> str:
    """What the public may read about an engine error: never an internal URL (#12).

    When the error has a public text the detailed one goes to the log instead.
    """
    if err.public is None:
        return str(err)
    current_app.logger.warning("%s on %s: %s", type(err).__name__, request.path, err)
    return err.public


def wants_json() -> bool:
    """True for API paths and clients that prefer JSON to HTML."""
    if request.path.startswith("/api/"):
        return True
    return choose((PAGE, JSON)) == JSON


def error_response(status: int, title: str, message: str) -> Response:
    """One error, as JSON for machines or as the site's error page for people."""
    if wants_json():
        response = jsonify({"error": title, "message": message, "status": status})
    elif request.path.startswith("/sparql"):
        response = Response(f"{title}: {message}\n", mimetype=PLAIN_TEXT.media_type)
    else:
        response = Response(
            render_template("error.html", status=status, title=title, message=message),
            mimetype=PAGE.media_type,
        )
    response.status_code = status
    response.headers["Vary"] = "Accept"
    return response


def init_app(app: Flask) -> None:
    """Install the handlers and the security headers."""

    @app.errorhandler(LhsKgError)
    def engine_error(err: LhsKgError) -> Response:
        status = status_for(err)
        busy = isinstance(err, BusyError)
        title = "Busy" if busy else _TITLES.get(status, "Error")
        response = error_response(status, title, public_message(err))
        if busy:
            response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException) -> Response:
        status = err.code or 500
        response = error_response(status, err.name, err.description or err.name)
        if status == 405 and hasattr(err, "valid_methods") and err.valid_methods:
            response.headers["Allow"] = ", ".join(err.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(err: Exception) -> Response:
        app.logger.exception("unexpected error on %s", request.path)
        return error_response(
            500,
            "Internal Server Error",
            "Something went wrong on our side; the error has been logged.",
        )

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


_TITLES = {
    400: "Bad Request",
    404: "Not Found",
    406: "Not Acceptable",
    413: "Too Large",
    502: "Store Unavailable",
    503: "Timed Out",
}
