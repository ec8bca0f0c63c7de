"""The self-assessment's questions, read from the concept schemes in the store.

The content is plain Turtle in ``ontology/framework.ttl``: each NASSS subdomain's question in our
words (``lhs:prompt``), the published question it rests on (``skos:scopeNote``) and, where the
published rubric gives them, what a simple, complicated or complex answer looks like
(``lhs:simpleAnchor`` …). A domain-level rating is anchored by the levels' own definitions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lhs_kg import sparql
from lhs_kg.describe.base import Reader, value
from lhs_kg.describe.concepts import natural_key

QUESTIONS = sparql.text("assess/questions")
LEVEL_ROWS = sparql.text("assess/levels")
UNCONFIRMED = "https://w3id.org/lhs-kg/concept/verification/unconfirmed"


@dataclass(frozen=True)
class Level:
    """A complexity level: its id (``simple`` …), label, meaning and rank (1 lowest)."""

    id: str
    iri: str
    label: str
    definition: str
    rank: int


@dataclass(frozen=True)
class Question:
    """One lettered subdomain to rate: our question, the published one, and anchors if any."""

    iri: str
    notation: str
    label: str
    definition: str
    prompt: str
    published: str
    anchors: dict[str, str] = field(default_factory=dict, hash=False)
    unconfirmed: bool = False


@dataclass(frozen=True)
class Domain:
    """A NASSS domain with its subdomains' questions, in notation order."""

    iri: str
    notation: str
    label: str
    definition: str
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Questionnaire:
    """The seven domains, their questions and the three levels."""

    domains: tuple[Domain, ...]
    levels: tuple[Level, ...]

    def domain(self, notation: str) -> Domain | None:
        """The domain numbered ``notation`` ('1' … '7'), or None."""
        return next((d for d in self.domains if d.notation == notation), None)

    def question(self, notation: str) -> tuple[Domain, Question] | None:
        """The subdomain lettered ``notation`` ('2B') with its domain, or None."""
        for domain in self.domains:
            for question in domain.questions:
                if question.notation == notation:
                    return domain, question
        return None

    def level(self, level_id: str) -> Level | None:
        """The level named ``level_id`` ('complex'), or None."""
        return next((lv for lv in self.levels if lv.id == level_id), None)

    def item_keys(self) -> list[str]:
        """Every ratable item, each domain followed by its subdomains ('1', '1A', '1B', '2' …)."""
        return [k for d in self.domains for k in (d.notation, *(q.notation for q in d.questions))]


def questionnaire(reader: Reader) -> Questionnaire:
    """The questionnaire as the store holds it (kept with the shared read models)."""
    return reader.memo("assess-questionnaire", lambda: _questionnaire(reader))


def _questionnaire(reader: Reader) -> Questionnaire:
    domains: dict[str, dict[str, str]] = {}
    questions: dict[str, list[Question]] = {}
    for row in reader.select(QUESTIONS):
        iri = value(row, "domain")
        domains.setdefault(
            iri,
            {
                "notation": value(row, "domainNotation"),
                "label": value(row, "domainLabel"),
                "definition": value(row, "domainDefinition"),
            },
        )
        sub = value(row, "subdomain")
        if not sub or any(q.iri == sub for q in questions.get(iri, [])):
            continue
        anchors = {
            level: value(row, f"{level}Anchor")
            for level in ("simple", "complicated", "complex")
            if value(row, f"{level}Anchor")
        }
        questions.setdefault(iri, []).append(
            Question(
                sub,
                value(row, "subdomainNotation"),
                value(row, "subdomainLabel"),
                value(row, "subdomainDefinition"),
                value(row, "prompt") or value(row, "subdomainDefinition"),
                value(row, "question"),
                anchors if len(anchors) == 3 else {},
                value(row, "verification") == UNCONFIRMED,
            )
        )
    made = [
        Domain(
            iri,
            d["notation"],
            d["label"],
            d["definition"],
            tuple(sorted(questions.get(iri, []), key=lambda q: natural_key(q.notation))),
        )
        for iri, d in domains.items()
    ]
    levels = [
        Level(
            value(row, "level").rsplit("/", 1)[-1],
            value(row, "level"),
            value(row, "label"),
            value(row, "definition"),
            int(value(row, "rank") or 0),
        )
        for row in reader.select(LEVEL_ROWS)
    ]
    return Questionnaire(
        tuple(sorted(made, key=lambda d: natural_key(d.notation))),
        tuple(sorted(levels, key=lambda lv: lv.rank)),
    )
