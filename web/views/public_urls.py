"""Absolute URLs of this server, from configuration only: never from the request's Host (#12).

A client chooses the Host header; echoing it into the SPARQL service description, the dataset
description or the query catalogue lets anyone make this server vouch for another address (and
poisons caches in front of it). The public address is ``LHS_KG_PUBLIC_URL`` when set, else the
base IRI, whose paths this server answers when the base IRI is mapped to it.
This module registers no routes: it offers :func:`absolute_url`, also to templates.
"""

from __future__ import annotations

from flask import Blueprint, has_request_context, request

from web.engine import get_settings

bp = Blueprint("public_urls", __name__)


def public_root() -> str:
    """The configured public address of this server, ending in '/'."""
    settings = get_settings()
    return settings.public_url or settings.base_iri


def absolute_url(path: str) -> str:
    """The public absolute URL of a path of this server (``/sparql`` → ``<public>/sparql``).

    ``path`` may come from ``url_for`` (behind a WSGI prefix it starts with the script root,
    which the public URL already holds).
    """
    script_root = request.script_root if has_request_context() else ""
    if script_root and path.startswith(script_root + "/"):
        path = path[len(script_root) :]
    return public_root().rstrip("/") + "/" + path.lstrip("/")


@bp.app_context_processor
def _inject() -> dict[str, object]:
    return {"absolute_url": absolute_url}
