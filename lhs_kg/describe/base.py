"""What every read model shares: running fixed queries on the published view, and naming terms.

A :class:`Reader` runs the read models' own SPARQL (``lhs_kg/sparql/describe/*.rq``, parameters
bound by :func:`lhs_kg.sparql.bind`)
over a set of graphs (the published view, or the union when everything is published). Terms come
back as :class:`TermView`: an IRI with its display label, a literal with its language and
datatype, or a blank node.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.aggregates import Aggregates
from lhs_kg.kb import KnowledgeBase
from lhs_kg.namespaces import PREFIXES
from lhs_kg.sparql.binding import Row
from lhs_kg.store.base import QueryResult, Term

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SCHEMA = "https://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Label properties in the order docs/MODEL.md gives them; earlier wins.
LABEL_PROPERTIES: tuple[str, ...] = (
    SKOS + "prefLabel",
    RDFS + "label",
    DCT + "title",
    FOAF + "name",
    SCHEMA + "name",
)


#: Readable names for terms of reused vocabularies, which the store does not describe.
WELL_KNOWN: dict[str, str] = {
    RDF + "type": "type",
    RDFS + "label": "label",
    RDFS + "comment": "comment",
    RDFS + "seeAlso": "see also",
    RDFS + "isDefinedBy": "defined by",
    RDFS + "subClassOf": "subclass of",
    SKOS + "prefLabel": "preferred label",
    SKOS + "altLabel": "alternative label",
    SKOS + "definition": "definition",
    SKOS + "scopeNote": "scope note",
    SKOS + "editorialNote": "editorial note",
    SKOS + "notation": "notation",
    SKOS + "broader": "broader",
    SKOS + "narrower": "narrower",
    SKOS + "related": "related",
    SKOS + "inScheme": "in scheme",
    SKOS + "topConceptOf": "top concept of",
    SKOS + "hasTopConcept": "top concept",
    SKOS + "exactMatch": "exact match",
    SKOS + "closeMatch": "close match",
    SKOS + "Concept": "concept",
    SKOS + "ConceptScheme": "concept scheme",
    DCT + "title": "title",
    DCT + "description": "description",
    DCT + "source": "source",
    DCT + "subject": "subject",
    DCT + "contributor": "contributor",
    DCT + "creator": "creator",
    DCT + "issued": "issued",
    DCT + "date": "date",
    DCT + "publisher": "publisher",
    DCT + "isPartOf": "part of",
    DCT + "identifier": "identifier",
    DCT + "license": "licence",
    DCT + "rights": "rights",
    DCT + "hasPart": "has part",
    DCT + "modified": "modified",
    DCT + "created": "created",
    DCT + "conformsTo": "conforms to",
    DCT + "references": "references",
    DCT + "isReferencedBy": "referenced by",
    DCT + "alternative": "alternative title",
    FOAF + "name": "name",
    FOAF + "page": "web page",
    FOAF + "homepage": "home page",
    FOAF + "Person": "person",
    FOAF + "Organization": "organisation",
    FOAF + "made": "made",
    FOAF + "maker": "maker",
    SCHEMA + "funder": "funder",
    SCHEMA + "CreativeWork": "creative work",
    SCHEMA + "Project": "project",
    SCHEMA + "parentOrganization": "parent organisation",
    "http://www.w3.org/ns/prov#Entity": "entity (provenance)",
    "http://www.w3.org/ns/prov#Activity": "activity (provenance)",
    "http://www.w3.org/ns/prov#Agent": "agent (provenance)",
    "http://purl.org/ontology/bibo/editorList": "editors",
    "http://www.w3.org/2002/07/owl#sameAs": "same as",
    RDFS + "domain": "applies to",
    RDFS + "range": "takes as value",
    RDFS + "subPropertyOf": "subproperty of",
    RDFS + "Literal": "text or number",
    RDFS + "Class": "class",
    RDF + "Property": "property",
    RDF + "PlainLiteral": "text",
    RDF + "langString": "text in a language",
    RDF + "List": "list",
    "http://www.w3.org/2002/07/owl#Class": "class",
    "http://www.w3.org/2002/07/owl#ObjectProperty": "link property",
    "http://www.w3.org/2002/07/owl#DatatypeProperty": "value property",
    "http://www.w3.org/2002/07/owl#AnnotationProperty": "annotation property",
    "http://www.w3.org/2002/07/owl#FunctionalProperty": "single-valued property",
    "http://www.w3.org/2002/07/owl#Ontology": "ontology",
    "http://www.w3.org/2002/07/owl#inverseOf": "inverse of",
    "http://www.w3.org/2002/07/owl#equivalentClass": "same class as",
    "http://www.w3.org/2002/07/owl#versionIRI": "version",
    "http://www.w3.org/2002/07/owl#versionInfo": "version",
    "http://www.w3.org/2002/07/owl#Thing": "anything",
    XSD + "string": "text",
    XSD + "integer": "whole number",
    XSD + "nonNegativeInteger": "whole number (zero or more)",
    XSD + "positiveInteger": "whole number (one or more)",
    XSD + "decimal": "decimal number",
    XSD + "double": "number",
    XSD + "float": "number",
    XSD + "boolean": "yes or no",
    XSD + "date": "date",
    XSD + "dateTime": "date and time",
    XSD + "gYear": "year",
    XSD + "anyURI": "web address",
    "https://creativecommons.org/licenses/by/4.0/": "CC BY 4.0 (Creative Commons Attribution)",
    "http://creativecommons.org/licenses/by/4.0/": "CC BY 4.0 (Creative Commons Attribution)",
    "https://creativecommons.org/publicdomain/zero/1.0/": "CC0 1.0 (public domain dedication)",
    "http://www.w3.org/ns/prov#wasAttributedTo": "attributed to",
    "http://purl.org/ontology/bibo/authorList": "authors",
    "http://purl.org/ontology/bibo/doi": "DOI",
    "http://purl.org/ontology/bibo/volume": "volume",
    "http://purl.org/ontology/bibo/issue": "issue",
    "http://purl.org/ontology/bibo/pages": "pages",
    "http://purl.org/ontology/bibo/isbn13": "ISBN",
    "http://purl.org/ontology/bibo/pmid": "PubMed ID",
    "http://purl.org/ontology/bibo/Journal": "journal",
    "http://purl.org/ontology/bibo/AcademicArticle": "academic article",
    "http://purl.org/ontology/bibo/Book": "book",
    "http://purl.org/ontology/bibo/BookSection": "book section",
    "http://purl.org/ontology/bibo/Report": "report",
    "http://purl.org/ontology/bibo/Webpage": "web page",
    "http://purl.org/ontology/bibo/Collection": "collection",
    "http://purl.org/ontology/bibo/Standard": "standard",
    "http://purl.org/ontology/bibo/Series": "series",
    "http://purl.org/ontology/bibo/Document": "document",
    "http://purl.org/ontology/bibo/Article": "article",
    "http://purl.org/ontology/bibo/Thesis": "thesis",
    "http://purl.org/ontology/bibo/Proceedings": "proceedings",
}

T = TypeVar("T")

_LANG_RANK = {"en": 0, "en-gb": 1, "en-us": 1, "": 2}


@dataclass(frozen=True)
class TermView:
    """One RDF term ready for display: ``kind`` is 'iri', 'literal' or 'bnode'."""

    kind: str
    value: str
    label: str = ""
    language: str = ""
    datatype: str = ""
    local: bool = False

    @property
    def datatype_label(self) -> str:
        """The datatype as a short name ('xsd:gYear'), empty for plain strings."""
        if not self.datatype or self.datatype in (XSD + "string", RDF + "langString"):
            return ""
        return curie(self.datatype)


def curie(iri: str) -> str:
    """``prefix:local`` for an IRI in a known namespace, else the IRI itself."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            local = iri[len(namespace) :]
            if "/" not in local and "#" not in local:
                return f"{prefix}:{local}"
    return iri


