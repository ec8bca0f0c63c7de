"""Grammar-aware generators of hostile SPARQL, and the oracle that judges the server's answers.

The generators follow the SPARQL 1.1 grammar where a parser could disagree with a guard: keyword
case, ``\\u``/``\\U`` escapes (applied before parsing, so they may spell any letter, bracket or
IRI character), glued tokens, comments and every kind of whitespace, the places a group pattern
may hide (OPTIONAL, UNION, MINUS, sub-selects, FILTER EXISTS, GRAPH, updates) and tokens a
scanner may misread just before (``ex:a\\#``, ``ex:a\\'``, keywords inside strings and IRIs).

Shared by ``tests/live/test_hostile_sparql.py`` and ``bench/hostile.py``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import requests
from hypothesis import strategies as st

from tests.live.server import UPDATE_TOKEN, Canary, LiveServer

PROLOGUE = "PREFIX ex: <urn:ex:>\n"
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
WHITESPACE = [" ", "\t", "\n", "\r\n", "\r", " \t\n "]
ESCAPED_WHITESPACE = ["\\u0020", "\\u0009", "\\U0000000A"]
COMMENTS = ["#c\n", "# SERVICE <urn:x> {\n", "#}}}\n", "#\\u000A\n", "#\r\n"]
CONFUSERS = [  # each leaves one solution, so a SERVICE after it is still evaluated
    "OPTIONAL { ex:a\\# ex:b\\' ex:c }",
    "BIND(ex:a\\# AS ?c1)",
    "VALUES ?c2 { ex:a\\' }",
    "BIND('''SERVICE <urn:x> {''' AS ?c3)",
    'BIND("\\" SERVICE {" AS ?c4)',
    "BIND(<urn:x#SERVICE> AS ?c5)",
    "BIND(1 AS ?SERVICE)",
    "OPTIONAL { ex:s ex:p$SERVICE }",
    "OPTIONAL { ex:a\\#\\~\\. ex:b\\- 1 }",
    "BIND('x'@en AS ?c6)",
]
INNER = [
    "?s ?p ?o",
    "",
    "?s ?p ?o . FILTER(true)",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
    "{ ?s ?p ?o }",
    "?s ?p ?o OPTIONAL { ?o ?q ?r }",
]


def _escape(char: str, long: bool, upper_hex: bool) -> str:
    """``char`` as a SPARQL codepoint escape (``\\u0053`` or ``\\U00000053``)."""
    code = f"{ord(char):08X}" if long else f"{ord(char):04X}"
    code = code if upper_hex else code.lower()
    return ("\\U" if long else "\\u") + code


def _letter(char: str, *, escapes: bool) -> st.SearchStrategy[str]:
    """One letter of a keyword: either case, or (with ``escapes``) either case escaped."""
    cased = st.sampled_from(sorted({char.lower(), char.upper()}))
    if not escapes:
        return cased
    return st.one_of(cased, st.builds(_escape, cased, st.booleans(), st.booleans()))


@cache  # Hypothesis validates a strategy when first drawn: build each once
def keyword(word: str, *, escapes: bool = False) -> st.SearchStrategy[str]:
    """A keyword in any mix of case; with ``escapes``, one in four has codepoint escapes.

    Only the keywords under test get escapes: Oxigraph refuses an escaped keyword, so escaping
    every keyword would make nearly every case a plain syntax error that tests nothing.
    """
    plain = st.tuples(*(_letter(c, escapes=False) for c in word)).map("".join)
    if not escapes:
        return plain
    escaped = st.tuples(*(_letter(c, escapes=True) for c in word)).map("".join)
    return st.one_of(plain, plain, plain, escaped)


@cache
def gap(*, glued: bool = True) -> st.SearchStrategy[str]:
    """Whitespace, comments or (where ``glued``) nothing at all between two tokens."""
    plain = st.sampled_from(WHITESPACE + COMMENTS)
    piece = st.one_of(plain, plain, plain, plain, st.sampled_from(ESCAPED_WHITESPACE))
    pieces = st.lists(piece, min_size=1, max_size=3).map("".join)
    return st.one_of(st.just(""), pieces) if glued else pieces


@cache
def _partly_escaped(text: str) -> st.SearchStrategy[str]:
    """``text`` with some of its characters written as codepoint escapes."""
    return st.lists(st.booleans(), min_size=len(text), max_size=len(text)).map(
        lambda flags: "".join(
            _escape(c, False, True) if f else c for c, f in zip(text, flags, strict=True)
        )
    )


@dataclass(frozen=True)
class Target:
    """How a SERVICE clause names the canary: extra prologue, the term, a pattern before it."""

    prologue: str
    term: str
    before: str = ""


@cache
def targets(url: str) -> st.SearchStrategy[Target]:
    """Every way we know to name the canary's address as a SERVICE endpoint."""
    port = url.rstrip("/").rsplit(":", 1)[1]
    hosts = [url, f"http://localhost:{port}/", f"http://[::ffff:127.0.0.1]:{port}/"]
    paths = ["", "sparql", "query?x=1", "a#b"]
    return st.one_of(
        st.builds(
            lambda host, path: Target("", f"<{host}{path}>"),
            st.sampled_from(hosts),
            st.sampled_from(paths),
        ),
        _partly_escaped(url + "sparql").map(lambda iri: Target("", f"<{iri}>")),
        st.builds(
            lambda kw, local: Target(f"{kw} c: <{url}>\n", f"c:{local}"),
            keyword("PREFIX"),
            st.sampled_from(["", "sparql", "x\\#", "s"]),
        ),
        keyword("BASE").map(lambda kw: Target(f"{kw} <{url}>\n", "<sparql>")),
        st.just(Target("", "?svc", f"VALUES ?svc {{ <{url}> }}")),
        st.just(Target("", "?svc", f"BIND(<{url}> AS ?svc)")),
    )


