"""Our JSON-LD context (``ontology/context.jsonld``) read once, with the map from keys to IRIs."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lhs_kg.config import Settings
from lhs_kg.errors import InputError

CONTEXT_PATH = Settings().context_file
CONTEXT_URLS = frozenset(
    {
        "https://w3id.org/lhs-kg/context.jsonld",
        "https://w3id.org/lhs-kg/ontology/context.jsonld",
    }
)
"""Context URLs that mean "our context": replaced by the local file, never fetched."""


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
