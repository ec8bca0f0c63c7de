"""A team's self-assessment: the levels it chose, its notes, and the assessments before it.

An item ('3' for a domain, '3A' for a subdomain) the team is not sure about yet has no level:
unrated is its own state and never becomes a default level.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The complexity levels by id, lowest first (ids under ``concept/complexity-level/``).
LEVELS: tuple[str, ...] = ("simple", "complicated", "complex")
#: The basis of an assessment a team makes of its own initiative (``concept/assessment-basis/``).
BASIS = "self-assessment"


@dataclass(frozen=True)
class Rating:
    """One rated (or not yet rated) domain or subdomain, with the team's note."""

    domain: str
    subdomain: str = ""
    level: str = ""
    note: str = ""

    @property
    def key(self) -> str:
        """'3A' for a subdomain rating, '3' for a domain rating."""
        return self.subdomain or self.domain

    @property
    def rank(self) -> int:
        """1 simple, 2 complicated, 3 complex; 0 when not rated."""
        return LEVELS.index(self.level) + 1 if self.level in LEVELS else 0


@dataclass
class Assessment:
    """One dated assessment: its ratings by item, a coverage note and the one it replaces."""

    date: str = ""
    ratings: list[Rating] = field(default_factory=list)
    coverage_note: str = ""
    basis: str = BASIS
    instrument: str = ""
    previous: Assessment | None = None

    def rating(self, key: str) -> Rating | None:
        """The rating of item ``key`` ('3' or '3A'), None when the item is not mentioned."""
        return next((r for r in self.ratings if r.key == key), None)

    def level(self, key: str) -> str:
        """The level chosen for ``key``, '' when not rated."""
        found = self.rating(key)
        return found.level if found else ""

    def note(self, key: str) -> str:
        """The team's note on ``key`` ('' when none)."""
        found = self.rating(key)
        return found.note if found else ""

    def domain_profile(self) -> dict[str, int]:
        """Rank (1-3) of each domain rated at domain level, by domain number."""
        return {r.domain: r.rank for r in self.ratings if not r.subdomain and r.rank}

    def history(self) -> list[Assessment]:
        """This assessment and every earlier one, newest first."""
        found: list[Assessment] = []
        current: Assessment | None = self
        while current is not None:
            found.append(current)
            current = current.previous
        return found
