"""The glossary on pages (#15): ``/glossary`` leads to the glossary's scheme page, and the
``glossed`` template filter links a glossary term where it first occurs on a page.

Pages pass their prose through it (``{{ text|glossed }}`` or ``{% filter glossed %}``); text
inside existing links is left alone, and a term is linked once per page (tracked on ``g``), never
on its own page. The engine finds the terms (:mod:`lhs_kg.describe.glossary`).
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, g, redirect, request
from markupsafe import Markup, escape

from lhs_kg.describe import glossary
from web.views.reading import base_iri, get_reader, href

bp = Blueprint("glossary_links", __name__)
_TAG = re.compile(r"(<[^>]*>)")
_OPEN_A = re.compile(r"<a[\s>]", re.IGNORECASE)
_CLOSE_A = re.compile(r"</a\s*>", re.IGNORECASE)


@bp.get("/glossary")
def glossary_page() -> Response:
    """The short address of the glossary: its concept scheme's page."""
    return redirect(href(base_iri() + "concept/glossary") or "/concept/glossary", 301)


@bp.app_template_filter("glossed")
def glossed(text: str) -> Markup:
    """``text`` (plain, or Markup already safe) with each glossary term linked where it first
    occurs on the page."""
    source = str(text if isinstance(text, Markup) else escape(text))
    known = glossary.names(get_reader())
    linked: set[str] = g.setdefault("glossary_linked", set())
    out: list[str] = []
    inside_link = 0
    for part in _TAG.split(source):
        if part.startswith("<"):
            if _OPEN_A.match(part):
                inside_link += 1
            elif _CLOSE_A.match(part):
                inside_link = max(0, inside_link - 1)
            out.append(part)
            continue
        if inside_link:
            out.append(part)
            continue
        at = 0
        for match in glossary.find_terms(part, known):
            target = href(match.iri)
            if target is None or match.iri in linked or target == request.path:
                continue
            linked.add(match.iri)
            words = part[match.start : match.end]
            out.append(part[at : match.start])
            out.append(f'<a class="glossary-term" href="{escape(target)}">{words}</a>')
            at = match.end
        out.append(part[at:])
    return Markup("".join(out))
