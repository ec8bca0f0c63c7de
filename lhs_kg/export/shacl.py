"""SHACL validation of the whole published view, as a release needs it.

The instance data of every published graph (content files, inferred graphs and published
contributions; the ontology graphs are the vocabulary, not data) is validated as one document by
``lhs_kg.validate`` against the content shapes (``shapes/data`` without the contribution
envelope); that engine adds the ontology facts the shapes need, so pySHACL runs without inference.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from rdflib import Graph

from lhs_kg.config import Settings
from lhs_kg.documents import Document
from lhs_kg.export.dump import Selection, plan_export, write_export
from lhs_kg.graphs import graph_prefix, published_graphs
from lhs_kg.kb import KnowledgeBase
from lhs_kg.store import Store
from lhs_kg.validate import get_validator


@dataclass(frozen=True)
class ContentReport:
    """The outcome: conforms or not, the SHACL report graph as Turtle, and a text report."""

    conforms: bool
    violations: int
    warnings: int
    turtle: bytes
    report_text: str
    messages: tuple[str, ...]

    def summary(self) -> str:
        """One line: how many violations and the first few messages."""
        head = "; ".join(self.messages[:3])
        more = f" (and {len(self.messages) - 3} more)" if len(self.messages) > 3 else ""
        return f"{self.violations} violation(s): {head}{more}"

    def text(self) -> str:
        """The report for people."""
        return self.report_text


def validate_published(store: Store, settings: Settings) -> ContentReport:
    """Validate the instance data of all published graphs together against the content shapes."""
    ontology = graph_prefix(settings) + "ontology/"
    data_graphs = [g for g in published_graphs(store, settings) if not g.startswith(ontology)]
    data = Graph()
    if data_graphs:
        buffer = io.BytesIO()
        write_export(
            plan_export(store, settings, Selection(graphs=tuple(data_graphs)), "nt"), buffer
        )
        data.parse(data=buffer.getvalue(), format="nt")
    report = get_validator(settings).run(
        Document(data, "published data", "nt"),
        kb=KnowledgeBase(settings, store=store),
        contribution=False,
        base_iri=settings.base_iri,
        bounded=False,  # the curators' own published data, not an untrusted submission
    )
    messages = tuple(
        f"{issue.focus or '(document)'} {issue.field}: {issue.message}"
        for issue in report.issues
        if issue.severity == "violation"
    )
    return ContentReport(
        report.conforms,
        report.count("violation"),
        report.count("warning"),
        report.to_turtle().encode("utf-8"),
        report.to_text(),
        messages,
    )
