"""Every curated file of data/ and every example of data/examples/ conforms to the data shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lhs_kg.kb import KnowledgeBase
from lhs_kg.validate import validate
from tests.helpers import DATA, EXAMPLES, ROOT, VALID

CONTENT_FILES = sorted(p for p in DATA.rglob("*.ttl") if EXAMPLES not in p.parents)
EXAMPLE_FILES = sorted(p for p in EXAMPLES.iterdir() if p.name != "template.json")
VALID_FILES = sorted(VALID.iterdir())


def _ids(paths: list[Path]) -> list[object]:
    return [pytest.param(p, id=str(p.relative_to(ROOT))) for p in paths]


@pytest.mark.parametrize("path", _ids(CONTENT_FILES))
def test_curated_file_conforms(path: Path, content_kb: KnowledgeBase) -> None:
    settings = content_kb.settings.with_overrides(max_upload_bytes=10_000_000)
    report = validate(path, kb=content_kb, settings=settings, contribution=False)
    assert report.conforms, report.to_text()


@pytest.mark.parametrize("path", _ids(EXAMPLE_FILES + VALID_FILES))
def test_example_contribution_conforms_without_warnings(
    path: Path, content_kb: KnowledgeBase
) -> None:
    report = validate(path, kb=content_kb)
    assert report.conforms and not report.issues, report.to_text()


def test_examples_say_the_same_thing() -> None:
    """The JSON, YAML and Turtle examples are one contribution in three formats."""
    from rdflib.compare import isomorphic

    from lhs_kg.documents import load_document

    graphs = [
        load_document(EXAMPLES / name).graph
        for name in ("case-study.json", "case-study.yaml", "case-study.ttl")
    ]
    assert isomorphic(graphs[0], graphs[1])
    assert isomorphic(graphs[0], graphs[2])


def test_template_has_every_field_of_the_example() -> None:
    """The empty template offers every key the complete example uses, and no other."""

    def keys(value: object, prefix: str = "") -> set[str]:
        out: set[str] = set()
        if isinstance(value, dict):
            for key, item in value.items():
                out.add(prefix + key)
                out |= keys(item, prefix + key + ".")
        elif isinstance(value, list):
            for item in value:
                out |= keys(item, prefix)
        return out

    example = json.loads((EXAMPLES / "case-study.json").read_text(encoding="utf-8"))
    template = json.loads((EXAMPLES / "template.json").read_text(encoding="utf-8"))
    assert keys(example) <= keys(template)


def test_template_reports_every_empty_field_by_its_key(content_kb: KnowledgeBase) -> None:
    """Validating the untouched template names the fields to fill, as the contributor sees them."""
    report = validate(EXAMPLES / "template.json", kb=content_kb)
    fields = {issue.field for issue in report.issues}
    assert not report.conforms
    assert {"title", "assessment.ratings[2].level", "contributor.email"} <= fields
