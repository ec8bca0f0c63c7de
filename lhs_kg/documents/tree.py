"""A JSON tree made RDF under our context: contexts checked, nodes named, unknown keys noted."""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef

from lhs_kg.documents.context import CONTEXT_URLS, Context
from lhs_kg.documents.limits import MAX_NODES, _too_many_triples
from lhs_kg.documents.model import Document, Note
from lhs_kg.documents.rdf import _term
from lhs_kg.errors import InputError, ParseError
from lhs_kg.namespaces import LHS

_BNODE_PREFIX = "lhskgp"
_PLACEHOLDER = "urn:x-lhs-kg-node:"
_BAD_IRI_CHARS = re.compile(r'[\s<>"{}|^`\\]')


COUNTRY_PROPERTY = str(LHS.country)


def country_code(text: str) -> tuple[str | None, list[str]]:
    """The country id for a name, alpha-2 or alpha-3 code, else None and the closest matches."""
    from lhs_kg.content.country_names import country_table

    table = country_table()
    code = table.resolve(text)
    return (code, []) if code is not None else (None, table.closest(text))


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


def _check_contexts(tree: Any, label: str, context: Context) -> bool:
    """Refuse remote contexts (replacing ours by the local file); True if one is not ours."""
    foreign = False
    local = context.data["@context"]
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


def _from_tree(
    tree: Any, label: str, kind: str, max_triples: int | None, context: Context
) -> Document:
    foreign = _check_contexts(tree, label, context)
    plain = not foreign
    if plain and not isinstance(tree, dict):
        raise InputError(
            f"{label}: expected an object with the fields of a case study at the top "
            f"level, got a {_json_type(tree)}"
        )
    document = Document(Graph(), label, "jsonld" if foreign and kind == "json" else kind)
    document.context = context
    walker = _Walker(document, plain, context)
    walker.walk(tree, "", context.base)
    if plain and "@context" not in tree:
        tree = dict(tree)
        tree["@context"] = context.data["@context"]
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

    def __init__(self, document: Document, plain: bool, context: Context) -> None:
        self.document = document
        self.plain = plain
        self.context = context
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