@cache
def _parts() -> dict[str, st.SearchStrategy[Any]]:
    """The pieces a SERVICE clause is drawn from (built once: building is the slow part)."""
    return {
        "silent": st.one_of(
            st.just(""), st.tuples(keyword("SILENT", escapes=True), gap()).map("".join)
        ),
        "service": keyword("SERVICE", escapes=True),
        "inner": st.sampled_from(INNER),
        "confuser": st.one_of(st.just(""), st.sampled_from(CONFUSERS)),
        "space": st.sampled_from([" ", "", "  "]),
        "wrappers": st.lists(st.one_of(*_wrappers()), max_size=4),
    }


@st.composite
def _group(draw: st.DrawFn, url: str) -> tuple[str, str]:
    """(prologue, group content) holding one SERVICE clause aimed at the canary, nested in up
    to four other constructs."""
    parts, space = _parts(), gap()
    target = draw(targets(url))
    text = "".join(
        [
            target.before,
            draw(space),
            draw(parts["service"]),
            draw(space),
            draw(parts["silent"]),
            target.term,
            draw(space),
            "{",
            draw(space),
            draw(parts["inner"]),
            draw(space),
            "}",
        ]
    )
    content = f"{draw(parts['confuser'])}{draw(parts['space'])}{text}"
    for template in draw(parts["wrappers"]):
        content = template.replace("%s", content, 1)
    return target.prologue, content


