"""What search reads: the label fields and their weights, the text fields the shapes describe, and
the kinds of resource people can filter by."""

from __future__ import annotations

import functools

from lhs_kg.config import Settings
from lhs_kg.describe.base import DCT, FOAF, RDFS, SCHEMA, SKOS
from lhs_kg.model import Model, load_model
from lhs_kg.model.faces import SEARCH, shown
from lhs_kg.namespaces import LHS

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
TITLE_FIELDS = (SKOS + "prefLabel", RDFS + "label", DCT + "title", FOAF + "name", SCHEMA + "name")
"""The fields that name a resource (its title column in the index), best first."""
NAME_FIELDS = (SKOS + "altLabel", SKOS + "notation")
"""Other names of a resource: alternative labels and notations (with a source's authors)."""
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
    "tool": str(LHS.Tool),
}
FRAGMENT_CLASSES: tuple[str, ...] = (
    str(LHS.Outcome),
    str(LHS.ComplexityAssessment),
    str(LHS.DomainRating),
)
"""Parts of a case study whose text fields are searched too (a match finds the case study)."""
GLOSSARY = "glossary"
"""The kind of a concept of the glossary scheme (a term people look up, not a framework part)."""
KINDS: tuple[str, ...] = (*TYPES, GLOSSARY, "other")
"""Every kind a hit can have, as the filters list them."""
MAX_WORDS = 5
MAX_QUERY_CHARS = 200


@functools.cache
def _fields(model: Model) -> dict[str, float]:
    classes = [*TYPES.values(), *FRAGMENT_CLASSES]
    kinds = [k for cls in classes for k in model.of_class(cls)]
    found = dict(FIELDS)
    for prop in shown(model, SEARCH, kinds):
        if prop.is_text:
            found.setdefault(prop.iri, WEIGHTS.get(prop.iri, TEXT_WEIGHT))
    return found


def fields(settings: Settings) -> dict[str, float]:
    """Every field searched and its weight: :data:`FIELDS` plus the shapes' text fields."""
    return _fields(load_model(settings))


def words_of(query: str) -> list[str]:
    """The lower-cased words of a query (at most MAX_WORDS, from its first MAX_QUERY_CHARS)."""
    return [w for w in query[:MAX_QUERY_CHARS].lower().split() if w][:MAX_WORDS]
