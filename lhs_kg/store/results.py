"""Reading a SPARQL server's answers into pyoxigraph's types, whatever the engine's dialect.

Engines differ in what is legal for them but not for pyoxigraph's strict parsers: Virtuoso names
blank nodes ``nodeID://b10000`` in JSON results and writes ``xsd:boolean`` values as ``1``/``0``.
Such answers are rewritten into the standard form first; answers already standard are parsed as
they came (no extra pass over them).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pyoxigraph as ox

_BLANK_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_BOOLEAN_SPELLINGS = {"1": "true", "0": "false", "true": "true", "false": "false"}


def blank_label(label: str) -> str:
    """A label pyoxigraph accepts, the same for the same engine label (``nodeID://b1`` → hex).

    >>> blank_label("b1"), blank_label("nodeID://b10000")
    ('b1', 'x6e6f646549443a2f2f623130303030')
    """
    if _BLANK_LABEL.fullmatch(label) and not label.endswith("."):
        return label
    return "x" + label.encode("utf-8").hex()


def _needs_rewrite(body: bytes) -> bool:
    """Cheap test on the raw bytes: could the answer hold an engine-specific term?"""
    return b"bnode" in body or _XSD_BOOLEAN.encode() in body


def _standard_term(term: dict[str, Any]) -> dict[str, Any]:
    kind = term.get("type")
    if kind == "bnode":
        return {**term, "value": blank_label(str(term.get("value", "")))}
    if kind in ("literal", "typed-literal") and term.get("datatype") == _XSD_BOOLEAN:
        value = str(term.get("value", "")).strip()
        return {**term, "value": _BOOLEAN_SPELLINGS.get(value, value)}
    return term


def parse_json_results(body: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
    """SPARQL JSON results (SELECT or ASK) as pyoxigraph solutions; raises ``SyntaxError``."""
    if _needs_rewrite(body):
        try:
            payload = json.loads(body)
        except ValueError as err:
            raise SyntaxError(f"not JSON: {err}") from None
        bindings = payload.get("results", {}).get("bindings") if isinstance(payload, dict) else None
        if isinstance(bindings, list):
            payload["results"]["bindings"] = [
                {name: _standard_term(term) for name, term in row.items()}
                if isinstance(row, dict)
                else row
                for row in bindings
            ]
            body = json.dumps(payload).encode("utf-8")
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)


def parse_ntriples(body: bytes) -> list[ox.Triple]:
    """N-Triples as triples; raises ``SyntaxError``."""
    return [quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
