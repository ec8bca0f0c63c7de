"""Submitting and reviewing contributions: every write is one SPARQL update, so one transaction.

``Contributions(kb).submit(...)`` parses and validates a document, and when it conforms stores the
content in a new version graph together with the registry's PROV-O record in a single update (a
crash leaves either nothing or everything). ``decide(ref, action, reviewer)`` changes a version's
state in a single update too; accepting also marks the previously published version of the same
case study as superseded, so readers see the old version or the new one, never both.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from lhs_kg.contributions.classes import add_types, typing_rules
from lhs_kg.contributions.model import (
    ACTIONS,
    CC_BY_4,
    CHANNELS,
    DCT,
    FOAF,
    OWL,
    PENDING,
    PROV,
    PUBLISHED,
    RDF,
    RDFS,
    SCHEMA,
    SPDX,
    STATES,
    SUPERSEDED,
    WITHDRAWN,
    ContributionError,
    Contributor,
    Decision,
    NotFoundError,
    SubmitOutcome,
    Version,
)
from lhs_kg.documents import Document, load_document
from lhs_kg.errors import InputError
from lhs_kg.graphs import contribution_graph, graph_prefix, registry_graph, state_iri
from lhs_kg.kb import KnowledgeBase
from lhs_kg.namespaces import LHS
from lhs_kg.validate import Issue, get_validator, validate
from lhs_kg.validate.identifiers import identifier_issues

_WRITE_LOCK = threading.Lock()
_VALIDATOR_LOCK = threading.Lock()


def _warm_validator(kb: KnowledgeBase) -> None:
    """Build the process-wide validator once, under a lock (adapter for lhs_kg.validate).

    ``get_validator`` is cached but not guarded: threads arriving together each build one, and
    rdflib's SPARQL parser (pyparsing) then runs in several threads at once and fails.
    """
    with _VALIDATOR_LOCK:
        get_validator(kb.settings)


_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_REF = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]{0,99})/v([0-9]{1,6})$")
_RESERVED = ("concept/", "ontology", "graph/", "shapes/")
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"

_VERSION_QUERY = f"""
PREFIX lhs: <{LHS}>
PREFIX prov: <{PROV}>
PREFIX dcterms: <{DCT}>
PREFIX foaf: <{FOAF}>
PREFIX owl: <{OWL}>
PREFIX schema: <{SCHEMA}>
PREFIX spdx: <{SPDX}>
SELECT ?v ?c ?n ?subject ?title ?state ?time ?name ?email ?orcid ?channel ?licence ?format ?sha
       ?rev ?report
WHERE {{
  ?v a lhs:Contribution ; lhs:reviewState ?state ; prov:specializationOf ?c ;
     schema:version ?n ; foaf:primaryTopic ?subject ; prov:generatedAtTime ?time .
  OPTIONAL {{ ?v dcterms:title ?title }}
  OPTIONAL {{ ?v prov:wasAttributedTo ?p .
             OPTIONAL {{ ?p foaf:name ?name }} OPTIONAL {{ ?p foaf:mbox ?email }}
             OPTIONAL {{ ?p owl:sameAs ?orcid }} }}
  OPTIONAL {{ ?v prov:wasGeneratedBy ?act . ?act lhs:submissionChannel ?channel }}
  OPTIONAL {{ ?v dcterms:license ?licence }}
  OPTIONAL {{ ?v dcterms:format ?format }}
  OPTIONAL {{ ?v spdx:checksum ?ck . ?ck spdx:checksumValue ?sha }}
  OPTIONAL {{ ?v prov:wasRevisionOf ?rev }}
  OPTIONAL {{ ?v lhs:validationReport ?report }}
}}
ORDER BY ?time ?v
"""
_SUBJECTS_QUERY = f"""
SELECT DISTINCT ?subject WHERE {{ ?v a <{LHS.Contribution}> ; <{FOAF}primaryTopic> ?subject }}
"""
_DECISIONS_QUERY = f"""
PREFIX lhs: <{LHS}>
PREFIX prov: <{PROV}>
PREFIX rdfs: <{RDFS}>
PREFIX foaf: <{FOAF}>
SELECT ?v ?d ?action ?state ?time ?by ?comment WHERE {{
  %(topic)s
  ?d prov:used ?v ; lhs:decidedState ?state ; rdfs:label ?action ; prov:endedAtTime ?time .
  OPTIONAL {{ ?d prov:wasAssociatedWith ?agent . ?agent foaf:name ?by }}
  OPTIONAL {{ ?d rdfs:comment ?comment }}
}}
ORDER BY ?time ?d
"""
#: Decisions on every version, on one version (?v bound), or on one case study's (?subject bound).
_DECISIONS_ALL = _DECISIONS_QUERY % {"topic": ""}
_DECISIONS_OF_SUBJECT = _DECISIONS_QUERY % {"topic": f"?v <{FOAF}primaryTopic> ?subject ."}
_TOKEN_QUERY = f"SELECT ?v WHERE {{ ?v <{LHS.statusTokenHash}> ?hash }}"
_CURATED_QUERY = f"""
SELECT ?g WHERE {{ GRAPH ?g {{ ?subject a <{LHS.CaseStudy}> }}
  FILTER(STRSTARTS(STR(?g), ?prefix)) }} ORDER BY ?g LIMIT 1
