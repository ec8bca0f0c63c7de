"""A reference file becomes one source-list contribution without the sources already known."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib.namespace import RDF

from lhs_kg.config import Settings
from lhs_kg.contributions import Contributions, Contributor
from lhs_kg.kb import KnowledgeBase
from lhs_kg.literature.entries import Entry, read_entries
from lhs_kg.literature.intake import plan
from lhs_kg.namespaces import BIBO, LHS
from tests.helpers import TEST_DATA

DATA = TEST_DATA / "literature"
BASE = "https://w3id.org/lhs-kg/"
ALEX = Contributor.parse("Alex Example", "alex@example.org")


@pytest.fixture
def kb() -> Iterator[KnowledgeBase]:
    with KnowledgeBase(Settings(store="memory")) as base:
        base.rebuild()
        yield base


def _plan(kb: KnowledgeBase, path: Path):  # type: ignore[no-untyped-def]
    data = path.read_bytes()
    return plan(kb, read_entries(data, path.name), path.name, data)


def test_a_known_doi_in_another_case_is_a_duplicate(kb: KnowledgeBase) -> None:
    intake = _plan(kb, DATA / "refs.bib")
    assert intake.duplicates == [("foleyvale", BASE + "source/foley-vale-2022")]
    assert intake.added == [("example2024", BASE + "source/example-2024")]
    assert {str(doi) for doi in intake.graph.objects(None, BIBO.doi)} == {"10.9999/example.2024.1"}
    assert (intake.subject, RDF.type, LHS.SourceList) in intake.graph


@pytest.mark.parametrize(
    ("entry", "duplicate_of"),
    [
        pytest.param(
            Entry(key="pm", title="Something else", year="2019", pmid="31245570"),
            "potts-2017",
            id="by-pmid",
        ),
        pytest.param(
            Entry(
                key="ti",
                title="The  Behaviour change WHEEL -- a new method for characterising and "
                "designing behaviour change interventions.",
                year="2011",
            ),
            "michie-2011",
            id="by-normalised-title",
        ),
    ],
)
def test_duplicates_are_found_by_pmid_and_by_title(
    kb: KnowledgeBase, entry: Entry, duplicate_of: str
) -> None:
    intake = plan(kb, [entry], "one.bib", b"x")
    assert intake.duplicates == [(entry.key, BASE + "source/" + duplicate_of)]
    assert intake.subject is None and len(intake.graph) == 0


def test_a_duplicate_within_the_file_is_left_out(kb: KnowledgeBase) -> None:
    twins = [
        Entry(key="a", title="A new study", year="2024", doi="10.9999/a"),
        Entry(key="b", title="A new study (preprint)", year="2024", doi="10.9999/A"),
    ]
    intake = plan(kb, twins, "twins.bib", b"x")
    assert intake.duplicates == [("b", "entry a")]


def test_a_taken_slug_gets_a_letter(kb: KnowledgeBase) -> None:
    entry = Entry(key="p", title="A new paper by Potts", year="2017", authors=["Potts J"])
    intake = plan(kb, [entry], "p.bib", b"x")
    assert intake.added == [("p", BASE + "source/potts-2017-b")]


def test_the_source_list_conforms_and_importing_twice_adds_nothing(kb: KnowledgeBase) -> None:
    flow = Contributions(kb)
    intake = _plan(kb, DATA / "refs.json")
    payload = intake.graph.serialize(format="nt").encode()
    out = flow.submit(payload, "nt", contributor=ALEX, channel="cli", name="refs.json")
    assert out.stored, out.report.to_text()
    assert out.version is not None and out.version.ref.startswith("source-list.refs-")
    again = _plan(kb, DATA / "refs.json")  # the first import is still pending review
    assert again.added == [] and again.subject is None
    assert {key for key, _ in again.duplicates} == {"example2024", "foleyvale"}
