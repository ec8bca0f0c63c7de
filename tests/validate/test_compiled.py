"""The compiled shapes give pySHACL's report exactly, for every submission the tests know.

``lhs_kg.validate.compiled`` walks pySHACL's constraint objects itself so they are built once per
process; these tests run both on the same data graph and require isomorphic report graphs, so a
pySHACL upgrade that changes its results or its internals fails here, loudly.
"""

from __future__ import annotations

import json
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import SH

from lhs_kg.documents import load_document
from lhs_kg.kb import KnowledgeBase
from lhs_kg.validate import get_validator
from lhs_kg.validate.compiled import _pyshacl_parts, compile_shapes
from tests.helpers import DATA, EXAMPLES, ROOT

SUBMISSIONS = sorted(
    [
        *(ROOT / "tests" / "data" / "invalid").iterdir(),
        *(ROOT / "tests" / "data" / "valid").iterdir(),
        *EXAMPLES.iterdir(),
    ]
)
CURATED = sorted(p for p in DATA.rglob("*.ttl") if EXAMPLES not in p.parents)


def _document(path: Path) -> object:
    if path.suffix == ".json":
        tree = json.loads(path.read_text(encoding="utf-8"))
        tree.pop("_expect", None)
        return load_document(json.dumps(tree).encode(), name=path.name)
    return load_document(path, max_bytes=10_000_000)


def _both(path: Path, kb: KnowledgeBase, contribution: bool) -> tuple[Graph, Graph]:
    validator = get_validator(kb.settings)
    data = validator.data_graph(_document(path), kb, kb.settings.base_iri)  # type: ignore[arg-type]
    compiled = validator.check(data, contribution=contribution)
    plain = validator.check(data, contribution=contribution, plain=True)
    return compiled, plain


def _assert_same(compiled: Graph, plain: Graph) -> None:
    if not isomorphic(compiled, plain):
        only_compiled = to_isomorphic(compiled) - to_isomorphic(plain)
        only_plain = to_isomorphic(plain) - to_isomorphic(compiled)
        pytest.fail(
            "reports differ\nonly compiled:\n"
            + only_compiled.serialize(format="nt")
            + "\nonly pySHACL:\n"
            + only_plain.serialize(format="nt")
        )


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=str(p.relative_to(ROOT))) for p in SUBMISSIONS]
)
def test_submission_report_is_pyshacls(path: Path, content_kb: KnowledgeBase) -> None:
    compiled, plain = _both(path, content_kb, True)
    _assert_same(compiled, plain)


@pytest.mark.parametrize("path", [pytest.param(p, id=str(p.relative_to(ROOT))) for p in CURATED])
def test_curated_report_is_pyshacls(path: Path, content_kb: KnowledgeBase) -> None:
    compiled, plain = _both(path, content_kb, False)
    _assert_same(compiled, plain)


def test_many_failures_at_once_give_pyshacls_report(content_kb: KnowledgeBase) -> None:
    """A submission breaking many constraints (nested sh:node and sh:or included) at once."""
    tree = json.loads((EXAMPLES / "template.json").read_text(encoding="utf-8"))
    tree["startYear"] = "later"
    tree["endYear"] = 1900
    tree["sources"] = [{"type": "Book", "title": "x", "isbn": "12"}, "nowhere"]
    tree["organisation"] = {"name": 5, "homepage": "javascript:alert(1)"}
    validator = get_validator(content_kb.settings)
    document = load_document(json.dumps(tree).encode(), name="many.json")
    data = validator.data_graph(document, content_kb, content_kb.settings.base_iri)
    compiled = validator.check(data)
    _assert_same(compiled, validator.check(data, plain=True))
    assert len(set(compiled.objects(None, SH.result))) >= 10


def _variants() -> list[object]:
    """The full example with one field dropped, or given a value of the wrong kind (#13).

    Each top-level field of ``data/examples/case-study.json`` (and each of its assessment and
    first outcome), so every property shape a contribution reaches fails once through both paths.
    """
    example = json.loads((EXAMPLES / "case-study.json").read_text(encoding="utf-8"))
    params = []
    for where in ("", "assessment", "outcomes"):
        owner = example if not where else example[where]
        owner = owner[0] if isinstance(owner, list) else owner
        for key in sorted(owner):
            if key in ("id", "type"):
                continue
            for change, value in (("dropped", None), ("wrong-kind", "no such thing")):
                params.append(
                    pytest.param(where, key, value, id=f"{where or 'top'}.{key}-{change}")
                )
    return params


