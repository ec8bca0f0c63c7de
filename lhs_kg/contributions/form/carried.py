"""Values the contribution form carries whole from another page instead of showing as inputs.

A self-assessment handed over from ``/assess`` may hold earlier assessments (a file loaded
again and re-assessed): they are part of the contribution's JSON format
(``assessment.previousAssessment``) but no person types them, so the form keeps them as one
hidden input holding their JSON and says on the page that they go with it (#16). A post whose
carried value the page could not have made (not a JSON object, too large, sent twice) is
refused like any other tampered post.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

PREVIOUS = "assessment-previousAssessment"
"""The input carrying the earlier assessments, as the JSON of ``previousAssessment``."""
CARRIED: Mapping[str, tuple[str, str]] = {PREVIOUS: ("assessment", "previousAssessment")}
"""Carried input → (the document's object, its key there)."""
MAX_CARRIED_CHARS = 200_000
"""As large as an assessment file ``/assess`` loads."""


def _parsed(text: str) -> dict[str, Any] | None:
    try:
        found = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return found if isinstance(found, dict) else None


def check_carried(values: Mapping[str, Sequence[str]]) -> list[str]:
    """What makes the carried values ones the page could not have made ([] when none)."""
    problems = []
    for name in CARRIED:
        posted = values.get(name)
        if posted is None:
            continue
        if len(posted) != 1:
            problems.append(f"The field {name!r} was sent {len(posted)} times; it takes one value.")
        elif len(posted[0]) > MAX_CARRIED_CHARS:
            problems.append(f"The field {name!r} is longer than {MAX_CARRIED_CHARS:,} characters.")
        elif _parsed(posted[0]) is None:
            problems.append(f"The field {name!r} does not hold a JSON object.")
    return problems


def add_carried(document: dict[str, Any], values: Mapping[str, Sequence[str]]) -> None:
    """Put the carried values (checked by :func:`check_carried`) into ``document``."""
    for name, (container, key) in CARRIED.items():
        posted = values.get(name)
        found = _parsed(posted[0]) if posted and len(posted) == 1 else None
        if found is not None:
            document.setdefault(container, {})[key] = found


def carried_history(values: Mapping[str, Sequence[str]]) -> list[str]:
    """The dates of the earlier assessments the form carries, latest first ("undated" when a
    link of the chain has none), for the page to say what goes with the contribution."""
    posted = values.get(PREVIOUS)
    found = _parsed(posted[0]) if posted and len(posted) == 1 else None
    dates: list[str] = []
    while isinstance(found, dict) and len(dates) < 100:
        date = found.get("date")
        dates.append(date if isinstance(date, str) and date else "undated")
        found = found.get("previousAssessment")
    return dates
