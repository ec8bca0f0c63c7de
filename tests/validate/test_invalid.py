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
from lhs_kg.validate import get_validator, validate
from tests.helpers import INVALID

SHAPES_NS = "https://w3id.org/lhs-kg/shapes/data/"
CASES = sorted(INVALID.iterdir())


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


@pytest.mark.parametrize("shape", _constraint_shapes())
def test_every_shape_has_an_invalid_example(shape: str) -> None:
    assert any(p.name.startswith(f"{shape}--") for p in CASES), (
        f"add tests/data/invalid/{shape}--<case>.json breaking {shape}"
    )


@pytest.mark.parametrize("shape", _constraint_shapes())
def test_every_shape_is_documented_for_forms(shape: str) -> None:
    graph = get_validator().contribution_graph
    from rdflib import URIRef

    node = URIRef(SHAPES_NS + shape)
    for term in (SH.name, SH.description, SH.message, SH.order, SH.group, SH.severity):
        assert (node, term, None) in graph, f"{shape} has no {term}"
