"""From what people type to an FTS5 query that cannot be anything but words.

Each word is cut into its letters-and-digits tokens, and each token is written as a quoted FTS5
string (tokens hold no quote, so no operator, column filter or ``NEAR(`` can get through). A word
matches as a prefix (``sep`` finds sepsis), a plural also as its singular, and a word that
matches nothing also as the indexed terms one or two edits away (``sepsys`` finds sepsis).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from lhs_kg.describe.search.fields import MAX_QUERY_CHARS, MAX_WORDS

_TOKEN = re.compile(r"[^\W_]+")
MAX_TYPO_TERMS = 4
"""How many near terms a misspelt word may stand for."""
MIN_TYPO_CHARS = 4
"""Shorter words are not corrected (too many near neighbours)."""


def fold(text: str) -> str:
    """Lower case without diacritics, as the index's tokenizer folds text.

    >>> fold("Naïve Café")
    'naive cafe'
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens_of(query: str) -> list[list[str]]:
    """The words of a query, each as its tokens; anything but letters and digits separates.

    >>> tokens_of('co-design NEAR("x" *')
    [['co', 'design'], ['near', 'x']]
    >>> tokens_of('" * ( ^')
    []
    """
    found = []
    for word in query[:MAX_QUERY_CHARS].split():
        tokens = _TOKEN.findall(fold(word))
        if tokens:
            found.append(tokens)
    return found[:MAX_WORDS]


def quoted(tokens: Sequence[str]) -> str:
    """One FTS5 string of tokens (a phrase when several); tokens never hold a quote."""
    return '"' + " ".join(t.replace('"', "") for t in tokens) + '"'


def alternatives(tokens: Sequence[str], near: Sequence[str] = ()) -> str:
    """The FTS5 expression for one word: prefix, singular of a plural, and near terms.

    >>> alternatives(["outcomes"], ["outcome"])
    '("outcomes" * OR "outcome" * OR "outcome")'
    """
    options = [quoted(tokens) + " *"]
    last = tokens[-1]
    if len(last) > MIN_TYPO_CHARS and last.endswith("s"):
        options.append(quoted([*tokens[:-1], last[:-1]]) + " *")
    options += [quoted([term]) for term in near]
    return "(" + " OR ".join(options) + ")"


def distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from a to b; limit+1 if more.

    >>> distance("sepsys", "sepsis", 2), distance("sespis", "sepsis", 2)
    (1, 1)
    >>> distance("sepsis", "kaiser", 2)
    3
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return row[-1]


def near_terms(word: str, terms: Mapping[str, Sequence[tuple[str, int]]]) -> list[str]:
    """Indexed terms one edit from ``word`` (two for words of seven letters or more), the
    closest and most common first; terms starting with another letter are not looked at."""
    if len(word) < MIN_TYPO_CHARS:
        return []
    limit = 1 if len(word) < 7 else 2
    scored = []
    for term, count in terms.get(word[:1], ()):
        d = distance(word, term, limit)
        if 0 < d <= limit:
            scored.append((d, -count, term))
    return [term for _, _, term in sorted(scored)[:MAX_TYPO_TERMS]]
