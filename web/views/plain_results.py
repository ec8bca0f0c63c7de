"""A named query's answer for people (#15): headings from the query's header, labels for links,
numbers and dates formatted, no datatype or language tag. The SPARQL editor keeps the raw view
(:func:`web.views.sparql.result_table`): there the reader asked for SPARQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pyoxigraph as ox

from lhs_kg.describe.base import Reader
from lhs_kg.plain import literal_text
from lhs_kg.protocol import Answer
from lhs_kg.queries import NamedQuery
from lhs_kg.store.base import Term
from web.views.sparql import Cell, Table, local_path

_TRIPLE = ("subject", "predicate", "object")


def plain_table(answer: Answer, query: NamedQuery, reader: Reader) -> Table:
    """Columns headed by their labels and cells in plain words; ``xLabel`` names column ``x``."""
    if answer.kind == "ask":
        return Table([], [], answer.boolean)
    rows: list[Mapping[str, Term]]
    if answer.kind == "graph":
        names: list[str] = list(_TRIPLE)
        rows = [
            dict(zip(_TRIPLE, (t.subject, t.predicate, t.object), strict=True))
            for t in answer.triples
        ]
    else:
        names, rows = answer.variables, answer.rows
    folded = {n for n in names if n.endswith("Label") and n[:-5] in names}
    columns = [n for n in names if n not in folded]
    unlabelled = {
        term.value
        for row in rows
        for name in columns
        if isinstance(term := row.get(name), ox.NamedNode) and row.get(f"{name}Label") is None
    }
    book = reader.labels(unlabelled)
    body = [[_cell(row.get(n), row.get(f"{n}Label"), book.get) for n in columns] for row in rows]
    return Table([query.column(n) for n in columns], body)


def _cell(term: Term | None, label: Term | None, name_of: Callable[[str], str]) -> Cell:
    """One cell: a link named by its label, or a literal's formatted text."""
    if term is None:
        return Cell("")
    if isinstance(term, ox.NamedNode):
        shown = label.value if label is not None else name_of(term.value)
        href = local_path(term.value)
        if href is None and term.value.startswith(("http://", "https://")):
            href = term.value
        return Cell(shown, href, term.value, "iri")
    if isinstance(term, ox.Literal):
        if label is not None and label.value:  # e.g. source IRIs joined in one string, named
            return Cell(label.value)
        return Cell(literal_text(term.value, term.datatype.value))
    return Cell("(unnamed)", None, "", "literal")
