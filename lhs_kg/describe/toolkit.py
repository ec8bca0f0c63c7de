"""Toolkit read models (#14): the guidance on a framework element, and the tools of the toolkit.

Guidance lives on the concept (``lhs:guidance``, ``lhs:whyItMatters``, ``lhs:guidingQuestion``,
``lhs:guidanceSource``, ``lhs:usesTerm``); the tools that help are those that ``lhs:serves`` it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.describe.base import LabelBook, Reader, TermView, value
from lhs_kg.describe.resource import ResourceFacts, edges, label_book
from lhs_kg.namespaces import LHS

GUIDANCE = sparql.text("describe/guidance-of")
TOOLS_SERVING = sparql.text("describe/tools-serving")
TOOLS = sparql.text("describe/tools")
#: The properties GUIDANCE reads (the concept's own triples, kept in its page's one read).
_GUIDANCE_PROPS = frozenset(
    str(p)
    for p in (LHS.guidance, LHS.whyItMatters, LHS.guidingQuestion, LHS.guidanceSource, LHS.usesTerm)
)


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


def guidance(reader: Reader, iri: str, facts: ResourceFacts | None = None) -> Guidance:
    """The guidance recorded on a concept and the tools that serve it, sorted for display.

    With ``facts`` (the page's one read of the concept) the guidance and its links' labels come
    from there, and the tools are asked for only when a link in says some tool serves it.
    """
    element = ox.NamedNode(iri)
    found = Guidance()
    links: dict[str, list[str]] = {}
    if facts is not None:
        rows = [{"p": ox.NamedNode(p), "o": o} for s, p, o in edges(facts.own) if s == element]
        rows = [r for r in rows if r["p"].value in _GUIDANCE_PROPS]
    else:
        rows = reader.select(GUIDANCE, element=element)
    for row in rows:
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
    served = facts is None or not facts.incoming_complete
    served = served or any(p == str(LHS.serves) for p, _ in (facts.incoming if facts else []))
    tool_rows = reader.select(TOOLS_SERVING, element=element) if served else []
    iris = {i for group in links.values() for i in group}
    iris |= {value(r, k) for r in tool_rows for k in ("tool", "kind") if k in r}
    labels = label_book(facts.labels) if facts is not None else LabelBook()
    labels = reader.labels(iris, labels)

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
