"""Reading a contribution safely into an rdflib graph, plus a map back to the keys people wrote.

Accepted: plain JSON or YAML (made RDF by ``ontology/context.jsonld``), JSON-LD, Turtle, RDF/XML
and N-Triples.

Nothing here reaches the network: remote JSON-LD contexts are refused before any parser sees them
(our own published context URL is replaced by the local file), RDF/XML with a DOCTYPE or entity
declarations is refused, and sizes, nesting depth and YAML aliases are bounded. Every refusal is
an :class:`~lhs_kg.errors.InputError` naming the file, and the line and column when a parser gives
them.

>>> doc = load_document(b'{"type": "CaseStudy", "title": "T", "titel": "x"}', name="cs.json")
>>> len(doc.graph), [note.path for note in doc.notes]
(2, ['titel'])
"""

from __future__ import annotations

import copy
import difflib
import functools
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pyoxigraph as ox
import yaml
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from lhs_kg.config import PROJECT_ROOT
from lhs_kg.contribution_kinds import folder_of
from lhs_kg.errors import InputError, ParseError, TooLargeError
from lhs_kg.namespaces import PREFIXES

CONTEXT_PATH = PROJECT_ROOT / "ontology" / "context.jsonld"
CONTEXT_URLS = frozenset(
    {
        "https://w3id.org/lhs-kg/context.jsonld",
        "https://w3id.org/lhs-kg/ontology/context.jsonld",
    }
)
"""Context URLs that mean "our context": replaced by the local file, never fetched."""

DEFAULT_MAX_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_NODES = 20_000
DEFAULT_MAX_TRIPLES = 2_000
"""Triples per submission (LHS_KG_MAX_SUBMISSION_TRIPLES): ~20x the largest curated case study."""
MAX_LIST_MEMBERS = 50
"""Members of one RDF list (pySHACL copies a list into its report in quadratic time)."""
MAX_BLANK_NODE_USES = 4
"""Triples one blank node may be the value of (in a JSON tree, each is used once)."""
MAX_INTEGER_DIGITS = 18
"""Longer integers are refused: no field needs them, and Python cannot even print 4,300 digits."""
MAX_NUMBER_CHARS = 64
_BNODE_PREFIX = "lhskgp"
_PLACEHOLDER = "urn:x-lhs-kg-node:"

FORMATS = ("json", "yaml", "jsonld", "ttl", "nt", "rdfxml")
SUFFIXES = {
    ".json": "json",
    ".jsonld": "jsonld",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".ttl": "ttl",
    ".nt": "nt",
    ".rdf": "rdfxml",
    ".owl": "rdfxml",
    ".xml": "rdfxml",
}
_ALIASES = {
    "turtle": "ttl",
    "json-ld": "jsonld",
    "xml": "rdfxml",
    "rdf": "rdfxml",
    "ntriples": "nt",
    "n-triples": "nt",
    "yml": "yaml",
}
_OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
_BAD_IRI_CHARS = re.compile(r'[\s<>"{}|^`\\]')
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class Note:
    """Something wrong with the document itself (an unknown key, a value JSON-LD would drop)."""

    severity: str
    path: str
    message: str
    value: str | None = None
    hint: str = ""


@dataclass(frozen=True)
class TermDef:
    """One term of our JSON-LD context, reduced to what mapping keys and values back needs."""

    name: str
    iri: str
    type: str | None = None
    vocab: str | None = None
    base: str | None = None
    drops_relative: bool = False
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """Our context (ontology/context.jsonld): its JSON, its terms and the reverse map."""

    data: dict[str, Any]
    base: str
    terms: dict[str, TermDef]
    prefixes: dict[str, str]
    by_iri: dict[str, str]
    types: dict[str, str]

    def expand(self, name: str) -> str | None:
        """The IRI of a key: a term, a compact IRI with a known prefix, or an absolute IRI."""
        if name in self.terms:
            return self.terms[name].iri
        prefix, sep, local = name.partition(":")
        if sep and prefix in self.prefixes:
            return self.prefixes[prefix] + local
        if sep and local.startswith("//"):
            return name
        return None


