"""The contribution form, generated from the SHACL shapes, and the way back from form to document.

Sections and fields come from ``shapes/data``: one section per ``sh:group`` (in ``sh:order``), one
field per property shape (``sh:name`` as the label, ``sh:description`` as help, ``sh:minCount`` for
required). Choices come from the concept scheme a shape's value set names (``sh:node`` → helper
shape → ``skos:inScheme`` value), labelled from the knowledge base. Field names are the JSON paths
of the plain contribution format (``assessment.ratings[2].level``), so a validation report's field
maps back to the input it concerns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SH, SKOS, XSD
from rdflib.term import Node

from lhs_kg.documents import load_context
from lhs_kg.kb import KnowledgeBase
from lhs_kg.validate import Report, get_validator

SHD = "https://w3id.org/lhs-kg/shapes/data/"
NASSS_DOMAINS = ("1", "2", "3", "4", "5", "6", "7")
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
_LIST_QUERY = """
SELECT ?x (SAMPLE(?l) AS ?label) WHERE { ?x a ?class ; ?labelProp ?l }
GROUP BY ?x ORDER BY LCASE(STR(?label))
"""


@dataclass(frozen=True)
class Choice:
    """One option: the value written in the document and the label people read."""

    value: str
    label: str


@dataclass
class Field:
    """One input of the form."""

    name: str
    label: str
    help: str = ""
    kind: str = "text"
    required: bool = False
    choices: list[Choice] = field(default_factory=list)
    multiple: bool = False
    order: float = 0


@dataclass
class Section:
    """A fieldset: a group of the shapes, or a repeated row (a NASSS domain's rating)."""

    key: str
    title: str
    order: float
    fields: list[Field] = field(default_factory=list)
    help: str = ""


@dataclass
class ContributionForm:
    """The form's sections, in order, and the conversion of posted values into a document."""

    sections: list[Section]

    def field_names(self) -> set[str]:
        """Every input name of the form."""
        return {f.name for s in self.sections for f in s.fields}


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

    def scheme(self, prop: Node) -> str | None:
        for helper in self.g.objects(prop, SH.node):
            for inner in self.g.objects(helper, SH.property):
                if self.g.value(inner, SH.path) == SKOS.inScheme:
                    value = self.g.value(inner, SH.hasValue)
                    if value is not None:
                        return str(value)
        return None

    def field(self, prop: Node, name: str, choices: list[Choice] | None = None) -> Field:
        g = self.g
        label = str(g.value(prop, SH.name) or name)
        max_count = g.value(prop, SH.maxCount)
        datatype = g.value(prop, SH.datatype)
        key = name.rsplit(".", 1)[-1]
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


def build_form(kb: KnowledgeBase, graphs: Sequence[str] | None = None) -> ContributionForm:
    """The contribution form from the shapes, with choices from ``graphs`` (None: all graphs)."""
    shapes = _Shapes(get_validator(kb.settings).contribution_graph)
    base = kb.settings.base_iri
    sections: dict[str, Section] = {}

    def section(prop: Node, key: str | None = None, title: str | None = None) -> Section:
        name, order = shapes.group(prop)
        key = key or name
        if key not in sections:
            sections[key] = Section(key, title or name, order)
        return sections[key]

    def add(node_shape: str, prefix: str, skip: tuple[str, ...] = ()) -> None:
        for prop in shapes.props(node_shape):
            key = shapes.key(prop)
            if not key or key in skip:
                continue
            scheme = shapes.scheme(prop)
            choices = _scheme_choices(kb, scheme, graphs) if scheme else None
            if choices is None and shapes.g.value(prop, SH.nodeKind) == SH.BlankNodeOrIRI:
                continue
            section(prop).fields.append(shapes.field(prop, prefix + key, choices))

    add("CaseStudy", "")
    about = shapes.props("CaseStudy")[0]
    section(about).fields.append(
        Field(
            "id",
            "short name",
            "Optional: letters, digits and hyphens naming the case study in its web address. "
            "Use the short name of an existing case study to send an update of it.",
            order=0.5,
        )
    )
    # organisation: an existing one, or a new one described by the Organisation shape
    org_prop = next(p for p in shapes.props("CaseStudy") if shapes.key(p) == "organisation")
    orgs = _listing(
        kb,
        base + "ontology/Organisation",
        "http://xmlns.com/foaf/0.1/name",
        base + "organisation/",
        graphs,
    )
    org_field = shapes.field(org_prop, "organisation", orgs)
    org_field.kind, org_field.multiple, org_field.required = "select", False, False
    org_field.help += " Or describe a new organisation below."
    section(org_prop).fields.append(org_field)
    for prop in shapes.props("Organisation"):
        key = shapes.key(prop)
        scheme = shapes.scheme(prop)
        choices = _scheme_choices(kb, scheme, graphs) if scheme else None
        f = shapes.field(prop, f"organisation.{key}", choices)
        f.label = f"new organisation: {f.label}"
        f.required = False
        if choices is not None:
            f.kind, f.multiple = "select", False
        f.order = org_field.order + f.order / 10
        section(org_prop).fields.append(f)
    # one outcome
    for prop in shapes.props("Outcome"):
        key = shapes.key(prop)
        if key:
            section(prop).fields.append(shapes.field(prop, f"outcomes[0].{key}"))
    # the assessment and one row per NASSS domain
    add("ComplexityAssessment", "assessment.", skip=("ratings",))
    rating_props = {shapes.key(p): p for p in shapes.props("DomainRating")}
    domains = {c.value: c.label for c in _scheme_choices(kb, base + "concept/nasss", graphs)}
    level_scheme = shapes.scheme(rating_props["level"])
    levels = _scheme_choices(kb, level_scheme, graphs) if level_scheme else []
    for index, domain in enumerate(NASSS_DOMAINS):
        title = f"NASSS domain {domain}: {domains.get(domain, '').rsplit(' (', 1)[0]}"
        row = Section(f"rating-{domain}", title, 5.5 + index / 100)
        prefix = f"assessment.ratings[{index}]."
        level = shapes.field(rating_props["level"], prefix + "level", levels)
        level.required = False
        level.choices = [Choice("", "not rated"), *levels]
        row.fields.append(level)
        row.fields.append(shapes.field(rating_props["justification"], prefix + "justification"))
        sections[row.key] = row
    # sources: existing ones, or one new source described by the Source shape
    src_prop = next(p for p in shapes.props("CaseStudy") if shapes.key(p) == "sources")
    sources = _listing(
        kb, base + "ontology/Source", "http://purl.org/dc/terms/title", base + "source/", graphs
    )
    src_field = shapes.field(src_prop, "sources", sources)
    src_field.kind, src_field.multiple = "checkboxes", True
    src_field.help += " Tick the sources already known, or describe a new one below."
    section(src_prop).fields.append(src_field)
    for prop in shapes.props("Source"):
        key = shapes.key(prop)
        if key in ("title", "year", "doi", "url") or (key == "" and "kind" in str(prop)):
            name = key or "type"
            f = shapes.field(prop, f"sources.new.{name}")
            f.label = f"new source: {f.label}"
            f.required = False
            if name == "type":
                f.kind, f.multiple = "select", False
                f.choices = [
                    Choice(c, c)
                    for c in ("AcademicArticle", "Book", "BookSection", "Report", "Webpage")
                ]
            section(prop).fields.append(f)
    # the envelope: contributor and licence
    add("Contributor", "contributor.")
    licence = next(p for p in shapes.props("Contribution") if shapes.key(p) == "licence")
    f = shapes.field(licence, "licence")
    f.kind, f.label = "checkbox", "I accept that my contribution is published under CC BY 4.0"
    section(licence).fields.append(f)
    assessment = next(
        s for s in sections.values() if any(f.name == "assessment.basis" for f in s.fields)
    )
    assessment.fields.append(
        Field(
            "assessment.coverageNote",
            "coverage note",
            "Why some NASSS domains are not rated (needed when you leave any of the seven out).",
            kind="textarea",
            order=9,
        )
    )
    ordered = sorted(sections.values(), key=lambda s: s.order)
    for s in ordered:
        unique: dict[str, Field] = {}
        for f in sorted(s.fields, key=lambda f: f.order):
            unique.setdefault(f.name, f)
        s.fields = list(unique.values())
    return ContributionForm(ordered)


# -- posted values → document -------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def to_document(form: Mapping[str, Sequence[str]]) -> tuple[dict[str, Any], dict[str, str]]:
    """The plain-JSON contribution a posted form stands for, and a map JSON path → input name.

    ``form`` maps input names to the list of values posted (as ``request.form.lists()`` gives).
    """

    def one(name: str) -> str:
        values = form.get(name) or [""]
        return str(values[-1]).strip()

    def many(name: str) -> list[str]:
        return [str(v).strip() for v in form.get(name, []) if str(v).strip()]

    def year(text: str) -> Any:
        return int(text) if re.fullmatch(r"[0-9]{1,4}", text) else text

    doc: dict[str, Any] = {"type": "CaseStudy"}
    paths: dict[str, str] = {}
    if one("id"):
        doc["id"] = one("id")
    for key in ("title", "description", "aim", "setting", "scale"):
        if one(key):
            doc[key] = one(key)
    for key in ("startYear", "endYear"):
        if one(key):
            doc[key] = year(one(key))
    for key in ("country", "loopStages", "rationales", "elements"):
        if many(key):
            doc[key] = many(key) if key != "country" or len(many(key)) > 1 else many(key)[0]
    if one("organisation"):
        doc["organisation"] = one("organisation")
    elif one("organisation.name"):
        org: dict[str, Any] = {"id": _slug(one("organisation.name")) or "organisation"}
        for key in ("name", "country", "homepage"):
            if one(f"organisation.{key}"):
                org[key] = one(f"organisation.{key}")
        doc["organisation"] = org
    outcome = {k: one(f"outcomes[0].{k}") for k in ("label", "metric", "before", "after")}
    outcome = {k: v for k, v in outcome.items() if v}
    if outcome:
        doc["outcomes"] = [outcome]
    assessment: dict[str, Any] = {}
    for key in ("basis", "instrument", "date", "coverageNote"):
        if one(f"assessment.{key}"):
            assessment[key] = one(f"assessment.{key}")
    ratings: list[dict[str, str]] = []
    for index, domain in enumerate(NASSS_DOMAINS):
        level = one(f"assessment.ratings[{index}].level")
        why = one(f"assessment.ratings[{index}].justification")
        if level or why:
            paths[f"assessment.ratings[{len(ratings)}]"] = f"assessment.ratings[{index}]"
            rating = {"domain": domain}
            if level:
                rating["level"] = level
            if why:
                rating["justification"] = why
            ratings.append(rating)
    if ratings:
        assessment["ratings"] = ratings
    if assessment:
        doc["assessment"] = assessment
    sources: list[Any] = list(many("sources"))
    for index in range(len(sources)):
        paths[f"sources[{index}]"] = "sources"
    if one("sources.new.title"):
        new: dict[str, Any] = {"id": _slug(one("sources.new.title")) or "source"}
        new["type"] = one("sources.new.type") or "Webpage"
        for key in ("title", "doi", "url"):
            if one(f"sources.new.{key}"):
                new[key] = one(f"sources.new.{key}")
        if one("sources.new.year"):
            new["year"] = year(one("sources.new.year"))
        paths[f"sources[{len(sources)}]"] = "sources.new"
        sources.append(new)
    if sources:
        doc["sources"] = sources
    contributor = {k: one(f"contributor.{k}") for k in ("name", "email", "orcid")}
    contributor = {k: v for k, v in contributor.items() if v}
    if contributor:
        doc["contributor"] = contributor
    if one("licence"):
        doc["licence"] = "CC-BY-4.0"
    return doc, paths


def errors_by_field(
    report: Report, paths: Mapping[str, str], names: set[str]
) -> tuple[dict[str, list[str]], list[str]]:
    """Report messages keyed by the input they concern, and those that fit no input."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for issue in report.issues:
        if issue.severity != "violation" and issue.severity != "warning":
            continue
        message = issue.message + (f" {issue.hint}" if issue.hint else "")
        if issue.severity == "warning":
            message = "Consider: " + message
        target = _input_for(issue.field, paths, names)
        if target is None:
            general.append(f"{issue.field or 'document'}: {message}")
        else:
            by_field.setdefault(target, []).append(message)
    return by_field, general


def _input_for(path: str, paths: Mapping[str, str], names: set[str]) -> str | None:
    for json_prefix in sorted(paths, key=len, reverse=True):
        if path == json_prefix or path.startswith((json_prefix + ".", json_prefix + "[")):
            path = paths[json_prefix] + path[len(json_prefix) :]
            break
    candidate = path
    while candidate:
        if candidate in names:
            return candidate
        stripped = re.sub(r"\[[0-9]+\]$", "", candidate)
        if stripped != candidate:
            candidate = stripped
            continue
        if "." not in candidate:
            break
        candidate = candidate.rsplit(".", 1)[0]
    if path == "assessment.ratings":
        return "assessment.coverageNote" if "assessment.coverageNote" in names else None
    inside = sorted(n for n in names if n.startswith((path + ".", path + "[")))
    return inside[0] if path and inside else None


__all__ = [
    "Choice",
    "ContributionForm",
    "Field",
    "Section",
    "build_form",
    "errors_by_field",
    "to_document",
]
