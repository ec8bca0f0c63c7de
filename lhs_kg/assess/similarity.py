"""How alike two NASSS complexity profiles are, over the domains both rate.

A profile maps a domain's number to its level's rank (1 simple, 2 complicated, 3 complex); an
unrated domain is absent, never guessed. The distance of two profiles is the mean absolute
difference of rank over the domains both rate (0 the same, 2 opposite), and how many domains that
was is reported with it: a match on two domains says less than one on seven.

>>> distance({"1": 1, "2": 3, "3": 2}, {"1": 1, "2": 2, "7": 3})
(0.5, 2)
>>> distance({"1": 1}, {"2": 1}) is None
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

#: Domains two profiles must both rate to be compared at all, unless the team rated fewer.
MIN_SHARED = 3


@dataclass(frozen=True)
class Similar:
    """A case study's distance from the team's profile and on how many domains it rests."""

    key: str
    distance: float
    compared: int


def distance(mine: Mapping[str, int], theirs: Mapping[str, int]) -> tuple[float, int] | None:
    """Mean absolute rank difference over the domains both rate, and their number (None if none)."""
    shared = sorted(set(mine) & set(theirs))
    if not shared:
        return None
    total = sum(abs(mine[d] - theirs[d]) for d in shared)
    return round(total / len(shared), 3), len(shared)


def most_similar(
    mine: Mapping[str, int],
    candidates: Mapping[str, Mapping[str, int]],
    limit: int = 3,
    min_shared: int = MIN_SHARED,
) -> list[Similar]:
    """The ``limit`` closest candidates: smallest distance, then most domains compared, then key.

    A candidate must share at least ``min_shared`` rated domains with ``mine`` (or all of
    ``mine`` when the team rated fewer), so a one-domain coincidence does not rank first.

    >>> [s.key for s in most_similar({"1": 3, "2": 3, "3": 1},
    ...     {"a": {"1": 1, "2": 1, "3": 3}, "b": {"1": 3, "2": 2, "3": 1}, "c": {"1": 3}})]
    ['b', 'a']
    """
    needed = max(1, min(min_shared, len(mine)))
    found = []
    for key, theirs in candidates.items():
        measured = distance(mine, theirs)
        if measured is not None and measured[1] >= needed:
            found.append(Similar(key, measured[0], measured[1]))
    found.sort(key=lambda s: (s.distance, -s.compared, s.key))
    return found[:limit]
