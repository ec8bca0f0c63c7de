"""A spreadsheet-friendly table of the published case studies and their NASSS ratings.

One row per case study; one column per NASSS domain holding the level it was rated (several
ratings of one domain, e.g. from two assessments, are joined with "; "). Cells that a spreadsheet
would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) get a
leading apostrophe, the OWASP advice against CSV injection.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pyoxigraph as ox

from lhs_kg.config import Settings
from lhs_kg.graphs import published_graphs
from lhs_kg.store import Store

_CASE_STUDIES = """
PREFIX lhs: <https://w3id.org/lhs-kg/ontology/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?cs (SAMPLE(?t) AS ?title) (SAMPLE(?start) AS ?startYear)
       (GROUP_CONCAT(DISTINCT ?countryLabel; SEPARATOR="; ") AS ?country)
       (GROUP_CONCAT(DISTINCT ?orgName; SEPARATOR="; ") AS ?organisation)
       (GROUP_CONCAT(DISTINCT ?stageLabel; SEPARATOR="; ") AS ?stages)
WHERE {
  ?cs a lhs:CaseStudy .
  OPTIONAL { ?cs dcterms:title ?t }
  OPTIONAL { ?cs lhs:startYear ?start }
  OPTIONAL { ?cs lhs:country ?c .
             OPTIONAL { ?c skos:prefLabel ?cl0 }
             BIND(COALESCE(STR(?cl0), STR(?c)) AS ?countryLabel) }
  OPTIONAL { ?cs lhs:organisation ?o .
             OPTIONAL { ?o foaf:name ?on0 } OPTIONAL { ?o rdfs:label ?ol0 }
             BIND(COALESCE(STR(?on0), STR(?ol0), STR(?o)) AS ?orgName) }
  OPTIONAL { ?cs lhs:showsLoopStage ?st .
             OPTIONAL { ?st skos:prefLabel ?sl0 }
             BIND(COALESCE(STR(?sl0), STR(?st)) AS ?stageLabel) }
}
GROUP BY ?cs ORDER BY ?cs
"""
_DOMAINS = """
PREFIX lhs: <https://w3id.org/lhs-kg/ontology/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?d (SAMPLE(?n) AS ?notation) (SAMPLE(?l) AS ?label) WHERE {
  ?d a lhs:NasssDomain . OPTIONAL { ?d skos:notation ?n } OPTIONAL { ?d skos:prefLabel ?l }
} GROUP BY ?d ORDER BY ?notation ?d
"""
_RATINGS = """
PREFIX lhs: <https://w3id.org/lhs-kg/ontology/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?cs ?d ?levelLabel WHERE {
  ?cs a lhs:CaseStudy ; lhs:hasAssessment ?a .
  ?a lhs:hasRating ?r . ?r lhs:ratesDomain ?d ; lhs:level ?level .
  FILTER NOT EXISTS { ?r lhs:ratesSubdomain ?sub }
  OPTIONAL { ?level skos:prefLabel ?ll }
  BIND(COALESCE(STR(?ll), STR(?level)) AS ?levelLabel)
} ORDER BY ?cs ?d ?levelLabel
"""
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: formula-like values get a leading apostrophe.

    >>> safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("-1"), safe_cell("Sweden")
    ('\\'=HYPERLINK("http://x")', "'-1", 'Sweden')
    """
    return "'" + value if value.startswith(_DANGEROUS) else value


def case_study_rows(store: Store, settings: Settings) -> Iterator[list[str]]:
    """The header and one row per published case study (cells not yet made safe)."""
    graphs = published_graphs(store, settings)
    domains: list[tuple[str, str]] = []
    ratings: dict[tuple[str, str], list[str]] = {}
    studies: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]] = []
    if graphs:
        for row in store.query(_DOMAINS, default_graphs=graphs, union=False).rows():
            number = row["notation"].value if "notation" in row else row["d"].value
            label = row["label"].value if "label" in row else ""
            domains.append((row["d"].value, f"NASSS {number}: {label}".strip(": ")))
        for row in store.query(_RATINGS, default_graphs=graphs, union=False).rows():
            ratings.setdefault((row["cs"].value, row["d"].value), []).append(
                row["levelLabel"].value
            )
        studies = store.query(_CASE_STUDIES, default_graphs=graphs, union=False).rows()
    yield [
        "iri",
        "title",
        "country",
        "organisation",
        "loop stages",
        "start year",
        *(title for _, title in domains),
    ]
    for study in studies:
        iri = study["cs"].value

        def text(
            name: str, row: dict[str, ox.NamedNode | ox.BlankNode | ox.Literal] = study
        ) -> str:
            value = row.get(name)
            return value.value if value is not None else ""

        yield [
            iri,
            text("title"),
            text("country"),
            text("organisation"),
            text("stages"),
            text("startYear"),
            *("; ".join(ratings.get((iri, d), [])) for d, _ in domains),
        ]


def write_case_studies_csv(store: Store, settings: Settings) -> str:
    """The CSV text (RFC 4180, CRLF line ends, UTF-8 when encoded) of :func:`case_study_rows`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in case_study_rows(store, settings):
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
