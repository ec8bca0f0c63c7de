"""Toolkit read models (#14): the guidance on a framework element, and the tools of the toolkit.

Guidance lives on the concept (``lhs:guidance``, ``lhs:whyItMatters``, ``lhs:guidingQuestion``,
``lhs:guidanceSource``, ``lhs:usesTerm``); the tools that help are those that ``lhs:serves`` it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.describe.base import Reader, TermView, value
from lhs_kg.namespaces import LHS

GUIDANCE = sparql.text("describe/guidance-of")
TOOLS_SERVING = sparql.text("describe/tools-serving")
TOOLS = sparql.text("describe/tools")


@dataclass
class ToolRow:
    """One tool for a list: its link, kind, effort and the elements it serves."""

    tool: TermView
    kind: str = ""
    effort: str = ""
    serves: list[TermView] = field(default_factory=list)


@dataclass
class Guidance:
    """What a framework element means in practice, why it matters, questions, tools, terms."""

    text: list[str] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    sources: list[TermView] = field(default_factory=list)
    terms: list[TermView] = field(default_factory=list)
    tools: list[ToolRow] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when the concept carries no guidance and no tool serves it."""
        return not (self.text or self.why or self.questions or self.tools)


def guidance(reader: Reader, iri: str) -> Guidance:
    """The guidance recorded on a concept and the tools that serve it, sorted for display."""
    element = ox.NamedNode(iri)
    found = Guidance()
    links: dict[str, list[str]] = {}
    for row in reader.select(GUIDANCE, element=element):
        prop, obj = value(row, "p"), row["o"]
        texts = {
            str(LHS.guidance): found.text,
            str(LHS.whyItMatters): found.why,
            str(LHS.guidingQuestion): found.questions,
        }
        if isinstance(obj, ox.Literal) and prop in texts:
            texts[prop].append(obj.value)
        elif isinstance(obj, ox.NamedNode):
            links.setdefault(prop, []).append(obj.value)
    tool_rows = reader.select(TOOLS_SERVING, element=element)
    iris = {i for group in links.values() for i in group}
    iris |= {value(r, k) for r in tool_rows for k in ("tool", "kind") if k in r}
    labels = reader.labels(iris)

    def views(items: list[str]) -> list[TermView]:
        made = [reader.view(ox.NamedNode(i), labels) for i in sorted(set(items))]
        return sorted(made, key=lambda v: v.label.lower())

    found.sources = views(links.get(str(LHS.guidanceSource), []))
    found.terms = views(links.get(str(LHS.usesTerm), []))
    found.tools = sorted(
        (
            ToolRow(
                reader.view(row["tool"], labels),
                labels.get(value(row, "kind")) if "kind" in row else "",
            )
            for row in tool_rows
        ),
        key=lambda r: (r.kind.lower(), r.tool.label.lower()),
    )
    found.questions.sort()
    return found


def tools(reader: Reader) -> list[ToolRow]:
    """Every tool with its kind, effort and the elements it serves, by kind then name."""
    rows = reader.select(TOOLS)
    iris = {value(r, k) for r in rows for k in ("tool", "kind", "effort", "serves") if k in r}
    labels = reader.labels(iris)
    found: dict[str, ToolRow] = {}
    for row in rows:
        tool = value(row, "tool")
        entry = found.setdefault(tool, ToolRow(reader.view(row["tool"], labels)))
        if "kind" in row:
            entry.kind = labels.get(value(row, "kind"))
        if "effort" in row:
            entry.effort = labels.get(value(row, "effort"))
        if "serves" in row and all(s.value != value(row, "serves") for s in entry.serves):
            entry.serves.append(reader.view(row["serves"], labels))
    for entry in found.values():
        entry.serves.sort(key=lambda v: v.label.lower())
    return sorted(found.values(), key=lambda r: (r.kind.lower(), r.tool.label.lower()))


__all__ = ["Guidance", "ToolRow", "guidance", "tools"]
