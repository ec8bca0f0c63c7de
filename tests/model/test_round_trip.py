"""The contribution model, round trip: form → stored graph → page, CSV, search and export.

Data-driven from the shapes (:mod:`lhs_kg.model`), so a field new in the shapes is tested with
no change here. Every input the form renders is filled with a value made from its kind (a text
gets a unique marker), the form is posted through the Flask test client, and each value must be
in the stored (pending) graph; the contribution is then accepted, and every field of the
case-study shapes must show on its page, in its CSV row, in the export and — free text of the
searchable kinds — in search, unless :data:`lhs_kg.model.faces.EXCLUSIONS` says why not.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from lhs_kg.contributions.engine import Contributions
from lhs_kg.contributions.form import template_of
from lhs_kg.describe import Reader
from lhs_kg.describe.search import TYPES, search, words_of
from lhs_kg.documents import load_context
from lhs_kg.kb import KnowledgeBase
from lhs_kg.model import Property, load_model
from lhs_kg.model.faces import (
    CSV,
    EXCLUSIONS,
    FACES,
    PAGE,
    PAGE_NESTED,
    SEARCH,
    case_study_kinds,
    excluded,
    shown,
)
from tests.helpers import build_app

MODEL = load_model()
CONTEXT = load_context()
FIELDS = [prop for kind in case_study_kinds(MODEL) for prop in kind]
CASE = "rt-case"
BASE = "https://w3id.org/lhs-kg/"
LABELS = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
    "http://xmlns.com/foaf/0.1/name",
)
#: Inputs whose values must follow a format a marker text cannot (identifiers, codes, links).
FORMATTED: dict[str, str] = {
    "id": CASE,
    "organisation-#-id": "rt-org",
    "organisation-#-homepage": "https://example.org/rt-org",
    "sources-#-id": "rt-source",
    "sources-#-authors-#-name": "Roundtrip A",
    "sources-#-volume": "12",
    "sources-#-issue": "3",
    "sources-#-pages": "101-109",
    "sources-#-doi": "10.1234/rt.5678",
    "sources-#-isbn": "9780306406157",
    "sources-#-pmid": "12345678",
    "sources-#-url": "https://example.org/rt-source",
    "sources-#-subjects": "nasss/4",
    "outcomes-#-sources": "foley-vale-2022",
    "outcomes-#-denominator": "120",
    "contributor-email": "round.trip@example.org",
    "contributor-orcid": "0000-0002-1825-0097",
}


@dataclass
class Rendered:
    """One input of the page: its name, HTML type and the values it offers."""

    name: str
    type: str
    options: list[str] = field(default_factory=list)


class _Inputs(HTMLParser):
    """Collects the inputs of the contribution form (input, select with options, textarea)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, Rendered] = {}
        self.select: Rendered | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "option" and self.select is not None:
            self.select.options.append(a.get("value", ""))
        elif tag == "select" and name:
            self.select = self.found.setdefault(name, Rendered(name, "select"))
        elif tag in ("input", "textarea") and name and a.get("type") != "hidden":
            kind = a.get("type", "text") if tag == "input" else "textarea"
            item = self.found.setdefault(name, Rendered(name, kind))
            if kind == "checkbox":
                item.options.append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None


def rendered(page: str) -> dict[str, Rendered]:
    """Every input the page renders, by name (the CSRF token and buttons left out)."""
    parser = _Inputs()
    form = page[page.index('<form class="contribute-form"') :]
    parser.feed(form[: form.index("</form>")])
    return {n: r for n, r in parser.found.items() if n not in ("csrf_token", "add")}


