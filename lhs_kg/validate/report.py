"""The validation report people read: issues named by the field they wrote, in four renderings.

Text is for the terminal, JSON for the API, Turtle is the W3C SHACL validation report itself (the
results we kept), and HTML is a fragment the web pages embed (everything escaped).
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from rdflib import Graph

SEVERITY_ORDER = {"violation": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Issue:
    """One problem: how bad, where (focus and field as written), what, the value, and a fix."""

    severity: str
    focus: str
    field: str
    message: str
    value: str | None = None
    shape: str = ""
    hint: str = ""
    constraint: str = ""
    focus_node: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The issue as a JSON-ready mapping."""
        return asdict(self)


@dataclass
class Report:
    """The outcome of validating one submission; ``conforms`` ignores warnings and infos."""

    source: str
    format: str
    issues: list[Issue] = field(default_factory=list)
    graph: Graph | None = None

    @property
    def conforms(self) -> bool:
        """True when no issue is a violation."""
        return not any(issue.severity == "violation" for issue in self.issues)

    def count(self, severity: str) -> int:
        """How many issues of one severity."""
        return sum(1 for issue in self.issues if issue.severity == severity)

    def sort(self) -> None:
        """Violations first, then by field, so reports read top to bottom."""
        self.issues.sort(key=lambda i: (SEVERITY_ORDER.get(i.severity, 3), i.field, i.message))

    def as_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready mapping (the API's answer)."""
        return {
            "source": self.source,
            "format": self.format,
            "conforms": self.conforms,
            "violations": self.count("violation"),
            "warnings": self.count("warning"),
            "issues": [issue.as_dict() for issue in self.issues],
        }

    def to_json(self) -> str:
        """JSON text of :meth:`as_dict`."""
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False)

    def to_text(self) -> str:
        """Lines for a terminal: a verdict, then one block per issue."""
        verdict = "conforms" if self.conforms else "does not conform"
        summary = f"{self.source}: {verdict}"
        counts = [
            f"{self.count(s)} {s}{'s' if self.count(s) != 1 else ''}"
            for s in ("violation", "warning")
            if self.count(s)
        ]
        if counts:
            summary += f" ({', '.join(counts)})"
        lines = [summary]
        for issue in self.issues:
            where = issue.field or "(document)"
            lines.append(f"  {issue.severity.upper()} {where}: {issue.message}")
            if issue.value is not None:
                lines.append(f"      value: {issue.value}")
            if issue.focus:
                lines.append(f"      in: {issue.focus}")
            if issue.hint:
                lines.append(f"      hint: {issue.hint}")
        return "\n".join(lines) + "\n"

    def to_turtle(self) -> str:
        """The SHACL validation report (sh:ValidationReport) as Turtle."""
        graph = self.graph if self.graph is not None else Graph()
        return graph.serialize(format="turtle")

    def to_html(self) -> str:
        """An HTML fragment (a section with a list of issues), every value escaped."""
        esc = html.escape
        state = "conforms" if self.conforms else "fails"
        verdict = (
            "Your submission conforms." if self.conforms else "Your submission has problems to fix."
        )
        parts = [
            f'<section class="validation-report validation-{state}">',
            f"<h2>{esc(verdict)}</h2>",
            f"<p>{self.count('violation')} to fix, {self.count('warning')} to consider.</p>",
        ]
        if self.issues:
            parts.append('<ol class="validation-issues">')
            for issue in self.issues:
                parts.append(f'<li class="issue issue-{esc(issue.severity)}">')
                parts.append(
                    f'<span class="issue-severity">{esc(issue.severity)}</span> '
                    f'<code class="issue-field">{esc(issue.field or "(document)")}'
                    "</code>"
                )
                parts.append(f'<p class="issue-message">{esc(issue.message)}</p>')
                if issue.value is not None:
                    parts.append(
                        f'<p class="issue-value">Value: <code>{esc(issue.value)}</code></p>'
                    )
                if issue.hint:
                    parts.append(f'<p class="issue-hint">{esc(issue.hint)}</p>')
                parts.append("</li>")
            parts.append("</ol>")
        parts.append("</section>")
        return "\n".join(parts) + "\n"

    def render(self, fmt: str) -> str:
        """The report in one of text, json, ttl or html."""
        renderers = {
            "text": self.to_text,
            "json": self.to_json,
            "ttl": self.to_turtle,
            "html": self.to_html,
        }
        return renderers[fmt]()


RENDER_FORMATS = ("text", "json", "ttl", "html")