"""


def now_literal() -> ox.Literal:
    """The current time as an xsd:dateTime literal (UTC, milliseconds)."""
    stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return ox.Literal(stamp, datatype=ox.NamedNode(XSD_DATETIME))


def sha256_hex(data: bytes | str) -> str:
    """The SHA-256 of some bytes (text is encoded as UTF-8), in hex."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def parse_ref(ref: str) -> tuple[str, int]:
    """``<id>/v<n>`` (or a version graph IRI) split into the id and the version number."""
    text = ref.strip().rsplit("graph/contribution/", 1)[-1]
    match = _REF.match(text)
    if not match:
        raise InputError(f"{ref[:120]!r} is not a contribution version such as 'my-case/v1'")
    return match.group(1), int(match.group(2))


class Contributions:
    """The contribution workflow over one knowledge base (no web, no printing)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.settings = kb.settings
        self.registry = registry_graph(self.settings)
        self.base = self.settings.base_iri

    # -- reading the registry --------------------------------------------------------------

    def _registry_rows(self, text: str, bindings: dict[str, Any] | None = None) -> list[Any]:
        return self.kb.store.query(
            text, bindings=bindings or None, union=False, default_graphs=[self.registry]
        ).rows()

    def versions(
        self, *, states: Iterable[str] | None = None, subject: str | None = None
    ) -> list[Version]:
        """Versions in submission order, optionally only some states or one case study."""
        bindings: dict[str, Any] = {}
        if subject is not None:
            bindings["subject"] = ox.NamedNode(subject)
        rows = self._registry_rows(_VERSION_QUERY, bindings)
        wanted = {state_iri(self.settings, s) for s in states} if states is not None else None
        found = [
            self._version(row) for row in rows if wanted is None or row["state"].value in wanted
        ]
        self._attach_decisions(found, subject)
        return found

    def subjects(self) -> frozenset[str]:
        """The case studies that have at least one contribution version, in any state.

        One small read of the registry; a page about any other case study can skip asking for
        its versions.
        """
        rows = self._registry_rows(_SUBJECTS_QUERY)
        return frozenset(row["subject"].value for row in rows)

    def _version(self, row: dict[str, Any]) -> Version:
        def text(name: str) -> str:
            term = row.get(name)
            return term.value if term is not None else ""

        report: dict[str, Any] = {}
        if text("report"):
            try:
                report = json.loads(text("report"))
            except ValueError:
                report = {}
        return Version(
            graph=text("v"),
            contribution_id=text("c").rsplit("/", 1)[-1],
            number=int(text("n") or 0),
            subject=text("subject"),
            title=text("title"),
            state=text("state").rsplit("/", 1)[-1],
            submitted=text("time"),
            contributor_name=text("name"),
            contributor_email=text("email").removeprefix("mailto:"),
            contributor_orcid=text("orcid"),
            channel=text("channel"),
            licence=text("licence"),
            media_type=text("format"),
            sha256=text("sha"),
            revision_of=text("rev"),
            report=report,
        )

    def _attach_decisions(self, versions: Sequence[Version], subject: str | None = None) -> None:
        """Decisions of ``versions``, read for one version or one case study when possible."""
        if not versions:
            return
        by_graph = {v.graph: v for v in versions}
        text, bindings = _DECISIONS_ALL, None
        if len(versions) == 1:
            text, bindings = _DECISIONS_ALL, {"v": ox.NamedNode(versions[0].graph)}
        elif subject is not None:
            text, bindings = _DECISIONS_OF_SUBJECT, {"subject": ox.NamedNode(subject)}
        for row in self._registry_rows(text, bindings):
            version = by_graph.get(row["v"].value)
            if version is None:
                continue
            version.decisions.append(
                Decision(
                    action=row["action"].value,
                    state=row["state"].value.rsplit("/", 1)[-1],
                    by=row["by"].value if "by" in row else "",
                    at=row["time"].value,
                    comment=row["comment"].value if "comment" in row else "",
                )
            )

    def get(self, ref: str) -> Version:
        """One version by ``<id>/v<n>`` or its graph IRI; :class:`NotFoundError` if unknown."""
        contribution_id, number = parse_ref(ref)
        graph = contribution_graph(self.settings, contribution_id, number)
        rows = self._registry_rows(_VERSION_QUERY, {"v": ox.NamedNode(graph)})
        if not rows:
            raise NotFoundError(f"no contribution version {contribution_id}/v{number}")
        version = self._version(rows[0])
        self._attach_decisions([version])
        return version

    def by_token(self, token: str) -> Version:
        """The version a status token belongs to (only the token's hash is stored)."""
        if not token or len(token) > 200:
            raise NotFoundError("no contribution has this status address")
        hashed = ox.Literal(sha256_hex(token))
        rows = self._registry_rows(_TOKEN_QUERY, {"hash": hashed})
        if not rows:
            raise NotFoundError("no contribution has this status address")
        return self.get(rows[0]["v"].value)

    def content(self, graph: str) -> list[ox.Triple]:
        """The triples of one version graph (or of a curated content graph)."""
        return self.kb.store.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", union=False, default_graphs=[graph]
        ).triples()

    def curated_graph(self, subject: str) -> str | None:
        """The content graph (a file of data/) that describes a case study, if any."""
        rows = self.kb.store.query(
            _CURATED_QUERY,
            bindings={
                "subject": ox.NamedNode(subject),
                "prefix": ox.Literal(graph_prefix(self.settings) + "data/"),
            },
            union=False,
        ).rows()
        return rows[0]["g"].value if rows else None

    # -- submitting ------------------------------------------------------------------------

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
        )
        subjects = _case_studies(document.graph)
        for subject in subjects:
            _fill_envelope(document.graph, subject, contributor, licence)
        _warm_validator(self.kb)
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
            f"SELECT ?v ?c ?n WHERE {{ ?v <{FOAF}primaryTopic> ?subject ; "
            f"<{PROV}specializationOf> ?c ; <{SCHEMA}version> ?n }} ORDER BY DESC(?n) LIMIT 1",
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
            f"ASK {{ <{graph}> <{LHS.statusTokenHash}> ?hash }}",
            bindings={"hash": ox.Literal(token_hash)},
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

    # -- reviewing -------------------------------------------------------------------------

    def decide(self, ref: str, action: str, reviewer: str, comment: str = "") -> Version:
        """Apply a review action (accept, request-changes, reject, withdraw) in one update."""
        if action not in ACTIONS:
            raise InputError(f"unknown review action {action!r} (known: {', '.join(ACTIONS)})")
        target, allowed = ACTIONS[action]
        comment = comment.strip()[:5000]
        if action in ("request-changes", "reject") and not comment:
            raise InputError(f"{action}: say why, in a comment the contributor will read")
        with _WRITE_LOCK:
            version = self.get(ref)
            if version.state not in allowed:
                raise ContributionError(
                    f"{version.ref} is {version.state}; {action} applies to "
                    f"{' or '.join(allowed)} versions"
                )
            self.kb.store.update(self._decision_update(version, action, target, reviewer, comment))
            updated = self.get(version.ref)
        if updated.state != target:
            raise ContributionError(f"{version.ref} changed while deciding; look at it again")
        return updated

    def withdraw_by_token(self, token: str, comment: str = "") -> Version:
        """The contributor withdraws their own pending or sent-back version (status page)."""
        version = self.by_token(token)
        if version.state not in (PENDING, "changes-requested"):
            raise ContributionError(f"a {version.state} contribution cannot be withdrawn here")
        return self.decide(
            version.ref, "withdraw", f"{version.contributor_name} (contributor)", comment
        )

    def _decision_update(
        self, version: Version, action: str, target: str, reviewer: str, comment: str
    ) -> str:
        v = f"<{version.graph}>"
        decision = f"<{version.graph}#decision-{time.time_ns()}>"
        agent = ox.Literal(reviewer.strip()[:200] or "reviewer")
        allowed = ", ".join(f"<{state_iri(self.settings, s)}>" for s in ACTIONS[action][1])
        state = f"<{LHS.reviewState}>"
        insert = [
            f"{v} {state} <{state_iri(self.settings, target)}> .",
            f"{decision} a <{PROV}Activity> ; <{PROV}used> {v} ;"
            f" <{RDFS}label> {ox.Literal(action)} ;"
            f" <{LHS.decidedState}> <{state_iri(self.settings, target)}> ;"
            f" <{PROV}endedAtTime> {now_literal()} ;"
            f" <{PROV}wasAssociatedWith> [ a <{PROV}Agent> ; <{FOAF}name> {agent} ] .",
        ]
        if comment:
            insert.append(f"{decision} <{RDFS}comment> {ox.Literal(comment)} .")
        superseding = ""
        if target == PUBLISHED:
            insert.append(f"?old {state} <{state_iri(self.settings, SUPERSEDED)}> .")
            insert.append(f"?old <{PROV}wasInvalidatedBy> {decision} .")
            insert.append(f"?curated {state} <{state_iri(self.settings, SUPERSEDED)}> .")
            insert.append(f"?curated <{PROV}wasInvalidatedBy> {decision} .")
            published = f"<{state_iri(self.settings, PUBLISHED)}>"
            curated = self.curated_graph(version.subject)
            superseding = (
                f"OPTIONAL {{ ?old <{FOAF}primaryTopic> <{version.subject}> ; {state} ?os . "
                f"FILTER(?os = {published} && ?old != {v}) }}"
            )
            if curated:
                superseding += (
                    f" OPTIONAL {{ BIND(<{curated}> AS ?curated) "
                    f"FILTER NOT EXISTS {{ ?curated {state} ?cs }} }}"
                )
        registry = f"<{self.registry}>"
        return (
            f"DELETE {{ GRAPH {registry} {{ {v} {state} ?s . ?old {state} ?os }} }}\n"
            f"INSERT {{ GRAPH {registry} {{ {' '.join(insert)} }} }}\n"
            f"WHERE {{ GRAPH {registry} {{ {v} {state} ?s . FILTER(?s IN ({allowed})) "
            f"{superseding} }} }}"
        )


