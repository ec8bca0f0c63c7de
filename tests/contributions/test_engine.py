"""Submitting and reviewing: what is stored, in which graph, with which provenance; what is
refused; and that every state change is one transaction that loses nothing."""

from __future__ import annotations

import hashlib
import json

import pyoxigraph as ox
import pytest

from lhs_kg.contributions import (
    CC_BY_4,
    ContributionError,
    Contributions,
    Contributor,
    NotFoundError,
)
from lhs_kg.errors import InputError
from lhs_kg.graphs import published_graphs, registry_graph
from lhs_kg.kb import KnowledgeBase
from tests.helpers import example, payload

BASE = "https://w3id.org/lhs-kg/"
SUBJECT = BASE + "case-study/example-diabetes-network"


def quads(kb: KnowledgeBase) -> int:
    return kb.store.triple_count()


def registry_has(kb: KnowledgeBase, s: str, p: str, o: ox.NamedNode | ox.Literal) -> bool:
    return kb.store.query(
        "ASK { ?s ?p ?o }",
        bindings={"s": ox.NamedNode(s), "p": ox.NamedNode(p), "o": o},
        union=False,
        default_graphs=[registry_graph(kb.settings)],
    ).boolean


def test_a_conforming_submission_is_stored_pending_with_its_provenance(
    contributions: Contributions, kb: KnowledgeBase
) -> None:
    data = payload()
    out = contributions.submit(data, "json", channel="cli")
    assert out.stored and out.report.conforms, out.report.to_text()
    version = out.version
    assert version is not None
    assert version.ref == "example-diabetes-network/v1"
    assert version.state == "pending"
    assert version.subject == SUBJECT
    assert version.contributor_name == "Alex Example"
    assert version.contributor_email == "alex@example.org"
    assert version.contributor_orcid == "https://orcid.org/0000-0002-1825-0097"
    assert version.channel == "cli"
    assert version.licence == CC_BY_4
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert version.submitted.endswith("Z")
    graph = version.graph
    assert graph == BASE + "graph/contribution/example-diabetes-network/v1"
    reg = "http://www.w3.org/ns/prov#"
    person = BASE + "person/orcid-0000-0002-1825-0097"
    assert registry_has(kb, graph, reg + "wasAttributedTo", ox.NamedNode(person))
    assert registry_has(
        kb, person, "http://xmlns.com/foaf/0.1/mbox", ox.NamedNode("mailto:alex@example.org")
    )
    token_hash = ox.Literal(hashlib.sha256(out.token.encode()).hexdigest())
    assert registry_has(kb, graph, BASE + "ontology/statusTokenHash", token_hash)
    assert len(out.token) >= 40
    assert not registry_has(kb, graph, BASE + "ontology/statusTokenHash", ox.Literal(out.token))


def test_the_email_address_never_enters_the_content_graph(contributions: Contributions) -> None:
    out = contributions.submit(payload(), "json")
    assert out.version is not None
    triples = contributions.content(out.version.graph)
    assert not any("mailto:" in str(t) for t in triples)
    assert any(t.predicate.value.endswith("foaf/0.1/name") for t in triples)


def test_pending_content_is_outside_the_published_view_until_accepted(
    contributions: Contributions, kb: KnowledgeBase
) -> None:
    out = contributions.submit(payload(), "json")
    assert out.version is not None
    assert out.version.graph not in published_graphs(kb.store, kb.settings)
    accepted = contributions.decide(out.version.ref, "accept", "reviewer-1")
    assert accepted.state == "published"
    assert out.version.graph in published_graphs(kb.store, kb.settings)
    assert accepted.decisions[-1].action == "accept"
    assert accepted.decisions[-1].by == "reviewer-1"


def test_contributor_and_licence_given_beside_the_document(contributions: Contributions) -> None:
    doc = example()
    del doc["contributor"], doc["licence"]
    who = Contributor.parse("Sam Sender", "sam@example.org", "0000-0002-1825-0097")
    out = contributions.submit(json.dumps(doc).encode(), "json", contributor=who, channel="web")
    assert out.stored, out.report.to_text()
    assert out.version is not None and out.version.contributor_name == "Sam Sender"


def test_without_a_contributor_the_report_says_so_and_nothing_is_written(
    contributions: Contributions, kb: KnowledgeBase
) -> None:
    doc = example()
    del doc["contributor"]
    before = quads(kb)
    out = contributions.submit(json.dumps(doc).encode(), "json")
    assert not out.stored and out.version is None and out.token == ""
    assert any(i.field == "contributor" for i in out.report.issues), out.report.to_text()
    assert quads(kb) == before


