"""The one way values enter SPARQL text: typed terms in a VALUES block, numbers after LIMIT/OFFSET.

Every query and update the engine sends is fixed text (a ``.rq`` file); what varies is bound here
and nowhere else, for queries and updates alike. Why this cannot inject:

- a value is a pyoxigraph term, never a string: a :class:`pyoxigraph.NamedNode` refuses at
  construction anything that is not an IRI (no ``>``, space, ``{``, ``}``, quote or control
  character can be in it), and a :class:`pyoxigraph.Literal` is written by pyoxigraph's own
  N-Triples serialiser, which escapes quotes, backslashes and line breaks; blank nodes, quoted
  triples and plain strings are refused;
- a variable name must be a plain identifier (``[A-Za-z_][A-Za-z0-9_]*``);
- ``limit``/``offset`` must be Python ``int`` (not ``bool``) in a sane range, written as digits;
- the positions where text is inserted or replaced are found by a lexer that skips strings,
  IRIs and comments, so a keyword or brace inside a literal of the template is never a target.

Where the block goes: in place of a *placeholder* ``VALUES`` block of the template whose rows are
all ``UNDEF`` (``VALUES ?x { UNDEF }``: a no-op, so the file still runs unchanged in any client,
and its author chooses the place, e.g. inside a subquery); a template without placeholders gets
the block first in its outermost WHERE group (a query) or in each operation's WHERE group (an
update, written ``INSERT { … } WHERE { }`` since ``INSERT DATA`` takes no variables). A VALUES
block first in a group is joined before the group's FILTERs run, so it binds like a parameter,
on every SPARQL 1.1 store (substitution is an Oxigraph extension).

>>> print(bind("SELECT ?s WHERE { VALUES ?o { UNDEF } ?s ?p ?o }", {"o": ox.Literal('a "b"')}))
SELECT ?s WHERE { VALUES (?o) { ("a \\"b\\"") } ?s ?p ?o }
>>> print(bind("SELECT ?s WHERE { ?s ?p ?o } LIMIT 10", limit=3))
SELECT ?s WHERE { ?s ?p ?o } LIMIT 3
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from lhs_kg.errors import QueryRejectedError

Value = ox.NamedNode | ox.Literal
Row = Mapping[str, Value]

SKIPPED_TEXT = r"""
          \"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|$)      # long strings
        | '''(?:[^'\\]|\\.|'(?!''))*(?:'''|$)
        | "(?:[^"\\\n]|\\.)*(?:"|$)                   # short strings
        | '(?:[^'\\\n]|\\.)*(?:'|$)
        | <[^<>"{}|^`\\\x00-\x20]*>                    # IRIs
        | \#[^\n]*                                     # comments
"""
"""Strings, IRIs and comments, for a verbose regex: text a SPARQL scanner must step over whole."""

_LEXER = re.compile(
    r"""
      (?P<skip>
"""
    + SKIPPED_TEXT
    + r"""        | [A-Za-z_][A-Za-z0-9_\-.]*:[^\s{}()\[\],;]*  # prefixed names
        | :[^\s{}()\[\],;]*
      )
    | (?P<var>[?$][A-Za-z0-9_]+)
    | (?P<int>(?<![\w.:])[0-9]+(?![\w.:]))
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<punct>[{}()])
    """,
    re.VERBOSE | re.DOTALL,
)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_QUERY_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD"}
_MAX_NUMBER = 10**12


@dataclass(frozen=True)
class _Lexeme:
    kind: str
    text: str
    start: int
    end: int
    depth: int  # braces open before this lexeme


def _lex(text: str) -> list[_Lexeme]:
    """The significant lexemes of ``text`` (strings, IRIs and comments left out)."""
    out: list[_Lexeme] = []
    depth = 0
    for match in _LEXER.finditer(text):
        kind = match.lastgroup or ""
        if kind == "skip":
            continue
        value = match.group()
        if value == "}":
            depth = max(0, depth - 1)
        out.append(_Lexeme(kind, value, match.start(), match.end(), depth))
        if value == "{":
            depth += 1
    return out


@dataclass(frozen=True)
class _Placeholder:
    variables: tuple[str, ...]
    start: int
    end: int


def _placeholders(text: str, lexemes: list[_Lexeme]) -> Iterator[_Placeholder]:
    """VALUES blocks of one row of UNDEFs: the places a template asks to be bound."""
    for i, lexeme in enumerate(lexemes):
        if lexeme.kind != "word" or lexeme.text.upper() != "VALUES":
            continue
        j = i + 1
        names: list[str] = []
        if j < len(lexemes) and lexemes[j].kind == "var":
            names.append(lexemes[j].text[1:])
            j += 1
        elif j < len(lexemes) and lexemes[j].text == "(":
            j += 1
            while j < len(lexemes) and lexemes[j].kind == "var":
                names.append(lexemes[j].text[1:])
                j += 1
            if j >= len(lexemes) or lexemes[j].text != ")":
                continue
            j += 1
        if not names or j >= len(lexemes) or lexemes[j].text != "{":
            continue
        opening = lexemes[j]
        close = next((k for k in range(j + 1, len(lexemes)) if lexemes[k].text == "}"), None)
        if close is None:
            continue
        inner = text[opening.end : lexemes[close].start]  # raw: strings and IRIs count here
        row = r"\(\s*" + r"UNDEF\s+" * (len(names) - 1) + r"UNDEF\s*\)"
        single = r"UNDEF" if len(names) == 1 and lexemes[i + 1].kind == "var" else row
        if re.fullmatch(rf"\s*{single}\s*", inner, re.IGNORECASE):
            yield _Placeholder(tuple(names), lexeme.start, lexemes[close].end)


def _form(lexemes: list[_Lexeme]) -> str:
    for lexeme in lexemes:
        if lexeme.kind == "word":
            upper = lexeme.text.upper()
            if upper in _QUERY_FORMS:
                return upper.lower()
            if upper in _UPDATE_WORDS or upper == "WITH":
                return "update"
    return "unknown"


def _where_groups(lexemes: list[_Lexeme]) -> list[int]:
    """Where a block goes without placeholders: just inside the top-level WHERE group(s)."""
    form = _form(lexemes)
    seen_where = form in ("select", "ask")
    found: list[int] = []
    for lexeme in lexemes:
        if lexeme.kind == "word" and lexeme.text.upper() == "WHERE" and lexeme.depth == 0:
            seen_where = True
        elif lexeme.text == "{" and seen_where and lexeme.depth == 0:
            found.append(lexeme.end)
            if form != "update":
                break
            seen_where = False
    return found


def ask_as_select(text: str) -> str:
    """``ASK`` rewritten as ``SELECT * … LIMIT 1`` (rows: true, none: false), for Virtuoso 7,
    which answers true to an ASK whose ``GRAPH <g>`` names a graph outside the request's dataset."""
    lexemes = _lex(text)
    ask = next(
        (x for x in lexemes if x.kind == "word" and x.text.upper() == "ASK" and x.depth == 0),
        None,
    )
    if ask is None:
        raise ValueError("not an ASK query")
    return f"{text[: ask.start]}SELECT *{text[ask.end :].rstrip()}\nLIMIT 1\n"


def insert_data_as_template(text: str) -> str:
    """Each ``INSERT DATA { … }`` of an update as ``INSERT { … } WHERE {}`` (same triples, fresh
    blank nodes), for Virtuoso 7, which refuses a blank node in a DATA block.

    >>> insert_data_as_template("INSERT DATA { <a> <b> [ <c> 1 ] } ; DROP GRAPH <g>")
    'INSERT  { <a> <b> [ <c> 1 ] } WHERE {} ; DROP GRAPH <g>'
    """
    lexemes = _lex(text)
    edits: list[tuple[int, int, str]] = []
    for i in range(len(lexemes) - 2):
        first, second, opening = lexemes[i], lexemes[i + 1], lexemes[i + 2]
        if not (
            first.kind == "word"
            and first.text.upper() == "INSERT"
            and second.kind == "word"
            and second.text.upper() == "DATA"
            and opening.text == "{"
            and first.depth == 0
        ):
            continue
        close = next(
            (x for x in lexemes[i + 3 :] if x.text == "}" and x.depth == 0),
            None,
        )
        if close is None:
            continue
        edits += [(second.start, second.end, ""), (close.end, close.end, " WHERE {}")]
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def term_to_sparql(term: object) -> str:
    """A bound value in SPARQL syntax, as pyoxigraph writes it (N-Triples terms are SPARQL)."""
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term)
    if isinstance(term, ox.BlankNode):
        raise QueryRejectedError("a blank node cannot be bound as a query parameter")
    raise QueryRejectedError(
        f"a bound value must be a pyoxigraph NamedNode or Literal, got {type(term).__name__}"
    )


