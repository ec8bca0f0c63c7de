"""Reading SPARQL text without executing it: its form, nesting depth, SERVICE use, VALUES injection.

Oxigraph overflows its stack on deeply nested queries and has no time limit of its own, so every
query is looked at here before it reaches a store. The token scanner (one compiled regular
expression) gives the form and operator counts cheaply; the guard's decisions on SERVICE and
depth are taken on a real parse (:mod:`lhs_kg.sparql_guard`, #12): the scanner alone was
fooled by spellings Oxigraph reads differently (``SERVICEs:x``, ``ex:a\\#``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from lhs_kg import sparql_guard
from lhs_kg.errors import QueryRejectedError
from lhs_kg.sparql.binding import SKIPPED_TEXT, bind, term_to_sparql

__all__ = ["check_query", "inject_values", "query_form", "term_to_sparql", "uses_service"]

_SCANNER = re.compile(
    r"""
      (?P<skip>
"""
    + SKIPPED_TEXT
    + r"""        | [?$][A-Za-z0-9_\u00b7-\uffff]+               # variables
      )
    | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*)
    | (?P<punct>[{}()\[\]])
    | (?P<op>&&|\|\||[!^|/+*=<>-])
    """,
    re.VERBOSE | re.DOTALL,
)
_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}
_UPDATE_WORDS = {
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
}
_OPEN, _CLOSE = set("{(["), set("})]")
_GROUP_OPERATORS = {"UNION", "MINUS", "OPTIONAL"}


@dataclass(frozen=True)
class Token:
    """A significant piece of query text: a word or a bracket, and where it starts."""

    text: str
    start: int


def tokens(text: str) -> Iterator[Token]:
    """Yield words and brackets, skipping strings, IRIs, comments and variables."""
    for match in _SCANNER.finditer(text):
        if match.lastgroup != "skip":
            yield Token(match.group(), match.start())


@dataclass(frozen=True)
class QueryShape:
    """What the guard needs to know: form, nesting, path/negation operators, SERVICE."""

    form: str
    depth: int
    uses_service: bool
    operators: int = 0


@lru_cache(maxsize=2048)
def shape(text: str) -> QueryShape:
    """Scan the text once (cached: named queries and pages send the same texts again and again)."""
    form = "unknown"
    depth = deepest = 0
    service = False
    operators = 0
    for match in _SCANNER.finditer(text):
        kind = match.lastgroup
        if kind == "skip":
            continue
        if kind == "op":
            operators += 1
            continue
        value = match.group()
        if value in _OPEN:
            depth += 1
            operators += value == "{"  # every group pattern is one more for the parser
            if depth > deepest:
                deepest = depth
        elif value in _CLOSE:
            depth -= 1
        else:
            upper = value.upper()
            if form == "unknown":
                if upper in _FORMS:
                    form = upper.lower()
                elif upper in _UPDATE_WORDS:
                    form = "update"
            if upper == "SERVICE":
                service = True
            elif upper in _GROUP_OPERATORS:
                operators += 1
    return QueryShape(form, deepest, service, operators)


def query_form(text: str) -> str:
    """'select', 'construct', 'describe', 'ask', 'update' or 'unknown'.

    The first form keyword decides (as in :func:`shape`), so the scan stops there: the store
    asks this of every query it is sent, mostly freshly bound texts no cache has seen, and a
    whole scan of a 4 KB page query took ~0.4 ms (#16).
    """
    for match in _SCANNER.finditer(text):
        if match.lastgroup != "word":
            continue
        upper = match.group().upper()
        if upper in _FORMS:
            return upper.lower()
        if upper in _UPDATE_WORDS:
            return "update"
    return "unknown"


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``{}``, ``()`` and ``[]`` in the query."""
    return shape(text).depth


def uses_service(text: str) -> bool:
    """True when the token scan or the parse sees a SERVICE clause (federation)."""
    if shape(text).uses_service:
        return True
    try:
        return _parsed(text).uses_service
    except QueryRejectedError:
        return False


MAX_OPERATORS = 2_000
"""Operators a query may chain (paths ``/ | ^``, negation ``!``, arithmetic, comparison,
``&& ||``, groups and ``UNION``/``MINUS``/``OPTIONAL``): Oxigraph's parser recurses on chains
of them (``!!!!…`` or a path of thousands of steps) and can overflow its stack, the guard's own
parse of a long chain takes seconds, and a legitimate query needs a few dozen at most."""


MAX_PATH_STEPS = 256
"""Steps (``/``) of property-path sequences a query may hold: Oxigraph's evaluation of a
sequence grows much faster than its length, and real queries use a handful."""


def check_query(
    text: str,
    *,
    max_chars: int,
    max_depth: int,
    allow_service: bool,
    max_operators: int = MAX_OPERATORS,
    parse: bool = True,
) -> str:
    """Refuse a query that is too long, too deeply nested, too operator-heavy or federated.

    The cheap checks (length, a bracket count that over-approximates nesting, operators, the
    token scan) come first; then, with ``parse``, the decision on the real parse of
    :mod:`lhs_kg.sparql_guard`, which refuses whatever it cannot read. ``parse=False`` is for
    callers that run the parse elsewhere (the query worker processes). Returns the form.
    """
    if not text.strip():
        raise QueryRejectedError("the query is empty")
    if len(text) > max_chars:
        raise QueryRejectedError(
            f"the query is {len(text):,} characters long; the limit is {max_chars:,}"
        )
    expanded = sparql_guard.expand_escapes(text)
    bound = max(sparql_guard.bracket_bound(text), sparql_guard.bracket_bound(expanded))
    if bound > max_depth:
        raise QueryRejectedError(f"the query nests {bound} levels deep; the limit is {max_depth}")
    found = shape(text)
    operators = max(found.operators, sparql_guard.operator_bound(expanded))
    if operators > max_operators:
        raise QueryRejectedError(
            f"the query chains {operators:,} operators (paths, negations, arithmetic, "
            "comparisons, groups, UNION/MINUS/OPTIONAL); "
            f"the limit is {max_operators:,}"
        )
    steps = sparql_guard.path_step_bound(expanded)
    if steps > MAX_PATH_STEPS:
        raise QueryRejectedError(
            f"the query has property paths of up to {steps:,} steps (/); the limit is "
            f"{MAX_PATH_STEPS:,}: split the path or use a repeated step (p+ or p*)"
        )
    if not allow_service and (found.uses_service or shape(expanded).uses_service):
        raise QueryRejectedError(_NO_SERVICE)
    if not parse:
        return found.form
    parsed = _parsed(text)
    if parsed.depth > max_depth:
        raise QueryRejectedError(
            f"the query nests {parsed.depth} levels deep; the limit is {max_depth}"
        )
    if parsed.uses_service and not allow_service:
        raise QueryRejectedError(_NO_SERVICE)
    return parsed.form


_NO_SERVICE = (
    "SERVICE (federated) queries and LOAD are disabled on this server, which fetches nothing "
    "from other addresses; set LHS_KG_ALLOW_SERVICE=true to allow them"
)


@lru_cache(maxsize=512)
def _parsed(text: str) -> sparql_guard.ParsedQuery:
    """The parse of a text (cached: pages and named queries send the same texts again)."""
    return sparql_guard.parse(text)


def inject_values(
    text: str,
    bindings: Mapping[str, ox.NamedNode | ox.Literal]
    | Sequence[Mapping[str, ox.NamedNode | ox.Literal]],
) -> str:
    """Bind variables as a VALUES block: :func:`lhs_kg.sparql.binding.bind`, the one binder."""
    return bind(text, bindings)
