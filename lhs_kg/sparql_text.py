"""Reading SPARQL text without executing it: its form, nesting depth, SERVICE use, VALUES injection.

Oxigraph overflows its stack on deeply nested queries and has no time limit of its own, so every
query is looked at here before it reaches a store. The scanner skips strings, IRIs and comments,
so braces or keywords inside them never count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from lhs_kg.errors import QueryRejectedError

_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
_UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


@dataclass(frozen=True)
class Token:
    """A significant piece of query text: a word, a punctuation mark, and where it starts."""

    text: str
    start: int


def tokens(text: str) -> Iterator[Token]:
    """Yield words and punctuation, skipping strings, IRIs, comments and whitespace."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif c in "\"'":
            i = _skip_string(text, i)
        elif c == "<":
            match = _IRI.match(text, i)
            if match:
                i = match.end()
            else:
                yield Token("<", i)
                i += 1
        elif c == "?" or c == "$":
            match = _WORD.match(text, i + 1)
            i = match.end() if match else i + 1
        else:
            match = _WORD.match(text, i)
            if match:
                yield Token(match.group(0), i)
                i = match.end()
            else:
                yield Token(c, i)
                i += 1


def _skip_string(text: str, i: int) -> int:
    quote = text[i]
    long_quote = quote * 3
    if text.startswith(long_quote, i):
        end = text.find(long_quote, i + 3)
        while end > 0 and _escaped(text, end):
            end = text.find(long_quote, end + 1)
        return len(text) if end < 0 else end + 3
    j = i + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == quote or text[j] == "\n":
            return j + 1
        j += 1
    return j


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - 1 - backslashes >= 0 and text[index - 1 - backslashes] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def query_form(text: str) -> str:
    """'select', 'construct', 'describe', 'ask' or 'update' (first keyword that decides it)."""
    for token in tokens(text):
        word = token.text.upper()
        if word in _FORMS:
            return word.lower()
        if word in _UPDATE_WORDS:
            return "update"
    return "unknown"


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``{}``, ``()`` and ``[]`` in the query."""
    depth = deepest = 0
    for token in tokens(text):
        if token.text in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif token.text in "})]":
            depth -= 1
    return deepest


def uses_service(text: str) -> bool:
    """True when the query has a SERVICE clause (federation reaches the network)."""
    return any(token.text.upper() == "SERVICE" for token in tokens(text))


def check_query(text: str, *, max_chars: int, max_depth: int, allow_service: bool) -> str:
    """Refuse a query that is too long, too deeply nested or federated; return its form."""
    if not text.strip():
        raise QueryRejectedError("the query is empty")
    if len(text) > max_chars:
        raise QueryRejectedError(
            f"the query is {len(text):,} characters long; the limit is {max_chars:,}"
        )
    depth = nesting_depth(text)
    if depth > max_depth:
        raise QueryRejectedError(
            f"the query nests {depth} levels deep; the limit is {max_depth}"
        )
    if not allow_service and uses_service(text):
        raise QueryRejectedError(
            "SERVICE (federated) queries are disabled on this server; "
            "set LHS_KG_ALLOW_SERVICE=true to allow them"
        )
    return query_form(text)


def term_to_sparql(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """A term in SPARQL syntax, escaped by pyoxigraph (N-Triples form is valid SPARQL)."""
    if isinstance(term, ox.BlankNode):
        raise QueryRejectedError("a blank node cannot be bound as a query parameter")
    return str(term)


def inject_values(text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """Bind variables by inserting a VALUES block at the start of the outermost WHERE group.

    Works on every SPARQL 1.1 store (substitution is an Oxigraph extension that also insists on
    projected variables); a VALUES block placed first in the group is joined before its FILTERs
    are evaluated, so it binds like a parameter. Terms are written with pyoxigraph's escaping,
    never formatted by hand, and a blank node is refused.
    """
    if not bindings:
        return text
    names = " ".join(f"?{name}" for name in bindings)
    row = " ".join(term_to_sparql(term) for term in bindings.values())
    block = f" VALUES ({names}) {{ ({row}) }} "
    seen_where = query_form(text) in ("select", "ask")
    for token in tokens(text):
        if token.text.upper() == "WHERE":
            seen_where = True
        elif token.text == "{" and seen_where:
            return text[: token.start + 1] + block + text[token.start + 1 :]
    raise QueryRejectedError("cannot bind parameters: the query has no WHERE group")
