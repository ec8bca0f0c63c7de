"""A synthetic knowledge base shaped like ours, at any size, for the benchmarks.

It uses the real concept IRIs (loop stages, NASSS domains, levels, countries, scales) so the named
queries and pages mean the same on it as on the repository's data, plus an ontology of ~100
classes, ~5,000 sources with ordered authors, organisations and case studies of ~30 triples.

    .venv/bin/python -m bench.synthetic 1000000 /tmp/kb.nq
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from pathlib import Path

BASE = "https://w3id.org/lhs-kg/"
LHS = BASE + "ontology/"
C = BASE + "concept/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
BIBO = "http://purl.org/ontology/bibo/"
FOAF = "http://xmlns.com/foaf/0.1/"
XSD = "http://www.w3.org/2001/XMLSchema#"
G_ONTOLOGY = BASE + "graph/synthetic/ontology"
G_SOURCES = BASE + "graph/synthetic/sources"
G_CASES = BASE + "graph/synthetic/case-studies"

LOOP = ["practice-to-data", "data-to-knowledge", "knowledge-to-practice"]
LEVELS = ["simple", "complicated", "complex"]
COUNTRIES = ["US", "GB", "SE", "AU", "EU"]
SCALES = ["team", "provider", "regional", "national", "international"]
RATIONALES = [
    "improve-outcomes",
    "better-value",
    "reduce-variation",
    "generate-knowledge",
    "use-existing-knowledge",
    "digital-investment",
    "clinical-performance",
]
ELEMENTS = [
    "strategy-and-organisation",
    "culture",
    "workforce",
    "implementation-science",
    "behaviour-change",
    "co-design",
    "evaluation-and-maturity",
]
WORDS = [
    "learning",
    "health",
    "system",
    "registry",
    "network",
    "sepsis",
    "paediatric",
    "cardiac",
    "quality",
    "data",
    "knowledge",
    "practice",
    "feedback",
    "dashboard",
    "outcomes",
    "variation",
    "value",
    "decision",
    "support",
    "implementation",
    "culture",
    "codesign",
    "evaluation",
    "maturity",
    "primary",
    "care",
    "hospital",
]

N_CLASSES = 100
N_SOURCES = 5_000
N_ORGS = 500


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(text: str, datatype: str | None = None, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


def _quad(s: str, p: str, o: str, g: str) -> str:
    return f"{s} {_iri(p)} {o} {_iri(g)} .\n"


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _ontology() -> Iterator[str]:
    for i in range(N_CLASSES):
        cls = _iri(f"{LHS}SynClass{i}")
        yield _quad(cls, RDF_TYPE, _iri("http://www.w3.org/2002/07/owl#Class"), G_ONTOLOGY)
        yield _quad(cls, RDFS + "label", _lit(f"Synthetic class {i}", lang="en"), G_ONTOLOGY)
        parent = f"{LHS}SynClass{(i - 1) // 3}" if i else f"{LHS}CaseStudy"
        yield _quad(cls, RDFS + "subClassOf", _iri(parent), G_ONTOLOGY)


def _sources(rng: random.Random) -> Iterator[str]:
    for i in range(N_SOURCES):
        src = _iri(f"{BASE}source/syn-{i}")
        yield _quad(src, RDF_TYPE, _iri(LHS + "Source"), G_SOURCES)
        yield _quad(src, RDF_TYPE, _iri(BIBO + "AcademicArticle"), G_SOURCES)
        yield _quad(src, RDFS + "label", _lit(f"Author{i % 997} {1990 + i % 35}"), G_SOURCES)
        yield _quad(src, DCT + "title", _lit(_words(rng, 8).capitalize()), G_SOURCES)
        yield _quad(src, DCT + "issued", _lit(str(1990 + i % 35), XSD + "gYear"), G_SOURCES)
        yield _quad(src, BIBO + "doi", _lit(f"10.9999/syn.{i}"), G_SOURCES)
        author = f"_:a{i}"
        yield _quad(author, FOAF + "name", _lit(f"Author{i % 997} X"), G_SOURCES)
        yield _quad(src, DCT + "creator", author, G_SOURCES)
    for i in range(N_ORGS):
        org = _iri(f"{BASE}organisation/syn-{i}")
        yield _quad(org, RDF_TYPE, _iri(LHS + "Organisation"), G_SOURCES)
        yield _quad(org, FOAF + "name", _lit(f"Organisation {i}"), G_SOURCES)
        yield _quad(org, LHS + "country", _iri(C + "country/" + COUNTRIES[i % 5]), G_SOURCES)


def _case_study(rng: random.Random, i: int) -> Iterator[str]:
    cs_iri = f"{BASE}case-study/syn-{i}"
    cs = _iri(cs_iri)
    g = G_CASES
    title = f"Synthetic {_words(rng, 3)} initiative {i}"
    yield _quad(cs, RDF_TYPE, _iri(LHS + "CaseStudy"), g)
    yield _quad(cs, RDFS + "label", _lit(title), g)
    yield _quad(cs, DCT + "title", _lit(title, lang="en"), g)
    yield _quad(cs, DCT + "description", _lit(_words(rng, 12)), g)
    yield _quad(
        cs, LHS + "organisation", _iri(f"{BASE}organisation/syn-{rng.randrange(N_ORGS)}"), g
    )
    yield _quad(cs, LHS + "country", _iri(C + "country/" + rng.choice(COUNTRIES)), g)
    yield _quad(cs, LHS + "scale", _iri(C + "scale/" + rng.choice(SCALES)), g)
    yield _quad(cs, LHS + "startYear", _lit(str(2000 + rng.randrange(25)), XSD + "gYear"), g)
    for stage in rng.sample(LOOP, rng.randint(1, 3)):
        yield _quad(cs, LHS + "showsLoopStage", _iri(C + "loop/" + stage), g)
    yield _quad(cs, LHS + "addressesRationale", _iri(C + "rationale/" + rng.choice(RATIONALES)), g)
    yield _quad(cs, LHS + "appliesElement", _iri(C + "strategy/" + rng.choice(ELEMENTS)), g)
    for _ in range(2):
        yield _quad(cs, DCT + "source", _iri(f"{BASE}source/syn-{rng.randrange(N_SOURCES)}"), g)
    yield _quad(cs, DCT + "contributor", _iri(f"{BASE}organisation/lhs-kg-curators"), g)
    assessment = _iri(cs_iri + "/assessment")
    yield _quad(cs, LHS + "hasAssessment", assessment, g)
    yield _quad(assessment, RDF_TYPE, _iri(LHS + "ComplexityAssessment"), g)
    for domain in range(1, 8):
        rating = _iri(f"{cs_iri}/rating/{domain}")
        yield _quad(assessment, LHS + "hasRating", rating, g)
        yield _quad(rating, LHS + "ratesDomain", _iri(f"{C}nasss/{domain}"), g)
        yield _quad(rating, LHS + "level", _iri(C + "complexity-level/" + rng.choice(LEVELS)), g)


def quads(n_triples: int, seed: int = 42) -> Iterator[str]:
    """N-Quads lines, about ``n_triples`` of them: ontology, sources, then case studies."""
    rng = random.Random(seed)
    count = 0
    for line in _ontology():
        count += 1
        yield line
    for line in _sources(rng):
        count += 1
        yield line
    i = 0
    while count < n_triples:
        for line in _case_study(rng, i):
            count += 1
            yield line
        i += 1


def write_synthetic(path: Path, n_triples: int, seed: int = 42) -> Path:
    """Write the synthetic knowledge base as N-Quads (reused when already there)."""
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with partial.open("w", encoding="utf-8") as out:
        out.writelines(quads(n_triples, seed))
    partial.replace(path)
    return path


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(f"bench/out/kb-{size}.nq")
    print(write_synthetic(target, size))
