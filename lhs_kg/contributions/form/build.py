"""Building the contribution form from the SHACL shapes, with choices from the knowledge base.

Sections and fields come from the model (:mod:`lhs_kg.model`, read from ``shapes/data`` and the
JSON-LD context): one section per ``sh:group`` (in ``sh:order``), one field per property
(``sh:name`` as the label, ``sh:description`` as help, ``sh:minCount`` for required,
``dash:editor dash:TextAreaEditor`` for a text area). Choices come from the concept scheme a
field's value set names, labelled from the knowledge base; countries are a free text input with
the country scheme as suggestions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.contributions.form.model import (
    LIMITS,
    NASSS_DOMAINS,
    SOURCE_TYPES,
    Choice,
    ContributionForm,
    Datalist,
    Field,
    Group,
    Section,
)
from lhs_kg.documents import Context, load_context
from lhs_kg.kb import KnowledgeBase
from lhs_kg.model import Kind, Model, Property, load_model

TEXT_AREA = "TextAreaEditor"
_SCHEME_QUERY = sparql.text("contributions/form-scheme-choices")
_NAMES_QUERY = sparql.text("contributions/form-scheme-names")
_LIST_QUERY = sparql.text("contributions/form-listing")


def _field(
    context: Context, prop: Property, name: str, choices: list[Choice] | None = None
) -> Field:
    """A form field for one property of the model, its input kind from the shapes and context."""
    term = context.terms.get(prop.key)
    kind = "text"
    if choices is not None:
        kind = "select" if prop.max_count == 1 else "checkboxes"
    elif prop.value_type in ("year", "date", "integer"):
        kind = prop.value_type
    elif prop.editor == TEXT_AREA:
        kind = "textarea"
    elif term is not None and term.vocab == "mailto:":
        kind = "email"
    elif term is not None and term.drops_relative:
        kind = "url"  # an absolute address, never resolved against our base
    return Field(
        name=name,
        label=prop.label,
        help=prop.description,
        kind=kind,
        required=prop.required,  # a minimum count that is a violation, as the docs say (#16)
        recommended=prop.min_count > 0 and not prop.required,
        choices=choices or [],
        multiple=kind == "checkboxes",
        order=prop.order,
    )


def _codes(context: Context) -> dict[str, str]:
    codes: dict[str, str] = {}
    for term in context.terms.values():
        for code, iri in term.values.items():
            codes[iri] = code
    return codes


def _scheme_choices(kb: KnowledgeBase, scheme: str, graphs: Sequence[str] | None) -> list[Choice]:
    codes = _codes(_context(kb))
    rows = _select(kb, _SCHEME_QUERY, {"scheme": ox.NamedNode(scheme)}, graphs)
    out = []
    for row in rows:
        iri = row["c"].value
        code = codes.get(iri, iri.rsplit("/", 1)[-1])
        label = row["label"].value
        out.append(Choice(code, label if code == label else f"{label} ({code})", iri))
    return out


def _scheme_names(kb: KnowledgeBase, scheme: str, graphs: Sequence[str] | None) -> dict[str, str]:
    """Every name and notation of a scheme's concepts (case-folded) → the code documents use."""
    names: dict[str, str] = {}
    for row in _select(kb, _NAMES_QUERY, {"scheme": ox.NamedNode(scheme)}, graphs):
        code = row["c"].value.rsplit("/", 1)[-1]
        names.setdefault(row["name"].value.strip().casefold(), code)
        names.setdefault(code.casefold(), code)
    return names


def _context(kb: KnowledgeBase) -> Context:
    """The JSON-LD context of the configured ontology folder."""
    return load_context(kb.settings.context_file)


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
    """Builds the form: the model says labels, help and kinds; the knowledge base the choices."""

    def __init__(self, kb: KnowledgeBase, graphs: Sequence[str] | None) -> None:
        self.kb, self.graphs = kb, graphs
        self.model: Model = load_model(kb.settings)
        self.context = _context(kb)
        self.base = kb.settings.base_iri
        self.sections: dict[str, Section] = {}

    def field(self, prop: Property, name: str, choices: list[Choice] | None = None) -> Field:
        return _field(self.context, prop, name, choices)

    def kind(self, name: str) -> Kind:
        return self.model[name]

    def choices(self, prop: Property) -> list[Choice] | None:
        scheme = prop.scheme
        if scheme is None:
            return None
        if scheme.rstrip("/").endswith("/country"):
            return None  # a free text input with suggestions (see _country)
        return _scheme_choices(self.kb, scheme, self.graphs)

    def section_of(self, prop: Property) -> Section:
        name, order = prop.group_label or "Other", prop.group_order
        if name not in self.sections:
            self.sections[name] = Section(name, name, order)
        return self.sections[name]

    def country(self, f: Field) -> Field:
        f.kind, f.multiple, f.choices, f.datalist = "country", False, [], "dl-countries"
        f.help = (f.help + " Type the name or the two- or three-letter code.").strip()
        return f

    def row_fields(self, node_shape: str, prefix: str) -> list[Field | Group]:
        """The fields of one row of a group, from the node shape plus the keys no shape has."""
        props = {p.key: p for p in self.kind(node_shape) if p.key}
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
                f = self.field(props["type"], name)
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
                f = self.field(props[key], name, self.choices(props[key]))
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
        base = self.base
        case_study = self.kind("CaseStudy")
        case_props = {p.key: p for p in case_study if p.key}
        for prop in case_study:
            key = prop.key
            if not key or key in ("organisation", "country", "outcomes", "assessment", "sources"):
                continue
            self.section_of(prop).items.append(self.field(prop, key, self.choices(prop)))
        about = self.section_of(case_study.properties[0])
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
            org_prop.order,
            org_prop.description,
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
        country = self.country(self.field(country_prop, "country-#"))
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
                outcome_prop.description,
                limit=LIMITS["outcomes"],
            )
        )
        # the assessment, its coverage note and one rating row per NASSS domain
        assessment_props = {p.key: p for p in self.kind("ComplexityAssessment") if p.key}
        for key, prop in assessment_props.items():
            if key != "ratings":
                f = self.field(prop, f"assessment-{key}", self.choices(prop))
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
        src_field = self.field(src_prop, "sources", known)
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
        for prop in self.kind("Contributor"):
            if prop.key:
                f = self.field(prop, f"contributor-{prop.key}", self.choices(prop))
                self.section_of(prop).items.append(f)
        licence = self.kind("Contribution").get("licence")
        f = self.field(licence, "licence")
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
