"""Validation of contributions against the data shapes, with reports people can act on.

``validate(document)`` parses a submission (plain JSON or YAML through ``ontology/context.jsonld``,
JSON-LD, Turtle, RDF/XML or N-Triples), checks it against ``shapes/data/`` and returns a
:class:`Report` whose issues name fields as the contributor wrote them
(``assessment.ratings[2].level``). See ``engine`` for how it stays fast.
"""

from __future__ import annotations

from lhs_kg.validate.engine import Validator, get_validator, validate
from lhs_kg.validate.report import RENDER_FORMATS, Issue, Report

__all__ = ["RENDER_FORMATS", "Issue", "Report", "Validator", "get_validator", "validate"]
