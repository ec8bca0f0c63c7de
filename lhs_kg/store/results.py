"""Reading a SPARQL server's answers into pyoxigraph's types, whatever the engine's dialect.

Engines differ in what is legal for them but not for pyoxigraph's strict parsers: Virtuoso names
blank nodes ``nodeID://b10000`` in JSON results and writes ``xsd:boolean`` values as ``1``/``0``.
Such answers are rewritten into the standard form first; answers already standard are parsed as
they came (no extra pass over them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO, Any

import pyoxigraph as ox

from lhs_kg.formats import RESULT_FORMATS, ox_results

#: The end of a whole XML results document (its root, perhaps with a namespace prefix).
_XML_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sparql\s*>\s*$")
_BLANK_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_VIRTUOSO_BLANK = "nodeID://"
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_ALIAS_END = re.compile(r"\bAS\s+[?$](\w+)\s*\)", re.IGNORECASE)
_STRINGS_AND_IRIS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|<[^<>\s"{}|^`]*>')
_BOOLEAN_CALL = re.compile(
    r"(?:NOT\s+)?(?:EXISTS|BOUND|isIRI|isURI|isBLANK|isLITERAL|isNUMERIC|REGEX|CONTAINS|"
    r"STRSTARTS|STRENDS|sameTerm|LANGMATCHES)\s*\(",
    re.IGNORECASE,
)
_BOOLEAN_OPERATOR = re.compile(r"!=|<=|>=|&&|\|\||[=<>]|^\s*!|\b(?:NOT\s+)?IN\b", re.IGNORECASE)
_BOOLEAN_SPELLINGS = {"1": "true", "0": "false", "true": "true", "false": "false"}


def blank_label(label: str) -> str:
    """A label pyoxigraph accepts, the same for the same engine node whichever way it was read:
    Virtuoso's ``nodeID://b1`` in JSON is ``_:b1`` in its N-Triples; other labels go to hex.

    >>> blank_label("b1"), blank_label("nodeID://b10000"), blank_label("a/b")
    ('b1', 'b10000', 'x612f62')
    """
    label = label.removeprefix(_VIRTUOSO_BLANK)
    if _BLANK_LABEL.fullmatch(label) and not label.endswith("."):
        return label
    return "x" + label.encode("utf-8").hex()


def boolean_columns(text: str) -> frozenset[str]:
    """Variables a query computes as booleans (``(?a = ?b AS ?v)``, ``BIND(BOUND(?x) AS ?v)``).

    Virtuoso answers such an expression with ``1``/``0`` typed xsd:integer; knowing the columns
    from the query text lets the answer be read as the booleans every other engine sends.

    >>> sorted(boolean_columns("SELECT (COUNT(?x) >= 3 AS ?high) (COUNT(?x) AS ?n) WHERE { "
    ...     "BIND(?a = <http://e/b> AS ?same) BIND('<' AS ?lt) BIND(isIRI(?a) AS ?iri) }"))
    ['high', 'iri', 'same']
    """
    plain = _STRINGS_AND_IRIS.sub('""', text)
    found = set()
    for end in _ALIAS_END.finditer(plain):
        depth, start = 0, end.start()
        while start > 0:  # back to the "(" that opens this (expression AS ?v)
            start -= 1
            if plain[start] == ")":
                depth += 1
            elif plain[start] == "(":
                if depth == 0:
                    break
                depth -= 1
        expression = plain[start + 1 : end.start()].strip()
        top, level = [], 0
        for char in expression:  # the expression's top level, without nested calls
            level += char == "("
            if level == 0:
                top.append(char)
            level -= char == ")"
        top_text = "".join(top).strip()
        call = _BOOLEAN_CALL.match(expression)
        one_call = call is not None and top_text == expression[: call.end() - 1].strip()
        if one_call or _BOOLEAN_OPERATOR.search(top_text):
            found.add(end.group(1))
    return frozenset(found)


def _needs_rewrite(body: bytes) -> bool:
    """Cheap test on the raw bytes: could the answer hold an engine-specific term?"""
    return b"bnode" in body or _XSD_BOOLEAN.encode() in body


def _standard_term(term: dict[str, Any], boolean: bool = False) -> dict[str, Any]:
    kind = term.get("type")
    if boolean and term.get("datatype") == _XSD_INTEGER and term.get("value") in ("0", "1"):
        value = "true" if term["value"] == "1" else "false"
        return {"type": "literal", "datatype": _XSD_BOOLEAN, "value": value}
    if kind == "bnode":
        return {**term, "value": blank_label(str(term.get("value", "")))}
    if kind in ("literal", "typed-literal") and term.get("datatype") == _XSD_BOOLEAN:
        value = str(term.get("value", "")).strip()
        return {**term, "value": _BOOLEAN_SPELLINGS.get(value, value)}
    return term


_STOPPED = re.compile(r"operation has been cancelled|time[ -]?out|timed out", re.IGNORECASE)


def parse_json_results(
    body: bytes, booleans: frozenset[str] = frozenset()
) -> ReadSolutions | ox.QueryBoolean:
    """SPARQL JSON results (SELECT or ASK), read whole; raises ``SyntaxError``.

    ``booleans`` names columns computed as booleans, whose 1/0 integers are read as booleans.
    """
    if booleans or _needs_rewrite(body):
        try:
            payload = json.loads(body)
        except ValueError as err:
            raise SyntaxError(f"not JSON: {err}") from None
        bindings = payload.get("results", {}).get("bindings") if isinstance(payload, dict) else None
        if isinstance(bindings, list):
            payload["results"]["bindings"] = [
                {name: _standard_term(term, name in booleans) for name, term in row.items()}
                if isinstance(row, dict)
                else row
                for row in bindings
            ]
            body = json.dumps(payload).encode("utf-8")
    return read_results(body, ox.QueryResultsFormat.JSON)


#: The answer formats read from an engine (CSV loses term kinds, so it is never asked for).
_READ_AS = {
    media: ox_results(fmt)
    for fmt in RESULT_FORMATS
    if fmt.name in ("json", "tsv", "xml")
    for media in fmt.media_types
}


def parse_results(
    body: bytes, content_type: str, booleans: frozenset[str] = frozenset()
) -> ReadSolutions | ox.QueryBoolean:
    """An engine's SELECT or ASK answer in the format its ``Content-Type`` names (TSV, XML or
    JSON; JSON when it names none we read); raises ``SyntaxError``.

    >>> from lhs_kg.formats import result_format
    >>> tsv = result_format("tsv").media_type
    >>> answer = parse_results(b"?s\\t?n\\n<urn:a>\\t1\\n", tsv)
    >>> [(row["s"].value, row["n"].value) for row in answer]
    [('urn:a', '1')]
    """
    fmt = _READ_AS.get(content_type.split(";", 1)[0].strip().lower())
    if fmt is None or fmt == ox.QueryResultsFormat.JSON:  # JSON may need the engine's rewrite
        return parse_json_results(body, booleans)
    return read_results(body, fmt)


class ReadSolutions:
    """A SELECT answer read to its end: its variables and solutions, iterated as often as
    wanted, and the body it came in (for another format). Unlike pyoxigraph's lazy answer it
    may be dropped by any thread."""

    def __init__(
        self,
        variables: list[ox.Variable],
        solutions: list[ox.QuerySolution],
        body: bytes,
        fmt: ox.QueryResultsFormat,
    ) -> None:
        self.variables = variables
        self._solutions = solutions
        self._body = body
        self._format = fmt

    def __iter__(self) -> Iterator[ox.QuerySolution]:
        return iter(self._solutions)

    def __len__(self) -> int:
        return len(self._solutions)

    def serialize(
        self, output: IO[bytes] | None = None, format: ox.QueryResultsFormat | None = None
    ) -> bytes | None:
        """The answer in a results format (JSON by default), as pyoxigraph writes it."""
        solutions = ox.parse_query_results(self._body, format=self._format)  # parses: it did
        return solutions.serialize(output, format or ox.QueryResultsFormat.JSON)


def read_results(body: bytes, fmt: ox.QueryResultsFormat) -> ReadSolutions | ox.QueryBoolean:
    """Parse ``body`` once, to its end: pyoxigraph parses lazily, and a streamed answer may be
    cut mid-rows. Raises ``SyntaxError`` only once the parser is gone: a pyoxigraph answer
    object may be dropped only by the thread that made it, and one kept alive by a traceback
    was collected by the garbage collector of another thread (a RuntimeError there).

    An XML answer must end with its root element's end tag: pyoxigraph reads one cut after a
    complete row (or right after ``<results>``) as a shorter answer, without an error."""
    if fmt == ox.QueryResultsFormat.XML and not _XML_END.search(body[-200:]):
        raise SyntaxError("the XML answer ends before its closing </sparql> tag")
    parsed = ox.parse_query_results(body, format=fmt)
    if isinstance(parsed, ox.QueryBoolean):  # an ASK answer is parsed whole already
        return parsed
    problem = None
    variables = parsed.variables
    try:
        solutions = list(parsed)
    except SyntaxError as err:
        problem = str(err)
    del parsed
    if problem is not None:
        raise SyntaxError(problem)
    return ReadSolutions(variables, solutions, body, fmt)


def stopped_mid_answer(body: bytes) -> bool:
    """True when an answer that does not parse ends in an engine's "stopped" notice.

    ``oxigraph serve`` streams results with status 200 already sent, so when its time limit
    stops a query it can only append "The SPARQL operation has been cancelled" to the body.
    """
    return _STOPPED.search(body[-300:].decode("utf-8", "replace")) is not None


def parse_ntriples(body: bytes) -> list[ox.Triple]:
    """N-Triples as triples; raises ``SyntaxError``."""
    return [quad.triple for quad in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def json_term(term: object) -> dict[str, object]:
    """One RDF term in the SPARQL 1.1 JSON results format (RDF-star triples included).

    >>> json_term(ox.Literal("3", datatype=ox.NamedNode(_XSD_INTEGER)))
    {'type': 'literal', 'value': '3', 'datatype': 'http://www.w3.org/2001/XMLSchema#integer'}
    """
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        found: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            found["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            found["datatype"] = term.datatype.value
        return found
    if isinstance(term, ox.Triple):
        parts = {"subject": term.subject, "predicate": term.predicate, "object": term.object}
        return {"type": "triple", "value": {k: json_term(v) for k, v in parts.items()}}
    raise TypeError(f"not an RDF term: {term!r}")


def json_binding(variables: list[str], solution: Any) -> bytes:
    """One solution (a pyoxigraph solution or a dict of terms) as a JSON results binding."""
    get = solution.get if isinstance(solution, dict) else solution.__getitem__
    row = {n: json_term(t) for n in variables if (t := get(n)) is not None}
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_results(variables: list[str], bindings: Any) -> bytes:
    """SPARQL JSON results from the JSON ``bindings`` of :func:`json_binding` (bytes each)."""
    head = json.dumps({"vars": variables}, ensure_ascii=False, separators=(",", ":"))
    # one join, not a chain of +: each + copied the whole answer again (52 MB, the heat map at
    # 1M triples: 3 copies)
    return b"".join(
        (
            b'{"head":',
            head.encode("utf-8"),
            b',"results":{"bindings":[',
            b",".join(bindings),
            b"]}}",
        )
    )


_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_SPACES = frozenset(" \t\n\r")
_DECODER = json.JSONDecoder()


def binding_texts(body: bytes, var: str) -> list[tuple[str | None, str]]:
    """Each binding of SPARQL JSON results as its own text, in order, with the value of
    ``var`` in it (None: unbound). Raises ``ValueError`` on a body laid out otherwise.

    For answers kept per case study (:mod:`lhs_kg.per_case_study`), which falls back to
    encoding its parsed rows on a ``ValueError``: the text is cut from the body as it is,
    where encoding each parsed row again took 7 s of a restart's 14 at 1M triples (#16). The
    body is walked as JSON, so a variable named "bindings" or a literal holding that word
    changes nothing.
    """
    text = body.decode("utf-8")
    found: list[tuple[str | None, str]] = []
    seen: list[bool] = []  # the bindings array was met (once)

    def space(at: int) -> int:
        return _JSON_SPACE.match(text, at).end()  # type: ignore[union-attr]  # "*" matches

    def expect(at: int, char: str) -> int:
        at = space(at)
        if text[at : at + 1] != char:
            raise ValueError(f"expected {char!r} at {at} of the results")
        return space(at + 1)

    def members(at: int, inside: str | None) -> int:
        """Walk an object's members from after its "{"; the "bindings" array of the object
        named ``inside`` is cut into texts, other values skipped."""
        if text[at : at + 1] == "}":
            return at + 1
        while True:
            key, at = _DECODER.raw_decode(text, space(at))
            at = expect(at, ":")
            if inside == "results" and key == "bindings":
                if seen:
                    raise ValueError("two bindings arrays in the results")
                seen.append(True)
                at = elements(expect(at, "["))
            elif inside is None and key == "results":
                at = members(expect(at, "{"), "results")
            else:
                _, at = _DECODER.raw_decode(text, at)
            at = space(at)
            if text[at : at + 1] == "}":
                return at + 1
            at = expect(at, ",")

    def elements(at: int) -> int:
        if text[at : at + 1] == "]":
            return at + 1
        decode, add = _DECODER.raw_decode, found.append  # hot: once per binding
        while True:
            binding, end = decode(text, at)
            if not isinstance(binding, dict):
                raise ValueError("a binding that is not a JSON object")
            term = binding.get(var)
            add((term.get("value") if isinstance(term, dict) else None, text[at:end]))
            after = text[end : end + 1]
            if after == ",":  # compact JSON (ours, the engines'): no space to skip
                at = end + 1
                if text[at : at + 1] in _SPACES:
                    at = space(at)
                continue
            at = space(end)
            if text[at : at + 1] == "]":
                return at + 1
            at = expect(at, ",")

    if space(members(expect(0, "{"), None)) != len(text):
        raise ValueError("bytes after the results")
    if not seen:
        raise ValueError("no bindings array in the results")
    return found
