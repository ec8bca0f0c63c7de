"""Search and autocomplete over labels, alt labels, definitions, notations and the text fields
of case studies, sources and organisations (every free-text field their shapes describe).

Every word of the query must occur (case-insensitively) in one field; hits are ranked by the
field they matched in (a label beats a definition) and by how closely (exact, prefix, phrase).
The words are bound as SPARQL parameters; only the number of words changes the query text.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.config import Settings
from lhs_kg.describe.base import (
    DCT,
    FOAF,
    RDFS,
    SCHEMA,
    SKOS,
    Reader,
    value,
)
from lhs_kg.model import Model, load_model
from lhs_kg.model.faces import SEARCH, shown
from lhs_kg.namespaces import LHS
from lhs_kg.sparql.binding import Row

#: Label fields and definitions searched, and their weight in the ranking; the text fields of
#: the kinds in :data:`TYPES` come from the shapes (see :func:`fields`).
FIELDS: dict[str, float] = {
    SKOS + "prefLabel": 100,
    SKOS + "notation": 90,
    RDFS + "label": 80,
    SKOS + "altLabel": 60,
    DCT + "title": 70,
    FOAF + "name": 70,
    SCHEMA + "name": 70,
    SKOS + "definition": 20,
}
LABEL_FIELDS = tuple(list(FIELDS)[:7])
TEXT_WEIGHT = 10.0
"""The weight of a text field of the shapes (a description, an aim, lessons learned …)."""
WEIGHTS: dict[str, float] = {str(LHS.setting): 5}
"""Text fields that rank lower or higher than :data:`TEXT_WEIGHT` (optional, by property)."""

#: Type filters people can choose, and the classes behind them.
TYPES: dict[str, str] = {
    "concept": SKOS + "Concept",
    "scheme": SKOS + "ConceptScheme",
    "case-study": str(LHS.CaseStudy),
    "source": str(LHS.Source),
    "organisation": str(LHS.Organisation),
}
MAX_WORDS = 5
MAX_QUERY_CHARS = 200


SEARCH_QUERY = sparql.text("describe/search")
"""Every word must occur: up to MAX_WORDS words are bound (?w1…), the others left unbound."""


@functools.cache
def _fields(model: Model) -> dict[str, float]:
    kinds = [k for cls in TYPES.values() for k in model.of_class(cls)]
    found = dict(FIELDS)
    for prop in shown(model, SEARCH, kinds):
        if prop.is_text:
            found.setdefault(prop.iri, WEIGHTS.get(prop.iri, TEXT_WEIGHT))
    return found


def fields(settings: Settings) -> dict[str, float]:
    """Every field searched and its weight: :data:`FIELDS` plus the shapes' text fields."""
    return _fields(load_model(settings))


@dataclass
class Hit:
    """One search result with its context (scheme, broader concept) and what matched."""

    iri: str
    label: str
    kind: str
    score: float
    matched_field: str
    snippet: str
    local: bool
    schemes: list[str] = field(default_factory=list)
    broader: list[str] = field(default_factory=list)


def words_of(query: str) -> list[str]:
    """The lower-cased words of a query (at most MAX_WORDS, from its first MAX_QUERY_CHARS)."""
    return [w for w in query[:MAX_QUERY_CHARS].lower().split() if w][:MAX_WORDS]


def _kind(types: set[str]) -> str:
    for name, cls in TYPES.items():
        if cls in types:
            return name
    return "other"


def _closeness(text: str, phrase: str) -> float:
    lowered = text.lower()
    if lowered == phrase:
        return 3.0
    if lowered.startswith(phrase):
        return 2.0
    if phrase in lowered:
        return 1.5
    return 1.0


def search(
    reader: Reader,
    query: str,
    *,
    types: list[str] | None = None,
    limit: int = 50,
    labels_only: bool = False,
) -> list[Hit]:
    """Ranked hits for ``query``, optionally only of the given kinds ('concept', 'source'…)."""
    words = words_of(query)
    if not words:
        return []
    phrase = " ".join(words)
    weights = fields(reader.kb.settings)
    bound: list[Row] = [{f"w{i}": ox.Literal(w) for i, w in enumerate(words, 1)}]
    bound += [{"p": ox.NamedNode(f)} for f in (LABEL_FIELDS if labels_only else weights)]
    bound += [{"type": ox.NamedNode(t)} for t in TYPES.values()]
    rows = reader.select(SEARCH_QUERY, bound)
    hits: dict[str, Hit] = {}
    kinds: dict[str, set[str]] = {}
    for row in rows:
        iri = value(row, "s")
        prop = value(row, "p")
        matched = value(row, "text")
        score = weights.get(prop, 1) * _closeness(matched, phrase)
        kinds.setdefault(iri, set()).add(value(row, "type"))
        hit = hits.get(iri)
        if hit is None:
            hit = hits[iri] = Hit(
                iri, value(row, "label") or iri, "other", score, prop, matched, reader.is_local(iri)
            )
        elif score > hit.score:
            hit.score, hit.matched_field, hit.snippet = score, prop, matched
        if value(row, "schemeLabel") and value(row, "schemeLabel") not in hit.schemes:
            hit.schemes.append(value(row, "schemeLabel"))
        if value(row, "broaderLabel") and value(row, "broaderLabel") not in hit.broader:
            hit.broader.append(value(row, "broaderLabel"))
    for iri, hit in hits.items():
        hit.kind = _kind(kinds[iri])
        hit.schemes.sort()
        hit.broader.sort()
    wanted = {t for t in (types or []) if t in TYPES or t == "other"}
    found = [h for h in hits.values() if not wanted or h.kind in wanted]
    found.sort(key=lambda h: (-h.score, h.label.lower(), h.iri))
    return found[: max(1, limit)]


def autocomplete(reader: Reader, query: str, limit: int = 10) -> list[Hit]:
    """The best few label matches for a search box."""
    return search(reader, query, limit=limit, labels_only=True)
