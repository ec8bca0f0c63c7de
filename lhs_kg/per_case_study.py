"""Dashboard answers kept as rows per case study, so a write recomputes only what it touched.

At a million triples a dashboard's full query takes seconds, and every write made all of them
stale (#16). Their answers are rows per case study (a heat map cell, a profile, a loop count)
or, for element co-occurrence, counts over each case study's elements. Kept that way, an
answer is brought up to date by running its query for the touched case studies only
(``VALUES ?caseStudy { … }``) and putting their new rows in place of the old ones; the answer's
JSON is the kept parts joined, its order the query's ``ORDER BY`` applied to the kept rows.
The first answer is computed the same way, a batch of case studies at a time
(:func:`compute`): the engine then never holds more than one batch's solutions, and the time
grows with the number of case studies (at 10M triples the full queries had not answered after
12 minutes). The full query stays the fallback and the oracle (tests compare the two).
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Protocol

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.aggregates import Answer, Select
from lhs_kg.store.base import Term
from lhs_kg.store.results import binding_texts, json_binding, json_results

Row = dict[str, Term]
OrderKey = Callable[[Row], Any]

ELEMENTS = sparql.text("describe/case-study-elements")
LABELS = sparql.text("describe/pref-label-sample")
CASE_STUDIES = sparql.text("describe/case-study-iris")
#: element-co-occurrence's projection (its rows are made here from the kept counts).
_CO_OCCURRENCE_VARIABLES = ("first", "firstLabel", "second", "secondLabel", "caseStudies")
_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
#: Above this many touched case studies, an ordered answer is sorted again whole.
_MOVED = 64
_NONE = object()
#: Case studies per restricted query (a VALUES block of this many IRIs). Oxigraph's time per
#: case study grows with the block (heat map at 1M triples: 5-9 s in blocks of 20-500, 250 s in
#: blocks of 2,000), so blocks stay small.
_BATCH = 250


@dataclass
class Kept:
    """One answer kept per case study: its rows and JSON parts, and the generation it is of."""

    generation: int
    variables: list[str]
    rows: dict[str, list[Row]] = field(default_factory=dict)
    parts: dict[str, bytes] = field(default_factory=dict)
    """Per case study, the JSON of its rows joined (one object rather than one per row)."""
    order: list[str] = field(default_factory=list)
    extra: Any = None
    keys: dict[str, Any] = field(default_factory=dict)
    """Per case study, its ORDER BY key (an ordered answer)."""
    ranked: list[tuple[Any, str]] = field(default_factory=list)
    """(key, case study), sorted: a write moves the touched case studies only."""


class Maintainer(Protocol):
    """Keeps one dashboard answer per case study."""

    def start(
        self, answer: Answer, generation: int, select: Select, saved: bytes | None = None
    ) -> Kept:
        """Keep a full answer (made by the full query, or read from the shared folder with
        what :meth:`saved` wrote beside it) per case study."""

    def saved(self, kept: Kept) -> bytes | None:
        """What, beside the answer's JSON, another process needs to keep it (None: nothing)."""

    def update(self, kept: Kept, touched: frozenset[str], select: Select) -> None:
        """Compute the rows of ``touched`` again and put them in place."""

    def empty(self, generation: int) -> Kept:
        """A kept answer with no case study yet (:func:`compute` fills it)."""

    def answer(self, kept: Kept) -> Answer:
        """The answer as kept now."""


def sparql_order(term: Term | None) -> tuple[int, str, str]:
    """A sort key that orders terms as SPARQL's ORDER BY does for our answers: unbound first,
    then blank nodes, IRIs, literals; numbers by value, other literals by their text."""
    if term is None:
        return (0, "", "")
    if isinstance(term, ox.BlankNode):
        return (1, term.value, "")
    if isinstance(term, ox.NamedNode):
        return (2, term.value, "")
    return (3, term.value, term.language or "")


def number(term: Term | None) -> float:
    """A numeric literal's value (0 for anything else)."""
    try:
        return float(term.value) if isinstance(term, ox.Literal) else 0.0
    except ValueError:
        return 0.0


