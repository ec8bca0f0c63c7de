"""The NASSS domains and complexity levels as the case-study read models name them."""

from __future__ import annotations

from lhs_kg import sparql
from lhs_kg.describe.base import Reader, value
from lhs_kg.describe.concepts import natural_key

DOMAINS = sparql.text("describe/nasss-domains")

#: Names of the complexity levels (ids under concept/complexity-level/), lowest first.
LEVELS = ("simple", "complicated", "complex")


def level_id(iri: str) -> str:
    """'complex' for …/complexity-level/complex."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


def domains(reader: Reader) -> list[tuple[str, str, str]]:
    """The NASSS domains as (iri, notation, label), in notation order (shared by every page)."""
    return reader.memo("nasss-domains", lambda: _domains(reader))


def _domains(reader: Reader) -> list[tuple[str, str, str]]:
    found = {
        value(r, "d"): (value(r, "d"), value(r, "notation"), value(r, "label") or value(r, "d"))
        for r in reader.select(DOMAINS)
    }
    return sorted(found.values(), key=lambda d: natural_key(d[1]))
