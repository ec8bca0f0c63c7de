"""Checked entries → one source-list contribution, leaving out what the knowledge base already has.

A source is a duplicate when its DOI, its PubMed id or its normalised title matches a source in
any graph (curated, published or still pending review) or an earlier entry of the same file, so
importing the same file twice adds nothing (#14). The new sources travel as one ``lhs:SourceList``
contribution, validated and reviewed like a case study.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from lhs_kg import sparql
from lhs_kg.kb import KnowledgeBase
from lhs_kg.literature.entries import Entry
from lhs_kg.namespaces import BIBO, LHS

UNCONFIRMED = URIRef("https://w3id.org/lhs-kg/concept/verification/unconfirmed")
KNOWN = sparql.text("literature/known-sources")
USED = sparql.text("literature/subjects-under")


@dataclass
class Intake:
    """What an import would add: the new sources' graph, and the entries left out as duplicates."""

    graph: Graph
    subject: URIRef | None
    added: list[tuple[str, str]] = field(default_factory=list)
    """(entry key, the new source's IRI)."""
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    """(entry key, the IRI of the source it duplicates, or 'entry <key>' earlier in the file)."""


def _title_key(title: str) -> str:
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", plain.lower())


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def plan(kb: KnowledgeBase, entries: list[Entry], name: str, data: bytes) -> Intake:
    """The source-list contribution for ``entries``, duplicates of known sources left out."""
    base = kb.settings.base_iri
    known: dict[str, str] = {}
    for row in kb.query(KNOWN, scope="all").rows():
        iri = row["s"].value
        for var, prefix in (("doi", "doi:"), ("pmid", "pmid:")):
            if var in row:
                known[prefix + row[var].value.lower()] = iri
        if "title" in row:
            known["title:" + _title_key(row["title"].value)] = iri
    prefix = f"{base}source/"
    found = kb.query(USED, scope="all", bindings={"prefix": ox.Literal(prefix)})
    taken = {r["s"].value for r in found.rows()}
    digest = hashlib.sha256(data).hexdigest()[:8]
    subject = URIRef(f"{base}source-list/{_slug(Path(name).stem)[:40] or 'references'}-{digest}")
    graph = Graph()
    intake = Intake(graph, None)
    for entry in entries:
        keys = [f"doi:{entry.doi.lower()}" if entry.doi else "", f"title:{_title_key(entry.title)}"]
        keys.append(f"pmid:{entry.pmid}" if entry.pmid else "")
        match = next((known[k] for k in keys if k and k in known), None)
        if match is not None:
            intake.duplicates.append((entry.key, match))
            continue
        iri = _new_iri(prefix, entry, taken)
        taken.add(iri)
        for k in keys:
            if k:
                known[k] = f"entry {entry.key}"
        _describe(graph, URIRef(iri), entry, name)
        intake.added.append((entry.key, iri))
    if intake.added:
        intake.subject = subject
        graph.add((subject, RDF.type, LHS.SourceList))
        title = f"Sources imported from {Path(name).name}"
        graph.add((subject, DCTERMS.title, Literal(title, lang="en")))
        graph.add((subject, RDFS.label, Literal(title)))
        graph.add(
            (
                subject,
                DCTERMS.description,
                Literal(
                    f"{len(intake.added)} new sources read from a reference file with "
                    "lhs-kg import-sources; each still needs checking against its publisher.",
                    lang="en",
                ),
            )
        )
        for _key, iri in intake.added:
            graph.add((subject, DCTERMS.hasPart, URIRef(iri)))
    return intake


def _new_iri(prefix: str, entry: Entry, taken: set[str]) -> str:
    """``<base>source/<family>-<year>``, with a letter added while the IRI is taken."""
    family = entry.authors[0].split()[0] if entry.authors else ""
    stem = _slug(f"{family} {entry.year}".strip()) or _slug(entry.title)[:40] or "source"
    candidate, letter = stem[:70], ord("b")
    while prefix + candidate in taken:
        candidate = f"{stem[:68]}-{chr(letter)}"
        letter += 1
    return prefix + candidate


def _describe(graph: Graph, node: URIRef, entry: Entry, name: str) -> None:
    """The source as data/sources.ttl describes one, flagged unconfirmed until checked."""
    graph.add((node, RDF.type, LHS.Source))
    graph.add((node, RDF.type, BIBO[entry.kind]))
    graph.add((node, DCTERMS.title, Literal(entry.title)))
    first = entry.authors[0].split()[0] if entry.authors else entry.title[:40]
    more = " et al." if len(entry.authors) > 2 else ""
    label = f"{first}{more} {entry.year}".strip()
    graph.add((node, RDFS.label, Literal(label)))
    if entry.authors:
        head = BNode()
        people: list[Node] = []
        for person in entry.authors:
            who = BNode()
            graph.add((who, RDF.type, FOAF.Person))
            graph.add((who, FOAF.name, Literal(person)))
            people.append(who)
        Collection(graph, head, people)
        graph.add((node, BIBO.authorList, head))
    if entry.year:
        graph.add((node, DCTERMS.issued, Literal(entry.year, datatype=XSD.gYear)))
    if entry.journal and entry.kind == "AcademicArticle":
        journal = BNode()
        graph.add((journal, RDF.type, BIBO.Journal))
        graph.add((journal, DCTERMS.title, Literal(entry.journal)))
        graph.add((node, DCTERMS.isPartOf, journal))
    for prop, text in (
        (BIBO.volume, entry.volume),
        (BIBO.issue, entry.issue),
        (BIBO.pages, entry.pages),
        (DCTERMS.publisher, entry.publisher),
        (BIBO.pmid, entry.pmid),
    ):
        if text:
            graph.add((node, prop, Literal(text)))
    if entry.doi:
        graph.add((node, BIBO.doi, Literal(entry.doi)))
        graph.add((node, OWL.sameAs, URIRef(f"https://doi.org/{entry.doi}")))
    isbn = re.sub(r"[^0-9X]", "", entry.isbn.upper())
    if len(isbn) == 13:
        graph.add((node, BIBO.isbn13, Literal(isbn)))
    if entry.url.startswith(("http://", "https://")):
        graph.add((node, FOAF.page, URIRef(entry.url)))
    graph.add((node, LHS.verification, UNCONFIRMED))
    graph.add(
        (
            node,
            SKOS.editorialNote,
            Literal(
                f"Imported from {Path(name).name} (entry {entry.key}); not yet checked "
                "against the publisher's record.",
                lang="en",
            ),
        )
    )


__all__ = ["Intake", "plan"]
