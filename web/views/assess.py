"""Assess your initiative (#15): a guided NASSS self-assessment that needs no account and no
JavaScript.

- ``GET /assess``: the questions (the same page every time; nothing is stored);
- ``POST /assess``: the result: profile (radar and table), the most similar case studies and
  what they did, guidance and tools for the domains rated complex, change since last time;
- ``POST /assess/load``: a downloaded assessment (file upload) back in the form, to re-assess;
- ``POST /assess/edit``, ``/assess/download``, ``/assess/contribute``: the result page's buttons
  (change the ratings, the JSON file, the contribution form pre-filled). Each carries the
  assessment in the page itself, so the server keeps nothing until a contribution is sent.

Malformed input gets a 400 with the form as it was sent and what is wrong, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from flask import Blueprint, Response, render_template, request

from lhs_kg.assess import (
    MAX_BYTES,
    Assessment,
    AssessmentInputError,
    Questionnaire,
    from_document,
    loads,
    questionnaire,
    to_document,
)
from lhs_kg.assess.document import dumps
from lhs_kg.assess.form import contribution_values, form_values, read_form, reassess
from lhs_kg.assess.result import changes, complex_guidance, similar
from lhs_kg.describe import casestudies
from lhs_kg.formats import JSON, PAGE
from web.views import diagrams
from web.views.contribute import prefilled_form
from web.views.reading import get_reader

bp = Blueprint("assess", __name__)

_FILENAME = re.compile(r"^nasss-assessment-([a-z0-9-]{1,80})-\d{4}-\d{2}-\d{2}\.json$")


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def _questions() -> Questionnaire:
    return questionnaire(get_reader())


def _form_page(
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> Response:
    """The questions, showing ``values`` and the ``errors`` next to their fields."""
    html = render_template(
        "assess.html",
        q=_questions(),
        values=values or {"date": _today()},
        errors=errors or {},
        notice=notice,
        max_bytes=MAX_BYTES,
    )
    response = Response(html, status=status, mimetype=PAGE.media_type)
    response.headers["Cache-Control"] = "no-store"
    return response


def _posted() -> dict[str, list[str]]:
    return {k: list(v) for k, v in request.form.lists()}


@bp.get("/assess")
def assess_form() -> Response:
    """The guided questions, every item "not sure yet" until the team chooses a level."""
    return _form_page()


@bp.post("/assess")
def assess_result() -> Response:
    """The result of a filled-in form, or the form again with what is wrong (400)."""
    q = _questions()
    values = _posted()
    posted = read_form(values, q)
    if not posted.ok:
        kept = {k: v[0] for k, v in values.items() if v}
        return _form_page(kept, posted.errors, status=400)
    return _result_page(posted.assessment, posted.initiative, q)


def _result_page(assessment: Assessment, initiative: str, q: Questionnaire) -> Response:
    reader = get_reader()
    level_labels = {lv.id: lv.label for lv in q.levels}
    ratings = _radar_ratings(assessment, q)
    domains = [(d.iri, d.notation, d.label) for d in q.domains]
    history = assessment.history()
    html = render_template(
        "assess_result.html",
        q=q,
        a=assessment,
        initiative=initiative,
        radar=diagrams.radar(domains, ratings),
        rated=len(ratings),
        complex_count=sum(1 for r in ratings if r.level_id == "complex"),
        matches=similar(reader, assessment),
        helps=complex_guidance(reader, assessment, q),
        history=list(reversed(history)),
        changes=changes(assessment, q) if len(history) > 1 else [],
        document=json.dumps(to_document(assessment, q), ensure_ascii=False),
        level_labels=level_labels,
    )
    response = Response(html, mimetype=PAGE.media_type)
    response.headers["Cache-Control"] = "no-store"
    return response


def _radar_ratings(assessment: Assessment, q: Questionnaire) -> list[casestudies.Rating]:
    """The domain-level ratings in the shape the shared radar draws (case-study pages' too)."""
    found = []
    for d in q.domains:
        level = q.level(assessment.level(d.notation))
        if level is not None:
            found.append(
                casestudies.Rating(
                    d.iri,
                    d.label,
                    d.notation,
                    level.iri,
                    level.id,
                    level.label,
                    level.rank,
                    assessment.note(d.notation),
                )
            )
    return found


@bp.post("/assess/load")
def assess_load() -> Response:
    """A downloaded assessment back in the form, dated today, the loaded one kept as previous."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _form_page(
            errors={"file": "Choose the assessment file (.json) to load."}, status=400
        )
    data = upload.stream.read(MAX_BYTES + 1)
    q = _questions()
    try:
        loaded = loads(data, q)
    except AssessmentInputError as err:
        return _form_page(errors={"file": f"That file cannot be loaded: {err}"}, status=400)
    name = _FILENAME.match(upload.filename.rsplit("/", 1)[-1])
    initiative = name.group(1).replace("-", " ") if name else ""
    title = _title_of(data)
    notice = (
        f"Loaded the assessment of {loaded.date or 'an unknown date'}. Change what has changed "
        "and see the result: the loaded assessment is kept as the previous one."
    )
    return _form_page(form_values(reassess(loaded, _today()), title or initiative), notice=notice)


def _title_of(data: bytes) -> str:
    """The title of a whole contribution file ('' for a bare assessment)."""
    try:
        parsed = json.loads(data)
    except ValueError:
        return ""
    title = parsed.get("title") if isinstance(parsed, dict) else None
    return " ".join(title.split())[:200] if isinstance(title, str) else ""


def _carried() -> tuple[Assessment, str, Questionnaire]:
    """The assessment a result page's button carried, or a 400 naming the problem."""
    q = _questions()
    raw = request.form.get("assessment", "")
    initiative = " ".join(request.form.get("initiative", "").split())[:200]
    if len(raw) > MAX_BYTES:
        raise AssessmentInputError(f"The assessment sent is larger than {MAX_BYTES:,} bytes.")
    try:
        parsed: Any = json.loads(raw)
    except (ValueError, RecursionError) as err:
        raise AssessmentInputError("The assessment sent is not valid JSON.") from err
    return from_document(parsed, q), initiative, q


@bp.errorhandler(AssessmentInputError)
def _unreadable(err: AssessmentInputError) -> Response:
    return _form_page(errors={"form": f"Nothing could be shown: {err}"}, status=400)


@bp.post("/assess/edit")
def assess_edit() -> Response:
    """The form again with the ratings of the result page, to change one or more."""
    assessment, initiative, _ = _carried()
    return _form_page(form_values(assessment, initiative))


@bp.post("/assess/download")
def assess_download() -> Response:
    """The assessment as JSON, in the format of a contribution's ``assessment`` object."""
    assessment, initiative, q = _carried()
    slug = re.sub(r"[^a-z0-9]+", "-", initiative.lower()).strip("-")[:60] or "initiative"
    response = Response(dumps(assessment, q), content_type=f"{JSON.media_type}; charset=utf-8")
    filename = f"nasss-assessment-{slug}-{assessment.date or _today()}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/assess/contribute")
def assess_contribute() -> Response:
    """The contribution form, pre-filled with the assessment; sending it is the usual flow."""
    assessment, initiative, q = _carried()
    return prefilled_form(contribution_values(assessment, q, initiative))