def values_block(names: Sequence[str], rows: Sequence[Row]) -> str:
    """``VALUES (?a ?b) { (t t) (t UNDEF) }``: a row per mapping, UNDEF where a name is unbound."""
    header = " ".join(f"?{name}" for name in names)
    lines = " ".join(  # rows projected on these names, each once: a parameter is a set
        dict.fromkeys(
            "(" + " ".join(term_to_sparql(row[n]) if n in row else "UNDEF" for n in names) + ")"
            for row in rows
        )
    )
    return f"VALUES ({header}) {{ {lines} }}"


def bind_groups(names: Sequence[str], rows: Sequence[Row]) -> str:
    """The rows of :func:`values_block` as a union of BIND groups, for engines whose updates
    mishandle VALUES (Virtuoso 7 fails on ``GRAPH ?g`` in a template when ?g comes from VALUES).

    >>> print(bind_groups(["a", "b"], [{"a": ox.Literal("x")}, {"a": ox.Literal("y")}]))
    { { BIND("x" AS ?a) } UNION { BIND("y" AS ?a) } }
    """
    groups = dict.fromkeys(
        "{ " + " ".join(f"BIND({term_to_sparql(row[n])} AS ?{n})" for n in names if n in row) + " }"
        for row in rows
    )
    return "{ " + " UNION ".join(groups) + " }"


