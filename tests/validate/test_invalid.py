"""Each file of tests/data/invalid/ breaks exactly one shape, named by its file name.

``<Shape>--<case>.json`` carries ``"_expect": {"path": …}`` (removed before validating) and
``<Shape>--<case>.ttl`` a first line ``# expect: path=…``: the report must name that shape and no
other, and one issue must carry that field exactly as the contributor wrote it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from lhs_kg.kb import KnowledgeBase
from lhs_kg.model import load_model
from lhs_kg.validate import get_validator, validate
from tests.helpers import EXAMPLE, INVALID

SHAPES_NS = "https://w3id.org/lhs-kg/shapes/data/"
CASES = sorted(INVALID.iterdir())
#: Free-text fields of a case study, each broken by a generated case (a number for the text), so
#: a new text field needs no hand-written invalid file.
TEXT_FIELDS = [p for p in load_model()["CaseStudy"] if p.is_text and p.key and len(p.shapes) == 1]
GENERATED = {p.shapes[0][len(SHAPES_NS) :] for p in TEXT_FIELDS}


def _load(path: Path) -> tuple[bytes, str]:
    """The submission without its expectation, and the expected field."""
    if path.suffix == ".json":
        doc = json.loads(path.read_text(encoding="utf-8"))
        expected = doc.pop("_expect")["path"]
        return json.dumps(doc).encode("utf-8"), expected
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: path="), f"{path.name}: first line must be '# expect: …'"
    return path.read_bytes(), first.split("=", 1)[1].strip()


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in CASES])
def test_invalid_case_fails_on_its_shape_only(path: Path, content_kb: KnowledgeBase) -> None:
    data, expected_field = _load(path)
    shape = path.stem.split("--", 1)[0]
    report = validate(data, kb=content_kb, name=path.name)
    assert {issue.shape for issue in report.issues} == {shape}, report.to_text()
    assert expected_field in {issue.field for issue in report.issues}, report.to_text()
    severities = {issue.severity for issue in report.issues}
    assert report.conforms == (severities == {"warning"})


def _constraint_shapes() -> list[str]:
    graph: Graph = get_validator().contribution_graph
    names = set()
    for shape in set(graph.subjects(SH.path)) | set(graph.subjects(SH.targetClass)):
        text = str(shape)
        if text.startswith(SHAPES_NS) and (
            (shape, SH.path, None) in graph and (shape, SH.message, None) in graph
        ):
            names.add(text[len(SHAPES_NS) :])
    return sorted(names)


def _issues(doc: dict[str, object], kb: KnowledgeBase) -> set[tuple[str, str, str]]:
    report = validate(json.dumps(doc).encode("utf-8"), kb=kb, name="case-study.json")
    return {(issue.shape, issue.field, issue.severity) for issue in report.issues}


@pytest.mark.parametrize("key", [pytest.param(p.key, id=p.key) for p in TEXT_FIELDS])
def test_a_text_field_refuses_a_number(key: str, content_kb: KnowledgeBase) -> None:
    """Generated invalid case: a number where the shapes want text fails that field's shape."""
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    before = _issues(doc, content_kb)
    doc[key] = 12345
    new = _issues(doc, content_kb) - before
    shape = next(p.shapes[0][len(SHAPES_NS) :] for p in TEXT_FIELDS if p.key == key)
    assert new and {s for s, _, _ in new} == {shape}, new
    assert key in {f for _, f, _ in new}


@pytest.mark.parametrize("shape", _constraint_shapes())
def test_every_shape_has_an_invalid_example(shape: str) -> None:
    assert shape in GENERATED or any(p.name.startswith(f"{shape}--") for p in CASES), (
        f"add tests/data/invalid/{shape}--<case>.json breaking {shape}"
    )


@pytest.mark.parametrize("shape", _constraint_shapes())
def test_every_shape_is_documented_for_forms(shape: str) -> None:
    graph = get_validator().contribution_graph
    from rdflib import URIRef

    node = URIRef(SHAPES_NS + shape)
    for term in (SH.name, SH.description, SH.message, SH.order, SH.group, SH.severity):
        assert (node, term, None) in graph, f"{shape} has no {term}"
