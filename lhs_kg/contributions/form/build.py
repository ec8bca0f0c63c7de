"""Building the contribution form from the SHACL shapes, with choices from the knowledge base.

Sections and fields come from ``shapes/data``: one section per ``sh:group`` (in ``sh:order``), one
field per property shape (``sh:name`` as the label, ``sh:description`` as help, ``sh:minCount`` for
required). Choices come from the concept scheme a shape's value set names, labelled from the
knowledge base; countries are a free text input with the country scheme as suggestions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from lhs_kg.contributions.form.model import (
    LIMITS,
    NASSS_DOMAINS,
    SHD,
    SOURCE_TYPES,
    Choice,
    ContributionForm,
    Datalist,
    Field,
    Group,
    Section,
)
from lhs_kg.documents import load_context
from lhs_kg.kb import KnowledgeBase
from lhs_kg.validate import get_validator

_TEXTAREAS = {"description", "aim", "coverageNote", "justification"}
_SCHEME_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX lhs: <https://w3id.org/lhs-kg/ontology/>
SELECT ?c (SAMPLE(?l) AS ?label) (SAMPLE(?r) AS ?rank) (SAMPLE(?n) AS ?notation) WHERE {
  ?c skos:inScheme ?scheme ; skos:prefLabel ?l .
  OPTIONAL { ?c lhs:levelRank|lhs:stageOrder ?r }
  OPTIONAL { ?c skos:notation ?n }
} GROUP BY ?c ORDER BY ?rank ?notation ?label
"""
_NAMES_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?c ?name WHERE {
  ?c skos:inScheme ?scheme .
  { ?c skos:prefLabel|skos:altLabel ?name } UNION { ?c skos:notation ?name }
}
"""
_LIST_QUERY = """
SELECT ?x (SAMPLE(?l) AS ?label) WHERE { ?x a ?class ; ?labelProp ?l }
GROUP BY ?x ORDER BY LCASE(STR(?label))
"""


def _num(node: Node | None, default: float = 0) -> float:
    """A numeric literal of the shapes as a number."""
    try:
        return float(str(node)) if node is not None else default
    except ValueError:
        return default


class _Shapes:
    def __init__(self, graph: Graph) -> None:
        self.g = graph
        self.context = load_context()

    def props(self, node_shape: str) -> list[Node]:
        found = list(self.g.objects(URIRef(SHD + node_shape), SH.property))
        return sorted(found, key=lambda p: _num(self.g.value(p, SH.order)))

    def key(self, prop: Node) -> str:
        path = self.g.value(prop, SH.path)
        return self.context.by_iri.get(str(path), "") if path is not None else ""

    def by_key(self, node_shape: str) -> dict[str, Node]:
        found: dict[str, Node] = {}
        for prop in self.props(node_shape):
            found.setdefault(self.key(prop), prop)
        return found

    def scheme(self, prop: Node) -> str | None:
        """The concept scheme a property's values come from: the helper shape's ``skos:inScheme``
        value, or else the scheme the first member of its closed ``sh:in`` list lives in."""
        for helper in self.g.objects(prop, SH.node):
            for inner in self.g.objects(helper, SH.property):
                if self.g.value(inner, SH.path) == SKOS.inScheme:
                    value = self.g.value(inner, SH.hasValue)
                    if value is not None:
                        return str(value)
            members = self.g.value(helper, SH["in"])
            first = self.g.value(members, RDF.first) if members is not None else None
            if isinstance(first, URIRef) and "/concept/" in str(first):
                return str(first).rsplit("/", 1)[0]
        return None

    def field(self, prop: Node, name: str, choices: list[Choice] | None = None) -> Field:
        g = self.g
        label = str(g.value(prop, SH.name) or name)
        max_count = g.value(prop, SH.maxCount)
        datatype = g.value(prop, SH.datatype)
        key = name.rsplit("-", 1)[-1]
        kind = "text"
        if choices is not None:
            kind = "select" if _num(max_count) == 1 else "checkboxes"
        elif datatype == XSD.gYear:
            kind = "year"
        elif datatype == XSD.date:
            kind = "date"
        elif key in _TEXTAREAS:
            kind = "textarea"
        elif key == "email":
            kind = "email"
        elif key in ("homepage", "url"):
            kind = "url"
        return Field(
            name=name,
            label=label,
            help=str(g.value(prop, SH.description) or ""),
            kind=kind,
            required=_num(g.value(prop, SH.minCount)) > 0,
            choices=choices or [],
            multiple=kind == "checkboxes",
            order=_num(g.value(prop, SH.order)),
        )

    def group(self, prop: Node) -> tuple[str, float]:
        group = self.g.value(prop, SH.group)
        if group is None:
            return "Other", 99.0
        return str(self.g.value(group, RDFS.label) or group), _num(self.g.value(group, SH.order))


def _codes() -> dict[str, str]:
    codes: dict[str, str] = {}
    for term in load_context().terms.values():
        for code, iri in term.values.items():
            codes[iri] = code
    return codes


def _scheme_choices(kb: KnowledgeBase, scheme: str, graphs: Sequence[str] | None) -> list[Choice]:
    codes = _codes()
    rows = _select(kb, _SCHEME_QUERY, {"scheme": ox.NamedNode(scheme)}, graphs)
    out = []
    for row in rows:
        iri = row["c"].value
        code = codes.get(iri, iri.rsplit("/", 1)[-1])
        label = row["label"].value
        out.append(Choice(code, label if code == label else f"{label} ({code})"))
    return out


def _scheme_names(kb: KnowledgeBase, scheme: str, graphs: Sequence[str] | None) -> dict[str, str]:
    """Every name and notation of a scheme's concepts (case-folded) → the code documents use."""
    names: dict[str, str] = {}
    for row in _select(kb, _NAMES_QUERY, {"scheme": ox.NamedNode(scheme)}, graphs):
        code = row["c"].value.rsplit("/", 1)[-1]
        names.setdefault(row["name"].value.strip().casefold(), code)
        names.setdefault(code.casefold(), code)
    return names


