"""The pathway through the framework (#15): why → complexity → strategy → building blocks.

The steps are content (``ontology/pathway.ttl``, a SKOS scheme): each covers one part of the
framework (``skos:related``), asks the team's questions (``lhs:guidingQuestion``) and may name a
page to act on (``rdfs:seeAlso``). What a step links to (the part's guidance and elements, the
tools that serve them, the case studies that show them) is read from the knowledge graph.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.describe.base import Reader, TermView, value
from lhs_kg.describe.toolkit import Guidance, guidance

STEPS = sparql.text("describe/pathway-steps")
ELEMENTS = sparql.text("describe/pathway-elements")
TOOLS = sparql.text("describe/pathway-tools")
CASE_STUDIES = sparql.text("describe/pathway-case-studies")
#: How many case studies a step lists (most relevant first); the query's LIMIT.
CASE_STUDIES_SHOWN = 12


@dataclass(frozen=True)
class Step:
    """One step of the pathway as the list of steps shows it."""

    iri: str
    id: str
    label: str
    notation: str
    definition: str
    part: str
    part_label: str
    action: str
    action_label: str


@dataclass(frozen=True)
class Element:
    """An element of the step's framework part, with the first paragraph of its guidance."""

    iri: str
    label: str
    notation: str
    definition: str
    guidance: str
    order: int = 0


@dataclass
class StepPage:
    """Everything a step's page shows, with its neighbours for previous/next links."""

    step: Step
    questions: list[str]
    part_guidance: Guidance
    elements: list[Element] = field(default_factory=list)
    tools: list[tuple[TermView, str]] = field(default_factory=list)
    #: Each case study with how many of the step's elements it shows and how many it rates complex.
    case_studies: list[tuple[TermView, int, int]] = field(default_factory=list)
    previous: Step | None = None
    next: Step | None = None


def scheme_iri(reader: Reader) -> str:
    """The pathway scheme's IRI under the knowledge base's base IRI."""
    return f"{reader.base_iri}concept/pathway"


def steps(reader: Reader) -> list[Step]:
    """The steps in order (by notation), the same for every page of one published view."""
    return reader.memo("pathway-steps", lambda: _steps(reader))


def _steps(reader: Reader) -> list[Step]:
    scheme = scheme_iri(reader)
    out = []
    for row in reader.select(STEPS, scheme=ox.NamedNode(scheme)):
        iri = value(row, "step")
        out.append(
            Step(
                iri,
                iri.rsplit("/", 1)[-1],
                value(row, "label"),
                value(row, "notation"),
                value(row, "definition"),
                value(row, "part"),
                value(row, "partLabel"),
                value(row, "action"),
                value(row, "actionLabel"),
            )
        )
    out.sort(key=lambda s: (len(s.notation), s.notation, s.label))
    return out


def step_page(reader: Reader, step_id: str) -> StepPage | None:
    """One step with what it links to; None when there is no step of that id."""
    found = steps(reader)
    index = next((i for i, s in enumerate(found) if s.id == step_id), None)
    if index is None:
        return None
    step = found[index]
    own = guidance(reader, step.iri)
    page = StepPage(
        step,
        own.questions,
        guidance(reader, step.part) if step.part else Guidance(),
        previous=found[index - 1] if index > 0 else None,
        next=found[index + 1] if index + 1 < len(found) else None,
    )
    if not step.part:
        return page
    part = ox.NamedNode(step.part)
    page.elements = sorted(
        (
            Element(
                value(r, "element"),
                value(r, "label"),
                value(r, "notation"),
                value(r, "definition"),
                value(r, "guidance"),
                int(value(r, "order", "0") or 0),
            )
            for r in reader.select(ELEMENTS, part=part)
        ),
        key=lambda e: (e.order, len(e.notation), e.notation, e.label.lower()),
    )
    tool_rows = reader.select(TOOLS, part=part)
    case_rows = reader.select(CASE_STUDIES, part=part)
    labels = reader.labels(
        {value(r, "tool") for r in tool_rows}
        | {value(r, "kind") for r in tool_rows if value(r, "kind")}
        | {value(r, "cs") for r in case_rows}
    )
    page.tools = [
        (
            _view(reader, value(r, "tool"), labels.get),
            labels.get(value(r, "kind")) if value(r, "kind") else "",
        )
        for r in tool_rows
    ]
    page.case_studies = [
        (
            _view(reader, value(r, "cs"), labels.get),
            int(value(r, "n", "0")),
            int(value(r, "complex", "0")),
        )
        for r in case_rows
    ]
    return page


def _view(reader: Reader, iri: str, name_of: Callable[[str], str]) -> TermView:
    """A linked resource for the page, named by its label."""
    return TermView("iri", iri, name_of(iri), local=reader.is_local(iri))