def test_licence_not_accepted_is_refused(contributions: Contributions) -> None:
    doc = example()
    del doc["licence"]
    out = contributions.submit(json.dumps(doc).encode(), "json", licence=None)
    assert not out.stored
    assert any(i.field == "licence" for i in out.report.issues), out.report.to_text()


@pytest.mark.parametrize(
    ("data", "fmt", "needle"),
    [
        pytest.param(b"{not json", "json", "invalid JSON", id="malformed-json"),
        pytest.param(b"", "json", "empty", id="empty"),
        pytest.param(b"x" * 1_000_001, "json", "over the limit", id="oversized"),
        pytest.param(
            b'{"@context": "https://example.org/ctx.jsonld", "title": "x"}',
            "json",
            "remote JSON-LD context",
            id="remote-context",
        ),
        pytest.param(b"<a> <b> .", "ttl", "", id="broken-turtle"),
        pytest.param(b"\xff\xfe{}", "json", "UTF-8", id="not-utf8"),
        pytest.param(b'[{"a": 1}]', "json", "expected an object", id="top-level-list"),
    ],
)
def test_unreadable_input_raises_and_writes_nothing(
    contributions: Contributions, kb: KnowledgeBase, data: bytes, fmt: str, needle: str
) -> None:
    before = quads(kb)
    with pytest.raises(InputError) as caught:
        contributions.submit(data, fmt)
    assert needle in str(caught.value)
    assert quads(kb) == before


def test_two_case_studies_in_one_document_are_refused(contributions: Contributions) -> None:
    two = payload_as_turtle() + payload_as_turtle(
        id="another", title="Another network of practices"
    )
    out = contributions.submit(two, "ttl")
    assert not out.stored
    assert any("exactly one case study" in i.message for i in out.report.issues)


def test_a_submission_cannot_rewrite_the_concept_schemes(contributions: Contributions) -> None:
    turtle = (
        b"@prefix lhs: <https://w3id.org/lhs-kg/ontology/> .\n"
        b"<https://w3id.org/lhs-kg/concept/nasss/1> "
        b'<http://www.w3.org/2004/02/skos/core#prefLabel> "hacked"@en .\n'
    ) + payload_as_turtle()
    out = contributions.submit(turtle, "ttl")
    assert not out.stored
    assert any("cannot change the ontology" in i.message for i in out.report.issues)


def payload_as_turtle(**changes: object) -> bytes:
    """The example as N-Triples (which is Turtle too)."""
    from lhs_kg.documents import load_document

    doc = load_document(payload(**changes), fmt="json")
    return doc.graph.serialize(format="nt").encode()


def test_turtle_submission_is_stored(contributions: Contributions) -> None:
    out = contributions.submit(payload_as_turtle(), "ttl", channel="api")
    assert out.stored, out.report.to_text()
    assert out.version is not None and out.version.media_type == "ttl"


def test_an_update_creates_the_next_version_revising_the_previous(
    contributions: Contributions,
) -> None:
    first = contributions.submit(payload(), "json").version
    assert first is not None
    second = contributions.submit(payload(title="Example: a renamed diabetes network"), "json")
    assert second.version is not None
    assert second.version.ref == "example-diabetes-network/v2"
    assert second.version.revision_of == first.graph


def test_an_update_of_a_curated_case_study_revises_its_file_and_supersedes_it_on_accept(
    contributions: Contributions, kb: KnowledgeBase
) -> None:
    curated = BASE + "graph/data/case-studies/improvecarenow"
    out = contributions.submit(
        payload(id="improvecarenow", title="ImproveCareNow, updated"), "json"
    )
    assert out.version is not None and out.version.revision_of == curated
    assert curated in published_graphs(kb.store, kb.settings)
    contributions.decide(out.version.ref, "accept", "r")
    published = published_graphs(kb.store, kb.settings)
    assert curated not in published and out.version.graph in published
    assert curated in [g.iri for g in kb.graphs()]  # superseded, never deleted


def test_accepting_a_new_version_supersedes_the_published_one_atomically(
    contributions: Contributions, kb: KnowledgeBase
) -> None:
    v1 = contributions.submit(payload(), "json").version
    assert v1 is not None
    contributions.decide(v1.ref, "accept", "r")
    v2 = contributions.submit(payload(title="Example: second edition of the network"), "json")
    assert v2.version is not None
    contributions.decide(v2.version.ref, "accept", "r")
    assert contributions.get(v1.ref).state == "superseded"
    assert contributions.get(v2.version.ref).state == "published"
    published = [g for g in published_graphs(kb.store, kb.settings) if "/contribution/" in g]
    assert published == [v2.version.graph]
    titles = kb.store.query(
        f"SELECT ?t WHERE {{ <{SUBJECT}> <http://purl.org/dc/terms/title> ?t }}",
        union=False,
        default_graphs=published_graphs(kb.store, kb.settings),
    ).rows()
    assert [r["t"].value for r in titles] == ["Example: second edition of the network"]