def _select(
    kb: KnowledgeBase, text: str, bindings: dict[str, Any], graphs: Sequence[str] | None
) -> list[dict[str, Any]]:
    if graphs is None:
        return kb.store.query(text, bindings=bindings).rows()
    return kb.store.query(
        text, bindings=bindings, union=False, default_graphs=list(graphs) or ["urn:x:none"]
    ).rows()


def _listing(
    kb: KnowledgeBase, cls: str, label_prop: str, prefix: str, graphs: Sequence[str] | None
) -> list[Choice]:
    rows = _select(
        kb,
        _LIST_QUERY,
        {"class": ox.NamedNode(cls), "labelProp": ox.NamedNode(label_prop)},
        graphs,
    )
    return [
        Choice(row["x"].value[len(prefix) :], row["label"].value)
        for row in rows
        if row["x"].value.startswith(prefix) and "/" not in row["x"].value[len(prefix) :]
    ]


# Keys the format knows that no shape describes: (label, help, kind), in the order shown.
_EXTRA: dict[str, dict[str, tuple[str, str, str]]] = {
    "Organisation": {
        "id": (
            "short name",
            "An organisation already in the knowledge base (pick a suggestion), or a short name "
            "for a new one described in this row.",
            "text",
        ),
    },
    "Outcome": {
        "label": ("label", "A short name for the result, for example 'HbA1c on target'.", "text"),
        "description": ("description", "What changed, in a sentence or two.", "textarea"),
        "sources": (
            "sources of this result",
            "Short names of the sources that report it, separated by commas: known ones, or the "
            "short name you give a new source below.",
            "list",
        ),
    },
    "Source": {
        "id": (
            "short name",
            "Optional: letters, digits and hyphens; made from the title when left empty. Use "
            "it to cite this source from an outcome.",
            "text",
        ),
        "partOf": (
            "journal or container",
            "The journal an article appeared in (or the book of a chapter); or the short name "
            "of a known source it is part of.",
            "text",
        ),
        "publisher": ("publisher", "Who published it.", "text"),
        "volume": ("volume", "", "text"),
        "issue": ("issue", "", "text"),
        "pages": ("pages", "For example 123-130 or e10312.", "text"),
        "subjects": (
            "subjects",
            "Concepts it supports, separated by commas, for example nasss/4, strategy/co-design.",
            "list",
        ),
    },
}
_ORDER = {
    "Organisation": ("id", "name", "country", "homepage"),
    "Outcome": ("label", "description", "metric", "before", "after", "sources"),
    "Source": (
        "id",
        "type",
        "title",
        "authors",
        "year",
        "partOf",
        "publisher",
        "volume",
        "issue",
        "pages",
        "doi",
        "isbn",
        "pmid",
        "url",
        "subjects",
    ),
    "DomainRating": ("domain", "subdomain", "level", "justification"),
}