class _Person:
    def __init__(
        self, iri: str, name: str, email: str, orcid: str, licence: str, node: Node | None
    ) -> None:
        self.iri, self.name, self.email, self.orcid = iri, name, email, orcid
        self.licence, self.node = licence, node


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


# -- document → content graph ------------------------------------------------------------------


def _case_studies(graph: Graph) -> list[Node]:
    return sorted(set(graph.subjects(URIRef(RDF + "type"), LHS.CaseStudy)), key=str)


def _fill_envelope(
    graph: Graph, subject: Node, contributor: Contributor | None, licence: str | None
) -> None:
    """Add the contributor and the licence given beside the document, unless it has its own."""
    if contributor is not None and (subject, URIRef(DCT + "contributor"), None) not in graph:
        person = BNode()
        graph.add((subject, URIRef(DCT + "contributor"), person))
        graph.add((person, URIRef(FOAF + "name"), Literal(contributor.name)))
        graph.add((person, URIRef(FOAF + "mbox"), URIRef(f"mailto:{contributor.email}")))
        if contributor.orcid:
            graph.add((person, URIRef(OWL + "sameAs"), URIRef(contributor.orcid)))
    if licence and (subject, URIRef(DCT + "license"), None) not in graph:
        graph.add((subject, URIRef(DCT + "license"), URIRef(licence)))


