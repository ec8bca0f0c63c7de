"""Tools travel the contribution path of case studies: validated, stored pending, reviewed (#14)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from lhs_kg.contributions import Contributions
from lhs_kg.graphs import published_graphs
from lhs_kg.kb import KnowledgeBase
from tests.helpers import EXAMPLES

TOOL_EXAMPLE = EXAMPLES / "tool.json"
BASE = "https://w3id.org/lhs-kg/"


def tool(**changes: Any) -> bytes:
    """The example tool contribution as JSON bytes, with changes (None removes a key)."""
    doc: dict[str, Any] = copy.deepcopy(json.loads(TOOL_EXAMPLE.read_text(encoding="utf-8")))
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    return json.dumps(doc).encode("utf-8")


def test_a_tool_is_stored_pending_under_the_tool_folder(contributions: Contributions) -> None:
    """A tool's short id names it under <base>tool/, in its own contribution thread."""
    out = contributions.submit(tool(), "json", channel="api")
    assert out.stored, out.report.to_text()
    assert out.version is not None
    assert out.version.subject == BASE + "tool/example-huddle-board"
    assert out.version.ref == "tool.example-huddle-board/v1"
    assert out.version.state == "pending"


def test_an_unnamed_tool_gets_an_id_from_its_title(contributions: Contributions) -> None:
    out = contributions.submit(tool(id=None), "json")
    assert out.stored, out.report.to_text()
    assert out.version is not None
    assert out.version.subject == BASE + "tool/example-a-daily-improvement-huddle-board"


def test_an_accepted_tool_enters_the_published_view(
    contributions: Contributions, kb: KnowledgeBase
) -> None:
    out = contributions.submit(tool(), "json")
    assert out.version is not None
    assert out.version.graph not in published_graphs(kb.store, kb.settings)
    contributions.decide(out.version.ref, "accept", "reviewer-1")
    assert out.version.graph in published_graphs(kb.store, kb.settings)
    found = kb.query(
        "ASK { <https://w3id.org/lhs-kg/tool/example-huddle-board> a "
        "<https://w3id.org/lhs-kg/ontology/Tool> ; "
        "<https://w3id.org/lhs-kg/ontology/serves> "
        "<https://w3id.org/lhs-kg/concept/strategy/culture-of-learning> }"
    )
    assert found.boolean


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"sources": None}, "sources", id="without-a-source"),
        pytest.param({"kind": "gadget"}, "kind", id="unknown-kind"),
        pytest.param({"id": "../case-study/improvecarenow"}, "id", id="id-outside-tool-folder"),
    ],
)
def test_a_nonconforming_tool_is_refused_and_nothing_is_written(
    contributions: Contributions, changes: dict[str, Any], field: str
) -> None:
    out = contributions.submit(tool(**changes), "json")
    assert not out.stored
    assert field in {issue.field for issue in out.report.issues}, out.report.to_text()
    assert contributions.versions() == []


def test_a_tool_and_a_case_study_in_one_document_are_refused(
    contributions: Contributions,
) -> None:
    """One subject per contribution: a graph holding a tool and a case study is refused."""
    doc = json.loads(tool())
    doc["@included"] = [{"type": "CaseStudy", "title": "A second subject"}]
    out = contributions.submit(json.dumps(doc).encode(), "json")
    assert not out.stored
    assert any("exactly one case study, one tool" in issue.message for issue in out.report.issues)


def test_the_curated_graph_query_knows_every_contribution_kind() -> None:
    """The .rq that finds a curated file's graph names the classes of contribution_kinds."""
    import re

    from lhs_kg import sparql
    from lhs_kg.contribution_kinds import KINDS

    text = sparql.text("contributions/curated-graph")
    named = {
        BASE + "ontology/" + m for m in re.findall(r"lhs:(\w+)", text.split("VALUES ?kind")[1])
    }
    assert named >= {str(cls) for cls in KINDS}
