"""A posted self-assessment form → an :class:`Assessment`, or what is wrong with each field.

Input names: ``level-<item>`` and ``note-<item>`` for each domain ('3') and subdomain ('3A'),
``date``, ``coverage``, ``initiative`` (a name for the page and the file; not part of the
document) and ``previous`` (the earlier assessment as JSON, carried by the page).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lhs_kg.assess.document import (
    MAX_BYTES,
    MAX_NOTE,
    AssessmentInputError,
    check_date,
    from_document,
    to_document,
)
from lhs_kg.assess.model import LEVELS, Assessment, Rating
from lhs_kg.assess.questions import Questionnaire
from lhs_kg.contributions.form.carried import PREVIOUS

#: Longest initiative name kept.
MAX_NAME = 200
_FIXED = ("date", "coverage", "initiative", "previous")


@dataclass
class Posted:
    """What a post said: the assessment (when readable), the name, and the problems by field."""

    assessment: Assessment
    initiative: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every field could be read."""
        return not self.errors


def read_form(values: Mapping[str, Sequence[str]], questionnaire: Questionnaire) -> Posted:
    """The assessment a posted form describes; each unreadable field gets a message instead."""
    errors: dict[str, str] = {}
    keys = questionnaire.item_keys()
    for name, posted in values.items():
        kind, _, item = name.partition("-")
        if name not in _FIXED and (kind not in ("level", "note") or item not in keys):
            errors.setdefault(
                "form", f"The form holds a field this page does not ask: {name[:40]!r}."
            )
        elif len(posted) > 1:
            errors[name] = "This field was sent more than once."

    def one(name: str) -> str:
        posted = values.get(name, [])
        return posted[0] if posted else ""

    ratings: list[Rating] = []
    for key in keys:
        level = one(f"level-{key}")
        if level and level not in LEVELS:
            errors[f"level-{key}"] = (
                f"{key}: choose simple, complicated, complex or not sure yet "
                f"({level[:20]!r} is none of them)."
            )
            level = ""
        note = one(f"note-{key}").strip()
        if len(note) > MAX_NOTE:
            errors[f"note-{key}"] = f"{key}: keep the note under {MAX_NOTE:,} characters."
        if level or note:
            found = questionnaire.question(key)
            domain = found[0].notation if found else key
            ratings.append(Rating(domain, key if found else "", level, note))
    date = one("date").strip()
    try:
        date = check_date(date, "the assessment")
    except AssessmentInputError as err:
        errors["date"] = str(err)
        date = ""
    coverage = one("coverage").strip()
    if len(coverage) > MAX_NOTE:
        errors["coverage"] = f"Keep the coverage note under {MAX_NOTE:,} characters."
    initiative = " ".join(one("initiative").split())
    if len(initiative) > MAX_NAME:
        errors["initiative"] = f"Keep the initiative's name under {MAX_NAME} characters."
    previous = None
    if len(one("previous")) > MAX_BYTES:
        errors["previous"] = f"The earlier assessment the page carried is over {MAX_BYTES:,} bytes."
    elif one("previous").strip():
        try:
            previous = from_document(json.loads(one("previous")), questionnaire, depth=1)
        except (ValueError, RecursionError, AssessmentInputError) as err:
            reason = str(err) if isinstance(err, AssessmentInputError) else "it is not valid JSON"
            errors["previous"] = (
                f"The earlier assessment this page carried cannot be read: {reason}"
            )
    assessment = Assessment(date=date, ratings=ratings, coverage_note=coverage, previous=previous)
    return Posted(assessment, initiative[:MAX_NAME], errors)


def form_values(assessment: Assessment, initiative: str = "") -> dict[str, str]:
    """The inputs that show ``assessment`` again (its earlier assessments as ``previous``)."""
    values = {
        "date": assessment.date,
        "coverage": assessment.coverage_note,
        "initiative": initiative,
    }
    for rating in assessment.ratings:
        values[f"level-{rating.key}"] = rating.level
        values[f"note-{rating.key}"] = rating.note
    if assessment.previous is not None:
        values["previous"] = json.dumps(to_document(assessment.previous), ensure_ascii=False)
    return values


def reassess(loaded: Assessment, today: str) -> Assessment:
    """The form's starting point after loading ``loaded``: the same ratings dated ``today``, with
    ``loaded`` kept as the previous assessment (or its own previous one if it is dated today)."""
    previous = loaded.previous if loaded.date == today else loaded
    return Assessment(
        date=today,
        ratings=list(loaded.ratings),
        coverage_note=loaded.coverage_note,
        previous=previous,
    )


def contribution_values(
    assessment: Assessment, questionnaire: Questionnaire, initiative: str = ""
) -> dict[str, list[str]]:
    """The contribution form's inputs that carry ``assessment`` (names spell the JSON path).

    Domain ratings fill the rows the form presets for domains 1-7, subdomain ratings follow;
    items not rated stay empty. Earlier assessments go whole, as the JSON of
    ``previousAssessment`` in one carried input (#16).
    """
    document = to_document(assessment, questionnaire)
    values: dict[str, list[str]] = {"assessment-basis": [document["basis"]]}
    if initiative:
        values["title"] = [initiative]
    if assessment.date:
        values["assessment-date"] = [assessment.date]
    if document.get("coverageNote"):
        values["assessment-coverageNote"] = [document["coverageNote"]]
    row = 0
    for domain in questionnaire.domains:
        found = assessment.rating(domain.notation)
        prefix = f"assessment-ratings-{row}-"
        values[prefix + "domain"] = [domain.notation]
        if found is not None and found.level:
            values[prefix + "level"] = [found.level]
            values[prefix + "justification"] = [found.note]
        row += 1
    for rating in assessment.ratings:
        if rating.subdomain and rating.level:
            prefix = f"assessment-ratings-{row}-"
            values[prefix + "domain"] = [rating.domain]
            values[prefix + "subdomain"] = [rating.subdomain]
            values[prefix + "level"] = [rating.level]
            values[prefix + "justification"] = [rating.note]
            row += 1
    if "previousAssessment" in document:
        values[PREVIOUS] = [json.dumps(document["previousAssessment"], ensure_ascii=False)]
    return values