class PerCaseStudy:
    """An answer made of rows that each belong to one case study (``var``), grouped so.

    ``order`` is the query's ORDER BY as a key of one row (None: the query fixes no order);
    ``bindings`` are the full query's own bound values, kept in the restricted runs.
    """

    def __init__(
        self,
        text: str,
        var: str,
        order: OrderKey | None = None,
        bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
    ) -> None:
        self.text = text
        self.var = var
        self.order = order
        self.bindings = dict(bindings or {})

    def start(
        self, answer: Answer, generation: int, select: Select, saved: bytes | None = None
    ) -> Kept:
        kept = Kept(generation, answer.variables)
        rows = answer.rows()
        for row in rows:
            term = row.get(self.var)
            if not isinstance(term, ox.NamedNode):
                raise ValueError(f"a row of the answer has no case study ?{self.var}")
            kept.rows.setdefault(term.value, []).append(row)
        kept.parts = _parts_cut(answer.body, self.var, rows) or {
            cs: b",".join(json_binding(kept.variables, row) for row in its_rows)
            for cs, its_rows in kept.rows.items()
        }
        self._rank(kept, frozenset(kept.rows))
        return kept

    def update(self, kept: Kept, touched: frozenset[str], select: Select) -> None:
        found: dict[str, list[Row]] = {}
        for batch in _batches(sorted(touched)):
            bound: list[Mapping[str, ox.NamedNode | ox.Literal]] = [
                {self.var: ox.NamedNode(cs), **self.bindings} for cs in batch
            ]
            result = select(self.text, bound)
            if not kept.variables:
                kept.variables = result.variables
            # one object per distinct term of the batch: a case study's IRI, a domain or a
            # level is in many rows (the heat map's rows took 4 objects each, 1M triples: 176k)
            terms: dict[Term, Term] = {}
            for row in result.rows():
                term = row.get(self.var)
                if isinstance(term, ox.NamedNode):
                    shared = {name: terms.setdefault(value, value) for name, value in row.items()}
                    found.setdefault(term.value, []).append(shared)
        parts = {
            cs: b",".join(json_binding(kept.variables, row) for row in its_rows)
            for cs, its_rows in found.items()
        }
        for cs in touched:
            kept.rows.pop(cs, None)
            kept.parts.pop(cs, None)
        kept.rows.update(found)
        kept.parts.update(parts)
        self._rank(kept, touched)

    def empty(self, generation: int) -> Kept:
        return Kept(generation, [])

    def saved(self, kept: Kept) -> bytes | None:
        return None  # the answer's rows are all it needs

    def answer(self, kept: Kept) -> Answer:
        # copies: the kept dicts change with the next write, an answer handed out must not
        order, rows, parts, variables = (
            list(kept.order),
            dict(kept.rows),
            dict(kept.parts),
            kept.variables,
        )

        def all_rows() -> list[Row]:
            return [row for cs in order for row in rows[cs]]

        def body() -> bytes:
            return json_results(variables, (parts[cs] for cs in order))

        return Answer(variables, rows=all_rows, body_of=body)

    def _rank(self, kept: Kept, touched: frozenset[str]) -> None:
        """Put the case studies in the ORDER BY's order: the touched ones moved in place when
        they are few (sorting 25k keys again took ~80 ms at 1M triples), else all sorted."""
        if self.order is None:
            kept.order = list(kept.rows)
            return
        key = self.order
        if len(touched) > _MOVED or len(kept.ranked) != len(kept.keys):
            kept.keys = {cs: key(rows[0]) for cs, rows in kept.rows.items()}
            kept.ranked = sorted((k, cs) for cs, k in kept.keys.items())
        else:
            for cs in touched:
                old = kept.keys.pop(cs, _NONE)
                if old is not _NONE:
                    at = bisect.bisect_left(kept.ranked, (old, cs))
                    del kept.ranked[at]
                rows = kept.rows.get(cs)
                if rows:
                    kept.keys[cs] = key(rows[0])
                    bisect.insort(kept.ranked, (kept.keys[cs], cs))
        kept.order = [cs for _, cs in kept.ranked]


