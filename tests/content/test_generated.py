"""Generated content files (#11): committed output equals the generators', and the closed lists
make any SHACL engine refuse an invented code.

The countries come from the installed pycountry (pinned in the ``test`` extra; no network), the
vocabulary shapes from the ontology files. A plain ``pyshacl.validate`` over our data shapes, the
ontology files and a submission stands for "any SHACL engine given the shapes and the KB".
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import SH, SKOS

from lhs_kg.content import countries, vocabularies
from lhs_kg.content.country_names import country_table
from tests.helpers import ONTOLOGY, ROOT

SHAPES = ROOT / "shapes" / "data"
PREFIXES = """
@prefix lhs: <https://w3id.org/lhs-kg/ontology/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix cs: <https://w3id.org/lhs-kg/case-study/> .
"""
CASE = """
cs:t a lhs:CaseStudy ; dcterms:title "A test case" ;
    lhs:organisation <https://w3id.org/lhs-kg/organisation/swedeheart> ;
    dcterms:source <https://w3id.org/lhs-kg/source/foley-vale-2022> ;
    lhs:country <https://w3id.org/lhs-kg/concept/country/{country}> ;
    lhs:showsLoopStage <https://w3id.org/lhs-kg/concept/loop/{stage}> .
"""


def test_countries_file_is_what_the_generator_writes() -> None:
    assert countries.COUNTRIES_PATH.read_text(encoding="utf-8") == countries.generate()


def test_vocabulary_shapes_file_is_what_the_generator_writes() -> None:
    current = vocabularies.VOCABULARIES_PATH.read_text(encoding="utf-8")
    assert current == vocabularies.generate()


def test_check_mode_reports_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "countries.ttl"
    stale.write_text("# old\n", encoding="utf-8")
    assert countries.write_or_check(stale, "# new\n", check=True) == 1
    assert countries.write_or_check(stale, "# new\n", check=False) == 0
    assert countries.write_or_check(stale, "# new\n", check=True) == 0


def test_countries_render_is_deterministic_and_keeps_eu() -> None:
    records = [countries.CountryRecord("CA", "CAN", "Canada")]
    text = countries.render(records, "0")
    assert text == countries.render(list(reversed(records)), "0")
    assert "<https://w3id.org/lhs-kg/concept/country/EU>" in text
    assert '"CAN"^^lhs:ISO3166Alpha3' in text


@pytest.mark.parametrize(
    ("written", "code"),
    [("Canada", "CA"), ("canada", "CA"), ("CAN", "CA"), ("nl", "NL"), ("Netherlands", "NL"),
     ("India", "IN"), ("IND", "IN"), ("United Kingdom", "GB"), ("South Korea", "KR"),
     ("Korea, Republic of", "KR"), ("EU", "EU"), ("  sweden ", "SE")],
)  # fmt: skip
def test_country_names_and_codes_resolve(written: str, code: str) -> None:
    assert country_table().resolve(written) == code


@cache
def _kb_and_shapes() -> tuple[Graph, Graph]:
    """The data shapes and the KB, parsed once per worker (callers copy before they add)."""
    shapes = Graph()
    for path in sorted(SHAPES.glob("*.shapes.ttl")):
        if path.name != "contribution.shapes.ttl":
            shapes.parse(path)
    kb = Graph()
    for path in sorted(ONTOLOGY.glob("*.ttl")):
        kb.parse(path)
    kb.parse(ROOT / "data" / "organisations.ttl")
    kb.parse(ROOT / "data" / "sources.ttl")
    return shapes, kb


def _plain_pyshacl(submission: str) -> set[str]:
    """Shapes whose violations a plain pySHACL run reports (the KB + the submission as data).

    Only the submission's nodes are validated (pySHACL's ``focus_nodes``): the KB stays the
    data graph that value sets and classes are checked against, and only violations on these
    nodes are read, so the answer is that of a whole-graph run at a fraction of its time.
    """
    shapes, kb = _kb_and_shapes()
    data = Graph()
    data += kb
    data.parse(data=PREFIXES + submission, format="turtle")
    focus = {URIRef("https://w3id.org/lhs-kg/case-study/t")} | {
        s for s in Graph().parse(data=PREFIXES + submission, format="turtle").subjects()
    }
    _conforms, results, _text = validate(data, shacl_graph=shapes, focus_nodes=sorted(focus))
    return {
        str(results.value(r, SH.sourceShape)).rsplit("/", 1)[-1]
        for r in results.subjects(SH.resultSeverity, SH.Violation)
        if results.value(r, SH.focusNode) in focus
    }


def test_plain_pyshacl_accepts_known_codes() -> None:
    assert _plain_pyshacl(CASE.format(country="CA", stage="practice-to-data")) == set()


@pytest.mark.parametrize(
    ("extra", "country", "stage", "shape"),
    [
        (
            "<https://w3id.org/lhs-kg/concept/loop/my-stage> a skos:Concept , lhs:LoopStage ;"
            " skos:inScheme <https://w3id.org/lhs-kg/concept/loop> .",
            "CA",
            "my-stage",
            "CaseStudy-loopStages",
        ),
        (
            "<https://w3id.org/lhs-kg/concept/country/XX> a lhs:Country ;"
            " skos:inScheme <https://w3id.org/lhs-kg/concept/country> .",
            "XX",
            "practice-to-data",
            "CaseStudy-country",
        ),
    ],
)
def test_plain_pyshacl_refuses_a_self_declared_concept(
    extra: str, country: str, stage: str, shape: str
) -> None:
    """Regression: a Turtle submission declaring its own stage or country passed the shapes."""
    found = _plain_pyshacl(CASE.format(country=country, stage=stage) + extra)
    assert shape in found
    assert "Concept-known" in found


def test_every_value_set_is_closed() -> None:
    """Each helper shape naming a scheme carries the list of that scheme's members."""
    shapes, kb = _kb_and_shapes()
    sets = vocabularies.value_sets(shapes, kb)
    assert len(sets[URIRef(vocabularies.SHD + "in-country-scheme")]) == 250
    assert len(sets[URIRef(vocabularies.SHD + "in-loop-scheme")]) == 3
    for shape in sets:
        assert (shape, SH["in"], None) in shapes, shape
    assert (None, SKOS.inScheme, None) in kb
