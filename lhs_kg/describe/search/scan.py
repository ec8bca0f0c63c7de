"""The first search: one SPARQL scan of every searched field per query. Kept as the peer the
benchmark compares the full-text index with (``python -m bench.search``), and as the fallback
where Python's SQLite lacks FTS5.

Every word of the query must occur (case-insensitively) in one field; hits are ranked by the
field they matched in (a label beats a definition) and by how closely (exact, prefix, phrase).
The words are bound as SPARQL parameters; only the number of words changes the query text.
"""

from __future__ import annotations

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.describe.base import Reader, value
from lhs_kg.describe.search.fields import LABEL_FIELDS, TYPES, fields, words_of
from lhs_kg.describe.search.hit import Hit
from lhs_kg.sparql.binding import Row

SEARCH_QUERY = sparql.text("describe/search")
"""Every word must occur: up to MAX_WORDS words are bound (?w1…), the others left unbound."""


def _kind(types: set[str]) -> str:
    for name, cls in TYPES.items():
        if cls in types:
            return name
    return "other"


def _closeness(text: str, phrase: str) -> float:
    lowered = text.lower()
    if lowered == phrase:
        return 3.0
    if lowered.startswith(phrase):
        return 2.0
    if phrase in lowered:
        return 1.5
    return 1.0


def scan_search(
    reader: Reader,
    query: str,
    *,
    types: list[str] | None = None,
    limit: int = 50,
    labels_only: bool = False,
) -> list[Hit]:
    """Ranked hits for ``query``, optionally only of the given kinds ('concept', 'source'…)."""
    words = words_of(query)
    if not words:
        return []
    phrase = " ".join(words)
    weights = fields(reader.kb.settings)
    bound: list[Row] = [{f"w{i}": ox.Literal(w) for i, w in enumerate(words, 1)}]
    bound += [{"p": ox.NamedNode(f)} for f in (LABEL_FIELDS if labels_only else weights)]
    bound += [{"type": ox.NamedNode(t)} for t in TYPES.values()]
    rows = reader.select(SEARCH_QUERY, bound)
    hits: dict[str, Hit] = {}
    kinds: dict[str, set[str]] = {}
    for row in rows:
        iri = value(row, "s")
        prop = value(row, "p")
        matched = value(row, "text")
        score = weights.get(prop, 1) * _closeness(matched, phrase)
        kinds.setdefault(iri, set()).add(value(row, "type"))
        hit = hits.get(iri)
        if hit is None:
            hit = hits[iri] = Hit(
                iri, value(row, "label") or iri, "other", score, prop, matched, reader.is_local(iri)
            )
        elif score > hit.score:
            hit.score, hit.matched_field, hit.snippet = score, prop, matched
        if value(row, "schemeLabel") and value(row, "schemeLabel") not in hit.schemes:
            hit.schemes.append(value(row, "schemeLabel"))
        if value(row, "broaderLabel") and value(row, "broaderLabel") not in hit.broader:
            hit.broader.append(value(row, "broaderLabel"))
    for iri, hit in hits.items():
        hit.kind = _kind(kinds[iri])
        hit.schemes.sort()
        hit.broader.sort()
    wanted = {t for t in (types or []) if t in TYPES or t == "other"}
    found = [h for h in hits.values() if not wanted or h.kind in wanted]
    found.sort(key=lambda h: (-h.score, h.label.lower(), h.iri))
    return found[: max(1, limit)]
