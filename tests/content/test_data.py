"""Structural tests for the curated instance data in data/ (sources, organisations, case studies).

One test case per case-study file and per source, so a failure names the file or the source.
Paths are anchored at this file, never at the working directory.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from tests.content import FRAMEWORK_SOURCE_SLUGS
from tests.helpers import DATA, ROOT

CASE_DIR = DATA / "case-studies"
SOURCES_FILE = DATA / "sources.ttl"
ORGS_FILE = DATA / "organisations.ttl"
TOOLS_FILE = DATA / "tools.ttl"
ONTOLOGY_DIR = ROOT / "ontology"
FRAMEWORK_FILE = ONTOLOGY_DIR / "framework.ttl"
COUNTRIES_FILE = ONTOLOGY_DIR / "countries.ttl"

LHS = Namespace("https://w3id.org/lhs-kg/ontology/")
BIBO = Namespace("http://purl.org/ontology/bibo/")
BASE = "https://w3id.org/lhs-kg/"
CONCEPT = BASE + "concept/"
LEVELS = {URIRef(CONCEPT + f"complexity-level/{x}") for x in ("simple", "complicated", "complex")}
DOMAINS = {URIRef(CONCEPT + f"nasss/{n}"): n for n in range(1, 8)}
VERIFIED = URIRef(CONCEPT + "verification/verified")
UNCONFIRMED = URIRef(CONCEPT + "verification/unconfirmed")
CURATORS = URIRef(BASE + "organisation/lhs-kg-curators")

CASE_FILES = sorted(CASE_DIR.glob("*.ttl"))
# Files whose citations must resolve to data/sources.ttl. data/examples/ is left out on purpose:
# example contributions may bring their own new sources.
CITING_FILES = [SOURCES_FILE, ORGS_FILE, TOOLS_FILE, *CASE_FILES]

REQUIRED_SOURCE_SLUGS = [
    *FRAMEWORK_SOURCE_SLUGS,
    "olsen-2007",
    "iom-2013",
    "iom-2001",
    "friedman-2010",
    "friedman-2015",
    "friedman-2017-yearbook",
    "friedman-2017-lhs",
    "enticott-2021-review",
    "enticott-2021-framework",
    "platt-2020",
    "lessard-2017",
    "morain-2017",
    "scobie-2020",
    "seid-2021",
    "mclachlan-2018",
    "health-foundation-2022",
]
REQUIRED_CASE_SLUGS = [
    "improvecarenow",
    "cincinnati-learning-networks",
    "swedish-rheumatology-registry",
    "swedeheart",
    "geisinger-provencare",
    "intermountain-elective-induction",
    "kaiser-sepsis",
    "nyu-rapid-cycle-rct",
    "healthtracker",
    "patientslikeme",
    "cyphp",
    "mayo-askmayoexpert",
    "hdruk-north-anticholinergic",
    "transform",
    "billings-clinic",
]


@cache
def parse(path: Path) -> Graph:
    """Parse one Turtle file (cached: files are read-only during a test run)."""
    return Graph().parse(path, format="turtle")


def rel(path: Path) -> str:
    """Path relative to the repository root, used as a readable test id."""
    return str(path.relative_to(ROOT))


def sources_graph() -> Graph:
    """The graph of data/sources.ttl."""
    return parse(SOURCES_FILE)


def source_iris() -> list[URIRef]:
    """Every resource typed lhs:Source in data/sources.ttl, sorted."""
    return sorted(
        s for s in sources_graph().subjects(RDF.type, LHS.Source) if isinstance(s, URIRef)
    )


def nonempty(values: list) -> bool:
    """True when there is at least one non-blank literal."""
    return any(isinstance(v, Literal) and str(v).strip() for v in values)


# --------------------------------------------------------------------------------------------------
# Per case-study file
# --------------------------------------------------------------------------------------------------

case_params = [pytest.param(p, id=rel(p)) for p in CASE_FILES]


def the_case(g: Graph) -> URIRef:
    """The single lhs:CaseStudy of a file (asserts there is exactly one)."""
    cases = list(g.subjects(RDF.type, LHS.CaseStudy))
    assert len(cases) == 1, f"expected exactly one lhs:CaseStudy, found {len(cases)}: {cases}"
    return cases[0]


@pytest.mark.parametrize("path", case_params)
def test_case_study_file_has_one_case_named_after_the_file(path: Path) -> None:
    """The file parses, holds exactly one case study, and its IRI ends with the file stem."""
    case = the_case(parse(path))
    assert str(case) == f"{BASE}case-study/{path.stem}", (
        f"{case} does not match file name {path.name}"
    )


@pytest.mark.parametrize("path", case_params)
def test_case_study_has_required_fields(path: Path) -> None:
    """Label, title, description, aim, setting, organisation, country, scale, stages, sources."""
    g = parse(path)
    case = the_case(g)
    missing = []
    for prop in (RDFS.label, DCTERMS.title, DCTERMS.description, LHS.aim, LHS.setting):
        if not nonempty(list(g.objects(case, prop))):
            missing.append(prop.n3(g.namespace_manager))
    for prop in (
        LHS.organisation,
        LHS.country,
        LHS.scale,
        LHS.showsLoopStage,
        LHS.addressesRationale,
        DCTERMS.source,
        LHS.hasAssessment,
    ):
        if not list(g.objects(case, prop)):
            missing.append(prop.n3(g.namespace_manager))
    assert not missing, f"{rel(path)} lacks {missing}"
    assert (case, DCTERMS.contributor, CURATORS) in g, "contributor must be the lhs-kg curators"
    assert len(list(g.objects(case, LHS.scale))) == 1, "exactly one lhs:scale"
    for prop in (LHS.startYear, LHS.endYear):
        for year in g.objects(case, prop):
            assert isinstance(year, Literal) and year.datatype == XSD.gYear, (
                f"{prop} must be xsd:gYear: {year!r}"
            )


@pytest.mark.parametrize("path", case_params)
def test_assessment_rates_each_domain_at_most_once_and_explains_the_rest(path: Path) -> None:
    """One dated, attributed assessment; each rated domain once at its agreed IRI; a coverage note
    whenever a domain is left unrated (#14: ratings are evidence or absent, never a default)."""
    g = parse(path)
    case = the_case(g)
    assessment = URIRef(f"{case}/assessment")
    assert list(g.objects(case, LHS.hasAssessment)) == [assessment]
    assert (assessment, RDF.type, LHS.ComplexityAssessment) in g
    assert len(list(g.objects(assessment, LHS.assessmentBasis))) == 1, (
        "exactly one lhs:assessmentBasis"
    )
    assert (assessment, PROV.wasAttributedTo, CURATORS) in g
    dates = list(g.objects(assessment, DCTERMS.date))
    assert len(dates) == 1 and dates[0].datatype == XSD.date, (
        f"one xsd:date expected, got {dates!r}"
    )
    ratings = list(g.objects(assessment, LHS.hasRating))
    rated = sorted(
        DOMAINS[d] for r in ratings for d in g.objects(r, LHS.ratesDomain) if d in DOMAINS
    )
    assert len(rated) == len(set(rated)) == len(ratings), f"domains rated: {rated}"
    if len(rated) < 7:
        assert nonempty(list(g.objects(assessment, LHS.coverageNote))), (
            f"domains {sorted(set(range(1, 8)) - set(rated))} are unrated without a coverage note"
        )
    for r in ratings:
        domains = list(g.objects(r, LHS.ratesDomain))
        assert len(domains) == 1, f"{r} rates {len(domains)} domains"
        assert str(r) == f"{case}/rating/{DOMAINS[domains[0]]}", (
            f"rating IRI {r} does not match its domain"
        )


@pytest.mark.parametrize("path", case_params)
def test_each_rating_carries_its_basis_source_and_verification(path: Path) -> None:
    """A curated rating names its own basis and source and says whether it was checked (#14)."""
    g = parse(path)
    problems = []
    for r in g.objects(None, LHS.hasRating):
        if len(list(g.objects(r, LHS.assessmentBasis))) != 1:
            problems.append(f"{r}: needs exactly one lhs:assessmentBasis")
        if not list(g.objects(r, DCTERMS.source)):
            problems.append(f"{r}: no dcterms:source")
        if len(list(g.objects(r, LHS.verification))) != 1:
            problems.append(f"{r}: needs exactly one lhs:verification")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", case_params)
def test_each_rating_has_one_level_and_a_justification(path: Path) -> None:
    """Every rating is typed, has exactly one of the three levels and a non-empty justification."""
    g = parse(path)
    problems = []
    for r in g.objects(None, LHS.hasRating):
        levels = list(g.objects(r, LHS.level))
        if (r, RDF.type, LHS.DomainRating) not in g:
            problems.append(f"{r}: not typed lhs:DomainRating")
        if len(levels) != 1 or levels[0] not in LEVELS:
            problems.append(f"{r}: levels {levels}")
        justifications = list(g.objects(r, LHS.justification))
        if len(justifications) != 1 or not nonempty(justifications):
            problems.append(f"{r}: justification {justifications!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", case_params)
def test_outcomes_are_complete(path: Path) -> None:
    """Each outcome sits under its case IRI with label, description, metric, value, source."""
    g = parse(path)
    case = the_case(g)
    problems = []
    for o in g.objects(case, LHS.hasOutcome):
        if not str(o).startswith(f"{case}/outcome/"):
            problems.append(f"{o}: IRI not under {case}/outcome/")
        if (o, RDF.type, LHS.Outcome) not in g:
            problems.append(f"{o}: not typed lhs:Outcome")
        for prop in (RDFS.label, DCTERMS.description, LHS.metric, LHS.valueAfter):
            if not nonempty(list(g.objects(o, prop))):
                problems.append(f"{o}: no {prop}")
        if not list(g.objects(o, DCTERMS.source)):
            problems.append(f"{o}: no dcterms:source")
        if len(list(g.objects(o, LHS.verification))) != 1:
            problems.append(f"{o}: needs exactly one lhs:verification (#14)")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------------------
# Cross-file references
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [pytest.param(p, id=rel(p)) for p in CITING_FILES])
def test_every_cited_source_exists(path: Path) -> None:
    """Every dcterms:source object in the file is a lhs:Source of data/sources.ttl."""
    known = set(source_iris())
    cited = {o for o in parse(path).objects(None, DCTERMS.source)}
    unknown = sorted(str(o) for o in cited - known)
    assert not unknown, f"{rel(path)} cites sources missing from data/sources.ttl: {unknown}"


