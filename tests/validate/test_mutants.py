"""Regression tests for mutants that once survived the suite, named after each mutant.

``end-year-lt-to-le``: the end-year rule of ``shapes/data/case-study.shapes.ttl`` ("end not before
start") compared the years with ``<=`` instead of ``<``, so an initiative that started and ended in
the same year was refused. The boundary is tested on both sides, through the compiled shapes and
through pySHACL's own loop, for contributions and for curated content.
"""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from lhs_kg.documents import load_document
from lhs_kg.kb import KnowledgeBase
from lhs_kg.validate import get_validator, validate
from tests.helpers import EXAMPLE

END_YEAR_SHAPE = URIRef("https://w3id.org/lhs-kg/shapes/data/CaseStudy-endYear")
START = 2019


def _submission(end_year: int, start_year: int = START) -> bytes:
    tree = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    tree["startYear"] = start_year
    tree["endYear"] = end_year
    return json.dumps(tree).encode()


def _end_year_results(report: Graph) -> list[str]:
    """The messages of the results the end-year shape gave."""
    return [
        str(report.value(result, SH.resultMessage))
        for result in report.subjects(SH.sourceShape, END_YEAR_SHAPE)
    ]


BOUNDARY = [
    pytest.param(START - 1, False, id="ends-the-year-before-it-started"),
    pytest.param(START, True, id="ends-the-year-it-started"),
    pytest.param(START + 1, True, id="ends-the-year-after-it-started"),
]


@pytest.mark.parametrize("contribution", [True, False], ids=["contribution", "curated"])
@pytest.mark.parametrize("plain", [False, True], ids=["compiled", "pyshacl"])
@pytest.mark.parametrize(("end_year", "allowed"), BOUNDARY)
def test_end_year_lt_to_le_mutant_is_killed(
    content_kb: KnowledgeBase, end_year: int, allowed: bool, plain: bool, contribution: bool
) -> None:
    """Same year is allowed, a year earlier is refused, whichever engine runs the shapes."""
    validator = get_validator(content_kb.settings)
    document = load_document(_submission(end_year), name="years.json")
    data = validator.data_graph(document, content_kb, content_kb.settings.base_iri)
    messages = _end_year_results(validator.check(data, contribution=contribution, plain=plain))
    if allowed:
        assert messages == []
    else:
        assert messages == [
            f"The end year {end_year} is before the start year {START}: check both years."
        ]


@pytest.mark.parametrize(("end_year", "allowed"), BOUNDARY)
def test_end_year_lt_to_le_mutant_is_killed_in_the_report(
    content_kb: KnowledgeBase, end_year: int, allowed: bool
) -> None:
    """The public ``validate`` call: the report conforms exactly when the years are in order."""
    report = validate(_submission(end_year), kb=content_kb, name="years.json")
    assert report.conforms is allowed, report.to_text()
    fields = {issue.field for issue in report.issues if issue.severity == "violation"}
    assert fields == (set() if allowed else {"endYear"}), report.to_text()