@dataclass(frozen=True)
class _Template:
    """Where :func:`bind` may write in one text: its placeholders, the start of its WHERE
    group(s), and the numbers after its LIMIT and OFFSET keywords (as (start, end) spans)."""

    places: tuple[_Placeholder, ...]
    groups: tuple[int, ...]
    slots: dict[str, tuple[tuple[int, int], ...]]


#: Texts up to this long have their analysis kept (the package's templates are all shorter);
#: a longer one, such as a query already holding a large VALUES block, is analysed each time.
_KEPT_TEXT_CHARS = 16_384


def _analyse(text: str) -> _Template:
    lexemes = _lex(text)
    slots = {
        keyword: tuple(
            (lexemes[i + 1].start, lexemes[i + 1].end)
            for i, lexeme in enumerate(lexemes[:-1])
            if lexeme.kind == "word"
            and lexeme.text.upper() == keyword
            and lexemes[i + 1].kind == "int"
        )
        for keyword in ("LIMIT", "OFFSET")
    }
    return _Template(tuple(_placeholders(text, lexemes)), tuple(_where_groups(lexemes)), slots)


_analyse_kept = lru_cache(maxsize=512)(_analyse)


def _template(text: str) -> _Template:
    """The analysis of ``text``, made once per text: pages bind the same few templates on
    every request, and lexing one (~0.5 ms for a 4 KB query) cost more than the rest of
    binding it (#16)."""
    return _analyse_kept(text) if len(text) <= _KEPT_TEXT_CHARS else _analyse(text)


def _number(name: str, value: object) -> str:
    if type(value) is not int or not 0 <= value < _MAX_NUMBER:
        raise QueryRejectedError(f"{name} must be a whole number from 0, got {value!r}")
    return str(value)


def bind(
    text: str,
    bindings: Row | Sequence[Row] | None = None,
    *,
    limit: int | None = None,
    offset: int | None = None,
    as_bind: bool = False,
) -> str:
    """``text`` with ``bindings`` (one row, or several) as VALUES and LIMIT/OFFSET numbers set.

    ``as_bind`` writes the rows as BIND groups instead (:func:`bind_groups`), same meaning.

    Each placeholder gets the rows that bind at least one of its variables (projected on its
    variables, each distinct row once, UNDEF for a variable a row leaves out), so one call can
    bind a set of values in one placeholder and a single value in another.

    ``limit``/``offset`` replace the number after every LIMIT/OFFSET keyword of the template
    (outer query and subqueries alike); a template without one is an error, as is a variable
    that no placeholder of the template declares.
    """
    rows: list[Row] = [bindings] if isinstance(bindings, Mapping) else list(bindings or [])
    names = list(dict.fromkeys(name for row in rows for name in row))
    for name in names:
        if not _NAME.fullmatch(name):
            raise QueryRejectedError(f"not a valid variable name: {name!r}")
    template = _template(text)
    block_of = bind_groups if as_bind else values_block
    edits: list[tuple[int, int, str]] = []
    if names:
        if template.places:
            used: set[str] = set()
            for place in template.places:  # a row counts where it binds one of its names
                mine = [row for row in rows if any(name in row for name in place.variables)]
                if mine:
                    edits.append((place.start, place.end, block_of(place.variables, mine)))
                    used.update(place.variables)
            missing = [name for name in names if name not in used]
            if missing:
                raise QueryRejectedError(
                    f"cannot bind ?{missing[0]}: no VALUES placeholder of the query declares it"
                )
        else:
            block = f" {block_of(names, rows)} "
            if not template.groups:
                raise QueryRejectedError("cannot bind parameters: the query has no WHERE group")
            edits.extend((at, at, block) for at in template.groups)
    for keyword, number in (("LIMIT", limit), ("OFFSET", offset)):
        if number is None:
            continue
        digits = _number(keyword.lower(), number)
        slots = template.slots[keyword]
        if not slots:
            raise QueryRejectedError(f"cannot set {keyword}: the query has no {keyword} clause")
        edits.extend((start, end, digits) for start, end in slots)
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text
