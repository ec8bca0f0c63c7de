"""An assessment as a contribution's ``assessment`` object (JSON), written and read back safely.

The format is the one contributions use (``data/examples/case-study.json``): ``basis``,
``instrument``, ``date``, ``coverageNote``, ``ratings`` (``domain``, ``subdomain``, ``level``,
``justification``) and ``previousAssessment`` for the one before. A rating needs a level, so items
left "not sure yet" are named in the coverage note, one line each, which reading strips again:
a download re-loads to the same form.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from lhs_kg.assess.model import BASIS, LEVELS, Assessment, Rating
from lhs_kg.assess.questions import Questionnaire
from lhs_kg.errors import InputError

#: Largest upload read (a full history of 20 assessments of every item is far below this).
MAX_BYTES = 200_000
#: Longest note or coverage note kept, in characters.
MAX_NOTE = 2_000
#: Most earlier assessments kept in one document.
MAX_HISTORY = 50
#: Most ratings in one assessment (7 domains and 20 subdomains fit with room to spare).
MAX_RATINGS = 40
BASES = ("self-assessment", "curator-reading", "source-analysis")
INSTRUMENTS = ("short", "long", "project", "interview")
_ASSESSMENT_KEYS = {
    "@context",
    "@type",
    "type",
    "basis",
    "instrument",
    "date",
    "coverageNote",
    "ratings",
    "previousAssessment",
}
_RATING_KEYS = {
    "domain",
    "subdomain",
    "level",
    "justification",
    "sources",
    "locator",
    "@type",
    "type",
}
_UNRATED_LINE = "Not sure yet, so left unrated: "
_NOTE_LINE = re.compile(r"^Note on (\w{1,3}), not sure yet: (.*)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class AssessmentInputError(InputError):
    """An uploaded or posted assessment that cannot be read; the message says what and where."""


def to_document(
    assessment: Assessment, questionnaire: Questionnaire | None = None
) -> dict[str, Any]:
    """The assessment (and its predecessors) as a contribution's ``assessment`` object."""
    document: dict[str, Any] = {"basis": assessment.basis or BASIS}
    if assessment.instrument:
        document["instrument"] = assessment.instrument
    if assessment.date:
        document["date"] = assessment.date
    coverage = _coverage(assessment, questionnaire)
    if coverage:
        document["coverageNote"] = coverage
    ratings = []
    for rating in assessment.ratings:
        if not rating.level:
            continue
        item: dict[str, Any] = {"domain": rating.domain}
        if rating.subdomain:
            item["subdomain"] = rating.subdomain
        item["level"] = rating.level
        if rating.note:
            item["justification"] = rating.note
        ratings.append(item)
    document["ratings"] = ratings
    if assessment.previous is not None:
        document["previousAssessment"] = to_document(assessment.previous, questionnaire)
    return document


def dumps(assessment: Assessment, questionnaire: Questionnaire | None = None) -> str:
    """The JSON text of :func:`to_document`, indented for people."""
    return json.dumps(to_document(assessment, questionnaire), ensure_ascii=False, indent=2) + "\n"


def _coverage(assessment: Assessment, questionnaire: Questionnaire | None) -> str:
    """The team's coverage note, then one line naming the unrated domains, one per unrated note."""
    lines = [assessment.coverage_note.strip()] if assessment.coverage_note.strip() else []
    if questionnaire is not None:
        unrated = [d for d in questionnaire.domains if not assessment.level(d.notation)]
        if unrated:
            names = ", ".join(f"{d.notation} {d.label}" for d in unrated)
            lines.append(f"{_UNRATED_LINE}{names}.")
    for rating in assessment.ratings:
        if not rating.level and rating.note:
            lines.append(f"Note on {rating.key}, not sure yet: {' '.join(rating.note.split())}")
    return "\n".join(lines)


def loads(data: bytes | str, questionnaire: Questionnaire) -> Assessment:
    """An assessment from JSON text: the ``assessment`` object, or a whole contribution holding one.

    Raises :class:`AssessmentInputError` (one readable sentence) for anything else.
    """
    if len(data) > MAX_BYTES:
        raise AssessmentInputError(
            f"The file is larger than {MAX_BYTES:,} bytes; an assessment is far smaller."
        )
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise AssessmentInputError(
                "The file is not text (UTF-8): choose the .json file this page downloaded."
            ) from err
    if not data.strip():
        raise AssessmentInputError("The file is empty: choose the .json file this page downloaded.")
    try:
        parsed = json.loads(data)
    except RecursionError as err:
        raise AssessmentInputError("The file is nested too deeply to be an assessment.") from err
    except ValueError as err:
        line = getattr(err, "lineno", None)
        where = f" (line {line})" if line else ""
        raise AssessmentInputError(f"The file is not valid JSON{where}.") from err
    if isinstance(parsed, dict) and isinstance(parsed.get("assessment"), dict):
        parsed = parsed["assessment"]
    return from_document(parsed, questionnaire)


