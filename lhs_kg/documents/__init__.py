"""Reading a contribution safely into an rdflib graph, plus a map back to the keys people wrote.

Accepted: plain JSON or YAML (made RDF by ``ontology/context.jsonld``), JSON-LD, Turtle, RDF/XML
and N-Triples.

Nothing here reaches the network: remote JSON-LD contexts are refused before any parser sees them
(our own published context URL is replaced by the local file), RDF/XML with a DOCTYPE or entity
declarations is refused, and sizes, nesting depth and YAML aliases are bounded. Every refusal is
an :class:`~lhs_kg.errors.InputError` naming the file, and the line and column when a parser gives
them.

Modules, one job each: ``load`` (the entry point and the format), ``limits`` (the bounds),
``values`` (JSON and YAML into plain values), ``tree`` (a JSON tree into RDF under our context),
``rdf`` (Turtle, N-Triples, RDF/XML), ``context`` (our JSON-LD context), ``model`` (Document).

>>> doc = load_document(b'{"type": "CaseStudy", "title": "T", "titel": "x"}', name="cs.json")
>>> len(doc.graph), [note.path for note in doc.notes]
(2, ['titel'])
"""

from __future__ import annotations

from lhs_kg.documents.context import (
    CONTEXT_PATH,
    CONTEXT_URLS,
    Context,
    TermDef,
    expand_value,
    load_context,
)
from lhs_kg.documents.limits import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_TRIPLES,
    MAX_BLANK_NODE_USES,
    MAX_DEPTH,
    MAX_INTEGER_DIGITS,
    MAX_LIST_MEMBERS,
    MAX_NODES,
    MAX_NUMBER_CHARS,
)
from lhs_kg.documents.load import load_document
from lhs_kg.documents.model import Document, Note, prefixed
from lhs_kg.documents.tree import COUNTRY_PROPERTY, country_code

__all__ = [
    "CONTEXT_PATH",
    "CONTEXT_URLS",
    "COUNTRY_PROPERTY",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_TRIPLES",
    "MAX_BLANK_NODE_USES",
    "MAX_DEPTH",
    "MAX_INTEGER_DIGITS",
    "MAX_LIST_MEMBERS",
    "MAX_NODES",
    "MAX_NUMBER_CHARS",
    "Context",
    "Document",
    "Note",
    "TermDef",
    "country_code",
    "expand_value",
    "load_context",
    "load_document",
    "prefixed",
]