@pytest.mark.parametrize("path", [pytest.param(p, id=rel(p)) for p in CASE_FILES])
def test_every_referenced_organisation_exists(path: Path) -> None:
    """Organisations named by organisation, contributor or wasAttributedTo all exist."""
    orgs = set(parse(ORGS_FILE).subjects(RDF.type, LHS.Organisation))
    g = parse(path)
    referenced = set()
    for prop in (LHS.organisation, DCTERMS.contributor, PROV.wasAttributedTo):
        referenced |= set(g.objects(None, prop))
    unknown = sorted(str(o) for o in referenced - orgs)
    assert not unknown, (
        f"{rel(path)} refers to organisations missing from data/organisations.ttl: {unknown}"
    )


@pytest.mark.parametrize("path", [pytest.param(p, id=rel(p)) for p in CITING_FILES])
def test_every_concept_iri_is_defined(path: Path) -> None:
    """Concept IRIs used in data are defined in ontology/framework.ttl or countries.ttl."""
    defined = {s for f in sorted(ONTOLOGY_DIR.glob("*.ttl")) for s in parse(f).subjects()}
    used = {
        o for o in parse(path).objects() if isinstance(o, URIRef) and str(o).startswith(CONCEPT)
    }
    unknown = sorted(str(o) for o in used - defined)
    assert not unknown, f"{rel(path)} uses undefined concepts: {unknown}"


