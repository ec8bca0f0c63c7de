"""Source read models: a citation, its BibTeX and CSL-JSON renderings, and what cites it.

Authors come from ``bibo:authorList`` in list order; a name written "Family G" becomes
family "Family", given "G". Nothing here is guessed: absent fields are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.describe.base import (
    DCT,
    FOAF,
    RDF,
    SKOS,
    SORT_ALL_MAX,
    Page,
    Reader,
    TermView,
    page_bounds,
    value,
)
from lhs_kg.describe.resource import ResourceFacts, edges, label_book
from lhs_kg.namespaces import LHS
from lhs_kg.store.base import Term

BIBO = "http://purl.org/ontology/bibo/"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
_PART_OF = DCT + "isPartOf"
#: The properties SOURCE_FIELDS reads (a source's own triples, kept in its page's one read).
_FIELD_PROPS = frozenset(
    (
        *(DCT + p for p in ("title", "issued", "publisher")),
        *(BIBO + p for p in ("volume", "issue", "pages", "doi", "isbn13", "pmid")),
        FOAF + "page",
        OWL_SAME_AS,
        RDF + "type",
    )
)
#: The links in that make a resource cite a source or be part of it (CITED_BY's).
_CITING = frozenset((DCT + "source", _PART_OF))

SOURCE_FIELDS = sparql.text("describe/source-fields")

CONTAINER = sparql.text("describe/source-container")

AUTHORS = sparql.text("describe/source-authors")

CITED_BY = sparql.text("describe/source-cited-by")

LIST = sparql.text("describe/source-list")

#: One page of the list: its keys in the store's index order (stable; an ORDER BY would decode
#: every IRI first); their fields come next from ``Reader.fields``.
LIST_KEYS = sparql.text("describe/source-page-keys")

COUNT = sparql.text("describe/source-count")

_CSL_TYPES = {
    "AcademicArticle": "article-journal",
    "Article": "article-journal",
    "Book": "book",
    "BookSection": "chapter",
    "Chapter": "chapter",
    "Report": "report",
    "Webpage": "webpage",
}
_BIBTEX_TYPES = {
    "article-journal": "article",
    "book": "book",
    "chapter": "incollection",
    "report": "techreport",
    "webpage": "misc",
}
_GROUP_NAMES = {
    str(LHS.CaseStudy): "Case studies",
    str(LHS.Source): "Sources (parts of this one)",
    SKOS + "Concept": "Concepts",
    SKOS + "ConceptScheme": "Concept schemes",
    str(LHS.Organisation): "Organisations",
    str(LHS.Outcome): "Outcomes",
    str(LHS.ComplexityAssessment): "Complexity assessments",
}


@dataclass
class Citation:
    """A source's bibliographic fields, as found."""

    iri: str
    key: str
    csl_type: str
    title: str = ""
    authors: list[str] = field(default_factory=list)
    year: str = ""
    container: str = ""
    publisher: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    isbn: str = ""
    pmid: str = ""
    url: str = ""

    @property
    def text(self) -> str:
        """A plain author–year citation line."""
        parts = []
        if self.authors:
            parts.append(", ".join(self.authors))
        parts.append(f"({self.year})" if self.year else "(n.d.)")
        head = " ".join(parts) + "."
        body = f" {self.title}." if self.title else ""
        where = self.container or self.publisher
        if where:
            body += f" {where}"
            if self.volume:
                body += f", {self.volume}" + (f"({self.issue})" if self.issue else "")
            if self.pages:
                body += f", {self.pages}"
            body += "."
        return head + body

    @property
    def doi_url(self) -> str:
        """https://doi.org/… for the DOI, or ''."""
        return f"https://doi.org/{self.doi}" if self.doi else ""


@dataclass
class CitedBy:
    """Resources that cite a source, grouped by what they are."""

    group: str
    items: list[TermView]


