"""Glossary terms in running text (#15): find where a term of the glossary first occurs, so a
page can link it to the term's definition. The engine finds the places; the web layer links them.

>>> names = [GlossaryName("Learning Health System", "g/lhs"), GlossaryName("LHS", "g/lhs")]
>>> [(m.start, m.end, m.iri) for m in find_terms("Learning health systems and an LHS.", names)]
[(0, 23, 'g/lhs'), (31, 34, 'g/lhs')]
>>> find_terms("LHSX lhs", names)
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lhs_kg import sparql
from lhs_kg.describe.base import Reader, value

TERMS = sparql.text("describe/glossary-terms")


@dataclass(frozen=True)
class GlossaryName:
    """One name a glossary term goes by (a preferred or alternative label) and the term's IRI."""

    name: str
    iri: str


@dataclass(frozen=True)
class Match:
    """Where in a text a glossary term occurs."""

    start: int
    end: int
    iri: str


def names(reader: Reader) -> tuple[GlossaryName, ...]:
    """Every name of every glossary term, longest first, once per published view."""

    def compute() -> tuple[GlossaryName, ...]:
        found = {
            GlossaryName(value(row, "name"), value(row, "term")) for row in reader.select(TERMS)
        }
        return tuple(sorted(found, key=lambda n: (-len(n.name), n.name)))

    return reader.memo("glossary-names", compute)


def find_terms(text: str, known: tuple[GlossaryName, ...] | list[GlossaryName]) -> list[Match]:
    """Every non-overlapping occurrence of a known name, longest names first, in text order.

    Acronyms (names in capitals) match exactly; other names ignore case and may take a plural s.
    """
    taken: list[Match] = []
    for entry in known:
        for found in _pattern(entry.name).finditer(text):
            if not any(found.start() < m.end and m.start < found.end() for m in taken):
                taken.append(Match(found.start(), found.end(), entry.iri))
    return sorted(taken, key=lambda m: m.start)


@lru_cache(maxsize=512)
def _pattern(name: str) -> re.Pattern[str]:
    """The regular expression that finds ``name`` as whole words."""
    escaped = re.escape(name).replace(r"\ ", r"\s+")
    if name.isupper():
        return re.compile(rf"(?<![\w-]){escaped}s?(?![\w-])")
    return re.compile(rf"(?<![\w-]){escaped}(?:s|es)?(?![\w-])", re.IGNORECASE)
