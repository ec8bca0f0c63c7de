"""Search and autocomplete: the full-text index (SQLite FTS5) over labels, other names, authors
and every free-text field the shapes describe, with fragments folded into their parents.

Modules: :mod:`.fields` (what is searched), :mod:`.index` (building and keeping the index),
:mod:`.terms` (query words → a safe FTS5 expression, typo tolerance), :mod:`.engine` (ranking),
:mod:`.hit` (a result), :mod:`.scan` (the former SPARQL scan, the benchmark's peer).
"""

from lhs_kg.describe.search.engine import autocomplete, corrections, search
from lhs_kg.describe.search.fields import (
    FIELDS,
    KINDS,
    MAX_QUERY_CHARS,
    MAX_WORDS,
    TYPES,
    fields,
    words_of,
)
from lhs_kg.describe.search.hit import Hit
from lhs_kg.describe.search.index import Index, build_index, index_for

__all__ = [
    "FIELDS",
    "KINDS",
    "MAX_QUERY_CHARS",
    "MAX_WORDS",
    "TYPES",
    "Hit",
    "Index",
    "autocomplete",
    "build_index",
    "corrections",
    "fields",
    "index_for",
    "search",
    "words_of",
]