def _skolemise(document: Document, subject: Node, iri: str, base: str) -> Graph:
    """Give the case study, its assessment, ratings, outcomes and contributor stable IRIs.

    Names follow docs/MODEL.md (``<case>/assessment``, ``<case>/rating/<domain>``,
    ``<case>/outcome/<n>``) so versions of a case study line up in diffs and per-claim provenance.
    """
    graph = document.graph
    names: dict[Node, URIRef] = {subject: URIRef(iri)}

    def bnode_objects(node: Node, prop: str) -> list[Node]:
        found = [o for o in graph.objects(node, LHS[prop]) if isinstance(o, BNode)]
        return sorted(found, key=lambda o: _path_key(document.path_of(o), o))

    for assessment in bnode_objects(subject, "hasAssessment")[:1]:
        names[assessment] = URIRef(f"{iri}/assessment")
        used: set[str] = set()
        for rating in bnode_objects(assessment, "hasRating"):
            domain = graph.value(rating, LHS.ratesSubdomain) or graph.value(rating, LHS.ratesDomain)
            key = str(domain).rsplit("/", 1)[-1] if domain is not None else "rating"
            key = re.sub(r"[^A-Za-z0-9-]", "", key) or "rating"
            candidate, count = key, 1
            while candidate in used:
                count += 1
                candidate = f"{key}-{count}"
            used.add(candidate)
            names[rating] = URIRef(f"{iri}/rating/{candidate}")
    for index, outcome in enumerate(bnode_objects(subject, "hasOutcome"), 1):
        names[outcome] = URIRef(f"{iri}/outcome/{index}")
    out = Graph()
    mbox = URIRef(FOAF + "mbox")
    for s, p, o in graph:
        if p == mbox:
            continue  # e-mail addresses stay in the registry, out of the public content
        out.add((names.get(s, s), p, names.get(o, o)))
    label = URIRef(RDFS + "label")
    for node in set(out.subjects()):  # MODEL.md: resources carry an rdfs:label
        if isinstance(node, URIRef) and (node, label, None) not in out:
            for prop in (DCT + "title", FOAF + "name"):
                name = out.value(node, URIRef(prop))
                if name is not None:
                    out.add((node, label, name))
                    break
    return out


