"""Where the fields of the model are shown, and the one table of fields a face leaves out.

Every face (the case-study page, the CSV, search, the form) shows every field of the kinds it
presents unless :data:`EXCLUSIONS` names the field for that face, with the reason. A test fails
when a shape property is neither shown nor excluded, so a new field cannot go missing quietly.
"""

from __future__ import annotations

from dataclasses import dataclass

from lhs_kg.model.kinds import Kind, Model, Property

PAGE = "page"
CSV = "csv"
SEARCH = "search"
FORM = "form"
FACES = (PAGE, CSV, SEARCH, FORM)
CASE_STUDY_CLASS = "https://w3id.org/lhs-kg/ontology/CaseStudy"
PAGE_NESTED = ("Outcome", "ComplexityAssessment", "DomainRating")
"""Kinds whose nodes the case-study page shows in place (organisations, sources and people
have pages of their own; the case-study page names them)."""


@dataclass(frozen=True)
class Exclusion:
    """A field a face deliberately does not show, and why."""

    kind: str
    key: str
    face: str
    reason: str


EXCLUSIONS: tuple[Exclusion, ...] = (
    Exclusion(
        "CaseStudy",
        "assessment",
        CSV,
        "one column per NASSS domain holds the level the assessment gives it; the assessment "
        "node itself has no text a spreadsheet could use",
    ),
    Exclusion(
        "DomainRating",
        "subdomain",
        PAGE,
        "the ratings table, the radar and the heat map are per NASSS domain; a subdomain's "
        "finer rating is left out of the domain view (the statements table lists it)",
    ),
    Exclusion(
        "Contribution",
        "contributor",
        CSV,
        "people are named on the page that credits them, not copied into bulk spreadsheets",
    ),
    Exclusion(
        "Contribution",
        "licence",
        CSV,
        "the same for every row (CC BY 4.0); the dataset description states it once",
    ),
)
"""The one list of fields a face leaves out on purpose (kind, JSON key, face, reason)."""


def excluded(kind: str, key: str, face: str) -> str | None:
    """Why ``face`` leaves out field ``key`` of ``kind`` (None: the face shows it)."""
    for entry in EXCLUSIONS:
        if (entry.kind, entry.key, entry.face) == (kind, key, face):
            return entry.reason
    return None


def case_study_kinds(model: Model) -> list[Kind]:
    """The kinds describing a case study itself (its fields and the contribution envelope)."""
    return model.of_class(CASE_STUDY_CLASS)


def shown(model: Model, face: str, kinds: list[Kind] | None = None) -> list[Property]:
    """The fields of ``kinds`` (default: the case study's) that ``face`` shows, in order."""
    out: list[Property] = []
    seen: set[str] = set()
    for kind in kinds if kinds is not None else case_study_kinds(model):
        for prop in kind:
            if prop.iri not in seen and excluded(kind.name, prop.key, face) is None:
                seen.add(prop.iri)
                out.append(prop)
    return out
