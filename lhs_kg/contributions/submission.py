"""Submitting: parse, validate and store a conforming document as a pending version (one update)."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from lhs_kg import sparql
from lhs_kg.contributions.classes import add_types, typing_rules
from lhs_kg.contributions.content import (
    _case_studies,
    _content_quads,
    _fill_envelope,
    _Person,
    _person,
    _rename,
    _skolemise,
)
from lhs_kg.contributions.model import (
    CC_BY_4,
    CHANNELS,
    DCT,
    FOAF,
    OWL,
    PENDING,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SPDX,
    ContributionError,
    Contributor,
    SubmitOutcome,
    Version,
)
from lhs_kg.contributions.registry import _WRITE_LOCK, RegistryReader, now_literal, sha256_hex
from lhs_kg.documents import Document, load_document
from lhs_kg.errors import InputError
from lhs_kg.graphs import contribution_graph, state_iri
from lhs_kg.namespaces import LHS
from lhs_kg.validate import Issue, get_validator, validate
from lhs_kg.validate.identifiers import identifier_issues

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_RESERVED = ("concept/", "ontology", "graph/", "shapes/")
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"


class Submissions(RegistryReader):
    """Submitting a document as a new pending version of its case study."""

    def submit(
        self,
        payload: bytes,
        fmt: str | None = None,
        *,
        contributor: Contributor | None = None,
        licence: str | None = CC_BY_4,
        channel: str = "api",
        name: str | None = None,
        media_type: str = "",
    ) -> SubmitOutcome:
        """Validate a document and, when it conforms, store it as a pending version.

        ``contributor`` and ``licence`` fill the envelope when the document does not carry one.
        Unreadable input raises :class:`~lhs_kg.errors.InputError`; a document that does not
        conform comes back with its report and nothing is written.
        """
        if channel not in CHANNELS:
            raise InputError(f"unknown submission channel {channel!r}")
        document = load_document(
            payload,
            fmt=fmt,
            name=name or "(submission)",
            max_bytes=self.settings.max_upload_bytes,
            base_iri=self.base,
            max_triples=self.settings.max_submission_triples,
            settings=self.settings,
        )
        subjects = _case_studies(document.graph)
        for subject in subjects:
            _fill_envelope(document.graph, subject, contributor, licence)
        report = validate(document, kb=self.kb, settings=self.settings)
        report.issues.extend(self._structure_issues(document, subjects))
        report.issues.extend(identifier_issues(document, self.base, report.issues))  # (#12)
        report.sort()
        if not report.conforms:
            return SubmitOutcome(report)
        subject = subjects[0]
        iri = self._subject_iri(subject, document.graph)
        person = _person(document.graph, subject, self.base)
        graph = _skolemise(document, subject, iri, self.base)
        _rename(graph, person.node, URIRef(person.iri))
        add_types(graph, typing_rules(get_validator(self.settings).content_graph))
        title = next((str(o) for o in graph.objects(URIRef(iri), URIRef(DCT + "title"))), iri)
        token = secrets.token_urlsafe(32)
        record = _Record(
            subject=iri,
            title=title,
            person=person,
            channel=channel,
            media_type=media_type or document.format,
            sha256=sha256_hex(payload),
            token_hash=sha256_hex(token),
            report=report.as_dict(),
        )
        version = self._store_version(graph, record)
        return SubmitOutcome(report, stored=True, version=version, token=token)

    def _structure_issues(self, document: Document, subjects: list[Node]) -> list[Issue]:
        issues: list[Issue] = []
        where = "type" if document.keyed else "rdf:type"
        if len(subjects) != 1:
            issues.append(
                Issue(
                    "violation",
                    "",
                    where,
                    "A contribution describes exactly one case study; this document describes "
                    f"{len(subjects)}.",
                    hint='Send one case study per submission, with "type": "CaseStudy".',
                    constraint="contribution",
                )
            )
            return issues
        for node in document.graph.subjects():
            if isinstance(node, URIRef) and str(node).startswith(self.base):
                rest = str(node)[len(self.base) :]
                if rest.startswith(_RESERVED):
                    issues.append(
                        Issue(
                            "violation",
                            "",
                            where,
                            "A contribution cannot change the ontology, the concept schemes or "
                            f"the graphs; it says something about {node}.",
                            value=str(node),
                            constraint="contribution",
                        )
                    )
        return issues

    def _subject_iri(self, subject: Node, graph: Graph) -> str:
        if isinstance(subject, URIRef):
            return str(subject)
        title = next((str(o) for o in graph.objects(subject, URIRef(DCT + "title"))), "")
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "case-study"
        return f"{self.base}case-study/{slug}"

    def _thread(self, subject: str) -> tuple[str, int, str | None]:
        """The contribution id for a case study, its next version number and the last version."""
        rows = self._registry_rows(
            sparql.text("contributions/latest-version"),
            {"subject": ox.NamedNode(subject)},
        )
        if rows:
            number = int(rows[0]["n"].value)
            return rows[0]["c"].value.rsplit("/", 1)[-1], number + 1, rows[0]["v"].value
        prefix = f"{self.base}case-study/"
        slug = subject[len(prefix) :] if subject.startswith(prefix) else ""
        if not _SLUG.match(slug):
            slug = "cs-" + sha256_hex(subject)[:16]
        return slug, 1, self.curated_graph(subject)

    def _store_version(self, content: Graph, record: _Record) -> Version:
        with _WRITE_LOCK:
            for _attempt in range(20):
                contribution_id, number, previous = self._thread(record.subject)
                graph = contribution_graph(self.settings, contribution_id, number)
                quads = _content_quads(content, graph)
                when = now_literal()
                quads += self._registry_quads(
                    graph, contribution_id, number, previous, record, when
                )
                self.kb.store.update(_guarded_insert(quads, graph, self.registry))
                if self._asked(graph, record.token_hash):
                    return Version(  # what was just written, without reading it back
                        graph=graph,
                        contribution_id=contribution_id,
                        number=number,
                        subject=record.subject,
                        title=record.title,
                        state=PENDING,
                        submitted=when.value,
                        contributor_name=record.person.name,
                        contributor_email=record.person.email,
                        contributor_orcid=record.person.orcid,
                        channel=record.channel,
                        licence=record.person.licence,
                        media_type=record.media_type,
                        sha256=record.sha256,
                        revision_of=previous or "",
                        report=record.report,
                    )
        raise ContributionError("could not allocate a version number; try again")

    def _asked(self, graph: str, token_hash: str) -> bool:
        result = self.kb.store.query(
            sparql.text("contributions/token-recorded"),
            bindings={"v": ox.NamedNode(graph), "hash": ox.Literal(token_hash)},
            union=False,
            default_graphs=[self.registry],
        )
        return result.boolean

    def _registry_quads(
        self,
        graph: str,
        contribution_id: str,
        number: int,
        previous: str | None,
        rec: _Record,
        when: ox.Literal,
    ) -> list[ox.Quad]:
        reg = ox.NamedNode(self.registry)
        v = ox.NamedNode(graph)
        thread = ox.NamedNode(f"{self.base}contribution/{contribution_id}")
        activity = ox.NamedNode(f"{graph}#submission")
        checksum = ox.NamedNode(f"{graph}#checksum")
        person = ox.NamedNode(rec.person.iri)

        def n(term: str) -> ox.NamedNode:
            return ox.NamedNode(term)

        def lit(text: str) -> ox.Literal:
            return ox.Literal(text)

        triples: list[tuple[Any, Any, Any]] = [
            (v, n(RDF + "type"), n(LHS.Contribution)),
            (v, n(LHS.reviewState), n(state_iri(self.settings, PENDING))),
            (v, n(PROV + "specializationOf"), thread),
            (v, n(SCHEMA + "version"), ox.Literal(str(number), datatype=n(XSD_INTEGER))),
            (v, n(FOAF + "primaryTopic"), n(rec.subject)),
            (v, n(DCT + "title"), lit(rec.title)),
            (v, n(RDFS + "label"), lit(f"{rec.title} (version {number})")),
            (v, n(PROV + "wasAttributedTo"), person),
            (v, n(PROV + "generatedAtTime"), when),
            (v, n(PROV + "wasGeneratedBy"), activity),
            (v, n(DCT + "license"), n(rec.person.licence)),
            (v, n(DCT + "format"), lit(rec.media_type)),
            (v, n(SPDX + "checksum"), checksum),
            (v, n(LHS.statusTokenHash), lit(rec.token_hash)),
            (
                v,
                n(LHS.validationReport),
                ox.Literal(json.dumps(rec.report), datatype=n(RDF_JSON)),
            ),
            (checksum, n(RDF + "type"), n(SPDX + "Checksum")),
            (checksum, n(SPDX + "algorithm"), n(SPDX + "checksumAlgorithm_sha256")),
            (checksum, n(SPDX + "checksumValue"), lit(rec.sha256)),
            (activity, n(RDF + "type"), n(PROV + "Activity")),
            (activity, n(PROV + "wasAssociatedWith"), person),
            (activity, n(PROV + "endedAtTime"), when),
            (activity, n(LHS.submissionChannel), lit(rec.channel)),
            (thread, n(RDF + "type"), n(PROV + "Entity")),
            (thread, n(FOAF + "primaryTopic"), n(rec.subject)),
            (person, n(RDF + "type"), n(FOAF + "Person")),
            (person, n(RDF + "type"), n(PROV + "Agent")),
            (person, n(FOAF + "name"), lit(rec.person.name)),
            (person, n(FOAF + "mbox"), n(f"mailto:{rec.person.email}")),
        ]
        if rec.person.orcid:
            triples.append((person, n(OWL + "sameAs"), n(rec.person.orcid)))
        if previous:
            triples.append((v, n(PROV + "wasRevisionOf"), n(previous)))
        return [ox.Quad(s, p, o, reg) for s, p, o in triples]


class _Record:
    def __init__(self, **fields: Any) -> None:
        self.subject: str = fields["subject"]
        self.title: str = fields["title"]
        self.person: _Person = fields["person"]
        self.channel: str = fields["channel"]
        self.media_type: str = fields["media_type"]
        self.sha256: str = fields["sha256"]
        self.token_hash: str = fields["token_hash"]
        self.report: dict[str, Any] = fields["report"]


def _guarded_insert(quads: Sequence[ox.Quad], graph: str, registry: str) -> str:
    """One INSERT that applies only if the version graph is not registered yet (no overwrite)."""
    # The one update text written here rather than in a .rq file: a submission's statements are
    # data, blank nodes included (a VALUES block cannot carry those), so they go in the INSERT
    # template as pyoxigraph serialises them; every term, graph names too, is a pyoxigraph term.
    by_graph: dict[ox.NamedNode, list[str]] = {}
    for quad in quads:
        assert isinstance(quad.graph_name, ox.NamedNode)
        by_graph.setdefault(quad.graph_name, []).append(
            f"{quad.subject} {quad.predicate} {quad.object} ."
        )
    blocks = " ".join(f"GRAPH {name} {{ {' '.join(lines)} }}" for name, lines in by_graph.items())
    state = ox.NamedNode(str(LHS.reviewState))
    return (
        f"INSERT {{ {blocks} }} WHERE {{ FILTER NOT EXISTS {{ GRAPH {ox.NamedNode(registry)} "
        f"{{ {ox.NamedNode(graph)} {state} ?any }} }} }}"
    )