def fallback_label(iri: str) -> str:
    """A name for an IRI nobody labelled: a well-known name, a CURIE, or the IRI itself."""
    if iri in WELL_KNOWN:
        return WELL_KNOWN[iri]
    return curie(iri)


def label_rank(prop: str, literal: ox.Literal | None) -> tuple[int, int]:
    """Sort key of a candidate label: property order first, then English before others."""
    try:
        position = LABEL_PROPERTIES.index(prop)
    except ValueError:
        position = len(LABEL_PROPERTIES)
    language = (literal.language or "").lower() if literal is not None else ""
    return position, _LANG_RANK.get(language, 3)


def is_english(literal: ox.Literal) -> bool:
    """True for an untagged literal or one tagged English (``en``, ``en-GB``…)."""
    language = (literal.language or "").lower()
    return language in ("", "en") or language.startswith("en-")


class LabelBook:
    """Collects candidate labels for IRIs and answers with the best one per MODEL.md's order.

    ``english=True`` considers English and untagged labels only, as the best-label patterns of
    ``lhs_kg/sparql/describe/*.rq`` do (lists built from either show the same names).
    """

    def __init__(self, *, english: bool = False) -> None:
        self.english = english
        self._best: dict[str, tuple[tuple[int, int], str]] = {}

    def offer(self, iri: str, prop: str, literal: Term | None) -> None:
        """Consider ``literal`` (found through ``prop``) as a label of ``iri``."""
        if not isinstance(literal, ox.Literal):
            return
        if self.english and not is_english(literal):
            return
        rank = label_rank(prop, literal)
        current = self._best.get(iri)
        if current is None or rank < current[0]:
            self._best[iri] = (rank, literal.value)

    def get(self, iri: str) -> str:
        """The best label offered for ``iri``, or a fallback name."""
        found = self._best.get(iri)
        return found[1] if found else fallback_label(iri)

    def __contains__(self, iri: object) -> bool:
        return iri in self._best

    def entry(self, iri: str) -> tuple[tuple[int, int], str] | None:
        """What the book holds for ``iri`` (rank and label), None when nothing was offered."""
        return self._best.get(iri)

    def adopt(self, iri: str, entry: tuple[tuple[int, int], str] | None) -> None:
        """Take an :meth:`entry` of another book as this book's answer for ``iri``."""
        if entry is not None:
            current = self._best.get(iri)
            if current is None or entry[0] < current[0]:
                self._best[iri] = entry


