"""Deciding on a real parse whether a query is federated or too deep (#12).

A hand-written token scan read ``SERVICEs:x``, ``SERVICESILENT<…>`` or a SERVICE behind
``ex:a\\#`` differently from Oxigraph's parser, and let federated queries through. So the
decision is taken on rdflib's SPARQL 1.1 parser (a maintained grammar) and is fail-closed:
text it cannot parse, or that makes it recurse too deep, is refused.

The text is read in two views, and both must parse and be free of SERVICE:

- *expanded*: SPARQL's ``\\uXXXX``/``\\UXXXXXXXX`` pre-processing applied everywhere, as the
  specification says (so an escape cannot hide a keyword);
- *raw*: each escape replaced by a plain letter, which is how Oxigraph reads them (it decodes
  escapes only inside strings and IRIs, where they are content, and refuses them elsewhere), so
  an escaped newline in a comment cannot end the comment for us but not for the engine.

Before any parse, nesting is bounded on the text by counting every bracket, inside strings or
not: that over-counts (a rare legitimate query may be refused) but keeps the recursive parser
away from hostile depths. The depth of the parse tree is then measured as well.
"""

from __future__ import annotations

import contextlib
import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql.parser import Query, UpdateUnit
from rdflib.plugins.sparql.parserutils import CompValue

from lhs_kg.errors import QueryRejectedError

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_OPENERS = frozenset("{([")
_CLOSERS = frozenset("})]")
_NESTING = (
    "GroupGraphPatternSub",
    "ConditionalOrExpression",
    "BlankNodePropertyList",
    "Collection",
)
"""Parse-tree nodes that stand for one level of brackets (groups, expressions, ``[]``, ``()``)."""
_NETWORK = frozenset({"ServiceGraphPattern", "Load"})
"""Parse-tree nodes that make the engine fetch from a URL: a federated pattern, an update's LOAD."""


