"""The contribution model, defined once: the shapes and the JSON-LD context, read as data.

:func:`load_model` gives every kind (``CaseStudy``, ``Source``, ``Organisation``, ``Outcome``,
``ComplexityAssessment`` …) with its ordered fields; the form, the page, search, the CSV and the
fields table of the docs derive from it (:mod:`.faces` says where a field is deliberately not
shown, and why).
"""

from lhs_kg.model.kinds import TEXT_TYPES, Kind, Model, Property
from lhs_kg.model.read import load_model, model_from_graph

__all__ = ["TEXT_TYPES", "Kind", "Model", "Property", "load_model", "model_from_graph"]
