"""The compiled shapes take their fast paths on the repository's shapes, not only the same answers.

``test_compiled.py`` proves the compiled report equals pySHACL's; a compiled walker that quietly
fell back to pySHACL for a rule would pass it too, only slower. These tests pin which path each
rule takes (mutants of ``lhs_kg.validate.compiled`` that only changed the path survived before).
"""

from __future__ import annotations

import pytest

from lhs_kg.validate import get_validator
from lhs_kg.validate.compiled import _QUIET, _pyshacl_parts, _Step, compile_shapes


def _steps(contribution: bool) -> list[_Step]:
    compiled = compile_shapes(get_validator()._shapes[contribution])
    assert compiled is not None
    return [step for steps in compiled._steps.values() for step in steps]


@pytest.mark.parametrize("contribution", [True, False], ids=["contribution", "curated"])
def test_every_sparql_rule_runs_in_oxigraph(contribution: bool) -> None:
    """Each SHACL-SPARQL constraint compiles to its SELECT text with $this left to bind."""
    sparql = [s for s in _steps(contribution) if type(s.component) is _pyshacl_parts()["sparql"]]
    assert sparql, "the repository's shapes have SHACL-SPARQL rules (end year, ...)"
    for step in sparql:
        assert step.kind == "sparql"
        assert step.queries
        for helper, text in step.queries:
            assert helper in step.component.sparql_constraints
            assert "SELECT" in text and "$this" in text
            assert "PREFIX lhs: <https://w3id.org/lhs-kg/ontology/>" in text


@pytest.mark.parametrize("contribution", [True, False], ids=["contribution", "curated"])
def test_each_step_has_a_quiet_twin_that_makes_no_report(contribution: bool) -> None:
    """Inside sh:or and qualified shapes only conformance counts: the twin skips the report text."""
    for step in _steps(contribution):
        assert step.quiet is not step.component
        assert type(step.quiet) is type(step.component)
        assert step.quiet.make_v_result(None, focus_node=None) == _QUIET
        assert "make_v_result" not in vars(step.component)  # the reporting one is untouched