def test_organisations_are_complete() -> None:
    """Every organisation has a name and a label; all but the curators have a country."""
    g = parse(ORGS_FILE)
    orgs = list(g.subjects(RDF.type, LHS.Organisation))
    assert CURATORS in orgs
    problems = []
    for o in orgs:
        if not nonempty(list(g.objects(o, FOAF.name))) or not nonempty(
            list(g.objects(o, RDFS.label))
        ):
            problems.append(f"{o}: missing foaf:name or rdfs:label")
        if o != CURATORS and len(list(g.objects(o, LHS.country))) != 1:
            problems.append(f"{o}: expected one lhs:country")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------------------
# Corpus size and required slugs
# --------------------------------------------------------------------------------------------------


def test_at_least_fifteen_case_studies() -> None:
    """The curated set has at least the 15 exemplars, including every agreed slug."""
    assert len(CASE_FILES) >= 15, f"only {len(CASE_FILES)} case-study files"
    stems = {p.stem for p in CASE_FILES}
    assert not set(REQUIRED_CASE_SLUGS) - stems, (
        f"missing: {sorted(set(REQUIRED_CASE_SLUGS) - stems)}"
    )


def test_at_least_twentyfive_sources_and_required_slugs() -> None:
    """At least 25 sources, including every slug that concept schemes cite."""
    iris = {str(s) for s in source_iris()}
    assert len(iris) >= 25, f"only {len(iris)} sources"
    missing = [s for s in REQUIRED_SOURCE_SLUGS if f"{BASE}source/{s}" not in iris]
    assert not missing, f"missing source slugs: {missing}"


