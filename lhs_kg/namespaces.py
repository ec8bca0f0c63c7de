"""Prefixes we use everywhere, and the terms of our ontology as a closed namespace (typos fail)."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    VOID,
    XSD,
    DefinedNamespace,
)

BASE = "https://w3id.org/lhs-kg/"
BIBO = Namespace("http://purl.org/ontology/bibo/")
SCHEMA = Namespace("https://schema.org/")
CONCEPT = Namespace(BASE + "concept/")
CASE_STUDY = Namespace(BASE + "case-study/")
SOURCE = Namespace(BASE + "source/")
GRAPH = Namespace(BASE + "graph/")


class LHS(DefinedNamespace):
    """Terms of ``ontology/lhs.ttl``; ``docs/MODEL.md`` documents them."""

    _fail = True
    _NS = Namespace(BASE + "ontology/")

    CaseStudy: URIRef
    Organisation: URIRef
    Source: URIRef
    Contribution: URIRef
    ComplexityAssessment: URIRef
    DomainRating: URIRef
    Outcome: URIRef
    HighComplexityCaseStudy: URIRef
    FrameworkPart: URIRef
    Rationale: URIRef
    StrategicConsideration: URIRef
    LoopStage: URIRef
    NasssDomain: URIRef
    NasssSubdomain: URIRef
    ComplexityLevel: URIRef
    Scale: URIRef
    AssessmentInstrument: URIRef
    Country: URIRef
    AssessmentBasis: URIRef
    VerificationStatus: URIRef
    ISO3166Alpha2: URIRef
    ISO3166Alpha3: URIRef
    aim: URIRef
    organisation: URIRef
    country: URIRef
    setting: URIRef
    scale: URIRef
    startYear: URIRef
    endYear: URIRef
    showsLoopStage: URIRef
    addressesRationale: URIRef
    appliesElement: URIRef
    hasOutcome: URIRef
    hasAssessment: URIRef
    hasRating: URIRef
    assessmentBasis: URIRef
    instrument: URIRef
    coverageNote: URIRef
    ratesDomain: URIRef
    ratesSubdomain: URIRef
    level: URIRef
    justification: URIRef
    metric: URIRef
    valueBefore: URIRef
    valueAfter: URIRef
    nextStage: URIRef
    stageOrder: URIRef
    levelRank: URIRef
    verification: URIRef
    Tool: URIRef
    ToolKind: URIRef
    Audience: URIRef
    EffortLevel: URIRef
    GlossaryTerm: URIRef
    BehaviourChangeWheelPart: URIRef
    MaturityGridDomain: URIRef
    toolKind: URIRef
    serves: URIRef
    audience: URIRef
    effort: URIRef
    usesTool: URIRef
    illustrates: URIRef
    usesTerm: URIRef
    guidance: URIRef
    whyItMatters: URIRef
    guidingQuestion: URIRef
    guidanceSource: URIRef


PREFIXES: dict[str, str] = {
    "lhs": str(LHS._NS),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "bibo": str(BIBO),
    "schema": str(SCHEMA),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "dcat": str(DCAT),
    "void": str(VOID),
    "sh": str(SH),
}


DISPLAY_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "cs": BASE + "case-study/",
    "src": BASE + "source/",
    "org": BASE + "organisation/",
    "lhsc": BASE + "concept/",
    "graph": BASE + "graph/",
}
"""For showing IRIs to people only: ``lhsc:nasss/4`` is readable but not valid Turtle."""


def sparql_prefixes() -> str:
    """PREFIX lines for every prefix above, for ad-hoc queries typed by people."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