def citation(reader: Reader, iri: str, facts: ResourceFacts | None = None) -> Citation:
    """The bibliographic fields of the source ``iri``; from ``facts`` (the page's one read of
    it) where they hold them, else asked for."""
    node = ox.NamedNode(iri)
    fields: dict[str, list[str]] = {}
    if facts is not None:
        for s, p, o in edges(facts.own):
            if s == node and p in _FIELD_PROPS:
                fields.setdefault(p, []).append(o.value)
    else:
        for row in reader.select(SOURCE_FIELDS, r=node):
            fields.setdefault(value(row, "p"), []).append(value(row, "v"))

    def first(prop: str) -> str:
        return sorted(fields.get(prop, [""]))[0]

    types = [t.rsplit("/", 1)[-1] for t in fields.get(RDF + "type", [])]
    csl_type = next((_CSL_TYPES[t] for t in types if t in _CSL_TYPES), "document")
    container = _container(facts, node)
    if container is None:
        rows = reader.select(CONTAINER, r=node)
        container = next((value(r, "title") for r in rows if "title" in r), "")
    authors = _authors(facts, node)
    if authors is None:
        authors = [value(r, "name") for r in reader.select(AUTHORS, r=node)]
    doi = first(BIBO + "doi")
    if not doi:
        doi = next(
            (s.split("doi.org/", 1)[1] for s in fields.get(OWL_SAME_AS, []) if "doi.org/" in s), ""
        )
    return Citation(
        iri=iri,
        key=re.sub(r"[^A-Za-z0-9_:-]", "-", iri.rstrip("/").rsplit("/", 1)[-1]) or "source",
        csl_type=csl_type,
        title=first(DCT + "title"),
        authors=authors,
        year=first(DCT + "issued")[:4],
        container=container,
        publisher=first(DCT + "publisher"),
        volume=first(BIBO + "volume"),
        issue=first(BIBO + "issue"),
        pages=first(BIBO + "pages"),
        doi=doi,
        isbn=first(BIBO + "isbn13"),
        pmid=first(BIBO + "pmid"),
        url=first(FOAF + "page"),
    )


def _container(facts: ResourceFacts | None, node: ox.NamedNode) -> str | None:
    """The title of what the source is part of, from the page's read (its CBD holds a blank
    container, its labels an IRI's titles); None: not known from it."""
    if facts is None:
        return None
    parts = [o for s, p, o in edges(facts.own) if s == node and p == _PART_OF]
    titles = sorted(
        o.value
        for s, p, o in edges([*facts.own, *facts.labels])
        if s in parts and p == DCT + "title"
    )
    return titles[0] if titles else ""


def _authors(facts: ResourceFacts | None, node: ox.NamedNode) -> list[str] | None:
    """The names in the source's one ``bibo:authorList``, in list order, from its CBD; None
    when the CBD cannot say (no read, several lists, a list or author that is not a blank
    node: the query follows those)."""
    if facts is None:
        return None
    by_subject: dict[object, dict[str, list[Term]]] = {}
    for s, p, o in edges(facts.own):
        by_subject.setdefault(s, {}).setdefault(p, []).append(o)
    lists = by_subject.get(node, {}).get(BIBO + "authorList", [])
    if not lists:
        return []
    if len(lists) > 1:
        return None
    names: list[str] = []
    cell: object = lists[0]
    seen: set[object] = set()
    while not (isinstance(cell, ox.NamedNode) and cell.value == RDF + "nil"):
        links = by_subject.get(cell)
        if not isinstance(cell, ox.BlankNode) or cell in seen or links is None:
            return None
        seen.add(cell)
        firsts, rests = links.get(RDF + "first", []), links.get(RDF + "rest", [])
        if len(firsts) != 1 or len(rests) != 1:
            return None
        member = firsts[0]
        if not isinstance(member, ox.BlankNode):
            return None
        names += sorted(n.value for n in by_subject.get(member, {}).get(FOAF + "name", []))
        cell = rests[0]
    return names


def cited_by(reader: Reader, iri: str, facts: ResourceFacts | None = None) -> list[CitedBy]:
    """Everything that names ``iri`` as its source (or is part of it), grouped by kind; from
    ``facts`` (the page's one read) when it holds every link in, else asked for."""
    items: dict[str, tuple[str, TermView]] = {}
    if facts is not None and facts.incoming_complete:
        names = label_book(facts.incoming_labels, english=True)
        for prop, s in facts.incoming:
            if prop not in _CITING or s in items:
                continue
            types = facts.incoming_types.get(s, set())
            group = next((g for t, g in _GROUP_NAMES.items() if t in types), "Other resources")
            label = names.get(s) if s in names else s
            items[s] = (group, TermView("iri", s, label, local=reader.is_local(s)))
    else:
        for row in reader.select(CITED_BY, r=ox.NamedNode(iri)):
            s = value(row, "s")
            group = _GROUP_NAMES.get(value(row, "type"), "Other resources")
            view = TermView("iri", s, value(row, "label") or s, local=reader.is_local(s))
            if s not in items or items[s][0] == "Other resources":
                items[s] = (group, view)
    groups: dict[str, list[TermView]] = {}
    for group, view in items.values():
        groups.setdefault(group, []).append(view)
    return [CitedBy(g, sorted(v, key=lambda t: t.label.lower())) for g, v in sorted(groups.items())]


