"""Search over the full-text index: the things people look for first, each once, with a snippet.

Ranking: FTS5's BM25 with a title worth more than other names and those more than the body,
weighted by kind (a case study, concept or glossary term before a source) and by how closely
the title matches the whole query (exact, then starting with it). Resources of no searchable
kind (ontology terms, say) always come after the rest.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from lhs_kg.describe.base import Reader
from lhs_kg.describe.search.fields import GLOSSARY, KINDS
from lhs_kg.describe.search.hit import Hit
from lhs_kg.describe.search.index import SEPARATOR, Index, fts5_available, index_for
from lhs_kg.describe.search.scan import scan_search
from lhs_kg.describe.search.terms import alternatives, fold, near_terms, quoted, tokens_of

KIND_WEIGHTS: dict[str, float] = {
    "case-study": 1.6,
    "concept": 1.4,
    GLOSSARY: 1.4,
    "tool": 1.3,
    "scheme": 1.2,
    "source": 1.2,
    "organisation": 1.1,
    "other": 0.5,
}
"""How much each kind's score is raised: what people look for before what merely mentions it."""
COLUMN_WEIGHTS = (10.0, 5.0, 1.0)
"""BM25 weights of the title, names and body columns."""
CANDIDATES = 400
"""How many best BM25 matches are re-ranked."""
START, END = "\x02", "\x03"
SNIPPET_TOKENS = 18


def _expression(
    index: Index, words: list[list[str]], labels_only: bool
) -> tuple[str, dict[str, list[str]]]:
    """The MATCH expression (every word must occur: as a prefix, singular or near term), and
    the near terms each word that matched nothing stands for."""
    connection = index.connect()
    parts = []
    near: dict[str, list[str]] = {}
    for tokens in words:
        if len(tokens) == 1 and not _matches(connection, quoted(tokens) + " *"):
            near[tokens[0]] = near_terms(tokens[0], index.terms)
        parts.append(alternatives(tokens, near.get(tokens[0], []) if len(tokens) == 1 else []))
    expression = " AND ".join(parts)
    if labels_only:
        expression = "{title names} : (" + expression + ")"
    return expression, near


def _matches(connection: sqlite3.Connection, expression: str) -> bool:
    row = connection.execute("SELECT 1 FROM docs WHERE docs MATCH ? LIMIT 1", (expression,))
    return row.fetchone() is not None


def _parts(snippet: str) -> list[tuple[str, bool]]:
    """The snippet cut at the index's match markers into (text, matched) pieces."""
    parts: list[tuple[str, bool]] = []
    for i, chunk in enumerate(snippet.split(START)):
        inside, _, after = chunk.partition(END) if i else ("", "", chunk)
        if inside:
            parts.append((inside, True))
        if after:
            parts.append((after, False))
    return parts


def _closeness(label: str, phrase: str) -> float:
    folded = fold(label)
    if folded == phrase:
        return 3.0
    if folded.startswith(phrase):
        return 2.0
    return 1.5 if phrase in folded else 1.0


def search(
    reader: Reader,
    query: str,
    *,
    types: Sequence[str] | None = None,
    limit: int = 50,
    labels_only: bool = False,
) -> list[Hit]:
    """Ranked hits for ``query``, optionally only of the given kinds ('concept', 'source'…).

    Never raises on what people type: anything that is not a letter or digit only separates
    words.
    """
    words = tokens_of(query)
    if not words:
        return []
    if not fts5_available():
        return scan_search(
            reader, query, types=list(types or []), limit=limit, labels_only=labels_only
        )
    index = index_for(reader)
    expression, _ = _expression(index, words, labels_only)
    wanted = [t for t in (types or []) if t in KINDS]
    sql = (
        "SELECT iri, kind, label, schemes, broader, "
        f"snippet(docs, 2, '{START}', '{END}', '…', {SNIPPET_TOKENS}), "
        f"snippet(docs, 1, '{START}', '{END}', '…', {SNIPPET_TOKENS}), "
        "bm25(docs, ?, ?, ?) FROM docs WHERE docs MATCH ?"
    )
    params: list[object] = [*COLUMN_WEIGHTS, expression]
    if wanted:
        sql += f" AND kind IN ({', '.join('?' * len(wanted))})"
        params += wanted
    sql += " ORDER BY 8 LIMIT ?"
    params.append(CANDIDATES)
    try:
        rows = index.connect().execute(sql, params).fetchall()
    except sqlite3.Error:  # pragma: no cover - every token is quoted; kept as a last guard
        return []
    phrase = " ".join(" ".join(tokens) for tokens in words)
    hits = []
    for iri, kind, label, schemes, broader, body, names, bm25 in rows:
        # the text that matched besides the title (which the page shows anyway)
        parts = _parts(body if START in body else names if START in names else "")
        score = -bm25 * KIND_WEIGHTS.get(kind, 1.0) * _closeness(label, phrase)
        hits.append(
            Hit(
                iri,
                label,
                kind,
                score,
                "",
                "".join(text for text, _ in parts),
                reader.is_local(iri),
                [s for s in schemes.split(SEPARATOR) if s],
                [b for b in broader.split(SEPARATOR) if b],
                parts,
            )
        )
    hits.sort(key=lambda h: (h.kind == "other", -h.score, h.label.lower(), h.iri))
    return hits[: max(1, limit)]


def corrections(reader: Reader, query: str) -> dict[str, list[str]]:
    """The words of ``query`` that match nothing, each with the indexed terms searched instead
    ({} when every word matches), so a page can say what it looked for."""
    words = tokens_of(query)
    if not words or not fts5_available():
        return {}
    _, near = _expression(index_for(reader), words, False)
    return {word: terms for word, terms in near.items() if terms}


def autocomplete(reader: Reader, query: str, limit: int = 10) -> list[Hit]:
    """The best few matches of titles and other names for a search box."""
    return search(reader, query, limit=limit, labels_only=True)
