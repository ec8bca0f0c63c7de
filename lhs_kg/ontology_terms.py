"""The terms of ``ontology/lhs.ttl`` as a closed namespace (generated: do not edit).

Regenerate with ``make content`` after editing the ontology; ``docs/MODEL.md`` documents
each term. ``LHS.unknown`` raises ``AttributeError``.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace


class LHS(DefinedNamespace):
    """Terms of ``ontology/lhs.ttl``."""

    _fail = True
    _NS = Namespace("https://w3id.org/lhs-kg/ontology/")

    # classes
    AssessmentBasis: URIRef
    AssessmentInstrument: URIRef
    Audience: URIRef
    BehaviourChangeWheelPart: URIRef
    CaseStudy: URIRef
    ComplexityAssessment: URIRef
    ComplexityLevel: URIRef
    Contribution: URIRef
    Country: URIRef
    DomainRating: URIRef
    EffortLevel: URIRef
    EvidenceGrade: URIRef
    FrameworkPart: URIRef
    GlossaryTerm: URIRef
    HighComplexityCaseStudy: URIRef
    InitiativeFate: URIRef
    LoopStage: URIRef
    MaturityGridDomain: URIRef
    NasssDomain: URIRef
    NasssSubTheme: URIRef
    NasssSubdomain: URIRef
    Organisation: URIRef
    Outcome: URIRef
    Rationale: URIRef
    ReviewState: URIRef
    Scale: URIRef
    Source: URIRef
    SourceList: URIRef
    StrategicConsideration: URIRef
    StudyDesign: URIRef
    Tool: URIRef
    ToolKind: URIRef
    VerificationStatus: URIRef

    # datatypes
    ISO3166Alpha2: URIRef
    ISO3166Alpha3: URIRef

    # object properties
    addressesRationale: URIRef
    appliesElement: URIRef
    assessmentBasis: URIRef
    audience: URIRef
    country: URIRef
    decidedState: URIRef
    effort: URIRef
    evidenceGrade: URIRef
    fate: URIRef
    hasAssessment: URIRef
    hasOutcome: URIRef
    hasRating: URIRef
    illustrates: URIRef
    instrument: URIRef
    level: URIRef
    nextStage: URIRef
    organisation: URIRef
    previousAssessment: URIRef
    ratesDomain: URIRef
    ratesSubdomain: URIRef
    reviewState: URIRef
    scale: URIRef
    serves: URIRef
    showsLoopStage: URIRef
    studyDesign: URIRef
    toolKind: URIRef
    usesTerm: URIRef
    usesTool: URIRef
    verification: URIRef

    # datatype properties
    aim: URIRef
    complexAnchor: URIRef
    complicatedAnchor: URIRef
    coverageNote: URIRef
    denominator: URIRef
    endYear: URIRef
    guidance: URIRef
    guidingQuestion: URIRef
    justification: URIRef
    lessonsLearned: URIRef
    levelRank: URIRef
    locator: URIRef
    metric: URIRef
    prompt: URIRef
    setting: URIRef
    simpleAnchor: URIRef
    stageOrder: URIRef
    startYear: URIRef
    statusTokenHash: URIRef
    submissionChannel: URIRef
    validationReport: URIRef
    valueAfter: URIRef
    valueBefore: URIRef
    whyItMatters: URIRef

    # annotation properties
    guidanceSource: URIRef