def count(reader: Reader) -> int:
    """How many sources there are (kept with the reader's shared read models)."""

    def compute() -> int:
        rows = reader.select(COUNT)
        return int(value(rows[0], "n", "0")) if rows else 0

    return reader.memo("source-count", compute)


def sources(reader: Reader) -> list[tuple[str, str, str, str]]:
    """Every source as (iri, label, title, year), by label."""
    return _list_rows(reader.select(LIST))


def source_page(reader: Reader, page: int, size: int = 50) -> Page[tuple[str, str, str, str]]:
    """One page of the source list, sorted by label (see ``SORT_ALL_MAX`` for long lists)."""
    total = count(reader)
    page, offset = page_bounds(total, page, size)
    if total <= SORT_ALL_MAX:
        every = reader.memo("source-list", lambda: sources(reader))
        return Page(every[offset : offset + size], total, page, size)
    keys = [value(row, "s") for row in reader.select(LIST_KEYS, limit=size, offset=offset)]
    found = reader.fields(keys, (DCT + "title", DCT + "issued"))
    rows = []
    for iri, f in found.items():
        title = sorted(o.value for o in f.get(DCT + "title", []))
        issued = sorted(o.value for o in f.get(DCT + "issued", []))
        label = reader.label_in(iri, f)
        rows.append((iri, label, title[0] if title else "", issued[0][:4] if issued else ""))
    return Page(sorted(rows, key=lambda s: s[1].lower()), total, page, size)


def _list_rows(rows: list[dict[str, Term]]) -> list[tuple[str, str, str, str]]:
    found: dict[str, tuple[str, str, str, str]] = {}
    for r in rows:
        found.setdefault(
            value(r, "s"),
            (
                value(r, "s"),
                value(r, "label") or value(r, "s"),
                value(r, "title"),
                value(r, "issued")[:4],
            ),
        )
    return sorted(found.values(), key=lambda s: s[1].lower())


def _split_name(name: str) -> dict[str, str]:
    """CSL name parts of 'Foley T' (family, then initials); anything else stays literal."""
    parts = name.split()
    if len(parts) >= 2 and re.fullmatch(r"[A-Z][A-Z.\-]*", parts[-1]):
        return {"family": " ".join(parts[:-1]), "given": parts[-1]}
    return {"literal": name}


def csl_json(cite: Citation) -> list[dict[str, Any]]:
    """The source as CSL-JSON (a one-item array), for reference managers."""
    item: dict[str, Any] = {"id": cite.key, "type": cite.csl_type}
    if cite.title:
        item["title"] = cite.title
    if cite.authors:
        item["author"] = [_split_name(a) for a in cite.authors]
    if cite.year.isdigit():
        item["issued"] = {"date-parts": [[int(cite.year)]]}
    for key, text in (
        ("container-title", cite.container),
        ("publisher", cite.publisher),
        ("volume", cite.volume),
        ("issue", cite.issue),
        ("page", cite.pages),
        ("DOI", cite.doi),
        ("ISBN", cite.isbn),
        ("PMID", cite.pmid),
        ("URL", cite.url),
    ):
        if text:
            item[key] = text
    return [item]


_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _bibtex_escape(text: str) -> str:
    return "".join(_BIBTEX_ESCAPES.get(c, c) for c in text.replace("\n", " "))


def bibtex(cite: Citation) -> str:
    """The source as one BibTeX entry, every value escaped."""
    kind = _BIBTEX_TYPES.get(cite.csl_type, "misc")
    e = _bibtex_escape
    authors = " and ".join(
        f"{e(p['family'])}, {e(p['given'])}" if "family" in p else "{" + e(p["literal"]) + "}"
        for p in (_split_name(a) for a in cite.authors)
    )
    fields = [
        ("title", cite.title),
        ("author", authors),
        ("year", cite.year),
        (
            "journal"
            if kind == "article"
            else "booktitle"
            if kind == "incollection"
            else "howpublished"
            if kind == "misc"
            else "series",
            cite.container,
        ),
        ("publisher" if kind != "techreport" else "institution", cite.publisher),
        ("volume", cite.volume),
        ("number", cite.issue),
        ("pages", cite.pages),
        ("doi", cite.doi),
        ("isbn", cite.isbn),
        ("pmid", cite.pmid),
        ("url", cite.url),
    ]
    lines = [f"@{kind}{{{cite.key},"]
    for name, text in fields:
        if text:
            escaped = text if name == "author" else _bibtex_escape(text)
            lines.append(f"  {name} = {{{escaped}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"