def expand_escapes(text: str) -> str:
    """SPARQL's escape pre-processing: ``\\uXXXX`` and ``\\UXXXXXXXX`` become their character."""

    def decode(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QueryRejectedError(f"the query holds an invalid escape {match.group(0)!r}")
        return chr(code)

    return _ESCAPE.sub(decode, text)


def blank_escapes(text: str) -> str:
    """Each escape replaced by a letter: the query as Oxigraph tokenises it."""
    return _ESCAPE.sub("x", text)


def bracket_bound(text: str) -> int:
    """An upper bound of the bracket nesting that ignores strings, IRIs and comments.

    Every opening bracket counts, wherever it is; a closing one lowers the count (never below
    zero). Brackets hidden in strings make the bound larger, which only refuses more.
    """
    depth = deepest = 0
    for char in text:
        if char in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSERS and depth:
            depth -= 1
    return deepest


_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_OPERATOR_CHARS = re.compile(r"&&|\|\||[!^|/+*=<>-]|\{|\b(?:UNION|MINUS|OPTIONAL)\b", re.IGNORECASE)


def operator_bound(text: str) -> int:
    """An upper bound of the operators and groups the parser has to chain, read like
    :func:`bracket_bound`: everywhere but inside IRIs (which hold no ``|`` or ``^``), so a
    comment the token scan believes in (``ex:a\\#``) cannot hide a chain of thousands."""
    return len(_OPERATOR_CHARS.findall(_IRIREF.sub(" ", text)))


def path_step_bound(text: str) -> int:
    """An upper bound of the steps of property-path sequences (``/`` outside IRIs).

    Oxigraph's evaluation of a sequence grows much faster than its length (on our content, 250
    fixed steps took 0.5 s and 500 took 5 s), so a long one is refused before it runs.
    """
    return _IRIREF.sub(" ", text).count("/")


@dataclass(frozen=True)
class ParsedQuery:
    """What the parse tree says: the form ('select' … 'update'), nesting depth, SERVICE."""

    form: str
    depth: int
    uses_service: bool


def _children(node: Any) -> Iterator[Any]:
    if isinstance(node, CompValue):
        yield from node.values()
    elif isinstance(node, list | ParseResults):
        yield from node


def measure(tree: Any) -> tuple[int, bool]:
    """The tree's bracket depth and whether a ServiceGraphPattern occurs (no recursion here)."""
    deepest, service = 0, False
    stack: list[tuple[Any, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, CompValue):
            if node.name in _NETWORK:  # SERVICE, and LOAD of an update: both fetch a URL
                service = True
            if node.name.startswith(_NESTING):
                depth += 1
                deepest = max(deepest, depth)
        stack.extend((child, depth) for child in _children(node))
    return deepest, service


def _parse_view(text: str) -> tuple[Any, str]:
    """Parse one view as a query, else as an update: the tree and the form."""
    try:
        tree = Query.parse_string(text, parse_all=True)
        return tree, str(tree[-1].name).removesuffix("Query").lower()
    except ParseBaseException as query_err:
        try:
            return UpdateUnit.parse_string(text, parse_all=True), "update"
        except ParseBaseException:
            message = str(query_err).split("(at char")[0].strip()
            raise QueryRejectedError(
                f"SPARQL syntax error: {message} (line {query_err.lineno}, column "
                f"{query_err.col}); the query must parse as SPARQL 1.1 before it runs"
            ) from None


def parse(text: str) -> ParsedQuery:
    """Parse both views of ``text`` and merge what they say (SERVICE if either sees it).

    Raises :class:`QueryRejectedError` when a view does not parse or is too deep for the
    parser (RecursionError), so nothing the guard cannot read reaches a store.

    pyparsing leaves reference cycles of exceptions and frames behind, and a finished frame
    keeps its callers' frames alive, with any pyoxigraph result in them (which then must wait
    for the cycle collector, which may run on another thread, where pyoxigraph refuses to free
    it, and which keeps the store's lock meanwhile). Parsing inside a generator cuts that chain:
    a suspended generator's frame does not hold on to its caller.
    """

    def detached() -> Iterator[ParsedQuery]:
        with _PARSE_LOCK, _recursion_room():
            parsed = _parse_views(text)
        yield parsed  # the lock is free before the generator pauses

    return next(detached())


SOLO_RECURSION_LIMIT = 20_000
"""The recursion limit a parse may use in a process with one thread (the CLI): enough for
~1,200 triple patterns or ~800 nested groups; measured safe on a default 8 MiB main stack."""


@contextlib.contextmanager
def _recursion_room() -> Iterator[None]:
    """Raise the recursion limit for the parse, but only where no other thread can be hurt.

    The limit is per interpreter: raised while a web server's threads run, one of them could
    recurse in C (a JSON parser, say) past its smaller stack. So only a process whose only
    thread is the main one (the command line) gets the room; others keep their limit and
    refuse what does not fit (or check in a worker process, which sets its own).
    """
    solo = threading.active_count() == 1 and threading.current_thread() is threading.main_thread()
    previous = sys.getrecursionlimit()
    if not solo or previous >= SOLO_RECURSION_LIMIT:
        yield
        return
    sys.setrecursionlimit(SOLO_RECURSION_LIMIT)
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


_PARSE_LOCK = threading.Lock()
"""pyparsing grammars are not safe to use from several threads at once (the first parses
prepare the grammar in place: concurrent ones failed with odd syntax errors and crashes). The
parse holds the GIL anyway, so one at a time costs little."""


def _parse_views(text: str) -> ParsedQuery:
    views = {expand_escapes(text), blank_escapes(text)}
    forms, depth, service = set(), 0, False
    for view in views:
        try:
            tree, form = _parse_view(view)
        except RecursionError:
            raise QueryRejectedError(
                "the query is too long or too deeply nested for this server to check; "
                "split it into smaller queries"
            ) from None
        except QueryRejectedError:
            raise
        except Exception as err:  # fail closed: whatever the parser cannot read is refused
            raise QueryRejectedError(f"the query could not be checked: {err}") from None
        found_depth, found_service = measure(tree)
        depth, service = max(depth, found_depth), service or found_service
        forms.add(form)
    if len(forms) > 1:
        raise QueryRejectedError("the query's escapes change what kind of request it is")
    return ParsedQuery(forms.pop(), depth, service)