def fill(item: Rendered) -> list[str]:
    """A valid value for an input, made from its kind; a unique marker text for free text."""
    template = template_of(item.name)
    if template == "assessment-ratings-#-subdomain":  # the first row rates a subdomain of its own
        return ["1A"] if item.name.split("-")[2] == "0" else []
    if template in FORMATTED:
        return [FORMATTED[template]]
    if item.type in ("select", "checkbox"):
        choices = [o for o in item.options if o]
        if template.endswith("-domain"):  # the form presets one NASSS domain per row
            return [str(int(item.name.split("-")[2]) + 1)]
        return choices[:2] if item.type == "checkbox" else choices[:1]
    if template.endswith("Year") or template.endswith("-year"):
        return ["2021" if "end" in template else "2019"]
    if item.type == "date":
        return ["2024-01-02"]
    if template.endswith("country") or template == "country-#":
        return ["GB"]
    words = re.sub(r"[^A-Za-z]+", " ", item.name).strip()
    return [f"Roundtrip marker {words} qz{abs(hash(item.name)) % 10_000_000}"]


def expected_in_graph(name: str, value: str) -> str:
    """What the stored graph holds for a posted value: a code expanded by the context, else
    the text itself."""
    key = template_of(name).rsplit("-", 1)[-1]
    if key == "#":
        key = template_of(name).split("-")[0]
    term = CONTEXT.terms.get(key)
    if " " in value:
        return value  # free text: stored as it was typed (a journal's title, say)
    if value in CONTEXT.types:
        return CONTEXT.types[value]
    if term is not None and value in term.values:
        return term.values[value]
    if term is not None and term.vocab and not value.startswith("http"):
        return term.vocab + value
    if term is not None and term.type == "@id" and term.base and "/" not in value:
        return term.base + value
    return value


@pytest.fixture(scope="module")
def app() -> Flask:
    """A fresh app with the repository content: this module writes to its store."""
    return build_app(page_cache_mb=0)


@pytest.fixture(scope="module")
def kb(app: Flask) -> KnowledgeBase:
    found: KnowledgeBase = app.extensions["lhs_kg"]
    return found


@pytest.fixture(scope="module")
def posted(app: Flask) -> tuple[dict[str, Rendered], dict[str, list[str]], str]:
    """Every rendered input filled and posted: (inputs, values, Location of the status page)."""
    client: FlaskClient = app.test_client()
    page = client.get("/contribute").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token"
    inputs = rendered(page)
    values = {name: fill(item) for name, item in inputs.items()}
    answer = client.post("/contribute", data={**values, "csrf_token": token.group(1)})
    body = answer.get_data(as_text=True)
    problems = re.findall(r'class="field-errors"[^>]*>(.*?)</ul>', body, re.S)
    assert answer.status_code == 303, problems or body[:2000]
    return inputs, values, answer.headers["Location"]


@pytest.fixture(scope="module")
def stored(kb: KnowledgeBase, posted: tuple[dict[str, Rendered], dict[str, list[str]], str]) -> str:
    """The stored contribution (its version graph and the registry) as N-Quads text."""
    out = io.BytesIO()
    graphs = [
        q.graph_name
        for q in kb.store.raw.quads_for_pattern(None, None, None)
        if isinstance(q.graph_name, ox.NamedNode)
        and q.graph_name.value.startswith((BASE + "graph/contribution/", BASE + "graph/registry"))
    ]
    quads = [
        q
        for g in dict.fromkeys(graphs)
        for q in kb.store.raw.quads_for_pattern(None, None, None, g)
    ]
    ox.serialize(quads, out, ox.RdfFormat.N_QUADS)
    return out.getvalue().decode("utf-8")


@pytest.fixture(scope="module")
def published(
    kb: KnowledgeBase, posted: tuple[dict[str, Rendered], dict[str, list[str]], str]
) -> str:
    """The round-trip case study, accepted by a reviewer: its IRI."""
    token = posted[2].rstrip("/").rsplit("/", 1)[-1]
    flow = Contributions(kb)
    version = flow.by_token(token)
    flow.decide(version.ref, "accept", "round-trip-reviewer")
    return BASE + "case-study/" + CASE


def input_params() -> Iterator[object]:
    """The inputs of a blank form, by name (rows included): the parameters of the first test."""
    app = build_app()
    page = app.test_client().get("/contribute").get_data(as_text=True)
    for name in rendered(page):
        yield pytest.param(name, id=name)


