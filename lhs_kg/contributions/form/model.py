"""The contribution form as data: fields, repeatable groups, sections, and how names spell paths.

An input name spells the JSON path of the plain contribution format with dashes
(``outcomes-0-metric`` is ``outcomes[0].metric``); in a template ``#`` stands for a row number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

SHD = "https://w3id.org/lhs-kg/shapes/data/"
NASSS_DOMAINS = ("1", "2", "3", "4", "5", "6", "7")
SOURCE_TYPES = (
    "AcademicArticle",
    "Book",
    "BookSection",
    "Report",
    "Webpage",
    "Standard",
    "Collection",
)
LIMITS = {
    "organisation": 20,
    "country": 20,
    "outcomes": 50,
    "sources": 50,
    "authors": 100,
    "ratings": 40,
}
"""How many rows each repeatable group may have: more is a tampered or runaway form."""


@dataclass(frozen=True)
class Choice:
    """One option: the value written in the document, the label people read and the concept."""

    value: str
    label: str
    iri: str = ""


@dataclass
class Field:
    """One input of the form; ``name`` is a template where ``#`` stands for a row number."""

    name: str
    label: str
    help: str = ""
    kind: str = "text"
    required: bool = False
    recommended: bool = False
    """Asked for by a warning (a minimum count that is advice): labelled, never enforced."""
    choices: list[Choice] = field(default_factory=list)
    multiple: bool = False
    order: float = 0
    datalist: str = ""

    @property
    def key(self) -> str:
        """The JSON key this input fills ('' for a repeatable plain value such as a country)."""
        last = self.name.rsplit("-", 1)[-1]
        return "" if last == "#" else last

    @property
    def is_group(self) -> bool:
        """False: a field (templates tell fields from groups by this)."""
        return False


@dataclass
class Group:
    """A repeatable group of inputs: one row per organisation, outcome, source, author, rating."""

    name: str
    title: str
    items: list[Field | Group] = field(default_factory=list)
    order: float = 0
    help: str = ""
    limit: int = 50
    initial: int = 1
    single: bool = False
    presets: list[dict[str, str]] = field(default_factory=list)
    spare: bool = True

    @property
    def key(self) -> str:
        """The JSON key the group's list fills."""
        return self.name.rsplit("-", 1)[-1]

    @property
    def is_group(self) -> bool:
        """True: this is a repeatable group."""
        return True

    def fields(self) -> list[Field]:
        """The group's own fields (not those of nested groups)."""
        return [item for item in self.items if isinstance(item, Field)]


@dataclass
class Section:
    """A fieldset: a group of the shapes, holding fields and repeatable groups in order."""

    key: str
    title: str
    order: float
    items: list[Field | Group] = field(default_factory=list)
    help: str = ""

    @property
    def fields(self) -> list[Field]:
        """The section's plain fields."""
        return [item for item in self.items if isinstance(item, Field)]


@dataclass
class Datalist:
    """Suggestions for a text input (countries, organisations): typed values stay free."""

    id: str
    choices: list[Choice]


@dataclass
class ContributionForm:
    """The form's sections, in order, its suggestion lists and what the choices mean."""

    sections: list[Section]
    datalists: list[Datalist] = field(default_factory=list)
    countries: dict[str, str] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)

    def templates(self) -> dict[str, Field]:
        """Every input template by name (``outcomes-#-metric``)."""
        found: dict[str, Field] = {}

        def visit(items: Sequence[Field | Group]) -> None:
            for item in items:
                if isinstance(item, Group):
                    visit(item.items)
                else:
                    found[item.name] = item

        for section in self.sections:
            visit(section.items)
        return found

    def groups(self) -> dict[str, Group]:
        """Every repeatable group by template name (``sources-#-authors``)."""
        found: dict[str, Group] = {}

        def visit(items: Sequence[Field | Group]) -> None:
            for item in items:
                if isinstance(item, Group):
                    found[item.name] = item
                    visit(item.items)

        for section in self.sections:
            visit(section.items)
        return found

    def field_names(self) -> set[str]:
        """Every input template of the form."""
        return set(self.templates())

    def country_code(self, text: str) -> str:
        """The code of a country typed as a name, an alpha-2 or alpha-3 code; else the text."""
        return self.countries.get(text.strip().casefold(), text.strip())


def template_of(name: str) -> str:
    """The template of a concrete input name: row numbers become ``#``."""
    return "-".join("#" if part.isdigit() else part for part in name.split("-"))


def json_path(name: str) -> str:
    """The JSON path an input name spells.

    >>> json_path("sources-1-authors-0-name")
    'sources[1].authors[0].name'
    """
    out = ""
    for part in name.split("-"):
        if part.isdigit() or part == "#":
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out
