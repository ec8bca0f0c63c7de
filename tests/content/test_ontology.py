"""Content tests for the ontology (ontology/lhs.ttl) and concept schemes (ontology/framework.ttl).

The quality rules (shapes/ontology/*.shapes.ttl) and check queries (queries/checks/*.rq) must pass
on the repository's content, and each rule must fail on its purpose-made broken example in
tests/data/broken-ontology/<rule-name>.ttl, added to a baseline of the ontology files.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from lhs_kg.model import load_model
from tests.content import FRAMEWORK_SOURCE_SLUGS
from tests.helpers import ROOT, TESTS

ONTOLOGY_DIR = ROOT / "ontology"
DATA_DIR = ROOT / "data"
SHAPES_DIR = ROOT / "shapes" / "ontology"
CHECKS_DIR = ROOT / "queries" / "checks"
BROKEN_DIR = TESTS / "data" / "broken-ontology"
MODEL_DOC = ROOT / "docs" / "MODEL.md"

BASE = "https://w3id.org/lhs-kg/"
LHS = Namespace(BASE + "ontology/")
ONTOLOGY_IRI = URIRef(BASE + "ontology")
RULES_NS = BASE + "shapes/ontology/"
SOURCE_NS = BASE + "source/"


def concept(scheme: str, ident: str | None = None) -> URIRef:
    """The IRI of a concept scheme, or of a concept in it."""
    return URIRef(f"{BASE}concept/{scheme}" + (f"/{ident}" if ident else ""))


def content_files() -> list[Path]:
    """Every Turtle file of the ontology and the data, in a stable order."""
    return sorted(ONTOLOGY_DIR.glob("*.ttl")) + sorted(DATA_DIR.glob("**/*.ttl"))


def graph_name(path: Path) -> str:
    """The named graph of a content file, as docs/MODEL.md fixes it."""
    return BASE + "graph/" + path.relative_to(ROOT).with_suffix("").as_posix()


def parse(paths: Iterable[Path]) -> Graph:
    """One rdflib graph holding all the given Turtle files."""
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@functools.cache
def ontology_graph() -> Graph:
    """Every Turtle file of ontology/: lhs.ttl, schemes, glossary, guidance, countries."""
    return parse(sorted(ONTOLOGY_DIR.glob("*.ttl")))


@functools.cache
def shapes_graph() -> Graph:
    """All ontology quality shapes."""
    return parse(sorted(SHAPES_DIR.glob("*.shapes.ttl")))


def rule_names() -> list[str]:
    """Names of the quality rules: last segments of the top-level shape IRIs."""
    shapes = shapes_graph()
    names = {
        str(shape)[len(RULES_NS) :]
        for kind in (SH.NodeShape, SH.PropertyShape)
        for shape in shapes.subjects(RDF.type, kind)
        if isinstance(shape, URIRef) and str(shape).startswith(RULES_NS)
    }
    return sorted(names)


def check_files() -> list[Path]:
    """The check queries, which must return no rows on a correct repository."""
    return sorted(CHECKS_DIR.glob("*.rq"))


def broken_files() -> list[Path]:
    """The purpose-made broken examples, one per rule or check."""
    return sorted(BROKEN_DIR.glob("*.ttl"))


def owning_rule(shapes: Graph, shape: Node) -> str:
    """The rule a (possibly nested, anonymous) shape belongs to."""
    seen: set[Node] = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        parent = next(shapes.subjects(None, shape), None)
        if parent is None:
            break
        shape = parent
    text = str(shape)
    return text[len(RULES_NS) :] if text.startswith(RULES_NS) else text


def shacl_failures(data: Graph) -> dict[str, list[str]]:
    """Failed quality rules on the data, each with its readable messages."""
    conforms, results, _text = validate(data, shacl_graph=shapes_graph(), allow_warnings=False)
    failures: dict[str, list[str]] = {}
    for result in results.subjects(RDF.type, SH.ValidationResult):
        rule = owning_rule(shapes_graph(), results.value(result, SH.sourceShape))
        focus = results.value(result, SH.focusNode)
        message = results.value(result, SH.resultMessage)
        failures.setdefault(rule, []).append(f"{focus}: {message}")
    assert conforms == (not failures)
    return failures


def oxigraph_store(paths: Iterable[Path], extra: Graph | None = None) -> ox.Store:
    """An in-memory store with one named graph per file (and one for extra triples)."""
    store = ox.Store()
    for path in paths:
        store.load(
            path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph_name(path))
        )
    if extra is not None and len(extra):
        store.load(
            extra.serialize(format="nt"),
            format=ox.RdfFormat.N_TRIPLES,
            to_graph=ox.NamedNode(BASE + "graph/test/extra"),
        )
    return store


def check_rows(store: ox.Store, query_file: Path) -> list[str]:
    """The rows a check query returns, querying the union of all named graphs."""
    solutions = store.query(query_file.read_text(encoding="utf-8"), use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions), f"{query_file.name} is not a SELECT query"
    return [str(row) for row in solutions]


def failing_checks(store: ox.Store) -> dict[str, list[str]]:
    """Check queries that return rows, with their rows."""
    failures = {}
    for query_file in check_files():
        rows = check_rows(store, query_file)
        if rows:
            failures[query_file.stem] = rows
    return failures


def source_stubs(graph: Graph) -> Graph:
    """Type every cited source as lhs:Source, so that the baseline does not depend on data/."""
    stubs = Graph()
    cited_by = (DCTERMS.source, DCTERMS.subject, LHS.guidanceSource)
    for cited in {o for prop in cited_by for o in graph.objects(None, prop)}:
        if str(cited).startswith(SOURCE_NS):
            stubs.add((cited, RDF.type, LHS.Source))
    return stubs


def baseline_files() -> list[Path]:
    """The baseline the broken examples are added to: the ontology files only."""
    return sorted(ONTOLOGY_DIR.glob("*.ttl"))


@functools.cache
def baseline_graph() -> Graph:
    """The ontology files plus stub types for the sources they cite."""
    graph = parse(baseline_files())
    return graph + source_stubs(graph)


def describe(failures: dict[str, list[str]]) -> str:
    """A readable report of failed rules for assertion messages."""
    return "\n".join(f"{rule}:\n  " + "\n  ".join(lines[:10]) for rule, lines in failures.items())


def nodes(query: str) -> list[Node]:
    """First column of a SPARQL query over the ontology graph."""
    return [row[0] for row in ontology_graph().query(query)]


# -------------------------------------------------------------------------------------------------
# The ontology header and its terms
# -------------------------------------------------------------------------------------------------


def test_exactly_one_ontology_with_version_and_licence() -> None:
    """lhs.ttl + framework.ttl declare one owl:Ontology with the agreed IRI, version and licence."""
    graph = ontology_graph()
    assert list(graph.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]
    assert graph.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(BASE + "ontology/0.1.0")
    assert graph.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert graph.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert graph.value(ONTOLOGY_IRI, DCTERMS.creator) == Literal("lhs-kg developers")
    for annotation in (DCTERMS.title, DCTERMS.description, RDFS.comment):
        assert graph.value(ONTOLOGY_IRI, annotation) is not None, annotation


def declared_lhs_terms() -> set[str]:
    """Local names of the classes, properties and datatypes lhs.ttl declares in our namespace."""
    graph = ontology_graph()
    kinds = (
        OWL.Class,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        RDFS.Datatype,
    )
    return {
        str(term)[len(str(LHS)) :]
        for kind in kinds
        for term in graph.subjects(RDF.type, kind)
        if str(term).startswith(str(LHS))
    }


def test_ontology_declares_exactly_the_terms_of_the_model_page() -> None:
    """Every lhs: term named in docs/MODEL.md is declared, and nothing undocumented is: a field
    of the data shapes is documented by the fields table ``lhs-kg fields`` writes from them."""
    documented = set(re.findall(r"`?\blhs:([A-Za-z][A-Za-z0-9]*)", MODEL_DOC.read_text("utf-8")))
    fields = {
        prop.iri[len(str(LHS)) :]
        for kind in load_model().kinds.values()
        for prop in kind
        if prop.iri.startswith(str(LHS)) and prop.name and prop.description
    }
    declared = declared_lhs_terms()
    assert documented - declared == set(), "named in docs/MODEL.md but not declared in lhs.ttl"
    assert declared - documented - fields == set(), (
        "declared in lhs.ttl but missing from docs/MODEL.md (and no data shape describes it)"
    )


def test_no_term_is_both_object_and_datatype_property() -> None:
    """OWL 2 DL: a property is of one kind only (no punning between property kinds)."""
    graph = ontology_graph()
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    for term in {t for kind in kinds for t in graph.subjects(RDF.type, kind)}:
        assert sum((term, RDF.type, kind) in graph for kind in kinds) == 1, term


@pytest.mark.parametrize("prop", ["ratesDomain", "level"])
def test_rating_properties_are_functional(prop: str) -> None:
    """Functional ratesDomain and level let a reasoner count ratings of different domains."""
    assert (LHS[prop], RDF.type, OWL.FunctionalProperty) in ontology_graph()
    assert (LHS[prop], RDF.type, OWL.ObjectProperty) in ontology_graph()


def test_high_complexity_case_study_is_defined_by_three_complex_ratings() -> None:
    """HighComplexityCaseStudy ≡ CaseStudy ⊓ ∃hasAssessment.(≥3 hasRating.(∃level.{complex}))."""
    found = nodes(
        """
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX lhs: <https://w3id.org/lhs-kg/ontology/>
        SELECT ?n WHERE {
          lhs:HighComplexityCaseStudy owl:equivalentClass/owl:intersectionOf ?list .
          ?list rdf:rest*/rdf:first lhs:CaseStudy .
          ?list rdf:rest*/rdf:first ?some .
          ?some owl:onProperty lhs:hasAssessment ; owl:someValuesFrom ?count .
          ?count owl:onProperty lhs:hasRating ;
                 owl:minQualifiedCardinality ?n ; owl:onClass ?value .
          ?value owl:onProperty lhs:level ;
                 owl:hasValue <https://w3id.org/lhs-kg/concept/complexity-level/complex> .
        }"""
    )
    assert found == [Literal(3, datatype=XSD.nonNegativeInteger)]


def test_nasss_domains_are_declared_all_different() -> None:
    """The seven domains are pairwise distinct individuals (owl:AllDifferent)."""
    members = nodes(
        """
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?member WHERE {
          ?all a owl:AllDifferent ; owl:distinctMembers ?list .
          ?list rdf:rest*/rdf:first ?member .
          FILTER (STRSTARTS(STR(?member), "https://w3id.org/lhs-kg/concept/nasss/"))
        }"""
    )
    assert sorted(members) == sorted(concept("nasss", str(n)) for n in range(1, 8))


# -------------------------------------------------------------------------------------------------
# The concept schemes
# -------------------------------------------------------------------------------------------------

CONCEPT_CLASS = {
    "framework": LHS.FrameworkPart,
    "rationale": LHS.Rationale,
    "strategy": LHS.StrategicConsideration,
    "loop": LHS.LoopStage,
    "nasss": None,
    "complexity-level": LHS.ComplexityLevel,
    "scale": LHS.Scale,
    "nasss-cat": LHS.AssessmentInstrument,
    "country": LHS.Country,
    "assessment-basis": LHS.AssessmentBasis,
    "verification": LHS.VerificationStatus,
    "review-state": LHS.ReviewState,
    "bcw": LHS.BehaviourChangeWheelPart,
    "maturity-grid": LHS.MaturityGridDomain,
    "tool-kind": LHS.ToolKind,
    "audience": LHS.Audience,
    "effort": LHS.EffortLevel,
    "glossary": LHS.GlossaryTerm,
}


def members(scheme: str) -> set[Node]:
    """Concepts skos:inScheme the given scheme."""
    return set(ontology_graph().subjects(SKOS.inScheme, concept(scheme)))


@pytest.mark.parametrize("scheme", sorted(CONCEPT_CLASS))
def test_scheme_exists_and_its_concepts_are_typed(scheme: str) -> None:
    """Each scheme of docs/MODEL.md exists; its concepts are skos:Concept and their lhs: class."""
    graph = ontology_graph()
    assert (concept(scheme), RDF.type, SKOS.ConceptScheme) in graph
    own = {c for c in members(scheme) if str(c).startswith(str(concept(scheme)) + "/")}
    assert own, f"scheme {scheme} has no concepts"
    for item in own:
        assert (item, RDF.type, SKOS.Concept) in graph, item
        lhs_types = {t for t in graph.objects(item, RDF.type) if str(t).startswith(str(LHS))}
        expected = CONCEPT_CLASS[scheme]
        if expected is None:  # NASSS: domains, subdomains and domain 6's unlettered sub-themes
            if str(item).startswith(str(concept("nasss", "6")) + "/"):
                expected = LHS.NasssSubTheme
            else:
                expected = LHS.NasssSubdomain if str(item)[-1].isalpha() else LHS.NasssDomain
        assert lhs_types == {expected}, item


EXPECTED_IDS = {
    "framework": [
        "rationale",
        "strategic-considerations",
        "complexity",
        "technical-building-blocks",
    ],
    "rationale": [
        "improve-outcomes",
        "better-value",
        "reduce-variation",
        "generate-knowledge",
        "use-existing-knowledge",
        "digital-investment",
        "clinical-performance",
    ],
    "complexity-level": ["simple", "complicated", "complex"],
    "scale": ["team", "provider", "regional", "national", "international"],
    "nasss-cat": ["short", "long", "project", "interview"],
    "assessment-basis": ["source-analysis", "curator-reading", "self-assessment"],
    "verification": ["verified", "partly-verified", "unconfirmed"],
    "review-state": [
        "pending",
        "published",
        "changes-requested",
        "rejected",
        "withdrawn",
        "superseded",
    ],
    "loop": ["practice-to-data", "data-to-knowledge", "knowledge-to-practice"],
    "tool-kind": ["framework", "model", "method", "instrument", "template", "maturity-model"],
    "effort": ["low", "medium", "high"],
}


@pytest.mark.parametrize("scheme", sorted(EXPECTED_IDS))
def test_flat_scheme_has_exactly_the_model_concepts_as_top_concepts(scheme: str) -> None:
    """Schemes without hierarchy have exactly the concept ids of docs/MODEL.md, all top concepts."""
    graph = ontology_graph()
    expected = {concept(scheme, ident) for ident in EXPECTED_IDS[scheme]}
    assert set(graph.objects(concept(scheme), SKOS.hasTopConcept)) == expected
    assert set(graph.subjects(SKOS.topConceptOf, concept(scheme))) == expected


def narrower_ids(scheme: str, parent: str) -> set[str]:
    """Ids of the narrower concepts of a concept, in its own scheme."""
    prefix = str(concept(scheme)) + "/"
    return {
        str(child)[len(prefix) :]
        for child in ontology_graph().objects(concept(scheme, parent), SKOS.narrower)
        if str(child).startswith(prefix)
    }


@pytest.mark.parametrize(
    ("scheme", "parent", "expected"),
    [
        pytest.param(
            "bcw",
            "intervention-functions",
            {
                "education",
                "persuasion",
                "incentivisation",
                "coercion",
                "training",
                "enablement",
                "modelling",
                "environmental-restructuring",
                "restrictions",
            },
            id="nine-intervention-functions",
        ),
        pytest.param(
            "bcw",
            "policy-categories",
            {
                "communication-marketing",
                "guidelines",
                "fiscal-measures",
                "regulation",
                "legislation",
                "environmental-social-planning",
                "service-provision",
            },
            id="seven-policy-categories",
        ),
        pytest.param("bcw", "com-b", {"capability", "opportunity", "motivation"}, id="com-b"),
        pytest.param(
            "bcw",
            "capability",
            {"physical-capability", "psychological-capability"},
            id="capability",
        ),
        pytest.param(
            "bcw", "opportunity", {"physical-opportunity", "social-opportunity"}, id="opportunity"
        ),
        pytest.param(
            "bcw", "motivation", {"reflective-motivation", "automatic-motivation"}, id="motivation"
        ),
        pytest.param("strategy", "behaviour-change", set(), id="behaviour-change"),
        pytest.param("strategy", "evaluation-and-maturity", set(), id="evaluation-and-maturity"),
        pytest.param("strategy", "culture", {"culture-of-learning"}, id="culture-of-learning"),
        pytest.param(
            "strategy",
            "strategy-and-organisation",
            {"target-operating-model"},
            id="strategy-and-org",
        ),
    ],
)
def test_strategy_and_model_hierarchy(scheme: str, parent: str, expected: set[str]) -> None:
    """Strategic considerations and the Behaviour Change Wheel have the narrower concepts of
    docs/MODEL.md; model parts are not strategic considerations (#14)."""
    assert narrower_ids(scheme, parent) == expected


def test_maturity_grid_domains_are_the_top_concepts_of_their_own_scheme() -> None:
    """The six maturity grid domains are MaturityGridDomain top concepts of their scheme (#14)."""
    graph = ontology_graph()
    tops = set(graph.objects(concept("maturity-grid"), SKOS.hasTopConcept))
    assert tops == {
        concept("maturity-grid", ident)
        for ident in [
            "systems-of-leadership",
            "governance-and-management",
            "quality-improvement",
            "community-building-and-engagement",
            "data-and-analytics",
            "research",
        ]
    }
    for domain in tops:
        assert (domain, RDF.type, LHS.StrategicConsideration) not in graph, domain


def test_strategy_top_concepts() -> None:
    """The seven strategic considerations are the top concepts of the strategy scheme."""
    tops = set(ontology_graph().objects(concept("strategy"), SKOS.hasTopConcept))
    assert tops == {
        concept("strategy", ident)
        for ident in [
            "strategy-and-organisation",
            "culture",
            "workforce",
            "implementation-science",
            "behaviour-change",
            "co-design",
            "evaluation-and-maturity",
        ]
    }


@pytest.mark.parametrize(
    ("ring", "scheme", "count"),
    [
        ("rationale", "rationale", 7),
        ("strategic-considerations", "strategy", 7),
        ("complexity", "nasss", 7),
        ("technical-building-blocks", "loop", 3),
    ],
)
def test_framework_elements_hang_under_their_ring(ring: str, scheme: str, count: int) -> None:
    """Top elements of each framework scheme are in the framework scheme, under their ring."""
    graph = ontology_graph()
    tops = set(graph.objects(concept(scheme), SKOS.hasTopConcept))
    assert len(tops) == count
    assert set(graph.objects(concept("framework", ring), SKOS.narrower)) == tops
    for element in tops:
        assert (element, SKOS.inScheme, concept("framework")) in graph
        assert (element, SKOS.broader, concept("framework", ring)) in graph


NASSS_SUBDOMAINS = dict(
    zip("1234567", ["AB", "ABCDE", "AB", "ABC", "ABCDE", "A", "AB"], strict=True)
)


@pytest.mark.parametrize("domain", sorted(NASSS_SUBDOMAINS), ids=lambda d: f"nasss-{d}")
def test_nasss_domain_and_its_subdomains(domain: str) -> None:
    """Each domain has notation n and exactly its subdomains nX, with matching codes and IRIs."""
    graph = ontology_graph()
    node = concept("nasss", domain)
    assert (node, RDF.type, LHS.NasssDomain) in graph
    assert graph.value(node, SKOS.notation) == Literal(domain)
    subdomains = {
        s for s in graph.objects(node, SKOS.narrower) if (s, RDF.type, LHS.NasssSubdomain) in graph
    }
    assert {str(graph.value(s, SKOS.notation)) for s in subdomains} == {
        domain + letter for letter in NASSS_SUBDOMAINS[domain]
    }
    for sub in subdomains:
        code = str(graph.value(sub, SKOS.notation))
        assert re.fullmatch(r"[1-7][A-E]", code), code
        assert sub == concept("nasss", code)
        assert (sub, RDF.type, LHS.NasssSubdomain) in graph
        assert (sub, SKOS.broader, node) in graph


NASSS_6_SUB_THEMES = [
    "political-policy",
    "regulatory-legal",
    "professional-bodies",
    "sociocultural",
    "interorganisational-networking",
]


def test_domain_6_sub_themes_are_unlettered_and_not_subdomains() -> None:
    """Regression (#14, invented letters 6B–6E): the wider system's themes are sub-themes without
    a notation, under domain 6, and are not offered for rating; 6A's label matches its question."""
    graph = ontology_graph()
    six = concept("nasss", "6")
    themes = set(graph.subjects(RDF.type, LHS.NasssSubTheme))
    assert themes == {concept("nasss", f"6/{t}") for t in NASSS_6_SUB_THEMES}
    for theme in themes:
        assert (theme, SKOS.broader, six) in graph
        assert (six, SKOS.narrower, theme) in graph
        assert graph.value(theme, SKOS.notation) is None, theme
    for code in "BCDE":
        assert not list(graph.predicate_objects(concept("nasss", "6" + code))), code
    label = str(graph.value(concept("nasss", "6A"), SKOS.prefLabel))
    question = str(graph.value(concept("nasss", "6A"), SKOS.scopeNote))
    for word in ("political", "economic", "regulatory", "professional", "sociocultural"):
        assert word in label.lower() and word in question.lower(), word


def test_every_nasss_subdomain_has_a_question_and_a_prompt() -> None:
    """Each subdomain quotes its NASSS question with attribution and asks it in our words (#14)."""
    graph = ontology_graph()
    for sub in graph.subjects(RDF.type, LHS.NasssSubdomain):
        note = str(graph.value(sub, SKOS.scopeNote))
        assert note.startswith("Greenhalgh et al. 2017 ask") and "“" in note, sub
        prompt = str(graph.value(sub, LHS.prompt))
        assert prompt.endswith("?") and prompt not in note, sub


def test_rubric_anchors_where_the_published_rubric_gives_them() -> None:
    """1A to 2D carry simple/complicated/complex anchors in our words, citing the rubric (#14)."""
    graph = ontology_graph()
    rubric = URIRef(SOURCE_NS + "nasss-rubric-2021")
    anchored = {str(graph.value(s, SKOS.notation)) for s in graph.subjects(LHS.complexAnchor, None)}
    assert anchored == {"1A", "1B", "2A", "2B", "2C", "2D"}
    for code in anchored:
        sub = concept("nasss", code)
        texts = [
            str(graph.value(sub, p))
            for p in (LHS.simpleAnchor, LHS.complicatedAnchor, LHS.complexAnchor)
        ]
        assert len(set(texts)) == 3 and all(t.endswith(".") for t in texts), code
        assert (sub, DCTERMS.source, rubric) in graph, code


def test_only_the_current_assessment_can_make_a_case_study_high_complexity() -> None:
    """Earlier assessments hang off the current one with lhs:previousAssessment, which is not a
    kind of lhs:hasAssessment, so the reasoner's rule never reads an outdated profile (#14)."""
    graph = ontology_graph()
    assert (LHS.previousAssessment, RDFS.subPropertyOf, PROV.wasRevisionOf) in graph
    supers = set(graph.transitive_objects(LHS.previousAssessment, RDFS.subPropertyOf))
    assert LHS.hasAssessment not in supers
    restricted = set(graph.objects(None, OWL.onProperty))
    assert LHS.hasAssessment in restricted and LHS.previousAssessment not in restricted


def test_exactly_seven_nasss_domains() -> None:
    """There are seven NASSS domains, the top concepts of the nasss scheme."""
    graph = ontology_graph()
    domains = set(graph.subjects(RDF.type, LHS.NasssDomain))
    assert domains == {concept("nasss", str(n)) for n in range(1, 8)}
    assert set(graph.objects(concept("nasss"), SKOS.hasTopConcept)) == domains


def test_loop_is_a_three_cycle_in_stage_order() -> None:
    """P2D → D2K → K2P → P2D, with stage orders 1, 2, 3 and notations P2D, D2K, K2P."""
    graph = ontology_graph()
    stages = set(graph.subjects(RDF.type, LHS.LoopStage))
    assert len(stages) == 3
    expected = [
        ("practice-to-data", "P2D"),
        ("data-to-knowledge", "D2K"),
        ("knowledge-to-practice", "K2P"),
    ]
    for order, (ident, notation) in enumerate(expected, start=1):
        stage = concept("loop", ident)
        assert graph.value(stage, LHS.stageOrder) == Literal(order)
        assert graph.value(stage, SKOS.notation) == Literal(notation)
        following = concept("loop", expected[order % 3][0])
        assert list(graph.objects(stage, LHS.nextStage)) == [following]
    for start in stages:
        node = start
        visited = []
        for _ in range(3):
            node = graph.value(node, LHS.nextStage)
            visited.append(node)
        assert node == start and len(set(visited)) == 3


@pytest.mark.parametrize(
    ("scheme", "order"),
    [
        ("complexity-level", ["simple", "complicated", "complex"]),
        ("scale", ["team", "provider", "regional", "national", "international"]),
    ],
)
def test_level_ranks(scheme: str, order: list[str]) -> None:
    """Complexity levels rank 1..3 and scales 1..5, in the order of docs/MODEL.md."""
    graph = ontology_graph()
    for rank, ident in enumerate(order, start=1):
        assert graph.value(concept(scheme, ident), LHS.levelRank) == Literal(rank)


KEPT_COUNTRIES = ["US", "GB", "SE", "AU", "EU"]
"""The country ids used before the full ISO 3166-1 list: their IRIs must stay stable."""


def country_ids() -> set[str]:
    """The ids of the country scheme's top concepts."""
    prefix = str(concept("country")) + "/"
    return {
        str(c)[len(prefix) :]
        for c in ontology_graph().objects(concept("country"), SKOS.hasTopConcept)
    }


def test_country_scheme_is_all_of_iso_3166_and_keeps_the_old_ids() -> None:
    """249 ISO 3166-1 entries plus EU, every one a top concept; the old ids are still there."""
    graph = ontology_graph()
    ids = country_ids()
    assert len(ids) == 250
    assert set([*KEPT_COUNTRIES, "CA", "NL", "IN"]) <= ids
    assert set(graph.subjects(SKOS.topConceptOf, concept("country"))) == {
        concept("country", i) for i in ids
    }
    assert (concept("country", "EU"), SKOS.editorialNote, None) in graph


def test_country_notations_are_their_codes() -> None:
    """Each country has its alpha-2 id as an lhs:ISO3166Alpha2 notation and one alpha-3 code."""
    graph = ontology_graph()
    for code in sorted(country_ids()):
        notations = {
            (str(n), n.datatype)
            for n in graph.objects(concept("country", code), SKOS.notation)
            if isinstance(n, Literal)
        }
        alpha3 = [text for text, kind in notations if kind == LHS.ISO3166Alpha3]
        assert (code, LHS.ISO3166Alpha2) in notations, code
        assert len(alpha3) == (0 if code == "EU" else 1), code
        assert all(len(text) == 3 and text.isupper() for text in alpha3), code


UNCONFIRMED = {
    concept("rationale", "digital-investment"),
    concept("rationale", "clinical-performance"),
    # #14 (fidelity review defect 6): definitions read from the name, LHP page not consulted
    concept("strategy", "workforce"),
    concept("strategy", "implementation-science"),
    concept("strategy", "co-design"),
    *(
        concept("nasss", code)
        for code in ["2E", "5D", "5E", "6A", "7A", "7B", *(f"6/{t}" for t in NASSS_6_SUB_THEMES)]
    ),
    # glossary terms resting on papers whose citation is not yet checked (#14)
    *(
        concept("glossary", term)
        for term in [
            "common-and-special-cause-variation",
        ]
    ),
}


def test_unconfirmed_items_are_exactly_those_marked_m_in_the_domain_notes() -> None:
    """Items the domain notes mark [M] carry the unconfirmed status and an editorial note."""
    graph = ontology_graph()
    marked = set(graph.subjects(LHS.verification, concept("verification", "unconfirmed")))
    assert marked == UNCONFIRMED
    for item in marked:
        assert graph.value(item, SKOS.editorialNote) is not None, item


def test_verified_nasss_subdomains() -> None:
    """Subdomains 1A–5C, whose wording was checked against a source, are marked verified."""
    graph = ontology_graph()
    for code in [
        "1A",
        "1B",
        "2A",
        "2B",
        "2C",
        "2D",
        "3A",
        "3B",
        "4A",
        "4B",
        "4C",
        "5A",
        "5B",
        "5C",
    ]:
        assert graph.value(concept("nasss", code), LHS.verification) == concept(
            "verification", "verified"
        ), code


def test_concepts_cite_only_the_agreed_sources() -> None:
    """Every dcterms:source in the ontology files is one of the agreed source IRIs."""
    agreed = set(FRAMEWORK_SOURCE_SLUGS)
    cited = {str(o) for o in ontology_graph().objects(None, DCTERMS.source)}
    assert cited <= {SOURCE_NS + slug for slug in agreed}


# -------------------------------------------------------------------------------------------------
# Quality rules and check queries on the repository's content
# -------------------------------------------------------------------------------------------------


def test_quality_shapes_conform_on_the_repository() -> None:
    """The ontology quality shapes hold on ontology/ and data/ together."""
    failures = shacl_failures(parse(content_files()))
    assert not failures, describe(failures)


@functools.cache
def repository_store() -> ox.Store:
    """All content files, one named graph each."""
    return oxigraph_store(content_files())


@pytest.mark.parametrize("query_file", [pytest.param(p, id=p.name) for p in check_files()])
def test_check_query_returns_no_rows_on_the_repository(query_file: Path) -> None:
    """Each check query finds nothing wrong in ontology/ + data/ (default graph = union)."""
    rows = check_rows(repository_store(), query_file)
    assert rows == [], "\n".join(rows[:20])


@pytest.mark.parametrize("query_file", [pytest.param(p, id=p.name) for p in check_files()])
def test_check_query_header(query_file: Path) -> None:
    """Check files start with summary/params/returns headers and write concept IRIs in full."""
    lines = query_file.read_text("utf-8").splitlines()
    assert lines[0].startswith("#+ summary: ") and len(lines[0]) > len("#+ summary: ")
    assert lines[1].strip() == "#+ params:"
    assert lines[2].strip() == "#+ returns: select"
    body = "\n".join(line for line in lines if not line.startswith("#"))
    assert "PREFIX" in body
    assert not re.search(r"\b[a-z]+:[\w-]*\\?/", re.sub(r"<[^>]*>|\"[^\"]*\"", "", body))


# -------------------------------------------------------------------------------------------------
# Every rule fails on its broken example, and only that rule
# -------------------------------------------------------------------------------------------------


def test_every_rule_and_check_has_a_broken_example() -> None:
    """Broken examples and rules correspond one to one."""
    rules = set(rule_names()) | {p.stem for p in check_files()}
    assert len(rule_names()) + len(check_files()) == len(rules), "rule and check names collide"
    assert {p.stem for p in broken_files()} == rules


def test_baseline_passes_every_rule() -> None:
    """Without a broken example, the baseline breaks no rule (so each failure below is caused)."""
    failures = shacl_failures(baseline_graph())
    assert not failures, describe(failures)
    store = oxigraph_store(baseline_files(), source_stubs(parse(baseline_files())))
    failures = failing_checks(store)
    assert not failures, describe(failures)


@pytest.mark.parametrize(
    "broken", [pytest.param(p, id=p.name) for p in broken_files() if p.stem in rule_names()]
)
def test_broken_example_fails_exactly_its_quality_rule(broken: Path) -> None:
    """The baseline plus this example fails the quality rule named like the file, and no other."""
    data = baseline_graph() + parse([broken])
    failures = shacl_failures(data)
    assert set(failures) == {broken.stem}, describe(failures) or "no rule failed"


@pytest.mark.parametrize(
    "broken",
    [pytest.param(p, id=p.name) for p in broken_files() if p.stem not in rule_names()],
)
def test_broken_example_fails_exactly_its_check_query(broken: Path) -> None:
    """The baseline plus this example makes the check query named like the file return rows."""
    assert (CHECKS_DIR / f"{broken.stem}.rq").exists(), f"no rule or check named {broken.stem}"
    store = oxigraph_store([*baseline_files(), broken], source_stubs(parse(baseline_files())))
    failures = failing_checks(store)
    assert set(failures) == {broken.stem}, describe(failures) or "no check returned rows"