def _path_key(path: str | None, node: Node) -> tuple[list[Any], str]:
    parts: list[Any] = [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", path or "")]
    return parts, str(node)


def _person(graph: Graph, subject: Node, base: str) -> _Person:
    """The contributor named in the document, with a stable IRI (ORCID-based, else random)."""
    node = graph.value(subject, URIRef(DCT + "contributor"))
    licence = str(graph.value(subject, URIRef(DCT + "license")) or CC_BY_4)

    def first(prop: str) -> str:
        return str(graph.value(node, URIRef(prop)) or "") if node is not None else ""

    orcid = first(OWL + "sameAs")
    if orcid:
        iri = f"{base}person/orcid-{orcid.rsplit('/', 1)[-1]}"
    else:
        iri = f"{base}person/{secrets.token_hex(8)}"
    email = first(FOAF + "mbox").removeprefix("mailto:")
    return _Person(iri, first(FOAF + "name"), email, orcid, licence, node)


def _rename(graph: Graph, node: Node | None, iri: URIRef) -> None:
    """Replace a node by an IRI everywhere in a graph."""
    if node is None or node == iri:
        return
    for s, p, o in list(graph.triples((node, None, None))):
        graph.remove((s, p, o))
        graph.add((iri, p, o))
    for s, p, o in list(graph.triples((None, None, node))):
        graph.remove((s, p, o))
        graph.add((s, p, iri))


def _content_quads(graph: Graph, target: str) -> list[ox.Quad]:
    name = ox.NamedNode(target)
    bnodes: dict[Node, ox.BlankNode] = {}

    def term(node: Node) -> Any:
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, BNode):
            if node not in bnodes:
                bnodes[node] = ox.BlankNode(f"b{len(bnodes)}")
            return bnodes[node]
        if isinstance(node, Literal):
            if node.language:
                return ox.Literal(str(node), language=node.language)
            if node.datatype is not None:
                return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
            return ox.Literal(str(node))
        raise InputError(f"unsupported term in a submission: {node!r}")

    try:
        return [ox.Quad(term(s), term(p), term(o), name) for s, p, o in graph]
    except ValueError as err:
        raise InputError(f"the submission holds an invalid IRI or literal: {err}") from None


def _guarded_insert(quads: Sequence[ox.Quad], graph: str, registry: str) -> str:
    """One INSERT that applies only if the version graph is not registered yet (no overwrite)."""
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        assert isinstance(quad.graph_name, ox.NamedNode)
        by_graph.setdefault(quad.graph_name.value, []).append(
            f"{quad.subject} {quad.predicate} {quad.object} ."
        )
    blocks = " ".join(f"GRAPH <{name}> {{ {' '.join(lines)} }}" for name, lines in by_graph.items())
    return (
        f"INSERT {{ {blocks} }} WHERE {{ FILTER NOT EXISTS {{ GRAPH <{registry}> "
        f"{{ <{graph}> <{LHS.reviewState}> ?any }} }} }}"
    )


__all__ = ["STATES", "WITHDRAWN", "Contributions", "parse_ref", "sha256_hex"]