@pytest.mark.parametrize("name", list(input_params()))
def test_every_rendered_input_reaches_the_stored_graph(
    posted: tuple[dict[str, Rendered], dict[str, list[str]], str], stored: str, name: str
) -> None:
    _, values, _ = posted
    for value in values[name]:
        needle = expected_in_graph(name, value)
        assert needle in stored, f"{name}={value!r}: {needle!r} is not in the stored graph"


def field_params(face: str) -> list[object]:
    """The case-study fields ``face`` shows, named ``Kind.key``."""
    return [
        pytest.param(p, id=f"{p.kind}.{p.key}")
        for p in FIELDS
        if excluded(p.kind, p.key, face) is None
    ]


def nested_params() -> list[object]:
    """The fields of the kinds the page shows in place (outcomes, assessment, ratings)."""
    return [
        pytest.param(p, id=f"{p.kind}.{p.key}")
        for name in PAGE_NESTED
        for p in MODEL[name]
        if excluded(p.kind, p.key, PAGE) is None
    ]


def nodes_of(kb: KnowledgeBase, iri: str, kind: str) -> list[ox.NamedNode | ox.BlankNode]:
    """The nodes of ``kind`` the case study points at, directly or through another node."""
    targets = set(MODEL[kind].target_objects_of)
    found: list[ox.NamedNode | ox.BlankNode] = []
    frontier: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(iri)]
    for _ in range(3):
        step = []
        for node in frontier:
            for q in kb.store.raw.quads_for_pattern(node, None, None):
                if isinstance(q.object, ox.NamedNode | ox.BlankNode):
                    step.append(q.object)
                    if q.predicate.value in targets:
                        found.append(q.object)
        frontier = step
    return list(dict.fromkeys(found))


def values_of(
    kb: KnowledgeBase, iri: str, prop: Property
) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
    """The values the published case study holds for ``prop`` (at least one, or the test fails)."""
    found = [
        q.object
        for q in kb.store.raw.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(prop.iri), None)
    ]
    assert found, f"the round-trip case study has no {prop.kind}.{prop.key}"
    return found


def shown_as(kb: KnowledgeBase, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> set[str]:
    """What a face may show for a value: a literal's text, a thing's labels, or else the texts
    and labels of its own statements (an assessment shows its basis, an outcome its figures)."""
    if isinstance(term, ox.Literal):
        return {term.value[:4]} if term.datatype.value.endswith("gYear") else {term.value}
    own = list(kb.store.raw.quads_for_pattern(term, None, None))
    found = {
        q.object.value
        for q in own
        if q.predicate.value in LABELS and isinstance(q.object, ox.Literal)
    }
    if found and not _part_of_a_case_study(term):
        return found
    for q in own:
        if isinstance(q.object, ox.Literal):
            found.add(q.object.value)
        elif isinstance(q.object, ox.NamedNode):
            found |= {
                lq.object.value
                for lq in kb.store.raw.quads_for_pattern(q.object, None, None)
                if lq.predicate.value in LABELS and isinstance(lq.object, ox.Literal)
            }
    return found | ({term.value} if isinstance(term, ox.NamedNode) else set())


def _part_of_a_case_study(term: ox.NamedNode | ox.BlankNode) -> bool:
    """An assessment, rating or outcome (``<case>/assessment``…): the page shows it by what it
    says (basis, level, figures); its label is a name made from the case study's."""
    case_study = BASE + "case-study/"
    return (
        isinstance(term, ox.NamedNode)
        and term.value.startswith(case_study)
        and "/" in term.value.removeprefix(case_study)
    )


def case_study_sections(page: str) -> str:
    """The case-study sections of a resource page: not the version history and provenance,
    nor the generic table of all statements, which list every triple whatever the model says."""
    start = page.index('class="case-study-summary"')
    ends = [page.find(m, start) for m in ('class="contribution-', 'class="case-study-history"')]
    return page[start : min(e for e in ends if e > 0)]


@pytest.mark.parametrize("prop", field_params(PAGE))
def test_the_page_shows_every_field(
    app: Flask, kb: KnowledgeBase, published: str, prop: Property
) -> None:
    page = app.test_client().get(published.removeprefix(BASE.rstrip("/"))).get_data(as_text=True)
    sections = html.unescape(case_study_sections(page))
    for term in values_of(kb, published, prop):
        expected = shown_as(kb, term)
        assert any(text in sections for text in expected), f"{prop.key}: {sorted(expected)[:3]}"


@pytest.mark.parametrize("prop", nested_params())
def test_the_page_shows_every_field_of_its_parts(
    app: Flask, kb: KnowledgeBase, published: str, prop: Property
) -> None:
    page = app.test_client().get(published.removeprefix(BASE.rstrip("/"))).get_data(as_text=True)
    sections = html.unescape(case_study_sections(page))
    found = [
        q.object
        for node in nodes_of(kb, published, prop.kind)
        for q in kb.store.raw.quads_for_pattern(node, ox.NamedNode(prop.iri), None)
    ]
    assert found, f"the round-trip case study has no {prop.kind}.{prop.key}"
    # a part may be hidden by an exclusion (a subdomain's rating): one shown value is enough
    texts = [shown_as(kb, term) for term in found]
    assert any(t in sections for expected in texts for t in expected), f"{prop.key}: {texts[:3]}"


@pytest.mark.parametrize("prop", field_params(CSV))
def test_the_csv_has_every_field(
    app: Flask, kb: KnowledgeBase, published: str, prop: Property
) -> None:
    text = app.test_client().get("/export/case-studies.csv").get_data(as_text=True)
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["iri"] == published)
    cells = [
        v
        for h, v in row.items()
        if h in (prop.label, prop.key) or h.replace(" ", "") == prop.key.lower()
    ]
    assert cells, f"no column for {prop.key}: {list(row)}"
    for term in values_of(kb, published, prop):
        expected = shown_as(kb, term)
        assert any(t in cells[0] for t in expected), f"{prop.key}: {cells[0]!r}"


