"""Writing Turtle text by hand, deterministically, for the generated content files."""

from __future__ import annotations


def literal(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """A Turtle string literal with quotes, backslashes and line breaks escaped."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^{datatype}'
    return f'"{escaped}"'


def iri(text: str) -> str:
    """An IRI written in full (concept IRIs hold a '/', which prefixed names cannot)."""
    return f"<{text}>"
