"""What the result page shows: the profile, the closest case studies and what they did, the
guidance and tools for the domains rated complex, and how the ratings changed over time."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from lhs_kg import sparql
from lhs_kg.assess.model import Assessment
from lhs_kg.assess.questions import Domain, Questionnaire
from lhs_kg.assess.similarity import most_similar
from lhs_kg.describe.base import Reader, value
from lhs_kg.describe.toolkit import Guidance, guidance

PROFILES = sparql.text("assess/profiles")
SUMMARY = sparql.text("assess/case-study-summary")


@dataclass
class Outcome:
    """A case study's reported result: what, before and after."""

    label: str
    before: str
    after: str


@dataclass
class Match:
    """A similar case study: how close, over how many domains, level by level, and what it did."""

    iri: str
    label: str
    distance: float
    compared: int
    levels: dict[str, int]
    aim: str = ""
    lessons: str = ""
    description: str = ""
    outcomes: list[Outcome] = field(default_factory=list)


@dataclass
class Change:
    """One item's level in each assessment of the history, oldest first."""

    key: str
    label: str
    levels: list[str]

    @property
    def changed(self) -> bool:
        """True when the level differs between any two assessments (unrated included)."""
        return len(set(self.levels)) > 1


def profiles(reader: Reader) -> dict[str, tuple[str, dict[str, int]]]:
    """Each case study's label and domain-level profile (kept with the shared read models)."""
    return reader.memo("assess-profiles", lambda: _profiles(reader))


def _profiles(reader: Reader) -> dict[str, tuple[str, dict[str, int]]]:
    found: dict[str, tuple[str, dict[str, int]]] = {}
    for row in reader.select(PROFILES):
        iri = value(row, "caseStudy")
        _, levels = found.setdefault(iri, (value(row, "label") or iri, {}))
        levels[value(row, "notation")] = int(value(row, "rank") or 0)
    return found


def similar(reader: Reader, assessment: Assessment, limit: int = 3) -> list[Match]:
    """The case studies whose profiles are closest to the assessment's, with what they did."""
    known = profiles(reader)
    closest = most_similar(
        assessment.domain_profile(), {iri: levels for iri, (_, levels) in known.items()}, limit
    )
    matches = {
        s.key: Match(s.key, known[s.key][0], s.distance, s.compared, known[s.key][1])
        for s in closest
    }
    if matches:
        rows = reader.select(SUMMARY, [{"caseStudy": ox.NamedNode(iri)} for iri in matches])
        seen: set[str] = set()
        for row in rows:
            match = matches[value(row, "caseStudy")]
            match.aim = match.aim or value(row, "aim")
            match.lessons = match.lessons or value(row, "lessons")
            match.description = match.description or value(row, "description")
            outcome = value(row, "outcome")
            if outcome and outcome not in seen:
                seen.add(outcome)
                match.outcomes.append(
                    Outcome(value(row, "outcomeLabel"), value(row, "before"), value(row, "after"))
                )
        for match in matches.values():
            match.outcomes.sort(key=lambda o: o.label.lower())
    return [matches[s.key] for s in closest]


def complex_guidance(
    reader: Reader, assessment: Assessment, questionnaire: Questionnaire
) -> list[tuple[Domain, Guidance, list[str]]]:
    """For each domain rated complex (or with a subdomain rated complex): its guidance, its
    tools, and which of its items were rated complex."""
    found = []
    for domain in questionnaire.domains:
        items = [
            k
            for k in (domain.notation, *(q.notation for q in domain.questions))
            if assessment.level(k) == "complex"
        ]
        if items:
            found.append((domain, guidance(reader, domain.iri), items))
    return found


def changes(assessment: Assessment, questionnaire: Questionnaire) -> list[Change]:
    """Every item rated in any assessment of the history, its level in each (oldest first)."""
    history = list(reversed(assessment.history()))
    rows = []
    for domain in questionnaire.domains:
        for key, label in (
            (domain.notation, domain.label),
            *((q.notation, q.label) for q in domain.questions),
        ):
            levels = [a.level(key) for a in history]
            if any(levels):
                rows.append(Change(key, label, levels))
    return rows