@cache
def _wrappers() -> tuple[st.SearchStrategy[str], ...]:
    """Templates (``%s`` is the hidden group content) for every place a group pattern may sit."""
    return (
        st.just("{ %s }"),
        keyword("OPTIONAL").map(lambda k: k + " { %s }"),
        keyword("UNION").map(lambda k: "{ %s } " + k + " { }"),
        keyword("UNION").map(lambda k: "{ } " + k + "{ %s }"),
        keyword("MINUS").map(lambda k: "BIND(1 AS ?m) " + k + " { %s }"),
        keyword("SELECT").map(lambda k: "{ " + k + " * WHERE { %s } }"),
        keyword("EXISTS").map(lambda k: "FILTER " + k + " { %s }"),
        keyword("EXISTS").map(lambda k: "FILTER NOT " + k + "{ %s }"),
        keyword("EXISTS").map(lambda k: "BIND(" + k + " { %s } AS ?e)"),
        keyword("GRAPH").map(lambda k: k + " ?g { %s }"),
        keyword("GRAPH").map(lambda k: k + " ex:g{ %s }"),
        st.sampled_from(CONFUSERS).map(lambda c: c + " %s"),
    )


_QUERY_FORMS = (
    ("SELECT", "{kw} * WHERE {{ {body} }}"),
    ("SELECT", "{kw} ?s {{ {body} }} LIMIT 1"),
    ("ASK", "{kw} {{ {body} }}"),
    ("ASK", "{kw}{{{body}}}"),
    ("CONSTRUCT", "{kw} {{ ?s ?p ?o }} WHERE {{ {body} }}"),
    ("DESCRIBE", "{kw} ?s WHERE {{ {body} }}"),
)
_UPDATE_FORMS = (
    ("INSERT", "{kw} {{ ex:s ex:p ?o }} WHERE {{ {body} }}"),
    ("DELETE", "{kw} {{ ex:s ex:p ?o }} WHERE {{ {body} }}"),
    ("INSERT", "DELETE {{ ex:s ex:p ?o }} {kw} {{ ex:s ex:q ?o }} WHERE {{ {body} }}"),
    ("WITH", "{kw} ex:g INSERT {{ ex:s ex:p ?o }} WHERE {{ {body} }}"),
    ("INSERT", "CLEAR SILENT GRAPH ex:none ;\n{kw} {{ ex:s ex:p ?o }} WHERE {{ {body} }}"),
    ("DELETE", "{kw} {{ GRAPH ex:g {{ ex:s ex:p ?o }} }} USING ex:g WHERE {{ {body} }}"),
)


def _documents(url: str, forms: tuple[tuple[str, str], ...]) -> st.SearchStrategy[str]:
    """Whole documents: one of ``forms`` (keyword, template) around a hidden SERVICE clause."""
    form = st.sampled_from([(keyword(word), template) for word, template in forms])
    group = _group(url)

    @st.composite
    def document(draw: st.DrawFn) -> str:
        word, template = draw(form)
        prologue, body = draw(group)
        return PROLOGUE + prologue + template.format(kw=draw(word), body=body)

    return document()


@cache
def service_queries(url: str) -> st.SearchStrategy[str]:
    """Queries (SELECT, ASK, CONSTRUCT, DESCRIBE) that call the canary through SERVICE."""
    return _documents(url, _QUERY_FORMS)


@cache
def service_updates(url: str) -> st.SearchStrategy[str]:
    """SPARQL updates whose WHERE clause calls the canary through SERVICE."""
    return _documents(url, _UPDATE_FORMS)


# -- deep nesting and long chains --------------------------------------------------------------

# kind: (head, step repeated n times, middle, closing step repeated n times, tail), all inside
# a WHERE group; nesting kinds close what they open, chain kinds only repeat an operator
_DEEP: dict[str, tuple[str, str, str, str, str]] = {
    "braces": ("", "{ ", "", "} ", ""),
    "optional": ("", "OPTIONAL { ", "", "} ", ""),
    "sub-select": ("", "{ SELECT * WHERE { ", "", "} } ", ""),
    "exists": ("", "FILTER EXISTS { ", "", "} ", ""),
    "parentheses": ("FILTER(", "(", "1", ")", ")"),
    "blank-nodes": ("?s ex:p ", "[ ex:q ", "ex:o", " ]", ""),
    "collections": ("?s ex:p ", "(", "1", ")", ""),
    "path-groups": ("?s ", "(", "ex:p", ")", " ?o"),
    "inverse-paths": ("?s ", "^(", "ex:p", ")", " ?o"),
    "not": ("FILTER(", "!", "true", "", ")"),
    "unary-minus": ("BIND(", "- ", "1", "", " AS ?x)"),
    "union-chain": ("", "{ } UNION ", "{ }", "", ""),
    "and-chain": ("FILTER(", "true && ", "true", "", ")"),
    "plus-chain": ("BIND(", "1 + ", "1", "", " AS ?x)"),
    "path-sequence": ("?s ", "ex:p/", "ex:p", "", " ?o"),
    "path-alternative": ("?s ", "ex:p|", "ex:p", "", " ?o"),
}