#: Labels of a given set of IRIs (bound to ?x, a row each).
LABELS_OF = sparql.text("describe/labels-of")
#: Given properties (bound to ?p) of a given set of IRIs (bound to ?x), a row each.
FIELDS_OF = sparql.text("describe/fields-of")
_LABEL_BATCH = 400
#: Labels found by :meth:`Reader.labels` are kept with the shared read models (so per store
#: generation and published view), for at most this many IRIs: the properties, concepts,
#: sources and organisations that pages link to recur from page to page.
LABELS_KEPT_MAX = 50_000


def published_scope(kb: KnowledgeBase) -> list[str] | None:
    """The graphs public pages read: the one published graph (#16), whatever the history.

    The knowledge base's own published view (:meth:`KnowledgeBase.published_scope`), which named
    queries read by default too (a store not migrated yet: its published graphs, or None).
    """
    return kb.published_scope()


class Reader:
    """Runs the read models' fixed queries on a knowledge base, over the published graphs.

    ``graphs=None`` reads the knowledge base's published view (:meth:`KnowledgeBase.
    published_scope`): the union of every named graph would count the published graph's copy
    of each triple twice (#16).
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        graphs: Sequence[str] | None = None,
        shared: dict[Hashable, Any] | None = None,
    ) -> None:
        self.kb = kb
        self.graphs = list(graphs) if graphs is not None else kb.published_scope()
        self.base_iri = kb.settings.base_iri
        #: Read models every page needs (scheme trees, the loop, the NASSS domains, counts),
        #: kept for as long as the owner of the dict keeps it; the owner clears it on writes.
        self.shared: dict[Hashable, Any] = shared if shared is not None else {}
        #: Answers kept per store generation (:mod:`lhs_kg.aggregates`), for the read models
        #: that aggregate over every case study; None: :meth:`aggregate` runs the query.
        self.aggregates: Aggregates | None = None

    def aggregate(self, text: str) -> list[dict[str, Term]]:
        """SELECT rows of a query over every case study, kept per store generation if possible."""
        if self.aggregates is None:
            return self.select(text)
        return self.aggregates.rows(text)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, once per ``shared`` dict (a race computes twice, harmlessly)."""
        try:
            found: T = self.shared[key]
            return found
        except KeyError:
            made = self.shared[key] = compute()
            return made

    def select(
        self,
        text: str,
        rows: Sequence[Row] = (),
        *,
        limit: int | None = None,
        offset: int | None = None,
        **bindings: ox.NamedNode | ox.Literal,
    ) -> list[dict[str, Term]]:
        """SELECT rows of one of our queries: parameters as keywords (one row) or ``rows`` (a
        set of them), and LIMIT/OFFSET, all bound by :func:`lhs_kg.sparql.bind`."""
        bound = [{**row, **bindings} for row in rows] if rows else [bindings] if bindings else []
        return self._run(text, bound, limit, offset).rows()

    def triples(self, text: str, **bindings: ox.NamedNode | ox.Literal) -> list[ox.Triple]:
        """Triples of one of our CONSTRUCT or DESCRIBE queries."""
        return self._run(text, [bindings] if bindings else []).triples()

    def _run(
        self,
        text: str,
        rows: Sequence[Row],
        limit: int | None = None,
        offset: int | None = None,
    ) -> QueryResult:
        if rows or limit is not None or offset is not None:
            text = sparql.bind(text, rows, limit=limit, offset=offset)
        if self.graphs is None:
            return self.kb.store.query(
                text,
                union=True,
                timeout_s=self.kb.settings.query_timeout_s,
            )
        return self.kb.store.query(
            text,
            union=False,
            default_graphs=self.graphs or ["urn:lhs-kg:empty"],
            timeout_s=self.kb.settings.query_timeout_s,
        )

    def labels(self, iris: Iterable[str], book: LabelBook | None = None) -> LabelBook:
        """The best labels of exactly these IRIs (queried in batches, bound as VALUES).

        IRIs looked up before with the same shared read models are answered from them.
        """
        book = book if book is not None else LabelBook()
        kept: dict[str, tuple[tuple[int, int], str] | None] = self.memo(
            ("labels", book.english), dict
        )
        wanted = []
        for iri in sorted({i for i in iris if i not in book and iri_or_none(i) is not None}):
            if iri in kept:
                book.adopt(iri, kept[iri])
            else:
                wanted.append(iri)
        for start in range(0, len(wanted), _LABEL_BATCH):
            batch = [{"x": ox.NamedNode(i)} for i in wanted[start : start + _LABEL_BATCH]]
            for row in self._run(LABELS_OF, batch).rows():
                book.offer(value(row, "x"), value(row, "lp"), row.get("label"))
        for iri in wanted:
            if len(kept) >= LABELS_KEPT_MAX:
                break
            kept[iri] = book.entry(iri)
        return book

    def remember_labels(self, book: LabelBook, iris: Iterable[str]) -> None:
        """Keep what ``book`` (all of these IRIs' labels, read some other way) says of ``iris``
        with the shared read models, as :meth:`labels` would have."""
        kept: dict[str, tuple[tuple[int, int], str] | None] = self.memo(
            ("labels", book.english), dict
        )
        for iri in iris:
            if len(kept) >= LABELS_KEPT_MAX:
                break
            kept.setdefault(iri, book.entry(iri))

    def fields(self, iris: Sequence[str], props: Sequence[str]) -> dict[str, dict[str, list[Term]]]:
        """The values of ``props`` (and the label properties) for each of ``iris``, in one query.

        Oxigraph walks each bound IRI's own triples, then keeps the wanted properties (see the
        query's comment: OPTIONALs or a second VALUES block would scan every value of a property).
        """
        out: dict[str, dict[str, list[Term]]] = {i: {} for i in iris}
        nodes: list[Row] = [{"x": n} for n in (iri_or_none(i) for i in iris) if n is not None]
        if not nodes:
            return out
        wanted: list[Row] = [
            {"p": n} for n in (iri_or_none(p) for p in (*props, *LABEL_PROPERTIES)) if n is not None
        ]
        for row in self._run(FIELDS_OF, nodes + wanted).rows():
            out[value(row, "x")].setdefault(value(row, "p"), []).append(row["o"])
        return out

    @staticmethod
    def label_in(iri: str, found: dict[str, list[Term]]) -> str:
        """The best label among ``iri``'s values from :meth:`fields`, a well-known name for a
        reused term (a licence, a datatype), or the IRI itself."""
        book = LabelBook()
        for prop in LABEL_PROPERTIES:
            for literal in found.get(prop, []):
                book.offer(iri, prop, literal)
        return book.get(iri) if iri in book else WELL_KNOWN.get(iri, iri)

    def is_local(self, iri: str) -> bool:
        """True for IRIs this server answers for (under the base IRI)."""
        return iri.startswith(self.base_iri)

    def view(self, term: Term, labels: LabelBook | None = None) -> TermView:
        """A display form of ``term``, labelled from ``labels`` when it is an IRI."""
        if isinstance(term, ox.NamedNode):
            label = labels.get(term.value) if labels is not None else fallback_label(term.value)
            return TermView("iri", term.value, label, local=self.is_local(term.value))
        if isinstance(term, ox.Literal):
            return TermView(
                "literal",
                term.value,
                term.value,
                term.language or "",
                term.datatype.value if term.datatype else "",
            )
        return TermView("bnode", str(term.value), "")


#: Lists up to this long are read whole, sorted by label and paged in Python (and kept with the
#: shared read models); longer ones are paged by the store in its stable index order, each page
#: sorted by label, so that no list page reads the whole list.
SORT_ALL_MAX = 2000


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a long list: its items, how many there are in all, and where we are."""

    items: list[T]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        """How many pages the list has (at least one)."""
        return max(1, -(-self.total // self.size))


def page_bounds(total: int, page: int, size: int) -> tuple[int, int]:
    """The page number clamped to the list (1…pages) and the offset of its first item."""
    page = min(max(1, page), max(1, -(-total // size)))
    return page, (page - 1) * size


def iri_or_none(text: str) -> ox.NamedNode | None:
    """A NamedNode when ``text`` is a valid absolute IRI, else None (bad input is not found)."""
    if not text or len(text) > 4096:
        return None
    try:
        return ox.NamedNode(text)
    except ValueError:
        return None


def value(row: Mapping[str, Term], name: str, default: str = "") -> str:
    """The lexical value of a bound variable, or ``default``."""
    term = row.get(name)
    return term.value if term is not None else default


def unique(items: Iterable[str]) -> list[str]:
    """Items in first-seen order without repeats."""
    return list(dict.fromkeys(items))
