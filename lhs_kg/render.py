"""Turning query results into text for terminals: compact terms and aligned tables."""

from __future__ import annotations

import pyoxigraph as ox

from lhs_kg.namespaces import DISPLAY_PREFIXES
from lhs_kg.store.base import QueryResult

_BY_LENGTH = sorted(DISPLAY_PREFIXES.items(), key=lambda item: -len(item[1]))


def compact(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    """A term as a person reads it: prefixed name, ``_:b`` or the literal's text."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, ns in _BY_LENGTH:
            if term.value.startswith(ns):
                return f"{prefix}:{term.value[len(ns) :]}"
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def table(result: QueryResult, *, max_width: int = 60) -> str:
    """An aligned plain-text table of a SELECT result (or 'true'/'false' for ASK)."""
    if result.kind == "ask":
        return "true" if result.boolean else "false"
    names = result.variables
    rows = [[_clip(compact(solution[name]), max_width) for name in names] for solution in result]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = [
        "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
