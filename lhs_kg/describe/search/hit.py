"""One search result, as every search engine here returns it and the pages show it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Hit:
    """A resource that matched, with its context (scheme, broader concept) and the matching text.

    ``parts`` is the snippet cut into pieces, each flagged True where it matched the query, so a
    page can mark the match without trusting any markup in the text.
    """

    iri: str
    label: str
    kind: str
    score: float
    matched_field: str
    snippet: str
    local: bool
    schemes: list[str] = field(default_factory=list)
    broader: list[str] = field(default_factory=list)
    parts: list[tuple[str, bool]] = field(default_factory=list)
