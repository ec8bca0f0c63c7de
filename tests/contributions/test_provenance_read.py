"""A case study's history and claims in one read (#16) are what the separate reads gave.

The case-study page used to ask for the curated file, its review state, the published graphs
about the case study and their statements one query at a time; ``history.provenance`` asks
once. Every case study of the content, and contributed ones (published, revised, pending and
revising a curated file), must get the same entries and claims both ways.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from lhs_kg.contributions import Contributions
from lhs_kg.contributions.history import Claim, Entry, claims, history, provenance
from lhs_kg.describe import casestudies
from lhs_kg.describe.base import Reader, published_scope
from lhs_kg.describe.evidence import case_study_evidence
from lhs_kg.kb import KnowledgeBase
from lhs_kg.namespaces import LHS
from lhs_kg.store import RemoteStore
from tests.helpers import SparqlServer, new_content_kb, payload

CASE_STUDIES = f"SELECT DISTINCT ?s WHERE {{ ?s a <{LHS.CaseStudy}> }}"


@pytest.fixture(scope="module")
def flow() -> Iterator[Contributions]:
    """The content with contributions: one revised twice (both accepted), one pending, one
    revising a curated case study (accepted, so the curated file is superseded)."""
    with new_content_kb() as kb:
        contributions = Contributions(kb)
        for title in ("First", "Second"):
            out = contributions.submit(payload(title=title), "json")
            assert out.version is not None, out
            contributions.decide(out.version.ref, "accept", "reviewer-1")
        pending = contributions.submit(payload(id="example-pending"), "json")
        assert pending.version is not None, pending
        revised = contributions.submit(payload(id="swedeheart", title="SWEDEHEART again"), "json")
        assert revised.version is not None, revised
        contributions.decide(revised.version.ref, "accept", "reviewer-1")
        yield contributions


def old_way(
    flow: Contributions, iri: str, reader: Reader, versions: list[Any] | None
) -> tuple[list[Entry], list[Claim]]:
    """What the case-study page read before #16: history, then claims (four queries or more)."""
    entries = history(flow, iri, versions=versions)
    known = [e.version for e in entries if e.version is not None]
    return entries, claims(flow, iri, versions=known, reader=reader)


def subjects(kb: KnowledgeBase) -> list[str]:
    rows = kb.store.query(CASE_STUDIES, union=True).rows()
    return sorted(r["s"].value for r in rows if isinstance(r["s"], ox.NamedNode))


def test_every_case_study_reads_the_same_in_one_read(flow: Contributions) -> None:
    kb = flow.kb
    assert kb.published_names(), "the one read needs the published graphs by name"
    reader = Reader(kb, published_scope(kb))
    contributed = flow.subjects()
    iris = subjects(kb)
    assert len(iris) >= 18
    assert {i.rsplit("/", 1)[-1] for i in contributed} >= {"example-diabetes-network", "swedeheart"}
    wrong, shown = [], 0
    for iri in iris:
        versions = None if iri in contributed else []
        before = old_way(flow, iri, reader, versions)
        after = provenance(flow, iri, versions=versions, reader=reader)
        shown += len(after[1])
        if after != before:
            wrong.append(iri)
    assert wrong == []
    assert shown > 100  # the comparison saw real claims, not empty lists


@pytest.mark.parametrize(
    ("name", "states"),
    [
        pytest.param("swedeheart", ["superseded", "published"], id="curated-revised"),
        pytest.param("example-diabetes-network", ["superseded", "published"], id="contributed"),
        pytest.param("example-pending", ["pending"], id="pending"),
    ],
)
def test_the_one_read_keeps_each_kind_of_history(
    flow: Contributions, name: str, states: list[str]
) -> None:
    kb = flow.kb
    iri = next(i for i in subjects(kb) if i.rsplit("/", 1)[-1] == name)
    entries, found = provenance(flow, iri, reader=Reader(kb, published_scope(kb)))
    assert [e.state for e in entries] == states
    published = {e.graph for e in entries if e.state == "published"}
    assert {c.graph for c in found} <= published
    assert bool(found) == bool(published)


@pytest.mark.remote
def test_the_one_reads_are_the_same_on_each_server(
    sparql_server: SparqlServer, tmp_path: Path
) -> None:
    """On a real server: a curated case study revised by a published contribution, and one
    left alone, get the same history, claims, page model and evidence both ways."""
    store = RemoteStore(sparql_server.endpoints)
    with new_content_kb(store, var_dir=tmp_path) as kb:
        contributions = Contributions(kb)
        out = contributions.submit(payload(id="swedeheart", title="SWEDEHEART again"), "json")
        assert out.version is not None, out
        contributions.decide(out.version.ref, "accept", "reviewer-1")
        reader = Reader(kb, published_scope(kb))
        revised = kb.settings.base_iri + "case-study/swedeheart"
        for iri in (revised, kb.settings.base_iri + "case-study/kaiser-sepsis"):
            versions = None if iri == revised else []
            after = provenance(contributions, iri, versions=versions, reader=reader)
            assert after == old_way(contributions, iri, reader, versions), iri
            assert after[1], iri  # claims were compared
            page = casestudies.case_study_with_evidence(reader, iri)
            assert page == (casestudies.case_study(reader, iri), case_study_evidence(reader, iri))
            assert page[0].ratings and page[1].outcomes, iri
        entries, _ = provenance(contributions, revised, reader=reader)
        assert [e.state for e in entries] == ["superseded", "published"]
