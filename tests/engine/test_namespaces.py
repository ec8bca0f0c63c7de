"""The vocabulary defined once (#13): ``LHS`` is exactly the terms of ``ontology/lhs.ttl``, closed.

A term added to the ontology and not to the module (or left in the module after the ontology
dropped it) fails here; so does code naming a term by string concatenation instead of ``LHS.term``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from lhs_kg import ontology_terms
from lhs_kg.content import namespace_module
from lhs_kg.namespaces import LHS
from tests.helpers import ROOT

ONTOLOGY = Graph().parse(ROOT / "ontology" / "lhs.ttl", format="turtle")
NS = "https://w3id.org/lhs-kg/ontology/"
IN_ONTOLOGY = {str(s)[len(NS) :] for s in ONTOLOGY.subjects(RDF.type) if str(s).startswith(NS)}
"""Every IRI of our namespace that the ontology gives a type (whatever the type)."""
IN_MODULE = set(ontology_terms.LHS.__annotations__)
ISSUE_TERMS = [
    "ReviewState",
    "reviewState",
    "decidedState",
    "statusTokenHash",
    "submissionChannel",
    "validationReport",
]


def test_module_is_what_the_generator_writes() -> None:
    """The committed module equals the generator's output for the committed ontology."""
    current = namespace_module.MODULE_PATH.read_text(encoding="utf-8")
    assert current == namespace_module.generate(), (
        "lhs_kg/ontology_terms.py is stale: run `make content` (or `python -m"
        " lhs_kg.content.namespace_module`) after editing ontology/lhs.ttl"
    )


def test_every_ontology_term_is_in_the_module() -> None:
    missing = IN_ONTOLOGY - IN_MODULE
    assert not missing, missing


def test_every_module_term_is_in_the_ontology() -> None:
    extra = IN_MODULE - IN_ONTOLOGY
    assert not extra, extra


def test_drift_is_seen(tmp_path: Path) -> None:
    """A term added to an ontology file shows up in what the generator writes for it."""
    fork = tmp_path / "lhs.ttl"
    fork.write_text(
        (ROOT / "ontology" / "lhs.ttl").read_text(encoding="utf-8")
        + "\nlhs:driftProbe a owl:DatatypeProperty .\n",
        encoding="utf-8",
    )
    text = namespace_module.generate(fork)
    assert "    driftProbe: URIRef\n" in text
    assert text != namespace_module.MODULE_PATH.read_text(encoding="utf-8")


def test_check_mode_fails_on_a_stale_module(tmp_path: Path) -> None:
    stale = tmp_path / "ontology_terms.py"
    stale.write_text("# old\n", encoding="utf-8")
    assert namespace_module.main(["--check", "--output", str(stale)]) == 1
    assert namespace_module.main(["--output", str(stale)]) == 0
    assert namespace_module.main(["--check", "--output", str(stale)]) == 0


@pytest.mark.parametrize("name", ISSUE_TERMS)
def test_terms_the_code_used_without_the_namespace_knowing(name: str) -> None:
    """Regression: six terms used by the review workflow were missing from ``LHS``."""
    assert getattr(LHS, name) == URIRef("https://w3id.org/lhs-kg/ontology/" + name)


@pytest.mark.parametrize("name", ["reviewstate", "CaseStudies", "lessonLearned"])
def test_an_unknown_term_raises(name: str) -> None:
    with pytest.raises(AttributeError):
        getattr(LHS, name)
    with pytest.raises(AttributeError):
        LHS[name]


def test_terms_are_uri_refs_and_format_as_their_iri() -> None:
    assert isinstance(LHS.CaseStudy, URIRef)
    assert f"<{LHS.aim}>" == "<https://w3id.org/lhs-kg/ontology/aim>"
    assert str(LHS) == "https://w3id.org/lhs-kg/ontology/"


_CONCATENATION = re.compile(r"LHS\s*\+|\{LHS\}[A-Za-z]")
_SOURCES = sorted(
    p for folder in ("lhs_kg", "web") for p in (ROOT / folder).rglob("*.py") if p.is_file()
)


@pytest.mark.parametrize("path", [pytest.param(p, id=str(p.relative_to(ROOT))) for p in _SOURCES])
def test_no_term_is_built_by_string_concatenation(path: Path) -> None:
    """``LHS + "term"`` and ``f"{LHS}term"`` bypass the closed namespace: a typo would pass."""
    found = [
        f"{number}: {line.strip()}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _CONCATENATION.search(line)
    ]
    assert found == []


_USES = (
    re.compile(r"(?<![\w-])lhs:([A-Za-z_]\w*)"),
    re.compile(r"w3id\.org/lhs-kg/ontology/([A-Za-z_]\w*)"),
)
_USED_IN = ["queries", "shapes", "data", "ontology", "lhs_kg", "web"]


@pytest.mark.parametrize("folder", _USED_IN)
def test_every_term_used_is_defined_in_the_ontology(folder: str) -> None:
    """A term written in queries, shapes, data, the context or code exists in ``lhs.ttl``."""
    undefined = {
        f"{path.relative_to(ROOT)}: lhs:{name}"
        for path in sorted((ROOT / folder).rglob("*"))
        if path.is_file() and path.suffix in (".rq", ".ttl", ".jsonld", ".json", ".py", ".html")
        for pattern in _USES
        for name in pattern.findall(path.read_text(encoding="utf-8", errors="replace"))
        if name not in IN_MODULE and name != "context"
    }
    assert sorted(undefined) == []
