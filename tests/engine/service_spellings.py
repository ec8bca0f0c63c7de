"""A Hypothesis strategy for the many ways to write a SERVICE clause (#12).

Case, glued tokens, comments, ``\\u`` escapes, SILENT, IRI / prefixed-name / variable targets,
nesting in OPTIONAL, UNION, MINUS, GRAPH, FILTER EXISTS and sub-selects, and updates, each
behind an optional prefix of the spellings that fooled the old token scan (``ex:a\\#``).
"""

from __future__ import annotations

import socket
import threading

from hypothesis import strategies as st

BYPASSES = {
    "glued-pname": "PREFIX s: <{base}> SELECT * WHERE {{ SERVICEs:sparql {{ ?x ?y ?z }} }}",
    "glued-silent": "SELECT * WHERE {{ SERVICESILENT<{url}> {{ ?x ?y ?z }} }}",
    "after-hash-escape": "PREFIX ex: <http://e/> SELECT * WHERE {{ ex:a\\# ?p ?o . "
    "SERVICE <{url}> {{ ?x ?y ?z }} }}",
    "after-quote-escape": "PREFIX ex: <http://e/> SELECT * WHERE {{ ex:a\\' ?p ?o . "
    "SERVICE <{url}> {{ ?x ?y ?z }} }}",
    "escaped-newline-in-comment": 'SELECT * WHERE {{ ?s ?p ?o # \\u000A . ?a ?b """\n'
    'SERVICE <{url}> {{ ?x ?y ?z }} # """\n}}',
    "comment-glued": "SELECT * WHERE {{ service#c\n<{url}> {{ ?x ?y ?z }} }}",
    "update-optional": "INSERT {{ ?x ?y ?z }} WHERE {{ OPTIONAL {{ "
    "SERVICE <{url}> {{ ?x ?y ?z }} }} }}",
}
"""Spellings that got past the token scan in the hostile pass (and a few neighbours)."""


def bypass(name: str, endpoint: str) -> str:
    """The bypass ``name`` aimed at ``endpoint``."""
    return BYPASSES[name].format(url=endpoint, base=endpoint.rsplit("/", 1)[0] + "/")


GAPS = ["", " ", "\n", "\t", " #c\n", "\r\n", "  "]
LEADS = [
    "",
    "?s ?p ?o . ",
    "ex:a\\# ?p ?o . ",
    "ex:a\\' ?p ?o . ",
    '?s ?p "x\\"" . ',
    "?s ?p '''a\n}''' . ",
    "# }} {{\n",
]


@st.composite
def keyword(draw: st.DrawFn, word: str) -> str:
    """``word`` in random case, some letters written as ``\\u00XX`` escapes."""
    letters = []
    for char in word:
        char = char.upper() if draw(st.booleans()) else char.lower()
        if draw(st.integers(0, 9)) == 0:
            char = f"\\u{ord(char):04X}" if draw(st.booleans()) else f"\\U{ord(char):08x}"
        letters.append(char)
    return "".join(letters)


@st.composite
def service_clause(draw: st.DrawFn, endpoint: str) -> str:
    """``SERVICE [SILENT] target { … }`` in one of many spellings."""
    gap = st.sampled_from(GAPS)
    word = draw(keyword("SERVICE"))
    silent = draw(keyword("SILENT")) + draw(gap) if draw(st.booleans()) else ""
    target = draw(st.sampled_from([f"<{endpoint}>", "svc:sparql", "svc:"]))
    first = draw(gap) if silent or not target.startswith("svc") else draw(st.sampled_from(GAPS[1:]))
    glued = draw(st.sampled_from(["", "s"])) if target.startswith("svc") else ""
    if glued:  # SERVICEs:x — the keyword glued to a prefixed name whose prefix is "s"
        target, first = "s:sparql", ""
    return f"{word}{first}{silent}{target}{draw(gap)}{{ ?x ?y ?z }}"


@st.composite
def service_query(draw: st.DrawFn, endpoint: str) -> str:
    """A whole query or update holding one SERVICE clause somewhere."""
    base = endpoint.rsplit("/", 1)[0] + "/"
    clause = draw(service_clause(endpoint))
    lead = draw(st.sampled_from(LEADS))
    inner = draw(
        st.sampled_from(
            [
                "{c}",
                "OPTIONAL {{ {c} }}",
                "{{ ?s ?p ?o }} UNION {{ {c} }}",
                "MINUS {{ {c} }}",
                "GRAPH ?g {{ {c} }}",
                "FILTER EXISTS {{ {c} }}",
                "{{ SELECT * WHERE {{ {c} }} }}",
            ]
        )
    ).format(c=clause)
    form = draw(
        st.sampled_from(
            [
                "SELECT * WHERE {{ {b} }}",
                "ASK {{ {b} }}",
                "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {b} }}",
                "INSERT {{ ?s ?p ?o }} WHERE {{ {b} }}",
                "DELETE WHERE {{ {b} }}",
            ]
        )
    )
    prologue = f"PREFIX ex: <http://e/> PREFIX svc: <{base}> PREFIX s: <{base}>\n"
    return prologue + form.format(b=lead + inner)


class Listener:
    """A loopback TCP socket that counts the connections made to it and closes each at once."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}/sparql"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()