class _Builder:
    """Builds the form: the shapes say labels, help and kinds; the knowledge base the choices."""

    def __init__(self, kb: KnowledgeBase, graphs: Sequence[str] | None) -> None:
        self.kb, self.graphs = kb, graphs
        self.shapes = _Shapes(get_validator(kb.settings).contribution_graph)
        self.base = kb.settings.base_iri
        self.sections: dict[str, Section] = {}

    def choices(self, prop: Node) -> list[Choice] | None:
        scheme = self.shapes.scheme(prop)
        if scheme is None:
            return None
        if scheme.rstrip("/").endswith("/country"):
            return None  # a free text input with suggestions (see _country)
        return _scheme_choices(self.kb, scheme, self.graphs)

    def section_of(self, prop: Node) -> Section:
        name, order = self.shapes.group(prop)
        if name not in self.sections:
            self.sections[name] = Section(name, name, order)
        return self.sections[name]

    def country(self, f: Field) -> Field:
        f.kind, f.multiple, f.choices, f.datalist = "country", False, [], "dl-countries"
        f.help = (f.help + " Type the name or the two- or three-letter code.").strip()
        return f

    def row_fields(self, node_shape: str, prefix: str) -> list[Field | Group]:
        """The fields of one row of a group, from the node shape plus the keys no shape has."""
        props = self.shapes.by_key(node_shape)
        extra = _EXTRA.get(node_shape, {})
        out: list[Field | Group] = []
        known = _ORDER[node_shape]
        added = tuple(k for k in props if k and k not in known)  # a key new in the shapes
        for position, key in enumerate(known + added):
            name = f"{prefix}-{key}"
            if key in extra:
                label, help_text, kind = extra[key]
                out.append(Field(name, label, help_text, kind, order=position))
                continue
            if key == "type" and node_shape == "Source":
                kind_prop = next(p for p in self.shapes.props("Source") if "kind" in str(p))
                f = self.shapes.field(kind_prop, name)
                f.kind, f.multiple, f.required = "select", False, True
                f.choices = [Choice(c, c) for c in SOURCE_TYPES]
            elif key == "authors":
                author = Field(
                    f"{name}-#-name",
                    "author",
                    "As printed, family name first: 'Smith J'. One author per row, in order.",
                )
                out.append(Group(name, "author", [author], position, limit=LIMITS["authors"]))
                continue
            elif key in props:
                f = self.shapes.field(props[key], name, self.choices(props[key]))
                if key == "country":
                    f = self.country(f)
            else:  # the format knows the key but no shape describes it (any more): plain text
                f = Field(name, key)
            if f.kind == "checkboxes" and node_shape == "DomainRating":
                f.kind, f.multiple = "select", False
            f.order = position
            out.append(f)
        return out

    def build(self) -> ContributionForm:
        shapes, base = self.shapes, self.base
        case_props = shapes.by_key("CaseStudy")
        for prop in shapes.props("CaseStudy"):
            key = shapes.key(prop)
            if not key or key in ("organisation", "country", "outcomes", "assessment", "sources"):
                continue
            if key in {f.name for s in self.sections.values() for f in s.fields}:
                continue
            self.section_of(prop).items.append(shapes.field(prop, key, self.choices(prop)))
        about = self.section_of(shapes.props("CaseStudy")[0])
        about.items.append(
            Field(
                "id",
                "short name",
                "Optional: letters, digits and hyphens naming the case study in its web address. "
                "Use the short name of an existing case study to send an update of it.",
                order=0.5,
            )
        )
        # organisations: existing ones by short name, or new ones described in the row
        org_prop = case_props["organisation"]
        org = Group(
            "organisation",
            "organisation",
            self.row_fields("Organisation", "organisation-#"),
            shapes.field(org_prop, "organisation").order,
            str(shapes.g.value(org_prop, SH.description) or ""),
            limit=LIMITS["organisation"],
            single=True,
        )
        org_id = org.fields()[0]
        org_id.datalist = "dl-organisations"
        for f in org.fields()[1:]:  # an existing organisation needs none of these
            if f.required:
                f.required = False
                f.help = (f.help + " Needed for a new organisation.").strip()
        self.section_of(org_prop).items.append(org)
        # countries: as many as the initiative spans
        country_prop = case_props["country"]
        country = self.country(shapes.field(country_prop, "country-#"))
        self.section_of(country_prop).items.append(
            Group(
                "country",
                "country",
                [country],
                country.order,
                limit=LIMITS["country"],
                single=True,
            )
        )
        # outcomes
        outcome_prop = case_props["outcomes"]
        self.section_of(outcome_prop).items.append(
            Group(
                "outcomes",
                "outcome",
                self.row_fields("Outcome", "outcomes-#"),
                1,
                str(shapes.g.value(outcome_prop, SH.description) or ""),
                limit=LIMITS["outcomes"],
            )
        )
        # the assessment, its coverage note and one rating row per NASSS domain
        assessment_props = shapes.by_key("ComplexityAssessment")
        for key, prop in assessment_props.items():
            if key and key != "ratings":
                f = shapes.field(prop, f"assessment-{key}", self.choices(prop))
                self.section_of(prop).items.append(f)
        ratings_prop = assessment_props["ratings"]
        assessment = self.section_of(ratings_prop)
        assessment.items.append(
            Field(
                "assessment-coverageNote",
                "coverage note",
                "Why some NASSS domains are not rated: needed when you leave any of the seven "
                "out (choose 'not rated' for them).",
                kind="textarea",
                order=9,
            )
        )
        rating = self.row_fields("DomainRating", "assessment-ratings-#")
        for item in rating:
            if isinstance(item, Field) and item.key in ("level", "justification"):
                item.required = False  # only for a domain that is rated
            if isinstance(item, Field) and item.key == "level":
                item.choices = [Choice("", "not rated"), *item.choices]
            if isinstance(item, Field) and item.key in ("domain", "subdomain"):
                domains = [c for c in item.choices if c.value in NASSS_DOMAINS]
                subs = [c for c in item.choices if c.value not in NASSS_DOMAINS]
                item.choices = domains if item.key == "domain" else subs
                if item.key == "subdomain":
                    item.required = False
                    item.choices = [Choice("", "(whole domain)"), *subs]
        assessment.items.append(
            Group(
                "assessment-ratings",
                "rating",
                rating,
                10,
                "One row per NASSS domain (add rows to rate subdomains separately).",
                limit=LIMITS["ratings"],
                initial=len(NASSS_DOMAINS),
                presets=[{"domain": d} for d in NASSS_DOMAINS],
                spare=False,
            )
        )
        # sources: known ones ticked, new ones described in rows
        src_prop = case_props["sources"]
        known = _listing(
            self.kb,
            base + "ontology/Source",
            "http://purl.org/dc/terms/title",
            base + "source/",
            self.graphs,
        )
        src_field = shapes.field(src_prop, "sources", known)
        src_field.kind, src_field.multiple, src_field.required = "checkboxes", True, False
        src_field.help += " Tick the sources already known, or describe new ones below."
        section = self.section_of(src_prop)
        section.items.append(src_field)
        section.items.append(
            Group(
                "sources",
                "new source",
                self.row_fields("Source", "sources-#"),
                src_field.order + 0.5,
                "A publication or web page not yet in the knowledge base.",
                limit=LIMITS["sources"],
            )
        )
        # the envelope: contributor and licence
        for key, prop in shapes.by_key("Contributor").items():
            if key:
                f = shapes.field(prop, f"contributor-{key}", self.choices(prop))
                self.section_of(prop).items.append(f)
        licence = shapes.by_key("Contribution")["licence"]
        f = shapes.field(licence, "licence")
        f.kind, f.label = "checkbox", "I accept that my contribution is published under CC BY 4.0"
        self.section_of(licence).items.append(f)
        ordered = sorted(self.sections.values(), key=lambda s: s.order)
        for s in ordered:
            unique: dict[tuple[bool, str], Field | Group] = {}
            for item in sorted(s.items, key=lambda i: i.order):
                unique.setdefault((item.is_group, item.name), item)
            s.items = list(unique.values())
        orgs = _listing(
            self.kb,
            base + "ontology/Organisation",
            "http://xmlns.com/foaf/0.1/name",
            base + "organisation/",
            self.graphs,
        )
        scheme = base + "concept/country"
        countries = _scheme_choices(self.kb, scheme, self.graphs)
        return ContributionForm(
            ordered,
            [Datalist("dl-countries", countries), Datalist("dl-organisations", orgs)],
            _scheme_names(self.kb, scheme, self.graphs),
            {c.value for c in known},
        )


def build_form(kb: KnowledgeBase, graphs: Sequence[str] | None = None) -> ContributionForm:
    """The contribution form from the shapes, with choices from ``graphs`` (None: all graphs)."""
    return _Builder(kb, graphs).build()
