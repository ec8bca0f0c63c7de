"""Evidence gaps: for every concept, how many case studies and sources bear on it.

A case study bears on a concept when it links to it directly (loop stage, rationale, element,
country, scale…) or rates it in its NASSS assessment; a source when it names the concept as its
subject or the concept names the source as what it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass

from lhs_kg.describe.base import DCT, SKOS, Reader, best_label_pattern, value
from lhs_kg.describe.concepts import natural_key
from lhs_kg.namespaces import LHS

GAPS = f"""
SELECT ?c ?label ?notation ?scheme ?schemeLabel
       (COUNT(DISTINCT ?cs) AS ?cases) (COUNT(DISTINCT ?src) AS ?sources)
WHERE {{
  ?c a <{SKOS}Concept> .
  {best_label_pattern("c", "label")}
  OPTIONAL {{ ?c <{SKOS}notation> ?notation }}
  OPTIONAL {{ ?c <{SKOS}inScheme> ?scheme . FILTER(STRSTARTS(STR(?c), CONCAT(STR(?scheme), "/")))
             {best_label_pattern("scheme", "schemeLabel")} }}
  OPTIONAL {{
    {{ ?cs ?link ?c . ?cs a <{LHS.CaseStudy}> }}
    UNION
    {{ ?cs <{LHS.hasAssessment}>/<{LHS.hasRating}>
         /(<{LHS.ratesDomain}>|<{LHS.ratesSubdomain}>) ?c }}
  }}
  OPTIONAL {{ {{ ?src <{DCT}subject> ?c }} UNION {{ ?c <{DCT}source> ?src }} }}
}}
GROUP BY ?c ?label ?notation ?scheme ?schemeLabel
"""


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
