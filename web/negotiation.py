"""Content negotiation: which of the formats a URL offers the client's ``Accept`` prefers.

The parsing and the matching are Werkzeug's (``request.accept_mimetypes``, a ``MIMEAccept``):
q-values, ``q=0`` exclusions decided by the most specific matching range (RFC 9110 §12.5.1),
wildcards. Where two offers tie on q-value, the one named by the more specific range wins, and
then the server's order; a request without ``Accept`` takes the first offer. Each format offers
every media type the table (:mod:`lhs_kg.formats`) knows it by, the canonical ones of all the
formats first: a client refusing ``text/html`` is not sent a page for accepting ``*/*``
through ``application/xhtml+xml``.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import request
from werkzeug.datastructures import MIMEAccept

from lhs_kg.formats import Format


def best(accept: MIMEAccept, offers: Sequence[str]) -> str | None:
    """The offered media type ``accept`` prefers; the first offer when nothing was asked."""
    if not offers:
        return None
    if not accept.provided:
        return offers[0]
    return accept.best_match(offers)


def choose(formats: Sequence[Format]) -> Format | None:
    """The format of ``formats`` this request's Accept prefers, or None when none is acceptable."""
    chosen = best(request.accept_mimetypes, offers(formats))
    if chosen is None:
        return None
    return next(fmt for fmt in formats if chosen in fmt.media_types)


def offers(formats: Sequence[Format]) -> list[str]:
    """The media types ``formats`` are offered as: every canonical one, then the others."""
    canonical = [fmt.media_type for fmt in formats]
    others = [m for fmt in formats for m in fmt.media_types[1:] if m not in canonical]
    return canonical + others


def offered_types(formats: Sequence[Format]) -> str:
    """The canonical media types of ``formats``, for a 406 message."""
    return ", ".join(fmt.media_type for fmt in formats)
