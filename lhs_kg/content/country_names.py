"""Countries as contributors write them: a name, an ISO 3166-1 alpha-2 or alpha-3 code.

The table is read from the committed ``ontology/countries.ttl`` (labels and notations), never
from pycountry, so the engine needs no extra package and no network at run time.

>>> table = country_table()
>>> [table.resolve(v) for v in ("ca", "CAN", "canada", "South Korea", "GB")]
['CA', 'CA', 'CA', 'KR', 'GB']
>>> table.resolve("Atlantis") is None, table.closest("Canda", n=1)
(True, ['Canada (CA)'])
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from lhs_kg.config import Settings

COUNTRIES_PATH = Settings().content_file("ontology", "countries.ttl")
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_SCHEME = "https://w3id.org/lhs-kg/concept/country"


@dataclass(frozen=True)
class CountryTable:
    """Every way of writing a country (case-folded) → its alpha-2 id, and the display names."""

    by_key: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def resolve(self, text: str) -> str | None:
        """The alpha-2 id for a name or code (any case, spaces trimmed), or None."""
        return self.by_key.get(" ".join(text.split()).casefold())

    def closest(self, text: str, n: int = 3) -> list[str]:
        """The nearest known names or codes, shown as 'Name (ID)', best first."""
        folded = " ".join(text.split()).casefold()
        found = difflib.get_close_matches(folded, list(self.by_key), n=n * 3, cutoff=0.7)
        shown: list[str] = []
        for key in found:
            ident = self.by_key[key]
            label = f"{self.names.get(ident, ident)} ({ident})"
            if label not in shown:
                shown.append(label)
        return shown[:n]


@functools.cache
def country_table(path: Path = COUNTRIES_PATH) -> CountryTable:
    """The lookup table of the country scheme, read once per process."""
    table = CountryTable()
    prefix = _SCHEME + "/"
    with path.open("rb") as handle:
        triples = list(ox.parse(handle, format=ox.RdfFormat.TURTLE))
    for triple in triples:
        subject = triple.subject
        if not isinstance(subject, ox.NamedNode) or not subject.value.startswith(prefix):
            continue
        ident = subject.value[len(prefix) :]
        predicate = triple.predicate.value
        if not isinstance(triple.object, ox.Literal):
            continue
        text = triple.object.value
        if predicate == _SKOS + "prefLabel":
            table.names[ident] = text
        if predicate in (_SKOS + "prefLabel", _SKOS + "altLabel", _SKOS + "notation"):
            table.by_key.setdefault(text.casefold(), ident)
    for ident in table.names:
        table.by_key[ident.casefold()] = ident  # a code always wins over a name
    return table
