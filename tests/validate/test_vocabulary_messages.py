"""Unknown codes are reported with the field, the value and what is allowed (#11).

Short value sets are listed in full; for the 250 countries the closest matches are named. A
country may be written as its English name or either ISO 3166-1 code.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from lhs_kg.validate import validate
from tests.helpers import example


def _issues(**changes: Any) -> dict[str, tuple[str, str, str | None]]:
    report = validate(json.dumps(example(**changes)).encode(), name="case.json")
    return {i.field: (i.message, i.hint, i.value) for i in report.issues}


@pytest.mark.parametrize(
    ("changes", "field", "in_message", "in_hint"),
    [
        ({"loopStages": ["P2D", "my-stage"]}, "loopStages[1]", '"my-stage"', "D2K, K2P, P2D"),
        ({"scale": "galactic"}, "scale", '"galactic"', "national, provider, regional, team"),
        ({"country": "Canda"}, "country", '"Canda"', "Canada (CA)"),
        ({"country": "XX"}, "country", '"XX"', '"CA" or "CAN"'),
        ({"rationales": ["better-values"]}, "rationales[0]", '"better-values"', "better-value"),
    ],
)
def test_unknown_code_message_names_field_value_and_allowed(
    changes: dict[str, Any], field: str, in_message: str, in_hint: str
) -> None:
    issues = _issues(**changes)
    assert field in issues, issues
    message, hint, _value = issues[field]
    assert in_message in message
    assert "List at least one stage" not in message and "contains spaces" not in message
    assert in_hint in hint


def test_country_name_with_a_typo_and_spaces_names_the_closest_country() -> None:
    message, hint, value = _issues(country="Untied Kingdom")["country"]
    assert value == "Untied Kingdom" and "United Kingdom (GB)" in hint
    assert "contains spaces" not in message


@pytest.mark.parametrize("written", ["Canada", "canada", "CA", "CAN", "can"])
def test_country_as_name_or_either_code_is_accepted(written: str) -> None:
    org = {"id": "maple", "name": "Maple Health", "country": written}
    issues = _issues(country=written, organisation=org)
    assert "country" not in issues and "organisation.country" not in issues


TURTLE = """
@prefix lhs: <https://w3id.org/lhs-kg/ontology/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/lhs-kg/case-study/t> a lhs:CaseStudy ; dcterms:title "A test case" ;
    lhs:country <https://w3id.org/lhs-kg/concept/country/CA> ;
    lhs:showsLoopStage <https://w3id.org/lhs-kg/concept/loop/my-stage> .
<https://w3id.org/lhs-kg/concept/loop/my-stage> a skos:Concept , lhs:LoopStage ;
    skos:prefLabel "My stage"@en ;
    skos:inScheme <https://w3id.org/lhs-kg/concept/loop> .
"""


def test_regression_turtle_declaring_its_own_loop_stage_passed_the_shapes() -> None:
    report = validate(TURTLE.encode(), name="case.ttl", contribution=False)
    shapes = {i.shape for i in report.issues if i.severity == "violation"}
    assert {"CaseStudy-loopStages", "Concept-known"} <= shapes, report.to_text()
    stage = next(i for i in report.issues if i.shape == "CaseStudy-loopStages")
    assert '"my-stage"' in stage.message and "P2D" in stage.hint