class CoOccurrence:
    """Element co-occurrence: pairs of elements the same case studies name, with how many.

    Kept as each case study's elements and the pair counts; a write recounts the pairs of the
    touched case studies only. Labels are the concepts' prefLabel (looked up when a pair first
    reaches ``min_cases``).
    """

    def __init__(self, min_cases: int) -> None:
        self.min_cases = min_cases

    def start(
        self, answer: Answer, generation: int, select: Select, saved: bytes | None = None
    ) -> Kept:
        kept = Kept(generation, answer.variables)
        elements: dict[str, frozenset[str]] = {}
        grouped = _elements_from(saved) if saved is not None else None
        if grouped is None:  # nothing saved (or not readable): read them from the store
            grouped = {}
            for row in select(ELEMENTS, None).rows():
                study, element = row.get("caseStudy"), row.get("element")
                if isinstance(study, ox.NamedNode) and isinstance(element, ox.NamedNode):
                    grouped.setdefault(study.value, set()).add(element.value)
        pairs: Counter[tuple[str, str]] = Counter()
        for cs, found in grouped.items():
            elements[cs] = frozenset(found)
            pairs.update(_pairs(found))
        labels: dict[str, Term | None] = {}
        for row in answer.rows():
            for name in ("first", "second"):
                term, label = row.get(name), row.get(name + "Label")
                if isinstance(term, ox.NamedNode) and label is not None:
                    labels[term.value] = label
        kept.extra = (elements, pairs, labels)
        return kept

    def update(self, kept: Kept, touched: frozenset[str], select: Select) -> None:
        elements, pairs, labels = kept.extra
        grouped: dict[str, set[str]] = {cs: set() for cs in touched}
        for batch in _batches(sorted(touched)):
            bound: list[Mapping[str, ox.NamedNode | ox.Literal]] = [
                {"caseStudy": ox.NamedNode(cs)} for cs in batch
            ]
            for row in select(ELEMENTS, bound).rows():
                study, element = row.get("caseStudy"), row.get("element")
                if isinstance(study, ox.NamedNode) and isinstance(element, ox.NamedNode):
                    grouped[study.value].add(element.value)
        for cs, found in grouped.items():
            pairs.subtract(_pairs(elements.pop(cs, frozenset())))
            if found:
                elements[cs] = frozenset(found)
                pairs.update(_pairs(found))
        for pair in [p for p, n in pairs.items() if n <= 0]:
            del pairs[pair]
        unknown = sorted(
            {e for pair, n in pairs.items() if n >= self.min_cases for e in pair} - set(labels)
        )
        for batch in _batches(unknown):
            for row in select(LABELS, [{"concept": ox.NamedNode(e)} for e in batch]).rows():
                concept = row.get("concept")
                if isinstance(concept, ox.NamedNode):
                    labels[concept.value] = row.get("label")
            for e in batch:
                labels.setdefault(e, None)  # no prefLabel: its pairs are not shown

    def empty(self, generation: int) -> Kept:
        return Kept(generation, list(_CO_OCCURRENCE_VARIABLES), extra=({}, Counter(), {}))

    def saved(self, kept: Kept) -> bytes | None:
        """Each case study's elements (the answer holds only the pairs shown)."""
        elements: dict[str, frozenset[str]] = kept.extra[0]
        return json.dumps({cs: sorted(found) for cs, found in elements.items()}).encode()

    def answer(self, kept: Kept) -> Answer:
        _, pairs, labels = kept.extra
        variables = kept.variables
        rows: list[Row] = []
        shown = [(p, n) for p, n in pairs.items() if n >= self.min_cases]
        for (first, second), n in sorted(shown, key=lambda item: (-item[1], item[0])):
            first_label, second_label = labels.get(first), labels.get(second)
            if first_label is None or second_label is None:
                continue
            rows.append(
                {
                    "first": ox.NamedNode(first),
                    "firstLabel": first_label,
                    "second": ox.NamedNode(second),
                    "secondLabel": second_label,
                    "caseStudies": ox.Literal(str(n), datatype=_XSD_INTEGER),
                }
            )
        body = json_results(variables, [json_binding(variables, row) for row in rows])
        return Answer(variables, body, rows=lambda: rows, body_of=lambda: body)


def _elements_from(saved: bytes) -> dict[str, set[str]] | None:
    """The elements per case study :meth:`CoOccurrence.saved` wrote; None if unreadable."""
    try:
        data = json.loads(saved)
    except ValueError:
        return None
    if not isinstance(data, dict) or not all(
        isinstance(found, list) and all(isinstance(e, str) for e in found)
        for found in data.values()
    ):
        return None
    return {str(cs): set(found) for cs, found in data.items()}


def _parts_cut(body: bytes, var: str, rows: list[Row]) -> dict[str, bytes] | None:
    """Each case study's JSON part cut from the answer's own body (its bindings as they are),
    or None when the body's bindings do not line up with ``rows`` one for one."""
    try:
        texts = binding_texts(body, var)
    except ValueError:
        return None
    if len(texts) != len(rows):
        return None
    grouped: dict[str, list[str]] = {}
    for (cs, text), row in zip(texts, rows, strict=True):
        term = row.get(var)
        if cs is None or term is None or cs != term.value:
            return None
        grouped.setdefault(cs, []).append(text)
    return {cs: ",".join(its).encode("utf-8") for cs, its in grouped.items()}


def case_studies(select: Select) -> list[str] | None:
    """Every case study's IRI, to compute the answers over in batches; None when one is a blank
    node (a VALUES block cannot name it: the full query runs instead)."""
    found: list[str] = []
    for row in select(CASE_STUDIES, None).rows():
        term = row.get("cs")
        if not isinstance(term, ox.NamedNode):
            return None
        found.append(term.value)
    return found


def compute(
    maintainer: Maintainer, generation: int, select: Select, studies: list[str]
) -> Kept | None:
    """An answer computed a batch of case studies at a time (the same rows as the full query);
    None when that cannot give the full query's answer (no case study: nothing to learn the
    projected variables from)."""
    if not studies:
        return None
    kept = maintainer.empty(generation)
    maintainer.update(kept, frozenset(studies), select)
    if not kept.variables:
        return None
    return kept


def _pairs(elements: Iterable[str]) -> list[tuple[str, str]]:
    """Each pair of distinct elements once, the smaller text first (``STR(?a) < STR(?b)``)."""
    return list(combinations(sorted(set(elements)), 2))


def _batches(items: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(items), _BATCH):
        yield items[i : i + _BATCH]
