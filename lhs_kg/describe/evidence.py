"""What each claim of a case study rests on, and its NASSS assessments over time (#14).

A case-study page shows, next to every outcome and every domain rating, whether that claim was
checked against its source, what it rests on (its basis, sources and the place in them) and any
editorial note; below the ratings it lists earlier assessments, so a change of profile over time
can be seen. Read with the named queries ``claim-evidence`` and ``assessment-history``; the
case-study page reads the same patterns with its other parts in one query (#16).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from lhs_kg.describe.base import Reader, value
from lhs_kg.queries import QueryLibrary
from lhs_kg.store.base import Term


@dataclass
class Claim:
    """One outcome or rating: its verification status and the evidence it names."""

    iri: str
    status: str
    status_label: str
    basis: str
    sources: list[tuple[str, str]] = field(default_factory=list)
    locator: str = ""
    note: str = ""


@dataclass
class PastAssessment:
    """An assessment of the case study: its date and the level it gave each domain."""

    iri: str
    date: str
    current: bool
    levels: dict[str, str]


@dataclass
class Evidence:
    """The claims of one case study, by outcome IRI and by rated domain, and its history."""

    outcomes: dict[str, Claim]
    ratings: dict[str, Claim]
    history: list[PastAssessment]

    @property
    def earlier(self) -> list[PastAssessment]:
        """Assessments the current one replaced, newest first."""
        return [a for a in self.history if not a.current]


def _query(reader: Reader, name: str) -> str:
    """The text of one of the named queries (the same files ``lhs-kg query`` runs), read once."""
    library = reader.memo(
        ("query-library", str(reader.kb.settings.queries_dir)),
        lambda: QueryLibrary.from_settings(reader.kb.settings),
    )
    return library.get(name).text


def case_study_evidence(reader: Reader, iri: str) -> Evidence:
    """Every claim of ``iri`` with its evidence, and its assessments newest first."""
    node = ox.NamedNode(iri)
    rows = reader.select(_query(reader, "claim-evidence"), caseStudy=node)
    past = reader.select(_query(reader, "assessment-history"), caseStudy=node)
    return evidence_of(reader, rows, past)


def evidence_of(
    reader: Reader, rows: Sequence[Mapping[str, Term]], past: Sequence[Mapping[str, Term]]
) -> Evidence:
    """The evidence in the rows of ``claim-evidence`` and ``assessment-history``, in their
    order (the case-study page reads them with its other parts in one query, #16)."""
    sources = {value(r, "source") for r in rows if value(r, "source")}
    labels = reader.labels(sources)
    outcomes: dict[str, Claim] = {}
    ratings: dict[str, Claim] = {}
    for row in rows:
        claim_iri = value(row, "claim")
        if value(row, "kind") == "rating":
            if value(row, "subdomain"):
                continue  # the page shows domain-level ratings
            into, key = ratings, value(row, "domain")
        else:
            into, key = outcomes, claim_iri
        claim = into.setdefault(
            key,
            Claim(
                claim_iri,
                value(row, "verification").rsplit("/", 1)[-1] or "not-stated",
                value(row, "verificationLabel") or "Not stated",
                value(row, "basisLabel"),
                locator=value(row, "locator"),
                note=value(row, "note"),
            ),
        )
        source = value(row, "source")
        if source and source not in {s for s, _ in claim.sources}:
            claim.sources.append((source, labels.get(source)))
    history: dict[str, PastAssessment] = {}
    for row in past:
        assessment = history.setdefault(
            value(row, "assessment"),
            PastAssessment(
                value(row, "assessment"),
                value(row, "date"),
                value(row, "current") == "true",
                {},
            ),
        )
        if value(row, "domainNotation"):
            assessment.levels[value(row, "domainNotation")] = value(row, "levelLabel")
    current = [a for a in history.values() if a.current]
    earlier = sorted((a for a in history.values() if not a.current), key=lambda a: a.date)
    return Evidence(outcomes, ratings, current + earlier[::-1])