@pytest.mark.parametrize(("where", "key", "value"), _variants())
def test_each_field_broken_gives_pyshacls_report(
    where: str, key: str, value: str | None, content_kb: KnowledgeBase
) -> None:
    tree = json.loads((EXAMPLES / "case-study.json").read_text(encoding="utf-8"))
    owner = tree if not where else tree[where]
    owner = owner[0] if isinstance(owner, list) else owner
    if value is None:
        del owner[key]
    else:
        owner[key] = value
    validator = get_validator(content_kb.settings)
    document = load_document(json.dumps(tree).encode(), name="variant.json")
    data = validator.data_graph(document, content_kb, content_kb.settings.base_iri)
    _assert_same(validator.check(data), validator.check(data, plain=True))


def test_pyshacl_is_pinned_to_the_tested_minor_version() -> None:
    """The compiled walker relies on pySHACL's internals: an upgrade must be a decision (#13)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pin = next(d for d in config["project"]["dependencies"] if d.startswith("pyshacl"))
    found = re.fullmatch(r"pyshacl>=(\d+)\.(\d+)(?:\.\d+)?,<(\d+)\.(\d+)", pin.replace(" ", ""))
    assert found, f"pyshacl needs a lower and an upper bound in pyproject.toml, got {pin!r}"
    low = (int(found.group(1)), int(found.group(2)))
    high = (int(found.group(3)), int(found.group(4)))
    installed = tuple(int(part) for part in version("pyshacl").split(".")[:2])
    assert low <= installed < high, f"pySHACL {version('pyshacl')} is outside {pin!r}"


def test_the_repository_shapes_compile() -> None:
    """If this fails, validation silently fell back to plain pySHACL (slow but correct)."""
    validator = get_validator()
    assert compile_shapes(validator._shapes[True]) is not None
    assert compile_shapes(validator._shapes[False]) is not None


def test_the_pyshacl_parts_used_still_exist() -> None:
    """Everything taken from pySHACL's internals, resolved in one place."""
    parts = _pyshacl_parts()
    assert parts["parameters"] and parts["components"]
    for name in ("node", "property", "or", "qualified"):
        assert parts[name].__name__.endswith("ConstraintComponent")
    assert callable(parts["report"])


def test_unsupported_shapes_fall_back_to_pyshacl() -> None:
    """sh:not is not walked by the compiled shapes: the shapes graph compiles to None."""
    from pyshacl import ShapesGraph

    graph = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:not [ sh:class ex:D ] .
        """,
        format="turtle",
    )
    assert compile_shapes(ShapesGraph(graph)) is None


HOSTILE_TURTLE = [
    pytest.param(
        """@prefix lhs: <https://w3id.org/lhs-kg/ontology/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <urn:x:Study> rdfs:subClassOf lhs:CaseStudy .
        <urn:x:s1> a <urn:x:Study> ; lhs:endYear "1999" ; lhs:startYear "2005" .""",
        id="own-subclass-of-case-study",
    ),
    pytest.param(
        """@prefix lhs: <https://w3id.org/lhs-kg/ontology/> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        [] a lhs:CaseStudy ; dcterms:title "x"@en, "y"^^<urn:x:type>, 5 ;
           lhs:hasAssessment [ lhs:hasRating [ lhs:ratesDomain [] ], _:r ] .
        _:r lhs:ratesDomain <https://w3id.org/lhs-kg/concept/nasss/1> , "1" .""",
        id="blank-nodes-and-odd-literals",
    ),
]


@pytest.mark.parametrize("text", HOSTILE_TURTLE)
def test_odd_rdf_submission_gives_pyshacls_report(text: str, content_kb: KnowledgeBase) -> None:
    validator = get_validator(content_kb.settings)
    document = load_document(text.encode(), name="odd.ttl")
    data = validator.data_graph(document, content_kb, content_kb.settings.base_iri)
    compiled = validator.check(data)
    _assert_same(compiled, validator.check(data, plain=True))
    assert (None, SH.result, None) in compiled