@pytest.mark.parametrize("prop", [pytest.param(p, id=f"{p.kind}.{p.key}") for p in FIELDS])
def test_the_export_holds_every_field(
    app: Flask, kb: KnowledgeBase, published: str, prop: Property
) -> None:
    body = app.test_client().get("/export", query_string={"format": "nq"}).data
    exported = {
        (q.subject, q.predicate, q.object) for q in ox.parse(body, format=ox.RdfFormat.N_QUADS)
    }
    for term in values_of(kb, published, prop):
        if isinstance(term, ox.BlankNode):
            continue  # blank node labels differ between dumps; the nested fields carry the data
        assert (ox.NamedNode(published), ox.NamedNode(prop.iri), term) in exported


def search_params() -> list[object]:
    kinds = [k for cls in TYPES.values() for k in MODEL.of_class(cls)]
    case = {k.name for k in case_study_kinds(MODEL)}
    return [
        pytest.param(p, id=f"{p.kind}.{p.key}")
        for p in shown(MODEL, SEARCH, kinds)
        if p.is_text and p.kind in case
    ]


@pytest.mark.parametrize("prop", search_params())
def test_search_finds_every_text_field(kb: KnowledgeBase, published: str, prop: Property) -> None:
    for term in values_of(kb, published, prop):
        words = " ".join(words_of(term.value)[-2:])  # the marker's unique end
        hits = search(Reader(kb), words, limit=5000)
        assert published in {h.iri for h in hits}, f"{words!r} did not find {published}"


def test_every_exclusion_names_a_field_a_face_and_a_reason() -> None:
    for entry in EXCLUSIONS:
        assert entry.face in FACES, entry
        assert entry.key in MODEL[entry.kind].json_keys(), f"{entry.kind} has no field {entry.key}"
        assert len(entry.reason) > 20, entry


@pytest.mark.parametrize("face", [PAGE, CSV])
def test_each_field_is_shown_or_excluded(face: str) -> None:
    """The faces' field lists and the exclusions together cover the case-study shapes."""
    listed = {p.iri for p in shown(MODEL, face)}
    for prop in FIELDS:
        assert prop.iri in listed or excluded(prop.kind, prop.key, face), f"{prop.key}"