def test_every_source_is_cited() -> None:
    """No orphan source: some triple in data/ or ontology/ points to it (as the QA check)."""
    graphs = [parse(p) for p in CITING_FILES] + [
        parse(p) for p in sorted(ONTOLOGY_DIR.glob("*.ttl"))
    ]
    pointed_to = {o for g in graphs for o in g.objects() if isinstance(o, URIRef)}
    orphans = [str(s) for s in source_iris() if s not in pointed_to]
    assert not orphans, f"never-cited sources: {orphans}"


# --------------------------------------------------------------------------------------------------
# Per source
# --------------------------------------------------------------------------------------------------

source_params = [pytest.param(s, id=str(s).rsplit("/", 1)[-1]) for s in source_iris()]
BIBO_TYPES = {
    BIBO.AcademicArticle,
    BIBO.Book,
    BIBO.Report,
    BIBO.Webpage,
    BIBO.BookSection,
    BIBO.Standard,
    BIBO.Collection,
}


@pytest.mark.parametrize("src", source_params)
def test_source_metadata(src: URIRef) -> None:
    """Title, label, bibo type, year (or a note why none), identifier, verification status."""
    g = sources_graph()
    assert str(src).startswith(BASE + "source/")
    assert set(g.objects(src, RDF.type)) & BIBO_TYPES, "needs a bibo type"
    assert nonempty(list(g.objects(src, DCTERMS.title))), "needs dcterms:title"
    assert nonempty(list(g.objects(src, RDFS.label))), "needs rdfs:label"
    years = list(g.objects(src, DCTERMS.issued))
    if years:
        assert len(years) == 1 and years[0].datatype == XSD.gYear, (
            f"dcterms:issued must be one xsd:gYear: {years!r}"
        )
    else:
        notes = " ".join(str(n) for n in g.objects(src, SKOS.editorialNote)).lower()
        assert "year" in notes, (
            "no dcterms:issued and no skos:editorialNote explaining the missing year"
        )
    identifiers = (
        list(g.objects(src, BIBO.doi))
        + list(g.objects(src, BIBO.isbn13))
        + list(g.objects(src, FOAF.page))
    )
    assert identifiers, "needs bibo:doi, bibo:isbn13 or foaf:page"
    statuses = list(g.objects(src, LHS.verification))
    assert len(statuses) == 1 and statuses[0] in {VERIFIED, UNCONFIRMED}, (
        f"verification: {statuses}"
    )
    if statuses[0] == UNCONFIRMED:
        assert nonempty(list(g.objects(src, SKOS.editorialNote))), (
            "unconfirmed source needs a skos:editorialNote"
        )


@pytest.mark.parametrize("src", source_params)
def test_source_doi_matches_sameas(src: URIRef) -> None:
    """A DOI is mirrored as owl:sameAs <https://doi.org/DOI>, and only then."""
    g = sources_graph()
    dois = [str(d) for d in g.objects(src, BIBO.doi)]
    same = sorted(str(s) for s in g.objects(src, OWL.sameAs))
    assert same == sorted(f"https://doi.org/{d}" for d in dois), f"doi {dois} vs sameAs {same}"


@pytest.mark.parametrize("src", source_params)
def test_source_people_are_ordered_lists(src: URIRef) -> None:
    """Authors/editors are non-empty RDF lists of named agents; articles name a journal."""
    g = sources_graph()
    assert not list(g.objects(src, DCTERMS.creator)), (
        "use bibo:authorList (ordered), not dcterms:creator"
    )
    for prop in (BIBO.authorList, BIBO.editorList):
        heads = list(g.objects(src, prop))
        assert len(heads) <= 1, f"more than one {prop}"
        for head in heads:
            assert (head, RDF.first, None) in g, f"{prop} is not an rdf:List"
            members = list(Collection(g, head))
            assert members, f"empty {prop}"
            for m in members:
                names = list(g.objects(m, FOAF.name))
                assert len(names) == 1 and nonempty(names), (
                    f"list member without one foaf:name in {prop}"
                )
                assert set(g.objects(m, RDF.type)) & {FOAF.Person, FOAF.Organization}, (
                    "member needs a foaf type"
                )
    if (src, RDF.type, BIBO.AcademicArticle) in g:
        venues = list(g.objects(src, DCTERMS.isPartOf))
        assert len(venues) == 1 and (venues[0], RDF.type, BIBO.Journal) in g, (
            "article needs a bibo:Journal venue"
        )
        assert nonempty(list(g.objects(venues[0], DCTERMS.title))), "journal needs a title"