@pytest.mark.parametrize(
    ("action", "state"),
    [
        pytest.param("request-changes", "changes-requested", id="request-changes"),
        pytest.param("reject", "rejected", id="reject"),
        pytest.param("withdraw", "withdrawn", id="withdraw"),
    ],
)
def test_other_decisions_keep_the_version_and_the_reason(
    contributions: Contributions, kb: KnowledgeBase, action: str, state: str
) -> None:
    out = contributions.submit(payload(), "json")
    assert out.version is not None
    decided = contributions.decide(out.version.ref, action, "r", "Please cite the <b>report</b>.")
    assert decided.state == state
    assert decided.comment == "Please cite the <b>report</b>."
    assert out.version.graph in [g.iri for g in kb.graphs()]
    assert out.version.graph not in published_graphs(kb.store, kb.settings)
    assert contributions.by_token(out.token).state == state


@pytest.mark.parametrize(
    ("first", "then"),
    [
        pytest.param("reject", "accept", id="accept-rejected"),
        pytest.param("withdraw", "accept", id="accept-withdrawn"),
        pytest.param("accept", "accept", id="accept-twice"),
        pytest.param("accept", "request-changes", id="request-changes-of-published"),
    ],
)
def test_decisions_that_do_not_apply_are_refused(
    contributions: Contributions, first: str, then: str
) -> None:
    out = contributions.submit(payload(), "json")
    assert out.version is not None
    contributions.decide(out.version.ref, first, "r", "because")
    state = contributions.get(out.version.ref).state
    with pytest.raises(ContributionError):
        contributions.decide(out.version.ref, then, "r", "again")
    assert contributions.get(out.version.ref).state == state


@pytest.mark.parametrize(
    ("ref", "action", "error"),
    [
        pytest.param("nope/v1", "accept", NotFoundError, id="unknown-version"),
        pytest.param("../../etc", "accept", InputError, id="malformed-ref"),
        pytest.param("x/v1> } ; DROP ALL ; #", "accept", InputError, id="injection-ref"),
        pytest.param("example-diabetes-network/v1", "publish", InputError, id="unknown-action"),
        pytest.param("example-diabetes-network/v1", "reject", InputError, id="reject-no-reason"),
    ],
)
def test_bad_review_requests_are_refused(
    contributions: Contributions, ref: str, action: str, error: type[Exception]
) -> None:
    contributions.submit(payload(), "json")
    with pytest.raises(error):
        contributions.decide(ref, action, "r")
    assert contributions.get("example-diabetes-network/v1").state == "pending"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("", id="empty"),
        pytest.param("x" * 43, id="wrong"),
        pytest.param("y" * 500, id="long"),
    ],
)
def test_unknown_status_tokens_are_not_found(contributions: Contributions, token: str) -> None:
    contributions.submit(payload(), "json")
    with pytest.raises(NotFoundError):
        contributions.by_token(token)


def test_the_contributor_can_withdraw_with_the_token(contributions: Contributions) -> None:
    out = contributions.submit(payload(), "json")
    assert contributions.withdraw_by_token(out.token, "sent by mistake").state == "withdrawn"
    with pytest.raises(ContributionError):
        contributions.withdraw_by_token(out.token)


@pytest.mark.parametrize(
    ("name", "email", "orcid"),
    [
        pytest.param("A", "a@b.org", None, id="short-name"),
        pytest.param("Alex", "not-an-email", None, id="bad-email"),
        pytest.param("Alex", "a@b.org", "1234", id="bad-orcid"),
        pytest.param("Alex", "a@b.org>\n<x", None, id="email-injection"),
    ],
)
def test_contributor_details_are_checked(name: str, email: str, orcid: str | None) -> None:
    with pytest.raises(InputError):
        Contributor.parse(name, email, orcid)


def test_submission_and_review_on_each_store(any_kb: KnowledgeBase) -> None:
    """The same workflow on the embedded store and on a real SPARQL server (one update each)."""
    flow = Contributions(any_kb)
    out = flow.submit(payload(), "json")
    assert out.stored and out.version is not None, out.report.to_text()
    assert flow.decide(out.version.ref, "accept", "r").state == "published"
    assert out.version.graph in published_graphs(any_kb.store, any_kb.settings)
    assert flow.by_token(out.token).ref == out.version.ref