@functools.cache
def load_context(path: Path = CONTEXT_PATH) -> Context:
    """Read our JSON-LD context once per process."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: cannot read the JSON-LD context: {err}") from None
    raw: dict[str, Any] = data["@context"]
    prefixes = {
        k: v
        for k, v in raw.items()
        if isinstance(v, str) and not k.startswith("@") and v.endswith(("/", "#"))
    }

    def full(value: str) -> str:
        prefix, sep, local = value.partition(":")
        return prefixes[prefix] + local if sep and prefix in prefixes else value

    terms: dict[str, TermDef] = {}
    types: dict[str, str] = {}
    for name, value in raw.items():
        if name.startswith("@") or name in prefixes:
            continue
        if isinstance(value, str):
            if value.startswith("@"):
                continue
            if name[:1].isupper():
                types[name] = full(value)
            terms[name] = TermDef(name, full(value))
            continue
        scoped = value.get("@context", {})
        terms[name] = TermDef(
            name,
            full(value["@id"]),
            value.get("@type"),
            scoped.get("@vocab"),
            scoped.get("@base"),
            "@base" in scoped and scoped["@base"] is None,
            {k: v for k, v in scoped.items() if not k.startswith("@")},
        )
    by_iri: dict[str, str] = {}
    for name, term in terms.items():
        by_iri.setdefault(term.iri, name)
    return Context(data, raw.get("@base", ""), terms, prefixes, by_iri, types)


@dataclass
class Document:
    """A parsed submission: its triples and, for JSON/YAML input, where each node came from."""

    graph: Graph
    name: str
    format: str
    notes: list[Note] = field(default_factory=list)
    node_paths: dict[Node, str] = field(default_factory=dict)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    bases: dict[str, str] = field(default_factory=dict)

    @property
    def keyed(self) -> bool:
        """True when fields can be named by the JSON key paths the contributor wrote."""
        return self.format in ("json", "yaml", "jsonld")

    def subjects(self) -> set[Node]:
        """Every node the submission says something about."""
        return set(self.graph.subjects())

    def path_of(self, node: Node) -> str | None:
        """The JSON key path of the object that became ``node`` ('' for the top object)."""
        return self.node_paths.get(node)

    def field_of(
        self, focus: Node, predicate: URIRef | None, value: Node | None
    ) -> tuple[str, Any]:
        """The field as the contributor wrote it, and the raw value they wrote (when found)."""
        if predicate is None:
            path = self.node_paths.get(focus)
            return (path if path else "(top)") if path is not None else "", None
        if not self.keyed or focus not in self.node_paths:
            return prefixed(predicate), None
        base_path = self.node_paths[focus]
        obj = self.objects.get(base_path, {})
        context = load_context()
        key = (
            "type"
            if predicate == RDF.type
            else next((k for k in obj if context.expand(k) == str(predicate)), None)
        )
        if key is None:
            key = context.by_iri.get(str(predicate), prefixed(predicate))
        path = f"{base_path}.{key}" if base_path else key
        raw = obj.get(key)
        if value is None or raw is None:
            return path, raw
        items = raw if isinstance(raw, list) else [raw]
        for index, item in enumerate(items):
            item_path = f"{path}[{index}]" if isinstance(raw, list) else path
            if self._matches(item, item_path, key, value, self.bases.get(base_path, "")):
                return item_path, item
        return path, None

    def _matches(self, item: Any, item_path: str, key: str, value: Node, base: str) -> bool:
        if isinstance(item, dict):
            return self.node_paths.get(value) == item_path
        term = load_context().terms.get(key)
        if isinstance(value, URIRef) and term is not None:
            return expand_value(term, item, base) == str(value)
        if isinstance(value, Literal):
            return _lexical(item) == str(value)
        return False


def prefixed(iri: Node) -> str:
    """A short form of an IRI with our prefixes ('dcterms:title'), or the IRI in angle brackets."""
    text = str(iri)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace) and "/" not in text[len(namespace) :]:
            return f"{prefix}:{text[len(namespace) :]}"
    return f"<{text}>"


def _lexical(item: Any) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    return str(item)


COUNTRY_PROPERTY = "https://w3id.org/lhs-kg/ontology/country"


def country_code(text: str) -> tuple[str | None, list[str]]:
    """The country id for a name, alpha-2 or alpha-3 code, else None and the closest matches."""
    from lhs_kg.content.country_names import country_table

    table = country_table()
    code = table.resolve(text)
    return (code, []) if code is not None else (None, table.closest(text))


def expand_value(term: TermDef, raw: Any, base: str) -> str | None:
    """What a scalar value of a term becomes as an IRI under our context (None for literals)."""
    if not isinstance(raw, str):
        return None
    if term.type == "@vocab":
        if raw in term.values:
            return term.values[raw]
        return raw if ":" in raw else (term.vocab or "") + raw
    if term.type == "@id":
        return raw if ":" in raw else (term.base if term.base is not None else base) + raw
    return None


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def load_document(
    data: bytes | str | Path,
    *,
    fmt: str | None = None,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    base_iri: str = "https://w3id.org/lhs-kg/",
    max_triples: int | None = DEFAULT_MAX_TRIPLES,
) -> Document:
    """Parse a submission (bytes, text or a file) into a :class:`Document`; refuse unsafe input.

    Besides the byte limit, the parsed graph is bounded (``max_triples``, members of an RDF
    list) so that validating whatever is accepted stays short (#12); ``None`` lifts both.
    """
    if isinstance(data, Path):
        name = name or str(data)
        data = _read_file(data, max_bytes)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    label = name or "(submission)"
    if len(raw) > max_bytes:
        raise InputError(
            f"{label}: {len(raw):,} bytes is over the limit of {max_bytes:,} bytes "
            "(LHS_KG_MAX_UPLOAD_BYTES)"
        )
    if not raw.strip():
        raise InputError(f"{label}: the submission is empty")
    kind = _format(fmt, name, raw)
    _install_log_filter()
    if kind in ("json", "jsonld", "yaml"):
        tree = _load_json(raw, label) if kind != "yaml" else _load_yaml(raw, label)
        document = _from_tree(tree, label, kind, max_triples)
    else:
        document = _from_rdf(raw, label, kind, base_iri, max_triples)
    if max_triples is not None:
        _check_shape(document.graph, label)
    return document


def _too_many_triples(label: str, limit: int) -> TooLargeError:
    return TooLargeError(
        f"{label}: more than {limit:,} triples; a submission describes one case study "
        "(the largest curated one has about 100), so this limit is generous "
        "(LHS_KG_MAX_SUBMISSION_TRIPLES)"
    )


def _check_shape(graph: Graph, label: str) -> None:
    """Refuse RDF lists that are too long, cyclic or branching, and shared unnamed nodes.

    A blank node used as the value of many triples makes pySHACL describe it once per result:
    one list shared by every property took 13 s to validate, so sharing is bounded.
    """
    uses: Counter[Node] = Counter(o for o in graph.objects() if isinstance(o, BNode))
    shared = next((node for node, count in uses.items() if count > MAX_BLANK_NODE_USES), None)
    if shared is not None:
        raise InputError(
            f"{label}: an unnamed (blank) node is the value of {uses[shared]} triples (at most "
            f"{MAX_BLANK_NODE_USES}); give it an IRI to refer to it from many places"
        )
    cells = set(graph.subjects(RDF.first, None)) | set(graph.subjects(RDF.rest, None))
    heads = [cell for cell in cells if (None, RDF.rest, cell) not in graph]
    if cells and not heads:
        raise InputError(f"{label}: an RDF list goes round in a circle")
    seen: set[Node] = set()
    for head in heads:
        node: Node | None = head
        members = 0
        while node is not None and node != RDF.nil:
            if node in seen:
                raise InputError(f"{label}: an RDF list goes round in a circle or shares its tail")
            seen.add(node)
            members += 1
            if members > MAX_LIST_MEMBERS:
                raise TooLargeError(
                    f"{label}: a list has more than {MAX_LIST_MEMBERS} members "
                    "(for example authors: list the first ones and add 'et al.' to the title)"
                )
            rests = list(graph.objects(node, RDF.rest))
            if len(rests) > 1:
                raise InputError(f"{label}: an RDF list cell has {len(rests)} rdf:rest values")
            node = rests[0] if rests else None
    if len(seen) < len(cells):
        raise InputError(f"{label}: an RDF list goes round in a circle")


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InputError(f"{path}: not a file")
        if size > max_bytes:
            raise InputError(
                f"{path}: {size:,} bytes is over the limit of {max_bytes:,} bytes "
                "(LHS_KG_MAX_UPLOAD_BYTES)"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None


def _format(fmt: str | None, name: str | None, raw: bytes) -> str:
    if fmt:
        key = _ALIASES.get(fmt.lower(), fmt.lower())
        if key not in FORMATS:
            raise InputError(f"unknown submission format {fmt!r} (known: {', '.join(FORMATS)})")
        return key
    if name:
        suffix = Path(name).suffix.lower()
        if suffix in SUFFIXES:
            return SUFFIXES[suffix]
        if suffix:
            raise InputError(
                f"{name}: cannot tell the format from {suffix!r}; use .json, .yaml, "
                ".jsonld, .ttl, .nt or .rdf"
            )
    head = raw.lstrip()[:200]
    if head[:1] in (b"{", b"["):
        return "json"
    if head.startswith((b"<?xml", b"<rdf:RDF", b"<!")):
        return "rdfxml"
    if re.match(rb"(@prefix|@base|PREFIX|BASE|<[^>]*>\s*<|#)", head, re.IGNORECASE):
        return "ttl"
    return "yaml"


class _Filter(logging.Filter):
    """Drops rdflib's traceback for literals like "2020-02-30"^^xsd:date: SHACL reports them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form")


@functools.cache
def _install_log_filter() -> None:
    logging.getLogger("rdflib.term").addFilter(_Filter())


# ---------------------------------------------------------------------------------------------
# JSON and YAML
# ---------------------------------------------------------------------------------------------


def _decode(raw: bytes, label: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{label}: not UTF-8 text (bad byte at offset {err.start})") from None


def _json_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings, without building anything."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


@dataclass(frozen=True)
class _BadNumber:
    """A number the parser met but no field can hold (huge, NaN, infinite): refused, with path."""

    text: str
    why: str


def _json_int(text: str) -> int | _BadNumber:
    digits = text.lstrip("-")
    if len(digits) > MAX_INTEGER_DIGITS:
        return _BadNumber(
            _abridged(text), f"has {len(digits):,} digits (at most {MAX_INTEGER_DIGITS})"
        )
    return int(text)


def _json_float(text: str) -> float | _BadNumber:
    if len(text) > MAX_NUMBER_CHARS:
        return _BadNumber(
            _abridged(text), f"is {len(text):,} characters long (at most {MAX_NUMBER_CHARS})"
        )
    value = float(text)
    return value if math.isfinite(value) else _BadNumber(text, "is too large to be a number")


def _json_constant(text: str) -> _BadNumber:
    return _BadNumber(text, "is not a number JSON allows")


def _abridged(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:12]}…{text[-6:]}"


def _check_numbers(tree: Any, label: str) -> None:
    """Refuse the first unusable number, naming the field as the contributor wrote it."""
    stack: list[tuple[Any, str]] = [(tree, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, _BadNumber):
            where = path or "(top)"
            raise InputError(
                f"{label}: {where}: the number {value.text} {value.why}; "
                "write a year as four digits, or the value as text"
            )
        if isinstance(value, dict):
            stack.extend((v, f"{path}.{k}" if path else str(k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(value))


def _load_json(raw: bytes, label: str) -> Any:
    text = _decode(raw, label)
    if _json_depth(text) > MAX_DEPTH:
        raise InputError(f"{label}: nested more than {MAX_DEPTH} levels deep")
    try:
        tree = json.loads(
            text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant
        )
    except json.JSONDecodeError as err:
        raise ParseError(
            f"invalid JSON: {err.msg}", source=label, line=err.lineno, column=err.colno
        ) from None
    except RecursionError:
        raise InputError(f"{label}: nested more than {MAX_DEPTH} levels deep") from None
    _check_numbers(tree, label)
    return tree


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases (the 'billion laughs' of YAML)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not accepted in a submission", event.start_mark
            )
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors (&name) are not accepted in a submission", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_yaml_int(self, node: Any) -> Any:
        """Integers bounded as in JSON (PyYAML's int() fails at 4,300 digits)."""
        text = str(self.construct_scalar(node)).replace("_", "")
        digits = text.lstrip("+-")
        if len(digits) > MAX_INTEGER_DIGITS:
            return _BadNumber(
                _abridged(text), f"has {len(digits):,} digits (at most {MAX_INTEGER_DIGITS})"
            )
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: Any) -> Any:
        """Finite floats only: .inf and .nan cannot be written in JSON-LD."""
        text = str(self.construct_scalar(node))
        if len(text) > MAX_NUMBER_CHARS:
            return _BadNumber(
                _abridged(text), f"is {len(text):,} characters long (at most {MAX_NUMBER_CHARS})"
            )
        value = super().construct_yaml_float(node)
        if isinstance(value, float) and not math.isfinite(value):
            return _BadNumber(text, "is not a finite number")
        return value


_SafeLoader.add_constructor("tag:yaml.org,2002:int", _SafeLoader.construct_yaml_int)
_SafeLoader.add_constructor("tag:yaml.org,2002:float", _SafeLoader.construct_yaml_float)


def _load_yaml(raw: bytes, label: str) -> Any:
    text = _decode(raw, label)
    if _json_depth(text) > MAX_DEPTH:
        raise InputError(f"{label}: nested more than {MAX_DEPTH} levels deep")
    try:
        tree = yaml.load(text, Loader=_SafeLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        raise ParseError(
            f"invalid YAML: {problem}",
            source=label,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as err:
        raise ParseError(f"invalid YAML: {err}", source=label) from None
    except RecursionError:
        raise InputError(f"{label}: nested more than {MAX_DEPTH} levels deep") from None
    tree = _plain(tree, 0, label)
    _check_numbers(tree, label)
    if tree is None:
        raise InputError(f"{label}: the submission is empty")
    return tree


def _plain(value: Any, depth: int, label: str) -> Any:
    """YAML values as JSON values: dates as ISO text, keys as text; depth bounded."""
    if depth > MAX_DEPTH:
        raise InputError(f"{label}: nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1, label) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, depth + 1, label) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        raise InputError(f"{label}: binary values are not accepted")
    return value


def _contexts(tree: Any) -> Iterator[tuple[dict[str, Any], Any]]:
    """Every (object, its @context value) in the tree, and every context object nested in those."""
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "@context" in item:
                yield item, item["@context"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _check_contexts(tree: Any, label: str) -> bool:
    """Refuse remote contexts (replacing ours by the local file); True if one is not ours."""
    foreign = False
    local = load_context().data["@context"]
    for owner, value in list(_contexts(tree)):
        values = value if isinstance(value, list) else [value]
        resolved: list[Any] = []
        for item in values:
            if isinstance(item, str):
                if item in CONTEXT_URLS:
                    resolved.append(copy.deepcopy(local))
                    continue
                raise InputError(
                    f"{label}: the document refers to a remote JSON-LD context ({item!r}); remote "
                    "contexts are never fetched: embed the context, or leave @context out to use "
                    "the lhs-kg contribution format"
                )
            if isinstance(item, dict) and _has_import(item):
                raise InputError(
                    f"{label}: @import in a JSON-LD context is not accepted (it would "
                    "fetch a remote document)"
                )
            if item is not None and not isinstance(item, dict):
                raise InputError(f"{label}: @context must be an object, got {type(item).__name__}")
            foreign = True
            resolved.append(item)
        owner["@context"] = resolved if isinstance(value, list) else resolved[0]
    return foreign


def _has_import(context: Any) -> bool:
    if isinstance(context, dict):
        return "@import" in context or any(_has_import(v) for v in context.values())
    if isinstance(context, list):
        return any(_has_import(v) for v in context)
    return False


def _from_tree(tree: Any, label: str, kind: str, max_triples: int | None) -> Document:
    foreign = _check_contexts(tree, label)
    plain = not foreign
    if plain and not isinstance(tree, dict):
        raise InputError(
            f"{label}: expected an object with the fields of a case study at the top "
            f"level, got a {_json_type(tree)}"
        )
    document = Document(Graph(), label, "jsonld" if foreign and kind == "json" else kind)
    walker = _Walker(document, plain)
    if plain:
        tree = _kind_scoped_id(tree)
    walker.walk(tree, "", load_context().base)
    if plain and "@context" not in tree:
        tree = dict(tree)
        tree["@context"] = load_context().data["@context"]
    try:
        quads = ox.parse(json.dumps(tree).encode("utf-8"), format=ox.RdfFormat.JSON_LD)
        for count, quad in enumerate(quads, 1):
            if max_triples is not None and count > max_triples:
                raise _too_many_triples(label, max_triples)
            document.graph.add(
                (walker.term(quad.subject), _term(quad.predicate), walker.term(quad.object))
            )
    except SyntaxError as err:
        raise ParseError(f"invalid JSON-LD: {err.msg or err}", source=label) from None
    except ValueError as err:
        raise ParseError(f"invalid JSON-LD: {err}", source=label) from None
    for node in document.graph.all_nodes():
        path = walker.paths.get(str(node)) if isinstance(node, URIRef | BNode) else None
        if path is not None:
            document.node_paths[node] = path
    return document


def _kind_scoped_id(tree: dict[str, Any]) -> dict[str, Any]:
    """A top-level short ``id`` of a kind other than a case study, made absolute in its folder.

    The context's ``@base`` is the case-study folder; a tool's ``"id": "pdsa"`` means
    ``<base>tool/pdsa`` (#14).
    """
    kind, ident = tree.get("type"), tree.get("id")
    if not isinstance(kind, str) or not isinstance(ident, str) or ":" in ident:
        return tree
    folder = folder_of(load_context().types.get(kind, ""))
    if folder is None or folder == "case-study":
        return tree
    return {**tree, "id": urljoin(load_context().base, f"../{folder}/") + ident}


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool):
        return "true/false value"
    if isinstance(value, int | float):
        return "number"
    return "null" if value is None else type(value).__name__


class _Walker:
    """Walks a JSON tree before JSON-LD sees it: names each node, notes unknown keys and values."""

    def __init__(self, document: Document, plain: bool) -> None:
        self.document = document
        self.plain = plain
        self.context = load_context()
        self.paths: dict[str, str] = {}
        self.count = 0

    def term(self, term: Any) -> Any:
        """An RDF term from the parser, with our placeholder IRIs turned back into blank nodes."""
        if isinstance(term, ox.NamedNode) and term.value.startswith(_PLACEHOLDER):
            return BNode(_BNODE_PREFIX + term.value[len(_PLACEHOLDER) :])
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        return _term(term)

    def note(
        self, severity: str, path: str, message: str, value: Any = None, hint: str = ""
    ) -> None:
        self.document.notes.append(
            Note(severity, path, message, None if value is None else str(value), hint)
        )

    def walk(self, obj: Any, path: str, base: str) -> None:
        if isinstance(obj, list):
            for index, item in enumerate(obj):
                self.walk(item, f"{path}[{index}]", base)
            return
        if not isinstance(obj, dict) or "@value" in obj:
            return
        if "@list" in obj or "@set" in obj:
            self.walk(obj.get("@list", obj.get("@set")), path, base)
            return
        self.count += 1
        if self.count > MAX_NODES:
            raise InputError(f"{self.document.name}: more than {MAX_NODES:,} objects")
        self._name(obj, path, base)
        self.document.objects[path] = obj
        self.document.bases[path] = base
        for key, value in list(obj.items()):
            where = f"{path}.{key}" if path else key
            if key.startswith("@") or key == "id":
                if key in ("@graph", "@included"):
                    self.walk(value, where, base)
                continue
            if key == "type":
                self._check_types(value, where)
                continue
            term = self.context.terms.get(key)
            if self.plain and self.context.expand(key) is None:
                close = difflib.get_close_matches(key, list(self.context.terms), n=1)
                self.note(
                    "warning",
                    where,
                    f'Unknown field "{key}": it is ignored.',
                    hint=f'Did you mean "{close[0]}"?'
                    if close
                    else "See the README section 'Contributing a case study' for the fields.",
                )
                continue
            if self.plain and term is not None and term.iri == COUNTRY_PROPERTY:
                value = obj[key] = self._countries(value, where)
            elif term is not None and term.drops_relative:
                self._check_urls(value, where)
            elif term is not None and term.type in ("@id", "@vocab"):
                self._check_codes(value, where)
            child_base = term.base if term is not None and term.base else base
            self.walk(value, where, child_base)

    def _name(self, obj: dict[str, Any], path: str, base: str) -> None:
        ident = obj.get("@id", obj.get("id"))
        if not self.plain and "@id" not in obj:
            if "id" in obj:
                return  # "id" may or may not be an alias under a foreign context: leave it
            ident = None
        if ident is None:
            obj.pop("id", None)
            obj["@id"] = f"{_PLACEHOLDER}{self.count}"
            self.paths[f"{_BNODE_PREFIX}{self.count}"] = path
        elif isinstance(ident, str):
            if ident.startswith(_PLACEHOLDER):
                raise InputError(
                    f"{self.document.name}: ids starting with {_PLACEHOLDER!r} are reserved"
                )
            self.paths[ident if ":" in ident else urljoin(base, ident)] = path
        else:
            self.note(
                "violation",
                f"{path}.id" if path else "id",
                f'"id" must be a short name written as text, not a {_json_type(ident)}.',
                ident,
                'For example "id": "my-initiative".',
            )
            obj.pop("id", None)
            obj.pop("@id", None)

    def _check_types(self, value: Any, where: str) -> None:
        if not self.plain:
            return
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str) or item not in self.context.types:
                known = ", ".join(sorted(self.context.types))
                self.note(
                    "violation", where, f"Unknown type {item!r}.", item, f"Use one of: {known}."
                )

    def _check_codes(self, value: Any, where: str) -> None:
        """Codes and short names become IRIs: ones JSON-LD would silently drop are reported."""
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            at = f"{where}[{index}]" if isinstance(value, list) else where
            if isinstance(item, str) and (not item or _BAD_IRI_CHARS.search(item)):
                self.note(
                    "violation",
                    at,
                    "This code or short name is empty or contains spaces "
                    'or characters such as < > " { } | ^ ` \\.',
                    item,
                    'Codes are short words such as "P2D", "complex" or "foley-vale-2022".',
                )

    def _countries(self, value: Any, where: str) -> Any:
        """Country names and codes as written become the scheme's ids (unknown ones stay as is).

        A name that cannot become an IRI (it has spaces) is noted here with the closest matches.
        """
        if isinstance(value, list):
            return [self._countries(item, f"{where}[{i}]") for i, item in enumerate(value)]
        if not isinstance(value, str) or ":" in value:
            return value  # a full IRI (or not text at all): the shapes judge it
        code, close = country_code(value)
        if code is None and (not value or _BAD_IRI_CHARS.search(value)):
            self.note(
                "violation",
                where,
                f'"{value}" is not a country the knowledge base knows.',
                value,
                f"Did you mean {' or '.join(close)}?"
                if close
                else 'Write the English name ("Canada") or the ISO 3166-1 code ("CA" or "CAN").',
            )
            return value
        return code if code is not None else value  # the shapes report an unknown code

    def _check_urls(self, value: Any, where: str) -> None:
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            at = f"{where}[{index}]" if isinstance(value, list) else where
            if (
                not isinstance(item, str)
                or _BAD_IRI_CHARS.search(item)
                or not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", item)
            ):
                self.note(
                    "violation",
                    at,
                    "This must be a full web address starting with http:// or https://.",
                    item,
                    'For example "https://example.org/".',
                )


# ---------------------------------------------------------------------------------------------
# Turtle, N-Triples, RDF/XML
# ---------------------------------------------------------------------------------------------


def _from_rdf(
    raw: bytes, label: str, kind: str, base_iri: str, max_triples: int | None
) -> Document:
    if kind == "rdfxml" and _DOCTYPE.search(raw):
        raise InputError(
            f"{label}: RDF/XML with a DOCTYPE or ENTITY declaration is not accepted "
            "(it could read files or reach the network)"
        )
    graph = Graph()
    try:
        quads = ox.parse(raw, format=_OX_FORMATS[kind], base_iri=f"{base_iri}case-study/")
        for count, quad in enumerate(quads, 1):
            if max_triples is not None and count > max_triples:
                raise _too_many_triples(label, max_triples)
            graph.add((_term(quad.subject), _term(quad.predicate), _term(quad.object)))
    except SyntaxError as err:
        raise ParseError(
            str(err.msg or err), source=label, line=err.lineno, column=err.offset
        ) from None
    except ValueError as err:
        raise ParseError(str(err), source=label) from None
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return Document(graph, label, kind)


def _term(term: Any) -> Any:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise InputError("RDF-star triples are not accepted in a submission")
