"""The vocabulary and the value objects of the contribution workflow.

A contribution is one case study sent in by a member of the community; each submission of it is a
*version* stored in its own named graph (``<base>graph/contribution/<id>/v<n>``). The registry
graph records, per version, its review state and its PROV-O provenance. States:

``pending`` → ``published`` | ``changes-requested`` | ``rejected`` | ``withdrawn``;
``changes-requested`` → ``published`` | ``rejected`` | ``withdrawn``;
``published`` → ``superseded`` (a newer version was accepted) | ``withdrawn``.
``rejected``, ``withdrawn`` and ``superseded`` are final. Nothing is ever deleted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lhs_kg.errors import InputError, LhsKgError

PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SCHEMA = "https://schema.org/"
SPDX = "http://spdx.org/rdf/terms#"

CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
CHANNELS = ("web", "api", "cli")

PENDING = "pending"
PUBLISHED = "published"
CHANGES_REQUESTED = "changes-requested"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
SUPERSEDED = "superseded"
STATES = (PENDING, PUBLISHED, CHANGES_REQUESTED, REJECTED, WITHDRAWN, SUPERSEDED)

ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "accept": (PUBLISHED, (PENDING, CHANGES_REQUESTED)),
    "request-changes": (CHANGES_REQUESTED, (PENDING,)),
    "reject": (REJECTED, (PENDING, CHANGES_REQUESTED)),
    "withdraw": (WITHDRAWN, (PENDING, CHANGES_REQUESTED, PUBLISHED)),
}
"""Review action → (the state it leads to, the states it may start from)."""

_ORCID = re.compile(r"^(?:https://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


class ContributionError(LhsKgError):
    """A review action that cannot apply (unknown version, wrong state)."""

    exit_code = 1


class NotFoundError(ContributionError):
    """No contribution version with that id or token."""


@dataclass(frozen=True)
class Contributor:
    """Who sends a contribution: name, e-mail (never published) and an optional ORCID iD."""

    name: str
    email: str
    orcid: str | None = None

    @classmethod
    def parse(cls, name: str, email: str, orcid: str | None = None) -> Contributor:
        """Check the three values and normalise the ORCID iD to its https form."""
        name, email = name.strip(), email.strip().removeprefix("mailto:")
        if len(name) < 2 or len(name) > 200:
            raise InputError("the contributor's name must be 2 to 200 characters")
        if not _EMAIL.match(email) or len(email) > 254:
            raise InputError(f"{email[:80]!r} is not an e-mail address")
        if orcid:
            match = _ORCID.match(orcid.strip())
            if not match:
                raise InputError(f"{orcid[:80]!r} is not an ORCID iD such as 0000-0002-1825-0097")
            orcid = f"https://orcid.org/{match.group(1)}"
        return cls(name, email, orcid or None)


@dataclass
class Version:
    """One stored version of a contribution, as the registry describes it."""

    graph: str
    contribution_id: str
    number: int
    subject: str
    title: str
    state: str
    submitted: str
    contributor_name: str = ""
    contributor_email: str = ""
    contributor_orcid: str = ""
    channel: str = ""
    licence: str = ""
    media_type: str = ""
    sha256: str = ""
    revision_of: str = ""
    report: dict[str, Any] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)

    @property
    def ref(self) -> str:
        """The short reference reviewers type: ``<id>/v<n>``."""
        return f"{self.contribution_id}/v{self.number}"

    @property
    def comment(self) -> str:
        """The latest reviewer comment (shown on the status page)."""
        return self.decisions[-1].comment if self.decisions else ""


@dataclass(frozen=True)
class Decision:
    """A reviewer's (or the contributor's) decision on a version, kept as a PROV activity."""

    action: str
    state: str
    by: str
    at: str
    comment: str = ""


@dataclass
class SubmitOutcome:
    """What a submission led to: stored (with id, version and the status token) or refused."""

    report: Any
    stored: bool = False
    version: Version | None = None
    token: str = ""
