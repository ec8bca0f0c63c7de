"""A streaming JSON-LD writer that compacts with our context (``ontology/context.jsonld``).

rdflib compacts JSON-LD only on a graph held in memory, which a dump must not need. This writer
takes quads one at a time, groups them by graph and subject into node objects, and writes each
node as soon as it is complete, so memory holds one node. Compaction is deliberately
conservative: a context term is used for a property only when its definition is simple (no
``@reverse``, scoped context, ``@nest`` or container other than ``@set``); a value is written in
short form only when the term's coercion gives back exactly the same RDF term, otherwise as an
explicit ``{"@id": …}`` or ``{"@value": …}`` object. Expanding the output therefore yields the
input quads exactly, whatever the context says. Remote contexts are never fetched: string
entries (``@import`` and URLs in a context array) are dropped from the embedded context.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from lhs_kg.errors import InputError
from lhs_kg.namespaces import PREFIXES

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")
_MAX_CONTEXT_BYTES = 1_000_000
_FLUSH_BYTES = 1 << 16
_CACHE_LIMIT = 10_000

ContextDict = dict[str, Any]


def default_context() -> ContextDict:
    """The context used when ``ontology/context.jsonld`` is absent: our prefixes only."""
    return dict(PREFIXES)


def compaction_context(path: Path) -> ContextDict:
    """The local context object of a ``.jsonld`` file, for compacting exports (remote parts out).

    A missing file gives :func:`default_context`; a malformed one raises :class:`InputError`.
    """
    if not path.is_file():
        return default_context()
    if path.stat().st_size > _MAX_CONTEXT_BYTES:
        raise InputError(f"{path}: the JSON-LD context is larger than {_MAX_CONTEXT_BYTES:,} bytes")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"{path}: not a readable JSON-LD context: {err}") from None
    raw = document.get("@context", document) if isinstance(document, dict) else None
    parts = raw if isinstance(raw, list) else [raw]
    merged: ContextDict = {}
    for part in parts:
        if isinstance(part, dict):  # strings are remote contexts: never fetched, left out
            merged.update({k: v for k, v in part.items() if k != "@import"})
    if not merged:
        raise InputError(f"{path}: no local @context object found")
    return merged


class Compactor:
    """Turns RDF terms into compact JSON-LD keys and values under one context."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        self.context = dict(context)
        for scheme in ("http", "https", "urn", "mailto", "_"):
            if scheme in self.context:
                raise InputError(
                    f"the JSON-LD context defines the term {scheme!r}, which would change the "
                    "meaning of absolute IRIs; rename it"
                )
        self.vocab = self.context.get("@vocab")
        self.default_language = self.context.get("@language")
        self.default_direction = self.context.get("@direction")
        self._iris: dict[str, str | None] = {}
        self.prefixes: list[tuple[str, str]] = []
        self.type_terms: dict[str, str] = {}
        # predicate IRI -> list of (term, coercion, language-or-missing)
        self.property_terms: dict[str, list[tuple[str, str | None, object]]] = {}
        self._analyse()
        self._keys: dict[str, str] = {}
        self._ids: dict[str, str] = {}
        self._vocab_ids: dict[str, str] = {}

    # -- reading the context ---------------------------------------------------------------

    def _resolve(self, value: str, depth: int = 0) -> str | None:
        """The absolute IRI a term or compact IRI stands for in this context, if any."""
        if depth > 10 or value.startswith("@"):
            return None
        prefix, colon, suffix = value.partition(":")
        if colon:
            if suffix.startswith("//") or prefix not in self.context:
                return value
            base = self._term_iri(prefix, depth + 1)
            return base + suffix if base else value
        if value in self.context:
            return self._term_iri(value, depth + 1)
        return f"{self.vocab}{value}" if isinstance(self.vocab, str) else None

    def _term_iri(self, term: str, depth: int = 0) -> str | None:
        definition = self.context.get(term)
        if isinstance(definition, str):
            return None if definition == term else self._resolve(definition, depth)
        if isinstance(definition, dict):
            target = definition.get("@id")
            if isinstance(target, str) and target != term:
                return self._resolve(target, depth)
            if target is None and "@id" not in definition:
                if ":" in term:
                    return self._resolve(term, depth)
                return f"{self.vocab}{term}" if isinstance(self.vocab, str) else None
        return None

    def _analyse(self) -> None:
        for term, definition in self.context.items():
            if term.startswith("@") or definition is None:
                continue
            iri = self._term_iri(term)
            if not iri or iri.startswith("@"):
                continue
            simple = isinstance(definition, str)
            usable_prefix = (simple and iri.endswith(_GEN_DELIMS) and ":" not in term) or (
                isinstance(definition, dict) and definition.get("@prefix") is True
            )
            if usable_prefix:
                self.prefixes.append((iri, term))
            if isinstance(definition, dict) and (
                "@reverse" in definition or "@context" in definition
            ):
                continue
            self.type_terms.setdefault(iri, term)
            if simple:
                self.property_terms.setdefault(iri, []).append((term, None, _MISSING))
                continue
            assert isinstance(definition, dict)
            if set(definition) - {
                "@id",
                "@type",
                "@language",
                "@container",
                "@protected",
                "@direction",
            }:
                continue
            container = definition.get("@container")
            if container not in (None, "@set", ["@set"]):
                continue
            if "@direction" in definition:
                continue
            coercion = definition.get("@type")
            if coercion is not None:
                if coercion in ("@id",):
                    pass
                elif isinstance(coercion, str) and not coercion.startswith("@"):
                    coercion = self._resolve(coercion)
                    if coercion is None:
                        continue
                else:
                    continue
            language = definition.get("@language", _MISSING)
            self.property_terms.setdefault(iri, []).append((term, coercion, language))
        self.prefixes.sort(key=lambda item: -len(item[0]))
        for entries in self.property_terms.values():
            entries.sort(
                key=lambda entry: (entry[1] is not None, entry[2] is not _MISSING, entry[0])
            )

    # -- compacting ------------------------------------------------------------------------

    def compact_iri(self, iri: str) -> str:
        """An IRI as a compact IRI with one of the context's prefixes, else absolute."""
        for namespace, prefix in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                candidate = f"{prefix}:{iri[len(namespace) :]}"
                if not candidate.startswith(f"{prefix}://") and candidate not in self.context:
                    return candidate
        return iri

    def key(self, predicate: str) -> str:
        """The JSON key of a property whose values are written as explicit objects."""
        found = self._keys.get(predicate)
        if found is None:
            entries = self.property_terms.get(predicate)
            found = json.dumps(
                entries[0][0] if entries else self.compact_iri(predicate), ensure_ascii=False
            )
            if len(self._keys) > _CACHE_LIMIT:
                self._keys.clear()
            self._keys[predicate] = found
        return found

    def node_id(self, term: ox.NamedNode | ox.BlankNode | ox.Triple) -> str:
        """The JSON string identifying a node (compact IRI or ``_:label``)."""
        if isinstance(term, ox.BlankNode):
            return json.dumps(f"_:{term.value}")
        if not isinstance(term, ox.NamedNode):
            raise InputError("RDF-star triple terms cannot be written as JSON-LD")
        found = self._ids.get(term.value)
        if found is None:
            found = json.dumps(self.compact_iri(term.value), ensure_ascii=False)
            if len(self._ids) > _CACHE_LIMIT:
                self._ids.clear()
            self._ids[term.value] = found
        return found

    def type_value(self, iri: str) -> str:
        """A class IRI as an ``@type`` value (vocabulary-relative, so terms may stand for it)."""
        found = self._vocab_ids.get(iri)
        if found is None:
            term = self.type_terms.get(iri)
            found = json.dumps(term if term else self.compact_iri(iri), ensure_ascii=False)
            if len(self._vocab_ids) > _CACHE_LIMIT:
                self._vocab_ids.clear()
            self._vocab_ids[iri] = found
        return found

    def value(self, predicate: str, obj: Any) -> tuple[str, str]:
        """The (key, JSON value) pair for one object of ``predicate``."""
        entries = self.property_terms.get(predicate, ())
        if isinstance(obj, ox.Literal):
            datatype = obj.datatype.value
            language = obj.language
            for term, coercion, term_language in entries:
                if self._short_literal_ok(coercion, term_language, datatype, language):
                    return json.dumps(term, ensure_ascii=False), json.dumps(
                        obj.value, ensure_ascii=False
                    )
            if language:
                body = (
                    f'{{"@value":{json.dumps(obj.value, ensure_ascii=False)},'
                    f'"@language":{json.dumps(language)}}}'
                )
            elif datatype == XSD_STRING:
                body = f'{{"@value":{json.dumps(obj.value, ensure_ascii=False)}}}'
            else:
                body = (
                    f'{{"@value":{json.dumps(obj.value, ensure_ascii=False)},'
                    f'"@type":{json.dumps(self.compact_iri(datatype), ensure_ascii=False)}}}'
                )
            return self.key(predicate), body
        ident = self.node_id(obj)
        for term, coercion, _ in entries:
            if coercion == "@id":
                return json.dumps(term, ensure_ascii=False), ident
        return self.key(predicate), f'{{"@id":{ident}}}'

    def _short_literal_ok(
        self, coercion: str | None, term_language: object, datatype: str, language: str | None
    ) -> bool:
        if coercion == "@id":
            return False
        if coercion is not None:
            return language is None and coercion == datatype
        if self.default_direction is not None:
            return False
        effective = self.default_language if term_language is _MISSING else term_language
        if language:
            return isinstance(effective, str) and effective == language
        return datatype == XSD_STRING and effective is None


