"""Plain JSON is read with the configured JSON-LD context, not the repository's (#13).

A partner's fork keeps its own ``ontology/context.jsonld``; before, ``documents`` parsed every
submission with ours while the export used theirs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from lhs_kg.config import Settings
from lhs_kg.documents import load_document
from tests.helpers import ROOT

NOTE = URIRef("https://partner.example.org/note")
PAYLOAD = json.dumps(
    {"id": "fork-case", "type": "CaseStudy", "title": "A partner's case", "partnerNote": "kept"}
)


@pytest.fixture
def fork(tmp_path: Path) -> Settings:
    """Settings whose ontology folder holds our context plus one term of the partner's."""
    context = json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))
    context["@context"]["partnerNote"] = str(NOTE)
    ontology = tmp_path / "ontology"
    ontology.mkdir()
    (ontology / "context.jsonld").write_text(json.dumps(context), encoding="utf-8")
    return Settings.from_env({"LHS_KG_ONTOLOGY_DIR": str(ontology), "LHS_KG_STORE": "memory"})


def test_a_forks_context_is_what_plain_json_is_parsed_with(fork: Settings) -> None:
    """Regression: the partner's term was dropped as unknown (our context was used)."""
    document = load_document(PAYLOAD, name="cs.json", settings=fork)
    assert (None, NOTE, Literal("kept")) in document.graph
    assert [note.path for note in document.notes] == []


def test_the_default_settings_use_the_repository_context() -> None:
    document = load_document(PAYLOAD, name="cs.json", settings=Settings.from_env({}))
    assert (None, NOTE, None) not in document.graph
    assert [note.path for note in document.notes] == ["partnerNote"]


def test_fields_are_named_by_the_forks_keys(fork: Settings) -> None:
    document = load_document(PAYLOAD, name="cs.json", settings=fork)
    subject = URIRef("https://w3id.org/lhs-kg/case-study/fork-case")
    assert document.field_of(subject, NOTE, Literal("kept")) == ("partnerNote", "kept")


def test_settings_name_the_context_file_in_the_ontology_folder(fork: Settings) -> None:
    assert fork.context_file == fork.ontology_dir / "context.jsonld"
