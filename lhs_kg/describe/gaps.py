"""Evidence gaps: for every concept, how many case studies and sources bear on it.

A case study bears on a concept when it links to it directly (loop stage, rationale, element,
country, scale…) or rates it in its NASSS assessment; a source when it names the concept as its
subject or the concept names the source as what it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass

from lhs_kg import sparql
from lhs_kg.describe.base import Reader, value
from lhs_kg.describe.concepts import natural_key

GAPS = sparql.text("describe/evidence-gaps")


@dataclass
class Gap:
    """A concept with its evidence counts."""

    iri: str
    label: str
    notation: str
    scheme: str
    scheme_label: str
    case_studies: int
    sources: int

    @property
    def empty(self) -> bool:
        """True when neither a case study nor a source bears on the concept."""
        return self.case_studies == 0 and self.sources == 0


def gaps(reader: Reader) -> list[Gap]:
    """Every concept with its counts, grouped by scheme, thinnest evidence first within one."""
    found: dict[str, Gap] = {}
    for r in reader.select(GAPS):
        iri = value(r, "c")
        gap = Gap(
            iri,
            value(r, "label") or iri,
            value(r, "notation"),
            value(r, "scheme"),
            value(r, "schemeLabel") or value(r, "scheme"),
            int(value(r, "cases", "0")),
            int(value(r, "sources", "0")),
        )
        if iri not in found or (not found[iri].scheme and gap.scheme):
            found[iri] = gap
    return sorted(
        found.values(),
        key=lambda g: (
            g.scheme_label.lower(),
            g.case_studies + g.sources,
            natural_key(g.notation),
            g.label.lower(),
        ),
    )