class _Missing:
    """Marks a term definition without ``@language`` (distinct from ``"@language": null``)."""


_MISSING = _Missing()


def write_jsonld(quads: Iterable[ox.Quad], output: IO[bytes], context: Mapping[str, Any]) -> int:
    """Write quads as one compacted JSON-LD document; return how many were written.

    Quads in named graphs go into graph objects (``{"@id": g, "@graph": […]}``), those in the
    default graph into the top-level ``@graph``. Consecutive quads with the same graph and subject
    become one node object; a subject met again later gets another node object, which JSON-LD
    merges on expansion.
    """
    compactor = Compactor(context)
    pieces: list[str] = [
        '{"@context":',
        json.dumps(compactor.context, ensure_ascii=False, indent=1),
        ',\n"@graph":[',
    ]
    size = 0
    count = 0
    first_top = True
    first_in_graph = True
    current_graph: Any = None
    in_named = False
    subject: Any = None
    node: dict[str, list[str]] = {}
    types: list[str] = []

    def flush_node() -> None:
        nonlocal first_in_graph, first_top, size
        if subject is None:
            return
        parts = [f'{{"@id":{compactor.node_id(subject)}']
        if types:
            parts.append(
                f',"@type":{types[0]}' if len(types) == 1 else f',"@type":[{",".join(types)}]'
            )
        for key, values in node.items():
            parts.append(
                f",{key}:{values[0]}" if len(values) == 1 else f",{key}:[{','.join(values)}]"
            )
        parts.append("}")
        text = "".join(parts)
        if in_named:
            separator = "\n  " if first_in_graph else ",\n  "
            first_in_graph = False
        else:
            separator = "\n" if first_top else ",\n"
            first_top = False
        pieces.append(separator)
        pieces.append(text)
        size += len(text)

    def write_out() -> None:
        nonlocal size
        output.write("".join(pieces).encode("utf-8"))
        pieces.clear()
        size = 0

    for quad in quads:
        graph = quad.graph_name
        if graph != current_graph or quad.subject != subject:
            flush_node()
            node = {}
            types = []
            subject = quad.subject
            if graph != current_graph:
                if in_named:
                    pieces.append("\n]}")
                current_graph = graph
                in_named = not isinstance(graph, ox.DefaultGraph)
                if not isinstance(graph, ox.DefaultGraph):
                    pieces.append("\n" if first_top else ",\n")
                    first_top = False
                    pieces.append(f'{{"@id":{compactor.node_id(graph)},"@graph":[')
                    first_in_graph = True
            if size > _FLUSH_BYTES:
                write_out()
        predicate = quad.predicate.value
        obj = quad.object
        if predicate == RDF_TYPE and isinstance(obj, ox.NamedNode):
            types.append(compactor.type_value(obj.value))
        else:
            key, value = compactor.value(predicate, obj)
            node.setdefault(key, []).append(value)
        count += 1
    flush_node()
    if in_named:
        pieces.append("\n]}")
    pieces.append("\n]}\n")
    write_out()
    return count
