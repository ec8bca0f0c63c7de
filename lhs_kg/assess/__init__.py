"""A team's own NASSS self-assessment (#15), one module per job.

:mod:`.questions` reads the questions and anchors from the store (content in
``ontology/framework.ttl``), :mod:`.model` holds an assessment, :mod:`.document` reads and writes
it as a contribution's ``assessment`` object, :mod:`.form` turns a posted form into one,
:mod:`.similarity` compares profiles and :mod:`.result` gathers what the result page shows.
"""

from lhs_kg.assess.document import (
    MAX_BYTES,
    AssessmentInputError,
    from_document,
    loads,
    to_document,
)
from lhs_kg.assess.model import BASIS, LEVELS, Assessment, Rating
from lhs_kg.assess.questions import Domain, Level, Question, Questionnaire, questionnaire
from lhs_kg.assess.similarity import Similar, distance, most_similar

__all__ = [
    "BASIS",
    "LEVELS",
    "MAX_BYTES",
    "Assessment",
    "AssessmentInputError",
    "Domain",
    "Level",
    "Question",
    "Questionnaire",
    "Rating",
    "Similar",
    "distance",
    "from_document",
    "loads",
    "most_similar",
    "questionnaire",
    "to_document",
]