def from_document(document: Any, questionnaire: Questionnaire, depth: int = 0) -> Assessment:
    """An assessment from a parsed ``assessment`` object, every value checked."""
    where = "the assessment" if depth == 0 else f"earlier assessment {depth}"
    if depth > MAX_HISTORY:
        raise AssessmentInputError(
            f"More than {MAX_HISTORY} earlier assessments: too many to keep."
        )
    if not isinstance(document, dict):
        raise AssessmentInputError(
            'The file does not hold an assessment: expected a JSON object with "ratings".'
        )
    unknown = sorted(set(document) - _ASSESSMENT_KEYS)
    if unknown:
        raise AssessmentInputError(f"{where.capitalize()} has unknown fields: {_names(unknown)}.")
    basis = _choice(document.get("basis", BASIS), BASES, f"the basis of {where}")
    instrument = _choice(
        document.get("instrument", ""), ("", *INSTRUMENTS), f"the instrument of {where}"
    )
    date = check_date(document.get("date", ""), where)
    coverage = _text(document.get("coverageNote", ""), f"the coverage note of {where}")
    raw = document.get("ratings", [])
    if not isinstance(raw, list):
        raise AssessmentInputError(f"The ratings of {where} must be a list.")
    if len(raw) > MAX_RATINGS:
        raise AssessmentInputError(f"{where.capitalize()} has more than {MAX_RATINGS} ratings.")
    ratings: list[Rating] = []
    for number, item in enumerate(raw, start=1):
        rating = _rating(item, questionnaire, f"rating {number} of {where}")
        if any(r.key == rating.key for r in ratings):
            raise AssessmentInputError(f"{where.capitalize()} rates {rating.key} twice.")
        ratings.append(rating)
    kept, notes = _split_coverage(coverage)
    for key, note in notes.items():
        if _known(key, questionnaire) and all(r.key != key for r in ratings):
            found = questionnaire.question(key)
            domain = found[0].notation if found else key
            ratings.append(Rating(domain, key if found else "", "", note))
    order = {key: i for i, key in enumerate(questionnaire.item_keys())}
    ratings.sort(key=lambda r: order[r.key])
    previous = document.get("previousAssessment")
    return Assessment(
        date=date,
        ratings=ratings,
        coverage_note=kept,
        basis=basis,
        instrument=instrument,
        previous=None if previous is None else from_document(previous, questionnaire, depth + 1),
    )


def _rating(item: Any, questionnaire: Questionnaire, where: str) -> Rating:
    if not isinstance(item, dict):
        raise AssessmentInputError(
            f"{where.capitalize()} must be an object with a domain and a level."
        )
    unknown = sorted(set(item) - _RATING_KEYS)
    if unknown:
        raise AssessmentInputError(f"{where.capitalize()} has unknown fields: {_names(unknown)}.")
    domain = item.get("domain")
    if not isinstance(domain, str) or questionnaire.domain(domain) is None:
        known = ", ".join(d.notation for d in questionnaire.domains)
        raise AssessmentInputError(
            f"{where.capitalize()} names domain {_shown(domain)}: the NASSS domains are {known}."
        )
    subdomain = item.get("subdomain", "")
    if subdomain:
        found = questionnaire.question(subdomain) if isinstance(subdomain, str) else None
        if found is None or found[0].notation != domain:
            raise AssessmentInputError(
                f"{where.capitalize()} names subdomain {_shown(subdomain)}, "
                f"which is not a lettered subdomain of domain {domain}."
            )
    level = item.get("level")
    if level not in LEVELS:
        raise AssessmentInputError(
            f"{where.capitalize()} has level {_shown(level)}: use simple, complicated or complex "
            "(leave a domain you are not sure about out)."
        )
    note = _text(item.get("justification", ""), f"the justification of {where}")
    return Rating(domain, subdomain, level, note)


def _split_coverage(coverage: str) -> tuple[str, dict[str, str]]:
    """The team's own coverage note, and the notes on unrated items written as lines of it."""
    kept, notes = [], {}
    for line in coverage.splitlines():
        found = _NOTE_LINE.match(line)
        if found:
            notes[found.group(1)] = found.group(2)
        elif not line.startswith(_UNRATED_LINE):
            kept.append(line)
    return "\n".join(kept).strip(), notes


def _known(key: str, questionnaire: Questionnaire) -> bool:
    return questionnaire.domain(key) is not None or questionnaire.question(key) is not None


def _choice(raw: Any, allowed: tuple[str, ...], what: str) -> str:
    if raw not in allowed:
        shown = ", ".join(a for a in allowed if a)
        raise AssessmentInputError(f"{what.capitalize()} is {_shown(raw)}: use one of {shown}.")
    return str(raw)


def check_date(raw: Any, where: str) -> str:
    if raw in ("", None):
        return ""
    try:
        if not isinstance(raw, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise ValueError(raw)
        dt.date.fromisoformat(raw)
    except ValueError as err:
        raise AssessmentInputError(
            f"The date of {where} is {_shown(raw)}: write a real date as YYYY-MM-DD."
        ) from err
    return raw


def _text(raw: Any, what: str) -> str:
    if not isinstance(raw, str):
        raise AssessmentInputError(f"{what.capitalize()} must be text.")
    if len(raw) > MAX_NOTE:
        raise AssessmentInputError(f"{what.capitalize()} is longer than {MAX_NOTE:,} characters.")
    if _CONTROL.search(raw):
        raise AssessmentInputError(f"{what.capitalize()} holds control characters.")
    return raw.strip()


def _names(keys: list[str]) -> str:
    return ", ".join(_shown(k) for k in keys[:5]) + (" …" if len(keys) > 5 else "")


def _shown(raw: Any, width: int = 40) -> str:
    """A value as a message may quote it: JSON, cut short."""
    text = json.dumps(raw, ensure_ascii=True) if not isinstance(raw, Mapping) else "an object"
    return text if len(text) <= width else text[: width - 1] + "…"