def deep_body(kind: str, depth: int) -> str:
    """Group content nesting (or chaining) ``kind`` ``depth`` times."""
    head, step, middle, close, tail = _DEEP[kind]
    return head + step * depth + middle + close * depth + tail


@st.composite
def deep_documents(draw: st.DrawFn) -> tuple[str, bool]:
    """(text, is_update): a query or update nested or chained 60 to 49,000 levels deep."""
    kind = draw(st.sampled_from(sorted(_DEEP)))
    depth = draw(
        st.one_of(st.integers(60, 300), st.integers(300, 5_000), st.integers(5_000, 49_000))
    )
    body = deep_body(kind, depth)
    if draw(st.integers(0, 4)) == 0:  # hide the brackets behind codepoint escapes
        body = body.replace("{", "\\u007B").replace("(", "\\u0028").replace("[", "\\u005b")
    confuser = draw(st.one_of(st.just(""), st.sampled_from(CONFUSERS[:3])))
    update = draw(st.integers(0, 5)) == 0
    if update:
        return f"{PROLOGUE}INSERT {{ ex:s ex:p ex:o }} WHERE {{ {confuser} {body} }}", True
    return f"{PROLOGUE}SELECT * WHERE {{ {confuser} {body} }}", False


# -- the oracle --------------------------------------------------------------------------------


@dataclass
class Tally:
    """What the fuzzer saw: cases sent, status counts, server errors, canary connections."""

    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)


def send(
    server: LiveServer, text: str, *, update: bool, transport: str = "direct"
) -> requests.Response:
    """Send a query (by ``direct`` POST, ``form`` POST or ``get``) or an update (with the token)."""
    if update:
        return server.post(
            "/sparql",
            data=text.encode("utf-8"),
            headers={
                "Content-Type": "application/sparql-update",
                "Authorization": f"Bearer {UPDATE_TOKEN}",
            },
        )
    headers = {"Accept": ACCEPT}
    if transport == "get":
        return server.get("/sparql", params={"query": text}, headers=headers)
    if transport == "form":
        return server.post("/sparql", data={"query": text}, headers=headers)
    headers["Content-Type"] = "application/sparql-query"
    return server.post("/sparql", data=text.encode("utf-8"), headers=headers)


def judge(
    server: LiveServer,
    canary: Canary,
    tally: Tally,
    text: str,
    *,
    update: bool = False,
    transport: str = "direct",
) -> str | None:
    """Send one case and record it; the reason it is a failure (5xx, crash, canary hit) or None."""
    before = canary.count
    tally.cases += 1
    problem: str | None = None
    try:
        response = send(server, text, update=update, transport=transport)
    except requests.RequestException as err:
        problem = f"no answer ({type(err).__name__}); {server.crashed() or 'server still running'}"
        tally.server_errors.append(problem)
        return problem
    tally.statuses[response.status_code] += 1
    if response.status_code >= 500:
        problem = f"{response.status_code}: {response.text[:300]!r}"
        tally.server_errors.append(problem)
    if canary.count != before or canary.marker in response.text:
        problem = f"the canary was contacted ({canary.report()}); answer {response.status_code}"
        tally.leaks.append(problem)
    return problem
